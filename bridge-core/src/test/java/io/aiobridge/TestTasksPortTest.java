package io.aiobridge;

import static io.aiobridge.testing.Ports.runBriefly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_tasks.py}: the cases about cancellation,
 * {@code uncancel}, {@code wait}, {@code shield}, {@code gather}'s cancellation, {@code sleep} and
 * the current task, ported case by case. CPython's {@code test_utils.run_briefly(loop)} is one
 * {@code sleep(0)} of the test's own task here: the ready tasks take one step. Cases about
 * Python's objects (coroutine reprs, reference counts, {@code __context__} chains, subclassing
 * the C task) have no counterpart.
 */
class TestTasksPortTest {

    private static <T> AsyncFuture<T> future() {
        return Aio.getRunningLoop().createFuture();
    }

    // ---- cancelling() and uncancel() -----------------------------------------------------------

    @Test
    void test_cancelling() {
        Loops.virtual(() -> {
            Task<Void> t = Aio.createTask(() -> Aio.sleep(10, null));
            assertEquals(0, t.cancelling());
            assertFalse(t.toString().contains(" cancelling "), t.toString());
            assertTrue(t.cancel());
            assertEquals(1, t.cancelling());
            assertTrue(t.toString().contains(" cancelling ") || t.toString().contains("cancelling"),
                    t.toString());
            assertTrue(t.cancel(), "a second cancel() of a cancelling task returns true (3.11+)");
            assertThrows(CancelledError.class, t::await);
            return null;
        });
    }

