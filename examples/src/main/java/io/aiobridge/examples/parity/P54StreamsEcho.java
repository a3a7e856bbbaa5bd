package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.bytes;
import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.EventLoop;
import io.aiobridge.net.IncompleteReadException;
import io.aiobridge.net.LimitOverrunException;
import io.aiobridge.net.Server;
import io.aiobridge.net.StreamReader;
import io.aiobridge.net.StreamWriter;
import io.aiobridge.net.Streams;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Parity 54: streams on loopback: start_server + open_connection; readline, readexactly,
 * readuntil, read(n), EOF, IncompleteReadError, LimitOverrunError, drain, close/wait_closed,
 * a refused connection.
 */
public final class P54StreamsEcho {
    private P54StreamsEcho() {}

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        List<String> serverLog = new ArrayList<>();
        Streams.Handler handle = (StreamReader reader, StreamWriter writer) -> {
            serverLog.add("client connected");
            for (;;) {
                byte[] line = reader.readline();
                if (line.length == 0) {
                    serverLog.add("EOF from client");
                    break;
                }
                serverLog.add("got " + bytes(line));
                writer.write(concat(b("echo "), line));
                writer.drain();
            }
            writer.write(b("bye\n12345tail;rest"));
            writer.drain();
            writer.close();
            writer.waitClosed();
            serverLog.add("closed");
        };
        Py.run(loops, () -> {
            Server server = Streams.startServer(handle, "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            out.println("serving: " + py(server.isServing()));
            Streams.Connection c = Streams.openConnection("127.0.0.1", port);
            StreamReader reader = c.reader();
            StreamWriter writer = c.writer();
            for (String word : List.of("alpha", "beta")) {
                writer.write(b(word + "\n"));
                writer.drain();
                out.println("client: got " + bytes(reader.readline()));
            }
            writer.writeEof();
            out.println("client: " + bytes(reader.readline()));
            out.println("client: exactly " + bytes(reader.readexactly(5)));
            out.println("client: until " + bytes(reader.readuntil(b(";"))));
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            for (byte[] chunk = reader.read(100); chunk.length > 0; chunk = reader.read(100)) {
                rest.writeBytes(chunk);
            }
            out.println("client: rest " + bytes(rest.toByteArray()));
            out.println("client: at_eof " + py(reader.atEof()));
            try {
                reader.readexactly(3);
            } catch (IncompleteReadException e) {
                out.println("client: IncompleteReadError partial " + bytes(e.partial())
                        + " expected " + e.expected());
            }
            writer.close();
            writer.waitClosed();
            server.close();
            server.waitClosed();
            out.println("serving: " + py(server.isServing()));
            for (String event : serverLog) {
                out.println("server: " + event);
            }

            // a line longer than the reader's limit
            Server big = Streams.startServer((r, w) -> {
                w.write(concat(b("x".repeat(100)), b("\n")));
                w.drain();
                w.close();
            }, "127.0.0.1", 0);
            port = big.addresses().get(0).getPort();
            Streams.Connection small = Streams.openConnection("127.0.0.1", port, 16);
            try {
                small.reader().readuntil(b("\n"));
            } catch (LimitOverrunException e) {
                out.println("client: LimitOverrunError");
            }
            small.writer().close();
            small.writer().waitClosed();
            big.close();
            big.waitClosed();

            try {
                Streams.openConnection("127.0.0.1", 1);
            } catch (ConnectException e) {
                out.println("client: ConnectionRefusedError");
            }
            return null;
        });
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
