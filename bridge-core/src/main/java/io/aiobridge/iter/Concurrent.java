package io.aiobridge.iter;

import static io.aiobridge.iter.Itertools.fromIterable;
import static io.aiobridge.iter.Op.await;
import static io.aiobridge.iter.Op.lazy;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.internal.Args;
import io.aiobridge.Task;
import io.aiobridge.internal.Failures;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.queue.QueueShutDownException;
import io.aiobridge.sync.AsyncSemaphore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Operators over async iterables that run tasks of their own ({@link #merge}, {@link #flatMap}:
 * each source is iterated by a task, into a bounded queue) or cancel the consuming task on a
 * deadline ({@link #timeout}). Like {@link Itertools}, they are lazy and close their upstreams
 * when they end early or are closed; closing one also cancels its tasks.
 *
 * <p><b>Threading:</b> iterate in tasks of one loop.
 */
public final class Concurrent {
    private Concurrent() {}

    // ---- time ----------------------------------------------------------------------------------

    /**
     * The items of {@code source}, each of which must arrive within {@code seconds}; otherwise the
     * iteration raises {@link AsyncTimeoutException} and closes the source.
     *
     * @param source the source
     * @param seconds the longest wait per item
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> timeout(AsyncIterable<T> source, double seconds) {
        Objects.requireNonNull(source, "source is null");
        Args.seconds(seconds, "seconds");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());

            @Override
            T next() {
                try {
                    return Aio.timeout(seconds, () -> await(up));
                } catch (AsyncTimeoutException e) {
                    aclose();
                    throw e;
                }
            }
        });
    }

    // ---- concurrency ---------------------------------------------------------------------------

    /**
     * The items of all sources as they arrive, each source iterated by a task of its own
     * ({@code aiostream}'s merge). At most {@code buffer} items wait between the sources and the
     * consumer (each source waits while the buffer is full). Closing the result, or a failure of
     * any source, cancels the remaining source tasks, which closes their iterators.
     *
     * @param buffer the bound on items in flight, at least 1
     * @param sources the sources
     * @param <T> the item type
     * @return an async iterable
     */
    @SafeVarargs
    public static <T> AsyncIterable<T> merge(int buffer, AsyncIterable<? extends T>... sources) {
        List<AsyncIterable<? extends T>> list = Args.nonNullElements(sources, "sources");
        return flatMap(fromIterable(list), s -> s, list.size(), buffer);
    }

    /**
     * For each item, an iterable from {@code fn}, whose items are merged as they arrive, with at
     * most {@code concurrency} inner iterables running at once and at most {@code buffer} items
     * in flight. Failures end the result and cancel the rest.
     *
     * @param source the source
     * @param fn the item's inner iterable
     * @param concurrency how many inner iterables at once, at least 1
     * @param buffer the bound on items in flight, at least 1
     * @param <T> the item type
     * @param <R> the result type
     * @return an async iterable
     */
    public static <T, R> AsyncIterable<R> flatMap(AsyncIterable<T> source,
            Function<? super T, ? extends AsyncIterable<? extends R>> fn, int concurrency,
            int buffer) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(fn, "fn is null");
        if (concurrency < 1 || buffer < 1) {
            throw new IllegalArgumentException("flatMap needs concurrency >= 1 and buffer >= 1");
        }
        return lazy(() -> new FlatMap<>(source, fn, concurrency, buffer));
    }

    /** Tasks feed a bounded queue; the consumer reads it. */
    private static final class FlatMap<T, R> extends Op<R> {
        /** What the feeding tasks put into the queue: an item, a failure, or the end. */
        private record Signal(Object item, Throwable failure, boolean end) {}

        private final AsyncQueue<Signal> queue;
        private final List<Task<?>> tasks = new ArrayList<>();
        private final Task<Void> driver;

        FlatMap(AsyncIterable<T> source, Function<? super T, ? extends AsyncIterable<? extends R>> fn,
                int concurrency, int buffer) {
            this.queue = new AsyncQueue<>(buffer);
            AsyncSemaphore slots = new AsyncSemaphore(concurrency);
            driver = Aio.createTask(() -> {
                List<Task<Void>> inner = new ArrayList<>();
                try (var outer = Comprehensions.closing(source)) {
                    for (T item : outer) {
                        slots.acquire();
                        AsyncIterable<? extends R> sub = fn.apply(item);
                        Task<Void> t = Aio.createTask(() -> {
                            try (var it = Comprehensions.closing(sub)) {
                                for (R r : it) {
                                    queue.put(new Signal(r, null, false));
                                }
                            } finally {
                                slots.release();
                            }
                            return null;
                        });
                        inner.add(t);
                        tasks.add(t);
                    }
                    for (Task<Void> t : inner) {
                        t.await();
                    }
                    queue.put(new Signal(null, null, true));
                } catch (CancelledError e) {
                    throw e;
                } catch (Throwable e) {
                    queue.put(new Signal(null, e, false));
                }
                return null;
            });
            tasks.add(driver);
        }

        @Override
        @SuppressWarnings("unchecked")
        R next() {
            Signal s;
            try {
                s = queue.get();
            } catch (QueueShutDownException e) {
                throw new StopAsyncIteration();
            }
            if (s.end) {
                throw new StopAsyncIteration();
            }
            if (s.failure != null) {
                aclose();
                throw Failures.rethrowable(s.failure);
            }
            return (R) s.item;
        }

        @Override
        void onClose() {
            for (Task<?> t : tasks) {
                t.cancel();
            }
            queue.shutdown(true);
            for (Task<?> t : tasks) {
                try {
                    t.await();
                } catch (CancelledError | RuntimeException e) {
                    // cancelled on purpose; its own failure was already delivered
                }
            }
        }
    }
}
