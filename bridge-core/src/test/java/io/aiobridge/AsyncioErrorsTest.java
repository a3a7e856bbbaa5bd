package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.iter.GeneratorContextManager;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.sync.AsyncBarrier;
import io.aiobridge.sync.AsyncBoundedSemaphore;
import io.aiobridge.sync.AsyncCondition;
import io.aiobridge.sync.AsyncLock;
import io.aiobridge.sync.AsyncSemaphore;
import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every error asyncio raises in the features the runtime has: the Java type the mapping in
 * docs/errors.md gives (ValueError: IllegalArgumentException, RuntimeError:
 * IllegalStateException, LookupError: NoSuchElementException, ...) and asyncio's text, verbatim,
 * before the first "; " of the message. Ported code and people searching for asyncio's message
 * match on that text.
 */
class AsyncioErrorsTest {

    /** The error is {@code type}, and its message starts with asyncio's {@code text}. */
    static <T extends Throwable> T assertAsyncio(Class<T> type, String text, Executable call) {
        T e = assertThrows(type, call);
        String m = e.getMessage();
        int sep = m.indexOf("; ");
        assertEquals(text, sep < 0 ? m : m.substring(0, sep), "asyncio's text first: " + m);
        return e;
    }

    @Test
    void locksAndSemaphores() {
        Loops.virtual(() -> {
            assertAsyncio(IllegalStateException.class, "Lock is not acquired.",
                    () -> new AsyncLock().release());
            AsyncCondition c = new AsyncCondition();
            assertAsyncio(IllegalStateException.class, "cannot notify on un-acquired lock",
                    () -> c.signal(1));
            assertAsyncio(IllegalStateException.class, "cannot wait on un-acquired lock",
                    c::await);
            assertAsyncio(IllegalArgumentException.class, "Semaphore initial value must be >= 0",
                    () -> new AsyncSemaphore(-1));
            AsyncBoundedSemaphore bounded = new AsyncBoundedSemaphore(1);
            assertAsyncio(IllegalArgumentException.class,
                    "BoundedSemaphore released too many times", bounded::release);
            assertAsyncio(IllegalArgumentException.class, "parties must be > 0",
                    () -> new AsyncBarrier(0));
            return null;
        });
    }

