package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
    private final Transport transport;
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
        transport.write(data);
    }

    /**
     * Buffers {@code text} as UTF-8: a convenience asyncio does not have.
     *
     * @param text the text
     */
    public void write(String text) {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Buffers each chunk, in order.
     *
     * @param data the chunks
     */
    public void writelines(List<byte[]> data) {
        transport.writelines(data);
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
