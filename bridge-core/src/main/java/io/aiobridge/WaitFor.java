package io.aiobridge;

import java.util.function.Consumer;

/**
 * {@code asyncio.wait_for} (Python 3.11 semantics, which the parity outputs were recorded with): on
 * timeout the awaited future is cancelled and waited for, so it is no longer running when this
 * raises {@link AsyncTimeoutException}; a timeout of zero or less cancels at once. When the
 * waiting task is cancelled in the same turn as the future completes, 3.11 loses the cancel
 * (GH-86296) and 3.12 the result; here the result is returned and the cancel delivered at the
 * task's next await.
 */
final class WaitFor {
    private WaitFor() {}

    static <T> T await(AsyncFuture<T> fut, Double timeout) {
        Task<?> task = Task.currentOrThrow("waitFor()");
        if (fut.loop != task.loop) {
            // as asyncio's ensure_future: rejected up front; awaiting it from this loop would
            // wait for ever, and cancelling it on timeout would touch the other loop's state
            throw new IllegalArgumentException(Gather.DIFFERENT_LOOP + fut + " belongs to "
                    + fut.loop + ", not to this task's loop: await "
                    + "Aio.await(fut.toCompletableFuture()) to cross loops");
        }
        if (timeout == null) {
            return task.awaitFuture(fut);
        }
        BaseEventLoop loop = task.loop;
        if (timeout <= 0) {
            if (fut.isDone()) {
                return fut.result();
            }
            cancelAndWait(task, fut);
            return resultOrTimeout(fut, timeout);
        }
        AsyncFuture<Void> waiter = new AsyncFuture<>(loop);
        TimerHandle timer = loop.callLaterInternal(timeout, () -> Wait.release(waiter));
        Consumer<AsyncFuture<T>> onDone = f -> Wait.release(waiter);
        fut.addDoneCallbackInternal(onDone, waiter);
        try {
            try {
                task.awaitFuture(waiter);
            } catch (CancelledError e) {
                if (fut.isDone()) {
                    // fut completed in the same turn as the cancel. 3.11 returned its result and
                    // lost the cancel (GH-86296); 3.12 raises the cancel and loses the result
                    // (an item a queue's get() took, say). Neither is lost here: the result is
                    // returned and the same cancel request is delivered again at this task's
                    // next await, or when it ends (uncancel, then cancel, keeps the count).
                    task.uncancel();
                    task.cancel(e.getMessage());
                    return fut.result();
                }
                fut.removeDoneCallback(onDone);
                // the inner work must not run on after waitFor returns (bpo-32751)
                cancelAndWait(task, fut);
                throw e;
            }
            if (fut.isDone()) {
                return fut.result();
            }
            fut.removeDoneCallback(onDone);
            cancelAndWait(task, fut);
            return resultOrTimeout(fut, timeout);
        } finally {
            timer.cancel();
        }
    }

    private static <T> T resultOrTimeout(AsyncFuture<T> fut, double timeout) {
        try {
            return fut.result();
        } catch (CancelledError e) {
            throw new AsyncTimeoutException("waitFor timed out after " + timeout + " s", e);
        }
    }

    private static void cancelAndWait(Task<?> task, AsyncFuture<?> fut) {
        AsyncFuture<Void> waiter = new AsyncFuture<>(task.loop);
        Consumer<AsyncFuture<?>> onDone = f -> Wait.release(waiter);
        fut.addDoneCallbackInternal(onDone, waiter);
        try {
            fut.cancel();
            task.awaitFuture(waiter);
        } finally {
            fut.removeDoneCallback(onDone);
        }
    }
}
