package io.aiobridge.sync;

import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.LoopBound;
import java.util.ArrayDeque;

/**
 * A mutual-exclusion lock for tasks: the counterpart of {@code asyncio.Lock}.
 *
 * <pre>{@code
 * AsyncLock lock = new AsyncLock();
 * try (Held held = lock.hold()) {                   // async with lock:
 *     ...                                           // may await; released however it ends
 * }
 * }</pre>
 *
 * <p><b>Fair (FIFO):</b> {@link #release()} wakes the first waiter and the lock stays free until
 * that waiter runs and takes it; a task arriving meanwhile queues behind it instead of barging.
 *
 * <p><b>Invariant:</b> if the lock is free and a waiter is not cancelled, the first such waiter's
 * future is done (it has been woken and will take the lock when it runs), or will be by whoever
 * freed the lock. Every cancellation path below restores it.
 *
 * <p><b>Threading:</b> loop-confined; bound to the first loop that waits on it. A lock is not
 * owned by a task: any of the loop's code may release it, as in asyncio.
 */
public final class AsyncLock implements Acquirable<AsyncLock> {
    private final LoopBound binding = new LoopBound(this, null);
    private ArrayDeque<AsyncFuture<Boolean>> waiters;
    private boolean locked;

    /** Creates an unlocked lock. */
    public AsyncLock() {}

    /**
     * Whether the lock is held.
     *
     * @return true if locked
     */
    public boolean locked() {
        return locked;
    }

    /**
     * Acquires the lock, waiting (in FIFO order) while it is held.
     *
     * @throws CancelledError if the task is cancelled while waiting (the lock is not held then)
     */
    @Override
    public void acquire() {
        EventLoop loop = binding.check("acquire()");
        if (!locked && noLiveWaiter()) {
            locked = true;
            return;
        }
        if (waiters == null) {
            waiters = new ArrayDeque<>();
        }
        AsyncFuture<Boolean> fut = loop.createFuture();
        waiters.addLast(fut);
        try {
            try {
                fut.await();
            } finally {
                waiters.remove(fut);
            }
        } catch (CancelledError e) {
            // We may have been woken (our future done) and then cancelled before running: the
            // lock is free and someone else must be woken in our place, or it stays free forever.
            if (!locked) {
                wakeUpFirst();
            }
            throw e;
        }
        locked = true;
    }

    private boolean noLiveWaiter() {
        if (waiters == null) {
            return true;
        }
        for (AsyncFuture<Boolean> w : waiters) {
            if (!w.isCancelled()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Releases the lock and wakes the first waiter.
     *
     * @throws IllegalStateException if the lock is not held
     */
    @Override
    public void release() {
        binding.check("release()");
        if (!locked) {
            throw new IllegalStateException("Lock is not acquired.; release() must follow a"
                    + " successful acquire(): " + this);
        }
        locked = false;
        wakeUpFirst();
    }

    /** Makes sure the first waiter will run (a done future means it is already woken). */
    private void wakeUpFirst() {
        if (waiters == null || waiters.isEmpty()) {
            return;
        }
        AsyncFuture<Boolean> first = waiters.peekFirst();
        if (!first.isDone()) {
            first.setResult(true);
        }
    }


    @Override
    public String toString() {
        int n = waiters == null ? 0 : waiters.size();
        return "<AsyncLock [" + (locked ? "locked" : "unlocked") + (n > 0 ? ", waiters:" + n : "")
                + "]>";
    }
}
