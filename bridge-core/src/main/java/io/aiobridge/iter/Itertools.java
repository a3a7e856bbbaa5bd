package io.aiobridge.iter;

import static io.aiobridge.iter.Op.await;
import static io.aiobridge.iter.Op.lazy;

import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.internal.Args;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * itertools for async iterables, as the aitertools and asyncstdlib libraries offer them: pure
 * operators, which only await their upstreams (the ones that run tasks or use the loop's clock
 * are in {@link Concurrent}).
 *
 * <p>Every operator is lazy: nothing happens until its result is iterated, and each {@code
 * aiter()} builds a fresh pipeline over fresh upstream iterators. Every operator closes its
 * upstream iterators ({@link AsyncIterator#aclose()}: an async generator runs its {@code
 * finally}) when it stops early by itself (islice, takeWhile, zip) and when its consumer closes it
 * (try-with-resources around the iteration, see {@link Comprehensions#closing}).
 *
 * <p><b>Threading:</b> iterate in tasks of one loop.
 */
public final class Itertools {
    private Itertools() {}

    // ---- sources -------------------------------------------------------------------------------

    /**
     * The items of a plain iterable.
     *
     * @param items the items
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> fromIterable(Iterable<? extends T> items) {
        Objects.requireNonNull(items, "items is null");
        return lazy(() -> new Op<>() {
            private final Iterator<? extends T> it = items.iterator();

            @Override
            T next() {
                if (!it.hasNext()) {
                    throw new StopAsyncIteration();
                }
                return it.next();
            }
        });
    }

    /**
     * start, start + step, start + 2 step, ... forever ({@code itertools.count}).
     *
     * @param start the first value
     * @param step the increment
     * @return an endless async iterable
     */
    public static AsyncIterable<Long> count(long start, long step) {
        return lazy(() -> new Op<>() {
            private long n = start;

            @Override
            Long next() {
                long v = n;
                n += step;
                return v;
            }
        });
    }

    /**
     * {@code value} {@code times} times ({@code times < 0}: forever).
     *
     * @param value the value
     * @param times how often, or negative for forever
     * @param <T> the value type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> repeat(T value, long times) {
        return lazy(() -> new Op<>() {
            private long left = times;

            @Override
            T next() {
                if (left == 0) {
                    throw new StopAsyncIteration();
                }
                if (left > 0) {
                    left--;
                }
                return value;
            }
        });
    }

    /**
     * The items of {@code source}, then the same items again, forever ({@code itertools.cycle}:
     * the first pass is remembered).
     *
     * @param source the source
     * @param <T> the item type
     * @return an endless async iterable (empty if the source is)
     */
    public static <T> AsyncIterable<T> cycle(AsyncIterable<T> source) {
        Objects.requireNonNull(source, "source is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private final List<T> saved = new ArrayList<>();
            private boolean replaying;
            private int pos;

            @Override
            T next() {
                if (!replaying) {
                    try {
                        T v = await(up);
                        saved.add(v);
                        return v;
                    } catch (StopAsyncIteration end) {
                        replaying = true;
                    }
                }
                if (saved.isEmpty()) {
                    throw new StopAsyncIteration();
                }
                T v = saved.get(pos);
                pos = (pos + 1) % saved.size();
                return v;
            }
        });
    }

    // ---- one-to-one ----------------------------------------------------------------------------

    /**
     * Each item transformed.
     *
     * @param source the source
     * @param fn the transformation (may await)
     * @param <T> the item type
     * @param <R> the result type
     * @return an async iterable
     */
    public static <T, R> AsyncIterable<R> map(AsyncIterable<T> source,
            Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(fn, "fn is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());

            @Override
            R next() {
                return fn.apply(await(up));
            }
        });
    }

    /**
     * {@code fn(a, b)} for each pair ({@code itertools.starmap} over pairs, e.g. from {@link
     * #zip}).
     *
     * @param source pairs
     * @param fn the function
     * @param <A> the first type
     * @param <B> the second type
     * @param <R> the result type
     * @return an async iterable
     */
    public static <A, B, R> AsyncIterable<R> starMap(
            AsyncIterable<? extends Map.Entry<A, B>> source,
            BiFunction<? super A, ? super B, ? extends R> fn) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(fn, "fn is null");
        return map(source, e -> fn.apply(e.getKey(), e.getValue()));
    }

    /**
     * An item with its position ({@link #enumerate}).
     *
     * @param index the position
     * @param value the item
     * @param <T> the item type
     */
    public record Indexed<T>(long index, T value) {}

    /**
     * Items with their positions, counting from {@code start}.
     *
     * @param source the source
     * @param start the first index
     * @param <T> the item type
     * @return an async iterable of (index, item)
     */
    public static <T> AsyncIterable<Indexed<T>> enumerate(AsyncIterable<T> source, long start) {
        Objects.requireNonNull(source, "source is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private long i = start;

            @Override
            Indexed<T> next() {
                T v = await(up);
                return new Indexed<>(i++, v);
            }
        });
    }

    /**
     * Running totals ({@code itertools.accumulate}): the first item, then fn(total, item) ...
     *
     * @param source the source
     * @param fn how to combine
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> accumulate(AsyncIterable<T> source, BinaryOperator<T> fn) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(fn, "fn is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private boolean started;
            private T total;

            @Override
            T next() {
                T v = await(up);
                total = started ? fn.apply(total, v) : v;
                started = true;
                return total;
            }
        });
    }

    // ---- filtering -----------------------------------------------------------------------------

    /**
     * The items that pass {@code predicate}.
     *
     * @param source the source
     * @param predicate the test
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> filter(AsyncIterable<T> source,
            Predicate<? super T> predicate) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(predicate, "predicate is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());

            @Override
            T next() {
                for (;;) {
                    T v = await(up);
                    if (predicate.test(v)) {
                        return v;
                    }
                }
            }
        });
    }

    /**
     * The items that fail {@code predicate} ({@code itertools.filterfalse}).
     *
     * @param source the source
     * @param predicate the test
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> filterFalse(AsyncIterable<T> source,
            Predicate<? super T> predicate) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(predicate, "predicate is null");
        return filter(source, predicate.negate());
    }

    /**
     * Items while {@code predicate} holds; the first failing item ends it (and closes upstream).
     *
     * @param source the source
     * @param predicate the test
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> takeWhile(AsyncIterable<T> source,
            Predicate<? super T> predicate) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(predicate, "predicate is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());

            @Override
            T next() {
                T v = await(up);
                if (!predicate.test(v)) {
                    throw stopEarly();
                }
                return v;
            }
        });
    }

    /**
     * Items from the first that fails {@code predicate} on.
     *
     * @param source the source
     * @param predicate the test
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> dropWhile(AsyncIterable<T> source,
            Predicate<? super T> predicate) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(predicate, "predicate is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private boolean dropping = true;

            @Override
            T next() {
                for (;;) {
                    T v = await(up);
                    if (dropping && predicate.test(v)) {
                        continue;
                    }
                    dropping = false;
                    return v;
                }
            }
        });
    }

    /**
     * Items whose selector is true, pairing items and selectors in order ({@code
     * itertools.compress}); ends with the shorter of the two.
     *
     * @param data the items
     * @param selectors the selectors
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> compress(AsyncIterable<T> data,
            AsyncIterable<Boolean> selectors) {
        Objects.requireNonNull(data, "data is null");
        Objects.requireNonNull(selectors, "selectors is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> d = upstream(data.aiter());
            private final AsyncIterator<Boolean> s = upstream(selectors.aiter());

            @Override
            T next() {
                for (;;) {
                    T v = await(d);
                    if (Boolean.TRUE.equals(await(s))) {
                        return v;
                    }
                }
            }
        });
    }

    /**
     * Items {@code start}, {@code start + step}, ... before {@code stop} ({@code itertools.islice});
     * closes upstream as soon as {@code stop} is reached.
     *
     * @param source the source
     * @param start the first index taken, at least 0
     * @param stop the index to stop at, or negative for none
     * @param step the stride, at least 1
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> islice(AsyncIterable<T> source, long start, long stop,
            long step) {
        Objects.requireNonNull(source, "source is null");
        if (start < 0 || step < 1) {
            throw new IllegalArgumentException("islice needs start >= 0 and step >= 1, got start="
                    + start + " step=" + step);
        }
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private long index;
            private long nextWanted = start;

            @Override
            T next() {
                for (;;) {
                    if (stop >= 0 && nextWanted >= stop) {
                        throw stopEarly();
                    }
                    T v = await(up);
                    long i = index++;
                    if (i == nextWanted) {
                        nextWanted += step;
                        return v;
                    }
                }
            }
        });
    }

    /**
     * The first {@code n} items ({@code islice(source, n)}).
     *
     * @param source the source
     * @param n how many, or negative for all (Python's {@code None})
     * @param <T> the item type
     * @return an async iterable
     */
    public static <T> AsyncIterable<T> islice(AsyncIterable<T> source, long n) {
        Objects.requireNonNull(source, "source is null");
        return islice(source, 0, n, 1);
    }

    // ---- combining -----------------------------------------------------------------------------

    /**
     * The items of each source in turn ({@code itertools.chain}).
     *
     * @param sources the sources
     * @param <T> the item type
     * @return an async iterable
     */
    @SafeVarargs
    public static <T> AsyncIterable<T> chain(AsyncIterable<? extends T>... sources) {
        List<AsyncIterable<? extends T>> list = Args.nonNullElements(sources, "sources");
        return lazy(() -> new Op<>() {
            private int i;
            private AsyncIterator<? extends T> cur;

            @Override
            T next() {
                for (;;) {
                    if (cur == null) {
                        if (i >= list.size()) {
                            throw new StopAsyncIteration();
                        }
                        cur = upstream(list.get(i++).aiter());
                    }
                    try {
                        return cur.anext().await();
                    } catch (StopAsyncIteration end) {
                        cur = null;
                    }
                }
            }
        });
    }

    /**
     * Pairs of items from two sources, until the shorter ends (then both are closed).
     *
     * @param a the first source
     * @param b the second source
     * @param <A> the first type
     * @param <B> the second type
     * @return pairs
     */
    public static <A, B> AsyncIterable<Map.Entry<A, B>> zip(AsyncIterable<A> a,
            AsyncIterable<B> b) {
        Objects.requireNonNull(a, "a is null");
        Objects.requireNonNull(b, "b is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<A> ia = upstream(a.aiter());
            private final AsyncIterator<B> ib = upstream(b.aiter());

            @Override
            Map.Entry<A, B> next() {
                A x;
                B y;
                try {
                    x = await(ia);
                    y = await(ib);
                } catch (StopAsyncIteration end) {
                    throw stopEarly();
                }
                return new AbstractMap.SimpleImmutableEntry<>(x, y);
            }
        });
    }

    /**
     * Pairs until the longer source ends, the shorter one's missing side filled with {@code fill}
     * ({@code itertools.zip_longest}).
     *
     * @param a the first source
     * @param b the second source
     * @param fill the fill value
     * @param <T> the item type
     * @return pairs (entries may hold nulls if fill is null)
     */
    public static <T> AsyncIterable<List<T>> zipLongest(AsyncIterable<? extends T> a,
            AsyncIterable<? extends T> b, T fill) {
        Objects.requireNonNull(a, "a is null");
        Objects.requireNonNull(b, "b is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<? extends T> ia = upstream(a.aiter());
            private final AsyncIterator<? extends T> ib = upstream(b.aiter());
            private boolean aDone;
            private boolean bDone;

            @Override
            List<T> next() {
                T x = fill;
                T y = fill;
                if (!aDone) {
                    try {
                        x = ia.anext().await();
                    } catch (StopAsyncIteration end) {
                        aDone = true;
                    }
                }
                if (!bDone) {
                    try {
                        y = ib.anext().await();
                    } catch (StopAsyncIteration end) {
                        bDone = true;
                    }
                }
                if (aDone && bDone) {
                    throw new StopAsyncIteration();
                }
                List<T> pair = new ArrayList<>(2);
                pair.add(x);
                pair.add(y);
                return pair;
            }
        });
    }

    /**
     * Lists of up to {@code size} consecutive items (the last may be shorter).
     *
     * @param source the source
     * @param size the batch size, at least 1
     * @param <T> the item type
     * @return an async iterable of lists
     */
    public static <T> AsyncIterable<List<T>> batch(AsyncIterable<T> source, int size) {
        Objects.requireNonNull(source, "source is null");
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        }
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private boolean ended;

            @Override
            List<T> next() {
                if (ended) {
                    throw new StopAsyncIteration();
                }
                List<T> out = new ArrayList<>(size);
                while (out.size() < size) {
                    try {
                        out.add(await(up));
                    } catch (StopAsyncIteration end) {
                        ended = true;
                        break;
                    }
                }
                if (out.isEmpty()) {
                    throw new StopAsyncIteration();
                }
                return out;
            }
        });
    }

    /**
     * A run of consecutive items with the same key ({@link #groupBy}).
     *
     * @param key the key
     * @param items the run's items
     * @param <K> the key type
     * @param <T> the item type
     */
    public record Group<K, T>(K key, List<T> items) {}

    /**
     * Runs of consecutive items with equal keys ({@code itertools.groupby}); each run is gathered
     * into a list, so it stays valid after the next one is read.
     *
     * @param source the source
     * @param key the key function
     * @param <T> the item type
     * @param <K> the key type
     * @return an async iterable of groups
     */
    public static <T, K> AsyncIterable<Group<K, T>> groupBy(AsyncIterable<T> source,
            Function<? super T, ? extends K> key) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(key, "key is null");
        return lazy(() -> new Op<>() {
            private final AsyncIterator<T> up = upstream(source.aiter());
            private boolean havePending;
            private T pending;
            private boolean ended;

            @Override
            Group<K, T> next() {
                if (!havePending) {
                    if (ended) {
                        throw new StopAsyncIteration();
                    }
                    pending = await(up);
                    havePending = true;
                }
                K k = key.apply(pending);
                List<T> run = new ArrayList<>();
                run.add(pending);
                havePending = false;
                for (;;) {
                    T v;
                    try {
                        v = await(up);
                    } catch (StopAsyncIteration end) {
                        ended = true;
                        break;
                    }
                    if (Objects.equals(key.apply(v), k)) {
                        run.add(v);
                    } else {
                        pending = v;
                        havePending = true;
                        break;
                    }
                }
                return new Group<>(k, run);
            }
        });
    }

    /**
     * {@code n} independent iterables over one iteration of {@code source} ({@code
     * itertools.tee}): items are buffered until every copy has read them. The source is closed
     * when every copy has been closed or has ended.
     *
     * @param source the source
     * @param n how many copies
     * @param <T> the item type
     * @return the copies (each may be iterated once)
     */
    public static <T> List<AsyncIterable<T>> tee(AsyncIterable<T> source, int n) {
        Objects.requireNonNull(source, "source is null");
        if (n < 1) {
            throw new IllegalArgumentException("tee needs n >= 1, got " + n);
        }
        Tee<T> shared = new Tee<>(source, n);
        List<AsyncIterable<T>> copies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            copies.add(() -> shared.copy(id));
        }
        return copies;
    }

    private static final class Tee<T> {
        private final AsyncIterable<T> source;
        private AsyncIterator<T> up;
        private final List<ArrayDeque<T>> buffers = new ArrayList<>();
        private final boolean[] done;
        private int open;
        private boolean ended;

        Tee(AsyncIterable<T> source, int n) {
            this.source = source;
            this.done = new boolean[n];
            this.open = n;
            for (int i = 0; i < n; i++) {
                buffers.add(new ArrayDeque<>());
            }
        }

        AsyncIterator<T> copy(int id) {
            return new AsyncIterator<>() {
                @Override
                public Awaitable<T> anext() {
                    return () -> {
                        if (done[id]) {
                            throw new StopAsyncIteration();
                        }
                        ArrayDeque<T> mine = buffers.get(id);
                        if (mine.isEmpty()) {
                            if (ended) {
                                finish(id);
                                throw new StopAsyncIteration();
                            }
                            if (up == null) {
                                up = source.aiter();
                            }
                            T v;
                            try {
                                v = up.anext().await();
                            } catch (StopAsyncIteration end) {
                                ended = true;
                                finish(id);
                                throw end;
                            }
                            for (int i = 0; i < buffers.size(); i++) {
                                if (!done[i]) {
                                    buffers.get(i).addLast(v);
                                }
                            }
                        }
                        return mine.pollFirst();
                    };
                }

                @Override
                public void aclose() {
                    finish(id);
                }
            };
        }

        private void finish(int id) {
            if (done[id]) {
                return;
            }
            done[id] = true;
            buffers.get(id).clear();
            if (--open == 0 && up != null) {
                up.aclose();
            }
        }
    }
}
