package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;

/** Exact step order (kotlinx's expect(n)) and a virtual-time runner for the sync tests. */
final class Steps {
    private int next = 1;

    void expect(int n) {
        assertEquals(n, next, "step " + n + " ran when step " + next + " was due");
        next++;
    }

    static <T> T virtual(Coroutine<T> main) {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            return r.run(main);
        }
    }
}
