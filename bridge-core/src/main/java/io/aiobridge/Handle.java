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
    /** Where the handle was made, in debug mode (asyncio's {@code _source_traceback}). */
    private final StackTraceElement[] createdAt;

    Handle(BaseEventLoop loop, Runnable callback, Context context) {
        this.loop = loop;
        this.callback = callback;
        this.context = context;
        this.createdAt = loop != null && loop.getDebug() ? new Throwable().getStackTrace() : null;
    }

    /** The first frame outside the runtime where the handle was made (debug mode), or null. */
    String creationSite() {
        return Task.site(createdAt);
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

    /** What the callback is, for messages; in debug mode, where it was scheduled. */
    String describe() {
        String site = creationSite();
        return site == null ? callback.toString() : callback + " created at " + site;
    }

    @Override
    public String toString() {
        if (cancelled && !loop.getDebug()) {
            return "<Handle cancelled>"; // as asyncio, which forgets the callback then
        }
        return "<Handle " + (cancelled ? "cancelled " : "") + describe() + ">";
    }
}
