package io.aiobridge;

/**
 * An async iterator as a Java {@link java.util.Iterator}, for for-each inside a task: {@code
 * hasNext()} awaits the next item (and may suspend the task) and keeps it for {@code next()}.
 * It holds the async iterator, so an iteration that can be closed once its handle is dropped (a
 * publisher's) is closed once a for-each left by {@code break} drops this.
 */
final class AwaitingIterator<T> extends PullIterator<T> {
    private final AsyncIterator<T> it;

    AwaitingIterator(AsyncIterator<T> it) {
        this.it = it;
    }

    @Override
    T pull() {
        // async iteration belongs in a task, even over a source that never suspends
        Task.currentOrThrow("async iteration");
        return it.anext().await();
    }
}
