package io.aiobridge;

/**
 * A callback scheduled on an event loop, as returned by {@link EventLoop#callSoon}: the counterpart
 * of {@code asyncio.Handle}.
 *
 * <p><b>Threading:</b> {@link #cancel()} and {@link #isCancelled()} may be called from any thread;
 * a cancel that happens-before the loop reaches the callback keeps it from running. A handle
 * from {@link EventLoop#callSoonThreadsafe} goes further, as 3.13's: a {@code cancel()} or {@code
 * isCancelled()} from another thread while its callback runs waits until the callback has
 * finished, so once {@code cancel()} returns the callback is either done or will never run.
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
        if (cancelled && !loop.getDebug()) {
            return "<Handle cancelled>"; // as asyncio, which forgets the callback then
        }
        return "<Handle " + (cancelled ? "cancelled " : "") + describe() + ">";
    }
}
