package io.aiobridge.net;

import java.net.InetSocketAddress;

/**
 * The callbacks of a datagram endpoint, on its loop: asyncio's {@code DatagramProtocol}. Every
 * method has a do-nothing default.
 */
public interface DatagramProtocol {
    /**
     * The endpoint is ready.
     *
     * @param transport sends datagrams and closes the endpoint
     */
    default void connectionMade(DatagramTransport transport) {}

    /**
     * A datagram arrived.
     *
     * @param data its bytes
     * @param address who sent it
     */
    default void datagramReceived(byte[] data, InetSocketAddress address) {}

    /**
     * A send or receive failed (an ICMP "port unreachable" on a connected endpoint, say); the
     * endpoint stays open.
     *
     * @param exc the failure
     */
    default void errorReceived(Exception exc) {}

    /**
     * The endpoint is closed.
     *
     * @param exc null for a normal close
     */
    default void connectionLost(Throwable exc) {}

    /** The send buffer went over its high-water mark. */
    default void pauseWriting() {}

    /** The send buffer drained to its low-water mark. */
    default void resumeWriting() {}
}
