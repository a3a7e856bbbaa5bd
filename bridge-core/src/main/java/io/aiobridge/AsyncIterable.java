package io.aiobridge;

import java.util.Iterator;
import java.util.Objects;
import java.util.function.Consumer;

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

    /**
     * Runs {@code action} on each item in turn, in the task, and closes the iterator before an
     * exception leaves: what kotlinx's {@code collect} does, and {@code async for} inside {@code
     * async with aclosing(...)}. So when {@code action} throws (or the task is cancelled while
     * it waits), the subscription behind a publisher is cancelled, or an async generator's
     * {@code finally} has run, before the caller's {@code catch} sees the exception; a plain
     * for-each leaves that to the end of the task, or to the collector once it finds the
     * for-each's iterator dropped.
     *
     * @param action what to do with each item; it may await
     * @throws IllegalStateException outside a task
     */
    @Override
    default void forEach(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action is null");
        AsyncIterator<T> it = aiter();
        for (;;) {
            T item;
            try {
                item = it.anext().await();
            } catch (StopAsyncIteration end) {
                return;
            } catch (Throwable failed) {
                closeAfter(it, failed);
                throw failed; // as itself, checked or not
            }
            try {
                action.accept(item);
            } catch (Throwable failed) {
                closeAfter(it, failed);
                throw failed;
            }
        }
    }

    /** Closes {@code it} after {@code failed}; a failure of the close is added to it. */
    private static void closeAfter(AsyncIterator<?> it, Throwable failed) {
        try {
            it.aclose();
        } catch (Throwable alsoFailed) {
            failed.addSuppressed(alsoFailed);
        }
    }
}
