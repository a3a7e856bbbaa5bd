package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pins the exact order of steps in a concurrency test, as kotlinx.coroutines' {@code expect(n)}:
 * each step states its number, and a step out of order fails at once.
 */
final class Steps {
    private final AtomicInteger next = new AtomicInteger(1);

    void expect(int n) {
        int actual = next.getAndIncrement();
        assertEquals(n, actual, "step " + n + " ran when step " + actual + " was due");
    }

    void finish(int n) {
        expect(n);
    }

    void expectUnreached() {
        throw new AssertionError("this step must not run (next due: " + next.get() + ")");
    }

    static <T> T virtual(Coroutine<T> main) {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            return r.run(main);
        }
    }
}
