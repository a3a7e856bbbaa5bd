package io.aiobridge.examples.net;

import io.aiobridge.Aio;
import io.aiobridge.net.Server;
import io.aiobridge.net.StreamReader;
import io.aiobridge.net.StreamWriter;
import io.aiobridge.net.Streams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat server on asyncio-style streams: a client's first line is its name; every line it
 * sends after that goes to every other client as {@code name: text}; joins and leaves are
 * announced. One task per connection; the table of clients is touched only by the loop's tasks,
 * so it needs no lock.
 *
 * <p>A client that stops reading is not allowed to stall the room: broadcasts do not wait for
 * any one reader ({@code drain}), and a client whose unsent backlog passes {@link #MAX_BACKLOG}
 * is disconnected, as chat and pub/sub servers (Redis's client-output-buffer-limit) do.
 *
 * <pre>./mvnw -q -Pdemo -pl examples -am package -DskipTests \
 *     -Ddemo.main=io.aiobridge.examples.net.ChatServer   # then: nc 127.0.0.1 8765</pre>
 */
public final class ChatServer {
    /** Bytes a client may leave unread before it is dropped. */
    static final int MAX_BACKLOG = 1 << 20;

    private final Map<StreamWriter, String> clients = new LinkedHashMap<>();

    /** Starts serving on {@code host:port} (0: any free port); call from a task. */
    public Server start(String host, int port) throws IOException {
        return Streams.startServer(this::serve, host, port);
    }

    /** How many clients are connected now. */
    public int size() {
        return clients.size();
    }

    private void serve(StreamReader reader, StreamWriter writer) throws IOException {
        String name = text(reader.readline());
        if (name.isEmpty()) {
            writer.close();
            return;
        }
        writer.write("welcome " + name + ", " + clients.size() + " here\n");
        broadcast(writer, name + " joined\n");
        clients.put(writer, name);
        try {
            readLines(reader, writer, name);
        } catch (IOException gone) {
            // reset by the client, or dropped as too slow: it leaves like any other
        } finally {
            clients.remove(writer);
            broadcast(writer, name + " left\n");
            writer.close();
        }
    }

    private void readLines(StreamReader reader, StreamWriter writer, String name)
            throws IOException {
        for (byte[] line = reader.readline(); line.length > 0; line = reader.readline()) {
            broadcast(writer, name + ": " + text(line) + "\n");
        }
    }

    private void broadcast(StreamWriter from, String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        for (StreamWriter w : List.copyOf(clients.keySet())) {
            if (w == from || w.isClosing()) {
                continue;
            }
            w.write(bytes);
            if (w.transport().getWriteBufferSize() > MAX_BACKLOG) {
                w.transport().abort(); // too slow a reader: its own task then ends
            }
        }
    }

    private static String text(byte[] line) {
        return new String(line, StandardCharsets.UTF_8).strip();
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8765;
        Aio.run(() -> {
            Server server = new ChatServer().start("127.0.0.1", port);
            System.out.println("chat on 127.0.0.1:" + server.addresses().get(0).getPort()
                    + "; Ctrl-C stops it");
            server.serveForever();
            return null;
        });
    }
}
