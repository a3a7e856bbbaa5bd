package io.aiobridge;

/**
 * A callback scheduled on an event loop, as returned by {@link EventLoop#callSoon}: the counterpart
 * of {@code asyncio.Handle}.
 *
 * <p><b>Threading:</b> {@link #cancel()} and {@link #isCancelled()} may be called from any thread;
 * a cancel that happens-before the loop reaches the callback keeps it from running.
 */
public class Handle {
    final Runnable callback;
    final Context context;
    final BaseEventLoop loop;
    private volatile boolean cancelled;

    Handle(BaseEventLoop loop, Runnable callback, Context context) {
        this.loop = loop;
        this.callback = callback;
        this.context = context;
    }

    /**
     * Keeps the callback from running. Does nothing if it already ran or was cancelled.
     */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return true if cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /** What the callback is, for messages. */
    String describe() {
        return callback.toString();
    }

    @Override
    public String toString() {
        return "<Handle " + (cancelled ? "cancelled " : "") + describe() + ">";
    }
}
