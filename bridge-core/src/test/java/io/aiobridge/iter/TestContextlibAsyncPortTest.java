package io.aiobridge.iter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.aiobridge.Aio;
import io.aiobridge.AsyncContextManager;
import io.aiobridge.AsyncExitStack;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.CancelledError;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_contextlib_async.py}, with the {@code TestBaseExitStack}
 * cases of {@code test_contextlib.py} that its {@code TestAsyncExitStack} inherits. An
 * {@code @asynccontextmanager} function is {@link GeneratorContextManager#of}, {@code async with}
 * is {@link AsyncContextManager#with}, {@code aclosing} and {@code nullcontext} are {@link
 * AsyncContextManager#aclosing} and {@link AsyncContextManager#nullContext}, and the synchronous
 * {@code enter_context} is {@link AsyncExitStack#enterContext} for an {@link AutoCloseable}.
 *
 * <p>Python's implicit {@code __context__} is a suppressed exception here (what try-with-resources
 * records), so where Python links a chain, Java may hold a small tree: an exception raised while
 * handling another carries the one it replaced in its suppressed list, next to any the raiser
 * recorded itself. The cases check that every replaced exception is reachable, once.
 *
 * <p>Not ported: the cases about Python's types and metadata ({@code __doc__}, {@code __name__},
 * keyword arguments, abstract base classes, structural subclassing, objects that lack {@code
 * __aenter__}, instance attributes bypassing the class), which Java's types decide at compile time.
 */
class TestContextlibAsyncPortTest {

    static final class IndexError extends RuntimeException {
        IndexError() {
            super("IndexError");
        }
    }

    static final class KeyError extends RuntimeException {
        KeyError() {
            super("KeyError");
        }
    }

    static final class AttributeError extends RuntimeException {
        AttributeError() {
            super("AttributeError");
        }
    }

    static final class ValueError extends RuntimeException {
        ValueError() {
            super("ValueError");
        }
    }

    /** Python's {@code __context__}: the one exception {@code e} replaced, or null. */
    private static Throwable context(Throwable e) {
        Throwable[] s = e.getSuppressed();
        assertTrue(s.length <= 1, () -> e + " carries more than one replaced exception: "
                + List.of(s));
        return s.length == 0 ? null : s[0];
    }

    private static Void raise(RuntimeException e) {
        throw e;
    }

    @Nested
    class TestAbstractAsyncContextManager {
        /** bpo-33786: GeneratorExit thrown into a generator passes through its inner manager. */
        @Test
        void test_async_gen_propagates_generator_exit() {
            Loops.virtual(() -> {
                AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y ->
                        AsyncContextManager.with(ctx(), v -> y.yield(11)));
                List<Integer> ret = new ArrayList<>();
                IllegalArgumentException exc = new IllegalArgumentException("22");
                IllegalArgumentException raised = assertThrows(IllegalArgumentException.class,
                        () -> AsyncContextManager.with(ctx(), v -> {
                            gen.forEach(val -> {
                                ret.add(val);
                                throw exc;
                            });
                            return null;
                        }));
                assertSame(exc, raised);
                assertEquals(0, raised.getSuppressed().length,
                        "closing the generator raised nothing more");
                assertTrue(gen.isClosed());
                assertEquals(List.of(11), ret);
                return null;
            });
        }

        private static GeneratorContextManager<Void> ctx() {
            return GeneratorContextManager.of(y -> y.yield(null));
        }
    }

    @Nested
    class AsyncContextManagerTestCase {
        @Test
        void test_contextmanager_plain() {
            List<Integer> state = new ArrayList<>();
            Loops.virtual(() -> {
                GeneratorContextManager<Integer> woohoo = GeneratorContextManager.of(y -> {
                    state.add(1);
                    y.yield(42);
                    state.add(999);
                });
                AsyncContextManager.with(woohoo, x -> {
                    assertEquals(List.of(1), state);
                    assertEquals(42, x);
                    return state.add(x);
                });
                return null;
            });
            assertEquals(List.of(1, 42, 999), state);
        }

        @Test
        void test_contextmanager_finally() {
            List<Integer> state = new ArrayList<>();
            Loops.virtual(() -> {
                GeneratorContextManager<Integer> woohoo = GeneratorContextManager.of(y -> {
                    state.add(1);
                    try {
                        y.yield(42);
                    } finally {
                        state.add(999);
                    }
                });
                assertThrows(ArithmeticException.class, () -> AsyncContextManager.with(woohoo,
                        x -> {
                            assertEquals(List.of(1), state);
                            assertEquals(42, x);
                            state.add(x);
                            throw new ArithmeticException();
                        }));
                return null;
            });
            assertEquals(List.of(1, 42, 999), state);
        }

        @Test
        void test_contextmanager_no_reraise() {
            Loops.virtual(() -> {
                GeneratorContextManager<Void> ctx = GeneratorContextManager.of(y -> y.yield(null));
                ctx.aenter();
                assertFalse(ctx.aexit(new ClassCastException("foo")),
                        "aexit lets the error through without raising it itself");
                return null;
            });
        }

        @Test
        void test_contextmanager_trap_yield_after_throw() {
            Loops.virtual(() -> {
                int[] resumed = {0};
                GeneratorContextManager<Void> ctx = GeneratorContextManager.of(y -> {
                    try {
                        y.yield(null);
                    } catch (Throwable bare) {
                        y.yield(null);
                        resumed[0]++;
                    }
                });
                ctx.aenter();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> ctx.aexit(new ClassCastException("foo")));
                assertEquals("generator didn't stop after athrow()", e.getMessage());
                assertEquals(0, resumed[0], "the generator was closed at its second yield");
                return null;
            });
        }

        @Test
        void test_contextmanager_trap_no_yield() {
            Loops.virtual(() -> {
                GeneratorContextManager<Void> ctx = GeneratorContextManager.of(y -> { });
                IllegalStateException e = assertThrows(IllegalStateException.class, ctx::aenter);
                assertEquals("generator didn't yield", e.getMessage());
                return null;
            });
        }

        @Test
        void test_contextmanager_trap_second_yield() {
            Loops.virtual(() -> {
                boolean[] after = {false};
                GeneratorContextManager<Void> ctx = GeneratorContextManager.of(y -> {
                    y.yield(null);
                    y.yield(null);
                    after[0] = true;
                });
                ctx.aenter();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> ctx.aexit(null));
                assertEquals("generator didn't stop", e.getMessage());
                assertFalse(after[0], "the generator was closed, not run on");
                return null;
            });
        }

        /** The generator catches the error and raises another: that one leaves aexit. */
        @Test
        void test_contextmanager_non_normalised() {
            Loops.virtual(() -> {
                UnsupportedOperationException syntaxError = new UnsupportedOperationException();
                GeneratorContextManager<Void> ctx = GeneratorContextManager.of(y -> {
                    try {
                        y.yield(null);
                    } catch (IllegalStateException e) {
                        throw syntaxError;
                    }
                });
                ctx.aenter();
                assertSame(syntaxError, assertThrows(UnsupportedOperationException.class,
                        () -> ctx.aexit(new IllegalStateException())));
                return null;
            });
        }

        @Test
        void test_contextmanager_except() {
            List<Integer> state = new ArrayList<>();
            Loops.virtual(() -> {
                GeneratorContextManager<Integer> woohoo = GeneratorContextManager.of(y -> {
                    state.add(1);
                    try {
                        y.yield(42);
                    } catch (ArithmeticException e) {
                        state.add(Integer.parseInt(e.getMessage()));
                        assertEquals(List.of(1, 42, 999), state);
                    }
                });
                assertNull(AsyncContextManager.with(woohoo, x -> {
                    assertEquals(List.of(1), state);
                    assertEquals(42, x);
                    state.add(x);
                    throw new ArithmeticException("999");
                }), "the generator handled the error, so the body's result is none");
                return null;
            });
            assertEquals(List.of(1, 42, 999), state);
        }

        /** An end signal raised by the body is not the generator finishing: it propagates. */
        @Test
        void test_contextmanager_except_stopiter() {
            class StopAsyncIterationSubclass extends StopAsyncIteration {
            }
            Loops.virtual(() -> {
                for (StopAsyncIteration stopExc : List.of(new StopAsyncIteration(),
                        new StopAsyncIterationSubclass())) {
                    GeneratorContextManager<Void> woohoo =
                            GeneratorContextManager.of(y -> y.yield(null));
                    try {
                        AsyncContextManager.with(woohoo, v -> {
                            throw stopExc;
                        });
                        fail(stopExc + " was suppressed");
                    } catch (StopAsyncIteration ex) {
                        assertSame(stopExc, ex);
                    }
                }
                return null;
            });
        }

        @Test
        void test_contextmanager_wrap_runtimeerror() {
            Loops.virtual(() -> {
                GeneratorContextManager<Void> woohoo = GeneratorContextManager.of(y -> {
                    try {
                        y.yield(null);
                    } catch (Exception exc) {
                        throw new IllegalStateException("caught " + exc, exc);
                    }
                });
                IllegalStateException wrapped = assertThrows(IllegalStateException.class,
                        () -> AsyncContextManager.with(woohoo, v -> 1 / 0));
                assertInstanceOf(ArithmeticException.class, wrapped.getCause());

                // a StopAsyncIteration wrapped in a RuntimeError is unwrapped: the wrapping
                // may be the generator machinery's (PEP 479) as well as the generator's own
                StopAsyncIteration stop = new StopAsyncIteration();
                assertSame(stop, assertThrows(StopAsyncIteration.class,
                        () -> AsyncContextManager.with(woohoo, v -> {
                            throw stop;
                        })));
                return null;
            });
        }

        /**
         * Python recurses through a decorator that makes a fresh manager per call; a manager is
         * made per level here, and each one's enter and exit pair up.
         */
        @Test
        void test_recursive() {
            int[] depth = {0};
            int[] ncols = {0};
            Loops.virtual(() -> {
                recursive(depth, ncols);
                return null;
            });
            assertEquals(11, ncols[0], "one manager per level, the last one included");
            assertEquals(0, depth[0]);
        }

        private void recursive(int[] depth, int[] ncols) {
            GeneratorContextManager<Void> woohoo = GeneratorContextManager.of(y -> {
                ncols[0]++;
                int before = depth[0];
                depth[0]++;
                y.yield(null);
                depth[0]--;
                assertEquals(before, depth[0]);
            });
            AsyncContextManager.with(woohoo, v -> {
                if (depth[0] < 11) {
                    Aio.sleep(0);
                    recursive(depth, ncols);
                }
                return null;
            });
        }

        // ---- beyond CPython's cases: what Java adds --------------------------------------------

        /**
         * A cancellation that reaches the generator while it handles the body's error leaves aexit
         * as itself: the task ends cancelled, not failed.
         */
        @Test
        void cancellationDuringTheExitStaysACancellation() {
            Loops.virtual(() -> {
                IllegalArgumentException bodyError = new IllegalArgumentException("body");
                GeneratorContextManager<Void> slowExit = GeneratorContextManager.of(y -> {
                    try {
                        y.yield(null);
                    } finally {
                        Aio.sleep(10);
                    }
                });
                Task<Void> t = Aio.createTask(() -> AsyncContextManager.with(slowExit, v -> {
                    throw bodyError;
                }));
                Aio.sleep(1);
                t.cancel();
                CancelledError cancelled = assertThrows(CancelledError.class, t::await);
                assertTrue(t.isCancelled(), "the task is cancelled, not failed: " + cancelled);
                return null;
            });
        }

        /** A checked exception the generator lets through is not chained to itself. */
        @Test
        void aCheckedExceptionPassesOnceWrapped() {
            Loops.virtual(() -> {
                IOException io = new IOException("disk");
                GeneratorContextManager<Void> passes = GeneratorContextManager.of(y -> y.yield(null));
                CompletionException e = assertThrows(CompletionException.class,
                        () -> AsyncContextManager.with(passes, v -> {
                            throw io;
                        }));
                assertSame(io, e.getCause());
                assertArrayEquals(new Throwable[0], e.getSuppressed());
                assertArrayEquals(new Throwable[0], io.getSuppressed());
                return null;
            });
        }
    }

    @Nested
    class AclosingTestCase {
        @Test
        void test_aclosing() {
            Loops.virtual(() -> {
                int[] closed = {0};
                io.aiobridge.AsyncIterator<Integer> x = new io.aiobridge.AsyncIterator<>() {
                    @Override
                    public io.aiobridge.Awaitable<Integer> anext() {
                        return () -> {
                            throw new StopAsyncIteration();
                        };
                    }

                    @Override
                    public void aclose() {
                        Aio.sleep(0);
                        closed[0]++;
                    }
                };
                assertEquals(0, closed[0]);
                AsyncContextManager.with(AsyncContextManager.aclosing(x), y -> {
                    assertSame(x, y);
                    return null;
                });
                assertEquals(1, closed[0]);
                assertThrows(ArithmeticException.class,
                        () -> AsyncContextManager.with(AsyncContextManager.aclosing(x), y -> 1 / 0));
                assertEquals(2, closed[0], "closed on the error path too");
                return null;
            });
        }

        /** bpo-41229: what the generator holds is released when the block ends, not later. */
        @Test
        void test_aclosing_bpo41229() {
            List<Integer> state = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncGenerator<Integer, Void> x = AsyncGenerator.of(y -> {
                    try {
                        y.yield(-1);
                        y.yield(-2);
                    } finally {
                        state.add(1); // the resource's release
                    }
                });
                assertThrows(ArithmeticException.class,
                        () -> AsyncContextManager.with(AsyncContextManager.aclosing(x), y -> {
                            assertSame(x, y);
                            assertEquals(-1, x.anext().await());
                            return 1 / 0;
                        }));
                assertEquals(List.of(1), state);
                return null;
            });
        }
    }

    @Nested
    class TestAsyncExitStack {
        @Test
        void test_no_resources() {
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> null));
        }

        /** Python passes arguments to the callback; a Java callback captures them. */
        @Test
        void test_callback() {
            List<String> expected = List.of("()", "(1)", "(1, 2)", "(example=1)",
                    "(1, example=1)", "(1, 2, example=1)");
            List<String> result = new ArrayList<>();
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                for (String args : expected.reversed()) {
                    stack.callback(() -> result.add(args));
                }
                return null;
            }));
            assertEquals(expected, result);
        }

        @Test
        void test_async_callback() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                for (int i = 5; i >= 0; i--) {
                    int n = i;
                    stack.callback(() -> {
                        Aio.sleep(0);
                        return result.add(n);
                    });
                }
                return null;
            }));
            assertEquals(List.of(0, 1, 2, 3, 4, 5), result);
        }

        @Test
        void test_push() {
            pushCase(false);
        }

        @Test
        void test_async_push() {
            pushCase(true);
        }

        private void pushCase(boolean awaits) {
            List<String> ran = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncExitStack.Exit expectExc = e -> {
                    if (awaits) {
                        Aio.sleep(0);
                    }
                    assertInstanceOf(ArithmeticException.class, e);
                    ran.add("expect exc");
                    return false;
                };
                AsyncExitStack.Exit suppressExc = e -> {
                    ran.add("suppress");
                    return true;
                };
                AsyncExitStack.Exit expectOk = e -> {
                    if (awaits) {
                        Aio.sleep(0);
                    }
                    assertNull(e);
                    ran.add("expect ok");
                    return false;
                };
                AsyncContextManager.with(new AsyncExitStack(), stack -> {
                    stack.push(expectOk);
                    stack.push(new ExitCm(expectOk)::aexit);
                    stack.push(suppressExc);
                    stack.push(new ExitCm(expectExc)::aexit);
                    stack.push(expectExc);
                    stack.push(expectExc);
                    return 1 / 0;
                });
                return null;
            });
            assertEquals(List.of("expect exc", "expect exc", "expect exc", "suppress",
                    "expect ok", "expect ok"), ran);
        }

        /** A manager whose exit is pushed without entering it. */
        private record ExitCm(AsyncExitStack.Exit check) implements AsyncContextManager<Void> {
            @Override
            public Void aenter() {
                throw new AssertionError("Should not be called!");
            }

            @Override
            public boolean aexit(Throwable error) throws Exception {
                check.exit(error);
                return false;
            }
        }

        @Test
        void test_enter_context() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.callback(() -> result.add(4)); // registered first: cleaned up last
                AutoCloseable cm = () -> result.add(3);
                assertSame(cm, stack.enterContext(cm));
                return result.add(2);
            }));
            assertEquals(List.of(2, 3, 4), result);
        }

        @Test
        void test_enter_async_context() {
            List<Integer> result = new ArrayList<>();
            AsyncContextManager<String> cm = new AsyncContextManager<>() {
                @Override
                public String aenter() {
                    Aio.sleep(0);
                    result.add(1);
                    return "entered";
                }

                @Override
                public boolean aexit(Throwable error) {
                    Aio.sleep(0);
                    result.add(3);
                    return false;
                }
            };
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.callback(() -> result.add(4)); // registered first: cleaned up last
                assertEquals("entered", stack.enterAsyncContext(cm));
                return result.add(2);
            }));
            assertEquals(List.of(1, 2, 3, 4), result);
        }

        /** A manager that fails to enter is not pushed: the stack has nothing to exit. */
        @Test
        void test_enter_async_context_errors() {
            Loops.virtual(() -> {
                AsyncExitStack stack = new AsyncExitStack();
                NullPointerException none = assertThrows(NullPointerException.class,
                        () -> stack.enterAsyncContext(null));
                assertEquals("manager is null", none.getMessage());
                AsyncContextManager<Void> failsToEnter = new AsyncContextManager<>() {
                    @Override
                    public Void aenter() {
                        throw new IllegalStateException("refused");
                    }

                    @Override
                    public boolean aexit(Throwable error) {
                        throw new AssertionError("exited a manager that never entered");
                    }
                };
                assertThrows(IllegalStateException.class,
                        () -> stack.enterAsyncContext(failsToEnter));
                assertEquals("<AsyncExitStack exits=0>", stack.toString());
                stack.aclose();
                return null;
            });
        }

        @Test
        void test_close() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.callback(() -> result.add(1));
                stack.aclose();
                return result.add(2);
            }));
            assertEquals(List.of(1, 2), result);
        }

        @Test
        void test_pop_all() {
            List<Integer> result = new ArrayList<>();
            Loops.virtual(() -> {
                AsyncExitStack newStack = AsyncContextManager.with(new AsyncExitStack(), stack -> {
                    stack.callback(() -> result.add(3));
                    AsyncExitStack moved = stack.popAll();
                    result.add(1);
                    return moved;
                });
                result.add(2);
                newStack.aclose();
                return null;
            });
            assertEquals(List.of(1, 2, 3), result);
        }

        @Test
        void test_exit_raise() {
            Loops.virtual(() -> assertThrows(ArithmeticException.class,
                    () -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                        stack.push(e -> false);
                        return 1 / 0;
                    })));
        }

        @Test
        void test_exit_suppress() {
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.push(e -> true);
                return 1 / 0;
            }));
        }

        /** The reference: what nested {@code async with} statements chain, without a stack. */
        @Test
        void test_exit_exception_chaining_reference() {
            Throwable[] savedDetails = {null};
            AsyncContextManager<Void> suppressExc = exitOnly(e -> {
                savedDetails[0] = e;
                return true;
            });
            AsyncContextManager<Void> raiseKeyWithContext = exitOnly(e -> {
                try {
                    throw new AttributeError();
                } catch (AttributeError inner) {
                    KeyError outer = new KeyError();
                    outer.addSuppressed(inner); // what Python's raise inside except records
                    throw outer;
                }
            });
            Loops.virtual(() -> {
                IndexError exc = assertThrows(IndexError.class, () ->
                        AsyncContextManager.with(raising(IndexError::new), a ->
                                AsyncContextManager.with(raiseKeyWithContext, b ->
                                        AsyncContextManager.with(suppressExc, c ->
                                                AsyncContextManager.with(raising(ValueError::new),
                                                        d -> 1 / 0)))));
                assertChainedIndexKeyAttribute(exc);
                return null;
            });
            assertInnerValueErrorOnZeroDivision(savedDetails[0]);
        }

        @Test
        void test_exit_exception_chaining() {
            exitExceptionChaining(false, false);
        }

        @Test
        void test_async_exit_exception_chaining() {
            exitExceptionChaining(true, false);
        }

        /** Ours: the same stack entered into an outer one chains the same way. */
        @Test
        void nestedStackExitExceptionChaining() {
            exitExceptionChaining(true, true);
        }

        private void exitExceptionChaining(boolean awaits, boolean nested) {
            Throwable[] savedDetails = {null};
            Loops.virtual(() -> {
                IndexError exc = assertThrows(IndexError.class,
                        () -> AsyncContextManager.with(new AsyncExitStack(), outer -> {
                            AsyncExitStack stack = nested
                                    ? outer.enterAsyncContext(new AsyncExitStack()) : outer;
                            stack.callback(() -> raiseAfter(awaits, new IndexError()));
                            stack.callback(() -> raiseAfter(awaits, new KeyError()));
                            stack.callback(() -> raiseAfter(awaits, new AttributeError()));
                            stack.push(e -> {
                                savedDetails[0] = e;
                                return true;
                            });
                            stack.callback(() -> raiseAfter(awaits, new ValueError()));
                            if (nested) {
                                outer.callback(() -> null);
                            }
                            return 1 / 0;
                        }));
                assertChainedIndexKeyAttribute(exc);
                return null;
            });
            assertInnerValueErrorOnZeroDivision(savedDetails[0]);
        }

        private static Void raiseAfter(boolean awaits, RuntimeException e) {
            if (awaits) {
                Aio.sleep(0);
            }
            throw e;
        }

        private static void assertChainedIndexKeyAttribute(IndexError exc) {
            assertInstanceOf(KeyError.class, context(exc));
            assertInstanceOf(AttributeError.class, context(context(exc)));
            assertNull(context(context(context(exc))), "inner exceptions were suppressed");
        }

        private static void assertInnerValueErrorOnZeroDivision(Throwable inner) {
            assertInstanceOf(ValueError.class, inner);
            assertInstanceOf(ArithmeticException.class, context(inner));
        }

        @Test
        void test_exit_exception_non_suppressing() {
            Loops.virtual(() -> {
                assertThrows(IndexError.class,
                        () -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                            stack.callback(() -> null);
                            stack.callback(() -> raise(new IndexError()));
                            return null;
                        }));
                assertThrows(KeyError.class,
                        () -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                            stack.callback(() -> raise(new KeyError()));
                            stack.push(e -> true);
                            stack.callback(() -> raise(new IndexError()));
                            return null;
                        }));
                return null;
            });
        }

        /**
         * bpo-20317: managers that raise from their exit chain each exception once, in order,
         * whether the generator records the exception it replaced itself (as Python's implicit
         * context does) or leaves that to the stack.
         */
        @Test
        void test_exit_exception_with_correct_context() {
            for (boolean recordsItself : new boolean[] {true, false}) {
                RuntimeException exc1 = new RuntimeException("1");
                RuntimeException exc2 = new RuntimeException("2");
                RuntimeException exc3 = new RuntimeException("3");
                RuntimeException exc4 = new RuntimeException("4");
                Loops.virtual(() -> {
                    RuntimeException exc = assertThrows(RuntimeException.class,
                            () -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                                stack.enterAsyncContext(getsTheContextRight(exc4, recordsItself));
                                stack.enterAsyncContext(getsTheContextRight(exc3, recordsItself));
                                stack.enterAsyncContext(getsTheContextRight(exc2, recordsItself));
                                throw exc1;
                            }));
                    assertSame(exc4, exc);
                    return null;
                });
                assertSame(exc3, context(exc4));
                assertSame(exc2, context(exc3));
                assertSame(exc1, context(exc2));
                assertNull(context(exc1));
            }
        }

        private static GeneratorContextManager<Void> getsTheContextRight(RuntimeException exc,
                boolean recordsItself) {
            return GeneratorContextManager.of(y -> {
                try {
                    y.yield(null);
                } catch (Throwable pending) {
                    if (recordsItself) {
                        exc.addSuppressed(pending);
                    }
                    throw exc;
                }
                throw exc;
            });
        }

        /**
         * Exits that record their own context: the stack adds the exception they replaced next to
         * it (Python links it at the end of their chain); none is lost or repeated.
         */
        @Test
        void test_exit_exception_with_existing_context() {
            RuntimeException exc1 = new RuntimeException("1");
            RuntimeException exc2 = new RuntimeException("2");
            RuntimeException exc3 = new RuntimeException("3");
            RuntimeException exc4 = new RuntimeException("4");
            RuntimeException exc5 = new RuntimeException("5");
            Loops.virtual(() -> {
                RuntimeException exc = assertThrows(RuntimeException.class,
                        () -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                            stack.callback(() -> raiseNested(exc4, exc5));
                            stack.callback(() -> raiseNested(exc2, exc3));
                            throw exc1;
                        }));
                assertSame(exc5, exc);
                return null;
            });
            assertArrayEquals(new Throwable[] {exc4, exc3}, exc5.getSuppressed());
            assertArrayEquals(new Throwable[] {exc2, exc1}, exc3.getSuppressed());
            assertArrayEquals(new Throwable[0], exc4.getSuppressed());
            assertArrayEquals(new Throwable[0], exc2.getSuppressed());
            assertArrayEquals(new Throwable[0], exc1.getSuppressed());
        }

        private static Void raiseNested(RuntimeException inner, RuntimeException outer) {
            try {
                throw inner;
            } catch (RuntimeException e) {
                outer.addSuppressed(e);
                throw outer;
            }
        }

        /** The same as test_exit_suppress in CPython; here it also checks what with() returns. */
        @Test
        void test_body_exception_suppress() {
            Loops.virtual(() -> {
                assertNull(AsyncContextManager.with(new AsyncExitStack(), stack -> {
                    stack.push(e -> true);
                    return 1 / 0;
                }), "a suppressed body has no result");
                return null;
            });
        }

        @Test
        void test_exit_exception_chaining_suppress() {
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.push(e -> true);
                stack.push(e -> 1 / 0 == 0);
                stack.push(e -> List.of().get(1) != null);
                return null;
            }));
        }

        /** The original implementation died with RecursionError here. */
        @Test
        void test_excessive_nesting() {
            int[] ran = {0};
            Loops.virtual(() -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                for (int i = 0; i < 10_000; i++) {
                    stack.callback(() -> ran[0]++);
                }
                return null;
            }));
            assertEquals(10_000, ran[0]);
        }

        /** bpo-27122: a manager that re-raises the error it was given is not chained to it. */
        @Test
        void test_dont_reraise_RuntimeError() {
            final class UniqueException extends RuntimeException {
                UniqueException(String message, Throwable cause) {
                    super(message, cause);
                }
            }
            final class UniqueRuntimeError extends IllegalStateException {
                UniqueRuntimeError(String message) {
                    super(message);
                }
            }
            GeneratorContextManager<Integer> second = GeneratorContextManager.of(y -> {
                try {
                    y.yield(1);
                } catch (Exception exc) {
                    throw new UniqueException("new exception", exc);
                }
            });
            GeneratorContextManager<Integer> first = GeneratorContextManager.of(y -> {
                try {
                    y.yield(1);
                } catch (Exception exc) {
                    throw exc;
                }
            });
            Loops.virtual(() -> {
                UniqueException exc = assertThrows(UniqueException.class,
                        () -> AsyncContextManager.with(new AsyncExitStack(), es -> {
                            es.enterAsyncContext(second);
                            es.enterAsyncContext(first);
                            throw new UniqueRuntimeError("please no infinite loop.");
                        }));
                assertInstanceOf(UniqueRuntimeError.class, exc.getCause());
                assertArrayEquals(new Throwable[0], exc.getSuppressed(),
                        "its cause already links the error it replaced");
                assertNull(exc.getCause().getCause());
                assertArrayEquals(new Throwable[0], exc.getCause().getSuppressed());
                return null;
            });
        }

        private static AsyncContextManager<Void> exitOnly(AsyncExitStack.Exit exit) {
            return new AsyncContextManager<>() {
                @Override
                public Void aenter() {
                    return null;
                }

                @Override
                public boolean aexit(Throwable error) throws Exception {
                    return exit.exit(error);
                }
            };
        }

        private static AsyncContextManager<Void> raising(
                java.util.function.Supplier<RuntimeException> exc) {
            return exitOnly(e -> {
                throw exc.get();
            });
        }
    }

    @Nested
    class TestAsyncNullcontext {
        @Test
        void test_async_nullcontext() {
            Object c = new Object();
            Loops.virtual(() -> AsyncContextManager.with(AsyncContextManager.nullContext(c),
                    cIn -> {
                        assertSame(c, cIn);
                        return null;
                    }));
        }
    }
}
