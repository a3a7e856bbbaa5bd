package io.aiobridge.sync;

import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.LoopBound;
import java.util.ArrayDeque;

/**
 * A counter of permits: the counterpart of {@code asyncio.Semaphore}. {@link #acquire()} takes a
 * permit, waiting while there is none; {@link #release()} returns one.
 *
 * <p><b>Fair (FIFO):</b> while tasks wait, a new acquirer queues behind them even if a permit is
 * free, so a releaser cannot barge ahead of the waiters.
 *
 * <p><b>Invariant (permits are conserved):</b> {@code value} plus the permits handed to woken
 * waiters that have not yet run equals the permits not held by anyone. Waking a waiter moves a
 * permit to it ({@code value--} and its future done); a woken waiter that is cancelled before it
 * runs gives that permit back ({@code value++}), and then as many waiters are woken as there are
 * permits.
 *
 * <p><b>Threading:</b> loop-confined.
 */
public class AsyncSemaphore implements Acquirable<AsyncSemaphore> {
    private final LoopBound binding = new LoopBound(this, null);
    private ArrayDeque<AsyncFuture<Boolean>> waiters;
    int value;

    /**
     * A semaphore with {@code value} permits.
     *
     * @param value the initial permits, at least 0
     * @throws IllegalArgumentException if negative
     */
    public AsyncSemaphore(int value) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    "Semaphore initial value must be >= 0; got " + value);
        }
        this.value = value;
    }

    /** A semaphore with one permit. */
    public AsyncSemaphore() {
        this(1);
    }

    /**
     * Whether an acquire would wait now: no permit, or tasks already waiting (FIFO).
     *
     * @return true if acquire() would suspend
     */
    public boolean locked() {
        if (value == 0) {
            return true;
        }
        if (waiters != null) {
            for (AsyncFuture<Boolean> w : waiters) {
                if (!w.isCancelled()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The permits available now.
     *
     * @return the count
     */
    public int availablePermits() {
        return value;
    }

    /**
     * Takes a permit, waiting (FIFO) while none is available.
     *
     * @throws CancelledError if cancelled while waiting; no permit is held then
     */
    @Override
    public void acquire() {
        EventLoop loop = binding.check("acquire()");
        if (!locked()) {
            value--;
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
            if (fut.isDone() && !fut.isCancelled()) {
                // a permit was handed to us, but we will not take it: give it back
                value++;
            }
            throw e;
        } finally {
            // new waiters may have queued behind us (FIFO): wake as many as there are permits
            while (value > 0) {
                if (!wakeUpNext()) {
                    break;
                }
            }
        }
    }

    /** Returns a permit and wakes the first waiter. */
    @Override
    public void release() {
        binding.check("release()");
        value++;
        wakeUpNext();
    }

    /** Hands a permit to the first waiter not yet woken; false if there is none. */
    private boolean wakeUpNext() {
        if (waiters == null) {
            return false;
        }
        for (AsyncFuture<Boolean> f : waiters) {
            if (!f.isDone()) {
                value--;
                f.setResult(true);
                return true;
            }
        }
        return false;
    }


    int waiterCount() {
        return waiters == null ? 0 : waiters.size();
    }

    @Override
    public String toString() {
        int n = waiterCount();
        return "<" + getClass().getSimpleName() + " [" + (locked() ? "locked" : "unlocked, value:"
                + value) + (n > 0 ? ", waiters:" + n : "") + "]>";
    }
}
