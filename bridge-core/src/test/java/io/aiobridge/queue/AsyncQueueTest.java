package io.aiobridge.queue;

import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.testing.BackgroundLoop;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AsyncQueueTest {


    @Test
    void nowaitOperationsAndTheirErrors() {
        virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(2);
            assertTrue(q.empty());
            q.putNowait("a");
            q.putNowait(null); // asyncio code uses None as a sentinel
            assertTrue(q.full());
            QueueFullException full = assertThrows(QueueFullException.class, () -> q.putNowait("c"));
            assertTrue(full.getMessage().contains("use put() to wait"));
            assertEquals("a", q.getNowait());
            assertNull(q.getNowait());
            assertThrows(QueueEmptyException.class, q::getNowait);
            assertEquals(2, q.unfinishedTasks());
            q.taskDone();
            q.taskDone();
            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                    q::taskDone); // asyncio's ValueError
            assertTrue(tooMany.getMessage().startsWith("task_done() called too many times"));
            return null;
        });
    }

    @Test
    void putWaitsWhileFullAndGetWaitsWhileEmpty() {
        List<String> log = new ArrayList<>();
        virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(1);
            Task<Void> producer = Aio.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    log.add("put " + i);
                }
                return null;
            });
            Aio.sleep(1);
            assertEquals(List.of("put 0"), log, "the second put waits for room");
            for (int i = 0; i < 3; i++) {
                log.add("got " + q.get());
                Aio.sleep(0);
            }
            producer.await();
            Task<Integer> getter = Aio.createTask(q::get);
            Aio.sleep(1);
            assertFalse(getter.isDone(), "get waits on an empty queue");
            q.putNowait(42);
            assertEquals(42, getter.await());
            return null;
        });
        assertEquals(List.of("put 0", "got 0", "put 1", "got 1", "put 2", "got 2"), log);
    }

    @Test
    void aGetterWokenThenCancelledLeavesTheItemForTheNextGetter() {
        virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<String> first = Aio.createTask(q::get);
            Task<String> second = Aio.createTask(q::get);
            Aio.sleep(0);
            q.putNowait("only item"); // wakes first...
            first.cancel(); // ...which is cancelled before it runs
            assertThrows(CancelledError.class, first::await);
            assertEquals("only item", second.await(), "the item reached the next getter");
            assertTrue(q.empty());
            return null;
        });
    }

    @Test
    void aPutterWokenThenCancelledLeavesTheSlotForTheNextPutter() {
        virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(1);
            q.putNowait("x");
            Task<Void> first = Aio.createTask(() -> {
                q.put("from first");
                return null;
            });
            Task<Void> second = Aio.createTask(() -> {
                q.put("from second");
                return null;
            });
            Aio.sleep(0);
            assertEquals("x", q.getNowait()); // frees the slot and wakes first...
            first.cancel(); // ...which is cancelled before it runs
            assertThrows(CancelledError.class, first::await);
            second.await();
            assertEquals("from second", q.getNowait());
            assertTrue(q.empty(), "the cancelled put put nothing");
            return null;
        });
    }

    @Test
    void joinWaitsForEveryTaskDone() {
        virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            q.putNowait(1);
            q.putNowait(2);
            Task<Void> joiner = Aio.createTask(() -> {
                q.join();
                return null;
            });
            q.getNowait();
            q.taskDone();
            Aio.sleep(1);
            assertFalse(joiner.isDone());
            q.getNowait();
            q.taskDone();
            joiner.await();
            q.join(); // nothing unfinished: returns at once
            return null;
        });
    }

    @Test
    void shutdownFailsPuttersAndLetsGettersDrainFirst() {
        virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(1);
            q.putNowait("left");
            Task<Void> putter = Aio.createTask(() -> {
                q.put("blocked");
                return null;
            });
            Aio.sleep(0);
            q.shutdown();
            assertThrows(QueueShutDownException.class, putter::await);
            assertThrows(QueueShutDownException.class, () -> q.putNowait("late"));
            assertEquals("left", q.get(), "gets go on until the queue is empty");
            assertThrows(QueueShutDownException.class, q::get);
            assertTrue(q.isShutDown());
            return null;
        });
    }

    @Test
    void immediateShutdownDropsItemsWakesGettersAndReleasesJoin() {
        virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<String> getter = Aio.createTask(q::get);
            Aio.sleep(0);
            AsyncQueue<String> q2 = new AsyncQueue<>();
            q2.putNowait("a");
            q2.putNowait("b");
            Task<Void> joiner = Aio.createTask(() -> {
                q2.join();
                return null;
            });
            Aio.sleep(0);
            q.shutdown(true);
            q2.shutdown(true);
            assertThrows(QueueShutDownException.class, getter::await);
            assertTrue(q2.empty());
            joiner.await(); // the dropped items count as done
            assertThrows(QueueShutDownException.class, q2::getNowait);
            return null;
        });
    }

    @Test
    void lifoAndPriorityOrders() {
        virtual(() -> {
            AsyncLifoQueue<Integer> lifo = new AsyncLifoQueue<>();
            AsyncPriorityQueue<Integer> prio = new AsyncPriorityQueue<>();
            AsyncPriorityQueue<String> byLength = new AsyncPriorityQueue<>(0,
                    Comparator.comparingInt(String::length), null);
            for (int i : new int[] {3, 1, 2}) {
                lifo.putNowait(i);
                prio.put(i);
            }
            byLength.putNowait("ccc");
            byLength.putNowait("a");
            assertEquals(List.of(2, 1, 3), List.of(lifo.get(), lifo.get(), lifo.get()));
            assertEquals(List.of(1, 2, 3), List.of(prio.get(), prio.get(), prio.get()));
            assertEquals("a", byLength.get());
            assertThrows(NullPointerException.class, () -> prio.putNowait(null));
            assertEquals(0, prio.qsize());
            return null;
        });
    }

    @Test
    void otherThreadsPutWithBackpressureAndGetThroughTheLoop() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncQueue<Integer> q = new AsyncQueue<>(2, loop);
            IllegalStateException direct = assertThrows(IllegalStateException.class,
                    () -> q.putNowait(1));
            assertTrue(direct.getMessage().contains("Threadsafe"), direct.getMessage());
            int n = 200;
            Thread producer = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    q.putThreadsafe(i).join(); // blocks while the queue is full
                }
            });
            List<Integer> got = new ArrayList<>();
            int[] maxSize = {0};
            producer.start();
            loop.runUntilComplete(loop.createTask(() -> {
                for (int i = 0; i < n; i++) {
                    maxSize[0] = Math.max(maxSize[0], q.qsize());
                    got.add(q.get());
                    if (i % 10 == 0) {
                        Aio.sleep(0.001);
                    }
                }
                return null;
            }));
            producer.join(10_000);
            assertEquals(n, got.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, got.get(i));
            }
            assertTrue(maxSize[0] <= 2, "never more than maxsize queued: " + maxSize[0]);

            try (BackgroundLoop bg = BackgroundLoop.start(loop)) {
                CompletableFuture<Integer> taken = q.getThreadsafe();
                q.putThreadsafe(7).get(5, TimeUnit.SECONDS);
                assertEquals(7, taken.get(5, TimeUnit.SECONDS));
                loop.callSoonThreadsafe(q::shutdown);
                ExecutionException shut = assertThrows(ExecutionException.class,
                        () -> q.putThreadsafe(8).get(5, TimeUnit.SECONDS));
                assertTrue(shut.getCause() instanceof QueueShutDownException);
            }
        }
        AsyncQueue<Integer> unbound = new AsyncQueue<>();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> unbound.putThreadsafe(1));
        assertTrue(e.getMessage().contains("not bound to an event loop"));
    }

    @Test
    void aGetThreadsafeCancelledAfterItsGetTookTheItemPutsTheItemBack() {
        // the caller cancels between the get() taking the item and the future carrying it
        for (String kind : List.of("fifo", "lifo", "priority")) {
            virtual(() -> {
                AsyncQueue<String> q = switch (kind) {
                    case "fifo" -> new AsyncQueue<>();
                    case "lifo" -> new AsyncLifoQueue<>();
                    default -> new AsyncPriorityQueue<>();
                };
                q.putNowait("x");
                q.putNowait("y");
                CompletableFuture<String> cf = q.getThreadsafe();
                Aio.sleep(0); // the get's task is made
                Aio.sleep(0); // it takes an item; the future is completed in the next turn
                assertEquals(1, q.qsize(), kind);
                assertTrue(cf.cancel(false), "the future did not carry the item yet");
                Aio.sleep(0);
                Aio.sleep(0);
                assertEquals(2, q.qsize(), kind + ": the item came back");
                List<String> order = List.of(q.getNowait(), q.getNowait());
                assertEquals(kind.equals("lifo") ? List.of("y", "x") : List.of("x", "y"), order,
                        kind + ": back at its place");
                return null;
            });
        }
    }

    @Test
    void aGetThreadsafeCancelledWhileItWaitsTakesNothing() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            AsyncQueue<String> q = new AsyncQueue<>(0, bg.loop());
            CompletableFuture<String> cf = q.getThreadsafe();
            bg.sync();
            assertTrue(cf.cancel(false));
            bg.sync();
            q.putThreadsafe("item").get(5, TimeUnit.SECONDS);
            assertEquals("item", q.getThreadsafe().get(5, TimeUnit.SECONDS),
                    "the cancelled get took nothing");
        }
    }
}
