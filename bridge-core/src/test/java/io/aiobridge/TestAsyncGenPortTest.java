package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncgen.py}, the {@code AsyncGenAsyncioTest} cases that
 * drive generators from tasks: anext, asend, athrow, aclose, shutdown, the finalizer hook
 * (gc_aclose_09). A Python generator is {@link AsyncGenerator#of} here; {@code yield} inside a
 * bare {@code except:} is a body that catches {@link Throwable}, which includes {@link
 * GeneratorExit}. The cases about Python's
 * awaitable objects (reusing an {@code __anext__()} object, {@code .send()}/{@code .throw()} on
 * it, unawaited-coroutine warnings) have no counterpart.
 */
class TestAsyncGenPortTest {

    private static final class FooEr extends RuntimeException {
        FooEr() {
            super("FooEr");
        }
    }

    private static int divide(int a, int b) {
        return a / b;
    }

    /**
     * CPython's {@code try: yield / except: pass / DONE = 1}: a body that swallows whatever is
     * thrown in at its one yield, GeneratorExit included, and ends.
     */
    private static AsyncGenerator<Void, Void> swallowsThenEnds(int[] done) {
        return AsyncGenerator.of(y -> {
            try {
                y.yield(null);
            } catch (Throwable e) {
                // a bare except
            }
            done[0] = 1;
        });
    }

    @Test
    void test_async_gen_asyncio_anext_04() {
        Loops.virtual(() -> {
            // run1: the generator runs to its end
            AsyncGenerator<Integer, Void> it = foo04();
            assertEquals(1, it.anext().await());
            assertEquals(2, it.anext().await());
            assertEquals(3, it.anext().await());
            assertEquals(4, it.anext().await());
            assertThrows(StopAsyncIteration.class, () -> it.anext().await());
            assertThrows(StopAsyncIteration.class, () -> it.anext().await());
            // run2: a ZeroDivisionError thrown in at the second yield
            AsyncGenerator<Integer, Void> it2 = foo04();
            assertEquals(1, it2.anext().await());
            assertEquals(2, it2.anext().await());
            assertEquals(1000, it2.athrow(new ArithmeticException()).await());
            assertEquals(4, it2.anext().await());
            assertThrows(StopAsyncIteration.class, () -> it2.anext().await());
            return null;
        });
    }

    private static AsyncGenerator<Integer, Void> foo04() {
        return AsyncGenerator.of(y -> {
            y.yield(1);
            Aio.sleep(0.01);
            try {
                y.yield(2);
                y.yield(3);
            } catch (ArithmeticException e) {
                y.yield(1000);
            }
            Aio.sleep(0.01);
            y.yield(4);
        });
    }

    @Test
    void test_async_gen_asyncio_anext_05() {
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Integer> it = AsyncGenerator.of(y -> {
                Integer v = y.yield(1);
                v = y.yield(v);
                y.yield(v * 100);
            });
            assertEquals(1, it.asend(null).await());
            assertEquals(10, it.asend(10).await());
            assertEquals(1200, it.asend(12).await());
            assertThrows(StopAsyncIteration.class, () -> it.anext().await());
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_anext_06() {
        Loops.virtual(() -> {
            int[] done = {0};
            AsyncGenerator<Void, Void> g = swallowsThenEnds(done);
            g.asend(null).await();
            assertThrows(StopAsyncIteration.class, () -> g.asend(null).await());
            done[0] += 10;
            assertEquals(11, done[0]);
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_aclose_06() {
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                    divide(1, 0);
                } finally {
                    Aio.sleep(0.01);
                    y.yield(12);
                }
            });
            gen.anext().await();
            IllegalStateException e = assertThrows(IllegalStateException.class, gen::aclose);
            assertTrue(e.getMessage().startsWith("async generator ignored GeneratorExit"),
                    e.getMessage());
            return null;
        });
    }

    /**
     * A generator dropped at its yield is closed by a task of its loop. CPython's reference count
     * drops it at {@code del g}, so two {@code sleep(0)} are enough there; here the collector
     * finds it and the finalizer thread hands it to the loop, so the port collects and sleeps
     * until the close has run, for at most 10 s.
     */
    @Test
    void test_async_gen_asyncio_gc_aclose_09() {
        int[] done = {0};
        Aio.run(() -> {
            newGenerator(done).anext().await(); // g = gen(); await g.__anext__()
            for (int i = 0; i < 200 && done[0] == 0; i++) {
                System.gc(); // del g; gc_collect()
                Aio.sleep(0.05);
            }
            return null;
        });
        assertEquals(1, done[0]);
    }

    /** {@code gen()} of test_async_gen_asyncio_gc_aclose_09, advanced twice. */
    private static AsyncGenerator<Integer, Void> newGenerator(int[] done) {
        AsyncGenerator<Integer, Void> g = AsyncGenerator.of(y -> {
            try {
                for (;;) {
                    y.yield(1);
                }
            } finally {
                Aio.sleep(0);
                done[0] = 1;
            }
        });
        g.anext().await();
        return g;
    }

    @Test
    void test_async_gen_asyncio_aclose_07_and_08() {
        Loops.virtual(() -> {
            for (boolean awaitsAFuture : new boolean[] {false, true}) {
                int[] done = {0};
                AsyncFuture<Void> fut = Aio.getRunningLoop().createFuture();
                AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                    try {
                        y.yield(1);
                        if (awaitsAFuture) {
                            fut.await();
                            done[0] += 1000;
                            y.yield(2);
                        } else {
                            divide(1, 0);
                        }
                    } finally {
                        Aio.sleep(0.01);
                        Aio.sleep(0.01);
                        done[0] += 1;
                    }
                    done[0] += 1000;
                });
                assertEquals(1, gen.anext().await());
                gen.aclose();
                assertEquals(1, done[0]);
                fut.cancel();
            }
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_aclose_10_and_11() {
        Loops.virtual(() -> {
            int[] done = {0};
            AsyncGenerator<Void, Void> g = swallowsThenEnds(done);
            g.asend(null).await();
            g.aclose();
            done[0] += 10;
            assertEquals(11, done[0]);

            int[] done2 = {0};
            AsyncGenerator<Void, Void> g2 = AsyncGenerator.of(y -> {
                try {
                    y.yield(null);
                } catch (Throwable e) {
                    // swallowed, and then the body yields again: not allowed
                }
                y.yield(null);
                done2[0] += 1;
            });
            g2.asend(null).await();
            IllegalStateException e = assertThrows(IllegalStateException.class, g2::aclose);
            assertTrue(e.getMessage().contains("ignored GeneratorExit"), e.getMessage());
            done2[0] += 10;
            assertEquals(10, done2[0]);
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_aclose_12() {
        Loops.virtual(() -> {
            int[] done = {0};
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                Task<Void> task = Aio.createTask(() -> {
                    Aio.sleep(0.01);
                    divide(1, 0);
                    return null;
                });
                try {
                    y.yield(1);
                } finally {
                    try {
                        task.await();
                    } catch (ArithmeticException e) {
                        done[0] = 1;
                    }
                }
            });
            gen.anext().await();
            gen.aclose();
            assertEquals(1, done[0]);
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_asend_01() {
        Loops.virtual(() -> {
            int[] done = {0};
            AsyncGenerator<Integer, Integer> g = AsyncGenerator.of(y -> {
                try {
                    Aio.sleep(0.01);
                    Integer v = y.yield(1);
                    Aio.sleep(0.01);
                    y.yield(v * 2);
                    Aio.sleep(0.01);
                } finally {
                    Aio.sleep(0.01);
                    Aio.sleep(0.01);
                    done[0] = 1;
                }
            });
            assertEquals(1, g.asend(null).await());
            assertEquals(200, g.asend(100).await());
            assertThrows(StopAsyncIteration.class, () -> g.asend(null).await());
            assertEquals(1, done[0]);
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_asend_02_and_03() {
        Loops.virtual(() -> {
            for (boolean cancelled : new boolean[] {false, true}) {
                int[] done = {0};
                EventLoop loop = Aio.getRunningLoop();
                AsyncGenerator<Integer, Integer> g = AsyncGenerator.of(y -> {
                    try {
                        Aio.sleep(0.01);
                        Integer v = y.yield(1);
                        if (cancelled) {
                            Task<Void> fut = Aio.createTask(() -> Aio.sleep(0.01, null));
                            loop.callLater(0.005, fut::cancel);
                            fut.await();
                        } else {
                            Aio.sleep(0.01);
                            divide(1, 0);
                        }
                        done[0] += 1000;
                        y.yield(v * 2);
                    } finally {
                        Aio.sleep(0.01);
                        Aio.sleep(0.01);
                        done[0] = 1;
                    }
                });
                assertEquals(1, g.asend(null).await());
                Throwable e = assertThrows(Throwable.class, () -> g.asend(100).await());
                Class<? extends Throwable> expected =
                        cancelled ? CancelledError.class : ArithmeticException.class;
                assertEquals(expected, e.getClass());
                assertEquals(1, done[0]);
            }
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_athrow_01() {
        Loops.virtual(() -> {
            int[] done = {0};
            AsyncGenerator<Integer, Integer> g = AsyncGenerator.of(y -> {
                try {
                    Aio.sleep(0.01);
                    Integer v;
                    try {
                        v = y.yield(1);
                    } catch (FooEr e) {
                        v = 1000;
                        Aio.sleep(0.01);
                    }
                    y.yield(v * 2);
                    Aio.sleep(0.01);
                } finally {
                    Aio.sleep(0.01);
                    Aio.sleep(0.01);
                    done[0] = 1;
                }
            });
            assertEquals(1, g.asend(null).await());
            assertEquals(2000, g.athrow(new FooEr()).await());
            assertThrows(StopAsyncIteration.class, () -> g.asend(null).await());
            assertEquals(1, done[0]);
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_athrow_02() {
        Loops.virtual(() -> {
            int[] done = {0};
            EventLoop loop = Aio.getRunningLoop();
            AsyncGenerator<Integer, Integer> g = AsyncGenerator.of(y -> {
                try {
                    Aio.sleep(0.01);
                    Integer v = 0;
                    try {
                        v = y.yield(1);
                    } catch (FooEr e) {
                        Task<Void> fut = Aio.createTask(() -> Aio.sleep(0.01, null));
                        loop.callLater(0.005, fut::cancel);
                        fut.await();
                    }
                    y.yield(v * 2);
                    Aio.sleep(0.01);
                } finally {
                    Aio.sleep(0.01);
                    Aio.sleep(0.01);
                    done[0] = 1;
                }
            });
            assertEquals(1, g.asend(null).await());
            assertThrows(CancelledError.class, () -> g.athrow(new FooEr()).await());
            assertEquals(1, done[0], "the body's finally ran before the cancel reached us");
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_athrow_03() {
        Loops.virtual(() -> {
            int[] done = {0};
            AsyncGenerator<Void, Void> g = swallowsThenEnds(done);
            g.asend(null).await();
            assertThrows(StopAsyncIteration.class,
                    () -> g.athrow(new IllegalArgumentException()).await());
            done[0] += 10;
            assertEquals(11, done[0]);
            return null;
        });
    }

    @Test
    void test_async_gen_asyncio_shutdown_01() {
        int[] finalized = {0};
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Coroutine<Void> waitOn = () -> {
                AsyncGenerator<Integer, Void> waiter = AsyncGenerator.of(y -> {
                    try {
                        Aio.sleep(1);
                        y.yield(1);
                    } finally {
                        Aio.sleep(0);
                        finalized[0]++;
                    }
                });
                for (int ignored : waiter) {
                    // nothing
                }
                return null;
            };
            Task<Void> t1 = Aio.createTask(waitOn);
            Task<Void> t2 = Aio.createTask(waitOn);
            Aio.sleep(0.1);
            t1.cancel();
            t2.cancel();
            assertThrows(CancelledError.class, t1::await);
            assertThrows(CancelledError.class, t2::await);
            loop.shutdownAsyncgens().await();
            return null;
        });
        assertEquals(2, finalized[0]);
    }

    @Test
    void test_async_gen_asyncio_shutdown_02_and_nonstarted_hooks() {
        List<ErrorContext> messages = new ArrayList<>();
        AsyncGenerator<Integer, Void> it = AsyncGenerator.of(y -> {
            y.yield(1);
            y.yield(2);
        });
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> messages.add(c));
            for (int i : it) {
                break;
            }
            return null;
        });
        assertEquals(List.of(), messages);
    }

    @Test
    void test_async_gen_asyncio_shutdown_exception_01() {
        List<ErrorContext> messages = new ArrayList<>();
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> messages.add(c));
            AsyncGenerator<Integer, Void> it = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                    y.yield(2);
                } finally {
                    divide(1, 0);
                }
            });
            // a generator left open, not closed by the for loop: the run's shutdown closes it
            assertEquals(1, it.anext().await());
            return null;
        });
        assertEquals(1, messages.size(), messages.toString());
        ErrorContext message = messages.get(0);
        assertInstanceOf(ArithmeticException.class, message.exception());
        assertTrue(message.message().contains(
                "an error occurred during closing of asynchronous generator"), message.message());
    }

    @Test
    void test_async_gen_aclose_twice_and_after_exhaustion() {
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Void> it = AsyncGenerator.of(y -> {
                y.yield(1);
                y.yield(2);
            });
            it.aclose();
            it.aclose();
            AsyncGenerator<Integer, Void> it2 = AsyncGenerator.of(y -> {
                y.yield(1);
                y.yield(2);
            });
            List<Integer> seen = new ArrayList<>();
            for (int i : it2) {
                seen.add(i);
            }
            assertEquals(List.of(1, 2), seen);
            it2.aclose();
            return null;
        });
    }

    @Test
    void test_async_gen_expression_01() {
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Void> arange = AsyncGenerator.of(y -> {
                for (int i = 0; i < 10; i++) {
                    Aio.sleep(0.01);
                    y.yield(i);
                }
            });
            AsyncGenerator<Integer, Void> doubled = AsyncGenerator.of(y -> {
                for (int i : arange) {
                    y.yield(i * 2);
                }
            });
            List<Integer> res = new ArrayList<>();
            for (int i : doubled) {
                res.add(i);
            }
            assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18), res);
            return null;
        });
    }

    @Test
    void test_asend_and_athrow_while_running() {
        // test_asend_send_already_running / test_athrow_send_already_running: the body awaits
        // inside a step another task is waiting for, and a second step is asked for
        Loops.virtual(() -> {
            AsyncFuture<Void> gate = Aio.getRunningLoop().createFuture();
            AsyncGenerator<Integer, Void> agen = AsyncGenerator.of(y -> {
                gate.await();
                y.yield(1);
            });
            Task<Integer> first = Aio.createTask(() -> agen.anext().await());
            Aio.sleep(0);
            IllegalStateException a = assertThrows(IllegalStateException.class,
                    () -> agen.anext().await());
            assertTrue(a.getMessage().startsWith(
                    "anext(): asynchronous generator is already running"), a.getMessage());
            IllegalStateException t = assertThrows(IllegalStateException.class,
                    () -> agen.athrow(new IllegalArgumentException()).await());
            assertTrue(t.getMessage().startsWith(
                    "athrow(): asynchronous generator is already running"), t.getMessage());
            gate.setResult(null);
            assertEquals(1, first.await());
            agen.aclose();
            return null;
        });
    }
}
