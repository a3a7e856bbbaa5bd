package io.aiobridge.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The blocking peers of CPython's {@code test_asyncio/test_ssl.py}: {@code TestSocketWrapper}
 * (a socket a thread drives, with TLS started on it on demand), {@code TestThreadedServer} and
 * {@code TestThreadedClient}. The JDK's {@link SSLSocket} plays CPython's {@code ssl.SSLSocket},
 * layered over the plain socket so that the test can still write raw bytes under it, as
 * CPython's tests do with {@code sock.dup()}.
 */
final class ThreadedPeers {
    private ThreadedPeers() {}

    /** The socket a test's peer program is given. */
    interface Program {
        void run(PeerSocket sock) throws Exception;
    }

    /** CPython's {@code ConnectionAbortedError} from {@code recv_all}: EOF before the count. */
    static final class PeerAborted extends IOException {
        PeerAborted(int got, int wanted) {
            super("ConnectionAbortedError: EOF after " + got + " of " + wanted + " bytes");
        }
    }

    /** {@code TestSocketWrapper}: a blocking socket, plain or TLS over the plain one. */
    static final class PeerSocket implements AutoCloseable {
        final Socket plain;
        private Socket sock;
        /** The layers under {@link #sock}, innermost last: what {@link #unwrap} goes back to. */
        private final java.util.ArrayDeque<Socket> under = new java.util.ArrayDeque<>();

        PeerSocket(Socket plain) {
            this.plain = plain;
            this.sock = plain;
        }

        /**
         * {@code sock.starttls(ctx, server_side=...)}: the handshake, then TLS from here on.
         * Called again, it starts TLS inside the TLS (CPython's test does that by hand with a
         * memory BIO; the JDK layers an SSLSocket over any socket's streams).
         */
        void starttls(SSLContext ctx, boolean serverSide) throws IOException {
            SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(sock,
                    plain.getInetAddress().getHostAddress(), plain.getPort(), false);
            ssl.setUseClientMode(!serverSide);
            ssl.startHandshake();
            under.push(sock);
            sock = ssl;
        }

        /** The socket reads and writes go to: the TLS one after {@link #starttls}. */
        Socket current() {
            return sock;
        }

        /** {@code sock.recv(n)}: what one read gives, empty at EOF. */
        byte[] recv(int n) throws IOException {
            byte[] buf = new byte[n];
            int r = sock.getInputStream().read(buf);
            return r <= 0 ? new byte[0] : java.util.Arrays.copyOf(buf, r);
        }

        /** {@code recv_all(n)}: exactly n bytes; EOF before is {@link PeerAborted}. */
        byte[] recvAll(int n) throws IOException {
            ByteArrayOutputStream got = new ByteArrayOutputStream(n);
            byte[] buf = new byte[Math.min(n, 65_536)];
            InputStream in = sock.getInputStream();
            while (got.size() < n) {
                int r = in.read(buf, 0, Math.min(buf.length, n - got.size()));
                if (r < 0) {
                    throw new PeerAborted(got.size(), n);
                }
                got.write(buf, 0, r);
            }
            return got.toByteArray();
        }

        /** {@code sock.sendall(data)}. */
        void sendall(byte[] data) throws IOException {
            sock.getOutputStream().write(data);
            sock.getOutputStream().flush();
        }

        /**
         * {@code sock.unwrap()}: sends close_notify, waits for the peer's, and goes on with the
         * plain socket.
         */
        void unwrap() throws IOException {
            SSLSocket ssl = (SSLSocket) sock;
            ssl.shutdownOutput(); // close_notify; TLS 1.3 keeps the reading side open
            byte[] buf = new byte[4096];
            while (!ssl.isInputShutdown() && ssl.getInputStream().read(buf) >= 0) {
                // data the peer sent before its close_notify: unwrap discards it too
            }
            sock = under.pop();
        }

        /** {@code sock.shutdown(SHUT_WR)} on the plain socket: a FIN with no close_notify. */
        void shutdownPlainOutput() throws IOException {
            plain.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            try {
                for (; sock != plain; sock = under.pop()) {
                    if (!sock.isClosed()) {
                        sock.close(); // close_notify, innermost first
                    }
                }
            } catch (IOException ignored) {
                // the peer went first; the plain socket closes below all the same
            } finally {
                plain.close();
            }
        }
    }

    /**
     * {@code TestThreadedServer}: accepts up to {@code maxClients} connections, one after the
     * other, and runs the program on each. A program's failure ends the server; {@link #close}
     * rethrows it.
     */
    static final class ThreadedServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread thread;
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();

        ThreadedServer(Program program, int maxClients, int backlog) throws IOException {
            listener = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().name("test-server").start(() -> {
                for (int clients = 0; clients < maxClients; clients++) {
                    Socket conn;
                    try {
                        conn = listener.accept();
                    } catch (IOException closed) {
                        return; // stopped
                    }
                    try (PeerSocket peer = new PeerSocket(conn)) {
                        conn.setSoTimeout(30_000); // CPython's SHORT_TIMEOUT
                        program.run(peer);
                    } catch (Throwable e) {
                        failures.add(e);
                        return;
                    }
                }
            });
        }

        ThreadedServer(Program program) throws IOException {
            this(program, 10, 1);
        }

        int port() {
            return listener.getLocalPort();
        }

        InetSocketAddress addr() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            thread.join(60_000);
            if (thread.isAlive()) {
                throw new AssertionError("the server's program did not end: " + thread);
            }
            rethrow(failures);
        }
    }

    /**
     * {@code TestThreadedClient}: runs the program on a socket it connects to {@code addr}.
     * {@link #join} waits for it and rethrows its failure.
     */
    static final class ThreadedClient {
        private final Thread thread;
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();

        ThreadedClient(InetSocketAddress addr, Program program) {
            thread = Thread.ofPlatform().daemon().name("test-client").start(() -> {
                try (PeerSocket peer = new PeerSocket(new Socket(addr.getAddress(),
                        addr.getPort()))) {
                    peer.plain.setSoTimeout(30_000);
                    program.run(peer);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
        }

        void join() throws Exception {
            thread.join(60_000);
            if (thread.isAlive()) {
                throw new AssertionError("the client's program did not end: " + thread);
            }
            rethrow(failures);
        }
    }

    private static void rethrow(List<Throwable> failures) {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("the peer failed: " + failures.get(0),
                    failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

}
