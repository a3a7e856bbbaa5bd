package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import java.lang.ref.Reference;

/**
 * What {@code aiter()} of a publisher's async iterable returns: the handle the iterating code
 * holds, apart from the subscriber that the publisher holds. The subscriber stays reachable
 * from the upstream for as long as it is subscribed, so it can never tell that the code let go
 * of it; this handle can. Once the collector finds it dropped while the iteration is still open
 * (left by {@code break}, or taken with {@code aiter()} and never closed), the iteration is
 * closed on its loop, as asyncio's finalizer hook closes a dropped async generator, instead of
 * at the end of the task that started it. A for-each's iterator holds the handle, so it covers
 * for-each too.
 *
 * <p>{@code anext()} returns the handle itself, so an item costs no allocation here, and an
 * await in progress keeps the handle reachable: an iteration is never closed under a task that
 * awaits its next item.
 *
 * @param <T> the item type
 */
final class Iteration<T> implements AsyncIterator<T>, Awaitable<T> {
    private final TaskOwned<T> core;
    /** Whether the collector watches this handle yet; set by the first item. Loop-confined. */
    private boolean watched;

    Iteration(TaskOwned<T> core) {
        this.core = core;
    }

    @Override
    public Awaitable<T> anext() {
        return this;
    }

    /** The next item: the iteration's own {@code anext}, awaited. */
    @Override
    public T await() {
        try {
            T item = core.next(); // checks the task, and makes its loop the iteration's
            if (!watched) {
                // after a first item only: the iteration is open, and owned by this task's loop
                watched = true;
                core.closeWhenDropped(this, Aio.currentTask().getLoop());
            }
            return item;
        } finally {
            Reference.reachabilityFence(this); // not collected while it awaits
        }
    }

    @Override
    public void aclose() {
        core.aclose();
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
