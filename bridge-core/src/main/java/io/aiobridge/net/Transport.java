package io.aiobridge.net;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A bidirectional byte stream owned by a loop: asyncio's {@code Transport}. All methods are
 * loop-confined (call them from the loop's tasks and callbacks): while the loop runs, a write,
 * close, abort, pause or resume from another thread throws {@code WrongThreadException} before it
 * touches anything; hand such work to the loop with {@code loop.callSoonThreadsafe()}.
 *
 * <p>{@link #write} never blocks: what the socket cannot take at once is buffered, and when the
 * buffer grows over the high-water mark the protocol's {@link Protocol#pauseWriting()} is called
 * (and {@link Protocol#resumeWriting()} once it drains to the low-water mark); streams turn this
 * into {@code drain()}.
 */
public interface Transport {
    /**
     * Writes {@code data} (buffering what the socket cannot take now).
     *
     * @param data the bytes; copied if they must be buffered
     * @throws IllegalStateException after {@link #close()} or {@link #writeEof()}
     */
    void write(byte[] data);

    /**
     * Writes the bytes between {@code data}'s position and limit, and moves its position to its
     * limit. What the transport cannot send at once it copies, so the caller may reuse the buffer
     * when this returns. Socket transports send straight from the buffer (from a direct buffer,
     * without a copy in Java); others copy it and call {@link #write(byte[])}.
     *
     * @param data the bytes
     * @throws IllegalStateException after {@link #close()} or {@link #writeEof()}
     */
    default void write(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        write(bytes);
    }

    /**
     * Writes the chunks of {@code data}, in order, as one {@link #write(byte[])} of them joined,
     * as asyncio's base {@code writelines} does (one send for many small pieces); a null chunk
     * is refused before anything is written.
     *
     * @param data the chunks
     */
    default void writelines(List<byte[]> data) {
        int total = 0;
        for (int i = 0; i < data.size(); i++) {
            byte[] d = data.get(i);
            if (d == null) {
                throw new NullPointerException("data[" + i + "] is null");
            }
            total = Math.addExact(total, d.length);
        }
        if (data.size() == 1) {
            write(data.get(0));
            return;
        }
        byte[] joined = new byte[total];
        int at = 0;
        for (byte[] d : data) {
            System.arraycopy(d, 0, joined, at, d.length);
            at += d.length;
        }
        write(joined);
    }

    /** Closes the writing side once the buffer is flushed; the peer sees end of stream. */
    void writeEof();

    /**
     * Whether {@link #writeEof()} is supported.
     *
     * @return true for sockets and pipes
     */
    boolean canWriteEof();

    /**
     * Closes the transport once the buffered data is sent; the protocol's {@link
     * Protocol#connectionLost} is called with null after that. Idempotent.
     */
    void close();

    /** Closes at once, dropping buffered data; {@code connectionLost(null)} follows. */
    void abort();

    /**
     * Whether the transport is closing or closed.
     *
     * @return true after close, abort or a fatal error
     */
    boolean isClosing();

    /** Stops calling {@link Protocol#dataReceived} until {@link #resumeReading()}. */
    void pauseReading();

    /** Resumes reading. */
    void resumeReading();

    /**
     * Whether the transport is reading.
     *
     * @return false when paused or closing
     */
    boolean isReading();

    /**
     * Optional information: {@code "peername"} and {@code "sockname"} ({@link
     * java.net.InetSocketAddress}), {@code "socket"} (the channel), and per transport kind more
     * (a subprocess pipe's {@code "pipe"}).
     *
     * @param name the key
     * @return the value, or null
     */
    Object getExtraInfo(String name);

    /**
     * Sets the write buffer's marks (null: defaults, 64 KiB high and a quarter of high low).
     *
     * @param high the high-water mark, or null
     * @param low the low-water mark, or null
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    void setWriteBufferLimits(Integer high, Integer low);

    /**
     * The write buffer's marks ({@code get_write_buffer_limits()}): (low, high).
     *
     * @return the marks
     * @throws UnsupportedOperationException if this transport has no write buffer (a read
     *     pipe), or does not say (a transport of the application's own that does not implement
     *     it: asyncio's base class raises {@code NotImplementedError} too)
     */
    default WriteBufferLimits getWriteBufferLimits() {
        throw new UnsupportedOperationException("get_write_buffer_limits() is not implemented"
                + " by " + getClass().getName());
    }

    /**
     * The bytes waiting in the write buffer.
     *
     * @return the size
     */
    int getWriteBufferSize();

    /**
     * The protocol.
     *
     * @return the protocol
     */
    Protocol getProtocol();

    /**
     * Switches the protocol this transport drives ({@code transport.set_protocol()}); TLS
     * upgrades use it.
     *
     * @param protocol the new protocol
     */
    void setProtocol(Protocol protocol);
}
