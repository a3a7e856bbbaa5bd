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
 * permit). The jcstress module's {@code IdleAlarmStress} checks it (its quick mode finds the lost
 * wake-up when the ring reads the sleeper before clearing its deadline).
 */
final class IdleAlarm {

    /** What the alarm wakes: the loop, whose {@code wakeUp} unparks its published sleeper. */
    interface Waker {
        /** Unparks the loop's sleeper, if one is published. */
        void wakeUp();
    }

    /** Starts the countdown of an armed alarm: calls {@link #ring()} after the delay. */
    interface Countdown {
        /**
         * Schedules {@code alarm.ring()}.
         *
         * @param alarm the alarm to ring
         * @param delayNanos when, from now
         */
        void start(IdleAlarm alarm, long delayNanos);
    }

    /** The JDK's shared delay thread (CompletableFuture's), running the ring itself. */
    static final Countdown SHARED_DELAYER = (alarm, delayNanos) -> CompletableFuture
            .delayedExecutor(delayNanos, TimeUnit.NANOSECONDS, Runnable::run).execute(alarm::ring);

    private static final long NONE = Long.MAX_VALUE;

    /** When the pending alarm rings, on {@link System#nanoTime()}; {@link #NONE} if none. */
    private final AtomicLong armedAt = new AtomicLong(NONE);

    /** A pending alarm must not keep a closed loop reachable until it rings. */
    private final WeakReference<Waker> loop;
    private final Countdown countdown;

    IdleAlarm(Waker loop, Countdown countdown) {
        this.loop = new WeakReference<>(loop);
        this.countdown = countdown;
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
        countdown.start(this, Math.max(0L, deadline - System.nanoTime()));
        return true;
    }

    /** The alarm's time has come: no alarm is pending any more, and the loop wakes. */
    void ring() {
        armedAt.set(NONE);
        Waker l = loop.get();
        if (l != null) {
            l.wakeUp();
        }
    }
}
