package io.aiobridge.flow;

import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.internal.Abandoned;

/**
 * An iteration that belongs to the task that started it: when that task's code ends, however it
 * ends, an iteration it left open is closed ({@link Task#addExitCallback}), before the task is
 * done. Java's for-each cannot tell an iterator that a loop was left by {@code break} or an
 * exception; the task's end is the latest moment the iteration can still be needed. Closing on
 * the cancel request instead would end an iteration whose body merely timed out ({@code
 * Aio.timeout} cancels the task). An iteration that ends by itself removes its callback. Once
 * the collector finds its handle ({@link Iteration}, which a for-each's iterator holds) dropped,
 * it is closed earlier ({@link Abandoned}). One task consumes it at a time. Loop-confined.
 *
 * @param <T> the item type
 */
abstract class TaskOwned<T> {
    private Task<?> owner;
    private final Runnable closeWithOwner = this::closedByOwner;
    /** The handle's phantom, while this is open. */
    private Abandoned.Ref dropped;
    /** The task suspended in {@link #next} until an item comes, or null. */
    private Task<?> awaiting;

    /** Makes {@code task} the owner, if there is none yet. */
    final void adopt(Task<?> task) {
        if (owner == null) {
            owner = task;
            task.addExitCallback(closeWithOwner);
        }
    }

    /** The iteration is over by itself: its owner need not close it any more. */
    final void release() {
        Task<?> t = owner;
        if (t != null) {
            owner = null;
            t.removeExitCallback(closeWithOwner);
        }
        Abandoned.Ref r = dropped;
        if (r != null) {
            dropped = null;
            r.clear(); // over: the collector can forget it
        }
    }

    /**
     * Also closes the iteration once {@code handle} was collected, without waiting for the task
     * to end: a long-lived task that leaves iterations by {@code break}, or drops an iterator it
     * took with {@code aiter()}, does not keep their subscriptions open for its whole life.
     * Called by the handle in a task of {@code loop}, the loop this iteration belongs to.
     */
    final void closeWhenDropped(Object handle, EventLoop loop) {
        if (dropped == null) {
            dropped = new DropRef(handle, this, loop);
        }
    }

    /** The handle's phantom: closes the iteration on its loop. */
    private static final class DropRef extends Abandoned.Ref {
        private final TaskOwned<?> iteration;

        DropRef(Object handle, TaskOwned<?> iteration, EventLoop loop) {
            super(handle, loop);
            this.iteration = iteration;
        }

        @Override
        protected void closeOnLoop() {
            iteration.aclose(); // idempotent: nothing happens if it was closed meanwhile
        }
    }

    private void closedByOwner() {
        owner = null;
        aclose();
    }

    /**
     * Refuses the calling task if another task waits for an item now: the two would wait for
     * the same wake-up, and one of them would never be woken, so a second consumer is refused at
     * once, as asyncio refuses a second {@code anext()} of an async generator that is already
     * running. A field read on the item path; the message is built only when refused.
     */
    final void refuseSecondConsumer() {
        if (awaiting != null) {
            throw alreadyAwaited();
        }
    }

    private IllegalStateException alreadyAwaited() {
        return new IllegalStateException("anext(): " + this + " is already awaited by "
                + awaiting + "; an iteration has one consumer at a time: give each task its own"
                + " (each aiter() or for-each subscribes anew), or hand the items on through an"
                + " AsyncQueue");
    }

    /** A task of another loop than {@code loop}, which the iteration's wake-ups go through. */
    static IllegalStateException otherLoop(EventLoop loop) {
        return new IllegalStateException("this iteration wakes tasks of " + loop
                + "; iterate it in a task of that loop");
    }

    /** Suspends {@code task}, the one consumer, until {@code wake} is completed. */
    final void awaitWake(Task<?> task, AsyncFuture<Void> wake) {
        awaiting = task;
        try {
            wake.await();
        } finally {
            awaiting = null;
        }
    }

    /**
     * The next item, for a task of the iteration's loop: what {@code anext()} awaits.
     *
     * @throws io.aiobridge.StopAsyncIteration at the end
     */
    abstract T next();

    /** Closes the iteration (cancels its subscription); idempotent. */
    public abstract void aclose();

    @Override
    public String toString() {
        return getClass().getSimpleName() + (owner == null ? "" : " of " + owner.getName());
    }
}
