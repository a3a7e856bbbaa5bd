package io.aiobridge;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether a loop is idle, running, closed, or lent for a moment to a thread off the loop: the
 * one piece of a loop's state that any thread may read and change, with a compare-and-set.
 *
 * <p>The transitions:
 * <pre>
 *   idle --start--> running --stopRunning--> idle
 *   idle --borrow--> borrowed --giveBack--> idle
 *   idle --close--> closed
 * </pre>
 * A thread that {@linkplain #borrow() borrows} an idle loop may change its loop-confined state
 * (a future's callbacks) as if it held the loop: {@link #start()} and {@link #close()} wait until
 * it {@linkplain #giveBack() gives it back}, which it does within a few instructions. Checking
 * "not running" and then acting would not be enough, because the loop may start in between.
 * {@code jcstress}'s {@code LoopStateStress} checks that a borrow never overlaps a run or a close.
 */
final class LoopState {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;
    private static final int BORROWED = 3;

    private final AtomicInteger state = new AtomicInteger(IDLE);

    /** Idle to running, waiting out a borrower; false if the loop was running or closed. */
    boolean start() {
        return leaveIdle(RUNNING);
    }

    /** Running back to idle; the thread that {@linkplain #start() started} it calls this. */
    void stopRunning() {
        state.compareAndSet(RUNNING, IDLE);
    }

    /** Idle to closed, waiting out a borrower; false if the loop was running or closed. */
    boolean close() {
        return leaveIdle(CLOSED);
    }

    /**
     * Idle to borrowed: true if the caller may now act as the loop's holder until it calls
     * {@link #giveBack()}, which it must do, in a {@code finally}; false if the loop was not idle.
     */
    boolean borrow() {
        return state.compareAndSet(IDLE, BORROWED);
    }

    /** Borrowed back to idle; only the thread whose {@link #borrow()} succeeded calls this. */
    void giveBack() {
        state.set(IDLE);
    }

    boolean isRunning() {
        return state.get() == RUNNING;
    }

    boolean isClosed() {
        return state.get() == CLOSED;
    }

    /** "idle", "running" or "closed" (a borrowed loop is idle to everyone but its borrower). */
    String name() {
        return switch (state.get()) {
            case RUNNING -> "running";
            case CLOSED -> "closed";
            default -> "idle";
        };
    }

    private boolean leaveIdle(int next) {
        for (;;) {
            int s = state.get();
            if (s == IDLE) {
                if (state.compareAndSet(IDLE, next)) {
                    return true;
                }
                // lost to a borrower or another starter: read again
            } else if (s == BORROWED) {
                Thread.onSpinWait(); // the borrower is about to set it back to idle
            } else {
                return false;
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
