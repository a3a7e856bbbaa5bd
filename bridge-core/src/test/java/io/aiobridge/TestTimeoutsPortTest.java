package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_timeouts.py}, case by case, on {@link
 * Timeout}. Python's {@code TimeoutError} is {@link AsyncTimeoutException}, {@code RuntimeError}
 * is {@link IllegalStateException}. Java chains an exception through its cause only; where
 * CPython checks {@code __context__} (the exception being handled when another was raised), the
 * port checks what Java keeps: the cause, and the exception that leaves.
 */
class TestTimeoutsPortTest {

    private static final class KeyError extends RuntimeException {
        KeyError() {
            super("key");
        }
    }

    private static int divide(int a, int b) {
        return a / b;
    }

    @Test
    void test_timeout_basic() {
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(0.01);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(t -> Aio.sleep(10, null)));
            assertTrue(cm.expired());
            return null;
        });
    }

    @Test
    void test_timeout_at_basic() {
        Loops.virtual(() -> {
            double deadline = Aio.getRunningLoop().time() + 0.01;
            Timeout cm = Timeout.at(deadline);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(t -> Aio.sleep(10, null)));
            assertTrue(cm.expired());
            assertEquals(deadline, cm.when());
            return null;
        });
    }

    @Test
    void test_nested_timeouts() {
        Loops.virtual(() -> {
            boolean[] cancelled = {false};
            double deadline = Aio.getRunningLoop().time() + 0.01;
            Timeout cm1 = Timeout.at(deadline);
            Timeout cm2 = Timeout.at(deadline);
            // only the outermost scope raises the timeout
            assertThrows(AsyncTimeoutException.class, () -> cm1.run(t1 -> {
                try {
                    return cm2.run(t2 -> Aio.sleep(10, null));
                } catch (CancelledError e) {
                    cancelled[0] = true;
                    throw e;
                }
            }));
            assertTrue(cancelled[0]);
            assertTrue(cm1.expired());
            assertTrue(cm2.expired());
            return null;
        });
    }

    @Test
    void test_waiter_cancelled() {
        Loops.virtual(() -> {
            boolean[] cancelled = {false};
            assertThrows(AsyncTimeoutException.class, () -> Timeout.after(0.01, t -> {
                try {
                    return Aio.sleep(10, null);
                } catch (CancelledError e) {
                    cancelled[0] = true;
                    throw e;
                }
            }));
            assertTrue(cancelled[0]);
            return null;
        });
    }

    @Test
    void test_timeout_not_called() {
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(10);
            cm.run(t -> Aio.sleep(0.01, null));
            double t1 = Aio.getRunningLoop().time();
            assertFalse(cm.expired());
            assertTrue(cm.when() > t1);
            return null;
        });
    }

    @Test
    void test_timeout_disabled() {
        Loops.virtual(() -> {
            for (Timeout cm : new Timeout[] {Timeout.after((Double) null), Timeout.at(null)}) {
                cm.run(t -> Aio.sleep(0.01, null));
                assertFalse(cm.expired());
                assertNull(cm.when());
            }
            return null;
        });
    }

    @Test
    void test_timeout_zero_and_in_the_past() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            for (double delay : new double[] {0, -11}) {
                for (double sleep : new double[] {10, 0}) {
                    double t0 = loop.time();
                    Timeout cm = Timeout.after(delay);
                    assertThrows(AsyncTimeoutException.class,
                            () -> cm.run(t -> Aio.sleep(sleep, null)));
                    double t1 = loop.time();
                    assertTrue(cm.expired());
                    if (delay == 0) {
                        assertTrue(t0 <= cm.when() && cm.when() <= t1, cm.when() + "");
                    } else {
                        assertTrue(t0 >= cm.when() && cm.when() <= t1, cm.when() + "");
                    }
                }
            }
            return null;
        });
    }

    @Test
    void test_foreign_exception_passed() {
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(0.01);
            assertThrows(KeyError.class, () -> cm.run(t -> {
                throw new KeyError();
            }));
            assertFalse(cm.expired());
            return null;
        });
    }

    @Test
    void test_timeout_exception_context() {
        Loops.virtual(() -> {
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> Timeout.after(0.01, t -> {
                        try {
                            return divide(1, 0);
                        } finally {
                            Aio.sleep(1);
                        }
                    }));
            // the timeout is caused by the cancellation raised while the division's error was
            // being handled
            assertInstanceOf(CancelledError.class, e.getCause());
            return null;
        });
    }

    @Test
    void test_foreign_exception_on_timeout() {
        Loops.virtual(() -> {
            Coroutine<Void> crash = () -> {
                try {
                    Aio.sleep(1);
                } finally {
                    divide(1, 0);
                }
                return null;
            };
            assertThrows(ArithmeticException.class, () -> Timeout.after(0.01, t -> crash.call()));
            assertEquals(0, Aio.currentTask().cancelling(),
                    "the expired scope withdrew its cancel request");
            return null;
        });
    }

    @Test
    void test_foreign_cancel_doesnt_timeout_if_not_expired() {
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(10);
            assertThrows(CancelledError.class, () -> cm.run(t -> {
                Aio.currentTask().cancel();
                return Aio.sleep(10, null);
            }));
            assertFalse(cm.expired());
            Aio.currentTask().uncancel();
            return null;
        });
    }

    @Test
    void test_outer_task_is_not_cancelled() {
        Loops.virtual(() -> {
            Task<Void> task = Aio.createTask(() -> {
                assertThrows(AsyncTimeoutException.class,
                        () -> Timeout.after(0.001, t -> Aio.sleep(10, null)));
                return null;
            });
            task.await();
            assertFalse(task.isCancelled());
            assertTrue(task.isDone());
            return null;
        });
    }

    @Test
    void test_nested_timeouts_concurrent() {
        // blocks the loop for real, so it runs on the real clock
        Aio.run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> Timeout.after(0.002, outer -> {
                try {
                    return Timeout.after(0.1, inner -> {
                        Thread.sleep(10); // pretend to crunch some numbers
                        return Aio.sleep(1, null);
                    });
                } catch (AsyncTimeoutException e) {
                    return null; // CPython's inner assertRaises(TimeoutError)
                }
            }));
            return null;
        });
    }

    @Test
    void test_nested_timeouts_loop_busy() {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            loop.setSlowCallbackDuration(10);
            double t0 = loop.time();
            assertThrows(AsyncTimeoutException.class, () -> Timeout.after(0.1, outer -> {
                try {
                    Timeout.after(0.01, inner -> {
                        Thread.sleep(100); // the loop is busy for a while
                        return Aio.sleep(1, null);
                    });
                } catch (AsyncTimeoutException e) {
                    // caught by the inner scope's handler, as CPython's
                }
                return Aio.sleep(10, null); // interrupted by the outer scope
            }));
            double t1 = loop.time();
            assertTrue(t0 <= t1 && t1 <= t0 + 1, (t1 - t0) + " s");
            return null;
        });
    }

    @Test
    void test_reschedule() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            AsyncFuture<Timeout> fut = loop.createFuture();
            double deadline1 = loop.time() + 10;
            double deadline2 = deadline1 + 20;
            Task<Void> task = Aio.createTask(() -> Timeout.at(deadline1, cm -> {
                fut.setResult(cm);
                return Aio.sleep(50, null);
            }));
            Timeout cm = fut.await();
            assertEquals(deadline1, cm.when());
            cm.reschedule(deadline2);
            assertEquals(deadline2, cm.when());
            cm.reschedule(null);
            assertNull(cm.when());
            task.cancel();
            assertThrows(CancelledError.class, task::await);
            assertFalse(cm.expired());
            return null;
        });
    }

    @Test
    void test_repr() {
        Loops.virtual(() -> {
            Timeout.after(10, cm -> {
                assertTrue(cm.toString().matches("<Timeout \\[active\\] when=\\d+\\.\\d*>"),
                        cm.toString());
                return null;
            });
            Timeout expired = Timeout.after(0.01);
            assertThrows(AsyncTimeoutException.class,
                    () -> expired.run(t -> Aio.sleep(10, null)));
            assertEquals("<Timeout [expired]>", expired.toString());
            Timeout finished = Timeout.after(10);
            finished.run(t -> Aio.sleep(0, null));
            assertEquals("<Timeout [finished]>", finished.toString());
            Timeout.after((Double) null, cm -> {
                assertEquals("<Timeout [active] when=None>", cm.toString());
                return null;
            });
            return null;
        });
    }

    @Test
    void test_nested_timeout_in_finally() {
        Loops.virtual(() -> {
            AsyncTimeoutException[] e2 = {null};
            AsyncTimeoutException e1 = assertThrows(AsyncTimeoutException.class,
                    () -> Timeout.after(0.01, outer -> {
                        try {
                            return Aio.sleep(1, null);
                        } finally {
                            e2[0] = assertThrows(AsyncTimeoutException.class,
                                    () -> Timeout.after(0.01, inner -> Aio.sleep(10, null)));
                        }
                    }));
            assertInstanceOf(CancelledError.class, e1.getCause());
            assertNull(e1.getCause().getCause());
            assertInstanceOf(CancelledError.class, e2[0].getCause());
            assertFalse(e1.getCause() == e2[0].getCause(), "two cancellations, one per scope");
            return null;
        });
    }

    @Test
    void test_timeout_after_cancellation() {
        Loops.virtual(() -> {
            try {
                Aio.currentTask().cancel();
                Aio.sleep(1); // work which will be cancelled
            } catch (CancelledError e) {
                // swallowed, as CPython's test does
            } finally {
                assertThrows(AsyncTimeoutException.class,
                        () -> Timeout.after(0.0, t -> Aio.sleep(1, null))); // some cleanup
            }
            Aio.currentTask().uncancel();
            return null;
        });
    }

    @Test
    void test_cancel_in_timeout_after_cancellation() {
        Loops.virtual(() -> {
            try {
                Aio.currentTask().cancel();
                Aio.sleep(1);
            } catch (CancelledError e) {
                // swallowed
            } finally {
                assertThrows(CancelledError.class, () -> Timeout.after(1.0, t -> {
                    Aio.currentTask().cancel();
                    return Aio.sleep(2, null);
                }));
            }
            Aio.currentTask().uncancel();
            Aio.currentTask().uncancel();
            return null;
        });
    }

    @Test
    void test_timeout_already_entered_and_double_enter() {
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(0.01);
            cm.run(t -> {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> cm.run(again -> null));
                assertTrue(e.getMessage().contains("has already been entered"), e.getMessage());
                return null;
            });
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> cm.run(again -> null));
            assertTrue(e.getMessage().contains("has already been entered"), e.getMessage());
            return null;
        });
    }

    @Test
    void test_timeout_finished_expired_expiring_not_entered() {
        Loops.virtual(() -> {
            Timeout finished = Timeout.after(0.01);
            finished.run(t -> null);
            assertRescheduleFails(finished, "finished");

            Timeout expired = Timeout.after(0.01);
            assertThrows(AsyncTimeoutException.class, () -> expired.run(t -> Aio.sleep(1, null)));
            assertRescheduleFails(expired, "expired");

            Timeout.after(0.01, cm -> {
                assertThrows(CancelledError.class, () -> Aio.sleep(1));
                assertRescheduleFails(cm, "expiring");
                return null;
            });

            assertRescheduleFails(Timeout.after(0.01), "has not been entered");
            return null;
        });
    }

    private static void assertRescheduleFails(Timeout cm, String text) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cm.reschedule(0.02));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void test_timeout_without_task() {
        // on the loop's thread, in a callback: a loop runs, but no task
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(0.01);
            AsyncFuture<Throwable> failure = Aio.getRunningLoop().createFuture();
            Aio.getRunningLoop().callSoon(() -> {
                try {
                    cm.run(t -> null);
                    failure.setResult(null);
                } catch (RuntimeException e) {
                    failure.setResult(e);
                }
            });
            Throwable e = failure.await();
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("task"), e.getMessage());
            IllegalStateException r = assertThrows(IllegalStateException.class,
                    () -> cm.reschedule(0.02));
            assertTrue(r.getMessage().contains("has not been entered"), r.getMessage());
            return null;
        });
    }

    @Test
    void test_timeout_taskgroup() {
        Loops.virtual(() -> {
            Coroutine<Void> task = () -> {
                try {
                    Aio.sleep(2); // interrupted after 0.01 s
                } finally {
                    divide(1, 0); // a crash in the clean-up
                }
                return null;
            };
            ExceptionGroup eg = assertThrows(ExceptionGroup.class,
                    () -> Timeout.after(0.01, t -> TaskGroup.run(tg -> {
                        tg.createTask(task);
                        try {
                            throw new IllegalArgumentException("ValueError");
                        } finally {
                            Aio.sleep(1);
                        }
                    })));
            assertEquals(1, eg.exceptions().size(), eg.toString());
            assertInstanceOf(ArithmeticException.class, eg.exceptions().get(0));
            return null;
        });
    }
}
