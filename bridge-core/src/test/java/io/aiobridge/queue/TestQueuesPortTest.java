package io.aiobridge.queue;

import static io.aiobridge.testing.Ports.runBriefly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import io.aiobridge.sync.AsyncEvent;
import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Ports;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_queues.py}, case by case: the same tasks, the
 * same {@code sleep(0)} turns and the same checks after each. Private fields CPython reads
 * ({@code _getters}, {@code _putters}) are read through the repr. The join and shutdown cases run
 * for the three queue kinds, as CPython's mixins do. Left out: {@code test_generic_alias} and
 * {@code test_float_maxsize} (Python types); {@code test_get_with_putters} plants a private
 * future, so its port uses a waiting put instead.
 */
class TestQueuesPortTest {

    private static <T> Task<T> task(Coroutine<T> body) {
        return Aio.createTask(body);
    }

    private static Task<Boolean> task(Runnable body) {
        return Ports.task(body);
    }

    @Test
    void test_repr() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            assertTrue(q.toString().startsWith("<AsyncQueue"), q.toString());
            Task<Integer> getter = task(q::get);
            runBriefly();
            assertTrue(q.toString().contains("getters:1"), q.toString());
            q.putNowait(0);
            assertEquals(0, getter.await());

            AsyncQueue<Integer> bounded = new AsyncQueue<>(1);
            bounded.putNowait(1);
            Task<Boolean> putter = task(() -> bounded.put(2));
            runBriefly();
            assertTrue(bounded.toString().contains("putters:1"), bounded.toString());
            bounded.getNowait();
            putter.await();
            assertTrue(putter.isDone());
            return null;
        });
    }

    @Test
    void test_empty_full_order() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            assertTrue(q.empty());
            q.put(1);
            assertFalse(q.empty());
            assertEquals(1, q.get());
            assertTrue(q.empty());
            assertFalse(q.full());
            AsyncQueue<Integer> one = new AsyncQueue<>(1);
            one.put(1);
            assertTrue(one.full());
            for (int i : new int[] {1, 3, 2}) {
                q.put(i);
            }
            assertEquals(List.of(1, 3, 2), List.of(q.get(), q.get(), q.get()));
            return null;
        });
    }

    @Test
    void test_maxsize() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(2);
            assertEquals(2, q.maxsize());
            List<Integer> haveBeenPut = new ArrayList<>();
            Task<Boolean> t = task(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    haveBeenPut.add(i);
                }
            });
            runBriefly();
            runBriefly();
            // the putter is blocked after putting two items
            assertEquals(List.of(0, 1), haveBeenPut);
            assertEquals(0, q.get());
            // let the putter resume and put the last item
            runBriefly();
            assertEquals(List.of(0, 1, 2), haveBeenPut);
            assertEquals(1, q.get());
            assertEquals(2, q.get());
            assertTrue(t.isDone());
            assertTrue(t.result());
            return null;
        });
    }

    @Test
    void test_blocking_get_wait() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            AsyncEvent started = new AsyncEvent();
            boolean[] finished = {false};
            Task<Integer> getTask = task(() -> {
                started.set();
                int res = q.get();
                finished[0] = true;
                return res;
            });
            started.await();
            assertFalse(finished[0]);
            Aio.getRunningLoop().callLater(0.01, () -> q.putNowait(1));
            assertEquals(1, getTask.await());
            assertTrue(finished[0]);
            return null;
        });
    }

    @Test
    void test_nonblocking_get_and_put() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            assertThrows(QueueEmptyException.class, q::getNowait);
            q.putNowait(1);
            assertEquals(1, q.getNowait());
            AsyncQueue<Integer> one = new AsyncQueue<>(1);
            one.putNowait(1);
            assertThrows(QueueFullException.class, () -> one.putNowait(2));
            return null;
        });
    }

    @Test
    void test_get_cancelled_race() {
        Loops.virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<String> t1 = task(q::get);
            Task<String> t2 = task(q::get);
            runBriefly();
            t1.cancel();
            runBriefly();
            assertTrue(t1.isDone());
            q.put("a");
            runBriefly();
            assertEquals("a", t2.await());
            return null;
        });
    }

    @Test
    void test_get_with_waiting_putters() {
        Loops.virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(1);
            task(() -> q.put("a"));
            task(() -> q.put("b"));
            assertEquals("a", q.get());
            assertEquals("b", q.get());
            return null;
        });
    }

    @Test
    void test_why_are_getters_waiting() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(1);
            int n = 5;
            TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    for (int i = 0; i < n; i++) {
                        q.put(i);
                    }
                    return null;
                });
                tg.createTask(() -> {
                    for (int i = 0; i < n; i++) {
                        q.get();
                    }
                    return null;
                });
                return null;
            });
            return null;
        });
    }

    @Test
    void test_cancelled_getters_not_being_held_in_self_getters() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> queue = new AsyncQueue<>(5);
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(queue::get, 0.1));
            assertFalse(queue.toString().contains("getters"), queue.toString());
            return null;
        });
    }

    @Test
    void test_blocking_put_wait() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(1);
            AsyncEvent started = new AsyncEvent();
            boolean[] finished = {false};
            Aio.getRunningLoop().callLater(0.01, q::getNowait);
            Task<Boolean> putTask = task(() -> {
                started.set();
                q.put(1);
                q.put(2);
                finished[0] = true;
            });
            started.await();
            assertFalse(finished[0]);
            putTask.await();
            assertTrue(finished[0]);
            return null;
        });
    }

    @Test
    void test_get_cancel_drop_one_pending_reader() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            Task<Integer> reader = task(q::get);
            runBriefly();
            q.putNowait(1);
            q.putNowait(2);
            reader.cancel();
            try {
                reader.await();
            } catch (CancelledError e) {
                reader = task(q::get);
                reader.await();
            }
            // 2 here would mean that 1 was dropped
            assertEquals(1, reader.result());
            return null;
        });
    }

    @Test
    void test_get_cancel_drop_many_pending_readers() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            List<Task<Integer>> readers = new ArrayList<>();
            TaskGroup.run(tg -> {
                for (int i = 0; i < 3; i++) {
                    readers.add(tg.createTask(q::get));
                }
                runBriefly();
                q.putNowait(1);
                q.putNowait(2);
                readers.get(0).cancel();
                assertThrows(CancelledError.class, readers.get(0)::await);
                readers.get(2).await();
                return null;
            });
            assertEquals(Set.of(1, 2), Set.of(readers.get(1).result(), readers.get(2).result()));
            return null;
        });
    }

    @Test
    void test_put_cancel_drop() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(1);
            q.putNowait(1);
            // putting a second item has to wait
            Task<Boolean> writer = task(() -> q.put(2));
            runBriefly();
            assertEquals(1, q.getNowait());
            writer.cancel();
            try {
                writer.await();
            } catch (CancelledError e) {
                writer = task(() -> q.put(2));
                writer.await();
            }
            assertEquals(2, q.getNowait());
            assertEquals(0, q.qsize());
            return null;
        });
    }

    @Test
    void test_put_cancelled() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            Task<Boolean> t = task(() -> q.put(1));
            assertEquals(1, q.get());
            assertTrue(t.isDone());
            assertTrue(t.result());
            return null;
        });
    }

    @Test
    void test_put_cancelled_race() {
        Loops.virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(1);
            Task<Boolean> putA = task(() -> q.put("a"));
            Task<Boolean> putB = task(() -> q.put("b"));
            Task<Boolean> putC = task(() -> q.put("X"));
            runBriefly();
            assertTrue(putA.isDone());
            assertFalse(putB.isDone());
            putC.cancel();
            runBriefly();
            assertTrue(putC.isDone());
            assertEquals("a", q.getNowait());
            runBriefly();
            assertEquals("b", q.getNowait());
            putB.await();
            return null;
        });
    }

    @Test
    void test_put_with_waiting_getters() {
        Loops.virtual(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<String> t = task(q::get);
            runBriefly();
            q.put("a");
            assertEquals("a", t.await());
            return null;
        });
    }

    @Test
    void test_why_are_putters_waiting() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> queue = new AsyncQueue<>(2);
            TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    runBriefly();
                    int num = queue.qsize();
                    for (int i = 0; i < num; i++) {
                        queue.getNowait();
                    }
                    return null;
                });
                for (int i = 0; i < 4; i++) {
                    int item = i;
                    tg.createTask(() -> {
                        queue.put(item);
                        return null;
                    });
                }
                return null;
            });
            return null;
        });
    }

    @Test
    void test_cancelled_puts_not_being_held_in_self_putters() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> queue = new AsyncQueue<>(1);
            queue.putNowait(1);
            Task<Boolean> putTask = task(() -> queue.put(1));
            runBriefly();
            assertTrue(queue.toString().contains("putters:1"), queue.toString());
            putTask.cancel();
            assertThrows(CancelledError.class, putTask::await);
            assertFalse(queue.toString().contains("putters"), queue.toString());
            return null;
        });
    }

    @Test
    void test_cancelled_put_silence_value_error_exception() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> queue = new AsyncQueue<>(1);
            queue.putNowait(1);
            Task<Boolean> putTask = task(() -> queue.put(1));
            runBriefly();
            // getNowait() takes the putter out of the putters already
            queue.getNowait();
            putTask.cancel();
            assertThrows(CancelledError.class, putTask::await);
            return null;
        });
    }

    @Test
    void test_lifo_and_priority_order() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> lifo = new AsyncLifoQueue<>();
            AsyncQueue<Integer> prio = new AsyncPriorityQueue<>();
            for (int i : new int[] {1, 3, 2}) {
                lifo.put(i);
                prio.put(i);
            }
            assertEquals(List.of(2, 3, 1), List.of(lifo.get(), lifo.get(), lifo.get()));
            assertEquals(List.of(1, 2, 3), List.of(prio.get(), prio.get(), prio.get()));
            return null;
        });
    }

    // ---- _QueueJoinTestMixin and _QueueShutdownTestMixin, for each kind of queue -------------

    private static IntFunction<AsyncQueue<Object>> kind(String name) {
        return switch (name) {
            case "Queue" -> AsyncQueue::new;
            case "LifoQueue" -> AsyncLifoQueue::new;
            case "PriorityQueue" -> AsyncPriorityQueue::new;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_task_done_underflow(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, q::taskDone);
            assertTrue(e.getMessage().startsWith("task_done() called too many times"),
                    e.getMessage());
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_task_done(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(0);
            for (int i = 0; i < 100; i++) {
                q.putNowait(i);
            }
            int[] accumulator = {0};
            boolean[] running = {true};
            TaskGroup.run(tg -> {
                List<Task<Void>> tasks = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    tasks.add(tg.createTask(() -> {
                        while (running[0]) {
                            accumulator[0] += (Integer) q.get();
                            q.taskDone();
                        }
                        return null;
                    }));
                }
                q.join();
                assertEquals(IntStream.range(0, 100).sum(), accumulator[0]);
                running[0] = false;
                for (int i = 0; i < tasks.size(); i++) {
                    q.putNowait(0);
                }
                return null;
            });
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_join_empty_queue(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(0);
            q.join();
            q.join();
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_shutdown_empty(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(0);
            Task<Object> getTask = task(q::get);
            runBriefly(); // the get is pending before the shutdown
            q.shutdown(false);
            assertTrue(q.toString().endsWith(" shutdown>"), q.toString());
            assertEquals(0, q.qsize());
            q.join();
            runBriefly();
            assertTrue(getTask.isDone());
            assertThrows(QueueShutDownException.class, getTask::await);
            assertShutDown(q);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_shutdown_nonempty(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(1);
            q.putNowait("data");
            Task<Boolean> joinTask = task(q::join);
            Task<Boolean> putTask = task(() -> q.put("data2"));
            runBriefly();
            assertFalse(putTask.isDone());
            q.shutdown(false); // unfinished tasks: 1 -> 1
            assertEquals(1, q.qsize());
            runBriefly();
            assertTrue(putTask.isDone());
            assertThrows(QueueShutDownException.class, putTask::await);
            assertEquals("data", q.get());
            runBriefly();
            assertFalse(joinTask.isDone());
            assertShutDown(q);
            q.taskDone();
            runBriefly();
            assertTrue(joinTask.isDone());
            joinTask.await();
            assertThrows(IllegalArgumentException.class, q::taskDone);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_shutdown_immediate(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(0);
            q.putNowait("data");
            Task<Boolean> joinTask = task(q::join);
            q.shutdown(true); // unfinished tasks: 1 -> 0
            assertEquals(0, q.qsize());
            runBriefly();
            assertTrue(joinTask.isDone());
            joinTask.await();
            assertShutDown(q);
            assertThrows(IllegalArgumentException.class, q::taskDone);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Queue", "LifoQueue", "PriorityQueue"})
    void test_shutdown_immediate_with_unfinished(String name) {
        Loops.virtual(() -> {
            AsyncQueue<Object> q = kind(name).apply(0);
            q.putNowait("data");
            q.putNowait("data");
            Task<Boolean> joinTask = task(q::join);
            assertEquals("data", q.get());
            q.shutdown(true); // unfinished tasks: 2 -> 1
            assertEquals(0, q.qsize());
            runBriefly();
            assertFalse(joinTask.isDone());
            assertShutDown(q);
            q.taskDone();
            assertThrows(IllegalArgumentException.class, q::taskDone);
            runBriefly();
            assertTrue(joinTask.isDone());
            joinTask.await();
            return null;
        });
    }

    private static void assertShutDown(AsyncQueue<Object> q) {
        assertThrows(QueueShutDownException.class, () -> q.put("data"));
        assertThrows(QueueShutDownException.class, () -> q.putNowait("data"));
        assertThrows(QueueShutDownException.class, q::get);
        assertThrows(QueueShutDownException.class, q::getNowait);
    }

    @Test
    void test_get_with_putters() {
        // test_get_with_putters plants a private future; the public counterpart: a get() on a
        // full queue wakes the waiting putter, which then puts its item.
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(1);
            q.put(1);
            AsyncFuture<Void> putterDone = Aio.getRunningLoop().createFuture();
            task(() -> {
                q.put(2);
                putterDone.setResult(null);
            });
            runBriefly();
            assertEquals(1, q.get());
            putterDone.await();
            assertEquals(2, q.getNowait());
            return null;
        });
    }
}
