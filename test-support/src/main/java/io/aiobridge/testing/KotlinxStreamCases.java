package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The cases kotlinx-coroutines' FluxTest (reactor), FlowableTest and ObservableTest (rx3), and
 * rx3's FlowableExceptionHandlingTest and ObservableExceptionHandlingTest share, for a stream
 * type made from a generator: each adapter runs them as a subclass named after the kotlinx file,
 * each test with kotlinx's name. The ordering rules are {@link KotlinxOneValueCases}'s; kotlinx's
 * {@code collect} is {@link AsyncIterable#forEach}, which cancels the source before the action's
 * failure reaches the caller.
 */
public abstract class KotlinxStreamCases extends KotlinxCases {
    /**
     * The adapter's type running {@code body} per subscription.
     *
     * @param body the generator body
     * @return a Flux, Flowable or Observable
     */
    protected abstract Object of(AsyncGenerator.Body<String, Void> body);

    /**
     * Subscribes with callbacks, as the type's lambda {@code subscribe} does.
     *
     * @param source the source
     * @param onNext the item callback
     * @param onError the error callback
     * @param onComplete the completion callback
     * @return disposes the subscription
     */
    protected abstract Runnable subscribe(Object source, Consumer<String> onNext,
            Consumer<Throwable> onError, Runnable onComplete);

    /**
     * {@code publish().refCount()}: the exception-handling files' "asynchronous" cases.
     *
     * @param source the source
     * @return the shared source
     */
    protected abstract Object shared(Object source);

    /**
     * {@code doOnNext(onNext)} then the type's cancel or dispose callback.
     *
     * @param source the source
     * @param onNext sees each item
     * @param onCancel sees each cancel
     * @return the watched source
     */
    protected abstract Object watched(Object source, Consumer<String> onNext, Runnable onCancel);

    /**
     * Iterates the source in a task.
     *
     * @param source the source
     * @return the iterable
     */
    protected abstract AsyncIterable<String> iterate(Object source);

    @Test
    void testBasicSuccess() throws Exception {
        Steps s = new Steps();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(y -> {
                s.expect(4);
                y.yield("OK");
            });
            s.expect(2);
            CompletableFuture<Void> done = new CompletableFuture<>();
            subscribe(source, v -> {
                s.expect(5);
                assertEquals("OK", v);
            }, done::completeExceptionally, () -> {
                s.expect(6);
                done.complete(null);
            });
            s.expect(3);
            settle(done);
            s.finish(7);
            return null;
        });
        nothingDropped();
    }

    @Test
    void testBasicFailure() throws Exception {
        Steps s = new Steps();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(y -> {
                s.expect(4);
                throw new RuntimeException("OK");
            });
            s.expect(2);
            CompletableFuture<Throwable> got = new CompletableFuture<>();
            subscribe(source, v -> s.expectUnreached(), e -> {
                s.expect(5);
                got.complete(e);
            }, s::expectUnreached);
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
            Object source = of(y -> {
                s.expect(4);
                try {
                    Aio.sleep(0); // back to main, will get cancelled
                } catch (CancelledError e) {
                    ended.complete(e);
                    throw e;
                }
                s.expectUnreached();
            });
            s.expect(2);
            Runnable sub = subscribe(source, v -> s.expectUnreached(),
                    e -> s.expectUnreached(), s::expectUnreached);
            s.expect(3);
            Aio.sleep(0); // to the started generator
            s.expect(5);
            sub.run(); // cancels the generator, at once
            Aio.sleep(0);
            assertInstanceOf(CancelledError.class, settle(ended));
            s.finish(6);
            return null;
        });
        nothingDropped();
    }

    @Test
    void testNotifyOnceOnCancellation() throws Exception {
        Steps s = new Steps();
        CompletableFuture<Void> generatorCancelled = new CompletableFuture<>();
        Aio.run(() -> {
            s.expect(1);
            Object source = watched(of(y -> {
                s.expect(5);
                y.yield("OK");
                try {
                    Aio.sleep(3600);
                } catch (CancelledError e) {
                    s.expect(11);
                    generatorCancelled.complete(null);
                }
            }), v -> {
                s.expect(6);
                assertEquals("OK", v);
            }, () -> s.expect(10)); // notified once
            s.expect(2);
            CompletableFuture<Void> collected = new CompletableFuture<>();
            Task<Void> job = Aio.createTask(() -> {
                s.expect(3);
                iterate(source).forEach(v -> {
                    s.expect(8);
                    assertEquals("OK", v);
                    collected.complete(null);
                });
                return null;
            });
            Aio.sleep(0); // kotlinx starts it UNDISPATCHED
            s.expect(4);
            Aio.sleep(0); // to the generator's code
            s.expect(7);
            settle(collected); // to the consuming task
            s.expect(9);
            job.cancel();
            assertThrows(CancelledError.class, () -> Aio.await(job));
            settle(generatorCancelled);
            s.finish(12);
            return null;
        });
        nothingDropped();
    }

    @Test
    void testFailingConsumer() throws Exception {
        Steps s = new Steps();
        CompletableFuture<Void> generatorCancelled = new CompletableFuture<>();
        Aio.run(() -> {
            s.expect(1);
            Object source = of(y -> {
                s.expect(2);
                y.yield("OK");
                try {
                    Aio.sleep(3600);
                } catch (CancelledError e) {
                    s.expect(5);
                    generatorCancelled.complete(null);
                }
            });
            try {
                iterate(source).forEach(v -> {
                    s.expect(3);
                    throw new TestException("consumer");
                });
            } catch (TestException e) {
                s.expect(4);
            }
            settle(generatorCancelled);
            s.finish(6);
            return null;
        });
        nothingDropped();
    }

    private Object source(boolean shared, AsyncGenerator.Body<String, Void> body) {
        Object source = of(body);
        return shared ? shared(source) : source;
    }

    /**
     * The exception-handling files' testException and testFatalException, and (shared) their
     * testExceptionAsynchronous and testFatalExceptionAsynchronous: the generator's failure,
     * LinkageError included, reaches onError, and nothing else.
     */
    @Test
    void testException() throws Exception {
        for (boolean shared : new boolean[] {false, true}) {
            for (Throwable failure : new Throwable[] {new TestException("x"),
                    new LinkageError("fatal ones are not special")}) {
                Steps s = new Steps();
                CompletableFuture<Throwable> got = new CompletableFuture<>();
                subscribe(source(shared, y -> {
                    s.expect(1);
                    if (failure instanceof Error e) {
                        throw e;
                    }
                    throw (Exception) failure;
                }), v -> s.expectUnreached(), e -> {
                    s.expect(2); // reported to onError
                    got.complete(e);
                }, s::expectUnreached);
                assertEquals(failure, settle(got));
                s.finish(3);
            }
        }
        nothingDropped();
    }

    /**
     * testFatalExceptionFromSubscribe and (shared) testAsynchronousFatalExceptionFromSubscribe:
     * RxJava and Reactor rethrow a fatal error from onNext, so the subscriber is gone: onError is
     * not called, and the error is reported (see {@link GlobalHook#takesFatal()}).
     */
    @Test
    void testFatalExceptionFromSubscribe() throws Exception {
        for (boolean shared : new boolean[] {false, true}) {
            Steps s = new Steps();
            fatalFromTheSubscriberIsReported(() -> subscribe(source(shared, y -> {
                s.expect(1);
                y.yield("item");
            }), v -> {
                s.expect(2);
                throw new LinkageError();
            }, e -> s.expectUnreached(), () -> { }));
            s.finish(3);
        }
    }

    /**
     * testExceptionFromSubscribe and (shared) testAsynchronousExceptionFromSubscribe: the
     * consumer's own exception goes to its onError, and nowhere else; the generator is closed.
     */
    @Test
    void testExceptionFromSubscribe() throws Exception {
        for (boolean shared : new boolean[] {false, true}) {
            Steps s = new Steps();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            CompletableFuture<Throwable> got = new CompletableFuture<>();
            subscribe(source(shared, y -> {
                s.expect(1);
                try {
                    y.yield("item");
                } finally {
                    closed.complete(null);
                }
            }), v -> {
                s.expect(2);
                throw new TestException("from onNext");
            }, e -> {
                s.expect(3);
                got.complete(e);
            }, s::expectUnreached);
            assertInstanceOf(TestException.class, settle(got));
            settle(closed);
            s.finish(4);
        }
        nothingDropped();
    }
}
