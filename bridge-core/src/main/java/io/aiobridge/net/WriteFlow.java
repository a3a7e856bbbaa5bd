package io.aiobridge.net;

import io.aiobridge.Context;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.TransportIo;

/**
 * A transport's write flow control, as asyncio's {@code _FlowControlMixin}: pauses the protocol
 * when the buffer grows over the high-water mark and resumes it at the low-water mark.
 */
final class WriteFlow {
    static final int DEFAULT_HIGH = 64 * 1024;

    private Protocol protocol;
    private final EventLoop loop;
    private final Object transport;
    /** The protocol's context: a write from elsewhere pauses the protocol in its own. */
    private final Context context;
    private int high = DEFAULT_HIGH;
    private int low = DEFAULT_HIGH / 4;
    private boolean paused;

    WriteFlow(Protocol protocol, EventLoop loop, Object transport, Context context) {
        this.protocol = protocol;
        this.loop = loop;
        this.transport = transport;
        this.context = context;
    }

    void setProtocol(Protocol protocol) {
        this.protocol = protocol;
    }

    void setLimits(Integer high, Integer low) {
        int h = high != null ? high : (low != null ? 4 * low : DEFAULT_HIGH);
        int l = low != null ? low : h / 4;
        if (!(h >= l && l >= 0)) {
            throw new IllegalArgumentException("high (" + h + ") must be >= low (" + l + ") must"
                    + " be >= 0");
        }
        this.high = h;
        this.low = l;
    }

    /** The marks, as {@code get_write_buffer_limits()}. */
    WriteBufferLimits limits() {
        return new WriteBufferLimits(low, high);
    }

    /** Whether the protocol was told to pause writing and not yet to resume. */
    boolean paused() {
        return paused;
    }

    void afterGrow(int size) {
        if (size > high && !paused) {
            paused = true;
            try {
                TransportIo.runIn(context, protocol::pauseWriting);
            } catch (Throwable e) {
                loop.callExceptionHandler(new ErrorContext("protocol.pauseWriting() failed"
                        + " (transport " + transport + ")", e, null, null, null));
            }
        }
    }

    void afterShrink(int size) {
        if (paused && size <= low) {
            paused = false;
            try {
                TransportIo.runIn(context, protocol::resumeWriting);
            } catch (Throwable e) {
                loop.callExceptionHandler(new ErrorContext("protocol.resumeWriting() failed"
                        + " (transport " + transport + ")", e, null, null, null));
            }
        }
    }
}
