package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.Task;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Randomized, seeded stress of each primitive: many tasks acquire/release or put/get while a
 * chaos task cancels them at random points, and the invariants are checked throughout: at most
 * the allowed number of holders, grants in FIFO order of arrival, permits conserved, no queue
 * item lost or duplicated, no notification lost. Scaled by {@code -Dstress.scale}; reproduce a
 * failure with {@code -Dstress.seed=...}.
 */
class SyncStressTest {
    private static final int SCALE = Integer.getInteger("stress.scale", 1);
    private static final long SEED = Long.getLong("stress.seed", 20261122L);

    /** Runs workers, plus a chaos task cancelling random workers, until the workers finish. */
    private static void withChaos(Random rnd, List<Task<?>> workers) {
        Task<Void> chaos = Aio.createTask(() -> {
            while (true) {
                Aio.sleep(rnd.nextInt(3) * 0.001);
                Task<?> victim = workers.get(rnd.nextInt(workers.size()));
                victim.cancel("chaos");
            }
        });
        for (Task<?> w : workers) {
            w.await();
        }
        chaos.cancel();
    }

    /** Runs {@code body}; a chaos cancellation is acknowledged and counted, and work goes on. */
    private static boolean survive(Coroutine<Void> body) throws Exception {
        try {
            body.call();
            return true;
        } catch (CancelledError e) {
            Aio.currentTask().uncancel();
            cancels++;
            return false;
        }
    }

    /** Cancellations the chaos task landed in the current test (it must land some). */
    private static int cancels;

    @org.junit.jupiter.api.BeforeEach
    void resetCancels() {
        cancels = 0;
    }

    @org.junit.jupiter.api.AfterEach
    void chaosLanded() {
        assertTrue(cancels > 10, "the chaos task landed only " + cancels + " cancellations");
    }

    /** A random pause; a chaos cancellation landing here is acknowledged like any other. */
    private static void pause(Random rnd) throws Exception {
        int r = rnd.nextInt(4);
        survive(() -> {
            if (r == 0) {
                Aio.sleep(0.001);
            } else if (r == 1) {
                Aio.sleep(0);
            }
            return null;
        });
    }

