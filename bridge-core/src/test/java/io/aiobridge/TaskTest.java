package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TaskTest {

    @Test
    void aNewTaskRunsOnlyWhenItsCreatorSuspends() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            s.expect(1);
            Task<String> t = Aio.createTask(() -> {
                s.expect(3);
                Aio.sleep(0);
                s.expect(5);
                return "r";
            });
            s.expect(2);
            Aio.sleep(0);
            s.expect(4);
            assertEquals("r", t.await());
            s.finish(6);
            return null;
        });
    }

    @Test
    void cancelRaisesAtTheCurrentAwaitWithTheMessage() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            Task<String> t = Aio.createTask(() -> {
                s.expect(2);
                try {
                    Aio.sleep(100);
                    s.expectUnreached();
                } catch (CancelledError e) {
                    s.expect(4);
                    assertEquals("enough", e.getMessage());
                    throw e;
                }
                return "never";
            });
            s.expect(1);
            Aio.sleep(0);
            s.expect(3);
            assertTrue(t.cancel("enough"));
            assertEquals(1, t.cancelling());
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("enough", e.getMessage());
            assertTrue(t.isCancelled());
            assertFalse(t.cancel(), "a done task cannot be cancelled");
            s.finish(5);
            return null;
        });
    }

    @Test
    void aTaskCancelledBeforeItStartsNeverRuns() {
        Loops.virtual(() -> {
            Task<String> t = Aio.createTask(() -> {
                throw new AssertionError("must not run");
            });
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isCancelled());
            return null;
        });
    }

    @Test
    void aTaskMayCatchCancellationAndReturnAndUncancel() {
        Loops.virtual(() -> {
            Task<String> t = Aio.createTask(() -> {
                try {
                    Aio.sleep(10);
                } catch (CancelledError e) {
                    Task<?> self = Aio.currentTask();
                    assertEquals(1, self.cancelling());
                    assertEquals(0, self.uncancel());
                    Aio.sleep(1); // awaiting again works once the request is handled
                    return "survived";
                }
                return "slept";
            });
            Aio.sleep(0);
            t.cancel();
            assertEquals("survived", t.await());
            assertFalse(t.isCancelled());
            return null;
        });
    }

    @Test
    void catchExceptionDoesNotSwallowCancellation() {
        Loops.virtual(() -> {
            List<String> seen = new ArrayList<>();
            Task<Void> t = Aio.createTask(() -> {
                try {
                    Aio.sleep(10);
                } catch (Exception careless) {
                    seen.add("swallowed " + careless);
                }
                seen.add("went on");
                return null;
            });
            Aio.sleep(0);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(List.of(), seen);
            return null;
        });
    }

    @Test
    void aTaskThatCancelsItselfAndReturnsEndsCancelled() {
        Loops.virtual(() -> {
            Task<String> t = Aio.createTask(() -> {
                Aio.currentTask().cancel("self");
                return "returned anyway";
            });
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("self", e.getMessage());
            return null;
        });
    }

    @Test
    void cancellingATaskCancelsTheTaskItAwaits() {
        Loops.virtual(() -> {
            Task<String> inner = Aio.createTask(() -> Aio.sleep(100, "inner"));
            Task<String> outer = Aio.createTask(inner::await);
            Aio.sleep(0);
            outer.cancel();
            assertThrows(CancelledError.class, outer::await);
            assertTrue(inner.isCancelled());
            return null;
        });
    }

    @Test
    void failuresKeepTheirIdentityAndCheckedOnesAreWrapped() {
        Loops.virtual(() -> {
            IllegalStateException ise = new IllegalStateException("x");
            Task<Object> unchecked = Aio.createTask(() -> {
                throw ise;
            });
            assertSame(ise, assertThrows(IllegalStateException.class, unchecked::await));
            Task<Object> checked = Aio.createTask(() -> {
                throw new IOException("disk");
            });
            CompletionException ce = assertThrows(CompletionException.class, checked::await);
            assertInstanceOf(IOException.class, ce.getCause());
            assertInstanceOf(IOException.class, checked.exception());
            return null;
        });
    }

    @Test
    void awaitingOutsideATaskIsAClearError() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            IllegalStateException main = assertThrows(IllegalStateException.class, f::await);
            assertTrue(main.getMessage().contains("not running any loop"), main.getMessage());
            List<Throwable> inCallback = new ArrayList<>();
            loop.callSoon(() -> {
                try {
                    Aio.sleep(1);
                } catch (IllegalStateException e) {
                    inCallback.add(e);
                }
                loop.stop();
            });
            loop.runForever();
            assertTrue(inCallback.get(0).getMessage().contains("callback"),
                    inCallback.get(0).getMessage());
        }
    }

    @Test
    void aTaskCannotAwaitItselfOrAFutureOfAnotherLoop() {
        try (EventLoop other = EventLoop.newVirtualTimeEventLoop()) {
            Loops.virtual(() -> {
                Task<?> self = Aio.currentTask();
                IllegalStateException e = assertThrows(IllegalStateException.class, self::await);
                assertTrue(e.getMessage().contains("itself"));
                AsyncFuture<String> foreign = other.createFuture();
                assertThrows(IllegalStateException.class, foreign::await); // RuntimeError
                return null;
            });
        }
    }

    @Test
    void eagerStartRunsSynchronouslyUntilTheFirstSuspension() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            s.expect(1);
            Task<String> t = new Task<>(Aio.getRunningLoop(), () -> {
                s.expect(2);
                assertEquals("eager", Aio.currentTask().getName());
                Aio.sleep(0);
                s.expect(4);
                return "e";
            }, "eager", null, true);
            s.expect(3);
            assertNull(t.isDone() ? "done" : null);
            assertEquals("e", t.await());
            s.finish(5);
            return null;
        });
    }

    @Test
    void namesCurrentTaskAndAllTasks() {
        Loops.virtual(() -> {
            Task<?> main = Aio.currentTask();
            assertTrue(main.getName().startsWith("Task-"));
            Task<Void> t = Aio.createTask(() -> Aio.sleep(1, null), "worker");
            assertEquals("worker", t.getName());
            t.setName("renamed");
            assertEquals(List.of(main, t), new ArrayList<>(Aio.allTasks()));
            List<Task<?>> inCallback = new ArrayList<>();
            Aio.getRunningLoop().callSoon(() -> inCallback.add(Aio.currentTask()));
            t.await();
            assertEquals(Collections.singletonList(null), inCallback);
            assertEquals(List.of(main), new ArrayList<>(Aio.allTasks()));
            assertTrue(t.toString().contains("name='renamed'"));
            return null;
        });
        assertNull(Aio.currentTask());
    }

    static void deepInUserCode() {
        Aio.sleep(100);
    }

    @Test
    void getStackShowsWhereASuspendedTaskIs() {
        Loops.virtual(() -> {
            Task<Void> t = Aio.createTask(() -> {
                deepInUserCode();
                return null;
            });
            assertEquals(List.of(), t.getStack(), "not started yet");
            Aio.sleep(0);
            List<StackTraceElement> stack = t.getStack();
            assertEquals("deepInUserCode", stack.get(0).getMethodName(), stack.toString());
            assertTrue(stack.stream().noneMatch(e -> e.getClassName().equals("io.aiobridge.Task")));
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            t.printStack(new PrintStream(buf, true));
            assertTrue(buf.toString().contains("deepInUserCode"));
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(List.of(), t.getStack());
            return null;
        });
    }

    @Test
    void setResultOnATaskIsUnsupported() {
        Loops.virtual(() -> {
            Task<?> self = Aio.currentTask();
            assertThrows(IllegalStateException.class, () -> self.setException(
                    new RuntimeException()));
            return null;
        });
    }

    @Test
    void anUnretrievedTaskFailureIsReportedWhenCollected() throws Exception {
        List<ErrorContext> reports = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            loop.setExceptionHandler((l, c) -> reports.add(c));
            startFailingTask(loop);
            loop.callLater(1, loop::stop);
            loop.runForever();
            for (int i = 0; i < 200 && reports.isEmpty(); i++) {
                System.gc();
                Thread.sleep(10);
            }
        }
        assertEquals(1, reports.size());
        assertEquals("Task exception was never retrieved", reports.get(0).message());
        assertTrue(reports.get(0).source().contains("name='doomed'"), reports.get(0).source());
    }

    private static void startFailingTask(EventLoop loop) {
        loop.createTask(() -> {
            throw new IllegalStateException("nobody looks");
        }, "doomed");
    }

    @Test
    void eachTaskRunsInACopyOfItsCreatorsContext() {
        ContextVar<String> var = new ContextVar<>("v", "root");
        Loops.virtual(() -> {
            var.set("parent");
            Task<String> child = Aio.createTask(() -> {
                String seen = var.get();
                var.set("child");
                return seen;
            });
            assertEquals("parent", child.await());
            assertEquals("parent", var.get(), "the child's set does not leak to the parent");
            Context custom = new Context();
            Task<String> inCustom = Aio.getRunningLoop().createTask(var::get, null, custom);
            assertEquals("root", inCustom.await());
            return null;
        });
    }

    @Test
    void exitCallbacksRunWhenTheCodeEndsBeforeTheTaskIsDoneNewestFirst() {
        List<String> order = new ArrayList<>();
        List<ErrorContext> reported = new ArrayList<>();
        Loops.virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            Runnable removed = () -> order.add("removed");
            Task<String> t = Aio.createTask(() -> {
                Task<?> self = Aio.currentTask();
                self.addExitCallback(() -> order.add("first, done=" + self.isDone()));
                self.addExitCallback(() -> {
                    order.add("second");
                    throw new IllegalStateException("exit callback failed");
                });
                self.addExitCallback(removed);
                assertTrue(self.removeExitCallback(removed));
                Aio.sleep(100); // cancelled here
                return "unreached";
            });
            t.addDoneCallback(f -> order.add("done callback"));
            Aio.sleep(1);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            Aio.sleep(0);
            return null;
        });
        assertEquals(List.of("second", "first, done=false", "done callback"), order);
        assertEquals(1, reported.size());
        assertEquals("exit callback failed", reported.get(0).exception().getMessage());
    }

    /**
     * Tasks that await each other are deadlocked; cancelling one must end them all. The request
     * goes round the cycle back to the first task, which then takes the cancellation itself.
     * Before, cancel() passed the request round the cycle for ever, into a StackOverflowError
     * on the loop's thread (asyncio recurses into a RecursionError).
     */
    @Test
    void cancellingTasksThatAwaitEachOtherEndsTheCycle() {
        List<String> steps = new ArrayList<>();
        Aio.run(() -> {
            Task<?>[] tasks = new Task<?>[3];
            for (int i = 0; i < 3; i++) {
                int me = i;
                tasks[i] = Aio.createTask(() -> {
                    Aio.sleep(0);
                    try {
                        // the third awaits the first through a gather
                        return me < 2 ? tasks[me + 1].await()
                                : Aio.gather(tasks[0]).await();
                    } catch (CancelledError e) {
                        steps.add("task " + me + " cancelled");
                        throw e;
                    }
                }, "t" + i);
            }
            Aio.sleep(0);
            Aio.sleep(0);
            assertTrue(tasks[0].cancel("stop"));
            for (Task<?> t : tasks) {
                assertInstanceOf(CancelledError.class, assertThrows(CancelledError.class,
                        t::await));
                assertTrue(t.isCancelled(), t::toString);
            }
            return null;
        });
        assertEquals(List.of("task 0 cancelled", "task 2 cancelled", "task 1 cancelled"), steps,
                "the first task takes the request, then each awaiter of the one that ended");
    }

    /**
     * A task that suspends runs the loop on its own thread until another step is due, so a
     * callback may run on the thread of a suspended task. That task's stack is where its own code
     * waits, not the callback: the frames above its suspension are cut.
     */
    @Test
    void aSuspendedTasksStackIsItsAwaitNotACallbackRunningOnItsThread() {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            AsyncFuture<Void> gate = loop.createFuture();
            Task<?> main = Aio.currentTask();
            Task<Void> other = Aio.createTask(() -> gate.await(), "other");
            Aio.sleep(0); // other runs and suspends on the gate
            AsyncFuture<List<List<StackTraceElement>>> seen = loop.createFuture();
            loop.callSoon(() -> seen.setResult(readStacks(main, other)));
            for (List<StackTraceElement> stack : seen.await()) {
                assertTrue(stack.stream().noneMatch(e -> e.getMethodName().equals("readStacks")),
                        "no frame of the callback: " + stack);
                assertFalse(stack.isEmpty(), "the task's own await is there");
            }
            gate.setResult(null);
            return other.await();
        });
    }

    private static List<List<StackTraceElement>> readStacks(Task<?> a, Task<?> b) {
        return List.of(a.getStack(), b.getStack());
    }
}
