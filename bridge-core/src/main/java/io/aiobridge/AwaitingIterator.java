package io.aiobridge;

import io.aiobridge.internal.Abandoned;

/**
 * An async iterator as a Java {@link java.util.Iterator}, for for-each inside a task: {@code
 * hasNext()} awaits the next item (and may suspend the task) and keeps it for {@code next()}.
 */
final class AwaitingIterator<T> extends PullIterator<T> {
    private final AsyncIterator<T> it;

    AwaitingIterator(AsyncIterator<T> it) {
        this.it = it;
        if (it instanceof Abandoned.Watchable w) {
            // a break leaves this iterator behind: once collected, the iteration is closed
            Task<?> t = Baton.taskOfCurrentThread();
            if (t != null) {
                w.closeWhenDropped(this, t.loop);
            }
        }
    }

    @Override
    T pull() {
        // async iteration belongs in a task, even over a source that never suspends
        Task.currentOrThrow("async iteration");
        return it.anext().await();
    }
}
