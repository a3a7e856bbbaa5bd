package io.aiobridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link CompletableFuture} a loop hands to other threads ({@code runCoroutineThreadsafe},
 * {@code EventLoopGroup.submit}, {@code toCompletableFuture}). Cancelling it reaches the loop's
 * side, and blocking on it where that would deadlock the loop fails at once, with the reason,
 * instead of hanging: from the loop's own code, and from a thread that carries a loop's tasks
 * (a Netty event loop under {@code EventLoop.newEventLoopOn}). Futures chained from it ({@code
 * thenApply} and the rest) check the same.
 */
final class CrossThreadFuture<T> extends CompletableFuture<T> {
    private final BaseEventLoop loop;
    /** Runs once when a cancel() succeeds; null for the chained futures. */
    private final Runnable onCancel;

    CrossThreadFuture(BaseEventLoop loop, Runnable onCancel) {
        this.loop = loop;
        this.onCancel = onCancel;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && onCancel != null) {
            onCancel.run();
        }
        return cancelled;
    }

    @Override
    public T join() {
        checkMayBlock("join()");
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        checkMayBlock("get()");
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        checkMayBlock("get(timeout)");
        return super.get(timeout, unit);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CrossThreadFuture<>(loop, null);
    }

    private void checkMayBlock(String what) {
        if (!isDone()) {
            loop.checkMayBlock(what, "a pending CompletableFuture of " + loop);
        }
    }
}
