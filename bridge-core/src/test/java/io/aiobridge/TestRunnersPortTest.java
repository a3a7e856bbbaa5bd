package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_runners.py}, case by case, on {@link Runner}
 * and {@link Aio#run}. The interrupt cases ({@code KeyboardInterrupt} from a signal) are Java
 * thread interrupts here and live in {@link InterruptTest}; the cases that patch Python's event
 * loop policy have no counterpart.
 */
class TestRunnersPortTest {

    private static Runner newRunner() {
        return new Runner(EventLoop::newVirtualTimeEventLoop, null);
    }

    @Test
    void test_asyncio_run_return_and_raises() {
        assertEquals(42, Aio.run(() -> Aio.sleep(0, 42)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Aio.run(() -> {
                    Aio.sleep(0);
                    throw new IllegalArgumentException("spam");
                }));
        assertEquals("spam", e.getMessage());
    }

    @Test
    void test_asyncio_run_debug() {
        for (boolean expected : new boolean[] {false, true}) {
            Aio.run(() -> {
                assertEquals(expected, Aio.getRunningLoop().getDebug());
                return null;
            }, expected);
        }
    }

    @Test
    void test_asyncio_run_from_running_loop() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Aio.run(() -> Aio.run(() -> 1)));
        assertTrue(e.getMessage().contains("cannot be called from a running"), e.getMessage());
    }

    @Test
    void test_asyncio_run_cancels_hanging_tasks() {
        Task<?>[] loTask = new Task<?>[1];
        assertEquals(123, Aio.run(() -> {
            loTask[0] = Aio.createTask(() -> Aio.sleep(0.1, null));
            return 123;
        }));
        assertTrue(loTask[0].isDone());
        assertTrue(loTask[0].isCancelled());
    }

    @Test
    void test_asyncio_run_reports_hanging_tasks_errors() {
        List<ErrorContext> reported = new ArrayList<>();
        Task<?>[] loTask = new Task<?>[1];
        assertEquals(123, Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            loTask[0] = Aio.createTask(() -> {
                try {
                    Aio.sleep(0.1);
                } catch (CancelledError e) {
                    return 1 / 0;
                }
                return 0;
            });
            return 123;
        }));
        assertTrue(loTask[0].isDone());
        assertEquals(1, reported.size(), reported.toString());
        ErrorContext c = reported.get(0);
        assertTrue(c.message().matches(".*run.*shutdown.*"), c.message());
        assertSame(loTask[0], c.future());
        assertInstanceOf(ArithmeticException.class, c.exception());
    }

    @Test
    void test_asyncio_run_closes_gens_after_hanging_tasks_errors() {
        final class FancyExit extends RuntimeException {
        }
        AsyncGenerator<?, ?>[] spinner = new AsyncGenerator<?, ?>[1];
        Task<?>[] lazyboy = new Task<?>[1];
        List<String> genSteps = new ArrayList<>();
        assertThrows(FancyExit.class, () -> Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> { });
            lazyboy[0] = Aio.createTask(() -> {
                AsyncGenerator<Integer, Void> fidget = AsyncGenerator.of(y -> {
                    try {
                        while (true) {
                            y.yield(1);
                            Aio.sleep(1);
                        }
                    } finally {
                        genSteps.add("generator closed");
                    }
                });
                spinner[0] = fidget;
                try {
                    for (int ignored : fidget) {
                        // the meaning of life
                    }
                } catch (CancelledError e) {
                    return 1 / 0;
                }
                return 0;
            });
            throw new FancyExit();
        }));
        assertTrue(lazyboy[0].isDone());
        assertEquals(List.of("generator closed"), genSteps);
    }

    @Test
    void test_non_debug_and_debug() {
        for (boolean debug : new boolean[] {false, true}) {
            try (Runner runner = new Runner(EventLoop::newVirtualTimeEventLoop, debug)) {
                assertEquals(debug, runner.getLoop().getDebug());
            }
        }
    }

    @Test
    void test_custom_factory() {
        EventLoop loop = EventLoop.newVirtualTimeEventLoop();
        try (Runner runner = new Runner(() -> loop, null)) {
            assertSame(loop, runner.getLoop());
        }
        assertTrue(loop.isClosed());
    }

    @Test
    void test_run() {
        EventLoop loop;
        Runner runner = newRunner();
        try (runner) {
            assertEquals("done", runner.run(() -> Aio.sleep(0, "done")));
            loop = runner.getLoop();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, runner::getLoop);
        assertTrue(e.getMessage().startsWith("Runner is closed"), e.getMessage());
        assertTrue(loop.isClosed());
    }

    @Test
    void test_explicit_close_and_double_close() {
        Runner runner = newRunner();
        EventLoop loop = runner.getLoop();
        runner.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, runner::getLoop);
        assertTrue(e.getMessage().startsWith("Runner is closed"), e.getMessage());
        assertTrue(loop.isClosed());
        runner.close(); // the second call is a no-op
        assertTrue(loop.isClosed());
    }

    @Test
    void test_second_with_block_raises() {
        List<Integer> ret = new ArrayList<>();
        Runner runner = newRunner();
        try (runner) {
            runner.run(() -> ret.add(1));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runner.run(() -> ret.add(2)));
        assertTrue(e.getMessage().startsWith("Runner is closed"), e.getMessage());
        assertEquals(List.of(1), ret);
    }

    @Test
    void test_run_keeps_context() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar", -1);
        try (Runner runner = newRunner()) {
            Coroutine<Integer> f1 = () -> {
                int old = cvar.get();
                Aio.sleep(0);
                cvar.set(1);
                return old;
            };
            Coroutine<Integer> f2 = () -> {
                int old = cvar.get();
                Aio.sleep(0);
                cvar.set(2);
                return old;
            };
            assertEquals(-1, runner.run(f1));
            assertEquals(1, runner.run(f2));
            assertEquals(2, cvar.getIn(runner.run(Context::copyCurrent)));
        }
    }

    @Test
    void test_recursive_run() {
        try (Runner runner = newRunner()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> runner.run(() -> runner.run(() -> null)));
            assertTrue(e.getMessage().startsWith(
                    "Runner.run() cannot be called from a running event loop"), e.getMessage());
        }
    }

    @Test
    void test_interrupt_cancelled_task() {
        // a main task cancelled by one of its subtasks ends with CancelledError, no more
        try (Runner runner = newRunner()) {
            assertThrows(CancelledError.class, () -> runner.run(() -> {
                Task<?> main = Aio.currentTask();
                Aio.createTask(() -> {
                    Aio.sleep(0);
                    main.cancel();
                    return null;
                });
                return Aio.sleep(10, null);
            }));
            assertFalse(runner.getLoop().isClosed());
        }
    }
}
