package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.LogCapture;
import io.aiobridge.testing.Ports;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_base_events.py}, {@code BaseEventLoopTests}:
 * the cases that watch the loop from outside. Most of the file mocks the selector, the socket
 * module or {@code _run_once}; those read private state and have no counterpart, except where the
 * state shows from outside ({@code _run_once}'s two phases show as the order of callbacks; the
 * cleanup of cancelled timers shows in {@link EventLoop#stats()}). The {@code create_connection}
 * cases with mocked sockets are covered with real ones in {@code net.TestEventsPortTest} and
 * {@code ConnectOptionsTest}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestBaseEventsPortTest {
    private static final double CLOCK_RES = 0.020;

    private EventLoop loop;

    @BeforeEach
    void setUp() {
        loop = EventLoop.newEventLoop();
    }

    @AfterEach
    void tearDown() {
        if (!loop.isClosed()) {
            loop.close();
        }
    }

    @Test
    void test_close() {
        assertFalse(loop.isClosed());
        loop.close();
        assertTrue(loop.isClosed());
        // it should be possible to call close() more than once
        loop.close();
        loop.close();
        // operations are blocked when the loop is closed
        assertThrows(IllegalStateException.class, loop::runForever);
        assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> null));
    }

    @Test
    void test_call_later_negative_delays() {
        List<String> calls = new ArrayList<>();
        loop.callLater(-1, () -> calls.add("a"));
        loop.callLater(-2, () -> calls.add("b"));
        loop.runUntilComplete(() -> {
            Ports.runBriefly();
            return null;
        });
        assertEquals(List.of("b", "a"), calls);
    }

    @Test
    void test_time_and_call_at() {
        double delay = 0.100;
        double when = loop.time() + delay;
        loop.callAt(when, loop::stop);
        double t0 = loop.time();
        loop.runForever();
        double dt = loop.time() - t0;
        assertTrue(dt >= delay - CLOCK_RES, "ran after " + dt);
        assertThrows(IllegalArgumentException.class, () -> loop.callAt(Double.NaN, () -> { }));
    }

    /**
     * CPython checks the thread in debug mode only; the loop here checks always, so the debug
     * and plain variants both raise, with asyncio's text first. The error is the JDK's {@link
     * WrongThreadException}, not asyncio's RuntimeError (IllegalStateException).
     */
    @Test
    void test_check_thread() throws Exception {
        for (boolean debug : new boolean[] {true, false}) {
            loop.setDebug(debug);
            AsyncFuture<Void> fut = loop.createFuture();
            CompletableFuture<Void> running = new CompletableFuture<>();
            loop.callSoon(() -> running.complete(null));
            Thread thread = new Thread(() -> {
                running.join();
                List<Runnable> calls = List.of(() -> loop.callSoon(() -> { }),
                        () -> loop.callLater(60, () -> { }),
                        () -> loop.callAt(loop.time() + 60, () -> { }));
                List<String> wrong = new ArrayList<>();
                for (Runnable call : calls) {
                    try {
                        call.run();
                        wrong.add("no error");
                    } catch (RuntimeException e) {
                        if (!(e instanceof WrongThreadException) || !e.getMessage().startsWith(
                                "Non-thread-safe operation invoked on an event loop other than"
                                        + " the current one")) {
                            wrong.add(e.toString());
                        }
                    }
                }
                loop.callSoonThreadsafe(() -> {
                    if (wrong.isEmpty()) {
                        fut.setResult(null);
                    } else {
                        fut.setException(new AssertionError(wrong.toString()));
                    }
                });
            });
            thread.start();
            loop.runUntilComplete(fut);
            thread.join();
        }
    }

    @Test
    void test__run_once_schedule_handle() {
        // a timer's callback that schedules another: the other runs in the next iteration
        List<String> steps = new ArrayList<>();
        loop.callLater(-1, () -> {
            steps.add("timer");
            loop.callSoon(() -> steps.add("scheduled by the timer"));
        });
        loop.callSoon(() -> loop.callSoon(() -> steps.add("second iteration")));
        loop.callSoon(loop::stop); // stops after the first iteration
        loop.runForever();
        assertEquals(List.of("timer"), steps);
        loop.callSoon(loop::stop);
        loop.runForever();
        // due timers join the ready queue behind what was ready when the iteration began
        assertEquals(List.of("timer", "second iteration", "scheduled by the timer"), steps);
    }

    @Test
    void test__run_once_cancelled_event_cleanup() {
        // asyncio drops cancelled timers from its heap once they are more than half of at least
        // 100; the heap here must not keep what was cancelled either
        Runnable cb = () -> { };
        loop.callLater(3000, cb);
        List<TimerHandle> cancelled = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            cancelled.add(loop.callLater(3600, cb));
        }
        for (int i = 0; i < 100; i++) {
            loop.callLater(3600, cb);
        }
        cancelled.forEach(TimerHandle::cancel);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(101, loop.stats().timers(), "only the live timers remain");
    }

    @Test
    void test_run_until_complete_loop() {
        AsyncFuture<Object> task = loop.createFuture();
        try (EventLoop other = EventLoop.newEventLoop()) {
            assertThrows(IllegalArgumentException.class, () -> other.runUntilComplete(task));
        }
    }

    /**
     * CPython's ShowStopper, a SystemExit, which no handler catches: a {@link
     * VirtualMachineError} plays that part here (docs/errors.md).
     */
    static final class ShowStopper extends VirtualMachineError {
        ShowStopper() {
            super("show stopper");
        }
    }

    @Test
    void test_run_until_complete_loop_orphan_future_close_loop() {
        loop.callSoon(() -> {
            throw new ShowStopper();
        });
        assertThrows(ShowStopper.class, () -> loop.runUntilComplete(() -> {
            Aio.sleep(0.1);
            return null;
        }));
        // this fails if runUntilComplete does not clean up after the previous future
        loop.runUntilComplete(() -> {
            Aio.sleep(0.2);
            return null;
        });
    }

    @Test
    void test_default_exc_handler_callback() {
        try (LogCapture log = new LogCapture()) {
            AsyncFuture<Boolean> fut = loop.createFuture();
            loop.callSoon(() -> {
                fut.setResult(true);
                throw new ArithmeticException("/ by zero");
            });
            fut.addDoneCallback(f -> loop.stop());
            loop.runForever();
            assertTrue(log.messages().get(0).startsWith("Exception in callback"),
                    log.messages().toString());
            assertInstanceOf(ArithmeticException.class, log.records.get(0).getThrown());
        }
        try (LogCapture log = new LogCapture()) {
            AsyncFuture<Boolean> fut = loop.createFuture();
            loop.callLater(0.01, () -> {
                fut.setResult(true);
                throw new ArithmeticException("/ by zero");
            });
            fut.addDoneCallback(f -> loop.stop());
            loop.runForever();
            assertTrue(log.messages().get(0).startsWith("Exception in callback"),
                    log.messages().toString());
        }
    }

    @Test
    void test_set_exc_handler_custom() {
        loop.setDebug(true);
        assertNull(loop.getExceptionHandler());
        List<ErrorContext> calls = new ArrayList<>();
        ExceptionHandler mockHandler = (l, c) -> {
            assertSame(loop, l);
            calls.add(c);
        };
        loop.setExceptionHandler(mockHandler);
        assertSame(mockHandler, loop.getExceptionHandler());
        Handle handle = loop.callSoon(TestBaseEventsPortTest::zeroError);
        runOnce();
        assertEquals(1, calls.size());
        assertTrue(calls.get(0).message().startsWith("Exception in callback"));
        assertSame(handle, calls.get(0).handle());
        assertInstanceOf(ArithmeticException.class, calls.get(0).exception());

        loop.setExceptionHandler(null);
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(TestBaseEventsPortTest::zeroError);
            runOnce();
            assertTrue(log.messages().get(0).startsWith("Exception in callback"));
        }
        assertEquals(1, calls.size(), "the removed handler is not called");
    }

    @Test
    void test_set_exc_handler_broken() {
        loop.setExceptionHandler((l, c) -> {
            throw new IllegalStateException("spam");
        });
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(TestBaseEventsPortTest::zeroError);
            runOnce();
            assertTrue(log.messages().get(0).startsWith("Unhandled error in exception handler"),
                    log.messages().toString());
            assertInstanceOf(IllegalStateException.class, log.records.get(0).getThrown());
        }
    }

    @Test
    void test_set_task_factory() {
        assertNull(loop.getTaskFactory());
        List<String> made = new ArrayList<>();
        TaskFactory factory = new TaskFactory() {
            @Override
            public <T> Task<T> newTask(EventLoop l, Coroutine<T> coro, String name,
                    Context context) {
                made.add(name);
                return TaskFactory.EAGER.newTask(l, coro, name, context);
            }
        };
        loop.setTaskFactory(factory);
        assertSame(factory, loop.getTaskFactory());
        loop.runUntilComplete(loop.createTask(() -> null, "mine"));
        assertEquals(List.of("mine"), made);

        loop.setTaskFactory(null);
        assertNull(loop.getTaskFactory());
        loop.runUntilComplete(loop.createTask(() -> null, "plain"));
        assertEquals(List.of("mine"), made);
    }

    @Test
    void test_create_named_task_with_default_factory() {
        Task<Object> task = loop.createTask(() -> null, "test_task");
        assertEquals("test_task", task.getName());
        loop.runUntilComplete(task);
    }

    @Test
    void test_create_task_error_closes_coro() {
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.createTask(() -> null));
    }

    /** CPython's KeyboardInterrupt: a {@link VirtualMachineError} here, as ShowStopper. */
    static final class KeyboardInterrupt extends VirtualMachineError {
        KeyboardInterrupt() {
            super("keyboard interrupt");
        }
    }

    @Test
    void test_run_forever_keyboard_interrupt() {
        // the task run_until_complete makes consumes the interrupt: nothing is logged
        List<ErrorContext> reported = new ArrayList<>();
        loop.setExceptionHandler((l, c) -> reported.add(c));
        assertThrows(KeyboardInterrupt.class, () -> loop.runUntilComplete(() -> {
            throw new KeyboardInterrupt();
        }));
        loop.close();
        System.gc();
        assertEquals(List.of(), reported);
    }

    @Test
    void test_run_until_complete_baseexception() {
        // run_until_complete must not leave a pending stop() after a BaseException
        assertThrows(KeyboardInterrupt.class, () -> loop.runUntilComplete(() -> {
            throw new KeyboardInterrupt();
        }));
        boolean[] called = {false};
        loop.callSoon(() -> loop.callSoon(() -> {
            loop.stop();
            called[0] = true;
        }));
        loop.runForever();
        assertTrue(called[0]);
    }

    @Test
    void test_run_once() {
        // the idiom: loop.call_soon(loop.stop); loop.run_forever()
        int[] count = {0};
        loop.callSoon(() -> count[0]++);
        runOnce();
        assertEquals(1, count[0]);
    }

    @Test
    void test_run_forever_pre_stopped() throws Exception {
        // the old idiom: stop() before run_forever() runs one iteration, without waiting
        loop.callLater(60, () -> { });
        loop.stop();
        CompletableFuture<Void> ran = CompletableFuture.runAsync(loop::runForever);
        ran.get(10, TimeUnit.SECONDS);
    }

    private void runOnce() {
        loop.callSoon(loop::stop);
        loop.runForever();
    }

    private static void zeroError() {
        throw new ArithmeticException("/ by zero");
    }
}
