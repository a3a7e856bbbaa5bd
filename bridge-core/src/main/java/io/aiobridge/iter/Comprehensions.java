package io.aiobridge.iter;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.StopAsyncIteration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Async comprehensions ({@code [f(x) async for x in it if p(x)]}), {@code anext} with a default,
 * and an iteration that try-with-resources closes. The itertools-style operators are in {@link
 * Itertools} and {@link Concurrent}.
 *
 * <p><b>Threading:</b> everything here awaits, so it runs in a task.
 */
public final class Comprehensions {
    private Comprehensions() {}

    /**
     * All items, as {@code [x async for x in it]}. Closes the iterator if the iteration fails.
     *
     * @param iterable the source
     * @param <T> the item type
     * @return a new list
     */
    public static <T> List<T> toList(AsyncIterable<T> iterable) {
        Objects.requireNonNull(iterable, "iterable is null");
        return toList(iterable, x -> true, Function.identity());
    }

    /**
     * Mapped items that pass {@code filter}, as {@code [map(x) async for x in it if filter(x)]}.
     *
     * @param iterable the source
     * @param filter which items to keep
     * @param map how to transform them
     * @param <T> the item type
     * @param <R> the result type
     * @return a new list
     */
    public static <T, R> List<R> toList(AsyncIterable<T> iterable, Predicate<? super T> filter,
            Function<? super T, ? extends R> map) {
        Objects.requireNonNull(iterable, "iterable is null");
        Objects.requireNonNull(filter, "filter is null");
        Objects.requireNonNull(map, "map is null");
        Aio.currentTask("toList()");
        List<R> out = new ArrayList<>();
        AsyncIterator<T> it = iterable.aiter();
        boolean completed = false;
        try {
            for (;;) {
                T x;
                try {
                    x = it.anext().await();
                } catch (StopAsyncIteration end) {
                    completed = true;
                    return out;
                }
                if (filter.test(x)) {
                    out.add(map.apply(x));
                }
            }
        } finally {
            if (!completed) {
                it.aclose();
            }
        }
    }

    /**
     * The next item, or {@code defaultValue} at the end: {@code await anext(it, default)}.
     *
     * @param it the iterator
     * @param defaultValue what to return at the end
     * @param <T> the item type
     * @return the item or the default
     */
    public static <T> T anext(AsyncIterator<? extends T> it, T defaultValue) {
        Objects.requireNonNull(it, "iterator is null");
        try {
            return it.anext().await();
        } catch (StopAsyncIteration end) {
            return defaultValue;
        }
    }

    /**
     * The next item: {@code await anext(it)}.
     *
     * @param it the iterator
     * @param <T> the item type
     * @return the item
     * @throws StopAsyncIteration at the end
     */
    public static <T> T anext(AsyncIterator<T> it) {
        Objects.requireNonNull(it, "iterator is null");
        return it.anext().await();
    }

    /**
     * An iteration that try-with-resources closes, so an early {@code break}, an exception or a
     * cancellation closes the source (an async generator runs its {@code finally}):
     *
     * <pre>{@code
     * try (var items = Comprehensions.closing(source)) {
     *     for (String item : items) {
     *         if (done(item)) break;
     *     }
     * }
     * }</pre>
     *
     * @param iterable the source
     * @param <T> the item type
     * @return a one-shot iterable over one iterator of the source
     */
    public static <T> Closing<T> closing(AsyncIterable<T> iterable) {
        Objects.requireNonNull(iterable, "iterable is null");
        return new Closing<>(iterable.aiter());
    }

    /**
     * One iterator of a source, as an iterable that closes it.
     *
     * @param <T> the item type
     */
    public static final class Closing<T> implements AsyncIterable<T>, AutoCloseable {
        private final AsyncIterator<T> it;

        Closing(AsyncIterator<T> it) {
            this.it = it;
        }

        @Override
        public AsyncIterator<T> aiter() {
            return it;
        }

        /** Closes the source iterator. */
        @Override
        public void close() {
            it.aclose();
        }
    }
}
