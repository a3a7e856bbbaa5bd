package io.aiobridge.flow;

import io.aiobridge.Task;
import io.aiobridge.internal.RuntimeAccess;

/**
 * An iteration that belongs to the task that started it: when that task ends, however it ends,
 * an iteration it left open is closed. Java's for-each cannot tell an iterator that a loop was
 * left by {@code break} or an exception; the task's end is the latest moment the iteration can
 * still be needed. Loop-confined.
 */
abstract class TaskOwned {
    private Task<?> owner;
    private final Runnable closeWithOwner = this::closedByOwner;

    /** Makes {@code task} the owner, if there is none yet. */
    final void adopt(Task<?> task) {
        if (owner == null) {
            owner = task;
            RuntimeAccess.get().own(task, closeWithOwner);
        }
    }

    /** The iteration is over by itself: its owner need not close it any more. */
    final void release() {
        Task<?> t = owner;
        if (t != null) {
            owner = null;
            RuntimeAccess.get().disown(t, closeWithOwner);
        }
    }

    private void closedByOwner() {
        owner = null;
        aclose();
    }

    /** Closes the iteration (cancels its subscription); idempotent. */
    public abstract void aclose();
}