    @Test
    void lockHasOneHolderAndGrantsInArrivalOrder() {
        Random rnd = new Random(SEED);
        int tasks = 20;
        int rounds = 50 * SCALE;
        int[] granted = {0};
        Loops.virtual(() -> {
            AsyncLock lock = new AsyncLock();
            int[] holders = {0};
            int[] nextTicket = {0};
            int[] lastGranted = {-1};
            List<Task<?>> ws = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                ws.add(Aio.createTask(() -> {
                    for (int r = 0; r < rounds; r++) {
                        int ticket = nextTicket[0]++;
                        survive(() -> {
                            lock.acquire();
                            try {
                                assertTrue(ticket > lastGranted[0], "lock granted out of order");
                                lastGranted[0] = ticket;
                                holders[0]++;
                                assertEquals(1, holders[0], "two holders at once");
                                granted[0]++;
                                pause(rnd);
                            } finally {
                                holders[0]--;
                                lock.release();
                            }
                            return null;
                        });
                        survive(() -> {
                            Aio.sleep(0);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            withChaos(rnd, ws);
            assertTrue(!lock.locked());
            return null;
        });
        assertTrue(granted[0] > tasks * rounds / 4, "too few grants: " + granted[0]);
    }

    @Test
    void semaphoreConservesPermitsAndGrantsInArrivalOrder() {
        Random rnd = new Random(SEED + 1);
        int permits = 3;
        int rounds = 50 * SCALE;
        Loops.virtual(() -> {
            AsyncBoundedSemaphore sem = new AsyncBoundedSemaphore(permits);
            int[] holders = {0};
            int[] nextTicket = {0};
            int[] lastGranted = {-1};
            List<Task<?>> ws = new ArrayList<>();
            for (int t = 0; t < 15; t++) {
                ws.add(Aio.createTask(() -> {
                    for (int r = 0; r < rounds; r++) {
                        int ticket = nextTicket[0]++;
                        survive(() -> {
                            sem.acquire();
                            try {
                                assertTrue(ticket > lastGranted[0], "permit granted out of order");
                                lastGranted[0] = ticket;
                                holders[0]++;
                                assertTrue(holders[0] <= permits, "more holders than permits");
                                pause(rnd);
                            } finally {
                                holders[0]--;
                                sem.release(); // bounded: an extra release would throw
                            }
                            return null;
                        });
                        survive(() -> {
                            Aio.sleep(0);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            withChaos(rnd, ws);
            assertEquals(permits, sem.availablePermits(), "permits were not conserved");
            return null;
        });
    }

    @Test
    void queueLosesAndDuplicatesNoItem() {
        Random rnd = new Random(SEED + 2);
        int perProducer = 100 * SCALE;
        Map<Integer, Integer> got = new HashMap<>();
        List<Integer> put = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(4);
            List<Task<?>> ws = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int base = p * 1_000_000;
                ws.add(Aio.createTask(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        int item = base + i;
                        if (survive(() -> {
                            q.put(item);
                            return null;
                        })) {
                            put.add(item);
                        }
                        pause(rnd);
                    }
                    return null;
                }));
            }
            boolean[] producing = {true};
            List<Task<?>> consumers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                consumers.add(Aio.createTask(() -> {
                    while (producing[0] || !q.empty()) {
                        survive(() -> {
                            try {
                                Integer item = Aio.waitFor(Aio.createTask(q::get), 0.05);
                                got.merge(item, 1, Integer::sum);
                            } catch (AsyncTimeoutException e) {
                                // nothing arrived in time: look at the producers again
                            }
                            return null;
                        });
                        pause(rnd);
                    }
                    return null;
                }));
            }
            List<Task<?>> all = new ArrayList<>(ws);
            all.addAll(consumers);
            Task<Void> chaos = Aio.createTask(() -> {
                while (true) {
                    Aio.sleep(rnd.nextInt(3) * 0.001);
                    all.get(rnd.nextInt(all.size())).cancel("chaos");
                }
            });
            for (Task<?> w : ws) {
                w.await();
            }
            producing[0] = false;
            for (Task<?> c : consumers) {
                c.await();
            }
            chaos.cancel();
            while (!q.empty()) {
                got.merge(q.getNowait(), 1, Integer::sum);
            }
            return null;
        });
        for (Map.Entry<Integer, Integer> e : got.entrySet()) {
            assertEquals(1, e.getValue(), "item " + e.getKey() + " was taken twice");
        }
        assertEquals(new HashSet<>(put), got.keySet(),
                "every item put was taken, and only those");
        assertTrue(put.size() > perProducer, "too few puts survived: " + put.size());
    }

    @Test
    void conditionLosesNoNotification() {
        Random rnd = new Random(SEED + 3);
        int items = 200 * SCALE;
        int[] consumed = {0};
        Loops.virtual(() -> {
            AsyncCondition cond = new AsyncCondition();
            int[] available = {0};
            List<Task<?>> consumers = new ArrayList<>();
            for (int c = 0; c < 5; c++) {
                consumers.add(Aio.createTask(() -> {
                    while (consumed[0] < items) {
                        survive(() -> {
                            try (Held held = cond.hold()) {
                                cond.waitFor(() -> available[0] > 0 || consumed[0] >= items);
                                if (available[0] > 0) {
                                    available[0]--;
                                    consumed[0]++;
                                }
                                cond.signalAll(); // lets the others re-check the end condition
                                return null;
                            }
                        });
                    }
                    return null;
                }));
            }
            Task<Void> chaos = Aio.createTask(() -> {
                while (true) {
                    Aio.sleep(rnd.nextInt(3) * 0.001);
                    consumers.get(rnd.nextInt(consumers.size())).cancel("chaos");
                }
            });
            for (int i = 0; i < items; i++) {
                try (Held held = cond.hold()) {
                    available[0]++;
                    cond.signal(1); // exactly one notification per item
                }
                pause(rnd);
            }
            for (Task<?> c : consumers) {
                c.await();
            }
            chaos.cancel();
            assertEquals(0, available[0], "an item was left: a notification was lost");
            return null;
        });
        assertEquals(items, consumed[0]);
    }
}
