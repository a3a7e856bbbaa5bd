package io.aiobridge;

/**
 * Something a task can wait for: futures, tasks, and the adapters' wrappers of reactive types.
 *
 * @param <T> the result type
 */
public interface Awaitable<T> {
    /**
     * Suspends the current task until this is done and returns its result, as {@code await x}.
     *
     * <p>Returns at once, without suspending, when this is already done. Rethrows the failure
     * itself when it is unchecked (the same object, as Python re-raises it); a checked exception is
     * wrapped in a {@link java.util.concurrent.CompletionException}.
     *
     * @return the result
     * @throws CancelledError if this was cancelled, or the awaiting task is cancelled meanwhile
     * @throws IllegalStateException if called outside a task of a running loop
     */
    T await();
}
