package io.aiobridge.examples.seeds;

import io.aiobridge.Aio;
import io.aiobridge.net.StreamReader;
import io.aiobridge.net.StreamWriter;
import io.aiobridge.net.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's aioredis example written on the project's own streams: a small client for Redis's
 * protocol (RESP 2) over {@link Streams#openConnection(String, int)}, then the seed's {@code
 * execute} twice at once. Every reply is read with {@code readuntil} and {@code readexactly}, so
 * a reply split across packets, or many replies in one, parse the same.
 *
 * <p>{@code main} starts its own {@code redis-server} on 127.0.0.1 ({@link RedisServer}).
 */
public final class RespRedis implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};

    /** An error reply ({@code -ERR ...}), as redis-py's {@code ResponseError}. */
    public static final class RedisError extends IOException {
        private static final long serialVersionUID = 1L;

        RedisError(String message) {
            super(message);
        }
    }

    private final StreamReader reader;
    private final StreamWriter writer;

    private RespRedis(Streams.Connection c) {
        this.reader = c.reader();
        this.writer = c.writer();
    }

    /** {@code await aioredis.create_connection((host, port))}; call from a task. */
    public static RespRedis connect(String host, int port) throws IOException {
        return new RespRedis(Streams.openConnection(host, port));
    }

    /**
     * Sends one command and awaits its reply: a String (simple or bulk), a Long, a List, or null
     * (a nil reply). Commands on one connection must not overlap: one task at a time.
     *
     * @throws RedisError if Redis answers with an error
     */
    public Object call(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes(CRLF);
        }
        writer.write(out.toByteArray());
        writer.drain();
        return readReply();
    }

    private Object readReply() throws IOException {
        byte[] line = reader.readuntil(CRLF);
        String rest = new String(line, 1, line.length - 3, StandardCharsets.UTF_8);
        switch (line[0]) {
            case '+':
                return rest;
            case '-':
                throw new RedisError(rest);
            case ':':
                return Long.parseLong(rest);
            case '$': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return null;
                }
                byte[] data = reader.readexactly(n + 2);
                return new String(data, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readReply());
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: " + new String(line,
                        StandardCharsets.UTF_8).strip());
        }
    }

    /** {@code conn.close(); await conn.wait_closed()}; call from a task. */
    @Override
    public void close() throws IOException {
        writer.close();
        writer.waitClosed();
    }

    /** The seed's {@code execute(address)}: set a hash, read it back. */
    static Map<String, String> execute(int port, String key, PrintStream out) throws IOException {
        out.println("start " + key);
        try (RespRedis redis = connect("127.0.0.1", port)) {
            redis.call("HSET", key, "key1", "1", "key2", "2", "key3", "3");
            List<?> flat = (List<?>) redis.call("HGETALL", key);
            Map<String, String> result = new TreeMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                result.put((String) flat.get(i), (String) flat.get(i + 1));
            }
            out.println(key + " -> " + result);
            return result;
        } finally {
            out.println("end " + key);
        }
    }

    public static void main(String[] args) throws Exception {
        try (RedisServer server = RedisServer.start()) {
            Aio.run(() -> Aio.gather(
                    () -> execute(server.port(), "car", System.out),
                    () -> execute(server.port(), "truck", System.out)).await());
        }
    }
}
