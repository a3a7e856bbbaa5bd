package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.Task;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
public abstract class KotlinxOneValueCases extends KotlinxCases {
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
        onDropped(e -> {
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
     * testFatalExceptionInSubscribe (rx3): the subscriber's value callback throws LinkageError,
     * which RxJava and Reactor rethrow as fatal; it is reported, not given to onError.
     */
    @Test
    void testFatalExceptionInSubscribe() throws Exception {
        Steps s = new Steps();
        fatalFromTheSubscriberIsReported(() -> subscribe(of(() -> {
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
