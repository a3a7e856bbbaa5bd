package io.aiobridge.flow;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The outstanding demand of a subscription, and the handshake that lets its driver wait for more
 * without losing a wake-up.
 *
 * <p><b>Invariant:</b> {@code requested} is the demand not yet used, capped at {@code
 * Long.MAX_VALUE}, which means unbounded (rule 3.17) and is never decremented. The driver waits
 * only after publishing {@code waiting} and then seeing no demand; a requester publishes its
 * demand and then reads {@code waiting}. Both are volatile, so in any interleaving at least one
 * side sees the other's write: either the driver sees the demand and does not wait, or the
 * requester sees the driver waiting and wakes it. (Checked by the jcstress module.)
 *
 * <p><b>Threading:</b> {@link #add} from any thread; the rest from the driver.
 */
final class Demand {
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean waiting;

    /**
     * Adds {@code n > 0} to the demand.
     *
     * @return true if the driver may be waiting for it and must be woken
     */
    boolean add(long n) {
        long r;
        long next;
        do {
            r = requested.get();
            if (r == Long.MAX_VALUE) {
                return false;
            }
            next = r + n;
            if (next < 0) {
                next = Long.MAX_VALUE; // §3.17: demand adds up to unbounded
            }
        } while (!requested.compareAndSet(r, next));
        return r == 0 && waiting;
    }

    /** The outstanding demand. */
    long get() {
        return requested.get();
    }

    /** Counts {@code n} items as delivered; unbounded demand stays unbounded. */
    void produced(long n) {
        long r;
        do {
            r = requested.get();
            if (r == Long.MAX_VALUE) {
                return;
            }
        } while (!requested.compareAndSet(r, r - n));
    }

    /**
     * Announces that the driver is about to wait.
     *
     * @return true if it may wait (no demand arrived); false if demand is there now
     */
    boolean prepareWait() {
        waiting = true;
        if (requested.get() > 0) {
            waiting = false;
            return false;
        }
        return true;
    }

    /** The driver is no longer waiting. */
    void doneWaiting() {
        waiting = false;
    }

    /** Whether the driver is waiting (or about to), for wake-ups other than demand. */
    boolean isWaiting() {
        return waiting;
    }
}
