package io.aiobridge.sync;

/**
 * A barrier for a fixed number of tasks: the counterpart of {@code asyncio.Barrier}. Each task
 * calls {@link #await()}; the last of {@code parties} to arrive releases them all, and each gets
 * its arrival index (0 to parties - 1). The barrier is then reusable.
 *
 * <p><b>States</b> (as asyncio's): filling (tasks arrive), draining (released tasks leave;
 * newcomers wait until the last has left), resetting (a {@link #reset()} while tasks waited: they
 * get {@link AsyncBrokenBarrierException}), broken ({@link #abort()}: every wait, now and later, fails
 * until {@link #reset()}).
 *
 * <p><b>Threading:</b> loop-confined.
 */
public final class AsyncBarrier {
    private enum State { FILLING, DRAINING, RESETTING, BROKEN }

    private final AsyncCondition cond = new AsyncCondition();
    private final int parties;
    private State state = State.FILLING;
    private int count;

    /**
     * A barrier for {@code parties} tasks.
     *
     * @param parties at least 1
     * @throws IllegalArgumentException if less than 1
     */
    public AsyncBarrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be > 0; got " + parties);
        }
        this.parties = parties;
    }

    /**
     * Waits until {@code parties} tasks are waiting, then returns this task's arrival index.
     *
     * @return the index, 0 to parties - 1
     * @throws AsyncBrokenBarrierException if the barrier is broken, aborted or reset meanwhile
     */
    public int await() {
        try (Held held = cond.hold()) {
            block();
            try {
                int index = count;
                count++;
                if (index + 1 == parties) {
                    state = State.DRAINING; // the last arrival releases everyone
                    cond.signalAll();
                } else {
                    cond.waitFor(() -> state != State.FILLING);
                    if (state == State.BROKEN || state == State.RESETTING) {
                        throw new AsyncBrokenBarrierException("Abort or reset of barrier");
                    }
                }
                return index;
            } finally {
                count--;
                exit();
            }
        }
    }

    /** Waits while the barrier drains or resets; fails if it is broken. */
    private void block() {
        cond.waitFor(() -> state != State.DRAINING && state != State.RESETTING);
        if (state == State.BROKEN) {
            throw new AsyncBrokenBarrierException("Barrier aborted");
        }
    }

    /** The last task to leave ends draining or resetting. */
    private void exit() {
        if (count == 0) {
            if (state == State.RESETTING || state == State.DRAINING) {
                state = State.FILLING;
            }
            cond.signalAll();
        }
    }

    /** Resets the barrier to its initial state; tasks waiting now get AsyncBrokenBarrierException. */
    public void reset() {
        try (Held held = cond.hold()) {
            if (count > 0) {
                if (state != State.RESETTING) {
                    state = State.RESETTING;
                }
            } else {
                state = State.FILLING;
            }
            cond.signalAll();
        }
    }

    /** Breaks the barrier: waits now and later fail with AsyncBrokenBarrierException until reset. */
    public void abort() {
        try (Held held = cond.hold()) {
            state = State.BROKEN;
            cond.signalAll();
        }
    }

    /**
     * The number of tasks needed to pass.
     *
     * @return parties
     */
    public int parties() {
        return parties;
    }

    /**
     * The number of tasks waiting while the barrier fills.
     *
     * @return the count
     */
    public int nWaiting() {
        return state == State.FILLING ? count : 0;
    }

    /**
     * Whether the barrier is broken.
     *
     * @return true after abort()
     */
    public boolean broken() {
        return state == State.BROKEN;
    }

    @Override
    public String toString() {
        return "<AsyncBarrier [" + state.name().toLowerCase() + ", waiters:" + nWaiting() + "/"
                + parties + "]>";
    }
}
