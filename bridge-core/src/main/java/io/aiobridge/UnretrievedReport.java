package io.aiobridge;

import java.lang.ref.Cleaner;

/**
 * Reports a failed future whose exception nobody retrieved: asyncio's "Future exception was
 * never retrieved". Registered only when a future fails, so successful futures pay nothing. It is
 * reported exactly once, whichever comes first: the future is garbage-collected, or its loop
 * closes (deterministic: every report still pending then is made, in failure order).
 *
 * <p>The cleaning action must not reach the future (that would keep it alive), so it holds only
 * the loop, the exception and a description taken when the failure was recorded.
 */
final class UnretrievedReport implements Runnable {
    private static final Cleaner CLEANER = Cleaner.create(
            Thread.ofPlatform().daemon().name("aiobridge-unretrieved")
                    .inheritInheritableThreadLocals(false).factory());

    private final BaseEventLoop loop;
    private final Throwable exception;
    /**
     * The failed task's context, for the handler to run in (gh-96704); null for a plain future.
     * It does not reach the task unless a context variable holds the task; then the report
     * waits for the loop's close.
     */
    private final Context context;
    private volatile String description;
    private volatile boolean retrieved;
    private Cleaner.Cleanable cleanable;

    private UnretrievedReport(BaseEventLoop loop, Throwable exception, Context context) {
        this.loop = loop;
        this.exception = exception;
        this.context = context;
    }

    static UnretrievedReport register(AsyncFuture<?> future, Throwable exception) {
        UnretrievedReport r = new UnretrievedReport(future.loop, exception,
                future instanceof Task<?> t ? t.getContext() : null);
        r.cleanable = CLEANER.register(future, r);
        future.loop.unretrievedAdded(r);
        return r;
    }

    /** The loop is closing: report now (once; the cleaner will not report it again). */
    void reportNow() {
        cleanable.clean();
    }

    /** Records how the failed future looked once done (it must not be reached later). */
    void describe(String text) {
        description = text;
    }

    /** The exception was seen: nothing to report; frees the cleaner's entry now. */
    void retrieved() {
        retrieved = true;
        loop.unretrievedRemoved(this);
        cleanable.clean();
    }

    @Override
    public void run() {
        if (retrieved) {
            return;
        }
        loop.unretrievedRemoved(this);
        boolean task = context != null;
        ErrorContext ctx = new ErrorContext(
                (task ? "Task" : "Future") + " exception was never retrieved", exception, null, null,
                (task ? "task: " : "future: ") + description);
        if (loop.isRunning() && loop.postFromOutside(() -> loop.callExceptionHandler(ctx,
                context))) {
            return;
        }
        loop.callExceptionHandler(ctx, context);
    }
}
