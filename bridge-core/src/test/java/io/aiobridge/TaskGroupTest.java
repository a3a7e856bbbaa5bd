package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskGroupTest {

    @Test
    void firstFailureCancelsSiblingsAndBodyAndAllFailuresAreGrouped() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            IllegalStateException first = new IllegalStateException("first");
            IllegalArgumentException second = new IllegalArgumentException("second");
            List<Task<?>> tasks = new ArrayList<>();
            ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tasks.add(tg.createTask(() -> {
                    Aio.sleep(1);
                    s.expect(2);
                    throw first;
                }));
                tasks.add(tg.createTask(() -> {
                    try {
                        Aio.sleep(10);
                    } finally {
                        s.expect(3); // aborting cancels the children first...
                    }
                    return null;
                }));
                tasks.add(tg.createTask(() -> {
                    try {
                        Aio.sleep(10);
                    } catch (CancelledError e) {
                        s.expect(4);
                        throw second; // fails while being cancelled: also reported
                    }
                    return null;
                }));
                s.expect(1);
                try {
                    Aio.sleep(100);
                } catch (CancelledError e) {
                    s.expect(5); // ...then the parent, so the body's wakeup comes last
                    throw e;
                }
                return null;
            }));
            s.expect(6);
            assertEquals(List.of(first, second), g.exceptions());
            assertEquals("unhandled errors in a TaskGroup (2 sub-exceptions)", g.getMessage());
            assertTrue(tasks.get(1).isCancelled());
            assertEquals(0, Aio.currentTask().cancelling(), "the group withdrew its cancel");
            Aio.sleep(0); // the parent goes on normally
            s.finish(7);
            return null;
        });
    }

    @Test
    void theBodysOwnFailureJoinsTheGroupLast() {
        Loops.virtual(() -> {
            IllegalStateException child = new IllegalStateException("child");
            RuntimeException body = new RuntimeException("body");
            ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    try {
                        Aio.sleep(10);
                    } catch (CancelledError e) {
                        throw child; // fails while the body's failure cancels it
                    }
                    return null;
                });
                Aio.sleep(0); // the child starts and waits
                throw body;
            }));
            assertEquals(List.of(child, body), g.exceptions());
            return null;
        });
    }

    @Test
    void aChildThatFailsImmediatelyCancelsTheBodyBeforeItsOwnFailure() {
        Loops.virtual(() -> {
            IllegalStateException child = new IllegalStateException("child");
            ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    throw child;
                });
                Aio.sleep(0); // the child fails; its done callback is queued after our step
                Aio.sleep(0); // the callback cancels the body here, as in asyncio
                throw new AssertionError("the body must be cancelled at its await");
            }));
            assertEquals(List.of(child), g.exceptions());
            return null;
        });
    }

    @Test
    void cancellingTheParentCancelsChildrenAndPropagates() {
        Loops.virtual(() -> {
            List<Task<?>> children = new ArrayList<>();
            Task<Object> parent = Aio.createTask(() -> TaskGroup.run(tg -> {
                children.add(tg.createTask(() -> Aio.sleep(10, "c")));
                Aio.sleep(10);
                return null;
            }));
            Aio.sleep(1);
            parent.cancel("stop");
            CancelledError e = assertThrows(CancelledError.class, parent::await);
            assertEquals("stop", e.getMessage());
            assertTrue(children.get(0).isCancelled());
            return null;
        });
    }

    @Test
    void theScopeWaitsForEveryChildAndReturnsTheBodysResult() {
        Loops.virtual(() -> {
            List<Task<String>> ts = new ArrayList<>();
            String r = TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> Aio.sleep(2, "a")));
                ts.add(tg.createTask(() -> Aio.sleep(1, "b")));
                return "body";
            });
            assertEquals("body", r);
            assertTrue(ts.stream().allMatch(Task::isDone));
            return null;
        });
    }

    @Test
    void creatingTasksAfterTheGroupIsFinishedOrAbortingFails() {
        Loops.virtual(() -> {
            TaskGroup[] kept = new TaskGroup[1];
            TaskGroup.run(tg -> kept[0] = tg);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> kept[0].createTask(() -> 1));
            assertTrue(e.getMessage().contains("is finished"));
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    throw new IllegalStateException("x");
                });
                try {
                    Aio.sleep(1);
                } catch (CancelledError c) {
                    IllegalStateException aborting = assertThrows(IllegalStateException.class,
                            () -> tg.createTask(() -> 2));
                    assertTrue(aborting.getMessage().contains("shutting down"));
                    throw c;
                }
                return null;
            }));
            return null;
        });
    }

    @Test
    void aVirtualMachineErrorIsRaisedAsItself() {
        Loops.virtual(() -> {
            StackOverflowError soe = new StackOverflowError("deep");
            StackOverflowError raised = assertThrows(StackOverflowError.class,
                    () -> TaskGroup.run(tg -> {
                        tg.createTask(() -> {
                            throw soe;
                        });
                        return null;
                    }));
            assertSame(soe, raised);
            return null;
        });
    }

    @Test
    void checkedChildFailuresArePreservedInTheGroup() {
        Loops.virtual(() -> {
            ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    throw new IOException("io");
                });
                return null;
            }));
            assertInstanceOf(IOException.class, g.exceptions().get(0));
            assertEquals(1, g.getSuppressed().length);
            return null;
        });
    }

    /**
     * A loop closed while a TaskGroup still waits for its children: close() cancels them all,
     * the group waits for its cancelled children (it may, although the loop is closing) and
     * every finally runs. This hung once: the group's wait failed at once while closing, and
     * its retry loop spun without ever letting the children run.
     */
    @Test
    void closingTheLoopFinishesALiveTaskGroupAndItsChildren() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        EventLoop loop = EventLoop.newEventLoop();
        Task<Void> group = loop.createTask(() -> TaskGroup.<Void>run(tg -> {
            for (String name : List.of("a", "b")) {
                tg.createTask(() -> {
                    try {
                        return Aio.sleep(3600, name);
                    } finally {
                        log.add(name + " finally");
                    }
                }, name);
            }
            return null;
        }), "group");
        AsyncFuture<Void> started = loop.createFuture();
        loop.callLater(0.01, () -> started.setResult(null));
        loop.runUntilComplete(started); // the group waits on its children; the loop stops
        Thread closer = Thread.ofPlatform().start(loop::close);
        closer.join(10_000);
        assertTrue(!closer.isAlive(), "close() hung on a live TaskGroup");
        assertTrue(loop.isClosed());
        assertTrue(group.isCancelled(), group.toString());
        assertEquals(List.of("a finally", "b finally"), log.stream().sorted().toList());
    }

    // The next four follow CPython 3.13's test_taskgroups (test_cancelling_level_preserved,
    // test_nested_groups_both_cancelled, test_error_and_cancel,
    // test_cancels_task_if_created_during_creation): 3.11 left a count raised or lost an outside
    // cancellation in each.

    @Test
    void aFailedGroupLeavesTheParentsCancellingCountWhereItWas() {
        Loops.virtual(() -> {
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> tg.createTask(() -> {
                Aio.sleep(0.0);
                throw new IllegalStateException("child");
            })));
            assertEquals(0, Aio.currentTask().cancelling());
            Aio.sleep(0); // and no cancellation is pending either
            return null;
        });
    }

    @Test
    void nestedGroupsThatBothFailWithdrawOnlyTheirOwnCancellations() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            ExceptionGroup outer = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(out -> {
                ExceptionGroup inner = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(in -> {
                    in.createTask(() -> {
                        Aio.sleep(0.0);
                        throw new IllegalStateException("inner");
                    });
                    out.createTask(() -> {
                        Aio.sleep(0.0);
                        throw new IllegalArgumentException("outer");
                    });
                    s.expect(1);
                    return null;
                }));
                assertInstanceOf(IllegalStateException.class, inner.exceptions().get(0));
                s.expect(2);
                // the outer group's request is still pending: its body is being cancelled
                assertEquals(1, Aio.currentTask().cancelling());
                return null;
            }));
            assertInstanceOf(IllegalArgumentException.class, outer.exceptions().get(0));
            assertEquals(0, Aio.currentTask().cancelling());
            s.finish(3);
            return null;
        });
    }

    @Test
    void aCancellationFromOutsideDuringAFailingGroupIsDeliveredAfterTheGroup() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            io.aiobridge.sync.AsyncEvent started = new io.aiobridge.sync.AsyncEvent();
            Task<Object> t = Aio.createTask(() -> {
                ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        started.set();
                        Aio.sleep(0.0);
                        throw new IllegalStateException("child");
                    });
                    Aio.sleep(1);
                    throw new AssertionError("the sleep in the group must be cancelled");
                }));
                assertInstanceOf(IllegalStateException.class, g.exceptions().get(0));
                s.expect(3);
                assertEquals(1, Aio.currentTask().cancelling(), "the outside request stays");
                Aio.sleep(1); // ...and is delivered here
                throw new AssertionError("the sleep after the group must be cancelled");
            });
            started.await();
            s.expect(1);
            assertEquals(0, t.cancelling());
            assertTrue(t.cancel());
            assertEquals(1, t.cancelling());
            s.expect(2);
            assertThrows(CancelledError.class, t::await);
            assertTrue(t.isCancelled());
            s.finish(4);
            return null;
        });
    }

    @Test
    void aChildThatFailsEagerlyCancelsItsCreatorAtItsNextAwaitNotInsideCreateTask() {
        for (TaskFactory factory : Arrays.asList(null, TaskFactory.EAGER)) {
            List<String> seen = new ArrayList<>();
            Loops.virtual(() -> {
                Aio.getRunningLoop().setTaskFactory(factory);
                IllegalArgumentException third = new IllegalArgumentException("third failed");
                ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        tg.createTask(() -> {
                            throw third;
                        });
                        seen.add("created");
                        try {
                            Aio.sleep(0); // an eager third task has failed: cancelled here
                            seen.add("first await");
                            Aio.sleep(0); // a lazy one fails in the iteration between
                            seen.add("second await");
                        } catch (CancelledError e) {
                            seen.add("cancelled");
                        }
                        return null;
                    });
                    return null;
                }));
                assertEquals(List.of(third), g.exceptions());
                return null;
            });
            assertEquals(factory == null
                    ? List.of("created", "first await", "cancelled")
                    : List.of("created", "cancelled"), seen, String.valueOf(factory));
        }
    }

    // ---- asyncio's later fixes (gh-135736, gh-155433, gh-155418) and TaskGroup.cancel() ----------

    @Test
    void aGeneratorClosedInsideATaskGroupClosesCleanlyAndCancelsTheGroupsTasks() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            List<Task<?>> children = new ArrayList<>();
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> TaskGroup.run(tg -> {
                children.add(tg.createTask(() -> {
                    try {
                        Aio.sleep(3600);
                    } finally {
                        s.expect(3);
                    }
                    return null;
                }));
                Aio.sleep(0); // the task starts: a task cancelled before it starts never runs
                s.expect(1);
                y.yield(1);
                y.yield(2);
                return null;
            }));
            assertEquals(1, gen.anext().await());
            s.expect(2);
            gen.aclose(); // GeneratorExit, alone: not wrapped in a group (gh-135736)
            s.expect(4);
            assertTrue(gen.isClosed());
            assertTrue(children.get(0).isCancelled());
            s.finish(5);
            return null;
        });
    }

    @Test
    void aGeneratorExitBesideATaskFailureStillRaisesTheGroup() {
        Loops.virtual(() -> {
            IllegalStateException cleanup = new IllegalStateException("cleanup failed");
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    try {
                        Aio.sleep(3600);
                    } catch (CancelledError e) {
                        throw cleanup;
                    }
                    return null;
                });
                Aio.sleep(0);
                y.yield(1);
                return null;
            }));
            gen.anext().await();
            ExceptionGroup g = assertThrows(ExceptionGroup.class, gen::aclose);
            assertSame(cleanup, g.exceptions().get(0));
            assertInstanceOf(GeneratorExit.class, g.exceptions().get(1));
            return null;
        });
    }

    @Test
    void aBaseErrorLeavesAndTheOtherFailuresReachTheLoopsHandler() {
        Loops.virtual(() -> {
            List<ErrorContext> reported = new ArrayList<>();
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            IllegalStateException failure = new IllegalStateException("lost before gh-135736");
            StackOverflowError base = new StackOverflowError("base");
            TaskGroup[] group = new TaskGroup[1];
            StackOverflowError raised = assertThrows(StackOverflowError.class,
                    () -> TaskGroup.run(tg -> {
                        group[0] = tg;
                        tg.createTask(() -> {
                            throw failure;
                        });
                        tg.createTask(() -> {
                            try {
                                Aio.sleep(3600);
                            } catch (CancelledError e) {
                                throw base;
                            }
                            return null;
                        });
                        Aio.sleep(3600);
                        return null;
                    }));
            assertSame(base, raised);
            assertEquals(1, reported.size(), reported.toString());
            assertEquals("TaskGroup task exception was not propagated because the TaskGroup body"
                    + " is being closed with a BaseException", reported.get(0).message());
            assertSame(failure, reported.get(0).exception());
            assertSame(group[0], reported.get(0).get("task_group"));
            return null;
        });
    }

    @Test
    void cancelStopsTheTasksAndTheBodyAndTheGroupEndsWithoutCancelledError() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            List<Task<?>> children = new ArrayList<>();
            String result = TaskGroup.run(tg -> {
                children.add(tg.createTask(() -> {
                    try {
                        Aio.sleep(3600);
                    } finally {
                        s.expect(2);
                    }
                    return null;
                }));
                children.add(tg.createTask(() -> {
                    Aio.sleep(1);
                    s.expect(1);
                    tg.cancel(); // from a task of the group: this one too, as asyncio does
                    tg.cancel(); // idempotent
                    return "done"; // ends cancelled all the same: the cancel came first
                }));
                try {
                    Aio.sleep(3600);
                } catch (CancelledError e) {
                    s.expect(3);
                    throw e;
                }
                return "body";
            });
            s.expect(4);
            assertEquals(null, result);
            assertTrue(children.get(0).isCancelled());
            assertTrue(children.get(1).isCancelled());
            assertEquals(0, Aio.currentTask().cancelling(), "the group withdrew its cancel");
            Aio.sleep(0); // the parent goes on normally
            s.finish(5);
            return null;
        });
    }

    @Test
    void aGroupCancelledBeforeItIsEnteredIsCancelledOnEntry() {
        Loops.virtual(() -> {
            TaskGroup tg = TaskGroup.create();
            tg.cancel();
            List<String> seen = new ArrayList<>();
            tg.enter(g -> {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> g.createTask(() -> null));
                seen.add(e.getMessage().replaceAll("<TaskGroup[^>]*>", "<TaskGroup>"));
                Aio.sleep(3600); // cancelled here
                seen.add("not reached");
                return null;
            });
            assertEquals(List.of("TaskGroup <TaskGroup> is shutting down; a task failed or the"
                    + " group was cancelled, so it takes no new tasks"), seen);
            tg.cancel(); // after it finished: nothing
            return null;
        });
    }

    @Test
    void cancelKeepsTheTasksFailures() {
        Loops.virtual(() -> {
            IllegalStateException failure = new IllegalStateException("failed while cancelled");
            ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    try {
                        Aio.sleep(3600);
                    } catch (CancelledError e) {
                        throw failure;
                    }
                    return null;
                });
                Aio.sleep(1);
                tg.cancel();
                Aio.sleep(3600);
                return null;
            }));
            assertEquals(List.of(failure), g.exceptions());
            return null;
        });
    }

    @Test
    void aCancelFromOutsideDuringTheGroupsOwnAbortIsNotLost() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            Task<String> outer = Aio.createTask(() -> {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        try {
                            Aio.sleep(3600);
                        } catch (CancelledError e) {
                            s.expect(2);
                            Aio.sleep(1); // cleaning up takes a while
                            s.expect(4);
                        }
                        return null;
                    });
                    tg.createTask(() -> {
                        Aio.sleep(0.1);
                        s.expect(1);
                        tg.cancel(); // the body is already waiting for the tasks
                        return null;
                    });
                    return null; // no CancelledError from the body to carry the request
                });
                return "went on as if not cancelled";
            });
            Aio.sleep(0.5);
            s.expect(3);
            outer.cancel(); // while the group waits for its task: not the group's own request
            assertThrows(CancelledError.class, outer::await); // gh-155433: kept
            s.finish(5);
            return null;
        });
    }

    @Test
    void anEagerTaskThatCancelsTheGroupIsCancelledToo() {
        Loops.virtual(() -> {
            List<Task<?>> children = new ArrayList<>();
            TaskGroup.run(tg -> {
                children.add(tg.createTask(() -> {
                    tg.cancel(); // in its eager start, before it joined the group
                    Aio.sleep(3600);
                    return null;
                }, null, null, true));
                Aio.sleep(3600);
                return null;
            });
            assertTrue(children.get(0).isCancelled(), "gh-155418");
            return null;
        });
    }
}
