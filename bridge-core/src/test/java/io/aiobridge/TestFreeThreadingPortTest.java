package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.aiobridge.sync.AsyncEvent;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CPython 3.14's {@code Lib/test/test_asyncio/test_free_threading.py}, case by case: loops on
 * several threads at once, and {@code asyncio.all_tasks(loop)} called from a thread other than the
 * loop's. CPython runs each case with its C and Python tasks, plain and eager; here each case runs
 * with the default task factory and with {@link TaskFactory#EAGER} where the original does. Then
 * what a torn read would look like, checked directly: every set that {@link Aio#allTasks(EventLoop)}
 * returns off the loop while the loop starts and ends tasks is one the loop's list was in.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestFreeThreadingPortTest {

    /** Python's {@code MyException}. */
    static final class MyException extends RuntimeException {
        MyException(String message) {
            super(message);
        }
    }

    private static TaskFactory factory(boolean eager) {
        return eager ? TaskFactory.EAGER : null;
    }

    private static void startAndJoin(List<Thread> threads) throws InterruptedException {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(t.isAlive(), t + " did not finish");
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    @ParameterizedTest(name = "eager={0}")
    @ValueSource(booleans = {false, true})
    void test_all_tasks_race(boolean eager) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            threads.add(new Thread(() -> {
                try (Runner runner = new Runner()) {
                    EventLoop loop = runner.getLoop();
                    loop.setTaskFactory(factory(eager));
                    runner.run(() -> {
                        AsyncFuture<Void> future = loop.createFuture();
                        Set<Task<?>> tasks = new HashSet<>();
                        TaskGroup.run(tg -> {
                            for (int j = 0; j < 100; j++) {
                                tasks.add(tg.createTask(() -> {
                                    future.await();
                                    return null;
                                }));
                            }
                            Set<Task<?>> allTasks = Aio.allTasks(loop);
                            assertEquals(101, allTasks.size());
                            for (Task<?> task : allTasks) {
                                assertSame(loop, task.getLoop());
                                assertFalse(task.isDone());
                            }
                            Task<?> current = Aio.currentTask();
                            assertSame(loop, current.getLoop());
                            Set<Task<?>> expected = new HashSet<>(tasks);
                            expected.add(current);
                            assertEquals(expected, allTasks);
                            future.setResult(null);
                            return null;
                        });
                        return null;
                    });
                }
            }));
        }
        startAndJoin(threads);
    }

    @Test
    void test_all_tasks_different_thread() throws Exception {
        AtomicReference<EventLoop> loop = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1); // keeps the main task from finishing early
        Object lock = new Object();
        AtomicReference<Set<Task<?>>> tasks = new AtomicReference<>(Set.of());
        Thread runner = new Thread(() -> Aio.run(() -> {
            loop.set(Aio.getRunningLoop());
            started.countDown();
            for (int i = 0; i < 1000; i++) {
                synchronized (lock) {
                    Aio.createTask(() -> Aio.getRunningLoop().createFuture().await());
                    tasks.set(Aio.allTasks(loop.get()));
                }
            }
            // Python's done.wait() blocks the loop; so does this, and close() then cancels
            done.await();
            return null;
        }));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            threads.add(new Thread(() -> {
                try {
                    started.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                synchronized (lock) {
                    Set<Task<?>> seen = tasks.get();
                    Set<Task<?>> all = Aio.allTasks(loop.get());
                    assertTrue(all.containsAll(seen), "every task of the loop's last read is"
                            + " still live, read from another thread: " + seen.size() + " vs "
                            + all.size());
                }
            }));
        }
        runner.start();
        try {
            startAndJoin(threads);
        } finally {
            done.countDown();
            runner.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertFalse(runner.isAlive());
    }

    @ParameterizedTest(name = "eager={0}")
    @ValueSource(booleans = {false, true})
    void test_task_different_thread_finalized(boolean eager) throws Exception {
        AtomicReference<Task<?>> task = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try (Runner runner = new Runner()) {
                runner.getLoop().setTaskFactory(factory(eager));
                runner.run(() -> {
                    task.set(Aio.currentTask());
                    return null;
                });
            }
        });
        startAndJoin(List.of(thread));
        WeakReference<Task<?>> wr = new WeakReference<>(task.getAndSet(null));
        thread = null;
        // the task, its loop and its thread are collectable once the runner has ended
        for (int i = 0; i < 50 && wr.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(wr.get(), "a finished task of a closed loop is garbage");
    }

    @ParameterizedTest(name = "eager={0}")
    @ValueSource(booleans = {false, true})
    void test_run_coroutine_threadsafe(boolean eager) {
        List<Integer> results = Collections.synchronizedList(new ArrayList<>());
        try (Runner r = new Runner()) {
            EventLoop loop = r.getLoop();
            loop.setTaskFactory(factory(eager));
            r.run(() -> {
                TaskGroup.run(tg -> {
                    for (int i = 0; i < 10; i++) {
                        tg.createTask(() -> Aio.toThread(() -> {
                            int result = Aio.runCoroutineThreadsafe(() -> Aio.sleep(0.1, 42),
                                    loop).get();
                            assertEquals(42, result);
                            results.add(result);
                            return null;
                        }));
                    }
                    return null;
                });
                assertEquals(Collections.nCopies(10, 42), results);
                return null;
            });
        }
    }

    @ParameterizedTest(name = "eager={0}")
    @ValueSource(booleans = {false, true})
    void test_run_coroutine_threadsafe_exception(boolean eager) {
        try (Runner r = new Runner()) {
            EventLoop loop = r.getLoop();
            loop.setTaskFactory(factory(eager));
            r.run(() -> {
                List<Task<Object>> tasks = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    tasks.add(loop.createTask(() -> Aio.toThread(() -> {
                        try {
                            return Aio.runCoroutineThreadsafe(() -> {
                                Aio.sleep(0);
                                throw new MyException("test");
                            }, loop).get();
                        } catch (ExecutionException e) {
                            throw (RuntimeException) e.getCause(); // fut.result() raises it
                        }
                    })));
                }
                List<Outcome<Object>> results = Aio.gatherSettled(tasks).await();
                assertEquals(10, results.size());
                for (Outcome<Object> result : results) {
                    Throwable e = assertInstanceOf(Outcome.Failure.class, result).error();
                    assertInstanceOf(MyException.class, e);
                    assertEquals("test", e.getMessage());
                }
                return null;
            });
        }
    }

    @ParameterizedTest(name = "eager={0}")
    @ValueSource(booleans = {false, true})
    void test_all_tasks_from_other_thread_includes_eager_tasks(boolean eagerTasks)
            throws Exception {
        // gh-152020: all_tasks() from another thread used to drop eager-started tasks
        EventLoop loop = EventLoop.newEventLoop();
        Thread thread = new Thread(loop::runForever);
        thread.start();
        try {
            Aio.runCoroutineThreadsafe(() -> {
                loop.setTaskFactory(TaskFactory.EAGER);
                loop.createTask(() -> new AsyncEvent().await(), "EAGER");
                loop.setTaskFactory(factory(eagerTasks));
                loop.createTask(() -> new AsyncEvent().await(), "NORMAL");
                return null;
            }, loop).get(30, TimeUnit.SECONDS);
            Set<String> names = new HashSet<>();
            for (Task<?> t : Aio.allTasks(loop)) {
                names.add(t.getName());
            }
            assertTrue(names.contains("NORMAL"), names.toString());
            assertTrue(names.contains("EAGER"), names.toString());
        } finally {
            Aio.runCoroutineThreadsafe(() -> {
                List<Task<?>> tasks = new ArrayList<>();
                for (Task<?> t : Aio.allTasks()) {
                    if (t != Aio.currentTask()) {
                        t.cancel();
                        tasks.add(t);
                    }
                }
                Aio.gatherSettled(tasks).await();
                return null;
            }, loop).get(30, TimeUnit.SECONDS);
            loop.callSoonThreadsafe(loop::stop);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            loop.close();
        }
    }

    // ---- beyond the port: a read off the loop is never torn ------------------------------------

    /**
     * A loop starts tasks {@code w-0, w-1, ...} and ends them in the same order, keeping about
     * {@code window} alive, so every state of its task list is the main task and one unbroken run
     * {@code w-lo .. w-hi}, oldest first, after the main task. Another thread reads {@link Aio#allTasks(EventLoop)}
     * all the while; a read that mixed two states would show a gap, a task out of order, or
     * a walk cut short (the main task missing).
     */
    private static void readsWhileTheLoopChurns(int window, int total) throws Exception {
        assertTrue(window >= 64, "every worker must have awaited before its gate opens");
        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicReference<EventLoop> loopRef = new AtomicReference<>();
        AtomicReference<Task<?>> main = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger readsWithWorkers = new AtomicInteger();
        Thread reader = new Thread(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                return;
            }
            EventLoop loop = loopRef.get();
            while (churning.get()) {
                // every other read skips the first optimistic walks: it borrows the loop if
                // idle, else posts its read to the loop and takes whichever answer comes first,
                // that or a walk re-tried while it waits
                List<Task<?>> seen = new ArrayList<>(reads.incrementAndGet() % 2 == 0
                        ? Aio.allTasks(loop)
                        : ((BaseEventLoop) loop).liveTasksFromAnyThread(0));
                if (seen.isEmpty() || seen.get(0) != main.get()) {
                    torn.add("the main task, the oldest, is not first in a read of " + seen.size()
                            + ": " + (seen.isEmpty() ? "none" : seen.get(0).getName()));
                }
                int last = -1;
                int workers = 0;
                for (Task<?> t : seen) {
                    if (!t.getName().startsWith("w-")) {
                        continue;
                    }
                    int i = Integer.parseInt(t.getName().substring(2));
                    if (last >= 0 && i != last + 1) {
                        torn.add("w-" + last + " then w-" + i + " in a read of " + seen.size());
                    }
                    last = i;
                    workers++;
                }
                if (workers > 0) {
                    readsWithWorkers.incrementAndGet();
                }
            }
        });
        reader.start();
        try {
            Aio.run(() -> {
                loopRef.set(Aio.getRunningLoop());
                main.set(Aio.currentTask());
                List<AsyncFuture<Void>> gates = new ArrayList<>();
                List<Task<Void>> workers = new ArrayList<>();
                started.countDown();
                for (int i = 0; i < total; i++) {
                    AsyncFuture<Void> gate = Aio.getRunningLoop().createFuture();
                    gates.add(gate);
                    workers.add(Aio.createTask(() -> gate.await(), "w-" + i));
                    if (i >= window) {
                        // a worker that old has run to its await (window >= 64): the gates
                        // open in order, so the workers end in order
                        gates.get(i - window).setResult(null);
                    }
                    if (i % 64 == 0) {
                        Aio.sleep(0); // let the ends run, interleaved with new starts
                    }
                }
                Aio.sleep(0); // every worker runs to its await before the last gates open
                for (int i = Math.max(0, total - window); i < total; i++) {
                    gates.get(i).setResult(null);
                }
                Aio.gather(workers).await();
                churning.set(false); // while the main task is live: every read must show it
                Aio.toThread(() -> {
                    reader.join(TimeUnit.SECONDS.toMillis(60));
                    return null;
                });
                return null;
            });
        } finally {
            churning.set(false);
            reader.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertFalse(reader.isAlive(), "the reader came back");
        if (!torn.isEmpty()) {
            fail(torn.size() + " torn read(s) of " + reads.get() + ", first: " + torn.peek());
        }
        assertTrue(readsWithWorkers.get() > 0, "the reader saw the loop at work: " + reads.get()
                + " reads, none with a worker");
    }

    /** Off the loop, in each state a loop can be in: idle, busy in a step, stopped, closed. */
    @Test
    void allTasksOfALoopInEveryState() throws Exception {
        EventLoop loop = EventLoop.newEventLoop();
        // idle, never run: tasks created and not started are live
        Task<Void> waiting = loop.createTask(() -> {
            new AsyncEvent().await();
            return null;
        }, "waiting");
        assertEquals(Set.of(waiting), offLoop(() -> Aio.allTasks(loop)));
        // running, busy in a step that blocks: the read does not wait for the step to end
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread runner = new Thread(() -> loop.runUntilComplete(loop.createTask(() -> {
            inStep.countDown();
            release.await(); // a step that holds the loop
            return null;
        }, "busy")));
        runner.start();
        assertTrue(inStep.await(10, TimeUnit.SECONDS));
        Set<String> names = new HashSet<>();
        offLoop(() -> Aio.allTasks(loop)).forEach(t -> names.add(t.getName()));
        assertEquals(Set.of("waiting", "busy"), names);
        release.countDown();
        runner.join(TimeUnit.SECONDS.toMillis(10));
        // stopped, not closed: what is left is still live
        assertEquals(Set.of(waiting), offLoop(() -> Aio.allTasks(loop)));
        // closed: close() ran every task to its end
        loop.close();
        assertEquals(Set.of(), offLoop(() -> Aio.allTasks(loop)));
        assertTrue(waiting.isCancelled());
    }

    /** Runs {@code read} on a thread of its own, within 10 s. */
    private static <T> T offLoop(java.util.concurrent.Callable<T> read) throws Exception {
        java.util.concurrent.FutureTask<T> f = new java.util.concurrent.FutureTask<>(read);
        Thread t = new Thread(f, "off-loop reader");
        t.start();
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void readsOffTheLoopAreStatesTheListWasIn() throws Exception {
        readsWhileTheLoopChurns(100, 200_000);
    }

    @Test
    void readsOfALongListUnderChurn() throws Exception {
        // walking 50,000 tasks takes longer than the loop takes to start or end one
        readsWhileTheLoopChurns(50_000, 150_000);
    }
}
