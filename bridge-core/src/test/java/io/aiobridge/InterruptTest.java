package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.net.Streams;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Thread.interrupt()} of the thread running a loop: Java's way to ask a blocked thread to
 * give up (an {@code ExecutorService.shutdownNow()}, a test's timeout), taken as asyncio's runner
 * takes Ctrl-C. The main task is cancelled and finishes its cleanup; the caller gets {@link
 * CancelledError} with the interrupt status set. (kotlinx's {@code runBlocking} also cancels its
 * coroutine on an interrupt, but throws at once, before the coroutine's cleanup has run.)
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InterruptTest {
    /** Runs {@code body} on a platform thread, interrupts it once {@code ready} opens. */
    private static Thread runAndInterrupt(Runnable body, CountDownLatch ready) throws Exception {
        Thread runner = Thread.ofPlatform().name("runner").start(body);
        assertTrue(ready.await(10, TimeUnit.SECONDS), "the main task started");
        runner.interrupt();
        runner.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(runner.isAlive(), "the interrupted run ended");
        return runner;
    }

    @Test
    void anInterruptCancelsTheMainTaskWhichFinishesItsCleanupBeforeTheCallerHearsOfIt()
            throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        CountDownLatch suspended = new CountDownLatch(1);
        runAndInterrupt(() -> {
            try (EventLoop loop = EventLoop.newEventLoop()) {
                loop.runUntilComplete(() -> {
                    try {
                        suspended.countDown();
                        Aio.sleep(3600);
                        return "slept";
                    } catch (CancelledError e) {
                        steps.add("main cancelled: " + e.getMessage());
                        Aio.sleep(0.01); // cleanup may still await
                        throw e;
                    } finally {
                        steps.add("main's finally");
                    }
                });
                steps.add("returned");
            } catch (CancelledError e) {
                steps.add("caller got CancelledError, interrupted="
                        + Thread.currentThread().isInterrupted());
            }
        }, suspended);
        assertEquals(List.of("main cancelled: the thread running the loop was interrupted",
                "main's finally", "caller got CancelledError, interrupted=true"), steps);
    }

    @Test
    void aMainTaskThatSuppressesTheCancellationReturnsItsResult() throws Exception {
        AtomicReference<String> outcome = new AtomicReference<>();
        CountDownLatch suspended = new CountDownLatch(1);
        runAndInterrupt(() -> {
            try (EventLoop loop = EventLoop.newEventLoop()) {
                String r = loop.runUntilComplete(() -> {
                    try {
                        suspended.countDown();
                        Aio.getRunningLoop().<String>createFuture().await(); // never done
                        return "awaited";
                    } catch (CancelledError e) {
                        Aio.currentTask().uncancel();
                        return "kept going";
                    }
                });
                outcome.set(r + ", interrupted=" + Thread.currentThread().isInterrupted());
            }
        }, suspended);
        assertEquals("kept going, interrupted=true", outcome.get());
    }

    @Test
    void anInterruptWhileTheRunnerWaitsForASocketCancelsToo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicReference<String> outcome = new AtomicReference<>();
            CountDownLatch reading = new CountDownLatch(1);
            Thread runner = Thread.ofPlatform().start(() -> {
                try {
                    Aio.run(() -> {
                        Streams.Connection c = Streams.openConnection("127.0.0.1",
                                server.getLocalPort());
                        try {
                            reading.countDown();
                            return new String(c.reader().read(10)); // the peer never writes
                        } finally {
                            c.writer().close();
                        }
                    });
                    outcome.set("read");
                } catch (CancelledError e) {
                    outcome.set("cancelled, interrupted=" + Thread.currentThread().isInterrupted());
                }
            });
            try (Socket accepted = server.accept()) {
                accepted.setSoTimeout(10_000);
                assertTrue(reading.await(10, TimeUnit.SECONDS));
                Thread.sleep(50); // let the read reach the selector: the wait is then the runner's
                runner.interrupt();
                runner.join(TimeUnit.SECONDS.toMillis(20));
                assertFalse(runner.isAlive());
                assertEquals("cancelled, interrupted=true", outcome.get());
                assertEquals(-1, accepted.getInputStream().read(), "the connection was closed");
            }
        }
    }

    @Test
    void runForeverStopsOnAnInterruptAndTheLoopCanBeRunAgain() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        EventLoop loop = EventLoop.newEventLoop();
        AtomicReference<Task<String>> task = new AtomicReference<>();
        runAndInterrupt(() -> {
            loop.callSoon(() -> task.set(loop.createTask(() -> {
                started.countDown();
                Aio.sleep(0.2);
                return "finished";
            })));
            loop.runForever();
            steps.add("runForever returned, interrupted=" + Thread.interrupted());
        }, started);
        assertFalse(task.get().isDone(), "stopping is not cancelling");
        assertEquals("finished", loop.runUntilComplete(task.get()), "the next run goes on");
        loop.close();
        assertEquals(List.of("runForever returned, interrupted=true"), steps);
    }

    @Test
    void anInterruptDuringCloseDoesNotCutTheCleanupShort() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicReference<EventLoop> made = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().start(() -> {
            EventLoop loop = EventLoop.newEventLoop();
            made.set(loop);
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                    y.yield(2);
                } finally {
                    closing.countDown(); // close() is closing the generator left parked
                    while (interrupted.getCount() > 0) {
                        Aio.sleep(0.005);
                    }
                    Aio.sleep(0.02);
                    steps.add("generator's finally done");
                }
            });
            loop.runUntilComplete(() -> io.aiobridge.iter.Comprehensions.anext(gen));
            loop.close();
            steps.add("closed=" + loop.isClosed() + ", interrupted="
                    + Thread.currentThread().isInterrupted());
        });
        assertTrue(closing.await(10, TimeUnit.SECONDS));
        runner.interrupt();
        interrupted.countDown();
        runner.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(runner.isAlive());
        assertEquals(List.of("generator's finally done", "closed=true, interrupted=true"), steps);
    }

    @Test
    void anInterruptAlreadySetOnEntryIsKeptButDoesNotCancel() {
        Thread.currentThread().interrupt();
        try (EventLoop loop = EventLoop.newEventLoop()) {
            assertEquals("done", loop.runUntilComplete(() -> {
                Aio.sleep(0.01);
                return "done";
            }), "cleanup after an interrupted run still finishes");
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's status is kept");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aTaskThatInterruptsItsOwnThreadDoesNotCancelMain() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            assertEquals("ok", loop.runUntilComplete(() -> {
                Task<String> child = Aio.createTask(() -> {
                    Thread.currentThread().interrupt();
                    Aio.sleep(0.01);
                    return "child";
                });
                Aio.sleep(0.05);
                return child.await().equals("child") ? "ok" : "child lost";
            }));
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void interruptingAGroupsLoopThreadNeitherCancelsItsTasksNorStopsTheGroup() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.builder().name("interrupted").loops(1).build()) {
            CountDownLatch suspended = new CountDownLatch(1);
            java.util.concurrent.CompletableFuture<String> slow = g.submit(() -> {
                suspended.countDown();
                Aio.sleep(0.2);
                return "slow finished";
            });
            assertTrue(suspended.await(10, TimeUnit.SECONDS));
            Thread member = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("interrupted-0")).findFirst().orElseThrow();
            member.interrupt(); // its runForever stops; the group runs it again
            assertEquals("slow finished", slow.get(10, TimeUnit.SECONDS),
                    "a group's task is not a main task: nothing is cancelled");
            assertEquals("still serving", g.submit(() -> "still serving")
                    .get(10, TimeUnit.SECONDS));
            assertTrue(member.isAlive());
        }
    }

    @Test
    void shutdownNowEndsAnExecutorThatRunsALoop() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        CountDownLatch suspended = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<String> f = pool.submit(() -> Aio.run(() -> {
            try {
                suspended.countDown();
                Aio.sleep(3600);
                return "slept";
            } finally {
                steps.add("main's finally");
            }
        }));
        assertTrue(suspended.await(10, TimeUnit.SECONDS));
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS), "the pool's thread ended");
        assertEquals(List.of("main's finally"), steps);
        assertTrue(f.isDone());
    }
}
