package io.aiobridge.sync;

import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.LoopBound;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A condition variable: the counterpart of {@code asyncio.Condition}. Tasks holding its lock wait
 * with {@link #await()} until another task calls {@link #signal(int)} or {@link #signalAll()}.
 * Several conditions may share one {@link AsyncLock}.
 *
 * <p>asyncio's names map as: {@code wait()} is {@link #await()}, {@code wait_for(p)} is {@link
 * #waitFor}, {@code notify(n)} is {@link #signal(int)}, {@code notify_all()} is {@link
 * #signalAll()} ({@code wait}, {@code notify} and {@code notifyAll} are final on {@code Object}).
 *
 * <p><b>Invariants:</b> {@code await()} always returns or raises with the lock held again, even
 * when cancelled. A notification is never lost: a waiter that leaves with an exception (a
 * cancel while it waited to be woken, to run or to take the lock again) notifies the next
 * waiter, as asyncio 3.13 does; the next waiter may then wake with nothing to do, which the
 * condition-variable protocol allows ({@link #waitFor} re-checks).
 *
 * <p><b>Threading:</b> loop-confined.
 */
public final class AsyncCondition implements Acquirable<AsyncCondition> {
    private final LoopBound binding = new LoopBound(this, null);
    private final AsyncLock lock;
    private final ArrayDeque<AsyncFuture<Boolean>> waiters = new ArrayDeque<>();

    /** A condition with a lock of its own. */
    public AsyncCondition() {
        this(new AsyncLock());
    }

    /**
     * A condition using {@code lock}, which other conditions may share.
     *
     * @param lock the lock
     */
    public AsyncCondition(AsyncLock lock) {
        this.lock = Objects.requireNonNull(lock, "lock is null");
    }

    /**
     * Whether the underlying lock is held.
     *
     * @return true if locked
     */
    public boolean locked() {
        return lock.locked();
    }

    /** Acquires the underlying lock. */
    @Override
    public void acquire() {
        lock.acquire();
    }

    /** Releases the underlying lock. */
    @Override
    public void release() {
        lock.release();
    }


    /**
     * Releases the lock, waits for a notification, and re-acquires the lock before returning.
     *
     * @return true
     * @throws IllegalStateException if the lock is not held
     * @throws CancelledError if cancelled; the lock is held again even then
     */
    public boolean await() {
        EventLoop loop = binding.check("await()");
        if (!locked()) {
            throw new IllegalStateException("cannot wait on un-acquired lock; acquire the"
                    + " condition's lock (try (Held h = cond.hold())) before await()");
        }
        lock.release();
        try {
            try {
                AsyncFuture<Boolean> fut = loop.createFuture();
                waiters.addLast(fut);
                try {
                    fut.await();
                    return true;
                } finally {
                    waiters.remove(fut);
                }
            } finally {
                reacquire();
            }
        } catch (Throwable e) {
            // This task may have been notified before the error (a cancel while it waited to
            // run, or while it took the lock again): notify another waiter instead, so the
            // notification is not lost. A spurious wake-up is allowed, as in asyncio 3.13.
            notifyWaiters(1);
            throw e;
        }
    }

    /**
     * Takes the lock again however the wait ended, even if cancelled meanwhile; then raises the
     * most recent cancellation, if any.
     */
    private void reacquire() {
        CancelledError cancelled = null;
        for (;;) {
            try {
                lock.acquire();
                break;
            } catch (CancelledError e) {
                cancelled = e;
            }
        }
        if (cancelled != null) {
            throw cancelled;
        }
    }

    /**
     * Waits until {@code predicate} holds, re-checking it after each notification.
     *
     * @param predicate the condition, evaluated with the lock held
     * @return true
     */
    public boolean waitFor(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "predicate is null");
        boolean result = predicate.getAsBoolean();
        while (!result) {
            await();
            result = predicate.getAsBoolean();
        }
        return true;
    }

    /**
     * Wakes up to {@code n} waiters.
     *
     * @param n how many
     * @throws IllegalStateException if the lock is not held
     */
    public void signal(int n) {
        binding.check("signal()");
        if (!locked()) {
            throw new IllegalStateException("cannot notify on un-acquired lock; hold the"
                    + " condition's lock while signalling");
        }
        notifyWaiters(n);
    }

    /** Wakes one waiter. */
    public void signal() {
        signal(1);
    }

    /** Wakes every waiter. */
    public void signalAll() {
        signal(waiters.size());
    }

    private void notifyWaiters(int n) {
        int woken = 0;
        for (AsyncFuture<Boolean> f : waiters) {
            if (woken >= n) {
                break;
            }
            if (!f.isDone()) {
                woken++;
                f.setResult(false);
            }
        }
    }

    @Override
    public String toString() {
        return "<AsyncCondition [" + (locked() ? "locked" : "unlocked")
                + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]>";
    }
}
