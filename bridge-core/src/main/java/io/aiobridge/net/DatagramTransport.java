package io.aiobridge.net;

import io.aiobridge.Context;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.LoopResources;
import io.aiobridge.internal.TransportIo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;

/**
 * A UDP endpoint driven by the loop's selector: asyncio's {@code DatagramTransport}, made by
 * {@link Net#createDatagramEndpoint}. Loop-confined. {@link #sendto} never blocks: a datagram
 * the socket cannot take now waits in a buffer, with the same flow control as a stream
 * transport.
 */
public final class DatagramTransport {
    private static final int MAX_DATAGRAM = 64 * 1024;

    private final EventLoop loop;
    private final DatagramChannel channel;
    private final DatagramProtocol protocol;
    private final InetSocketAddress remote;
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    private final WriteFlow flow;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final AutoCloseable onLoopClose = this::abort;
    /** The context the protocol's callbacks run in: the endpoint's creator's, as uvloop. */
    private final Context protocolContext = Context.copyCurrent();
    private int buffered;
    private boolean closing;
    private boolean lost;

    DatagramTransport(EventLoop loop, DatagramChannel channel, DatagramProtocol protocol,
            InetSocketAddress remote) {
        this.loop = loop;
        this.channel = channel;
        this.protocol = protocol;
        this.remote = remote;
        this.flow = new WriteFlow(new Protocol() {
            @Override
            public void pauseWriting() {
                protocol.pauseWriting();
            }

            @Override
            public void resumeWriting() {
                protocol.resumeWriting();
            }
        }, loop, this, protocolContext);
        LoopResources.own(loop, onLoopClose);
        TransportIo.claim(loop, channel, this, this::isClosing);
        loop.callSoon(() -> protocol.connectionMade(this), protocolContext);
        loop.callSoon(() -> {
            if (!closing) {
                TransportIo.addReader(loop, channel, this::readReady, protocolContext);
            }
        });
    }

    private void readReady() {
        if (lost) {
            return;
        }
        InetSocketAddress from;
        try {
            readBuffer.clear();
            from = (InetSocketAddress) channel.receive(readBuffer);
        } catch (PortUnreachableException e) {
            protocol.errorReceived(e);
            return;
        } catch (IOException e) {
            protocol.errorReceived(e);
            return;
        }
        if (from == null) {
            return;
        }
        byte[] data = new byte[readBuffer.flip().remaining()];
        readBuffer.get(data);
        try {
            protocol.datagramReceived(data, from);
        } catch (Throwable e) {
            loop.callExceptionHandler(new ErrorContext("Fatal error: protocol.datagramReceived()"
                    + " call failed (transport " + this + ")", e, null, null, null));
            forceClose(e);
        }
    }

    /**
     * Sends one datagram.
     *
     * @param data the payload (at most 65,507 bytes over IPv4)
     * @param address where to; null on an endpoint made with a remote address
     * @throws IllegalArgumentException if the endpoint is connected and {@code address} is
     *     another one, or neither gives a destination
     * @throws IllegalStateException after close
     */
    public void sendto(byte[] data, InetSocketAddress address) {
        TransportIo.checkThread(loop, "DatagramTransport.sendto()");
        if (closing) {
            throw new IllegalStateException("sendto() on a closing endpoint: " + this);
        }
        SocketAddress to = address;
        if (remote != null) {
            if (address != null && !address.equals(remote)) {
                throw new IllegalArgumentException("Invalid address: must be None or " + remote
                        + ", got " + address);
            }
            to = remote;
        } else if (address == null) {
            throw new IllegalArgumentException("no address: this endpoint has no remote address,"
                    + " so sendto() needs one");
        }
        if (to instanceof InetSocketAddress a && a.isUnresolved()) {
            // the JDK would throw UnresolvedAddressException, which says nothing
            throw new IllegalArgumentException("UDP.sendto(): address " + a + " requires a DNS"
                    + " lookup; sendto() does none: resolve it first (loop.getaddrinfo())");
        }
        if (lost) {
            return;
        }
        if (queue.isEmpty()) {
            try {
                int n = remote != null ? channel.write(ByteBuffer.wrap(data))
                        : channel.send(ByteBuffer.wrap(data), to);
                if (n > 0 || data.length == 0) {
                    return;
                }
            } catch (PortUnreachableException e) {
                protocol.errorReceived(e);
                return;
            } catch (IOException e) {
                protocol.errorReceived(e);
                return;
            }
            TransportIo.addWriter(loop, channel, this::writeReady, protocolContext);
        }
        queue.addLast(new Object[] {data.clone(), to});
        buffered += data.length;
        flow.afterGrow(buffered);
    }

    /**
     * Sends to the endpoint's remote address.
     *
     * @param data the payload
     */
    public void send(byte[] data) {
        TransportIo.checkThread(loop, "DatagramTransport.send()");
        sendto(data, null);
    }

    private void writeReady() {
        while (!queue.isEmpty()) {
            Object[] next = queue.peekFirst();
            byte[] data = (byte[]) next[0];
            try {
                int n = remote != null ? channel.write(ByteBuffer.wrap(data))
                        : channel.send(ByteBuffer.wrap(data), (SocketAddress) next[1]);
                if (n == 0 && data.length > 0) {
                    return; // still full
                }
            } catch (IOException e) {
                protocol.errorReceived(e);
            }
            queue.pollFirst();
            buffered -= data.length;
        }
        flow.afterShrink(buffered);
        TransportIo.removeWriter(loop, channel);
        if (closing) {
            scheduleLost(null);
        }
    }

    /** Closes once the queued datagrams are sent. */
    public void close() {
        TransportIo.checkThread(loop, "DatagramTransport.close()");
        if (closing) {
            return;
        }
        closing = true;
        TransportIo.removeReader(loop, channel);
        if (queue.isEmpty()) {
            scheduleLost(null);
        }
    }

    /** Closes at once, dropping queued datagrams. */
    public void abort() {
        TransportIo.checkThread(loop, "DatagramTransport.abort()");
        forceClose(null);
    }

    private void forceClose(Throwable exc) {
        if (lost) {
            return;
        }
        queue.clear();
        buffered = 0;
        TransportIo.removeWriter(loop, channel);
        if (!closing) {
            closing = true;
            TransportIo.removeReader(loop, channel);
        }
        scheduleLost(exc);
    }

    private void scheduleLost(Throwable exc) {
        if (lost) {
            return;
        }
        lost = true;
        loop.callSoon(() -> {
            try {
                protocol.connectionLost(exc);
            } finally {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // a datagram socket has nothing left to flush
                }
                LoopResources.disown(loop, onLoopClose);
                TransportIo.release(loop, channel);
            }
        }, protocolContext);
    }

    /**
     * Whether the endpoint is closing or closed.
     *
     * @return true after close
     */
    public boolean isClosing() {
        return closing;
    }

    /**
     * Bytes queued, not yet sent.
     *
     * @return the size
     */
    public int getWriteBufferSize() {
        return buffered;
    }

    /**
     * {@code "sockname"}, {@code "peername"} (connected endpoints), {@code "socket"}.
     *
     * @param name the key
     * @return the value, or null
     */
    public Object getExtraInfo(String name) {
        try {
            return switch (name) {
                case "sockname" -> channel.getLocalAddress();
                case "peername" -> remote;
                case "socket" -> channel;
                default -> null;
            };
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "<DatagramTransport " + getExtraInfo("sockname") + (remote != null ? " -> "
                + remote : "") + (lost ? " closed" : closing ? " closing" : "") + ">";
    }
}
