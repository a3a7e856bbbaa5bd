package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pins the exact order of steps in a concurrency test, as kotlinx.coroutines' {@code expect(n)}:
 * each step states its number, and a step out of order fails at once. Any thread.
 */
public final class Steps {
    private final AtomicInteger next = new AtomicInteger(1);

    /**
     * Step {@code n} happens now; it must be the next one.
     *
     * @param n the step's number
     */
    public void expect(int n) {
        int actual = next.getAndIncrement();
        assertEquals(n, actual, "step " + n + " ran when step " + actual + " was due");
    }

    /**
     * The last step.
     *
     * @param n its number
     */
    public void finish(int n) {
        expect(n);
    }

    /** A step that must never run. */
    public void expectUnreached() {
        throw new AssertionError("this step must not run (next due: " + next.get() + ")");
    }
}
