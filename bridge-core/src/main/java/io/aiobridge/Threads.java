package io.aiobridge;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/** Crossing between the loop and other threads: {@code to_thread} and {@code run_coroutine_threadsafe}. */
final class Threads {
    private Threads() {}

    static <T> T toThread(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn is null");
        Task<?> task = Task.currentOrThrow("toThread()");
        Context ctx = Context.copyCurrent();
        AsyncFuture<T> f = task.loop.runInExecutor(null, () -> ctx.call(fn));
        return task.awaitFuture(f);
    }

    static <T> CompletableFuture<T> runCoroutineThreadsafe(Coroutine<T> coro, EventLoop loop) {
        Objects.requireNonNull(coro, "coro is null");
        BaseEventLoop l = (BaseEventLoop) Objects.requireNonNull(loop, "loop is null");
        Object[] taskRef = new Object[1];
        CompletableFuture<T> cf = new CrossThreadFuture<>(l, () -> l.postFromOutside(() -> {
            if (taskRef[0] instanceof Task<?> t) {
                t.cancel();
            }
        }));
        l.callSoonThreadsafe(() -> {
            if (cf.isDone()) {
                return; // cancelled before it started
            }
            Task<T> task;
            try {
                task = l.createTask(coro);
            } catch (Throwable e) {
                cf.completeExceptionally(e);
                return;
            }
            taskRef[0] = task;
            task.addDoneCallbackInternal(t -> {
                if (t.isCancelled()) {
                    cf.completeExceptionally(new CancellationException(
                            t.cancelMessage() == null ? "task cancelled" : t.cancelMessage()));
                } else if (t.exception() != null) {
                    cf.completeExceptionally(t.exception());
                } else {
                    cf.complete(t.result());
                }
            });
        });
        return cf;
    }
}
