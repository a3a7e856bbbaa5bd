package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.Task;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cases kotlinx-coroutines' MonoTest (reactor) and MaybeTest, SingleTest and CompletableTest
 * (rx3) share, for a one-value type made from a coroutine: each adapter runs them as a subclass
 * named after the kotlinx file, and each test keeps kotlinx's name.
 *
 * <p>Where kotlinx runs the coroutine {@code Unconfined} or on the test's dispatcher and counts
 * on a {@code yield()} to run it to its end, ours runs as a task of the subscribing task's loop,
 * and its outcome reaches the subscriber through the task's done callbacks, in the loop's next
 * turn (asyncio's order); those tests await the outcome before their last step. The steps that
 * matter are kept: nothing runs before the subscription, the task starts in the next turn, each
 * signal comes once, and a cancel from the loop's own code reaches the task at once.
 *
 * <p>Left out: {@code testSuppressedException} (kotlinx's child coroutines fail their parent;
 * here a child is a TaskGroup's, whose errors are an ExceptionGroup, asyncio's rule).
 */
public abstract class KotlinxOneValueCases {
    /** Errors the adapter's global hook received, unwrapped from the library's own wrapper. */
    protected final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    /**
     * The adapter's type running {@code coro} per subscription.
     *
     * @param coro the coroutine
     * @return a Mono, Maybe, Single or Completable
     */
    protected abstract Object of(Coroutine<String> coro);

    /**
     * What the subscriber's value callback receives when the coroutine returns {@code value}.
     *
     * @param value the coroutine's result
     * @return the value, or "complete" for a type without one
     */
    protected Object expected(String value) {
        return value;
    }

    /**
     * Subscribes with callbacks, as the type's lambda {@code subscribe} does; an empty result
     * reaches {@code onValue} as "empty", a Completable's completion as "complete".
     *
     * @param source the source
     * @param onValue the value callback
     * @param onError the error callback
     * @return disposes the subscription
     */
    protected abstract Runnable subscribe(Object source, Consumer<Object> onValue,
            Consumer<Throwable> onError);

    /**
     * Subscribes a raw subscriber or observer, handing {@code onSubscribe} what disposes it;
     * every other signal is {@code s.expectUnreached()}.
     *
     * @param source the source
     * @param onSubscribe receives the disposer
     * @param s the test's steps
     */
    protected abstract void subscribeRaw(Object source, Consumer<Runnable> onSubscribe, Steps s);

    /**
     * Awaits, in a task, a source of the type that never signals and runs {@code onDispose}
     * when its subscription is cancelled.
     *
     * @param onDispose the cancel action
     * @return never, normally
     */
    protected abstract Object awaitNeverEnding(Runnable onDispose);

    /**
     * Awaits {@code source} in a task (null when empty or complete).
     *
     * @param source the source
     * @return its value
     */
    protected abstract Object await(Object source);

    /**
     * Installs {@code hook} as the adapter's global dropped-error hook, handing it each error
     * unwrapped (an error that is not wrapped as the library wraps must reach the hook as an
     * {@link AssertionError} naming it).
     *
     * @param hook the hook
     */
    protected abstract void installDroppedHook(Consumer<Throwable> hook);

    /** Removes the hook. */
    protected abstract void resetDroppedHook();

    @BeforeEach
    void recordDropped() {
        installDroppedHook(dropped::add);
    }

    @AfterEach
    void resetDropped() {
        resetDroppedHook();
    }

    /** Fails if anything reached the adapter's global hook. */
    protected final void nothingDropped() {
        assertEquals(List.of(), dropped, "errors that reached the adapter's global hook");
    }

    /**
     * Waits for an outcome a callback gives: on a loop, without blocking it.
     *
     * @param f the outcome
     * @param <T> its type
     * @return its value
     * @throws Exception if it failed or took over 10 s
     */
    public static <T> T settle(CompletableFuture<T> f) throws Exception {
        if (Aio.runningLoopOrNull() != null) {
            return Aio.waitFor(Aio.ensureFuture(f), 10.0);
        }
        return f.get(10, TimeUnit.SECONDS);
    }

    /**
     * Subscribes and blocks the calling (non-loop) thread for the outcome.
     *
     * @param source the source
     * @return the value given to the value callback
     */
    protected Object blockingGet(Object source) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        subscribe(source, out::complete, out::completeExceptionally);
        return out.join();
    }

    /** A test's own failure, distinct from anything the library throws. */
    public static final class TestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message its message
         */
        public TestException(String message) {
            super(message);
        }
    }

    @Test
    void testBasicSuccess() throws Exception {
        Steps s = new Steps();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(() -> {
                s.expect(4);
                return "OK";
            });
            s.expect(2);
            CompletableFuture<Object> got = new CompletableFuture<>();
            subscribe(source, v -> {
                s.expect(5);
                got.complete(v);
            }, got::completeExceptionally);
            s.expect(3);
            assertEquals(expected("OK"), settle(got));
            s.finish(6);
            return null;
        });
        nothingDropped();
    }

    @Test
    void testBasicFailure() throws Exception {
        Steps s = new Steps();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(() -> {
                s.expect(4);
                throw new RuntimeException("OK");
            });
            s.expect(2);
            CompletableFuture<Throwable> got = new CompletableFuture<>();
            subscribe(source, v -> s.expectUnreached(), e -> {
                s.expect(5);
                got.complete(e);
            });
            s.expect(3);
            Throwable error = settle(got);
            assertEquals(RuntimeException.class, error.getClass());
            assertEquals("OK", error.getMessage());
            s.finish(6);
            return null;
        });
        nothingDropped();
    }

    @Test
    void testBasicUnsubscribe() throws Exception {
        Steps s = new Steps();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(() -> {
                s.expect(4);
                try {
                    Aio.sleep(0); // back to main, will get cancelled
                } catch (CancelledError e) {
                    ended.complete(e);
                    throw e;
                }
                s.expectUnreached();
                return "never";
            });
            s.expect(2);
            // nothing is called on a disposed one
            Runnable sub = subscribe(source, v -> s.expectUnreached(), e -> s.expectUnreached());
            s.expect(3);
            Aio.sleep(0); // to the started coroutine
            s.expect(5);
            sub.run(); // cancels the coroutine, at once
            Aio.sleep(0);
            assertInstanceOf(CancelledError.class, settle(ended));
            s.finish(6);
            return null;
        });
        nothingDropped();
    }

    /** testMonoNoWait, testMaybeNoWait, testSingleNoWait: from outside any loop. */
    @Test
    void testNoWait() {
        assertEquals(expected("OK"), blockingGet(of(() -> "OK")));
    }

    /**
     * testAwaitCancellation (testMaybeAwaitCancellation, testSingleAwaitCancellation):
     * cancelling the awaiting task cancels the subscription once, and the await raises the
     * cancellation.
     */
    @Test
    void testAwaitCancellation() throws Exception {
        Steps s = new Steps();
        Aio.run(() -> {
            s.expect(1);
            Task<Object> job = Aio.createTask(() -> {
                try {
                    s.expect(2);
                    return awaitNeverEnding(() -> s.expect(4));
                } catch (CancelledError e) {
                    s.expect(5);
                    throw e;
                }
            });
            Aio.sleep(0); // kotlinx starts it UNDISPATCHED
            s.expect(3);
            job.cancel();
            assertThrows(CancelledError.class, () -> Aio.await(job));
            s.finish(6);
            return null;
        });
    }

    /** MaybeTest.testCancelledConsumer: a timeout around the await cancels the coroutine. */
    @Test
    void testCancelledConsumer() throws Exception {
        Steps s = new Steps();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(() -> {
                s.expect(4);
                try {
                    Aio.sleep(3600);
                } catch (CancelledError e) {
                    s.expect(6);
                }
                return "42";
            });
            s.expect(2);
            assertThrows(AsyncTimeoutException.class, () -> Aio.timeout(0.1, () -> {
                s.expect(3);
                await(source);
                s.expectUnreached();
                return null;
            }));
            s.expect(5);
            Aio.sleep(0); // must cancel the code inside
            s.finish(7);
            return null;
        });
        nothingDropped();
    }

    /**
     * testUnhandledException: the coroutine cancels its own subscription, then fails while
     * cancelled; nobody can take that error but the global hook, which gets it once.
     */
    @Test
    void testUnhandledException() throws Exception {
        Steps s = new Steps();
        CompletableFuture<Throwable> handled = new CompletableFuture<>();
        resetDroppedHook();
        installDroppedHook(e -> {
            s.expect(5);
            handled.complete(e);
        });
        AtomicReference<Runnable> disposable = new AtomicReference<>();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(() -> {
                s.expect(4);
                disposable.get().run(); // so that the sleep gets cancelled
                try {
                    Aio.sleep(3600);
                } finally {
                    throw new TestException("cleanup failed"); // nobody to deliver it to
                }
            });
            subscribeRaw(source, d -> {
                s.expect(2);
                disposable.set(d);
            }, s);
            s.expect(3);
            assertInstanceOf(TestException.class, settle(handled));
            s.finish(6);
            return null;
        });
    }

    /**
     * Whether a fatal error (LinkageError) that a subscriber throws reaches the adapter's global
     * hook. RxJava's does (wrapped). Reactor's {@code Operators.onOperatorError} rethrows fatal
     * errors as they are, so they never reach its hooks; the loop's exception handler gets them.
     *
     * @return true where the hook gets it
     */
    protected boolean fatalErrorsReachTheHook() {
        return true;
    }

    /**
     * Runs {@code subscribe} in a task and checks that the LinkageError its subscriber throws
     * reaches the adapter's hook or, where the adapter refuses fatal errors there, the loop's
     * exception handler; once, and not the other.
     *
     * @param hookTakesFatal {@link #fatalErrorsReachTheHook()}
     * @param install installs the adapter's hook
     * @param subscribe subscribes a subscriber that throws LinkageError
     * @throws Exception if it went elsewhere
     */
    static void fatalFromTheSubscriberIsReported(boolean hookTakesFatal,
            Consumer<Consumer<Throwable>> install, Runnable subscribe) throws Exception {
        CompletableFuture<Throwable> hook = new CompletableFuture<>();
        CompletableFuture<Throwable> handler = new CompletableFuture<>();
        install.accept(hook::complete);
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> handler.complete(c.exception()));
            subscribe.run();
            assertInstanceOf(LinkageError.class, settle(hookTakesFatal ? hook : handler));
            Aio.sleep(0.01);
            assertEquals(false, (hookTakesFatal ? handler : hook).isDone(),
                    "reported twice: " + (hookTakesFatal ? handler : hook));
            return null;
        });
    }

    /**
     * testFatalExceptionInSubscribe (rx3): the subscriber's value callback throws LinkageError,
     * which RxJava and Reactor rethrow as fatal; it is reported, not given to onError.
     */
    @Test
    void testFatalExceptionInSubscribe() throws Exception {
        Steps s = new Steps();
        resetDroppedHook();
        fatalFromTheSubscriberIsReported(fatalErrorsReachTheHook(), this::installDroppedHook,
                () -> subscribe(of(() -> {
                    s.expect(1);
                    return "42";
                }), v -> {
                    s.expect(2);
                    throw new LinkageError();
                }, e -> s.expectUnreached()));
        s.finish(3);
    }

    /** testFatalExceptionInSingle (rx3): a coroutine's LinkageError is an ordinary error. */
    @Test
    void testFatalExceptionInSingle() throws Exception {
        Steps s = new Steps();
        CompletableFuture<Throwable> got = new CompletableFuture<>();
        subscribe(of(() -> {
            throw new LinkageError();
        }), v -> s.expectUnreached(), e -> {
            s.expect(1);
            got.complete(e);
        });
        assertInstanceOf(LinkageError.class, settle(got));
        s.finish(2);
        nothingDropped();
    }
}
