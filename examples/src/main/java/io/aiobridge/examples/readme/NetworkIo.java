package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.net.AsyncProcess;
import io.aiobridge.net.BufferedProtocol;
import io.aiobridge.net.ConnectOptions;
import io.aiobridge.net.Net;
import io.aiobridge.net.Server;
import io.aiobridge.net.Streams;
import io.aiobridge.net.Subprocess;
import io.aiobridge.net.Subprocess.Redirect;
import io.aiobridge.net.SubprocessProtocol;
import io.aiobridge.net.SubprocessTransport;
import io.aiobridge.net.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's streams and subprocess section: an echo server, its client, a buffered protocol,
 * a process.
 */
public final class NetworkIo {
    private NetworkIo() {}

    // tag::streams[]
    static List<String> echo() {
        return Aio.run(() -> {
            // asyncio.start_server: each connection's handler is a task of its own
            Server server = Streams.startServer((reader, writer) -> {
                for (byte[] line = reader.readline(); line.length > 0; line = reader.readline()) {
                    writer.write("echo: " + new String(line, StandardCharsets.UTF_8));
                    writer.drain();                        // waits while the client is slow
                }
                writer.close();                            // the client closed: so do we
            }, "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();

            // asyncio.open_connection: a reader and a writer
            Streams.Connection c = Streams.openConnection("127.0.0.1", port);
            List<String> got = new ArrayList<>();
            for (String word : List.of("hello", "world")) {
                c.writer().write(word + "\n");
                got.add(new String(c.reader().readline(), StandardCharsets.UTF_8).trim());
            }
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            return got;
        });
    }
    // end::streams[]

    // tag::connect-options[]
    static String connectOptions() {
        return Aio.run(() -> {
            Server server = Streams.startServer((reader, writer) -> writer.close(),
                    "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            // asyncio.open_connection("localhost", port, happy_eyeballs_delay=0.25,
            //                         local_addr=("127.0.0.1", 0))
            Streams.Connection c = Streams.openConnection("localhost", port, 64 * 1024,
                    ConnectOptions.defaults()
                            .withHappyEyeballsDelay(0.25)       // race the addresses
                            .withLocalAddress("127.0.0.1", 0)); // bind before connecting
            InetSocketAddress local = (InetSocketAddress) c.writer().getExtraInfo("sockname");
            c.writer().close();
            server.close();
            return "from " + local.getAddress().getHostAddress();
        });
    }
    // end::connect-options[]

    // tag::subprocess[]
    static String subprocess() {
        return Aio.run(() -> {
            // asyncio.create_subprocess_exec(..., stdin=PIPE, stdout=PIPE)
            AsyncProcess p = Subprocess.exec("tr", "a-z", "A-Z")
                    .stdin(Redirect.PIPE).stdout(Redirect.PIPE).start();
            AsyncProcess.Output out = p.communicate("the loop keeps running\n".getBytes());
            return p.returncode() + " " + new String(out.stdout(), StandardCharsets.UTF_8).trim();
        });
    }
    // end::subprocess[]

    // tag::subprocess-protocol[]
    /** asyncio.SubprocessProtocol: the child's output and exit, as callbacks on the loop. */
    static final class Collect implements SubprocessProtocol {
        final StringBuilder out = new StringBuilder();
        final AsyncFuture<Integer> exited = Aio.getRunningLoop().createFuture();
        private SubprocessTransport transport;

        @Override
        public void connectionMade(SubprocessTransport t) {
            transport = t;
        }

        @Override
        public void pipeDataReceived(int fd, byte[] data) {   // fd 1: stdout, 2: stderr
            out.append(fd).append(':').append(new String(data, StandardCharsets.UTF_8).trim());
        }

        @Override
        public void connectionLost(Throwable exc) {          // exited, and every pipe closed
            exited.setResult(transport.getReturncode());
        }
    }

    static String subprocessProtocol() {
        return Aio.run(() -> {
            // transport, protocol = await loop.subprocess_shell(Collect, "...")
            var c = Subprocess.subprocessShell(Collect::new, "read x; echo $x; exit 3");
            c.transport().getPipeTransport(0).write("hi\n".getBytes());
            int rc = c.protocol().exited.await();
            return c.protocol().out + " rc=" + rc;
        });
    }
    // end::subprocess-protocol[]

    // tag::buffered[]
    /** asyncio.BufferedProtocol: the socket is read into the protocol's own buffer. */
    static final class BufferedEcho implements BufferedProtocol {
        private final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return buf.clear();                        // read into this, from its position
        }

        @Override
        public void bufferUpdated(int nbytes) {
            transport.write(buf.flip());               // sent straight from the buffer
        }
    }

    static String bufferedEcho() {
        return Aio.run(() -> {
            Server server = Net.createServer(BufferedEcho::new, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1",
                    server.addresses().get(0).getPort());
            c.writer().write("ping\n");
            String got = new String(c.reader().readline(), StandardCharsets.UTF_8).trim();
            c.writer().close();
            server.close();
            return got;
        });
    }
    // end::buffered[]

    public static void main(String[] args) {
        System.out.println(echo());
        System.out.println(bufferedEcho());
        System.out.println(subprocess());
    }
}
