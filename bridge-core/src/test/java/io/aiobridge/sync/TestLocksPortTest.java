package io.aiobridge.sync;

import static io.aiobridge.testing.Ports.runBriefly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.Outcome;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Ports;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_locks.py}, case by case, on our primitives.
 * Each test names the CPython test it ports and checks what that one checks: the same tasks, the
 * same {@code sleep(0)} turns, the same results and states after each turn. Where CPython reads a
 * private field ({@code _waiters}, {@code _value}), the port reads the repr or the public
 * counterpart. Cases about Python's syntax ({@code with await lock}, the {@code loop=} argument)
 * have no Java counterpart and are left out.
 */
class TestLocksPortTest {

    private static <T> Task<T> task(Coroutine<T> body) {
        return Aio.createTask(body);
    }

    private static Task<Boolean> task(Runnable body) {
        return Ports.task(body);
    }

    private static void gatherQuietly(List<? extends AsyncFuture<?>> tasks) {
        Aio.gatherSettled(tasks).await();
    }

    @Nested
    class LockTests {

        @Test
        void test_repr() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                assertTrue(lock.toString().endsWith("[unlocked]>"), lock.toString());
                lock.acquire();
                assertTrue(lock.toString().endsWith("[locked]>"), lock.toString());
                return null;
            });
        }

        @Test
        void test_acquire() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                List<Integer> result = new ArrayList<>();
                lock.acquire();
                Task<Boolean> t1 = task(() -> { lock.acquire(); result.add(1); });
                Task<Boolean> t2 = task(() -> { lock.acquire(); result.add(2); });
                runBriefly();
                assertEquals(List.of(), result);
                lock.release();
                runBriefly();
                assertEquals(List.of(1), result);
                runBriefly();
                assertEquals(List.of(1), result);
                Task<Boolean> t3 = task(() -> { lock.acquire(); result.add(3); });
                lock.release();
                runBriefly();
                assertEquals(List.of(1, 2), result);
                lock.release();
                runBriefly();
                assertEquals(List.of(1, 2, 3), result);
                for (Task<Boolean> t : List.of(t1, t2, t3)) {
                    assertTrue(t.isDone());
                    assertTrue(t.result());
                }
                return null;
            });
        }

        @Test
        void test_acquire_cancel() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                lock.acquire();
                Task<Boolean> task = task(lock::acquire);
                Aio.getRunningLoop().callSoon(task::cancel);
                assertThrows(CancelledError.class, task::await);
                assertTrue(lock.toString().endsWith("[locked]>"), "no waiter left: " + lock);
                return null;
            });
        }

        @Test
        void test_cancel_race() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                AsyncFuture<Void> fa = Aio.getRunningLoop().createFuture();
                Task<Boolean> ta = task(() -> lockit(lock, fa));
                runBriefly();
                assertTrue(lock.locked());
                Task<Boolean> tb = task(() -> lockit(lock, null));
                runBriefly();
                assertTrue(lock.toString().contains("waiters:1"), lock.toString());
                Task<Boolean> tc = task(() -> lockit(lock, null));
                runBriefly();
                assertTrue(lock.toString().contains("waiters:2"), lock.toString());

                fa.setResult(null);
                tb.cancel();
                runBriefly();
                assertFalse(lock.locked());
                assertTrue(ta.isDone());
                assertTrue(tb.isCancelled());
                tc.await();
                return null;
            });
        }

        private void lockit(AsyncLock lock, AsyncFuture<Void> blocker) {
            lock.acquire();
            try {
                if (blocker != null) {
                    blocker.await();
                }
            } finally {
                lock.release();
            }
        }

        @Test
        void test_cancel_release_race() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                int[] lockCount = {0};
                int[] callCount = {0};
                Coroutine<Void> lockit = () -> {
                    callCount[0]++;
                    lock.acquire();
                    lockCount[0]++;
                    return null;
                };
                lock.acquire();
                Task<Void> t1 = task(lockit);
                Task<Void> t2 = task(lockit);
                Task<Void> t3 = task(lockit);
                runBriefly();
                Aio.getRunningLoop().callSoon(() -> {
                    t1.cancel();
                    lock.release();
                });
                assertThrows(CancelledError.class, t1::await);
                assertEquals(1, lockCount[0], "only one acquire succeeded");
                assertEquals(3, callCount[0]);
                assertTrue(t1.isCancelled() && t2.isDone());
                t3.cancel();
                runBriefly();
                assertTrue(t3.isCancelled());
                return null;
            });
        }

        @Test
        void test_finished_waiter_cancelled() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                lock.acquire();
                assertTrue(lock.locked());
                Task<Boolean> tb = task(lock::acquire);
                runBriefly();
                assertTrue(lock.toString().contains("waiters:1"), lock.toString());
                Task<Boolean> tc = task(lock::acquire);
                tb.cancel();
                lock.release();
                runBriefly();
                assertTrue(lock.locked());
                assertTrue(tb.isCancelled());
                tc.await();
                return null;
            });
        }

        @Test
        void test_release_not_acquired() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
                assertTrue(e.getMessage().startsWith("Lock is not acquired."), e.getMessage());
                return null;
            });
        }

        @Test
        void test_context_manager() {
            Loops.virtual(() -> {
                AsyncLock lock = new AsyncLock();
                assertFalse(lock.locked());
                try (Held held = lock.hold()) {
                    assertTrue(lock.locked());
                }
                assertFalse(lock.locked());
                return null;
            });
        }
    }

    @Nested
    class EventTests {

        @Test
        void test_repr() {
            Loops.virtual(() -> {
                AsyncEvent ev = new AsyncEvent();
                assertTrue(ev.toString().endsWith("[unset]>"), ev.toString());
                ev.set();
                assertTrue(ev.toString().endsWith("[set]>"), ev.toString());
                AsyncEvent other = new AsyncEvent();
                task(other::await);
                runBriefly();
                assertTrue(other.toString().contains("waiters:1"), other.toString());
                other.set();
                return null;
            });
        }

        @Test
        void test_wait() {
            Loops.virtual(() -> {
                AsyncEvent ev = new AsyncEvent();
                assertFalse(ev.isSet());
                List<Integer> result = new ArrayList<>();
                Task<Boolean> t1 = task(() -> { if (ev.await()) result.add(1); });
                Task<Boolean> t2 = task(() -> { if (ev.await()) result.add(2); });
                runBriefly();
                assertEquals(List.of(), result);
                Task<Boolean> t3 = task(() -> { if (ev.await()) result.add(3); });
                ev.set();
                runBriefly();
                assertEquals(List.of(3, 1, 2), result);
                for (Task<Boolean> t : List.of(t1, t2, t3)) {
                    assertTrue(t.isDone());
                }
                return null;
            });
        }

        @Test
        void test_wait_on_set() {
            Loops.virtual(() -> {
                AsyncEvent ev = new AsyncEvent();
                ev.set();
                assertTrue(ev.await());
                return null;
            });
        }

        @Test
        void test_wait_cancel() {
            Loops.virtual(() -> {
                AsyncEvent ev = new AsyncEvent();
                Task<Boolean> wait = task(ev::await);
                Aio.getRunningLoop().callSoon(wait::cancel);
                assertThrows(CancelledError.class, wait::await);
                assertEquals("<AsyncEvent [unset]>", ev.toString(), "no waiter left");
                return null;
            });
        }

        @Test
        void test_clear_with_waiters() {
            Loops.virtual(() -> {
                AsyncEvent ev = new AsyncEvent();
                List<Integer> result = new ArrayList<>();
                Task<Boolean> t = task(() -> { if (ev.await()) result.add(1); });
                runBriefly();
                assertEquals(List.of(), result);
                ev.set();
                ev.clear();
                assertFalse(ev.isSet());
                ev.set();
                ev.set();
                assertTrue(ev.toString().contains("waiters:1"), ev.toString());
                runBriefly();
                assertEquals(List.of(1), result);
                assertFalse(ev.toString().contains("waiters"), ev.toString());
                assertTrue(t.isDone());
                assertTrue(t.result());
                return null;
            });
        }
    }

    @Nested
    class ConditionTests {

        @Test
        void test_wait() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                List<Integer> result = new ArrayList<>();
                List<Task<Boolean>> ts = waiters(cond, 3, result, false);
                runBriefly();
                assertEquals(List.of(), result);
                assertFalse(cond.locked());

                cond.acquire();
                cond.signal();
                runBriefly();
                assertEquals(List.of(), result);
                assertTrue(cond.locked());

                cond.release();
                runBriefly();
                assertEquals(List.of(1), result);
                assertTrue(cond.locked());

                cond.signal(2);
                runBriefly();
                assertEquals(List.of(1), result);
                assertTrue(cond.locked());

                cond.release();
                runBriefly();
                assertEquals(List.of(1, 2), result);
                assertTrue(cond.locked());

                cond.release();
                runBriefly();
                assertEquals(List.of(1, 2, 3), result);
                assertTrue(cond.locked());
                for (Task<Boolean> t : ts) {
                    assertTrue(t.isDone());
                    assertTrue(t.result());
                }
                return null;
            });
        }

        /**
         * CPython's c1, c2, c3: task n takes the lock, waits, and appends n when woken (then
         * releases the lock, if {@code release}).
         */
        private List<Task<Boolean>> waiters(AsyncCondition cond, int count, List<Integer> result,
                boolean release) {
            List<Task<Boolean>> ts = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                int n = i;
                ts.add(task(() -> {
                    cond.acquire();
                    if (cond.await()) {
                        result.add(n);
                        if (release) {
                            cond.release();
                        }
                    }
                }));
            }
            return ts;
        }

        @Test
        void test_wait_cancel() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                cond.acquire();
                Task<Boolean> wait = task(cond::await);
                Aio.getRunningLoop().callSoon(wait::cancel);
                assertThrows(CancelledError.class, wait::await);
                assertFalse(cond.toString().contains("waiters"), cond.toString());
                assertTrue(cond.locked());
                return null;
            });
        }

        @Test
        void test_wait_cancel_contested() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                cond.acquire();
                assertTrue(cond.locked());
                Task<Boolean> waitTask = task(cond::await);
                runBriefly();
                assertFalse(cond.locked());

                // Notify, but contest the lock before cancelling
                cond.acquire();
                assertTrue(cond.locked());
                cond.signal();
                Aio.getRunningLoop().callSoon(waitTask::cancel);
                Aio.getRunningLoop().callSoon(cond::release);
                try {
                    waitTask.await();
                } catch (CancelledError e) {
                    // CPython: "should not happen, since no cancellation points", and passes
                }
                assertTrue(cond.locked());
                return null;
            });
        }

        @Test
        void test_wait_cancel_after_notify() {
            Loops.virtual(() -> {
                boolean[] waited = {false};
                AsyncCondition cond = new AsyncCondition();
                Task<Boolean> waiter = task(() -> {
                    try (Held held = cond.hold()) {
                        waited[0] = true;
                        cond.await();
                    }
                });
                runBriefly(); // start waiting
                cond.acquire();
                cond.signal();
                runBriefly(); // get to acquire()
                waiter.cancel();
                runBriefly(); // activate cancellation
                cond.release();
                runBriefly(); // cancellation should occur
                assertTrue(waiter.isCancelled());
                assertTrue(waited[0]);
                return null;
            });
        }

        @Test
        void test_wait_unacquired() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                assertThrows(IllegalStateException.class, cond::await);
                return null;
            });
        }

        @Test
        void test_wait_for() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                boolean[] presult = {false};
                List<Integer> result = new ArrayList<>();
                Task<Boolean> t = task(() -> {
                    cond.acquire();
                    if (cond.waitFor(() -> presult[0])) {
                        result.add(1);
                        cond.release();
                    }
                });
                runBriefly();
                assertEquals(List.of(), result);

                cond.acquire();
                cond.signal();
                cond.release();
                runBriefly();
                assertEquals(List.of(), result);

                presult[0] = true;
                cond.acquire();
                cond.signal();
                cond.release();
                runBriefly();
                assertEquals(List.of(1), result);
                assertTrue(t.isDone());
                assertTrue(t.result());
                return null;
            });
        }

        @Test
        void test_wait_for_unacquired() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                // the predicate can be true at once, with the lock not held
                assertTrue(cond.waitFor(() -> true));
                assertThrows(IllegalStateException.class, () -> cond.waitFor(() -> false));
                return null;
            });
        }

        @Test
        void test_notify() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                List<Integer> result = new ArrayList<>();
                List<Task<Boolean>> ts = waiters(cond, 3, result, true);
                runBriefly();
                assertEquals(List.of(), result);

                cond.acquire();
                cond.signal(1);
                cond.release();
                runBriefly();
                assertEquals(List.of(1), result);

                cond.acquire();
                cond.signal(1);
                cond.signal(2048);
                cond.release();
                runBriefly();
                assertEquals(List.of(1, 2, 3), result);
                for (Task<Boolean> t : ts) {
                    assertTrue(t.isDone());
                    assertTrue(t.result());
                }
                return null;
            });
        }

        @Test
        void test_notify_all() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                List<Integer> result = new ArrayList<>();
                waiters(cond, 2, result, true);
                runBriefly();
                assertEquals(List.of(), result);
                cond.acquire();
                cond.signalAll();
                cond.release();
                runBriefly();
                assertEquals(List.of(1, 2), result);
                return null;
            });
        }

        @Test
        void test_notify_unacquired() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                assertThrows(IllegalStateException.class, cond::signal);
                assertThrows(IllegalStateException.class, cond::signalAll);
                return null;
            });
        }

        @Test
        void test_repr() {
            Loops.virtual(() -> {
                AsyncCondition cond = new AsyncCondition();
                assertTrue(cond.toString().contains("unlocked"), cond.toString());
                cond.acquire();
                assertTrue(cond.toString().contains("[locked"), cond.toString());
                Task<Boolean> waiter = task(() -> {
                    cond.acquire();
                    cond.await();
                    cond.release();
                });
                runBriefly();
                cond.release();
                runBriefly();
                assertTrue(cond.toString().contains("waiters:1"), cond.toString());
                waiter.cancel();
                return null;
            });
        }

        @Test
        void test_explicit_lock() {
            Loops.virtual(() -> {
                for (AsyncLock given : new AsyncLock[] {null, new AsyncLock()}) {
                    AsyncLock lock = given == null ? new AsyncLock() : given;
                    AsyncCondition cond = new AsyncCondition(lock);
                    assertFalse(lock.locked());
                    assertFalse(cond.locked());
                    try (Held held = cond.hold()) {
                        assertTrue(lock.locked());
                        assertTrue(cond.locked());
                    }
                    assertFalse(lock.locked());
                    assertFalse(cond.locked());
                    try (Held held = lock.hold()) {
                        assertTrue(lock.locked());
                        assertTrue(cond.locked());
                    }
                    assertFalse(lock.locked());
                    assertFalse(cond.locked());
                }
                return null;
            });
        }

        @Test
        void test_timeout_in_block() {
            Loops.virtual(() -> {
                AsyncCondition condition = new AsyncCondition();
                try (Held held = condition.hold()) {
                    assertThrows(AsyncTimeoutException.class,
                            () -> Aio.waitFor(condition::await, 0.5));
                    assertTrue(condition.locked(), "wait_for returns with the lock held again");
                }
                return null;
            });
        }

        @Test
        void test_cancelled_error_wakeup() {
            Loops.virtual(() -> {
                CancelledError[] raised = {null};
                AsyncCondition cond = new AsyncCondition();
                Task<Void> task = task(() -> {
                    try (Held held = cond.hold()) {
                        raised[0] = assertThrows(CancelledError.class,
                                () -> cond.waitFor(() -> false));
                        throw raised[0];
                    }
                });
                runBriefly();
                // the task waits on the condition: cancel it there
                task.cancel("foo");
                CancelledError err = assertThrows(CancelledError.class, task::await);
                assertEquals("foo", err.getMessage());
                assertSame(raised[0], err.getCause() == null ? err : err.getCause(),
                        "the same exception as the one raised in the task");
                return null;
            });
        }

        @Test
        void test_cancelled_error_re_aquire() {
            Loops.virtual(() -> {
                boolean[] wake = {false};
                CancelledError[] raised = {null};
                AsyncCondition cond = new AsyncCondition();
                Task<Void> task = task(() -> {
                    try (Held held = cond.hold()) {
                        raised[0] = assertThrows(CancelledError.class,
                                () -> cond.waitFor(() -> wake[0]));
                        throw raised[0];
                    }
                });
                runBriefly();
                cond.acquire();
                wake[0] = true;
                cond.signal();
                runBriefly();
                // the task now tries to take the lock again: cancel it there
                task.cancel("foo");
                cond.release();
                CancelledError err = assertThrows(CancelledError.class, task::await);
                assertEquals("foo", err.getMessage());
                assertSame(raised[0], err.getCause() == null ? err : err.getCause(),
                        "the same exception as the one raised in the task");
                return null;
            });
        }

        @Test
        void test_cancelled_wakeup() {
            cancelledWakeup(false);
        }

        @Test
        void test_cancelled_wakeup_relock() {
            cancelledWakeup(true);
        }

        /**
         * A task cancelled at the "same" time as a signal wakes it does not lose the wakeup: while
         * it waits to be woken, or (relock) while it takes the lock again.
         */
        private void cancelledWakeup(boolean relock) {
            Loops.virtual(() -> {
                AsyncCondition condition = new AsyncCondition();
                int[] state = {0};
                Coroutine<Void> consumer = () -> {
                    try (Held held = condition.hold()) {
                        while (true) {
                            condition.waitFor(() -> state[0] != 0);
                            if (state[0] < 0) {
                                return null;
                            }
                            state[0]--;
                        }
                    }
                };
                List<Task<Void>> c = List.of(task(consumer), task(consumer));
                runBriefly();
                try (Held held = condition.hold()) {
                    state[0]++;
                    condition.signal(1);
                    if (relock) {
                        runBriefly(); // the woken task settles on taking the lock again
                    }
                    c.get(0).cancel();
                    try {
                        Aio.timeout(0.01, () -> condition.waitFor(() -> state[0] == 0));
                    } catch (AsyncTimeoutException e) {
                        // checked below
                    }
                    assertEquals(0, state[0], "the signal was not lost to the cancel");
                    state[0] = -1;
                    condition.signalAll();
                }
                c.get(1).await();
                return null;
            });
        }
    }

    @Nested
    class SemaphoreTests {

        @Test
        void test_initial_value_zero() {
            assertTrue(new AsyncSemaphore(0).locked());
        }

        @Test
        void test_repr() {
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore();
                assertTrue(sem.toString().endsWith("[unlocked, value:1]>"), sem.toString());
                sem.acquire();
                assertTrue(sem.toString().endsWith("[locked]>"), sem.toString());
                Task<Boolean> w1 = task(sem::acquire);
                runBriefly();
                assertTrue(sem.toString().contains("waiters:1"), sem.toString());
                Task<Boolean> w2 = task(sem::acquire);
                runBriefly();
                assertTrue(sem.toString().contains("waiters:2"), sem.toString());
                w1.cancel();
                w2.cancel();
                return null;
            });
        }

        @Test
        void test_semaphore_value() {
            assertThrows(IllegalArgumentException.class, () -> new AsyncSemaphore(-1));
        }

        @Test
        void test_acquire() {
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(3);
                List<Integer> result = new ArrayList<>();
                sem.acquire();
                sem.acquire();
                assertFalse(sem.locked());
                Task<Boolean> t1 = task(() -> { sem.acquire(); result.add(1); });
                Task<Boolean> t2 = task(() -> { sem.acquire(); result.add(2); });
                Task<Boolean> t3 = task(() -> { sem.acquire(); result.add(3); });
                runBriefly();
                assertEquals(List.of(1), result);
                assertTrue(sem.locked());
                assertTrue(sem.toString().contains("waiters:2"), sem.toString());
                assertEquals(0, sem.availablePermits());

                Task<Boolean> t4 = task(() -> { sem.acquire(); result.add(4); });
                sem.release();
                sem.release();
                assertEquals(0, sem.availablePermits());
                runBriefly();
                assertEquals(0, sem.availablePermits());
                assertEquals(3, result.size());
                assertTrue(sem.locked());
                assertTrue(sem.toString().contains("waiters:1"), sem.toString());
                assertTrue(t1.isDone() && t1.result());
                List<Task<Boolean>> race = List.of(t2, t3, t4);
                assertEquals(2, race.stream().filter(Task::isDone).count());

                sem.release();
                Aio.gather(race).await();
                return null;
            });
        }

        @Test
        void test_acquire_cancel() {
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore();
                sem.acquire();
                Task<Boolean> acquire = task(sem::acquire);
                Aio.getRunningLoop().callSoon(acquire::cancel);
                assertThrows(CancelledError.class, acquire::await);
                assertFalse(sem.toString().contains("waiters"), sem.toString());
                return null;
            });
        }

        @Test
        void test_acquire_cancel_before_awoken() {
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                Task<Boolean> t1 = task(sem::acquire);
                Task<Boolean> t2 = task(sem::acquire);
                Task<Boolean> t3 = task(sem::acquire);
                Task<Boolean> t4 = task(sem::acquire);
                runBriefly();
                t1.cancel();
                t2.cancel();
                sem.release();
                runBriefly();
                runBriefly();
                assertTrue(t3.isDone());
                assertFalse(t4.isDone());
                t3.cancel();
                t4.cancel();
                runBriefly();
                return null;
            });
        }

        @Test
        void test_acquire_hang() {
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                Task<Boolean> t1 = task(sem::acquire);
                Task<Boolean> t2 = task(sem::acquire);
                runBriefly();
                t1.cancel();
                sem.release();
                runBriefly();
                runBriefly();
                assertTrue(sem.locked());
                assertTrue(t2.isDone());
                return null;
            });
        }

        @Test
        void test_acquire_no_hang() {
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                @SuppressWarnings("unchecked")
                Task<Void>[] t2 = new Task[1];
                Task<Void> t1 = task(() -> {
                    try (Held held = sem.hold()) {
                        runBriefly();
                    }
                    t2[0].cancel();
                    return null;
                });
                t2[0] = task(() -> {
                    try (Held held = sem.hold()) {
                        throw new AssertionError("never gets the permit");
                    }
                });
                List<Outcome<Void>> r = Aio.gatherSettled(List.of(t1, t2[0])).await();
                assertEquals(new Outcome.Success<Void>(null), r.get(0));
                assertTrue(r.get(1) instanceof Outcome.Failure<Void> f
                        && f.error() instanceof CancelledError, r.toString());
                Aio.waitFor(() -> { sem.acquire(); return null; }, 1.0);
                return null;
            });
        }

        @Test
        void test_release_not_acquired() {
            Loops.virtual(() -> {
                AsyncBoundedSemaphore sem = new AsyncBoundedSemaphore(1);
                // asyncio's ValueError
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, sem::release);
                assertTrue(e.getMessage().startsWith("BoundedSemaphore released too many times"),
                        e.getMessage());
                return null;
            });
        }

        @Test
        void test_acquire_fifo_order() {
            List<String> result = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                TaskGroup.run(tg -> {
                    for (String tag : List.of("c1", "c2", "c3")) {
                        tg.createTask(() -> {
                            sem.acquire();
                            result.add(tag + "_1");
                            Aio.sleep(0.01);
                            sem.release();
                            sem.acquire();
                            result.add(tag + "_2");
                            Aio.sleep(0.01);
                            sem.release();
                            return null;
                        });
                    }
                    return null;
                });
                return null;
            });
            assertEquals(List.of("c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"), result);
        }

        @Test
        void test_acquire_fifo_order_2() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(1);
                Task<Boolean> t1 = task(() -> { sem.acquire(); result.add(1); });
                Task<Boolean> t2 = task(() -> {
                    sem.acquire();
                    result.add(2);
                    sem.release();
                    sem.acquire();
                    result.add(4);
                });
                Task<Boolean> t3 = task(() -> { sem.acquire(); result.add(3); });
                runBriefly();
                sem.release();
                sem.release();
                Aio.gather(t1, t2, t3).await();
                return null;
            });
            assertEquals(List.of(1, 2, 3, 4), result);
        }

        @Test
        void test_acquire_fifo_order_3() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                Task<Boolean> t1 = task(() -> { sem.acquire(); result.add(1); });
                Task<Boolean> t2 = task(() -> { sem.acquire(); result.add(2); });
                Task<Boolean> t3 = task(() -> { sem.acquire(); result.add(3); });
                runBriefly();
                t1.cancel();
                runBriefly();
                sem.release();
                sem.release();
                gatherQuietly(List.of(t1, t2, t3));
                return null;
            });
            assertEquals(List.of(2, 3), result);
        }

        @Test
        void test_acquire_fifo_order_4() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncSemaphore sem = new AsyncSemaphore(0);
                @SuppressWarnings("unchecked")
                Task<Boolean>[] t4 = new Task[1];
                Task<Boolean> t1 = task(() -> {
                    assertEquals(0, sem.availablePermits());
                    sem.acquire();
                    // every waiting task is woken by now
                    assertEquals(0, sem.availablePermits());
                    // a fourth task runs after c3, not c2
                    t4[0] = task(() -> { result.add(4); });
                    result.add(1);
                });
                Task<Boolean> t2 = task(() -> {
                    sem.release();
                    sem.release();
                    sem.release();
                    assertEquals(2, sem.availablePermits());
                    assertTrue(sem.locked(), "locked: c1 has not woken yet");
                    sem.acquire();
                    result.add(2);
                });
                Task<Boolean> t3 = task(() -> {
                    sem.acquire();
                    assertTrue(sem.locked());
                    result.add(3);
                });
                runBriefly();
                // three tasks queue, the first not woken yet
                assertEquals(2, sem.availablePermits());
                assertTrue(sem.toString().contains("waiters:3"), sem.toString());
                runBriefly();
                Aio.gather(t1, t2, t3, t4[0]).await();
                return null;
            });
            assertEquals(List.of(1, 2, 3, 4), result);
        }
    }

    @Nested
    class BarrierTests {
        static final int N = 5;

        private <T> List<Task<T>> makeTasks(int n, Coroutine<T> coro) {
            List<Task<T>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tasks.add(task(coro));
            }
            return tasks;
        }

        private <T> List<T> gatherTasks(int n, Coroutine<T> coro) {
            return Aio.gather(makeTasks(n, coro)).await();
        }

        @Test
        void test_repr() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                assertTrue(barrier.toString().contains("filling"), barrier.toString());
                List<Task<Integer>> waiters = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    waiters.add(task(barrier::await));
                }
                runBriefly();
                assertTrue(barrier.toString().contains("waiters:2/5"), barrier.toString());
                assertTrue(barrier.toString().contains("filling"), barrier.toString());
                int missing = barrier.parties() - barrier.nWaiting();
                for (int i = 0; i < missing; i++) {
                    waiters.add(task(barrier::await));
                }
                runBriefly();
                assertTrue(barrier.toString().contains("draining"), barrier.toString());
                for (int i = 0; i < 2; i++) {
                    waiters.add(task(barrier::await));
                }
                runBriefly();
                barrier.reset();
                assertTrue(barrier.toString().contains("resetting"), barrier.toString());
                for (int i = 0; i < 2; i++) {
                    waiters.add(task(barrier::await));
                }
                runBriefly();
                barrier.abort();
                assertTrue(barrier.toString().contains("broken"), barrier.toString());
                assertTrue(barrier.broken());
                gatherQuietly(waiters);
                return null;
            });
        }

        @Test
        void test_barrier_parties() {
            assertThrows(IllegalArgumentException.class, () -> new AsyncBarrier(0));
            assertThrows(IllegalArgumentException.class, () -> new AsyncBarrier(-4));
        }

        @Test
        void test_filling_one_task() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(1);
                assertEquals(0, barrier.await());
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_filling_one_task_twice() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(1);
                Task<Integer> t1 = task(barrier::await);
                runBriefly();
                assertEquals(0, barrier.nWaiting());
                Task<Integer> t2 = task(barrier::await);
                runBriefly();
                assertEquals(t1.result(), t2.result());
                assertEquals(t1.isDone(), t2.isDone());
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_filling_task_by_task() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(3);
                Task<Integer> t1 = task(barrier::await);
                runBriefly();
                assertEquals(1, barrier.nWaiting());
                assertTrue(barrier.toString().contains("filling"), barrier.toString());
                Task<Integer> t2 = task(barrier::await);
                runBriefly();
                assertEquals(2, barrier.nWaiting());
                assertTrue(barrier.toString().contains("filling"), barrier.toString());
                Task<Integer> t3 = task(barrier::await);
                runBriefly();
                Aio.wait(List.of(t1, t2, t3));
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_filling_tasks_wait_twice_and_check_return_value() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results = new ArrayList<>();
                List<Integer> res = gatherTasks(N, () -> {
                    barrier.await();
                    results.add(true);
                    int i = barrier.await();
                    results.add(false);
                    return i;
                });
                assertEquals(2 * N, results.size());
                assertEquals(N, Collections.frequency(results, true));
                List<Integer> sorted = new ArrayList<>(res);
                Collections.sort(sorted);
                assertEquals(IntStream.range(0, N).boxed().toList(), sorted);
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_draining_state() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results = new ArrayList<>();
                gatherTasks(N, () -> {
                    barrier.await();
                    // the state is filling again for the last task's release only
                    results.add(barrier.toString().contains("draining"));
                    return null;
                });
                assertEquals(N, results.size());
                assertFalse(results.get(N - 1));
                assertTrue(results.subList(0, N - 1).stream().allMatch(b -> b), results.toString());
                return null;
            });
        }

        @Test
        void test_blocking_tasks_while_draining() {
            Loops.virtual(() -> {
                int rewait = 2;
                AsyncBarrier barrier = new AsyncBarrier(N);
                AsyncBarrier barrierNowaiting = new AsyncBarrier(N - rewait);
                int[] rewaitN = {rewait};
                gatherTasks(N, () -> {
                    barrier.await();
                    if (rewaitN[0] > 0) {
                        rewaitN[0]--;
                        barrier.await();
                    } else {
                        barrierNowaiting.await();
                        barrier.await();
                    }
                    return null;
                });
                return null;
            });
        }

        @Test
        void test_filling_tasks_cancel_one() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(3);
                List<Boolean> results = new ArrayList<>();
                Coroutine<Void> coro = () -> {
                    barrier.await();
                    results.add(true);
                    return null;
                };
                Task<Void> t1 = task(coro);
                runBriefly();
                assertEquals(1, barrier.nWaiting());
                Task<Void> t2 = task(coro);
                runBriefly();
                assertEquals(2, barrier.nWaiting());
                t1.cancel();
                runBriefly();
                assertEquals(1, barrier.nWaiting());
                assertThrows(CancelledError.class, t1::await);
                assertTrue(t1.isCancelled());
                Task<Void> t3 = task(coro);
                runBriefly();
                assertEquals(2, barrier.nWaiting());
                Task<Void> t4 = task(coro);
                Aio.gather(t2, t3, t4).await();
                assertEquals(3, results.size());
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_reset_barrier() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(1);
                task(barrier::reset);
                runBriefly();
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_reset_barrier_while_tasks_waiting() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results = new ArrayList<>();
                List<Task<Void>> tasks = makeTasks(N - 1, () -> {
                    try {
                        barrier.await();
                    } catch (AsyncBrokenBarrierException e) {
                        results.add(true);
                    }
                    return null;
                });
                runBriefly();
                task(barrier::reset);
                Aio.gather(tasks).await();
                assertEquals(N - 1, results.size());
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.toString().contains("resetting"), barrier.toString());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_reset_barrier_when_tasks_half_draining() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                int restOfTasks = N / 2;
                int[] outside = {0};
                gatherTasks(N, () -> {
                    try {
                        barrier.await();
                    } catch (AsyncBrokenBarrierException e) {
                        results1.add(true);
                        return null;
                    }
                    // CPython compares with the barrier's private count of tasks inside it
                    outside[0]++;
                    if (N - outside[0] == restOfTasks) {
                        barrier.reset();
                    }
                    return null;
                });
                // the tasks still draining when the reset comes are broken
                assertEquals(Collections.nCopies(restOfTasks, true), results1);
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.toString().contains("resetting"), barrier.toString());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_reset_barrier_when_tasks_half_draining_half_blocking() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                int blockingTasks = N / 2;
                int[] count = {0};
                gatherTasks(N, () -> {
                    try {
                        barrier.await();
                    } catch (AsyncBrokenBarrierException e) {
                        results1.add(true);
                        barrier.await();
                        return null;
                    }
                    count[0]++;
                    if (count[0] > blockingTasks) {
                        barrier.reset();
                        barrier.await();
                    } else {
                        try {
                            barrier.await();
                        } catch (AsyncBrokenBarrierException e) {
                            results2.add(true);
                        }
                    }
                    return null;
                });
                assertEquals(Collections.nCopies(blockingTasks, true), results1);
                assertEquals(List.of(), results2);
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.toString().contains("resetting"), barrier.toString());
                assertFalse(barrier.broken());
                return null;
            });
        }

        @Test
        void test_reset_barrier_while_tasks_waiting_and_waiting_again() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                List<Task<Void>> tasks = makeTasks(N - 1, () -> {
                    try {
                        barrier.await();
                    } catch (AsyncBrokenBarrierException e) {
                        results1.add(true);
                    } finally {
                        barrier.await();
                        results2.add(true);
                    }
                    return null;
                });
                task(barrier::reset);
                runBriefly();
                task(() -> {
                    barrier.await();
                    results2.add(true);
                });
                Aio.gather(tasks).await();
                assertFalse(barrier.broken());
                assertEquals(N - 1, results1.size());
                assertEquals(N, results2.size());
                assertEquals(0, barrier.nWaiting());
                return null;
            });
        }

        @Test
        void test_reset_barrier_while_tasks_draining() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                List<Boolean> results3 = new ArrayList<>();
                int[] count = {0};
                gatherTasks(N, () -> {
                    barrier.await();
                    count[0]++;
                    if (count[0] == N) {
                        barrier.reset();
                        barrier.await();
                    } else {
                        try {
                            barrier.await();
                            results1.add(true);
                        } catch (RuntimeException e) {
                            results2.add(true);
                        }
                    }
                    barrier.await();
                    results3.add(true);
                    return null;
                });
                assertFalse(barrier.broken());
                assertEquals(N - 1, results1.size());
                assertEquals(0, results2.size());
                assertEquals(N, results3.size());
                assertEquals(0, barrier.nWaiting());
                return null;
            });
        }

        @Test
        void test_abort_barrier() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(1);
                task(barrier::abort);
                runBriefly();
                assertEquals(0, barrier.nWaiting());
                assertTrue(barrier.broken());
                return null;
            });
        }

        @Test
        void test_abort_barrier_when_tasks_half_draining_half_blocking() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                int blockingTasks = N / 2;
                int[] count = {0};
                gatherTasks(N, () -> {
                    try {
                        barrier.await();
                    } catch (AsyncBrokenBarrierException e) {
                        results1.add(true);
                        return null;
                    }
                    count[0]++;
                    if (count[0] > blockingTasks) {
                        barrier.abort();
                    } else {
                        try {
                            barrier.await();
                        } catch (AsyncBrokenBarrierException e) {
                            results2.add(true);
                        }
                    }
                    return null;
                });
                assertTrue(barrier.broken());
                assertEquals(Collections.nCopies(blockingTasks, true), results1);
                assertEquals(Collections.nCopies(N - blockingTasks - 1, true), results2);
                assertEquals(0, barrier.nWaiting());
                assertFalse(barrier.toString().contains("resetting"), barrier.toString());
                return null;
            });
        }

        @Test
        void test_abort_barrier_when_exception() {
            Loops.virtual(() -> {
                AsyncBarrier barrier = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                gatherTasks(N, () -> {
                    try {
                        int i = barrier.await();
                        if (i == N / 2) {
                            throw new IllegalArgumentException("the task's own error");
                        }
                        barrier.await();
                        results1.add(true);
                    } catch (AsyncBrokenBarrierException e) {
                        results2.add(true);
                    } catch (IllegalArgumentException e) {
                        barrier.abort();
                    }
                    return null;
                });
                assertTrue(barrier.broken());
                assertEquals(0, results1.size());
                assertEquals(N - 1, results2.size());
                assertEquals(0, barrier.nWaiting());
                return null;
            });
        }

        @Test
        void test_abort_barrier_when_exception_then_resetting() {
            Loops.virtual(() -> {
                AsyncBarrier barrier1 = new AsyncBarrier(N);
                AsyncBarrier barrier2 = new AsyncBarrier(N);
                List<Boolean> results1 = new ArrayList<>();
                List<Boolean> results2 = new ArrayList<>();
                List<Boolean> results3 = new ArrayList<>();
                gatherTasks(N, () -> {
                    try {
                        int i = barrier1.await();
                        if (i == N / 2) {
                            throw new IllegalArgumentException("the task's own error");
                        }
                        barrier1.await();
                        results1.add(true);
                    } catch (AsyncBrokenBarrierException e) {
                        results2.add(true);
                    } catch (IllegalArgumentException e) {
                        barrier1.abort();
                    }
                    int i = barrier2.await();
                    if (i == N / 2) {
                        barrier1.reset();
                    }
                    barrier2.await();
                    barrier1.await();
                    results3.add(true);
                    return null;
                });
                assertFalse(barrier1.broken());
                assertEquals(0, results1.size());
                assertEquals(N - 1, results2.size());
                assertEquals(N, results3.size());
                assertEquals(0, barrier1.nWaiting());
                return null;
            });
        }
    }
}
