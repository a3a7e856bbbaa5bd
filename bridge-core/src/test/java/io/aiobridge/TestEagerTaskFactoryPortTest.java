package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_eager_task_factory.py}, case by case, with
 * {@link TaskFactory#EAGER} set on the loop. The task-counting cases count the tasks that did not
 * finish in their eager step, as CPython's {@code CountingTask} does. {@code staggered_race} has
 * no counterpart here. The last cases are 3.14's {@code eager_start=} argument ({@code
 * test_eager_start_true}/{@code _false} of {@code test_tasks.py}, and the factory receiving it).
 */
class TestEagerTaskFactoryPortTest {

    private static <T> T runEager(Coroutine<T> main) {
        return Loops.virtual(() -> {
            Aio.getRunningLoop().setTaskFactory(TaskFactory.EAGER);
            return main.call();
        });
    }

    @Test
    void test_eager_task_factory_set() {
        runEager(() -> {
            assertSame(TaskFactory.EAGER, Aio.getRunningLoop().getTaskFactory());
            Task<Void> t = Aio.getRunningLoop().createTask(() -> null);
            t.await();
            return null;
        });
    }

    @Test
    void test_await_future_during_eager_step() {
        assertEquals("my message", runEager(() -> {
            AsyncFuture<String> fut = Aio.getRunningLoop().createFuture();
            Task<Void> t = Aio.createTask(() -> {
                fut.setResult("my message");
                return null;
            });
            assertTrue(t.isDone(), "the eager step completed the task");
            return fut.await();
        }));
    }

    @Test
    void test_eager_completion() {
        assertEquals("hello", runEager(() -> {
            Task<String> t = Aio.createTask(() -> "hello");
            assertTrue(t.isDone());
            return t.await();
        }));
    }

    @Test
    void test_block_after_eager_step() {
        assertEquals("finished after blocking", runEager(() -> {
            Task<String> t = Aio.createTask(() -> Aio.sleep(0.1, "finished after blocking"));
            assertFalse(t.isDone());
            String result = t.await();
            assertTrue(t.isDone());
            return result;
        }));
    }

    @Test
    void test_cancellation_after_eager_completion() {
        assertEquals("finished without blocking", runEager(() -> {
            Task<String> t = Aio.createTask(() -> "finished without blocking");
            t.cancel();
            String result = t.await();
            assertFalse(t.isCancelled(), "a finished task cannot be cancelled");
            return result;
        }));
    }

    @Test
    void test_cancellation_after_eager_step_blocks() {
        CancelledError e = assertThrows(CancelledError.class, () -> runEager(() -> {
            Task<String> t = Aio.createTask(() -> Aio.sleep(0.1, "finished after blocking"));
            t.cancel("cancellation message");
            assertTrue(t.cancelling() > 0);
            return t.await();
        }));
        assertEquals("cancellation message", e.getMessage());
    }

    @Test
    void test_current_task() {
        runEager(() -> {
            Task<?>[] captured = {null};
            Task<Void> t = Aio.createTask(() -> {
                captured[0] = Aio.currentTask();
                Aio.sleep(0.1);
                assertSame(captured[0], Aio.currentTask(), "the same task after blocking");
                return null;
            });
            assertSame(t, captured[0]);
            t.await();
            return null;
        });
    }

    @Test
    void test_all_tasks_with_eager_completion() {
        runEager(() -> {
            List<Set<Task<?>>> captured = new ArrayList<>();
            Task<Void> t = Aio.createTask(() -> {
                captured.add(Aio.allTasks());
                return null;
            });
            assertTrue(captured.get(0).contains(t), "a task sees itself in its eager step");
            assertFalse(Aio.allTasks().contains(t), "a finished task is gone");
            return null;
        });
    }

    @Test
    void test_all_tasks_with_blocking() {
        runEager(() -> {
            AsyncFuture<Void> fut1 = Aio.getRunningLoop().createFuture();
            AsyncFuture<Void> fut2 = Aio.getRunningLoop().createFuture();
            List<Set<Task<?>>> captured = new ArrayList<>();
            Task<Void> t = Aio.createTask(() -> {
                captured.add(Aio.allTasks());
                fut1.await();
                fut2.setResult(null);
                return null;
            });
            assertTrue(captured.get(0).contains(t));
            assertTrue(Aio.allTasks().contains(t));
            fut1.setResult(null);
            fut2.await();
            assertFalse(Aio.allTasks().contains(t));
            return null;
        });
    }

    @Test
    void test_context_vars() {
        runEager(() -> {
            ContextVar<Integer> cv = new ContextVar<>("cv", 0);
            boolean[] ran = {false, false};
            cv.set(1);
            Task<Void> t = Aio.createTask(() -> {
                assertEquals(1, cv.get());
                cv.set(2);
                assertEquals(2, cv.get());
                ran[0] = true;
                Aio.sleep(0.1);
                assertEquals(2, cv.get());
                cv.set(3);
                assertEquals(3, cv.get());
                ran[1] = true;
                return null;
            });
            assertTrue(ran[0]);
            assertFalse(ran[1]);
            assertEquals(1, cv.get(), "the eager step ran in the task's own context");
            t.await();
            assertTrue(ran[1]);
            assertEquals(1, cv.get());
            return null;
        });
    }

    // ---- BaseTaskCountingTests: tasks that outlive their eager step --------------------------

