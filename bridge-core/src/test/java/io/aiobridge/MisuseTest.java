package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.LogCapture;
import io.aiobridge.testing.Loops;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The core under misuse and load, as a new user porting asyncio programs meets it: nothing hangs,
 * nothing is lost, every failure is reported deterministically, bad input is refused clearly.
 */
class MisuseTest {

    // ---- "exception was never retrieved", at close, without the garbage collector -----------

    @Test
    void closingReportsEveryUnretrievedFailureOnceInOrder() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        IllegalStateException taskFailure = new IllegalStateException("task failed");
        IOException futureFailure = new IOException("future failed");
        AsyncFuture<?>[] keep = new AsyncFuture<?>[3];
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            r.getLoop().setExceptionHandler((l, c) -> reported.add(c));
            r.run(() -> {
                keep[0] = Aio.createTask(() -> {
                    throw taskFailure;
                });
                AsyncFuture<Integer> f = Aio.getRunningLoop().createFuture();
                f.setException(futureFailure);
                keep[1] = f;
                Task<Integer> retrieved = Aio.createTask(() -> {
                    throw new IllegalStateException("retrieved");
                });
                keep[2] = retrieved;
                Aio.sleep(0.1);
                assertEquals("retrieved", retrieved.exception().getMessage());
                return null;
            });
        }
        // keep[] holds the futures: the garbage collector cannot have reported them. In the
        // order they failed: the future at once, the task when it ran
        assertEquals(List.of("Future exception was never retrieved",
                "Task exception was never retrieved"),
                reported.stream().map(ErrorContext::message).toList());
        assertSame(futureFailure, reported.get(0).exception());
        assertSame(taskFailure, reported.get(1).exception());
        assertTrue(keep[0].isDone());
    }

    // ---- the exception handler's context takes the caller's keys --------------------------

    @Test
    void callersAddTheirOwnKeysAndTheDefaultHandlerPrintsThem() {
        List<ErrorContext> seen = new CopyOnWriteArrayList<>();
        try (LogCapture log = new LogCapture(); EventLoop loop = EventLoop.newEventLoop()) {
            ErrorContext ctx = ErrorContext.of("pool exhausted", null).with("extra", 1)
                    .with("pool", "db");
            loop.callExceptionHandler(ctx);
            assertEquals("pool exhausted\nextra: 1\npool: 'db'", log.messages().get(0),
                    "asyncio's default handler: the message, then key: repr(value), sorted");
            loop.setExceptionHandler((l, c) -> seen.add(c));
            loop.callExceptionHandler(ctx);
        }
        assertEquals(1, seen.get(0).get("extra"));
        assertEquals("db", seen.get(0).get("pool"));
        assertEquals("pool exhausted", seen.get(0).get("message"));
        assertThrows(IllegalArgumentException.class,
                () -> ErrorContext.of("m", null).with("message", "x"));
    }

    // ---- close() ends, even with a task that keeps catching its cancellation ---------------

    @Test
    void closeEndsWhenATaskKeepsCatchingCancelledErrorAndAwaiting() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            EventLoop loop = EventLoop.newVirtualTimeEventLoop();
            loop.setDebug(true);
            loop.setExceptionHandler((l, c) -> reported.add(c));
            loop.runUntilComplete(() -> {
                Aio.createTask(() -> {
                    for (;;) {
                        try {
                            Aio.sleep(1); // the common catch-everything worker loop
                        } catch (Throwable e) {
                            // keeps going
                        }
                    }
                }, "stubborn-worker");
                Aio.sleep(0.5);
                return null;
            });
            loop.close(); // spun at 100% CPU for ever before
            assertTrue(loop.isClosed());
        });
        assertEquals(1, reported.size(), reported.toString());
        String message = reported.get(0).message();
        assertTrue(message.startsWith("Task stubborn-worker was abandoned"), message);
        assertTrue(message.contains("io.aiobridge.MisuseTest.lambda$closeEnds"), message);
    }

    // ---- a VirtualMachineError in a callback stops the loop instead of vanishing -----------

    @Test
    void aVirtualMachineErrorInACallbackPropagatesOutOfRun() {
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        OutOfMemoryError raised = assertThrows(OutOfMemoryError.class, () -> Aio.run(() -> {
            Aio.getRunningLoop().callSoon(() -> {
                throw oom;
            });
            Aio.sleep(10);
            return null;
        }));
        assertSame(oom, raised);
    }

    @Test
    void aVirtualMachineErrorInBookkeepingLeavesNothingWaitingForEver() {
        OutOfMemoryError oom = new OutOfMemoryError("simulated, in a done callback");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            OutOfMemoryError raised = assertThrows(OutOfMemoryError.class, () -> Aio.run(() -> {
                Task<Integer> child = Aio.createTask(() -> 1);
                child.addDoneCallback(f -> {
                    throw oom; // e.g. an allocation failing inside gather's bookkeeping
                });
                return Aio.gather(child, Aio.createTask(() -> Aio.sleep(3600, 2))).await();
            }));
            assertSame(oom, raised);
        });
    }

    // ---- a generator that swallows GeneratorExit leaves nothing alive ----------------------

    @Test
    void aGeneratorThatSwallowsGeneratorExitIsClosedAgainAndItsThreadEnds() throws Exception {
        Thread[] body = new Thread[1];
        List<String> finallies = new CopyOnWriteArrayList<>();
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Void> g = AsyncGenerator.of(y -> {
                body[0] = Thread.currentThread();
                try {
                    y.yield(1);
                } catch (GeneratorExit e) {
                    y.yield(-1); // the bug: yields while closing
                } finally {
                    finallies.add("finally");
                }
            });
            assertEquals(1, g.anext().await());
            IllegalStateException e = assertThrows(IllegalStateException.class, g::aclose);
            assertTrue(e.getMessage().startsWith("async generator ignored GeneratorExit"));
            assertTrue(g.isClosed());
            return null;
        });
        body[0].join(5000);
        assertFalse(body[0].isAlive(), "the generator's thread ended");
        assertEquals(List.of("finally"), finallies);
    }

    // ---- one rule for every time parameter ---------------------------------------------------

    @Test
    void everyTimeParameterRejectsNaNTakesNegativeAsNowAndInfinityAsNever() {
        Loops.virtual(() -> {
            String nan = "Invalid delay: NaN (not a number)";
            AsyncioErrorsTest.assertAsyncio(IllegalArgumentException.class, nan,
                    () -> Aio.timeout(Double.NaN, () -> null));
            AsyncioErrorsTest.assertAsyncio(IllegalArgumentException.class, nan,
                    () -> Aio.waitFor(Aio.createTask(() -> 1), Double.NaN));
            AsyncioErrorsTest.assertAsyncio(IllegalArgumentException.class, nan,
                    () -> Aio.wait(List.of(Aio.createTask(() -> 1)), ReturnWhen.ALL_COMPLETED,
                            Double.NaN));
            AsyncioErrorsTest.assertAsyncio(IllegalArgumentException.class, nan,
                    () -> Aio.getRunningLoop().callLater(Double.NaN, () -> { }));
            AsyncioErrorsTest.assertAsyncio(IllegalArgumentException.class, nan,
                    () -> Timeout.after(Double.NaN, t -> null));
            // negative: now
            assertThrows(AsyncTimeoutException.class,
                    () -> Aio.timeout(-1, () -> Aio.sleep(1, null)));
            assertThrows(AsyncTimeoutException.class,
                    () -> Aio.waitFor(Aio.createTask(() -> Aio.sleep(1, 1)), -5));
            // infinite: never
            double start = Aio.getRunningLoop().time();
            assertEquals(7, Aio.timeout(Double.POSITIVE_INFINITY, () -> Aio.sleep(3600, 7)));
            assertEquals(8, Aio.waitFor(Aio.createTask(() -> Aio.sleep(3600, 8)),
                    Double.POSITIVE_INFINITY));
            assertEquals(7200, Aio.getRunningLoop().time() - start, 1e-6);
            return null;
        });
    }

    @Test
    void nullsNameTheirParameter() {
        Loops.virtual(() -> {
            NullPointerException gather = assertThrows(NullPointerException.class,
                    () -> Aio.gather((AsyncFuture<Integer>) null));
            assertEquals("futures[0] is null", gather.getMessage());
            NullPointerException coro = assertThrows(NullPointerException.class,
                    () -> Aio.gather(() -> 1, null));
            assertEquals("coros[1] is null", coro.getMessage());
            NullPointerException waitFor = assertThrows(NullPointerException.class,
                    () -> Aio.waitFor((AsyncFuture<Integer>) null, 1.0));
            assertEquals("future is null", waitFor.getMessage());
            assertThrows(NullPointerException.class, () -> Aio.sleep((Duration) null));
            return null;
        });
    }

    // ---- asyncio API that was missing ----------------------------------------------------

    static final class Transient extends RuntimeException {
        Transient(String m) {
            super(m);
        }
    }

    @Test
    void exceptionGroupSplitAndSubgroupAsExceptStar() {
        Transient t1 = new Transient("a");
        IOException io = new IOException("b");
        Transient t2 = new Transient("c");
        ExceptionGroup inner = new ExceptionGroup("inner", List.of(t2, new IllegalStateException()));
        ExceptionGroup eg = new ExceptionGroup("outer", List.of(t1, io, inner));
        ExceptionGroup.Split s = eg.split(Transient.class);
        assertEquals("outer", s.match().message());
        assertEquals(t1, s.match().exceptions().get(0));
        ExceptionGroup matchedInner = (ExceptionGroup) s.match().exceptions().get(1);
        assertEquals(List.of(t2), matchedInner.exceptions());
        assertEquals("inner", matchedInner.message());
        assertEquals(io, s.rest().exceptions().get(0));
        assertEquals(1, ((ExceptionGroup) s.rest().exceptions().get(1)).exceptions().size());
        assertNull(eg.subgroup(InterruptedException.class));
        assertSame(eg, eg.subgroup(Throwable.class), "all match: the group itself");
        assertSame(eg, eg.split(e -> e == eg).match());
        assertNull(eg.split(Throwable.class).rest());
    }

    @Test
    void runnerRunsInAGivenContext() {
        ContextVar<String> v = new ContextVar<>("v", "default");
        Context ctx = new Context();
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            r.run(() -> v.set("in ctx"), ctx);
            assertEquals("default", r.run(v::get), "the runner's own context is untouched");
            assertEquals("in ctx", r.run(v::get, ctx));
        }
        assertEquals("in ctx", ctx.get(v));
    }

    // ---- friction met while porting ------------------------------------------------------

    @Test
    void portingFriction() {
        ContextVar<String> requestId = new ContextVar<>("request_id");
        Loops.virtual(() -> {
            assertEquals(1, Aio.waitFor(Aio.createTask(() -> 1), 1)); // a plain int
            assertEquals(2, Timeout.after(0.5, t -> 2).intValue());
            assertEquals(List.of(), Aio.gather().await());
            Context ctx = Context.copyCurrent();
            ctx.run(() -> requestId.set("r-1"));
            assertEquals("r-1", Aio.createTask(requestId::get, "named", ctx).await());
            assertEquals("r-1", ctx.get(requestId));
            assertEquals("none", ctx.get(new ContextVar<String>("x"), "none"));
            assertEquals(Set.of(requestId), ctx.keys());
            assertThrows(NoSuchElementException.class,
                    () -> ctx.get(new ContextVar<String>("x")));
            // Context.run declares no checked exception; a checked one arrives wrapped
            CompletionException wrapped = assertThrows(
                    CompletionException.class, () -> ctx.run(() -> {
                        throw new IOException("x");
                    }));
            assertTrue(wrapped.getCause() instanceof IOException);
            // a Timeout used after its block, as Python's `as cm`
            Timeout cm = Timeout.after(1.0);
            assertThrows(AsyncTimeoutException.class, () -> cm.run(t -> Aio.sleep(5, null)));
            assertTrue(cm.expired());
            TaskGroup tg = TaskGroup.create();
            assertEquals(3, tg.enter(g -> g.createTask(() -> 3)).await());
            return null;
        });
    }

    @Test
    void theDefaultHandlerLogsAtErrorLevel() {
        try (LogCapture log = new LogCapture(); EventLoop loop = EventLoop.newEventLoop()) {
            loop.callExceptionHandler(ErrorContext.of("m", new IllegalStateException("x")));
            assertEquals(Level.SEVERE, log.records.get(0).getLevel());
        }
    }
}