    @Test
    void queues() {
        Loops.virtual(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            assertAsyncio(IllegalArgumentException.class, "task_done() called too many times",
                    q::taskDone);
            return null;
        });
    }

    @Test
    void futuresAndTasks() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Integer> f = loop.createFuture();
            assertAsyncio(InvalidStateException.class, "Result is not set.", f::result);
            assertAsyncio(InvalidStateException.class, "Exception is not set.", f::exception);
            f.setResult(1);
            // CPython's own Future (its C implementation, what asyncio runs) says these two
            assertAsyncio(InvalidStateException.class, "invalid state", () -> f.setResult(2));
            assertTrue(assertThrows(InvalidStateException.class, () -> f.setException(
                    new IllegalStateException())).getMessage().contains(f + " is already finished"));
        }
        Loops.virtual(() -> {
            Task<Integer> t = Aio.createTask(() -> 1);
            assertAsyncio(IllegalStateException.class,
                    "Task does not support set_result operation", () -> t.setResult(2));
            assertAsyncio(IllegalStateException.class,
                    "Task does not support set_exception operation",
                    () -> t.setException(new RuntimeException()));
            return null;
        });
    }

    @Test
    void loopsAndRunners() {
        assertAsyncio(IllegalStateException.class, "no running event loop", Aio::getRunningLoop);
        EventLoop closed = EventLoop.newEventLoop();
        closed.close();
        assertAsyncio(IllegalStateException.class, "Event loop is closed",
                () -> closed.callSoon(() -> { }));
        Loops.virtual(() -> {
            assertAsyncio(IllegalStateException.class,
                    "asyncio.run() cannot be called from a running event loop",
                    () -> Aio.run(() -> 1));
            assertAsyncio(IllegalStateException.class,
                    "Runner.run() cannot be called from a running event loop",
                    () -> new Runner().run(() -> 1));
            assertAsyncio(IllegalStateException.class, "This event loop is already running",
                    () -> Aio.getRunningLoop().runForever());
            assertAsyncio(IllegalArgumentException.class, "Invalid delay: NaN (not a number)",
                    () -> Aio.sleep(Double.NaN));
            return null;
        });
        Runner r = new Runner();
        r.close();
        assertAsyncio(IllegalStateException.class, "Runner is closed", () -> r.run(() -> 1));
    }

    @Test
    void timeoutsAndTaskGroups() {
        Loops.virtual(() -> {
            Timeout cm = Timeout.after(10.0);
            assertAsyncio(IllegalStateException.class, "Timeout has not been entered",
                    () -> cm.reschedule(1.0));
            cm.run(t -> null);
            assertAsyncio(IllegalStateException.class, "Cannot change state of finished Timeout",
                    () -> cm.reschedule(1.0));
            assertAsyncio(IllegalStateException.class, "Timeout has already been entered",
                    () -> cm.run(t -> null));
            TaskGroup[] kept = new TaskGroup[1];
            TaskGroup.run(tg -> {
                kept[0] = tg;
                return null;
            });
            assertAsyncio(IllegalStateException.class, "TaskGroup " + kept[0] + " is finished",
                    () -> kept[0].createTask(() -> 1));
            return null;
        });
        Throwable[] inCallback = new Throwable[1];
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            loop.callSoon(() -> {
                try {
                    Timeout.at(1.0).run(t -> null);
                } catch (Throwable e) {
                    inCallback[0] = e;
                }
            });
            loop.stop();
            loop.runForever();
        }
        assertAsyncio(IllegalStateException.class, "Timeout should be used inside a task",
                () -> {
                    throw inCallback[0];
                });
    }

    @Test
    void contextVariables() {
        new Context().run(AsyncioErrorsTest::contextVariablesInAFreshContext);
    }

    private static void contextVariablesInAFreshContext() {
        ContextVar<String> v = new ContextVar<>("v");
        assertThrows(NoSuchElementException.class, v::get);
        ContextVar.Token<String> token = v.set("x");
        v.reset(token);
        assertAsyncio(IllegalStateException.class, token + " has already been used once",
                () -> v.reset(token));
        ContextVar<String> other = new ContextVar<>("other");
        @SuppressWarnings({"unchecked", "rawtypes"})
        ContextVar.Token<String> foreign = (ContextVar.Token) other.set("y");
        assertAsyncio(IllegalArgumentException.class,
                foreign + " was created by a different ContextVar", () -> v.reset(foreign));
        Context ctx = Context.copyCurrent();
        ctx.run(() -> assertAsyncio(IllegalStateException.class, "cannot enter context: " + ctx
                + " is already entered", () -> ctx.run(() -> 1)));
        assertAsyncio(IllegalArgumentException.class,
                "second argument (exceptions) must be a non-empty sequence",
                () -> new ExceptionGroup("none", List.of()));
    }

    @Test
    void generatorsAndContextManagers() {
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Void> reentered = AsyncGenerator.of(y -> {
                y.yield(1);
                Aio.sleep(0.01);
                y.yield(2);
            });
            reentered.anext().await();
            Task<Integer> second = Aio.createTask(() -> reentered.anext().await());
            Aio.sleep(0);
            assertAsyncio(IllegalStateException.class,
                    "anext(): asynchronous generator is already running",
                    () -> reentered.anext().await());
            assertAsyncio(IllegalStateException.class,
                    "aclose(): asynchronous generator is already running", reentered::aclose);
            assertEquals(2, second.await());
            io.aiobridge.net.StreamReader ended =
                    new io.aiobridge.net.StreamReader(Aio.getRunningLoop());
            ended.feedEof();
            assertAsyncio(IllegalStateException.class, "feed_data after feed_eof",
                    () -> ended.feedData(new byte[] {1}));
            AsyncGenerator<Integer, Integer> g = AsyncGenerator.of(y -> y.yield(1));
            assertAsyncio(IllegalArgumentException.class,
                    "can't send non-None value to a just-started async generator",
                    () -> g.asend(5).await());
            AsyncGenerator<Integer, Void> raising = AsyncGenerator.of(y -> {
                y.yield(1);
                throw new StopAsyncIteration();
            });
            List<Integer> seen = new ArrayList<>();
            IllegalStateException pep479 = assertAsyncio(IllegalStateException.class,
                    "async generator raised StopAsyncIteration", () -> {
                        for (int i : raising) {
                            seen.add(i); // must not end silently, as if the generator had
                        }
                    });
            assertInstanceOf(StopAsyncIteration.class, pep479.getCause());
            assertEquals(List.of(1), seen);
            assertAsyncio(IllegalStateException.class, "generator didn't yield",
                    () -> GeneratorContextManager.<Integer>of(y -> { }).aenter());
            GeneratorContextManager<Integer> twice = GeneratorContextManager.of(y -> {
                y.yield(1);
                y.yield(2);
            });
            twice.aenter();
            assertAsyncio(IllegalStateException.class, "generator didn't stop",
                    () -> twice.aexit(null));
            return null;
        });
    }

    @Test
    void futuresOfAnotherLoop() throws Exception {
        try (EventLoop other = EventLoop.newEventLoop()) {
            AsyncFuture<Integer> foreign = other.createFuture();
            Loops.virtual(() -> {
                String text = "The future belongs to a different loop than the one specified"
                        + " as the loop argument";
                assertAsyncio(IllegalArgumentException.class, text,
                        () -> Aio.waitFor(foreign, 1.0));
                assertAsyncio(IllegalArgumentException.class, text,
                        () -> Aio.waitFor(foreign, (Double) null));
                assertAsyncio(IllegalArgumentException.class, text,
                        () -> Aio.gather(Aio.createTask(() -> 1), foreign));
                assertAsyncio(IllegalArgumentException.class, text,
                        () -> Aio.wait(List.of(foreign)));
                assertAsyncio(IllegalStateException.class, "Task " + Aio.currentTask()
                        + " got Future " + foreign + " attached to a different loop",
                        foreign::await);
                return null;
            });
            assertTrue(!foreign.isCancelled(), "the other loop's future was not touched");
        }
    }
}
