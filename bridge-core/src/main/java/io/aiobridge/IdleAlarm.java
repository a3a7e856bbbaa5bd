package io.aiobridge;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wakes a loop whose task thread waits for its next timer, so that the wait can be an untimed
 * park.
 *
 * <p>A virtual thread's {@code parkNanos} schedules an unpark on the JDK's delay scheduler and
 * cancels it when something else wakes the thread first: a queue insert and a removal under a
 * lock, and often a wake-up of that scheduler's thread, on every idle wait. A loop that serves
 * requests under timeouts (a 1 s {@code Aio.timeout} per request) waits often, always with a
 * far-off deadline, and is nearly always woken by another thread first. This alarm is armed when
 * none is pending, and is never cancelled: an alarm whose timer has gone (the request finished,
 * its timeout was cancelled) wakes the loop once, early, and the loop waits again. While a later
 * alarm is pending, an earlier deadline falls back to {@code parkNanos}: one alarm per loop at
 * most, so stale alarms never pile up.
 *
 * <p>Protocol with {@link BaseEventLoop#wakeUp()}: the loop publishes its sleeper, then asks
 * {@link #cover}; the alarm clears its deadline, then reads the sleeper. Either the loop sees
 * the alarm gone (and arms another) or the alarm sees the sleeper (and its unpark leaves a
 * permit).
 */
final class IdleAlarm {

    private static final long NONE = Long.MAX_VALUE;

    /** When the pending alarm rings, on {@link System#nanoTime()}; {@link #NONE} if none. */
    private final AtomicLong armedAt = new AtomicLong(NONE);

    /** A ringing alarm must not keep a closed loop reachable until its deadline. */
    private final WeakReference<BaseEventLoop> loop;

    IdleAlarm(BaseEventLoop loop) {
        this.loop = new WeakReference<>(loop);
    }

    /**
     * Whether an alarm rings at or before {@code deadline} ({@link System#nanoTime()} clock), so
     * that the loop may park without a timeout: arms one if none is pending. Called by the loop,
     * after it has published its sleeper.
     *
     * @return false if a later alarm is pending: the loop then parks with its own timeout, so that
     *     at most one alarm per loop is ever pending
     */
    boolean cover(long deadline) {
        long armed = armedAt.get();
        if (armed != NONE) {
            return armed - deadline <= 0; // the ring wakes the loop early; it then waits again
        }
        armedAt.set(deadline); // only the loop arms, and only a ring clears
        WeakReference<BaseEventLoop> target = loop;
        AtomicLong slot = armedAt;
        long delay = Math.max(0L, deadline - System.nanoTime());
        CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS, Runnable::run).execute(() -> {
            slot.set(NONE);
            BaseEventLoop l = target.get();
            if (l != null) {
                l.wakeUp();
            }
        });
        return true;
    }
}
