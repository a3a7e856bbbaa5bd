package io.aiobridge;

import io.aiobridge.internal.Settings;

/**
 * Decides whether an idle loop spins for a while before it parks, and learns from each wait
 * whether spinning would have paid off.
 *
 * <p>A loop that awaits something another thread completes (a Mono on Reactor's scheduler, a
 * {@code toThread} job) goes idle and is woken by that thread: an unpark, which on a virtual
 * thread is a scheduler submission and often an OS wake-up of an idle carrier, tens of
 * microseconds on a busy virtual machine. When the reply comes within a few tens of microseconds,
 * spinning until it arrives saves that wake-up (and the completing thread's unpark call), as the
 * JDK's own {@code ForkJoinPool} workers and Go's scheduler spin before sleeping. When replies come
 * later, spinning only burns a core, so the loop spins only while recent waits were short:
 *
 * <ul>
 *   <li>every wait that ended within the window (while spinning, or parked but woken in time)
 *       earns a credit, up to {@link #MAX_CREDIT}; a wait that outlasted it loses half of them;
 *   <li>with no credit the loop parks at once, and spins again once in {@link #PROBE_EVERY} waits
 *       to notice that replies have become fast again;
 *   <li>the loop asks only while some task is suspended (a loop with no task waits for new work,
 *       a request or a submission, not for a reply);
 *   <li>it spins only while fewer loops run than the JVM has CPUs: the reply's thread needs a
 *       core that no loop spins on, and on the default engine a spinning loop holds a carrier
 *       of the JDK's scheduler, which other loops' tasks share. So a JVM with one CPU (or pinned
 *       to one core) never spins, and neither does a group of one loop per core.
 * </ul>
 *
 * <p>Loop-confined: only the baton's holder calls it. The window is {@code
 * aiobridge.idleSpinMicros} (default {@value #DEFAULT_WINDOW_MICROS}; {@code 0} turns spinning
 * off; at most 100,000; anything else fails the first loop's creation, naming the property).
 */
final class IdleSpin {
    static final int DEFAULT_WINDOW_MICROS = 50;
    static final int MAX_CREDIT = 8;
    static final int PROBE_EVERY = 16;

    /** The window from the system property; 0: never spin. */
    static final long WINDOW_NANOS = windowNanos(Settings.intProperty(
            "aiobridge.idleSpinMicros", DEFAULT_WINDOW_MICROS, 0, 100_000));

    private final long window;
    private final int cpus;
    private int credit = MAX_CREDIT;
    private int sinceProbe;
    private long spins;

    IdleSpin(long windowNanos, int cpus) {
        this.window = windowNanos;
        this.cpus = cpus;
    }

    static long windowNanos(int micros) {
        return micros <= 0 ? 0L : micros * 1_000L;
    }

    /**
     * How long the next idle wait may spin before it parks.
     *
     * @param timeoutNanos the wait's own limit (negative: none)
     * @param loopsRunning how many loops run in this JVM now, this one included
     * @return nanoseconds to spin; 0 to park at once
     */
    long spinFor(long timeoutNanos, int loopsRunning) {
        if (window == 0 || loopsRunning >= cpus) {
            return 0L;
        }
        if (credit == 0) {
            if (++sinceProbe < PROBE_EVERY) {
                return 0L;
            }
            sinceProbe = 0;
        }
        spins++;
        return timeoutNanos < 0 ? window : Math.min(window, timeoutNanos);
    }

    /**
     * Learns from a wait that ended.
     *
     * @param waitedNanos from going idle to the end of the wait (spinning, then parked)
     * @param work whether work from another thread had arrived when it ended (false: its
     *     timeout, a timer's alarm, or a spurious wake-up)
     */
    void waited(long waitedNanos, boolean work) {
        if (window == 0) {
            return;
        }
        if (waitedNanos > window) {
            credit >>= 1; // nothing came within the window: a spin would have burnt it all
        } else if (work && credit < MAX_CREDIT) {
            credit++;
        }
    }

    /** How many waits were allowed to spin (tests). */
    long spins() {
        return spins;
    }

    /** Credits left (tests). */
    int credit() {
        return credit;
    }
}
