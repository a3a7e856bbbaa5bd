package io.aiobridge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code asyncio.as_completed}: as many awaitables as inputs; each, when awaited, waits for the
 * next input to finish and returns its result (or raises its exception), so results come in
 * completion order. With a timeout, every await after the deadline raises {@link
 * AsyncTimeoutException}. The iterator form ({@link #futures}) hands out the finished futures
 * themselves, as 3.13's {@code async for}.
 */
final class AsCompleted<T> {
    private final BaseEventLoop loop;
    private final Set<AsyncFuture<? extends T>> todo;
    /** The limit, for the timeout's message. */
    private Double timeout;
    /** Finished futures not yet handed out; null entries are timeout markers. */
    private final ArrayDeque<Object> done = new ArrayDeque<>();
    private AsyncFuture<Void> getter;
    private TimerHandle timer;
    private final Consumer<AsyncFuture<?>> onCompletion = this::onCompletion;
    /** Items not yet handed out by the iterator form. */
    private int left;

    private static final Object TIMED_OUT = new Object();

    private AsCompleted(BaseEventLoop loop, Set<AsyncFuture<? extends T>> todo) {
        this.loop = loop;
        this.todo = todo;
    }

    static <T> List<Awaitable<T>> of(BaseEventLoop loop, List<? extends AsyncFuture<? extends T>> fs,
            Double timeout) {
        AsCompleted<T> ac = start(loop, fs, timeout);
        List<Awaitable<T>> out = new ArrayList<>(ac.left);
        for (int i = 0; i < ac.left; i++) {
            out.add(ac::next);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * asyncio 3.13's {@code async for f in as_completed(fs)}: the futures themselves, done, in
     * the order they finished; after the timeout each further step raises {@link
     * AsyncTimeoutException}; after the last, {@link StopAsyncIteration}. One iteration: a second
     * for-each over the same iterable goes on where the first stopped, as asyncio's does.
     */
    @SuppressWarnings("unchecked")
    static <F extends AsyncFuture<?>> AsyncIterable<F> futures(BaseEventLoop loop,
            Collection<? extends F> fs, Double timeout) {
        AsCompleted<Object> ac = start(loop, fs, timeout);
        AsyncIterator<F> it = () -> () -> {
            if (ac.left == 0) {
                throw new StopAsyncIteration();
            }
            ac.left--;
            return (F) ac.take();
        };
        return () -> it;
    }

    private static <T> AsCompleted<T> start(BaseEventLoop loop,
            Collection<? extends AsyncFuture<? extends T>> fs, Double timeout) {
        Set<AsyncFuture<? extends T>> todo = new LinkedHashSet<>();
        for (AsyncFuture<? extends T> f : fs) {
            Objects.requireNonNull(f, "futures contains null");
            if (f.loop != loop) {
                throw new IllegalArgumentException(Gather.DIFFERENT_LOOP + f
                        + " belongs to another loop than this task's");
            }
            todo.add(f);
        }
        AsCompleted<T> ac = new AsCompleted<>(loop, todo);
        ac.left = todo.size();
        for (AsyncFuture<? extends T> f : todo) {
            f.addDoneCallbackInternal(ac.onCompletion);
        }
        if (!todo.isEmpty() && timeout != null) {
            ac.timeout = timeout;
            ac.timer = loop.callLaterInternal(timeout, ac::onTimeout);
        }
        return ac;
    }

    private void onTimeout() {
        for (AsyncFuture<? extends T> f : todo) {
            f.removeDoneCallback(onCompletion);
            put(TIMED_OUT);
        }
        todo.clear();
    }

    private void onCompletion(AsyncFuture<?> f) {
        if (todo.isEmpty()) {
            return; // the timeout came first
        }
        todo.remove(f);
        put(f);
        if (todo.isEmpty() && timer != null) {
            timer.cancel();
        }
    }

    private void put(Object item) {
        done.addLast(item);
        AsyncFuture<Void> g = getter;
        if (g != null && !g.isDone()) {
            g.doSetResult(null);
        }
    }

    @SuppressWarnings("unchecked")
    private T next() {
        return ((AsyncFuture<T>) take()).result();
    }

    /** Waits for the next finished future and returns it; raises at the timeout. */
    private AsyncFuture<?> take() {
        Task<?> task = Task.currentOrThrow("await() of an asCompleted item");
        while (done.isEmpty()) {
            AsyncFuture<Void> g = new AsyncFuture<>(loop);
            getter = g;
            try {
                task.awaitFuture(g);
            } catch (CancelledError e) {
                g.cancel();
                throw e;
            }
        }
        Object item = done.pollFirst();
        if (item == TIMED_OUT) {
            throw new AsyncTimeoutException("asCompleted timed out: not every future was done"
                    + " " + timeout + " s after it began", null);
        }
        return (AsyncFuture<?>) item;
    }
}
