package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunnerTest {

    @Test
    void runsShareOneContextAndCloseCancelsLeftoverTasks() {
        ContextVar<String> var = new ContextVar<>("v", "unset");
        List<String> seen = new ArrayList<>();
        Task<?>[] leftover = new Task<?>[1];
        Runner runner = new Runner(EventLoop::newVirtualTimeEventLoop, null);
        try (runner) {
            runner.run(() -> var.set("first run"));
            assertEquals("first run", runner.run(var::get));
            runner.run(() -> {
                leftover[0] = Aio.createTask(() -> {
                    try {
                        Aio.sleep(1000);
                    } finally {
                        seen.add("leftover cleaned up");
                    }
                    return null;
                });
                Aio.sleep(0);
                return null;
            });
            assertTrue(runner.getLoop().isRunning() == false);
        }
        assertEquals(List.of("leftover cleaned up"), seen);
        assertTrue(leftover[0].isCancelled());
        assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
    }

    @Test
    void aFailureDuringShutdownIsReported() {
        List<ErrorContext> reported = new ArrayList<>();
        try (Runner runner = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            runner.getLoop().setExceptionHandler((l, c) -> reported.add(c));
            runner.run(() -> {
                Aio.createTask(() -> {
                    try {
                        Aio.sleep(1000);
                    } catch (CancelledError e) {
                        throw new IllegalStateException("failed while cancelled");
                    }
                    return null;
                });
                Aio.sleep(0);
                return null;
            });
        }
        assertEquals(1, reported.size());
        assertEquals("unhandled exception during Aio.run() shutdown", reported.get(0).message());
    }

    @Test
    void runFromInsideARunningLoopIsRefused() {
        Loops.virtual(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Aio.run(() -> 1));
            assertTrue(e.getMessage().contains("cannot be called from a running event loop"));
            return null;
        });
    }

    @Test
    void aioRunReturnsTheResultAndRethrowsTheFailure() {
        assertEquals(3, Aio.run(() -> 1 + 2));
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Aio.run(() -> {
            throw boom;
        }));
        assertTrue(e == boom);
        assertEquals("dbg", Aio.run(() -> {
            assertTrue(Aio.getRunningLoop().getDebug());
            return "dbg";
        }, true));
    }
}