    /**
     * Counts the tasks not finished when {@code createTask} returns. CPython's CountingTask counts
     * the tasks not started eagerly; this is stricter: an eager task that suspends counts too, so
     * an await that suspends on a future already done (a TaskGroup's exit, a gather of finished
     * children) would show here.
     */
    private static TaskFactory counting(boolean eager, AtomicInteger count) {
        return new TaskFactory() {
            @Override
            public <T> Task<T> newTask(EventLoop loop, Coroutine<T> coro, String name,
                    Context context) {
                Task<T> t = new Task<>(loop, coro, name, context, eager);
                if (!t.isDone()) {
                    count.incrementAndGet();
                }
                return t;
            }
        };
    }

    private static int awaitableChain(int depth) throws Exception {
        if (depth == 0) {
            return 0;
        }
        return 1 + awaitableChain(depth - 1);
    }

    private static Void recursiveTaskGroups(int width, int depth) {
        if (depth == 0) {
            return null;
        }
        return TaskGroup.run(tg -> {
            for (int i = 0; i < width; i++) {
                tg.createTask(() -> recursiveTaskGroups(width, depth - 1));
            }
            return null;
        });
    }

    private static Void recursiveGather(int width, int depth) {
        if (depth == 0) {
            return null;
        }
        List<Task<Void>> children = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            children.add(Aio.createTask(() -> recursiveGather(width, depth - 1)));
        }
        Aio.gather(children).await();
        return null;
    }

    @Test
    void test_recursive_taskgroups_and_gather_count() {
        for (boolean eager : new boolean[] {false, true}) {
            AtomicInteger chain = new AtomicInteger();
            AtomicInteger groups = new AtomicInteger();
            AtomicInteger gathers = new AtomicInteger();
            Loops.virtual(() -> {
                EventLoop loop = Aio.getRunningLoop();
                loop.setTaskFactory(counting(eager, chain));
                assertEquals(100, awaitableChain(100));
                loop.setTaskFactory(counting(eager, groups));
                recursiveTaskGroups(5, 4);
                loop.setTaskFactory(counting(eager, gathers));
                recursiveGather(5, 4);
                return null;
            });
            assertEquals(0, chain.get(), "a chain of plain calls makes no task");
            // 5 + 5^2 + 5^3 + 5^4 = 780 tasks below the root
            if (!eager) {
                assertEquals(780, groups.get());
                assertEquals(780, gathers.get());
            } else {
                // A group's exit waits one turn for its eagerly finished children, whose done
                // callbacks are scheduled, not run inside createTask (3.13, gh-128550): each of
                // the 5 + 25 + 125 inner tasks suspends there once; the 625 leaves do not.
                assertEquals(155, groups.get());
                // gather() of children that all finished is done at once (3.12+): nothing waits
                assertEquals(0, gathers.get());
            }
        }
    }

    // ---- 3.14: create_task(..., eager_start=) --------------------------------------------------

    @Test
    void test_eager_start_true() {
        List<String> names = new ArrayList<>();
        Loops.virtual(() -> {
            Task<Void> t = Aio.createTask(() -> {
                names.add(Aio.currentTask().getName());
                return null;
            }, "example", null, true);
            assertTrue(t.isDone(), "ran to its end inside createTask");
            assertEquals(List.of("example"), names);
            return t.await();
        });
    }

    @Test
    void test_eager_start_false() {
        List<String> names = new ArrayList<>();
        runEager(() -> {
            Task<Void> t = Aio.createTask(() -> {
                names.add(Aio.currentTask().getName());
                return null;
            }, "example", null, false);
            assertFalse(t.isDone(), "scheduled, although the loop's factory is eager");
            assertEquals(List.of(), names);
            t.await();
            assertEquals(List.of("example"), names);
            return null;
        });
    }

    @Test
    void eagerStartNullLeavesTheChoiceToTheFactory() {
        runEager(() -> {
            assertTrue(Aio.createTask(() -> "now", null, null, null).isDone());
            return null;
        });
        Loops.virtual(() -> {
            Task<String> t = Aio.createTask(() -> "later", null, null, null);
            assertFalse(t.isDone());
            return t.await();
        });
    }

    @Test
    void aTaskGroupPassesEagerStartOn() {
        List<String> steps = new ArrayList<>();
        Loops.virtual(() -> TaskGroup.run(tg -> {
            Task<Void> t = tg.createTask(() -> {
                steps.add("child ran");
                return null;
            }, "eager child", null, true);
            steps.add("createTask returned, done=" + t.isDone());
            return null;
        }));
        assertEquals(List.of("child ran", "createTask returned, done=true"), steps);
    }

    @Test
    void aFactoryThatDoesNotChooseTheStartRefusesAChoice() {
        TaskFactory naming = new TaskFactory() {
            @Override
            public <T> Task<T> newTask(EventLoop loop, Coroutine<T> coro, String name,
                    Context context) {
                return new Task<>(loop, coro, "named-" + name, context, false);
            }

            @Override
            public String toString() {
                return "naming";
            }
        };
        Loops.virtual(() -> {
            Aio.getRunningLoop().setTaskFactory(naming);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> Aio.createTask(() -> null, "x", null, true));
            assertTrue(e.getMessage().startsWith("task factory naming got an unexpected keyword"
                    + " argument 'eager_start'"), e.getMessage());
            assertEquals(1, Aio.allTasks(Aio.getRunningLoop()).size(), "no task was made");
            Task<Void> t = Aio.createTask(() -> null, "y", null, null);
            assertEquals("named-y", t.getName(), "a null choice reaches the factory as before");
            return t.await();
        });
    }
}
