package io.aiobridge.net;

import java.nio.ByteBuffer;

/**
 * A protocol that lends the transport its own buffer to read into: asyncio's {@code
 * BufferedProtocol}. Instead of a new array per read ({@link Protocol#dataReceived}), the transport
 * asks {@link #getBuffer} for a buffer, reads the socket straight into it and reports how many
 * bytes it wrote with {@link #bufferUpdated}. With a direct buffer, and {@link
 * Transport#write(ByteBuffer)} to send from it, bytes go from the socket to the protocol and back
 * without a copy in Java.
 *
 * <pre>{@code
 * class Echo implements BufferedProtocol {
 *     private final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
 *     private Transport transport;
 *
 *     public void connectionMade(Transport t) { transport = t; }
 *     public ByteBuffer getBuffer(int sizeHint) { return buf.clear(); }
 *     public void bufferUpdated(int nbytes) { transport.write(buf.flip()); }
 * }
 * }</pre>
 *
 * <p>The order of calls is {@link Protocol}'s, with {@code getBuffer}/{@code bufferUpdated} pairs
 * in place of {@code dataReceived}. Transports that receive their bytes as arrays (TLS, pipes)
 * feed them through {@link #dataReceived}, which copies them into the protocol's buffers as
 * asyncio does for such transports. An exception thrown by either method closes the connection
 * and goes to the loop's exception handler, as from {@code dataReceived}.
 */
public interface BufferedProtocol extends Protocol {

    /**
     * Lends a buffer for the next read. The transport writes from the buffer's position up to its
     * limit, advances the position past what it wrote, then calls {@link #bufferUpdated}. The
     * buffer stays the protocol's: the transport keeps no reference after that call.
     *
     * @param sizeHint the recommended minimum number of bytes of space, or -1 when any size will
     *     do (sockets read whatever is there); a smaller or larger buffer is fine
     * @return a writable buffer with at least one byte remaining
     */
    ByteBuffer getBuffer(int sizeHint);

    /**
     * The transport wrote {@code nbytes} bytes into the buffer that {@link #getBuffer} returned,
     * ending at its current position.
     *
     * @param nbytes how many bytes arrived, at least 1
     */
    void bufferUpdated(int nbytes);

    /**
     * Feeds bytes that arrived as an array into the protocol's buffers, in as many {@code
     * getBuffer}/{@code bufferUpdated} rounds as their size takes (asyncio's {@code
     * _feed_data_to_buffered_proto}). Transports call it; a buffered protocol does not override it.
     *
     * @param data the bytes
     * @throws IllegalStateException if {@link #getBuffer} returns a full or read-only buffer
     */
    @Override
    default void dataReceived(byte[] data) {
        int off = 0;
        while (off < data.length) {
            int left = data.length - off;
            ByteBuffer buf = SocketTransport.lent(getBuffer(left));
            int n = Math.min(buf.remaining(), left);
            buf.put(data, off, n);
            off += n;
            bufferUpdated(n);
        }
    }
}
