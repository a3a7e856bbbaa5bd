package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.LogCapture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLoopGroupTest {

    private static final double WAIT = 10;

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get((long) WAIT, TimeUnit.SECONDS);
    }

    /** The live threads whose names start with {@code prefix} and are daemons or not. */
    static Set<String> groupThreads(String prefix, boolean daemon) {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isDaemon() == daemon && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    // ---- choosing a loop ------------------------------------------------------------------------

    @Test
    void nextGoesRoundRobinAndEachLoopRunsOnItsOwnNamedThread() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.builder().name("web").loops(3).build()) {
            List<EventLoop> seen = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                seen.add(get(g.submit(() -> Aio.getRunningLoop())));
            }
            assertEquals(Set.copyOf(g.loops()), Set.copyOf(seen), "every loop was used");
            for (int i = 0; i < 3; i++) {
                assertSame(seen.get(i), seen.get(i + 3), "round-robin: " + seen);
            }
            // each loop's runner thread, named after the group; not a daemon, as an executor's
            assertEquals(Set.of("web-0", "web-1", "web-2"), groupThreads("web-", false));
            assertEquals(3, g.size());
            assertEquals("web", g.name());
        }
    }

    @Test
    void aKeyStaysOnOneLoopAndKeysSpreadOverAll() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.create(2)) {
            Map<EventLoop, Integer> perLoop = new HashMap<>();
            for (int key = 0; key < 100; key++) {
                EventLoop l = g.loopFor("connection-" + key);
                assertSame(l, g.loopFor("connection-" + key), "stable for a key");
                int k = key;
                assertSame(l, get(g.submit("connection-" + k, () -> Aio.getRunningLoop())));
                perLoop.merge(l, 1, Integer::sum);
            }
            assertEquals(2, perLoop.size(), "keys spread over both loops: " + perLoop);
            assertTrue(perLoop.values().stream().allMatch(n -> n >= 30), perLoop.toString());
        }
    }

    // ---- between loops ---------------------------------------------------------------------------

    @Test
    void aTaskAwaitsAnotherLoopsWorkThroughTheCompletableFuture() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.create(2)) {
            EventLoop a = g.loops().get(0);
            EventLoop b = g.loops().get(1);
            String r = get(Aio.runCoroutineThreadsafe(() -> {
                String there = Aio.await(Aio.runCoroutineThreadsafe(() -> Aio.sleep(0.01,
                        "on " + (Aio.getRunningLoop() == b ? "b" : "?")), b));
                return there + ", back on " + (Aio.getRunningLoop() == a ? "a" : "?");
            }, a));
            assertEquals("on b, back on a", r);
        }
    }

    @Test
    void awaitingAnotherLoopsFutureDirectlyIsRefusedClearly() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.create(2)) {
            EventLoop b = g.loops().get(1);
            AsyncFuture<String> onB = get(Aio.runCoroutineThreadsafe(() -> b.createFuture(), b));
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(
                    Aio.runCoroutineThreadsafe(() -> onB.await(), g.loops().get(0))));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("attached to a different loop"),
                    e.getCause().getMessage());
        }
    }

    // ---- shutting down ---------------------------------------------------------------------------

    @Test
    void closeCancelsTasksFinishesGeneratorsAndEndsEveryThread() throws Exception {
        AtomicInteger taskFinallies = new AtomicInteger();
        AtomicInteger generatorFinallies = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(4);
        List<CompletableFuture<Integer>> sleepers = new ArrayList<>();
        EventLoopGroup g = EventLoopGroup.create(2);
        for (int i = 0; i < 2; i++) {
            // a task waiting for a long time
            sleepers.add(g.submit(() -> {
                try {
                    started.countDown();
                    return Aio.sleep(3600, 1);
                } finally {
                    taskFinallies.incrementAndGet();
                }
            }));
            // a generator left open at a yield, owned by no task
            g.submit(() -> {
                AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                    try {
                        y.yield(1);
                        y.yield(2);
                    } finally {
                        generatorFinallies.incrementAndGet();
                    }
                });
                gen.anext().await();
                started.countDown();
                return null;
            });
        }
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        assertTrue(g.shutdownGracefully(5), "everything finished in time");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4), "no waiting for timeouts");
        assertEquals(2, taskFinallies.get(), "each task's finally ran once");
        assertEquals(2, generatorFinallies.get(), "each open generator was closed once");
        for (CompletableFuture<Integer> s : sleepers) {
            assertThrows(CancellationException.class, () -> s.getNow(0));
        }
        assertTrue(g.isTerminated());
        for (EventLoop l : g.loops()) {
            assertTrue(l.isClosed());
        }
        assertEquals(Set.of(), groupThreads(g.name() + "-", false), "no thread left");
        g.close(); // idempotent
    }

    @Test
    void aTaskThatRefusesToEndIsReportedAndCloseDoesNotHang() throws Exception {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        EventLoopGroup g = EventLoopGroup.builder().loops(1).shutdownTimeout(0.3).build();
        g.loops().get(0).setExceptionHandler((l, c) -> reported.add(c));
        g.submit(() -> {
            Aio.currentTask().setName("stubborn");
            started.countDown();
            for (;;) {
                try {
                    Aio.sleep(3600);
                } catch (CancelledError swallowed) {
                    // refuses to end
                }
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        g.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "close is bounded");
        assertTrue(g.isTerminated());
        assertTrue(reported.stream().anyMatch(c -> c.message().contains("stubborn")
                && c.message().contains("did not finish within the shutdown timeout")),
                reported.toString());
    }

    @Test
    void aLoopBlockedByItsTaskIsNamedAndShutdownReturnsAfterTheTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        EventLoopGroup g = EventLoopGroup.builder().name("stuck").loops(2).build();
        try (LogCapture log = new LogCapture("io.aiobridge.EventLoopGroup")) {
            g.submit(() -> {
                blocking.countDown();
                release.await(); // blocks the loop's thread: a bug the shutdown must survive
                return null;
            });
            assertTrue(blocking.await(5, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            assertFalse(g.shutdownGracefully(0.2));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "bounded");
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("stuck-0")
                    && m.contains("did not stop")), log.messages().toString());
        } finally {
            release.countDown();
        }
        assertTrue(get(g.shutdown()) == null && g.isTerminated(), "it ends once unblocked");
    }

    // ---- a failing loop --------------------------------------------------------------------------

    @Test
    void aFailedLoopIsClosedAndSkippedWhileTheOthersGoOn() throws Exception {
        try (LogCapture log = new LogCapture("io.aiobridge.EventLoopGroup");
                EventLoopGroup g = EventLoopGroup.builder().loops(2).shutdownTimeout(1).build()) {
            EventLoop bad = g.loops().get(0);
            EventLoop good = g.loops().get(1);
            CompletableFuture<Integer> onBad = Aio.runCoroutineThreadsafe(
                    () -> Aio.sleep(3600, 1), bad);
            bad.callSoonThreadsafe(() -> {
                throw new InternalError("simulated VM failure");
            });
            assertThrows(CancellationException.class, () -> get(onBad),
                    "the failed loop's tasks were cancelled");
            for (int i = 0; i < 10; i++) {
                assertSame(good, g.next(), "next() skips the failed loop");
                assertSame(good, get(g.submit("key" + i, () -> Aio.getRunningLoop())));
            }
            // the failed loop's thread cancels its tasks first and closes it after: the close
            // may still be under way when the cancellation is seen (it was, under CI's load)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!bad.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(bad.isClosed(), "the failed loop is closed by its thread");
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("loop 0")
                    && m.contains("failed")), log.messages().toString());
            assertInstanceOf(InternalError.class, log.records.get(0).getThrown());
        }
    }

    @Test
    void aTaskStoppingItsLoopDoesNotEndTheLoopInAGroup() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.create(1)) {
            get(g.submit(() -> {
                Aio.getRunningLoop().stop();
                return null;
            }));
            assertEquals(42, get(g.submit(() -> Aio.sleep(0.01, 42))), "the loop runs on");
        }
    }

    // ---- misuse ------------------------------------------------------------------------------------

    @Test
    void badInputAndMisuseGiveClearErrors() throws Exception {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> EventLoopGroup.create(0));
        assertTrue(zero.getMessage().contains("at least 1 loop, got 0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventLoopGroup.builder().loops(-2));
        // NaN gets the message every other time parameter gives (docs/errors.md, rule 3)
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EventLoopGroup.builder().shutdownTimeout(Double.NaN)).getMessage()
                .startsWith("Invalid delay: NaN (not a number); shutdownTimeout"));
        assertThrows(IllegalArgumentException.class,
                () -> EventLoopGroup.builder().shutdownTimeout(-1));
        assertThrows(NullPointerException.class, () -> EventLoopGroup.builder().name(null));

        EventLoopGroup g = EventLoopGroup.create(1);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> g.shutdownGracefully(Double.NaN)).getMessage()
                .startsWith("Invalid delay: NaN (not a number); shutdownGracefully's timeout"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> g.shutdownGracefully(-1)).getMessage()
                .startsWith("timeout must be >= 0 seconds, got -1.0"));
        assertThrows(NullPointerException.class, () -> g.submit(null));
        assertThrows(NullPointerException.class, () -> g.loopFor(null));
        ExecutionException fromInside = assertThrows(ExecutionException.class,
                () -> get(g.submit(() -> {
                    g.close();
                    return null;
                })));
        assertTrue(fromInside.getCause().getMessage().startsWith("Cannot close EventLoopGroup"),
                fromInside.getCause().getMessage());
        assertTrue(fromInside.getCause().getMessage().contains("call shutdown()"));
        // shutdown() from inside is fine: it does not wait; waiting for its future there is not
        ExecutionException joined = assertThrows(ExecutionException.class,
                () -> get(g.submit(() -> {
                    CompletableFuture<Void> down = g.shutdown();
                    assertNotSame(null, down);
                    return down.join();
                })));
        assertTrue(joined.getCause().getMessage().startsWith("Cannot close EventLoopGroup")
                && joined.getCause().getMessage().contains("join() would never return"),
                joined.getCause().getMessage());
        get(g.shutdown());
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> g.submit(() -> 1));
        assertTrue(closed.getMessage().contains("is shut down"), closed.getMessage());
        assertThrows(IllegalStateException.class, g::next);
        g.close();
    }

    // ---- the default group ------------------------------------------------------------------------

    @Test
    void theDefaultGroupIsAGroupAndComesBackAfterBeingClosed() throws Exception {
        EventLoopGroup d = EventLoopGroup.defaultGroup();
        assertSame(d, EventLoopGroup.defaultGroup());
        assertEquals(d.size(), groupThreads("aiobridge-default-", true).size(), "daemon threads");
        assertEquals(42, get(d.submit(() -> Aio.sleep(0.01, 42))));
        EventLoopGroup mine = EventLoopGroup.builder().name("app").loops(1).build();
        EventLoopGroup previous = EventLoopGroup.setDefaultGroup(mine);
        try {
            assertSame(d, previous);
            assertSame(mine, EventLoopGroup.defaultGroup());
            mine.close();
            EventLoopGroup fresh = EventLoopGroup.defaultGroup();
            assertNotSame(mine, fresh, "a closed default is replaced on next use");
            assertTrue(fresh.name().startsWith("aiobridge-default"));
        } finally {
            EventLoopGroup.setDefaultGroup(d);
        }
    }
}
