package io.aiobridge.net;

/**
 * The callbacks a {@link Transport} makes, on its loop: asyncio's {@code Protocol} (with {@code
 * BaseProtocol}'s flow control). Every method has a do-nothing default; implement what you need.
 *
 * <p>The order is asyncio's: {@link #connectionMade} once, then {@link #dataReceived} any number
 * of times, then at most one {@link #eofReceived}, then {@link #connectionLost} once. An exception
 * thrown by a callback closes the connection and goes to the loop's exception handler.
 */
public interface Protocol {
    /**
     * The connection is made; {@code transport} is how to write to it and close it.
     *
     * @param transport the transport
     */
    default void connectionMade(Transport transport) {}

    /**
     * Bytes arrived.
     *
     * @param data the bytes (this array is the protocol's to keep)
     */
    default void dataReceived(byte[] data) {}

    /**
     * The peer will send no more (it closed its writing side).
     *
     * @return true to keep the transport open for writing (half-closed); false (the default)
     *     closes it
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed.
     *
     * @param exc null for a normal close or an EOF; otherwise what ended it
     */
    default void connectionLost(Throwable exc) {}

    /** The transport's write buffer went over its high-water mark: stop writing for now. */
    default void pauseWriting() {}

    /** The write buffer drained to its low-water mark: writing may go on. */
    default void resumeWriting() {}
}
