package io.aiobridge;

import java.util.Iterator;

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
 * Comprehensions.closing(lines)) { for (String l : it) ... }} closes the iterator (an async
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
        return new AwaitingIterator<>(aiter());
    }
}
