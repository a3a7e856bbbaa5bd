package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_waitfor.py}, case by case, on {@link
 * Aio#waitFor}. {@code SlowTask} ignores cancellation for a while, on virtual time here (CPython
 * reads the monotonic clock; the loop's clock is the one a task can wait on).
 */
class TestWaitForPortTest {

    private static final double EPSILON = 0.0001;

    /** Runs for TASK_TIMEOUT of loop time, ignoring cancel requests. */
    private static final class SlowTask {
        static final double TASK_TIMEOUT = 0.2;
        boolean exited;

        Void run() {
            EventLoop loop = Aio.getRunningLoop();
            double exitAt = loop.time() + TASK_TIMEOUT;
            while (true) {
                double toSleep = exitAt - loop.time();
                if (toSleep <= 0) {
                    break;
                }
                try {
                    Aio.sleep(toSleep);
                } catch (CancelledError e) {
                    // ignored on purpose
                }
            }
            exited = true;
            return null;
        }
    }

    @Test
    void test_asyncio_wait_for_cancelled() {
        Loops.virtual(() -> {
            SlowTask t = new SlowTask();
            Task<Void> waitForTask = Aio.createTask(
                    () -> Aio.waitFor(t::run, SlowTask.TASK_TIMEOUT * 2));
            Aio.sleep(0);
            waitForTask.cancel();
            Aio.wait(List.of(waitForTask));
            assertTrue(t.exited);
            return null;
        });
    }

    @Test
    void test_asyncio_wait_for_timeout() {
        Loops.virtual(() -> {
            SlowTask t = new SlowTask();
            try {
                Aio.waitFor(t::run, SlowTask.TASK_TIMEOUT / 2);
            } catch (AsyncTimeoutException e) {
                // expected, or not: CPython accepts both
            }
            assertTrue(t.exited);
            return null;
        });
    }

    @Test
    void test_wait_for_timeout_less_then_0_or_0_future_done() {
        Loops.virtual(() -> {
            AsyncFuture<String> fut = Aio.getRunningLoop().createFuture();
            fut.setResult("done");
            assertEquals("done", Aio.waitFor(fut, 0));
            assertTrue(fut.isDone());
            return null;
        });
    }

    @Test
    void test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started() {
        Loops.virtual(() -> {
            boolean[] fooStarted = {false};
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(() -> {
                fooStarted[0] = true;
                return null;
            }, 0));
            assertFalse(fooStarted[0]);
            return null;
        });
    }

    @Test
    void test_wait_for_timeout_less_then_0_or_0() {
        Loops.virtual(() -> {
            for (double timeout : new double[] {0, -1}) {
                Boolean[] fooRunning = {null};
                AsyncFuture<Void> started = Aio.getRunningLoop().createFuture();
                Task<String> fut = Aio.createTask(() -> {
                    fooRunning[0] = true;
                    started.setResult(null);
                    try {
                        Aio.sleep(10);
                    } finally {
                        fooRunning[0] = false;
                    }
                    return "done";
                });
                started.await();
                assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(fut, timeout));
                assertTrue(fut.isDone());
                assertTrue(fut.isCancelled(), "cancelled by the timeout");
                assertEquals(false, fooRunning[0]);
            }
            return null;
        });
    }

    @Test
    void test_wait_for() {
        Loops.virtual(() -> {
            Boolean[] fooRunning = {null};
            Task<String> fut = Aio.createTask(() -> {
                fooRunning[0] = true;
                try {
                    Aio.sleep(300);
                } finally {
                    fooRunning[0] = false;
                }
                return "done";
            });
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(fut, 0.1));
            assertTrue(fut.isDone());
            assertTrue(fut.isCancelled());
            assertEquals(false, fooRunning[0]);
            return null;
        });
    }

    @Test
    void test_wait_for_blocking() {
        Loops.virtual(() -> {
            assertEquals("done", Aio.waitFor(() -> "done", (Double) null));
            return null;
        });
    }

    @Test
    void test_wait_for_race_condition() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            AsyncFuture<String> fut = loop.createFuture();
            loop.callSoon(() -> fut.setResult("ok"));
            assertEquals("ok", Aio.waitFor(fut, 0.2));
            return null;
        });
    }

    @Test
    void test_wait_for_cancellation_race_condition() {
        Loops.virtual(() -> {
            int result = Aio.waitFor(() -> {
                assertThrows(CancelledError.class, () -> Aio.sleep(1));
                return 1;
            }, 0.01);
            assertEquals(1, result);
            return null;
        });
    }

    @Test
    void test_wait_for_waits_for_task_cancellation() {
        Loops.virtual(() -> {
            boolean[] taskDone = {false};
            Task<Void> innerTask = Aio.createTask(() -> {
                try {
                    Aio.sleep(10);
                } catch (CancelledError e) {
                    Aio.sleep(EPSILON);
                    throw e;
                } finally {
                    taskDone[0] = true;
                }
                return null;
            });
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> Aio.waitFor(innerTask, EPSILON));
            assertTrue(taskDone[0], "wait_for waited for the task's cancellation");
            assertInstanceOf(CancelledError.class, e.getCause());
            return null;
        });
    }

    @Test
    void test_wait_for_waits_for_task_cancellation_w_timeout_0() {
        Loops.virtual(() -> {
            boolean[] taskDone = {false};
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class, () -> {
                Task<Void> innerTask = Aio.createTask(() -> {
                    try {
                        Aio.sleep(10);
                    } catch (CancelledError c) {
                        Aio.sleep(EPSILON);
                        throw c;
                    } finally {
                        taskDone[0] = true;
                    }
                    return null;
                });
                Aio.sleep(EPSILON);
                Aio.waitFor(innerTask, 0);
            });
            assertTrue(taskDone[0]);
            assertInstanceOf(CancelledError.class, e.getCause());
            return null;
        });
    }

    @Test
    void test_wait_for_reraises_exception_during_cancellation() {
        final class FooException extends RuntimeException {
        }
        Loops.virtual(() -> {
            assertThrows(FooException.class, () -> {
                Task<Void> innerTask = Aio.createTask(() -> {
                    try {
                        Aio.sleep(0.2);
                    } finally {
                        throw new FooException();
                    }
                });
                Aio.waitFor(innerTask, EPSILON);
            });
            return null;
        });
    }

    @Test
    void test_cancel_blocking_wait_for() {
        cancelWaitFor(null);
    }

    @Test
    void test_cancel_wait_for() {
        cancelWaitFor(60.0);
    }

    private void cancelWaitFor(Double timeout) {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Task<Void> task = Aio.createTask(() -> {
                AsyncFuture<Void> fut = loop.createFuture();
                return fut.await(); // never set
            });
            Task<Void> wait = Aio.createTask(() -> Aio.waitFor(task, timeout));
            loop.callSoon(wait::cancel);
            assertThrows(CancelledError.class, wait::await);
            // Python issue #23219: cancelling the wait cancels the task too
            assertTrue(task.isCancelled());
            return null;
        });
    }

    @Test
    void test_wait_for_cancel_suppressed() {
        // GH-86296: a task that suppresses the cancel and returns a value: wait_for returns it
        Loops.virtual(() -> {
            int res = Aio.waitFor(() -> {
                try {
                    Aio.sleep(10);
                    return 0;
                } catch (CancelledError e) {
                    return 42;
                }
            }, 0.1);
            assertEquals(42, res);
            return null;
        });
    }

    @Test
    void test_wait_for_issue86296() {
        // GH-86296: the waiting task is cancelled and does not run on, though the inner task
        // completed in the same turn of the loop
        Loops.virtual(() -> {
            Task<String> innerTask = Aio.createTask(() -> "done");
            boolean[] reachedEnd = {false};
            Task<Void> task = Aio.createTask(() -> {
                Aio.waitFor(innerTask, 100);
                Aio.sleep(1);
                reachedEnd[0] = true;
                return null;
            });
            assertFalse(task.isDone());
            Aio.sleep(0);
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertTrue(innerTask.isDone());
            assertEquals("done", innerTask.await());
            assertFalse(reachedEnd[0]);
            return null;
        });
    }

    @Test
    void aCancelInTheTurnTheResultArrivesLosesNeitherTheResultNorTheCancel() {
        // Beyond CPython: 3.11 loses the cancel here, 3.12 the result (an item taken off a queue)
        Loops.virtual(() -> {
            io.aiobridge.queue.AsyncQueue<String> q = new io.aiobridge.queue.AsyncQueue<>();
            List<String> got = new java.util.ArrayList<>();
            boolean[] reachedEnd = {false};
            Task<Void> consumer = Aio.createTask(() -> {
                got.add(Aio.waitFor(Aio.createTask(q::get), 100));
                Aio.sleep(1); // the cancel is delivered here
                reachedEnd[0] = true;
                return null;
            });
            Aio.sleep(0); // the consumer waits, its get() task waits for an item
            q.putNowait("item");
            Aio.sleep(0); // the get() task takes the item and completes
            consumer.cancel("stop");
            CancelledError e = assertThrows(CancelledError.class, consumer::await);
            assertEquals("stop", e.getMessage());
            assertEquals(List.of("item"), got, "the item the get() took reached the caller");
            assertFalse(reachedEnd[0]);
            assertEquals(1, consumer.cancelling(), "one cancel request, delivered once");

            // with no await after waitFor, the task ends cancelled, as at any task's end
            Task<String> last = Aio.createTask(() -> Aio.waitFor(Aio.createTask(q::get), 100));
            Aio.sleep(0);
            q.putNowait("second");
            Aio.sleep(0);
            last.cancel();
            assertThrows(CancelledError.class, last::await);
            assertTrue(last.isCancelled());
            return null;
        });
    }

    // ---- WaitForShieldTests -------------------------------------------------------------------

    @Test
    void test_zero_timeout() {
        Loops.virtual(() -> {
            Task<String> task = Aio.createTask(() -> Aio.sleep(0.01, "done"));
            AsyncFuture<String> shielded = Aio.shield(task);
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(shielded, 0));
            assertFalse(task.isDone(), "the task runs on in the background");
            assertFalse(task.isCancelled());
            assertTrue(shielded.isCancelled());
            Aio.sleep(0.1);
            assertTrue(task.isDone());
            return null;
        });
    }

    @Test
    void test_none_timeout() {
        Loops.virtual(() -> {
            Task<String> task = Aio.createTask(() -> Aio.sleep(0.1, "done"));
            Aio.waitFor(Aio.shield(task), (Double) null);
            assertTrue(task.isDone());
            assertEquals("done", task.await());
            return null;
        });
    }

    @Test
    void test_shielded_timeout() {
        Loops.virtual(() -> {
            Task<String> task = Aio.createTask(() -> Aio.sleep(0.1, "done"));
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(Aio.shield(task), 0.01));
            assertFalse(task.isDone());
            assertFalse(task.isCancelled());
            assertEquals("done", task.await());
            return null;
        });
    }
}
