package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Races between cancellation, completion from other threads and the loop's own scheduling.
 * Seeded, so a failure reproduces; scaled by the system property {@code stress.scale} (1 in CI;
 * {@code ./mvnw verify -Dstress.scale=50} for a long run). A lost wake-up or callback would hang
 * a loop, so a test fails after 10 minutes instead (each takes about a second at scale 1).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StressTest {
    private static final int SCALE = Integer.getInteger("stress.scale", 1);
    private static final long SEED = Long.getLong("stress.seed", 20261122L);

    @Test
    void cancelRacingCompletionFromOtherThreadsEndsEachTaskExactlyOnce() throws Exception {
        int n = 2_000 * SCALE;
        Random rnd = new Random(SEED);
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<AsyncFuture<Integer>> futures = new ArrayList<>(n);
            List<Task<Integer>> tasks = new ArrayList<>(n);
            AtomicInteger callbacks = new AtomicInteger();
            int[] cancelAt = new int[n];
            for (int i = 0; i < n; i++) {
                cancelAt[i] = rnd.nextInt(3); // 0: before start, 1: while waiting, 2: never
            }
            AsyncFuture<Void> allStarted = loop.createFuture();
            Task<Void> driver = loop.createTask(() -> {
                for (int i = 0; i < n; i++) {
                    AsyncFuture<Integer> f = Aio.getRunningLoop().createFuture();
                    futures.add(f);
                    Task<Integer> t = Aio.createTask(f::await);
                    t.addDoneCallback(x -> callbacks.incrementAndGet());
                    tasks.add(t);
                    if (cancelAt[i] == 0) {
                        t.cancel();
                    }
                }
                allStarted.setResult(null);
                Aio.sleep(0);
                // racing: outside threads complete futures while we cancel tasks
                for (int i = 0; i < n; i++) {
                    if (cancelAt[i] == 1) {
                        tasks.get(i).cancel();
                        if (i % 64 == 0) {
                            Aio.sleep(0);
                        }
                    }
                }
                Aio.gatherSettled(tasks).await();
                return null;
            });
            Thread[] completers = new Thread[4];
            for (int c = 0; c < completers.length; c++) {
                int id = c;
                completers[c] = new Thread(() -> {
                    try {
                        allStarted.toCompletableFuture().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    for (int i = id; i < n; i += completers.length) {
                        AsyncFuture<Integer> f = futures.get(i);
                        int v = i;
                        loop.callSoonThreadsafe(() -> {
                            if (!f.isDone()) {
                                f.setResult(v);
                            }
                        });
                    }
                });
                completers[c].start();
            }
            loop.runUntilComplete(driver);
            for (Thread t : completers) {
                t.join(30_000);
            }
            int results = 0;
            int cancelled = 0;
            for (int i = 0; i < n; i++) {
                Task<Integer> t = tasks.get(i);
                assertTrue(t.isDone());
                if (t.isCancelled()) {
                    cancelled++;
                    assertTrue(cancelAt[i] != 2, "task " + i + " was never cancelled");
                } else {
                    results++;
                    assertEquals(i, t.result());
                    assertTrue(cancelAt[i] != 0, "task " + i + " cancelled before start ran");
                }
            }
            assertEquals(n, results + cancelled);
            loop.stop();
            loop.runForever(); // let the last done callbacks run
            assertEquals(n, callbacks.get(), "each done callback ran exactly once");
        }
    }

    @Test
    void callSoonThreadsafeFromManyThreadsLosesNothingAndKeepsPerThreadOrder() throws Exception {
        int threads = 8;
        int each = 5_000 * SCALE;
        try (EventLoop loop = EventLoop.newEventLoop()) {
            int[] lastSeen = new int[threads];
            Arrays.fill(lastSeen, -1);
            int[] total = {0};
            AsyncFuture<Void> done = loop.createFuture();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        int seq = i;
                        loop.callSoonThreadsafe(() -> {
                            assertEquals(lastSeen[id] + 1, seq, "per-thread FIFO broken");
                            lastSeen[id] = seq;
                            if (++total[0] == threads * each) {
                                done.setResult(null);
                            }
                        });
                    }
                });
                th.start();
                ts.add(th);
            }
            loop.callSoon(go::countDown);
            loop.runUntilComplete(done);
            for (Thread th : ts) {
                th.join();
            }
            assertEquals(threads * each, total[0]);
        }
    }

    @Test
    void tenThousandConcurrentTasksAllFinishWithTheirResults() {
        int n = 10_000 * SCALE;
        Random rnd = new Random(SEED);
        double[] delays = new double[n];
        for (int i = 0; i < n; i++) {
            delays[i] = rnd.nextInt(1000) / 100.0;
        }
        long sum = Loops.virtual(() -> {
            List<Task<Integer>> ts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int v = i;
                ts.add(Aio.createTask(() -> {
                    Aio.sleep(delays[v]);
                    Aio.sleep(0);
                    return v;
                }));
            }
            long s = 0;
            for (int r : Aio.gather(ts).await()) {
                s += r;
            }
            assertEquals(1, Aio.allTasks().size());
            return s;
        });
        assertEquals((long) n * (n - 1) / 2, sum);
    }

    @Test
    void closingALoopLeavesNoTaskThreadAlive() {
        int n = 1_000 * SCALE;
        EventLoop loop = EventLoop.newEventLoop();
        List<Task<Object>> tasks = new ArrayList<>();
        AsyncFuture<Object> never = loop.createFuture();
        for (int i = 0; i < n; i++) {
            tasks.add(loop.createTask(never::await));
        }
        loop.stop();
        loop.runForever();
        List<Thread> threads = new ArrayList<>();
        for (Task<Object> t : tasks) {
            threads.add(EventLoopTest.threadOf(t));
        }
        assertTrue(threads.stream().allMatch(Thread::isAlive));
        loop.close();
        for (Thread th : threads) {
            EventLoopTest.joinQuietly(th);
            assertFalse(th.isAlive(), "leaked " + th);
        }
        assertTrue(tasks.stream().allMatch(Task::isCancelled));
    }

    @Test
    void pingPongWithAnOutsideThreadHasNoLostWakeups() throws Exception {
        int rounds = 5_000 * SCALE;
        try (EventLoop loop = EventLoop.newEventLoop()) {
            SynchronousQueue<AsyncFuture<Integer>> handoff =
                    new SynchronousQueue<>();
            Thread outside = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        AsyncFuture<Integer> f = handoff.take();
                        int v = i;
                        loop.callSoonThreadsafe(() -> f.setResult(v));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            outside.start();
            int got = loop.runUntilComplete(loop.createTask(() -> {
                int count = 0;
                for (int i = 0; i < rounds; i++) {
                    AsyncFuture<Integer> f = Aio.getRunningLoop().createFuture();
                    Aio.toThread(() -> {
                        handoff.put(f);
                        return null;
                    });
                    assertEquals(i, f.await());
                    count++;
                }
                return count;
            }));
            outside.join(10_000);
            assertEquals(rounds, got);
        }
    }
}
