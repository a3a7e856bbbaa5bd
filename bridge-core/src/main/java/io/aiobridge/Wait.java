package io.aiobridge;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/** {@code asyncio.wait}: waits without raising; the caller inspects done and pending. */
final class Wait {
    private Wait() {}

    static <F extends AsyncFuture<?>> WaitResult<F> await(Collection<F> fs, ReturnWhen returnWhen,
            Double timeout) {
        Objects.requireNonNull(fs, "fs is null");
        Objects.requireNonNull(returnWhen, "returnWhen is null");
        Task<?> task = Task.currentOrThrow("wait()");
        if (fs.isEmpty()) {
            throw new IllegalArgumentException("Set of Tasks/Futures is empty.");
        }
        Set<F> set = new LinkedHashSet<>(fs);
        BaseEventLoop loop = task.loop;
        for (F f : set) {
            Objects.requireNonNull(f, "fs contains null");
            if (f.loop != loop) {
                throw new IllegalArgumentException(Gather.DIFFERENT_LOOP + f
                        + " belongs to another loop than this task's");
            }
        }
        AsyncFuture<Void> waiter = new AsyncFuture<>(loop);
        TimerHandle timer = timeout == null ? null
                : loop.callLaterInternal(timeout, () -> release(waiter));
        int[] counter = {set.size()};
        Consumer<AsyncFuture<?>> onCompletion = f -> {
            counter[0]--;
            if (counter[0] <= 0 || returnWhen == ReturnWhen.FIRST_COMPLETED
                    || (returnWhen == ReturnWhen.FIRST_EXCEPTION && !f.isCancelled()
                            && f.exception() != null)) {
                if (timer != null) {
                    timer.cancel();
                }
                release(waiter);
            }
        };
        for (F f : set) {
            f.addDoneCallbackInternal(onCompletion, waiter);
        }
        try {
            task.awaitFuture(waiter);
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            for (F f : set) {
                f.removeDoneCallback(onCompletion);
            }
        }
        Set<F> done = new LinkedHashSet<>();
        Set<F> pending = new LinkedHashSet<>();
        for (F f : set) {
            (f.isDone() ? done : pending).add(f);
        }
        return new WaitResult<>(done, pending);
    }

    static void release(AsyncFuture<Void> waiter) {
        if (!waiter.isDone()) {
            waiter.doSetResult(null);
        }
    }
}
