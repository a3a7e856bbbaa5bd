package io.aiobridge;

/** {@code asyncio.sleep}. */
final class Sleep {
    private Sleep() {}

    static <T> T sleep(double delay, T result) {
        Times.check(delay, "delay");
        Task<?> task = Task.currentOrThrow("sleep()");
        if (delay <= 0) {
            // a bare suspension: every item ready now runs before this task goes on
            task.yieldNow();
            return result;
        }
        // as asyncio: a future set by a timer callback, so the wakeup takes the same two hops
        // (timer runs, then the task's step) and orders the same against other callbacks
        AsyncFuture<T> f = new AsyncFuture<>(task.loop);
        TimerHandle timer = task.loop.callLaterInternal(delay, () -> {
            if (!f.isDone()) {
                f.doSetResult(result);
            }
        });
        try {
            return task.awaitFuture(f);
        } finally {
            timer.cancel();
        }
    }
}
