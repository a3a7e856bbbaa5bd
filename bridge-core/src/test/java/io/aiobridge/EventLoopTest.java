package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.LogCapture;
import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void callSoonRunsFifoAndLaterAdditionsRunNextIteration() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<String> seen = new ArrayList<>();
            loop.callSoon(() -> {
                seen.add("a");
                loop.callSoon(() -> seen.add("a-child"));
            });
            loop.callSoon(() -> seen.add("b"));
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of("a", "b"), seen);
            loop.stop();
            loop.runForever();
            assertEquals(List.of("a", "b", "a-child"), seen);
        }
    }

    @Test
    void timersRunByTimeThenSchedulingOrderOnVirtualTime() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<String> seen = new ArrayList<>();
            double t0 = loop.time();
            loop.callAt(t0 + 5, () -> seen.add("5a"));
            loop.callLater(1, () -> seen.add("1"));
            loop.callAt(t0 + 5, () -> seen.add("5b"));
            TimerHandle cancelled = loop.callLater(3, () -> seen.add("3"));
            loop.callLater(3600, loop::stop);
            cancelled.cancel();
            assertTrue(cancelled.isCancelled());
            assertEquals(t0 + 3, cancelled.when());
            loop.runForever();
            assertEquals(List.of("1", "5a", "5b"), seen);
            assertEquals(t0 + 3600, loop.time(), 1e-6, "virtual clock jumped to the last timer");
        }
    }

    @Test
    void manyCancelledTimersAreSweptOutOfTheQueue() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<TimerHandle> hs = new ArrayList<>();
            int[] fired = {0};
            for (int i = 0; i < 1000; i++) {
                hs.add(loop.callLater(10 + i, () -> fired[0]++));
            }
            for (int i = 0; i < 900; i++) {
                hs.get(i).cancel();
            }
            loop.callSoon(loop::stop);
            loop.runForever();
            assertTrue(loop.toString().contains("timers=100 "), loop.toString());
            loop.callLater(5000, loop::stop);
            loop.runForever();
            assertEquals(100, fired[0]);
        }
    }

    @Test
    void stopBeforeRunForeverRunsExactlyOneIteration() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<String> seen = new ArrayList<>();
            loop.callSoon(() -> {
                seen.add("first");
                loop.callSoon(() -> seen.add("second"));
            });
            loop.stop();
            loop.runForever();
            assertEquals(List.of("first"), seen);
            assertFalse(loop.isRunning());
        }
    }

    @Test
    void runningARunningLoopFailsClearlyInsteadOfHanging() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            AtomicReference<Throwable> nested = new AtomicReference<>();
            AtomicReference<Throwable> other = new AtomicReference<>();
            loop.callSoon(() -> {
                try {
                    loop.runForever();
                } catch (IllegalStateException e) {
                    nested.set(e);
                }
                try (EventLoop second = EventLoop.newEventLoop()) {
                    second.runForever();
                } catch (IllegalStateException e) {
                    other.set(e);
                }
                loop.stop();
            });
            loop.runForever();
            assertTrue(nested.get().getMessage().contains("already running"), nested.get().getMessage());
            assertTrue(other.get().getMessage().contains("another loop"), other.get().getMessage());
        }
    }

    @Test
    void runningFromTwoThreadsAtOnceFailsOnTheSecond() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            CountDownLatch running = new CountDownLatch(1);
            loop.callSoon(running::countDown);
            Thread t = new Thread(loop::runForever);
            t.start();
            assertTrue(running.await(5, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, loop::runForever);
            assertTrue(e.getMessage().contains("runs on another thread"), e.getMessage());
            WrongThreadException w = assertThrows(WrongThreadException.class,
                    () -> loop.callSoon(() -> { }));
            assertTrue(w.getMessage().contains("callSoonThreadsafe"), w.getMessage());
            assertThrows(IllegalStateException.class, loop::close);
            loop.callSoonThreadsafe(loop::stop);
            t.join(5000);
            assertFalse(t.isAlive());
        }
    }

    @Test
    void idleStatsAreReadFromAnyThreadWhileTheLoopWaitsAndNullWhileItRuns() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            assertNull(loop.idleStats(), "not started");
            AsyncFuture<Void> release = loop.createFuture();
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            AtomicReference<LoopStats> onTheLoop = new AtomicReference<>();
            Thread t = new Thread(() -> loop.runUntilComplete(() -> {
                Aio.createTask(release::await);
                Aio.getRunningLoop().callLater(60, () -> { });
                Aio.sleep(0); // the other task starts and suspends
                onTheLoop.set(loop.idleStats()); // the loop itself is running here
                release.await();
                holding.countDown();
                letGo.await(); // blocks the loop's thread: it runs, it does not wait for work
                return null;
            }));
            t.start();
            // two tasks suspended and one timer, nothing ready: idle, and it stays so
            LoopStats idle = waitForIdle(loop);
            assertEquals(new LoopStats(2, 0, 1, 0), idle);
            assertNull(onTheLoop.get(), "asked on the running loop: not waiting");
            Thread.sleep(50);
            assertEquals(idle, loop.idleStats(), "nothing woke it");
            // a release from another thread wakes it; blocked in a step, it is not idle
            loop.callSoonThreadsafe(() -> release.setResult(null));
            assertTrue(holding.await(5, TimeUnit.SECONDS));
            assertNull(loop.idleStats(), "running a step");
            letGo.countDown();
            t.join(5000);
            assertNull(loop.idleStats(), "stopped");
        }
    }

    /** Waits until {@code loop} waits for work and returns what it reports then. */
    private static LoopStats waitForIdle(EventLoop loop) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        LoopStats s;
        while ((s = loop.idleStats()) == null && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        assertNotNull(s, "the loop never waited for work");
        return s;
    }

    @Test
    void statsCountTasksReadyCallbacksTimersAndSlowStepsOnTheLoopOnly() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            assertEquals(new LoopStats(0, 0, 0, 0), loop.stats());
            loop.setDebug(true);
            loop.setSlowCallbackDuration(0.01);
            LoopStats seen = loop.runUntilComplete(loop.createTask(() -> {
                AsyncFuture<Void> never = Aio.getRunningLoop().createFuture();
                Aio.createTask(never::await);
                Aio.createTask(never::await);
                Aio.getRunningLoop().callLater(60, () -> { });
                Aio.getRunningLoop().callSoon(() -> { });
                LoopStats s = Aio.getRunningLoop().stats();
                never.cancel();
                return s;
            }));
            // this task and the two it made; their first steps and the callSoon are ready
            assertEquals(3, seen.liveTasks());
            assertEquals(3, seen.ready());
            assertEquals(1, seen.timers());
            long slowBefore = loop.stats().slowSteps(); // a cold first step may be slow too
            loop.callSoon(() -> {
                long end = System.nanoTime() + 20_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // a step that holds the loop for 20 ms
                }
            });
            try (LogCapture log = new LogCapture()) {
                loop.runUntilComplete(loop.createTask(() -> Aio.sleep(0.05, "slept")));
                assertTrue(log.messages().toString().contains("took"), log.messages().toString());
            }
            assertEquals(slowBefore + 1, loop.stats().slowSteps(), "counted in debug mode");

            CountDownLatch running = new CountDownLatch(1);
            loop.callSoon(running::countDown);
            Thread t = new Thread(loop::runForever);
            t.start();
            assertTrue(running.await(5, TimeUnit.SECONDS));
            assertThrows(WrongThreadException.class, loop::stats, "read it on the loop");
            loop.callSoonThreadsafe(loop::stop);
            t.join(5000);
        }
    }

    @Test
    void closedLoopRejectsUseWithAClearError() {
        EventLoop loop = EventLoop.newEventLoop();
        loop.close();
        loop.close(); // idempotent
        assertTrue(loop.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, loop::runForever);
        assertTrue(e.getMessage().startsWith("Event loop is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> loop.callSoon(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.createTask(() -> 1));
    }

    @Test
    void closeCancelsAndFinishesEveryTaskSoNoThreadIsLeftParked() {
        EventLoop loop = EventLoop.newVirtualTimeEventLoop();
        List<String> seen = new ArrayList<>();
        Task<Void> sleeper = loop.createTask(() -> {
            try {
                Aio.sleep(1000);
            } finally {
                seen.add("finally");
                try {
                    Aio.sleep(1); // awaiting while the loop closes fails at once
                } catch (CancelledError e) {
                    seen.add("await in finally cancelled");
                }
            }
            return null;
        });
        loop.stop();
        loop.runForever(); // one iteration: sleeper starts and parks
        Task<Void> neverStarted = loop.createTask(() -> {
            seen.add("must not run");
            return null;
        });
        Thread th = threadOf(sleeper);
        assertTrue(th.isAlive());
        loop.close();
        assertEquals(List.of("finally", "await in finally cancelled"), seen);
        assertTrue(sleeper.isCancelled());
        assertTrue(neverStarted.isCancelled());
        joinQuietly(th);
        assertFalse(th.isAlive(), "task thread still alive after close");
    }

    static Thread threadOf(Task<?> t) {
        return t.thread;
    }

    static void joinQuietly(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void callbackErrorsGoToTheExceptionHandlerWithTheHandle() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<ErrorContext> reported = new ArrayList<>();
            loop.setExceptionHandler((l, ctx) -> reported.add(ctx));
            RuntimeException boom = new RuntimeException("boom");
            Handle h = loop.callSoon(() -> {
                throw boom;
            });
            List<String> after = new ArrayList<>();
            loop.callSoon(() -> after.add("next callback still runs"));
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(1, reported.size());
            assertSame(boom, reported.get(0).exception());
            assertSame(h, reported.get(0).handle());
            assertTrue(reported.get(0).message().startsWith("Exception in callback"));
            assertEquals(List.of("next callback still runs"), after);
        }
    }

    @Test
    void defaultHandlerLogsThroughSystemLoggerAndHandlerFailuresAreLogged() {
        try (LogCapture log = new LogCapture();
                EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            loop.callExceptionHandler(ErrorContext.of("something broke", new IllegalStateException("x")));
            assertEquals(List.of("something broke"), log.messages());
            assertInstanceOf(IllegalStateException.class, log.records.get(0).getThrown());
            loop.setExceptionHandler((l, c) -> {
                throw new RuntimeException("handler broke");
            });
            loop.callExceptionHandler(ErrorContext.of("second", null));
            assertEquals(2, log.records.size());
            assertTrue(log.messages().get(1).contains("Unhandled error in exception handler"));
            assertTrue(log.messages().get(1).contains("second"));
        }
    }

    @Test
    void debugModeWarnsAboutSlowStepsNamingTaskAndCreationSite() {
        List<String> warnings;
        try (LogCapture log = new LogCapture(); EventLoop loop = EventLoop.newEventLoop()) {
            loop.setDebug(true);
            loop.setSlowCallbackDuration(0.01);
            loop.runUntilComplete(loop.createTask(() -> {
                Thread.sleep(30); // blocks the loop: exactly what debug mode should flag
                return null;
            }, "blocker"));
            warnings = log.messages();
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("name='blocker'")
                && w.contains("created at") && w.contains("EventLoopTest")
                && w.contains("took")), warnings.toString());
    }

    @Test
    void taskFactoryIsUsedAndEagerFactoryRunsUntilFirstSuspension() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            loop.setTaskFactory(TaskFactory.EAGER);
            assertSame(TaskFactory.EAGER, loop.getTaskFactory());
            s.expect(1);
            Task<String> t = loop.createTask(() -> {
                s.expect(2);
                Aio.sleep(0);
                s.expect(4);
                return "eager";
            });
            s.expect(3);
            assertEquals("eager", t.await());
            Task<Integer> done = loop.createTask(() -> 7);
            assertTrue(done.isDone(), "a task with no await finishes inside createTask");
            loop.setTaskFactory(null);
            Task<Integer> lazy = loop.createTask(() -> 8);
            assertFalse(lazy.isDone());
            s.finish(5);
            return lazy.await();
        });
    }

    @Test
    void runInExecutorDeliversResultsErrorsAndCancellation() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            Loops.virtual(() -> {
                EventLoop loop = Aio.getRunningLoop();
                assertEquals(42, loop.runInExecutor(null, () -> 42).await());
                AsyncFuture<Object> failing = loop.runInExecutor(null, () -> {
                    throw new IOException("disk");
                });
                Throwable e = assertThrows(CompletionException.class,
                        failing::await);
                assertInstanceOf(IOException.class, e.getCause());
                // occupy the single thread, then cancel a queued job before it starts
                AsyncFuture<Object> blocker = loop.runInExecutor(single, () -> {
                    release.await();
                    return null;
                });
                boolean[] ran = {false};
                AsyncFuture<Object> queued = loop.runInExecutor(single, () -> {
                    ran[0] = true;
                    return null;
                });
                assertTrue(queued.cancel());
                release.countDown();
                blocker.await();
                loop.shutdownDefaultExecutor().await();
                IllegalStateException shut = assertThrows(IllegalStateException.class,
                        () -> loop.runInExecutor(null, () -> 1));
                assertTrue(shut.getMessage().contains("shutdown"));
                assertFalse(ran[0]);
                return null;
            });
        } finally {
            single.shutdownNow();
        }
    }

    @Test
    void virtualTimeSleepOfAnHourReturnsAtOnce() {
        long start = System.nanoTime();
        double[] times = Loops.virtual(() -> {
            double t0 = Aio.getRunningLoop().time();
            Aio.sleep(3600);
            return new double[] {t0, Aio.getRunningLoop().time()};
        });
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(3600, times[1] - times[0], 1e-6);
    }

    @Test
    void theRealClockFollowsRealTimeInSecondsAndVirtualTimeDoesNot() throws Exception {
        try (EventLoop real = EventLoop.newEventLoop();
                EventLoop virtual = EventLoop.newVirtualTimeEventLoop()) {
            // the JDK's clock brackets the loop's readings: before the first, after the last,
            // so a thread descheduled between two readings cannot put the loop's span outside
            long n0 = System.nanoTime();
            double r0 = real.time();
            double v0 = virtual.time();
            Thread.sleep(50);
            double r1 = real.time();
            double elapsed = (System.nanoTime() - n0) / 1e9;
            assertTrue(r1 - r0 >= 0.049 && r1 - r0 <= elapsed + 0.001,
                    "seconds of real time: " + (r1 - r0) + " within " + elapsed);
            assertEquals(v0, virtual.time(), "a virtual clock stands still while nothing runs");
            double last = real.time();
            for (int i = 0; i < 10_000; i++) {
                double t = real.time();
                assertTrue(t >= last, "monotonic");
                last = t;
            }
        }
    }

    @Test
    void runUntilCompleteChecksTheFutureAndTheStop() {
        try (EventLoop a = EventLoop.newVirtualTimeEventLoop();
                EventLoop b = EventLoop.newVirtualTimeEventLoop()) {
            AsyncFuture<String> ofB = b.createFuture();
            assertThrows(IllegalArgumentException.class, () -> a.runUntilComplete(ofB));
            AsyncFuture<String> never = a.createFuture();
            a.callSoon(a::stop);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> a.runUntilComplete(never));
            assertTrue(e.getMessage().contains("stopped before Future completed"));
            a.callSoon(() -> never.setResult("ok"));
            assertEquals("ok", a.runUntilComplete(never));
        }
    }

    @Test
    void callSoonThreadsafeWakesAWaitingLoop() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                loop.callSoonThreadsafe(() -> f.setResult("from outside"));
            });
            t.start();
            assertEquals("from outside", loop.runUntilComplete(f));
            t.join();
        }
    }

    @Test
    void callLaterThreadsafeArmsOnTheLoopClockAndCancelsFromAnyThread() throws Exception {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<String> steps = Collections.synchronizedList(new ArrayList<>());
            AsyncFuture<Double> fired = loop.createFuture();
            Handle late = loop.callLaterThreadsafe(20, () -> steps.add("late"));
            Thread t = new Thread(() -> {
                Handle before = loop.callLaterThreadsafe(5, () -> steps.add("cancelled before"));
                before.cancel(); // before or after the hop arms it: it must not run
                loop.callLaterThreadsafe(10, () -> {
                    steps.add("at " + loop.time());
                    // by now `late` is an armed timer; cancel it from yet another thread
                    Thread c = new Thread(late::cancel);
                    c.start();
                    try {
                        c.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    fired.setResult(loop.time());
                });
            });
            t.start();
            t.join(); // all requests are in before the loop starts: its clock is still at 0
            assertEquals(10.0, loop.runUntilComplete(fired), 1e-9);
            AsyncFuture<Void> end = loop.createFuture();
            loop.callLater(30, () -> end.setResult(null));
            loop.runUntilComplete(end);
            assertEquals(List.of("at 10.0"), steps);
            assertTrue(late.isCancelled());
        }
        EventLoop closed = EventLoop.newEventLoop();
        closed.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> closed.callLaterThreadsafe(1, () -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void nanDelaysAreRejected() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.callLater(Double.NaN, () -> { }));
            assertTrue(e.getMessage().contains("NaN"));
            assertThrows(NullPointerException.class, () -> loop.callSoon(null));
            assertNotNull(loop.toString());
        }
    }
}
