package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Loops whose tasks run on an executor of the application's ({@link EventLoop#newEventLoopOn},
 * {@link EventLoopGroup.Builder#carriers}): what lets a WebFlux handler stay on Netty's thread.
 * The suite runs twice; these tests need the run whose JVM opens {@code java.lang}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LoopOnExecutorTest {
    private ExecutorService carrierA;
    private ExecutorService carrierB;

    @BeforeEach
    void carriers() {
        carrierA = Executors.newSingleThreadExecutor(r -> new Thread(r, "carrier-a"));
        carrierB = Executors.newSingleThreadExecutor(r -> new Thread(r, "carrier-b"));
    }

    @AfterEach
    void shutDown() {
        carrierA.shutdownNow();
        carrierB.shutdownNow();
    }

    @Test
    void withoutTheOpensTheLoopCannotBeMadeAndTheMessageNamesTheFlag() {
        assumeFalse(EventLoop.carriersAvailable(), "this JVM opens java.lang");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoop.newEventLoopOn(carrierA));
        assertTrue(e.getMessage().contains("--add-opens java.base/java.lang=ALL-UNNAMED"),
                e.getMessage());
    }

    @Test
    void aTasksCodeHoldsTheCarriersThreadUntilItSuspends() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        List<String> steps = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.newEventLoopOn(carrierA)) {
            assertTrue(loop.toString().contains("engine=executor("), loop.toString());
            loop.runUntilComplete(() -> {
                CountDownLatch ran = new CountDownLatch(1);
                carrierA.execute(() -> {
                    steps.add("the carrier's other work");
                    ran.countDown();
                });
                steps.add("task runs");
                // the carrier's thread is this task's until it suspends: the job cannot run yet
                // (a spin, not a wait: a blocking wait would unmount the task and free it)
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                assertEquals(1, ran.getCount(), "the carrier ran other work beside the task");
                steps.add("task suspends");
                Aio.sleep(0.05);
                steps.add("task resumes");
                return null;
            });
        }
        assertEquals(List.of("task runs", "task suspends", "the carrier's other work",
                "task resumes"), steps);
    }

    @Test
    void blockingWorkAndThreadsStartedByATaskStayOffTheCarrier() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        try (EventLoop loop = EventLoop.newEventLoopOn(carrierA)) {
            List<String> seen = loop.runUntilComplete(() -> {
                // each spins until the carrier has run other work: on the carrier they never would
                CountDownLatch carrierFree = new CountDownLatch(1);
                AtomicReference<String> mineSaw = new AtomicReference<>("never ran");
                Thread mine = Thread.ofVirtual().start(() -> mineSaw.set(spinUntil(carrierFree)));
                String job = Aio.toThread(() -> {
                    carrierA.execute(carrierFree::countDown);
                    return spinUntil(carrierFree);
                });
                mine.join(TimeUnit.SECONDS.toMillis(20));
                return List.of(job, mineSaw.get());
            });
            assertEquals(List.of("carrier ran other work", "carrier ran other work"), seen,
                    "[Aio.toThread job, virtual thread the task started]");
        }
    }

    /** Counts what is submitted to a single-thread executor. */
    private static final class CountingExecutor implements java.util.concurrent.Executor {
        final ExecutorService inner;
        final AtomicInteger submitted = new AtomicInteger();

        CountingExecutor(ExecutorService inner) {
            this.inner = inner;
        }

        @Override
        public void execute(Runnable r) {
            submitted.incrementAndGet();
            inner.execute(r);
        }
    }

    @Test
    void aTaskSwitchOnTheCarrierRunsTheNextTaskInTheSameRunNotAtTheBackOfItsQueue() {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        // two tasks trade the loop 2,000 times; each trade is one task's thread parking and the
        // other's resuming. Through the executor's queue each would be a submission (behind a
        // Netty event loop's whole batch of other work); handed over in the same run, only one
        // in HANDOFFS_PER_RUN is
        CountingExecutor carrier = new CountingExecutor(carrierA);
        int rounds = 1000;
        try (EventLoop loop = EventLoop.newEventLoopOn(carrier)) {
            List<String> order = loop.runUntilComplete(() -> {
                List<String> seen = new CopyOnWriteArrayList<>();
                Task<Void> a = Aio.createTask(() -> {
                    for (int i = 0; i < rounds; i++) {
                        seen.add("a" + i);
                        Aio.sleep(0);
                    }
                    return null;
                });
                Task<Void> b = Aio.createTask(() -> {
                    for (int i = 0; i < rounds; i++) {
                        seen.add("b" + i);
                        Aio.sleep(0);
                    }
                    return null;
                });
                Aio.gather(a, b).await();
                return seen;
            });
            // asyncio's order is unchanged: strict alternation
            for (int i = 0; i < rounds; i++) {
                assertEquals(List.of("a" + i, "b" + i), order.subList(2 * i, 2 * i + 2));
            }
        }
        int switches = 2 * rounds;
        assertTrue(carrier.submitted.get() < switches / 4, carrier.submitted.get()
                + " submissions to the carrier for " + switches + " task switches");
    }

    @Test
    void tasksThatKeepHandingOverStillLetTheCarriersOtherWorkRun() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        // two tasks that trade the loop until a job of the carrier's own has run: the job is
        // submitted once they are trading, and runs within a bounded number of their trades
        // (a Netty event loop's sockets must not wait for a busy loop to go idle)
        AtomicInteger tradesBeforeTheJob = new AtomicInteger(-1);
        AtomicInteger trades = new AtomicInteger();
        try (EventLoop loop = EventLoop.newEventLoopOn(carrierA)) {
            loop.runUntilComplete(() -> {
                CompletableFuture<Void> jobRan = new CompletableFuture<>();
                Coroutine<Void> trader = () -> {
                    while (!jobRan.isDone()) {
                        if (trades.incrementAndGet() == 100) {
                            Thread.ofPlatform().start(() -> carrierA.execute(() -> {
                                tradesBeforeTheJob.set(trades.get());
                                jobRan.complete(null);
                            }));
                        }
                        Aio.sleep(0);
                    }
                    return null;
                };
                Aio.gather(Aio.createTask(trader), Aio.createTask(trader)).await();
                return null;
            });
        }
        assertTrue(tradesBeforeTheJob.get() >= 100, "the job ran at " + tradesBeforeTheJob);
    }

    @Test
    void aTaskWokenFromALockDoesNotWaitForACarrierQueuedForThatLock() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        // What a Netty event loop and a handler's task do with the pooled allocator's locks:
        // the task waits for a lock, the carrier's own code then queues for it too, and the
        // holder lets go. The lock goes to the first in line, the task; if the task's next step
        // waited in the carrier's queue, the carrier would wait for it forever (the holder
        // here is a platform thread of the test).
        java.util.concurrent.locks.ReentrantLock lock =
                new java.util.concurrent.locks.ReentrantLock();
        CompletableFuture<String> carrierGotIt = new CompletableFuture<>();
        Thread holder = new Thread(() -> {
            lock.lock();
            try {
                waitFor(() -> lock.getQueueLength() == 1); // the task
                carrierA.execute(() -> {
                    lock.lock(); // the carrier's own code, behind the task
                    try {
                        carrierGotIt.complete("carrier got the lock");
                    } finally {
                        lock.unlock();
                    }
                });
                waitFor(() -> lock.getQueueLength() == 2); // the task, then the carrier
            } finally {
                lock.unlock();
            }
        }, "holder");
        try (EventLoop loop = EventLoop.newEventLoopOn(carrierA)) {
            String seen = loop.runUntilComplete(() -> {
                Aio.sleep(0); // on the carrier, as a handler's task is
                holder.start();
                waitFor(lock::isLocked);
                lock.lock(); // waits: the holder has it
                try {
                    return "task got the lock";
                } finally {
                    lock.unlock();
                }
            });
            assertEquals("task got the lock", seen);
            assertEquals("carrier got the lock", carrierGotIt.get(10, TimeUnit.SECONDS));
        }
        holder.join();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out");
            }
            Thread.onSpinWait();
        }
    }

    private static String spinUntil(CountDownLatch latch) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (latch.getCount() > 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        return latch.getCount() == 0 ? "carrier ran other work" : "held the carrier";
    }

    @Test
    void nextOnACarriersThreadPicksTheLoopThatRunsThere() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        try (EventLoopGroup g = EventLoopGroup.builder().name("on-carriers")
                .carriers(List.of(carrierA, carrierB)).build()) {
            assertEquals(2, g.size());
            for (int round = 0; round < 3; round++) {
                // the probe was queued first on each single-thread carrier, so it has run
                assertSame(g.loops().get(0), carrierA.submit(g::next).get());
                assertSame(g.loops().get(1), carrierB.submit(g::next).get());
            }
            // any other thread goes round-robin over both
            assertEquals(2, java.util.Set.of(g.next(), g.next()).size());
            // and a coroutine submitted from a carrier runs on that carrier's loop
            CompletableFuture<EventLoop> ran = carrierB.submit(
                    () -> g.submit(Aio::getRunningLoop)).get();
            assertSame(g.loops().get(1), ran.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void blockingACarriersThreadOnALoopsWorkFailsAtOnceInsteadOfDeadlocking() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        EventLoopGroup g = EventLoopGroup.builder().name("no-blocking")
                .carriers(List.of(carrierA, carrierB)).build();
        // what a handler on Netty's thread might do: hand work to its loop, then wait for it
        List<String> failures = carrierA.submit(() -> {
            List<String> seen = new java.util.ArrayList<>();
            CompletableFuture<String> own = g.submit(() -> {
                Aio.sleep(0.01);
                return "own";
            });
            // blocking there is refused whichever loop does the work, as Reactor's block() is
            CompletableFuture<String> other = g.submit("b", () -> {
                Aio.sleep(0.01);
                return "other";
            });
            for (CompletableFuture<?> cf : List.of(own, own.thenApply(String::length), other)) {
                seen.add(assertThrows(IllegalStateException.class, cf::join).getMessage());
                seen.add(assertThrows(IllegalStateException.class,
                        () -> cf.get(10, TimeUnit.SECONDS)).getMessage());
            }
            return seen;
        }).get(10, TimeUnit.SECONDS);
        assertEquals(6, failures.size());
        for (String m : failures) {
            assertTrue(m.contains("from thread 'carrier-a', which carries an event loop's tasks")
                    && m.contains("would deadlock") && m.contains("Aio.await"), m);
        }
        // the work itself was not disturbed, and a done outcome may be joined there
        CompletableFuture<String> done = g.submit(() -> "done");
        assertEquals("done", done.get(10, TimeUnit.SECONDS));
        assertEquals("done", carrierA.submit(() -> done.join()).get(10, TimeUnit.SECONDS));
        // a thread that carries nothing may block as before
        assertEquals("free", g.submit(() -> {
            Aio.sleep(0.01);
            return "free";
        }).join());
        // nor run a loop of its own (Aio.run): the carried loop would wait until it stops
        String nested = carrierA.submit(() -> assertThrows(IllegalStateException.class,
                () -> Aio.run(() -> "nested")).getMessage()).get(10, TimeUnit.SECONDS);
        assertTrue(nested.startsWith("Cannot run the event loop while another loop is running;"
                + " thread 'carrier-a' carries another loop's tasks"), nested);
        // nor may a carrier's thread wait for the group to close: the loop needs it to finish
        String closing = carrierA.submit(() -> assertThrows(IllegalStateException.class,
                g::close).getMessage()).get(10, TimeUnit.SECONDS);
        assertTrue(closing.startsWith("Cannot close EventLoopGroup") && closing.contains(
                "on thread 'carrier-a', which carries loop 0's tasks"), closing);
        g.close();
        // once the group is closed, its carriers' threads carry nothing, and may run a loop
        assertEquals(Boolean.FALSE, carrierA.submit(
                () -> io.aiobridge.internal.TaskThreads.carriesALoop(Thread.currentThread()))
                .get(10, TimeUnit.SECONDS));
        assertEquals("own loop", carrierA.submit(() -> Aio.run(() -> "own loop"))
                .get(10, TimeUnit.SECONDS));
    }

    @Test
    void aTaskJoinedOnItsCarriersThreadFailsAtOnce() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        EventLoop loop = EventLoop.newEventLoopOn(carrierA);
        Thread runner = Thread.ofPlatform().start(loop::runForever);
        try {
            CompletableFuture<Task<String>> started = Aio.runCoroutineThreadsafe(
                    () -> Aio.createTask(() -> {
                        Aio.sleep(0.05);
                        return "finished";
                    }), loop);
            Task<String> task = started.get(10, TimeUnit.SECONDS);
            String message = carrierA.submit(() -> assertThrows(IllegalStateException.class,
                    task::join).getMessage()).get(10, TimeUnit.SECONDS);
            assertTrue(message.startsWith("join() on pending <Task") && message.contains(
                    "from thread 'carrier-a'"), message);
            assertEquals("finished", task.join(Duration.ofSeconds(10)));
        } finally {
            loop.callSoonThreadsafe(loop::stop);
            runner.join(TimeUnit.SECONDS.toMillis(10));
            loop.close();
        }
    }

    @Test
    void aLoopFactoryMustPutTheLoopOnTheCarrierItIsGiven() {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventLoopGroup.builder().carriers(List.of(carrierA),
                        c -> EventLoop.newEventLoop()).build());
        assertTrue(e.getMessage().contains("EventLoop.newEventLoopOn(carrier)"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> EventLoopGroup.builder().carriers(List.of()));
    }

    @Test
    void aCarrierAlreadyShutDownFailsTheBuildAndStartsNoThread() {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        carrierB.shutdown();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventLoopGroup.builder().name("never-ran")
                        .carriers(List.of(carrierA, carrierB)).build());
        assertTrue(e.getMessage().contains("carrier 1") && e.getMessage().contains("shut down"),
                e.getMessage());
        assertTrue(EventLoopGroupTest.groupThreads("never-ran-", false).isEmpty(),
                "no loop thread was started");
    }

    @Test
    void aCarrierShutDownFirstStillLetsTheGroupFinishEveryTask() throws Exception {
        assumeTrue(EventLoop.carriersAvailable(), "needs --add-opens java.base/java.lang");
        AtomicInteger finallies = new AtomicInteger();
        CountDownLatch suspended = new CountDownLatch(10);
        EventLoopGroup g = EventLoopGroup.builder().name("carrier-gone")
                .carriers(List.of(carrierA)).build();
        List<CompletableFuture<Object>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(g.submit(() -> {
                try {
                    suspended.countDown();
                    Aio.sleep(3600);
                    return null;
                } finally {
                    finallies.incrementAndGet();
                }
            }));
        }
        assertTrue(suspended.await(10, TimeUnit.SECONDS));
        carrierA.shutdown(); // as Netty's loops may go before the application's group
        assertTrue(carrierA.awaitTermination(10, TimeUnit.SECONDS));
        g.close(); // the tasks' last steps run on the JVM's shared scheduler instead
        assertEquals(10, finallies.get(), "every finally ran");
        for (CompletableFuture<Object> t : tasks) {
            assertTrue(t.isCancelled(), t.toString());
        }
    }
}
