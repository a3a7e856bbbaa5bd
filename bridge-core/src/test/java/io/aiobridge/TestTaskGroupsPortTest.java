package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_taskgroups.py} (adapted from EdgeDB), case by
 * case. {@code ZeroDivisionError} is {@link ArithmeticException}, {@code MyExc} a runtime
 * exception of the test's, {@code KeyboardInterrupt} (an error the group raises as itself, not in
 * a group) a {@link VirtualMachineError}. {@link TaskGroupTest} has the 3.13 cases about the
 * cancelling count; the cases about Python's reference cycles and warnings have no counterpart.
 */
class TestTaskGroupsPortTest {

    private static final class MyExc extends RuntimeException {
        MyExc() {
            super("MyExc");
        }
    }

    /** KeyboardInterrupt's counterpart: raised as itself, never inside a group. */
    private static final class Interrupt extends VirtualMachineError {
        Interrupt() {
            super("interrupt");
        }
    }

    private static int divide(int a, int b) {
        return a / b;
    }

    private static Set<Class<?>> errorTypes(ExceptionGroup eg) {
        Set<Class<?>> types = new HashSet<>();
        for (Throwable e : eg.exceptions()) {
            types.add(e.getClass());
        }
        return types;
    }

    @Test
    void test_taskgroup_01_and_02() {
        Loops.virtual(() -> {
            Task<?>[] t = new Task<?>[2];
            TaskGroup.run(g -> {
                t[0] = g.createTask(() -> Aio.sleep(0.1, 42));
                t[1] = g.createTask(() -> Aio.sleep(0.2, 11));
                return null;
            });
            assertEquals(42, t[0].result());
            assertEquals(11, t[1].result());
            TaskGroup.run(g -> {
                t[0] = g.createTask(() -> Aio.sleep(0.1, 42));
                Aio.sleep(0.15);
                t[1] = g.createTask(() -> Aio.sleep(0.2, 11));
                return null;
            });
            assertEquals(42, t[0].result());
            assertEquals(11, t[1].result());
            return null;
        });
    }

    @Test
    void test_taskgroup_03() {
        Loops.virtual(() -> {
            Task<?>[] t = new Task<?>[2];
            TaskGroup.run(g -> {
                t[0] = g.createTask(() -> Aio.sleep(1, 42));
                Aio.sleep(0.15);
                t[0].cancel(); // cancelling one child explicitly: the rest goes on
                t[1] = g.createTask(() -> Aio.sleep(0.2, 11));
                return null;
            });
            assertTrue(t[0].isCancelled());
            assertEquals(11, t[1].result());
            return null;
        });
    }

    @Test
    void test_taskgroup_04() {
        Loops.virtual(() -> {
            int[] num = {0};
            boolean[] t2Cancel = {false};
            Task<?>[] t2 = new Task<?>[1];
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> Aio.createTask(() -> {
                TaskGroup.run(g -> {
                    g.createTask(() -> {
                        Aio.sleep(0.1);
                        return divide(1, 0);
                    });
                    t2[0] = g.createTask(() -> {
                        try {
                            Aio.sleep(1);
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                        return null;
                    });
                    return null;
                });
                num[0] += 10;
                return null;
            }).await());
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertEquals(0, num[0]);
            assertTrue(t2Cancel[0]);
            assertTrue(t2[0].isCancelled());
            return null;
        });
    }

    @Test
    void test_cancel_children_on_child_error() {
        Loops.virtual(() -> {
            int[] num = {0};
            boolean[] t2Cancel = {false};
            boolean[] runnerCancel = {false};
            Coroutine<Integer> foo1 = () -> {
                Aio.sleep(0.1);
                return divide(1, 0);
            };
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> Aio.createTask(() -> {
                TaskGroup.run(g -> {
                    g.createTask(foo1);
                    g.createTask(foo1);
                    g.createTask(foo1);
                    g.createTask(() -> {
                        try {
                            Aio.sleep(5);
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                        return null;
                    });
                    try {
                        Aio.sleep(10);
                    } catch (CancelledError e) {
                        runnerCancel[0] = true;
                        throw e;
                    }
                    return null;
                });
                num[0] += 10;
                return null;
            }).await());
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertEquals(0, num[0]);
            assertTrue(t2Cancel[0]);
            assertTrue(runnerCancel[0]);
            return null;
        });
    }

    private static Coroutine<Void> countCancel(int[] num, int by) {
        return () -> {
            try {
                Aio.sleep(5);
            } catch (CancelledError e) {
                num[0] += by;
                throw e;
            }
            return null;
        };
    }