    @Test
    void test_uncancel_basic() {
        Loops.virtual(() -> {
            Task<Void> t = Aio.createTask(() -> {
                try {
                    Aio.sleep(10);
                } catch (CancelledError e) {
                    Aio.currentTask().uncancel();
                    Aio.sleep(10);
                }
                return null;
            });
            Aio.sleep(0.01);
            assertTrue(t.cancel());
            assertEquals(1, t.cancelling());
            assertFalse(t.isCancelled(), "still not complete");
            Aio.sleep(0.01);
            assertEquals(0, t.cancelling(), "after uncancel()");
            assertFalse(t.isCancelled());
            assertTrue(t.cancel());
            assertEquals(1, t.cancelling());
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isCancelled());
            assertTrue(t.isDone());
            t.uncancel(); // no longer effective once the task is done
            assertTrue(t.isCancelled());
            assertTrue(t.isDone());
            return null;
        });
    }

    @Test
    void test_uncancel_structured_blocks() {
        Loops.virtual(() -> {
            for (boolean timesOut : new boolean[] {true, false}) {
                double sleep = timesOut ? 10.0 : 0;
                double timeout = timesOut ? 0.1 : 10.0;
                boolean[] r = new boolean[3]; // timedOut, structuredBlockFinished, outerReached
                Task<Void> t = Aio.createTask(() -> {
                    Task<?> task = Aio.currentTask();
                    TimerHandle handle = Aio.getRunningLoop().callLater(timeout, () -> {
                        r[0] = true;
                        task.cancel();
                    });
                    try {
                        boolean cancelled = false;
                        try {
                            Aio.sleep(sleep);
                            r[1] = true;
                        } catch (CancelledError e) {
                            cancelled = true;
                            throw e;
                        } finally {
                            handle.cancel();
                            if (r[0] && task.uncancel() == 0 && cancelled) {
                                throw new AsyncTimeoutException();
                            }
                        }
                    } catch (AsyncTimeoutException e) {
                        assertTrue(r[0]);
                    }
                    r[2] = true;
                    Aio.sleep(0);
                    return null;
                });
                t.await();
                assertEquals(timesOut, r[0]);
                assertEquals(!timesOut, r[1]);
                assertTrue(r[2], "the task went on after the structured block");
                assertEquals(0, t.cancelling(), "no pending cancellation");
            }
            return null;
        });
    }

    @Test
    void test_uncancel_resets_must_cancel() {
        Loops.virtual(() -> {
            AsyncFuture<Void> fut = future();
            Task<Integer> task = Aio.createTask(() -> {
                fut.await();
                return 42;
            });
            Aio.sleep(0); // the task waits for fut
            fut.setResult(null); // the task is runnable
            task.cancel();
            assertEquals(1, task.cancelling());
            task.uncancel();
            assertEquals(0, task.cancelling());
            assertEquals(42, task.await(), "the withdrawn request is not delivered");
            return null;
        });
    }

    // ---- cancel() ------------------------------------------------------------------------------

    @Test
    void test_cancel() {
        Loops.virtual(() -> {
            Task<Integer> t = Aio.createTask(() -> Aio.sleep(10.0, 12));
            Aio.getRunningLoop().callSoon(t::cancel);
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
            assertFalse(t.cancel());
            return null;
        });
    }

    @Test
    void test_cancel_with_message_then_future_result_and_exception() {
        Loops.virtual(() -> {
            for (String message : new String[] {null, "my message"}) {
                for (boolean viaException : new boolean[] {false, true}) {
                    CancelledError e = assertThrows(CancelledError.class,
                            () -> Aio.createTask(() -> {
                                Task<Void> task = Aio.createTask(() -> Aio.sleep(10, null));
                                Aio.sleep(0);
                                if (message == null) {
                                    task.cancel();
                                } else {
                                    task.cancel(message);
                                }
                                Aio.wait(List.of(task));
                                if (viaException) {
                                    task.exception();
                                } else {
                                    task.result();
                                }
                                return null;
                            }).await());
                    assertEquals(message, e.getMessage());
                }
            }
            return null;
        });
    }

    @Test
    void test_cancellation_exception_context() {
        Loops.virtual(() -> {
            AsyncFuture<Void> fut = future();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Aio.createTask(() -> {
                        Task<Void> inner = Aio.createTask(() -> {
                            fut.setResult(null);
                            return Aio.sleep(10, null);
                        });
                        fut.await();
                        Aio.getRunningLoop().callSoon(() -> inner.cancel("msg"));
                        try {
                            return inner.await();
                        } catch (CancelledError ex) {
                            throw new IllegalArgumentException("cancelled", ex);
                        }
                    }).await());
            assertEquals("cancelled", e.getMessage());
            assertInstanceOf(CancelledError.class, e.getCause());
            assertEquals("msg", e.getCause().getMessage());
            return null;
        });
    }

    @Test
    void test_cancel_with_message_before_starting_task() {
        Loops.virtual(() -> {
            CancelledError e = assertThrows(CancelledError.class, () -> Aio.createTask(() -> {
                Task<Void> task = Aio.createTask(() -> Aio.sleep(10, null));
                task.cancel("my message"); // before it ever ran
                Aio.wait(List.of(task));
                task.exception();
                return null;
            }).await());
            assertEquals("my message", e.getMessage());
            return null;
        });
    }

    @Test
    void test_cancel_yield() {
        Loops.virtual(() -> {
            Task<Integer> t = Aio.createTask(() -> {
                Aio.sleep(0);
                Aio.sleep(0);
                return 12;
            });
            runBriefly(); // start the coroutine
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
            assertFalse(t.cancel());
            return null;
        });
    }

    /** CPython's {@code async def task(): await f; return 12}. */
    private static Task<Integer> awaitsThen12(AsyncFuture<Void> f) {
        return Aio.createTask(() -> {
            f.await();
            return 12;
        });
    }

    @Test
    void test_cancel_inner_future() {
        Loops.virtual(() -> {
            AsyncFuture<Void> f = future();
            Task<Integer> t = awaitsThen12(f);
            runBriefly();
            f.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(f.isCancelled());
            assertTrue(t.isCancelled());
            return null;
        });
    }

    @Test
    void test_cancel_both_task_and_inner_future() {
        Loops.virtual(() -> {
            AsyncFuture<Void> f = future();
            Task<Integer> t = awaitsThen12(f);
            runBriefly();
            f.cancel();
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isDone());
            assertTrue(f.isCancelled());
            assertTrue(t.isCancelled());
            return null;
        });
    }

    @Test
    void test_cancel_task_catching() {
        Loops.virtual(() -> {
            AsyncFuture<Void> fut1 = future();
            AsyncFuture<Void> fut2 = future();
            Task<Integer> t = Aio.createTask(() -> {
                fut1.await();
                try {
                    fut2.await();
                } catch (CancelledError e) {
                    return 42;
                }
                return 0;
            });
            runBriefly();
            fut1.setResult(null);
            runBriefly();
            t.cancel();
            assertTrue(fut2.isCancelled(), "the cancel goes to the future the task waits on");
            assertEquals(42, t.await());
            assertFalse(t.isCancelled());
            return null;
        });
    }

    @Test
    void test_cancel_task_ignoring() {
        Loops.virtual(() -> {
            AsyncFuture<Void> fut1 = future();
            AsyncFuture<Void> fut2 = future();
            AsyncFuture<Integer> fut3 = future();
            Task<Integer> t = Aio.createTask(() -> {
                fut1.await();
                try {
                    fut2.await();
                } catch (CancelledError e) {
                    // ignored
                }
                return fut3.await();
            });
            runBriefly();
            fut1.setResult(null);
            runBriefly();
            t.cancel();
            assertTrue(fut2.isCancelled());
            runBriefly();
            fut3.setResult(42);
            assertEquals(42, t.await());
            assertFalse(fut3.isCancelled());
            assertFalse(t.isCancelled());
            return null;
        });
    }

    @Test
    void test_cancel_current_task_and_at_end() {
        Loops.virtual(() -> {
            for (boolean sleeps : new boolean[] {true, false}) {
                @SuppressWarnings("unchecked")
                Task<Integer>[] t = new Task[1];
                t[0] = Aio.createTask(() -> {
                    t[0].cancel();
                    if (sleeps) {
                        Aio.sleep(100); // cancelled at once
                    }
                    return 12;
                });
                assertFalse(t[0].isCancelled());
                assertThrows(CancelledError.class, t[0]::await);
                assertTrue(t[0].isDone());
                assertTrue(t[0].isCancelled());
                assertFalse(t[0].cancel());
            }
            return null;
        });
    }

    @Test
    void test_cancel_awaited_task() {
        // bpo-34872: a task cancelled while not blocked cancels what it awaits next
        Loops.virtual(() -> {
            AsyncFuture<Void> fut = future();
            @SuppressWarnings("unchecked")
            Task<Void>[] nested = new Task[1];
            @SuppressWarnings("unchecked")
            Task<Void>[] task = new Task[1];
            task[0] = Aio.createTask(() -> {
                nested[0] = Aio.createTask(fut::await);
                Aio.sleep(0);
                task[0].cancel();
                return nested[0].await();
            });
            assertThrows(CancelledError.class, task[0]::await);
            assertTrue(task[0].isCancelled());
            assertTrue(nested[0].isCancelled());
            assertTrue(fut.isCancelled());
            return null;
        });
    }

    @Test
    void test_task_awaits_on_itself_and_other_loop_future() {
        Loops.virtual(() -> {
            @SuppressWarnings("unchecked")
            Task<Void>[] task = new Task[1];
            task[0] = Aio.createTask(() -> task[0].await());
            IllegalStateException e = assertThrows(IllegalStateException.class, task[0]::await);
            assertTrue(e.getMessage().startsWith("Task cannot await on itself"), e.getMessage());
            try (EventLoop other = EventLoop.newVirtualTimeEventLoop()) {
                AsyncFuture<Void> foreign = other.createFuture();
                IllegalStateException f = assertThrows(IllegalStateException.class,
                        () -> Aio.createTask(foreign::await).await());
                assertTrue(f.getMessage().matches("(?s)Task .* got Future .* attached.*"),
                        f.getMessage());
            }
            return null;
        });
    }

    @Test
    void test_task_set_methods() {
        Loops.virtual(() -> {
            Task<String> task = Aio.createTask(() -> "ko");
            IllegalStateException r = assertThrows(IllegalStateException.class,
                    () -> task.setResult("ok"));
            assertTrue(r.getMessage().contains("not support set_result"), r.getMessage());
            IllegalStateException x = assertThrows(IllegalStateException.class,
                    () -> task.setException(new IllegalArgumentException()));
            assertTrue(x.getMessage().contains("not support set_exception"), x.getMessage());
            assertEquals("ko", task.await());
            return null;
        });
    }

    @Test
    void test_baseexception_during_cancel() {
        // SystemExit's counterpart: an error the loop does not swallow
        final class Exit extends VirtualMachineError {
        }
        Exit baseExc = new Exit();
        Loops.virtual(() -> {
            Task<Void> task = Aio.createTask(() -> {
                try {
                    Aio.sleep(10);
                } catch (CancelledError e) {
                    throw baseExc;
                }
                return null;
            });
            runBriefly();
            task.cancel();
            assertFalse(task.isDone());
            Aio.wait(List.of(task));
            assertTrue(task.isDone());
            assertFalse(task.isCancelled());
            assertSame(baseExc, task.exception());
            return null;
        });
    }

    // ---- wait() --------------------------------------------------------------------------------

    @Test
    void test_wait() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<Void> a = Aio.createTask(() -> Aio.sleep(0.1, null));
            Task<Void> b = Aio.createTask(() -> Aio.sleep(0.15, null));
            for (int round = 0; round < 2; round++) {
                WaitResult<Task<Void>> r = Aio.wait(List.of(b, a));
                assertEquals(Set.of(a, b), r.done());
                assertEquals(Set.of(), r.pending());
                assertEquals(0.15, loop.time(), 1e-9, "doing it again takes no time");
            }
            return null;
        });
    }

    @Test
    void test_wait_duplicate_and_errors() {
        Loops.virtual(() -> {
            Task<String> c = Aio.createTask(() -> "test");
            Task<String> spam = Aio.createTask(() -> "spam");
            WaitResult<Task<String>> r = Aio.wait(List.of(c, c, spam));
            assertTrue(r.pending().isEmpty());
            Set<String> results = new HashSet<>();
            for (Task<String> f : r.done()) {
                results.add(f.result());
            }
            assertEquals(Set.of("test", "spam"), results);
            assertThrows(IllegalArgumentException.class, () -> Aio.wait(List.<Task<Void>>of()));
            return null;
        });
    }

    @Test
    void test_wait_first_completed() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<Void> a = Aio.createTask(() -> Aio.sleep(10.0, null));
            Task<Void> b = Aio.createTask(() -> Aio.sleep(0.1, null));
            WaitResult<Task<Void>> r = Aio.wait(List.of(b, a), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(b), r.done());
            assertEquals(Set.of(a), r.pending());
            assertFalse(a.isDone());
            assertTrue(b.isDone());
            assertNull(b.result());
            assertEquals(0.1, loop.time(), 1e-9);
            a.cancel();
            return null;
        });
    }

    @Test
    void test_wait_really_done() {
        // tasks in the pending set may be done already, their callbacks not yet run
        Loops.virtual(() -> {
            Task<Void> a = Aio.createTask(() -> Aio.sleep(0, null));
            Task<Void> b = Aio.createTask(() -> {
                Aio.sleep(0);
                return Aio.sleep(0, null);
            });
            WaitResult<Task<Void>> r = Aio.wait(List.of(b, a), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(a, b), r.done());
            assertTrue(a.isDone());
            assertTrue(b.isDone());
            return null;
        });
    }

    @Test
    void test_wait_first_exception() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            // the task has already failed
            Task<Void> a = Aio.createTask(() -> Aio.sleep(10.0, null));
            Task<Void> b = Aio.createTask(() -> {
                throw new ArithmeticException("err");
            });
            WaitResult<Task<Void>> r = Aio.wait(List.of(b, a), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(b), r.done());
            assertEquals(Set.of(a), r.pending());
            assertEquals(0, loop.time(), 1e-9);
            // it fails while wait() waits
            Task<Void> c = Aio.createTask(() -> {
                Aio.sleep(0.01);
                throw new ArithmeticException("err");
            });
            WaitResult<Task<Void>> r2 = Aio.wait(List.of(c, a), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(c), r2.done());
            assertEquals(Set.of(a), r2.pending());
            assertEquals(0.01, loop.time(), 1e-9);
            a.cancel();
            return null;
        });
    }

    @Test
    void test_wait_with_exception() {
        Loops.virtual(() -> {
            Task<Void> a = Aio.createTask(() -> Aio.sleep(0.1, null));
            Task<Void> b = Aio.createTask(() -> {
                Aio.sleep(0.15);
                throw new ArithmeticException("really");
            });
            for (int round = 0; round < 2; round++) {
                WaitResult<Task<Void>> r = Aio.wait(List.of(b, a));
                assertEquals(2, r.done().size());
                assertTrue(r.pending().isEmpty());
                assertEquals(1, r.done().stream().filter(f -> f.exception() != null).count());
                assertEquals(0.15, Aio.getRunningLoop().time(), 1e-9);
            }
            return null;
        });
    }

    @Test
    void test_wait_with_timeout_and_concurrent_complete() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<Void> a = Aio.createTask(() -> Aio.sleep(0.1, null));
            Task<Void> b = Aio.createTask(() -> Aio.sleep(0.15, null));
            WaitResult<Task<Void>> r = Aio.wait(List.of(b, a), ReturnWhen.ALL_COMPLETED, 0.11);
            assertEquals(Set.of(a), r.done());
            assertEquals(Set.of(b), r.pending());
            assertEquals(0.11, loop.time(), 1e-9);
            b.cancel();

            // the timeout and a's completion fall on the same instant
            double t0 = loop.time();
            Task<Void> c = Aio.createTask(() -> Aio.sleep(0.1, null));
            Task<Void> d = Aio.createTask(() -> Aio.sleep(0.15, null));
            // wait() runs in a task of its own, as CPython's run_until_complete(wait(...)) does,
            // so c's timer comes before wait()'s
            WaitResult<Task<Void>> r2 = Aio.createTask(
                    () -> Aio.wait(List.of(d, c), ReturnWhen.ALL_COMPLETED, 0.1)).await();
            assertEquals(Set.of(c), r2.done());
            assertEquals(Set.of(d), r2.pending());
            assertEquals(t0 + 0.1, loop.time(), 1e-9);
            d.cancel();
            return null;
        });
    }

    // ---- as_completed() with a timeout ---------------------------------------------------------

    @Test
    void test_as_completed_with_timeout() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<String> a = Aio.createTask(() -> Aio.sleep(0.1, "a"));
            Task<String> b = Aio.createTask(() -> Aio.sleep(0.15, "b"));
            List<Object> values = new ArrayList<>();
            for (Awaitable<String> f : Aio.asCompleted(List.of(a, b), 0.12)) {
                try {
                    values.add(f.await());
                } catch (AsyncTimeoutException e) {
                    values.add(e);
                }
            }
            assertEquals(2, values.size(), values.toString());
            assertEquals("a", values.get(0));
            assertInstanceOf(AsyncTimeoutException.class, values.get(1));
            assertEquals(0.12, loop.time(), 1e-9);
            b.cancel();
            return null;
        });
    }

    @Test
    void test_as_completed_both_forms() {
        // the awaitables form gives results; the iterator form (3.13's async for) the futures
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            for (boolean iteratorForm : new boolean[] {false, true}) {
                double t0 = loop.time();
                Task<String> a = Aio.createTask(() -> Aio.sleep(0.01, "a"));
                Task<String> b = Aio.createTask(() -> Aio.sleep(0.01, "b"));
                Task<String> c = Aio.createTask(() -> Aio.sleep(0.15, "c"));
                List<String> res = new ArrayList<>();
                if (iteratorForm) {
                    for (Task<String> f : Aio.asCompletedFutures(List.of(b, c, a))) {
                        assertTrue(f.isDone());
                        res.add(f.result());
                    }
                } else {
                    for (Awaitable<String> f : Aio.asCompleted(List.of(b, c, a), null)) {
                        res.add(f.await());
                    }
                }
                assertEquals(0.15, loop.time() - t0, 1e-9);
                assertTrue(res.subList(0, 2).containsAll(List.of("a", "b")), res.toString());
                assertEquals("c", res.get(2));
            }
            return null;
        });
    }

    @Test
    void test_as_completed_same_tasks_in_as_out() {
        Loops.virtual(() -> {
            List<Task<String>> in = List.of(Aio.createTask(() -> "b"),
                    Aio.createTask(() -> "d"));
            Set<Task<String>> out = new HashSet<>();
            for (Task<String> t : Aio.asCompletedFutures(in)) {
                out.add(t);
            }
            assertEquals(new HashSet<>(in), out, "tasks are yielded as themselves");
            return null;
        });
    }

    @Test
    void test_as_completed_with_timeout_iterator_form() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<String> a = Aio.createTask(() -> Aio.sleep(0.1, "a"));
            Task<String> b = Aio.createTask(() -> Aio.sleep(0.15, "b"));
            List<Object> values = new ArrayList<>();
            try {
                for (Task<String> f : Aio.asCompletedFutures(List.of(a, b), 0.12)) {
                    values.add(f.result());
                }
            } catch (AsyncTimeoutException e) {
                values.add(e);
            }
            assertEquals(2, values.size(), values.toString());
            assertEquals("a", values.get(0));
            assertInstanceOf(AsyncTimeoutException.class, values.get(1));
            assertEquals(0.12, loop.time(), 1e-9);
            assertFalse(b.isDone(), "the timeout does not cancel the futures");
            b.cancel();
            return null;
        });
    }

    @Test
    void test_as_completed_with_unused_timeout_and_resume_iterator() {
        Loops.virtual(() -> {
            Task<String> a = Aio.createTask(() -> Aio.sleep(0.01, "a"));
            for (Task<String> f : Aio.asCompletedFutures(List.of(a), 1.0)) {
                assertEquals("a", f.result());
            }
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                tasks.add(Aio.createTask(() -> n));
            }
            AsyncIterable<Task<Integer>> iterator = Aio.asCompletedFutures(tasks);
            List<Integer> collected = new ArrayList<>();
            for (Task<Integer> f : iterator) {
                collected.add(f.result());
                if (collected.size() == 2) {
                    break;
                }
            }
            for (Task<Integer> f : iterator) { // resumes where the first loop stopped
                collected.add(f.result());
            }
            collected.sort(null);
            assertEquals(List.of(0, 1, 2, 3), collected);
            return null;
        });
    }

    @Test
    void test_as_completed_duplicates_and_other_loop() {
        Loops.virtual(() -> {
            Task<String> ham = Aio.createTask(() -> "ham");
            Task<String> spam = Aio.createTask(() -> "spam");
            List<String> result = new ArrayList<>();
            for (Task<String> f : Aio.asCompletedFutures(List.of(ham, ham, spam))) {
                result.add(f.result());
            }
            assertEquals(Set.of("ham", "spam"), new HashSet<>(result));
            assertEquals(2, result.size());
            try (EventLoop other = EventLoop.newVirtualTimeEventLoop()) {
                AsyncFuture<String> foreign = other.createFuture();
                assertThrows(IllegalArgumentException.class,
                        () -> Aio.asCompletedFutures(List.of(foreign)));
            }
            return null;
        });
    }

    // ---- sleep() -------------------------------------------------------------------------------

    @Test
    void test_sleep_and_nan() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<String> t = Aio.createTask(() -> {
                Aio.sleep(0.05);
                return Aio.sleep(0.05, "yeah");
            });
            assertEquals("yeah", t.await());
            assertEquals(0.1, loop.time(), 1e-9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Aio.createTask(() -> Aio.sleep(Double.NaN, null)).await());
            assertTrue(e.getMessage().startsWith("Invalid delay: NaN (not a number)"),
                    e.getMessage());
            return null;
        });
    }

    @Test
    void test_task_cancel_sleeping_task() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<Void> sleeper = Aio.createTask(() -> Aio.sleep(5000, null));
            loop.callLater(0.1, sleeper::cancel);
            String outcome;
            try {
                sleeper.await();
                outcome = "slept in";
            } catch (CancelledError e) {
                outcome = "cancelled";
            }
            assertEquals("cancelled", outcome);
            assertEquals(0.1, loop.time(), 1e-9);
            return null;
        });
    }

    @Test
    void test_task_cancel_waiter_future() {
        Loops.virtual(() -> {
            AsyncFuture<Void> fut = future();
            Task<Void> task = Aio.createTask(fut::await);
            runBriefly();
            task.cancel();
            runBriefly();
            assertThrows(CancelledError.class, task::await);
            assertTrue(fut.isCancelled());
            return null;
        });
    }

    // ---- the current task ----------------------------------------------------------------------

    @Test
    void test_current_task_with_interleaving_tasks() {
        Loops.virtual(() -> {
            AsyncFuture<Boolean> fut1 = future();
            AsyncFuture<Boolean> fut2 = future();
            @SuppressWarnings("unchecked")
            Task<Void>[] t = new Task[2];
            t[0] = Aio.createTask(() -> {
                assertSame(t[0], Aio.currentTask());
                fut1.await();
                assertSame(t[0], Aio.currentTask());
                fut2.setResult(true);
                return null;
            });
            t[1] = Aio.createTask(() -> {
                assertSame(t[1], Aio.currentTask());
                fut1.setResult(true);
                fut2.await();
                assertSame(t[1], Aio.currentTask());
                return null;
            });
            Aio.wait(List.of(t[0], t[1]));
            t[0].await();
            t[1].await();
            return null;
        });
    }

    // ---- cancellation through coroutines, tasks and wait() -------------------------------------

    @Test
    void test_yield_future_passes_cancel() {
        Loops.virtual(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = future();
            Coroutine<Void> inner = () -> {
                try {
                    waiter.await();
                } catch (CancelledError e) {
                    proof[0] += 1;
                    throw e;
                }
                throw new AssertionError("got past the wait in inner()");
            };
            Task<Void> f = Aio.createTask(() -> {
                try {
                    inner.call();
                    proof[0] += 10;
                } catch (CancelledError e) {
                    proof[0] += 100; // expect this path
                }
                return null;
            });
            runBriefly();
            f.cancel();
            f.await();
            assertEquals(101, proof[0]);
            assertTrue(waiter.isCancelled());
            return null;
        });
    }

    @Test
    void test_yield_wait_does_not_shield_cancel() {
        Loops.virtual(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = future();
            Task<Void> f = Aio.createTask(() -> {
                Aio.wait(List.of(Aio.createTask(() -> {
                    waiter.await();
                    proof[0] += 1;
                    return null;
                })));
                proof[0] += 100;
                return null;
            });
            runBriefly();
            f.cancel();
            assertThrows(CancelledError.class, f::await);
            waiter.setResult(null);
            runBriefly();
            assertEquals(1, proof[0], "wait() returned early and left inner() running");
            return null;
        });
    }

    // ---- shield() ------------------------------------------------------------------------------

    @Test
    void test_shield_result_exception_and_cancel_inner() {
        Loops.virtual(() -> {
            AsyncFuture<Integer> inner = future();
            AsyncFuture<Integer> outer = Aio.shield(inner);
            inner.setResult(42);
            assertEquals(42, outer.await());

            AsyncFuture<Integer> inner2 = future();
            AsyncFuture<Integer> outer2 = Aio.shield(inner2);
            runBriefly();
            IllegalStateException exc = new IllegalStateException("expected");
            inner2.setException(exc);
            runBriefly();
            assertSame(exc, outer2.exception());

            AsyncFuture<Integer> inner3 = future();
            AsyncFuture<Integer> outer3 = Aio.shield(inner3);
            runBriefly();
            inner3.cancel();
            runBriefly();
            assertTrue(outer3.isCancelled());
            return null;
        });
    }

    /** A shield of {@code inner}, awaited a turn, cancelled, and a turn later. */
    private static <T> AsyncFuture<T> cancelledShieldOf(AsyncFuture<T> inner) {
        AsyncFuture<T> outer = Aio.shield(inner);
        runBriefly();
        outer.cancel();
        runBriefly();
        return outer;
    }

    @Test
    void test_shield_cancel_outer_result_and_exception() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            List<ErrorContext> reported = new ArrayList<>();
            loop.setExceptionHandler((l, context) -> reported.add(context));

            AsyncFuture<Integer> inner = future();
            assertTrue(cancelledShieldOf(inner).isCancelled());
            inner.setResult(1);
            runBriefly();
            assertEquals(List.of(), reported, "a result nobody reads is not an error");

            AsyncFuture<Integer> inner2 = future();
            cancelledShieldOf(inner2);
            inner2.setException(new IllegalStateException("foo"));
            runBriefly();
            assertEquals(1, reported.size(), "the exception nobody can read is reported once");
            assertEquals("IllegalStateException exception in shielded future",
                    reported.get(0).message());
            loop.setExceptionHandler(null);
            return null;
        });
    }

    @Test
    void test_shield_duplicate_log_once() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            List<ErrorContext> reported = new ArrayList<>();
            loop.setExceptionHandler((l, context) -> reported.add(context));
            AsyncFuture<Integer> inner = future();
            cancelledShieldOf(inner);
            cancelledShieldOf(inner);
            inner.setException(new IllegalStateException("foo"));
            runBriefly();
            assertEquals(1, reported.size(), reported.toString());
            loop.setExceptionHandler(null);
            return null;
        });
    }

    @Test
    void test_shield_effect() {
        Loops.virtual(() -> {
            int[] proof = {0};
            AsyncFuture<Void> waiter = future();
            Task<Void> f = Aio.createTask(() -> {
                Aio.shield(Aio.createTask(() -> {
                    waiter.await();
                    proof[0] += 1;
                    return null;
                })).await();
                proof[0] += 100;
                return null;
            });
            runBriefly();
            f.cancel();
            assertThrows(CancelledError.class, f::await);
            waiter.setResult(null);
            runBriefly();
            assertEquals(1, proof[0]);
            return null;
        });
    }

    @Test
    void test_shield_gather() {
        Loops.virtual(() -> {
            AsyncFuture<Integer> child1 = future();
            AsyncFuture<Integer> child2 = future();
            AsyncFuture<List<Integer>> parent = Aio.gather(child1, child2);
            AsyncFuture<List<Integer>> outer = Aio.shield(parent);
            runBriefly();
            outer.cancel();
            runBriefly();
            assertTrue(outer.isCancelled());
            child1.setResult(1);
            child2.setResult(2);
            runBriefly();
            assertEquals(List.of(1, 2), parent.result());
            return null;
        });
    }

    @Test
    void test_gather_shield() {
        Loops.virtual(() -> {
            AsyncFuture<Integer> child1 = future();
            AsyncFuture<Integer> child2 = future();
            AsyncFuture<Integer> inner1 = Aio.shield(child1);
            AsyncFuture<Integer> inner2 = Aio.shield(child2);
            AsyncFuture<List<Integer>> parent = Aio.gather(inner1, inner2);
            runBriefly();
            parent.cancel();
            // cancels inner1 and inner2, not child1 and child2
            runBriefly();
            assertInstanceOf(CancelledError.class, parent.exception());
            assertTrue(inner1.isCancelled());
            assertTrue(inner2.isCancelled());
            assertFalse(child1.isDone());
            child1.setResult(1);
            child2.setResult(2);
            runBriefly();
            return null;
        });
    }

    // ---- gather() and cancellation -------------------------------------------------------------

    @Test
    void test_cancel_gather_1() {
        // Python issue #26923: a gathering future refuses a cancel once every child is done
        Loops.virtual(() -> {
            AsyncFuture<Integer> fut = future();
            AsyncFuture<List<Integer>> gatherFuture = Aio.gather(fut::await);
            Boolean[] cancelResult = {null};
            fut.addDoneCallback(f -> cancelResult[0] = gatherFuture.cancel());
            fut.setResult(42); // runs the cancelling callback after fut is done
            assertEquals(List.of(42), gatherFuture.await());
            assertEquals(false, cancelResult[0]);
            assertFalse(gatherFuture.isCancelled());
            return null;
        });
    }

    @Test
    void test_cancel_gather_2() {
        Loops.virtual(() -> {
            for (String message : new String[] {null, "my message"}) {
                Task<Void> qwe = Aio.createTask(() -> {
                    double time = 0;
                    while (true) {
                        time += 0.05;
                        Aio.gatherSettled(List.of(
                                Aio.createTask(() -> Aio.sleep(0.05, null)))).await();
                        if (time > 1) {
                            return null;
                        }
                    }
                });
                Aio.sleep(0.2);
                if (message == null) {
                    qwe.cancel();
                } else {
                    qwe.cancel(message);
                }
                CancelledError e = assertThrows(CancelledError.class, qwe::await,
                        "gather() propagates the CancelledError of its caller's cancel");
                assertEquals(message, e.getMessage());
            }
            return null;
        });
    }

    // ---- contexts ------------------------------------------------------------------------------

    @Test
    void test_context_1_and_2() {
        Loops.virtual(() -> {
            ContextVar<String> cvar = new ContextVar<>("cvar", "nope");
            Task<Void> main = Aio.createTask(() -> {
                assertEquals("nope", cvar.get());
                Task<Void> sub = Aio.createTask(() -> {
                    Aio.sleep(0.01);
                    assertEquals("nope", cvar.get());
                    cvar.set("something else");
                    return null;
                });
                cvar.set("yes");
                assertEquals("yes", cvar.get());
                sub.await();
                assertEquals("yes", cvar.get());

                EventLoop loop = Aio.getRunningLoop();
                for (int j = 0; j < 2; j++) {
                    AsyncFuture<Void> fut = loop.createFuture();
                    // this change must not reach the task's context
                    fut.addDoneCallback(f -> cvar.set("something else"));
                    cvar.set("yes" + j);
                    loop.callSoon(() -> fut.setResult(null));
                    fut.await();
                    assertEquals("yes" + j, cvar.get());
                    for (int i = 0; i < 3; i++) {
                        cvar.set("yes" + i + "-" + j);
                        Aio.sleep(0.001);
                        assertEquals("yes" + i + "-" + j, cvar.get());
                    }
                }
                return null;
            });
            main.await();
            assertEquals("nope", cvar.get());
            return null;
        });
    }
}
