package io.aiobridge.iter;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Something an {@code async for} can iterate ({@code __aiter__}). Also a plain {@link Iterable},
 * so Java's own for-each works inside a task: its {@code hasNext()} awaits the next item and may
 * suspend the task.
 *
 * <pre>{@code
 * for (String line : lines) {        // async for line in lines:
 *     process(line);
 * }
 * }</pre>
 *
 * <p>Java's for-each cannot tell an iterator that the loop ended early ({@code break}, an
 * exception, a cancellation). Where that matters, use try-with-resources: {@code try (var it =
 * AsyncIterables.iterate(lines)) { for (String l : it) ... }} closes the iterator (an async
 * generator runs its {@code finally}); an {@link AsyncGenerator} is itself {@link AutoCloseable}.
 *
 * @param <T> the item type
 */
public interface AsyncIterable<T> extends Iterable<T> {
    /**
     * A new iterator over this ({@code __aiter__}).
     *
     * @return the iterator
     */
    AsyncIterator<T> aiter();

    /**
     * A Java iterator for for-each inside a task: {@code hasNext()} awaits the next item.
     *
     * @return the iterator
     * @throws IllegalStateException (from hasNext) outside a task
     */
    @Override
    default Iterator<T> iterator() {
        return new Awaiting<>(aiter());
    }

    /** Adapts an async iterator to {@link Iterator}: hasNext() awaits and keeps the item. */
    final class Awaiting<T> implements Iterator<T> {
        private final AsyncIterator<T> it;
        private T next;
        private byte state; // 0: unknown, 1: item ready, 2: ended

        Awaiting(AsyncIterator<T> it) {
            this.it = it;
        }

        @Override
        public boolean hasNext() {
            if (state == 0) {
                // async iteration belongs in a task, even over a source that never suspends
                io.aiobridge.internal.RuntimeAccess.get().currentTask("async iteration");
                try {
                    next = it.anext().await();
                    state = 1;
                } catch (StopAsyncIteration e) {
                    state = 2;
                }
            }
            return state == 1;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException("async iteration ended");
            }
            T item = next;
            next = null;
            state = 0;
            return item;
        }
    }
}