    @Test
    void test_cancellation_and_taskgroup_07() {
        Loops.virtual(() -> {
            for (boolean bodyWaits : new boolean[] {false, true}) {
                int[] num = {0};
                Task<Void> r = Aio.createTask(() -> TaskGroup.run(g -> {
                    for (int i = 0; i < 5; i++) {
                        g.createTask(countCancel(num, 1));
                    }
                    if (bodyWaits) {
                        try {
                            Aio.sleep(10);
                        } catch (CancelledError e) {
                            num[0] += 10;
                            throw e;
                        }
                    }
                    return null;
                }));
                Aio.sleep(0.1);
                assertFalse(r.isDone());
                r.cancel();
                assertThrows(CancelledError.class, r::await);
                assertEquals(bodyWaits ? 15 : 5, num[0]);
            }
            return null;
        });
    }

    private static final Coroutine<Void> CRASH_IN_FINALLY = () -> {
        try {
            Aio.sleep(10);
        } finally {
            divide(1, 0);
        }
        return null;
    };

    @Test
    void test_taskgroup_08() {
        Loops.virtual(() -> {
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(CRASH_IN_FINALLY);
                }
                Aio.sleep(10);
                return null;
            }));
            Aio.sleep(0.1);
            assertFalse(r.isDone());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            return null;
        });
    }

    @Test
    void test_taskgroup_09_and_10() {
        Loops.virtual(() -> {
            for (boolean sleepFirst : new boolean[] {true, false}) {
                Task<?>[] t = new Task<?>[2];
                ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                    t[0] = g.createTask(() -> Aio.sleep(1, 42));
                    t[1] = g.createTask(() -> Aio.sleep(2, 11));
                    if (sleepFirst) {
                        Aio.sleep(0.1);
                    }
                    return divide(1, 0);
                }));
                assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
                assertTrue(t[0].isCancelled());
                assertTrue(t[1].isCancelled());
            }
            return null;
        });
    }

    @Test
    void test_taskgroup_11_and_12() {
        Loops.virtual(() -> {
            for (boolean outerChild : new boolean[] {false, true}) {
                Task<Void> r = Aio.createTask(() -> TaskGroup.run(g1 -> {
                    if (outerChild) {
                        g1.createTask(() -> Aio.sleep(10, null));
                    }
                    return TaskGroup.run(g2 -> {
                        for (int i = 0; i < 5; i++) {
                            g2.createTask(CRASH_IN_FINALLY);
                        }
                        Aio.sleep(10);
                        return null;
                    });
                }));
                Aio.sleep(0.1);
                assertFalse(r.isDone());
                r.cancel();
                ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
                assertEquals(Set.of(ExceptionGroup.class), errorTypes(eg));
                assertEquals(Set.of(ArithmeticException.class),
                        errorTypes((ExceptionGroup) eg.exceptions().get(0)));
            }
            return null;
        });
    }

    private static Coroutine<Void> crashAfter(double t) {
        return () -> {
            Aio.sleep(t);
            throw new IllegalArgumentException("ValueError " + t);
        };
    }

    @Test
    void test_taskgroup_13() {
        Loops.virtual(() -> {
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(crashAfter(0.1));
                return TaskGroup.run(g2 -> {
                    g2.createTask(crashAfter(10));
                    return null;
                });
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(IllegalArgumentException.class), errorTypes(eg));
            return null;
        });
    }

    @Test
    void test_taskgroup_14() {
        Loops.virtual(() -> {
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g1 -> {
                g1.createTask(crashAfter(10));
                return TaskGroup.run(g2 -> {
                    g2.createTask(crashAfter(0.1));
                    return null;
                });
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(ExceptionGroup.class), errorTypes(eg));
            assertEquals(Set.of(IllegalArgumentException.class),
                    errorTypes((ExceptionGroup) eg.exceptions().get(0)));
            return null;
        });
    }

    @Test
    void test_taskgroup_15_and_16() {
        Loops.virtual(() -> {
            for (boolean nested : new boolean[] {false, true}) {
                Coroutine<Void> runner = () -> TaskGroup.run(g1 -> {
                    g1.createTask(() -> {
                        Aio.sleep(0.3);
                        return divide(1, 0);
                    });
                    try {
                        Aio.sleep(10);
                    } catch (CancelledError e) {
                        Aio.sleep(0.5);
                        throw e;
                    }
                    return null;
                });
                Task<Void> r = Aio.createTask(
                        nested ? () -> Aio.createTask(runner).await() : runner);
                Aio.sleep(0.1);
                assertFalse(r.isDone());
                r.cancel();
                ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
                assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            }
            return null;
        });
    }

    @Test
    void test_taskgroup_17() {
        Loops.virtual(() -> {
            int[] num = {0};
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g -> {
                try {
                    Aio.sleep(10);
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw e;
                }
                return null;
            }));
            Aio.sleep(0.1);
            assertFalse(r.isDone());
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            assertEquals(10, num[0]);
            return null;
        });
    }

    @Test
    void test_taskgroup_18() {
        Loops.virtual(() -> {
            int[] num = {0};
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g -> {
                try {
                    Aio.sleep(10);
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw new MyExc(); // not a good idea, but supported
                }
                return null;
            }));
            Aio.sleep(0.1);
            assertFalse(r.isDone());
            r.cancel();
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(MyExc.class), errorTypes(eg));
            assertEquals(10, num[0]);
            return null;
        });
    }

    private static Coroutine<Integer> crashSoon() {
        return () -> {
            Aio.sleep(0.1);
            return divide(1, 0);
        };
    }

    @Test
    void test_taskgroup_19() {
        Loops.virtual(() -> {
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(crashSoon());
                try {
                    Aio.sleep(10);
                } finally {
                    throw new MyExc();
                }
            }));
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, r::await);
            assertEquals(Set.of(MyExc.class, ArithmeticException.class), errorTypes(eg));
            return null;
        });
    }

    @Test
    void test_taskgroup_20() {
        Loops.virtual(() -> {
            assertThrows(Interrupt.class, () -> TaskGroup.run(g -> {
                g.createTask(crashSoon());
                try {
                    Aio.sleep(10);
                } finally {
                    throw new Interrupt();
                }
            }));
            return null;
        });
    }

    @Test
    void test_taskgroup_22() {
        Loops.virtual(() -> {
            Task<Void> r = Aio.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> Aio.sleep(1, 42));
                g.createTask(() -> Aio.sleep(2, 11));
                return null;
            }));
            Aio.sleep(0.05);
            r.cancel();
            assertThrows(CancelledError.class, r::await);
            return null;
        });
    }

    @Test
    void test_taskgroup_23() {
        Loops.virtual(() -> {
            TaskGroup.run(g -> {
                for (int count = 0; count < 10; count++) {
                    Aio.sleep(0.1);
                    g.createTask(() -> Aio.sleep(0.3, null));
                    if (count == 5) {
                        assertTrue(tasksIn(g) < 5, g.toString());
                    }
                }
                Aio.sleep(1.35);
                assertEquals(0, tasksIn(g), g.toString());
                return null;
            });
            return null;
        });
    }

    /** The group's live tasks, read from its repr ("tasks=N"), as CPython reads g._tasks. */
    private static int tasksIn(TaskGroup g) {
        var m = java.util.regex.Pattern.compile("tasks=(\\d+)").matcher(g.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void test_taskgroup_24() {
        Loops.virtual(() -> {
            TaskGroup.run(g -> {
                g.createTask(() -> {
                    Aio.sleep(0.1);
                    g.createTask(() -> Aio.sleep(0.1, null));
                    g.createTask(() -> Aio.sleep(0.2, null));
                    return null;
                });
                return null;
            });
            return null;
        });
    }

    @Test
    void test_taskgroup_25() {
        Loops.virtual(() -> {
            int[] nhydras = {0};
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(hydra(g, nhydras));
                g.createTask(() -> {
                    while (nhydras[0] < 10) {
                        Aio.sleep(0.015);
                    }
                    return divide(1, 0);
                });
                return null;
            }));
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertTrue(nhydras[0] >= 10, nhydras[0] + " hydras");
            return null;
        });
    }

    private static Coroutine<Void> hydra(TaskGroup g, int[] nhydras) {
        return () -> {
            nhydras[0]++;
            Aio.sleep(0.01);
            g.createTask(hydra(g, nhydras));
            g.createTask(hydra(g, nhydras));
            return null;
        };
    }

    @Test
    void test_taskgroup_task_name_and_test_name() {
        Loops.virtual(() -> {
            String[] name = {null};
            TaskGroup.run(g -> {
                Task<Void> t = g.createTask(() -> {
                    name[0] = Aio.currentTask().getName();
                    Aio.sleep(0);
                    return null;
                }, "yolo");
                assertEquals("yolo", t.getName());
                return null;
            });
            assertEquals("yolo", name[0]);
            return null;
        });
    }

    @Test
    void test_taskgroup_task_context() {
        Loops.virtual(() -> {
            ContextVar<Integer> cvar = new ContextVar<>("cvar");
            TaskGroup.run(g -> {
                Context ctx = Context.copyCurrent();
                assertNull(cvar.getIn(ctx));
                g.createTask(() -> {
                    Aio.sleep(0);
                    cvar.set(1);
                    return null;
                }, null, ctx).await();
                assertEquals(1, cvar.getIn(ctx));
                g.createTask(() -> {
                    Aio.sleep(0);
                    cvar.set(2);
                    return null;
                }, null, ctx).await();
                assertEquals(2, cvar.getIn(ctx));
                return null;
            });
            return null;
        });
    }

    @Test
    void test_taskgroup_no_create_task_after_failure() {
        Loops.virtual(() -> {
            Coroutine<Integer> coro1 = () -> {
                Aio.sleep(0.001);
                return divide(1, 0);
            };
            boolean[] refused = {false};
            ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(g -> {
                g.createTask(coro1);
                g.createTask(() -> {
                    try {
                        Aio.sleep(1);
                    } catch (CancelledError e) {
                        assertThrows(IllegalStateException.class, () -> g.createTask(coro1));
                        refused[0] = true;
                    }
                    return null;
                });
                return null;
            }));
            assertEquals(Set.of(ArithmeticException.class), errorTypes(eg));
            assertTrue(refused[0]);
            return null;
        });
    }

    @Test
    void test_taskgroup_context_manager_exit_raises() {
        // python/cpython#95289: a context manager inside the group raises while it exits
        final class CustomException extends RuntimeException {
        }
        Loops.virtual(() -> {
            Aio.createTask(() -> {
                Task<?> task = Aio.currentTask();
                ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                    try {
                        tg.createTask(() -> {
                            throw new CustomException();
                        });
                        Aio.sleep(1);
                    } finally {
                        throw new CustomException(); // the "database" context's exit
                    }
                }));
                assertEquals(0, task.cancelling());
                assertEquals(2, eg.exceptions().size(), eg.toString());
                assertEquals(Set.of(CustomException.class), errorTypes(eg));
                return null;
            }).await();
            return null;
        });
    }

    @Test
    void test_taskgroup_already_entered_double_enter_finished_not_entered() {
        Loops.virtual(() -> {
            TaskGroup tg = TaskGroup.create();
            IllegalStateException notEntered = assertThrows(IllegalStateException.class,
                    () -> tg.createTask(() -> null));
            assertTrue(notEntered.getMessage().contains("has not been entered"),
                    notEntered.getMessage());
            tg.enter(g -> {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> tg.enter(again -> null));
                assertTrue(e.getMessage().contains("has already been entered"), e.getMessage());
                return null;
            });
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> tg.enter(again -> null));
            assertTrue(e.getMessage().contains("has already been entered"), e.getMessage());
            IllegalStateException finished = assertThrows(IllegalStateException.class,
                    () -> tg.createTask(() -> null));
            assertTrue(finished.getMessage().contains("is finished"), finished.getMessage());
            return null;
        });
    }

    @Test
    void test_taskgroup_without_parent_task() {
        Loops.virtual(() -> {
            TaskGroup tg = TaskGroup.create();
            AsyncFuture<Throwable> failure = Aio.getRunningLoop().createFuture();
            Aio.getRunningLoop().callSoon(() -> {
                try {
                    tg.enter(g -> null);
                    failure.setResult(null);
                } catch (RuntimeException e) {
                    failure.setResult(e);
                }
            });
            Throwable e = failure.await();
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("parent task"), e.getMessage());
            IllegalStateException notEntered = assertThrows(IllegalStateException.class,
                    () -> tg.createTask(() -> null));
            assertTrue(notEntered.getMessage().contains("has not been entered"),
                    notEntered.getMessage());
            return null;
        });
    }

    @Test
    void test_exception_refcycles_propagate_cancellation_error() {
        // the timeout's cause is the cancellation the group propagated
        Loops.virtual(() -> {
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> Timeout.after(-1, t -> TaskGroup.run(tg -> Aio.sleep(0, null))));
            assertInstanceOf(CancelledError.class, e.getCause());
            return null;
        });
    }

    @Test
    void test_exception_base_error_raised_as_itself() {
        Loops.virtual(() -> {
            Interrupt raised = new Interrupt();
            Interrupt e = assertThrows(Interrupt.class, () -> TaskGroup.run(tg -> {
                throw raised;
            }));
            assertSame(raised, e);
            return null;
        });
    }

    @Test
    void test_cancellation_does_not_leak_out_of_tg() {
        Loops.virtual(() -> {
            assertThrows(ExceptionGroup.class, () -> TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    throw new MyExc();
                });
                return null;
            }));
            // if the cancellation leaked, this task would be cancelled here
            assertEquals(0, Aio.currentTask().cancelling());
            Aio.sleep(0);
            return null;
        });
    }
}
