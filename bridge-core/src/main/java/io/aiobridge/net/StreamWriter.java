package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Writing to a connection or a pipe: asyncio's {@code StreamWriter}. Loop-confined. {@link
 * #write} never blocks; {@link #drain()} is where a task waits for a slow peer:
 *
 * <pre>{@code
 * writer.write(bytes);
 * writer.drain();          // suspends while the transport's buffer is over its high-water mark
 * }</pre>
 */
public final class StreamWriter {
    private Transport transport;
    private final StreamReaderProtocol protocol;
    private final StreamReader reader;
    private final EventLoop loop;

    StreamWriter(Transport transport, StreamReaderProtocol protocol, StreamReader reader,
            EventLoop loop) {
        this.transport = transport;
        this.protocol = protocol;
        this.reader = reader;
        this.loop = loop;
    }

    /**
     * The transport underneath.
     *
     * @return the transport
     */
    public Transport transport() {
        return transport;
    }

    /**
     * Buffers {@code data} for sending.
     *
     * @param data the bytes
     * @throws IllegalStateException after {@link #close()} or {@link #writeEof()}
     */
    public void write(byte[] data) {
        transport.write(Objects.requireNonNull(data, "data is null"));
    }

    /**
     * Writes the bytes between {@code data}'s position and limit and consumes them: on a socket
     * straight from the buffer, with a copy only of what the socket cannot take now ({@link
     * Transport#write(ByteBuffer)}). The buffer may be reused when this returns; {@link #drain()}
     * as after any write.
     *
     * @param data the bytes
     */
    public void write(ByteBuffer data) {
        transport.write(Objects.requireNonNull(data, "data is null"));
    }

    /**
     * Buffers {@code text} as UTF-8: a convenience asyncio does not have.
     *
     * @param text the text
     */
    public void write(String text) {
        write(Objects.requireNonNull(text, "text is null").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Buffers each chunk, in order.
     *
     * @param data the chunks
     */
    public void writelines(List<byte[]> data) {
        transport.writelines(Objects.requireNonNull(data, "data is null"));
    }

    /** Closes the writing side once the buffer is flushed. */
    public void writeEof() {
        transport.writeEof();
    }

    /**
     * Whether {@link #writeEof()} is supported.
     *
     * @return true for sockets and pipes
     */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /**
     * Waits until it is appropriate to write more: returns at once unless the transport's buffer
     * is over its high-water mark. Call from a task.
     *
     * @throws ConnectionResetException ("Connection lost") if the connection has ended
     * @throws IOException the reading side's failure, if it has one
     */
    public void drain() throws IOException {
        if (reader != null) {
            Throwable exc = reader.exception();
            if (exc instanceof IOException io) {
                throw io;
            }
            if (exc instanceof RuntimeException re) {
                throw re;
            }
        }
        if (transport.isClosing()) {
            // as asyncio: give connectionLost the chance to run, so drain() sees it
            Aio.sleep(0);
        }
        protocol.drainHelper();
    }

    /**
     * Upgrades the connection to TLS ({@code writer.start_tls(sslcontext, server_hostname=...)}):
     * drains what was written, runs the handshake (as the server when this writer is a server
     * handler's) and from then on reads and writes through TLS. Bytes already buffered in the
     * reader stay readable. Call from a task.
     *
     * @param ssl the TLS context
     * @param serverHostname for a client, the name the certificate must carry: null for the
     *     peer's address, the empty string to skip the check
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails (the connection is then
     *     closed)
     * @throws IOException if the connection fails
     */
    public void startTls(SSLContext ssl, String serverHostname) throws IOException {
        Objects.requireNonNull(ssl, "ssl is null: pass the SSLContext to upgrade with");
        drain();
        String name = serverHostname;
        if (name == null && transport.getExtraInfo("peername") instanceof InetSocketAddress a) {
            name = a.getHostString();
        }
        Transport t = Net.startTls(transport, protocol, ssl, protocol.serverSide(), name);
        transport = t;
        protocol.replaceTransport(t);
    }

    /** Closes the stream once the buffered data is sent. */
    public void close() {
        transport.close();
    }

    /**
     * Whether the stream is closing or closed.
     *
     * @return true after close
     */
    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Waits until the connection is closed. Call from a task.
     *
     * @throws IOException what ended the connection, if it did not end normally
     */
    public void waitClosed() throws IOException {
        IoAwait.await(protocol.closed());
    }

    /**
     * The transport's extra information ({@code "peername"}, {@code "sockname"}, ...).
     *
     * @param name the key
     * @return the value, or null
     */
    public Object getExtraInfo(String name) {
        return transport.getExtraInfo(name);
    }

    /**
     * The loop.
     *
     * @return the loop
     */
    public EventLoop getLoop() {
        return loop;
    }

    @Override
    public String toString() {
        return "<StreamWriter transport=" + transport + (reader != null ? " reader=" + reader : "")
                + ">";
    }
}
