package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * asyncio's streams API: {@code open_connection} and {@code start_server} (and {@code
 * open_unix_connection} and {@code start_unix_server} for Unix domain sockets), on the running
 * loop, called from a task.
 *
 * <pre>{@code
 * Server server = Streams.startServer((reader, writer) -> {
 *     for (byte[] line : reader) {          // async for line in reader
 *         writer.write(line);
 *         writer.drain();
 *     }
 *     writer.close();
 * }, "127.0.0.1", 8888);
 *
 * Streams.Connection c = Streams.openConnection("127.0.0.1", 8888);
 * c.writer().write("hello\n");
 * byte[] echo = c.reader().readline();
 * }</pre>
 */
public final class Streams {
    private Streams() {}

    /**
     * The two ends of a connection, as asyncio's {@code (reader, writer)} pair.
     *
     * @param reader reads from the peer
     * @param writer writes to the peer
     */
    public record Connection(StreamReader reader, StreamWriter writer) {}

    /** A connection's handler on a server: runs as a task of its own per connection. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Serves one connection.
         *
         * @param reader reads from the client
         * @param writer writes to the client
         * @throws Exception a failure closes this connection and goes to the loop's exception
         *     handler
         */
        void handle(StreamReader reader, StreamWriter writer) throws Exception;
    }

    /**
     * Opens a TCP connection with asyncio's default buffer limit (64 KiB).
     *
     * @param host a name or literal address
     * @param port the port
     * @return the reader and writer
     * @throws java.net.ConnectException naming the address if the connection is refused
     * @throws IOException if connecting fails otherwise
     */
    public static Connection openConnection(String host, int port) throws IOException {
        return openConnection(host, port, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Opens a TCP connection whose reader has the buffer limit {@code limit}.
     *
     * @param host a name or literal address
     * @param port the port
     * @param limit the reader's limit, at least 1
     * @return the reader and writer
     * @throws IOException if connecting fails
     */
    public static Connection openConnection(String host, int port, int limit)
            throws IOException {
        return openConnection(host, port, limit, null, null);
    }

    /**
     * Opens a TCP connection, over TLS when {@code ssl} is given ({@code
     * asyncio.open_connection(host, port, ssl=ctx, server_hostname=...)}): returns once the
     * handshake is done.
     *
     * @param host a name or literal address
     * @param port the port
     * @param limit the reader's limit, at least 1
     * @param ssl the TLS context, or null for plain TCP
     * @param serverHostname the name the server's certificate must carry: null for {@code
     *     host}, the empty string to skip the check
     * @return the reader and writer
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails
     * @throws IOException if connecting fails
     */
    public static Connection openConnection(String host, int port, int limit, SSLContext ssl,
            String serverHostname) throws IOException {
        return openConnection(host, port, limit,
                ConnectOptions.defaults().withSsl(ssl).withServerHostname(serverHostname));
    }

    /**
     * Opens a TCP connection with asyncio's other arguments of {@code open_connection}: TLS, a
     * local address, Happy Eyeballs ({@link ConnectOptions}).
     *
     * @param host a name or literal address
     * @param port the port
     * @param limit the reader's limit, at least 1
     * @param options how to connect
     * @return the reader and writer
     * @throws IOException if connecting fails (see {@link Net#createConnection(
     *     java.util.function.Supplier, String, int, ConnectOptions)})
     */
    public static Connection openConnection(String host, int port, int limit,
            ConnectOptions options) throws IOException {
        StreamReaderProtocol protocol = readerProtocol(Aio.getRunningLoop(), limit, null);
        Net.Connection<StreamReaderProtocol> c = Net.createConnection(() -> protocol, host, port,
                options);
        return new Connection(protocol.reader(), protocol.writerFor(c.transport()));
    }

    /**
     * Streams over a socket already connected ({@code asyncio.open_connection(sock=sock)}): one
     * connected by another library, or accepted elsewhere. The loop owns the channel from now on.
     *
     * @param channel a connected socket
     * @return the reader and writer
     * @throws IllegalArgumentException if the channel is not connected
     * @throws IOException if the channel cannot be used
     */
    public static Connection openConnection(SocketChannel channel) throws IOException {
        StreamReaderProtocol protocol = readerProtocol(Aio.getRunningLoop(),
                StreamReader.DEFAULT_LIMIT, null);
        Net.Connection<StreamReaderProtocol> c = Net.createConnection(() -> protocol, channel);
        return new Connection(protocol.reader(), protocol.writerFor(c.transport()));
    }

    /**
     * As {@link #openConnection(SocketChannel)}, with a reader limit and the options that apply
     * to a connected socket ({@code asyncio.open_connection(sock=sock, ssl=ctx,
     * server_hostname=name)}; see {@link Net#createConnection(java.util.function.Supplier,
     * SocketChannel, ConnectOptions)}).
     *
     * @param channel a connected socket
     * @param limit the reader's limit, at least 1
     * @param options TLS and its timeouts
     * @return the reader and writer
     * @throws IllegalArgumentException if the channel is not connected, or TLS has no server
     *     name
     * @throws IOException if the channel cannot be used or the handshake fails
     */
    public static Connection openConnection(SocketChannel channel, int limit,
            ConnectOptions options) throws IOException {
        StreamReaderProtocol protocol = readerProtocol(Aio.getRunningLoop(), limit, null);
        Net.Connection<StreamReaderProtocol> c = Net.createConnection(() -> protocol, channel,
                options);
        return new Connection(protocol.reader(), protocol.writerFor(c.transport()));
    }

    /**
     * Opens a connection to the Unix domain socket at {@code path} ({@code
     * asyncio.open_unix_connection(path)}).
     *
     * @param path the socket's file
     * @return the reader and writer
     * @throws IOException if connecting fails
     */
    public static Connection openUnixConnection(String path) throws IOException {
        return openUnixConnection(path, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * As {@link #openUnixConnection(String)}, with the reader's buffer limit.
     *
     * @param path the socket's file
     * @param limit the reader's limit, at least 1
     * @return the reader and writer
     * @throws IOException if connecting fails
     */
    public static Connection openUnixConnection(String path, int limit) throws IOException {
        StreamReaderProtocol protocol = readerProtocol(Aio.getRunningLoop(), limit, null);
        Net.Connection<StreamReaderProtocol> c = Net.createUnixConnection(() -> protocol, path);
        return new Connection(protocol.reader(), protocol.writerFor(c.transport()));
    }

    /**
     * Starts a server on the Unix domain socket at {@code path} whose every connection runs
     * {@code handler} as a task of its own ({@code asyncio.start_unix_server}); a stale socket
     * file there is replaced, and closing the server removes its file.
     *
     * @param handler serves one connection
     * @param path the socket's file
     * @return the server, serving
     * @throws IOException if listening fails
     */
    public static Server startUnixServer(Handler handler, String path) throws IOException {
        return startUnixServer(handler, path, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * As {@link #startUnixServer(Handler, String)}, with the readers' buffer limit.
     *
     * @param handler serves one connection
     * @param path the socket's file
     * @param limit the readers' limit, at least 1
     * @return the server, serving
     * @throws IOException if listening fails
     */
    public static Server startUnixServer(Handler handler, String path, int limit)
            throws IOException {
        return startUnixServer(handler, path, limit, ServerOptions.defaults());
    }

    /**
     * As {@link #startUnixServer(Handler, String, int)}, with asyncio's other arguments of {@code
     * start_unix_server} ({@link ServerOptions}: backlog, start_serving, TLS and its timeouts;
     * see {@link Net#createUnixServer(java.util.function.Supplier, String,
     * ServerOptions)}).
     *
     * @param handler serves one connection
     * @param path the socket's file
     * @param limit the readers' limit, at least 1
     * @param options how to listen
     * @return the server
     * @throws IOException if listening fails
     */
    public static Server startUnixServer(Handler handler, String path, int limit,
            ServerOptions options) throws IOException {
        Objects.requireNonNull(handler, "handler is null");
        checkLimit(limit);
        EventLoop loop = Aio.getRunningLoop();
        return Net.createUnixServer(() -> readerProtocol(loop, limit, handler), path, options);
    }

    /** A stream protocol whose reader has the buffer limit {@code limit}. */
    private static StreamReaderProtocol readerProtocol(EventLoop loop, int limit,
            Handler handler) {
        return new StreamReaderProtocol(loop, new StreamReader(loop, limit), handler);
    }

    /** A server's limit is checked before it listens, not at its first connection. */
    private static void checkLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("Limit cannot be <= 0; got " + limit);
        }
    }

    /**
     * Starts a TCP server whose every connection runs {@code handler} as a task of its own.
     *
     * @param handler serves one connection
     * @param host the interface, or null for all
     * @param port the port, or 0 for any free one
     * @return the server, serving
     * @throws java.net.BindException naming the address if it is in use
     * @throws IOException if listening fails otherwise
     */
    public static Server startServer(Handler handler, String host, int port) throws IOException {
        return startServer(handler, host, port, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * As {@link #startServer(Handler, String, int)}, with the readers' buffer limit.
     *
     * @param handler serves one connection
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @param limit the readers' limit, at least 1
     * @return the server, serving
     * @throws IOException if listening fails
     */
    public static Server startServer(Handler handler, String host, int port, int limit)
            throws IOException {
        return startServer(handler, host, port, limit, (SSLContext) null);
    }

    /**
     * As {@link #startServer(Handler, String, int, int)}, serving TLS when {@code ssl} is given:
     * each handler starts once its connection's handshake is done.
     *
     * @param handler serves one connection
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @param limit the readers' limit, at least 1
     * @param ssl the server's TLS context, or null for plain TCP
     * @return the server, serving
     * @throws IOException if listening fails
     */
    public static Server startServer(Handler handler, String host, int port, int limit,
            SSLContext ssl) throws IOException {
        return startServer(handler, host, port, limit, ServerOptions.defaults().withSsl(ssl));
    }

    /**
     * As {@link #startServer(Handler, String, int)}, with asyncio's other arguments of {@code
     * start_server} ({@link ServerOptions}: backlog, start_serving, TLS and its timeouts, {@code
     * SO_REUSEADDR}, {@code SO_REUSEPORT}).
     *
     * @param handler runs once per connection, as its own task
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @param limit each reader's limit, at least 1
     * @param options how to listen
     * @return the server
     * @throws IOException if listening fails
     */
    public static Server startServer(Handler handler, String host, int port, int limit,
            ServerOptions options) throws IOException {
        Objects.requireNonNull(handler, "handler is null");
        checkLimit(limit);
        EventLoop loop = Aio.getRunningLoop();
        return Net.createServer(() -> readerProtocol(loop, limit, handler), host, port, options);
    }

    /**
     * Serves streams on a listening socket made elsewhere ({@code start_server(handler,
     * sock=sock)}), such as {@code System.inheritedChannel()}; the server owns it from now on.
     *
     * @param handler runs once per connection, as its own task
     * @param socket a bound server socket
     * @param limit each reader's limit, at least 1
     * @param options start_serving, TLS and its timeouts
     * @return the server
     * @throws IOException if the socket cannot be used
     */
    public static Server startServer(Handler handler, ServerSocketChannel socket, int limit,
            ServerOptions options) throws IOException {
        Objects.requireNonNull(handler, "handler is null");
        checkLimit(limit);
        EventLoop loop = Aio.getRunningLoop();
        return Net.createServer(() -> readerProtocol(loop, limit, handler), socket, options);
    }
}
