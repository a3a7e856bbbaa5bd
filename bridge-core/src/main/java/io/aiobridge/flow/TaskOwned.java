package io.aiobridge.flow;

import io.aiobridge.Task;

/**
 * An iteration that belongs to the task that started it: when that task's code ends, however it
 * ends, an iteration it left open is closed ({@link Task#addExitCallback}), before the task is
 * done. Java's for-each cannot tell an iterator that a loop was left by {@code break} or an
 * exception; the task's end is the latest moment the iteration can still be needed. Closing on
 * the cancel request instead would end an iteration whose body merely timed out ({@code
 * Aio.timeout} cancels the task). An iteration that ends by itself removes its callback.
 * Loop-confined.
 */
abstract class TaskOwned {
    private Task<?> owner;
    private final Runnable closeWithOwner = this::closedByOwner;

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
    }

    private void closedByOwner() {
        owner = null;
        aclose();
    }

    /** Closes the iteration (cancels its subscription); idempotent. */
    public abstract void aclose();

    @Override
    public String toString() {
        return getClass().getSimpleName() + (owner == null ? "" : " of " + owner.getName());
    }
}
