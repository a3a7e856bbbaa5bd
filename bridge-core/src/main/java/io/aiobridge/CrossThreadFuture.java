package io.aiobridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The {@link CompletableFuture} a loop hands to other threads ({@code runCoroutineThreadsafe},
 * {@code EventLoopGroup.submit}, {@code toCompletableFuture}, a group's {@code shutdown()}).
 * Cancelling it reaches the loop's
 * side, and blocking on it where that would deadlock the loop fails at once, with the reason,
 * instead of hanging: from the loop's own code, and from a thread that carries a loop's tasks
 * (a Netty event loop under {@code EventLoop.newEventLoopOn}). Futures chained from it ({@code
 * thenApply} and the rest) check the same.
 */
final class CrossThreadFuture<T> extends CompletableFuture<T> {
    /** Throws if the calling thread must not wait for this future; given the call's name. */
    private final Consumer<String> mayBlock;
    /** Runs once when a cancel() succeeds; null for the chained futures. */
    private final Runnable onCancel;

    CrossThreadFuture(BaseEventLoop loop, Runnable onCancel) {
        this(what -> loop.checkMayBlock(what, "a pending CompletableFuture of " + loop), onCancel);
    }

    /**
     * A future whose blocking calls, while it is pending, first run {@code mayBlock}, which throws
     * where the wait could never end.
     */
    CrossThreadFuture(Consumer<String> mayBlock, Runnable onCancel) {
        this.mayBlock = mayBlock;
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
        return new CrossThreadFuture<>(mayBlock, null);
    }

    private void checkMayBlock(String what) {
        if (!isDone()) {
            mayBlock.accept(what);
        }
    }
}
