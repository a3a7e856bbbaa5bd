package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.flow.Overflow;
import io.aiobridge.rxjava.RxContractTest.TestException;
import io.aiobridge.testing.Steps;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.CompletableObserver;
import io.reactivex.rxjava3.core.CompletableSource;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.MaybeObserver;
import io.reactivex.rxjava3.core.MaybeSource;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.core.SingleSource;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.functions.Action;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kotlinx-coroutines-rx3's tests of {@code rxMaybe}, {@code rxSingle}, {@code rxCompletable},
 * {@code rxFlowable}, {@code rxObservable}, their exception handling, the conversions and the
 * scheduler, ported to {@link RxPublish}, {@link RxAwait} and {@link RxSchedulers}. Each test
 * keeps kotlinx's name (one nested class per kotlinx file; the Maybe, Single and Completable
 * files share their cases, which run for each type).
 *
 * <p>Where kotlinx runs the coroutine {@code Unconfined} or on the test's dispatcher and counts
 * on a {@code yield()} to run it to its end, ours runs as a task of the subscribing task's loop,
 * and its outcome reaches the observer through the task's done callbacks, in the loop's next turn
 * (asyncio's order); those tests await the outcome before their last step. The steps that matter
 * are kept: nothing runs before the subscription, each signal once, in order.
 *
 * <p>Left out: {@code testSuppressedException} (kotlinx's child coroutines fail their parent;
 * here a child is a TaskGroup's, whose errors are an ExceptionGroup, asyncio's rule);
 * {@code collect} on a Maybe (no such API: {@link RxAwait#awaitOrNull(Maybe)} is it);
 * ObservableMultiTest (many coroutines {@code send} into one observable; a generator yields from
 * its one body); kotlinx's {@code job.asCompletable} completing on a failed job (an asyncio
 * future's failure is an error: {@code testToCompletableFail} checks that).
 */
class KotlinxRx3PortTest {
    private final List<Throwable> plugins = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordPluginErrors() {
        RxJavaPlugins.setErrorHandler(plugins::add);
    }

    @AfterEach
    void resetPlugins() {
        RxJavaPlugins.setErrorHandler(null);
    }

    private void nothingReachedPlugins() {
        assertEquals(List.of(), plugins, "errors that reached RxJavaPlugins.onError");
    }

    /** Waits for an outcome a callback gives, without blocking the loop when on it. */
    private static <T> T settle(CompletableFuture<T> f) throws Exception {
        if (Aio.runningLoopOrNull() != null) {
            return Aio.waitFor(Aio.ensureFuture(f), 10.0);
        }
        return f.get(10, TimeUnit.SECONDS);
    }

    /** The three one-value types, behind one face so that their shared cases run for each. */
    enum One {
        MAYBE {
            @Override
            Object of(Coroutine<String> coro) {
                return RxPublish.maybe(coro);
            }

            @Override
            Disposable subscribe(Object source, Consumer<Object> onValue,
                    Consumer<Throwable> onError) {
                return ((Maybe<?>) source).subscribe(onValue::accept, onError::accept,
                        () -> onValue.accept("empty"));
            }

            @Override
            void subscribeRaw(Object source, Consumer<Disposable> onSubscribe, Steps s) {
                ((Maybe<?>) source).subscribe(new MaybeObserver<Object>() {
                    @Override
                    public void onSubscribe(Disposable d) {
                        onSubscribe.accept(d);
                    }

                    @Override
                    public void onSuccess(Object o) {
                        s.expectUnreached();
                    }

                    @Override
                    public void onError(Throwable e) {
                        s.expectUnreached();
                    }

                    @Override
                    public void onComplete() {
                        s.expectUnreached();
                    }
                });
            }

            @Override
            Object awaitNeverEnding(Disposable onDispose) {
                MaybeSource<String> source = o -> o.onSubscribe(onDispose);
                return RxAwait.awaitOrNull(Maybe.wrap(source));
            }
        },
        SINGLE {
            @Override
            Object of(Coroutine<String> coro) {
                return RxPublish.single(coro);
            }

            @Override
            Disposable subscribe(Object source, Consumer<Object> onValue,
                    Consumer<Throwable> onError) {
                return ((Single<?>) source).subscribe(onValue::accept, onError::accept);
            }

            @Override
            void subscribeRaw(Object source, Consumer<Disposable> onSubscribe, Steps s) {
                ((Single<?>) source).subscribe(new SingleObserver<Object>() {
                    @Override
                    public void onSubscribe(Disposable d) {
                        onSubscribe.accept(d);
                    }

                    @Override
                    public void onSuccess(Object o) {
                        s.expectUnreached();
                    }

                    @Override
                    public void onError(Throwable e) {
                        s.expectUnreached();
                    }
                });
            }

            @Override
            Object awaitNeverEnding(Disposable onDispose) {
                SingleSource<String> source = o -> o.onSubscribe(onDispose);
                return RxAwait.await(Single.wrap(source));
            }
        },
        COMPLETABLE {
            @Override
            Object of(Coroutine<String> coro) {
                return RxPublish.completable(coro);
            }

            @Override
            Object expected(String value) {
                return "complete";
            }

            @Override
            Disposable subscribe(Object source, Consumer<Object> onValue,
                    Consumer<Throwable> onError) {
                return ((Completable) source).subscribe(() -> onValue.accept("complete"),
                        onError::accept);
            }

            @Override
            void subscribeRaw(Object source, Consumer<Disposable> onSubscribe, Steps s) {
                ((Completable) source).subscribe(new CompletableObserver() {
                    @Override
                    public void onSubscribe(Disposable d) {
                        onSubscribe.accept(d);
                    }

                    @Override
                    public void onComplete() {
                        s.expectUnreached();
                    }

                    @Override
                    public void onError(Throwable e) {
                        s.expectUnreached();
                    }
                });
            }

            @Override
            Object awaitNeverEnding(Disposable onDispose) {
                CompletableSource source = o -> o.onSubscribe(onDispose);
                RxAwait.await(Completable.wrap(source));
                return null;
            }
        };

        abstract Object of(Coroutine<String> coro);

        /** What the observer receives when the coroutine returns {@code value}. */
        Object expected(String value) {
            return value;
        }

        abstract Disposable subscribe(Object source, Consumer<Object> onValue,
                Consumer<Throwable> onError);

        /** Subscribes an observer whose every signal but onSubscribe is unreached. */
        abstract void subscribeRaw(Object source, Consumer<Disposable> onSubscribe, Steps s);

        /** Awaits, in a task, a source that never signals and disposes with {@code onDispose}. */
        abstract Object awaitNeverEnding(Disposable onDispose);

        Object blockingGet(Object source) {
            CompletableFuture<Object> out = new CompletableFuture<>();
            subscribe(source, out::complete, out::completeExceptionally);
            return out.join();
        }
    }

    /** MaybeTest, SingleTest and CompletableTest: the cases the three files share. */
    @Nested
    class MaybeSingleCompletableTest {
        @ParameterizedTest
        @EnumSource(One.class)
        void testBasicSuccess(One kind) throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(() -> {
                    s.expect(4);
                    return "OK";
                });
                s.expect(2);
                CompletableFuture<Object> got = new CompletableFuture<>();
                kind.subscribe(source, v -> {
                    s.expect(5);
                    got.complete(v);
                }, got::completeExceptionally);
                s.expect(3);
                assertEquals(kind.expected("OK"), settle(got));
                s.finish(6);
                return null;
            });
            nothingReachedPlugins();
        }

        @Test
        void testBasicEmpty() throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = One.MAYBE.of(() -> {
                    s.expect(4);
                    return null;
                });
                s.expect(2);
                CompletableFuture<Object> got = new CompletableFuture<>();
                One.MAYBE.subscribe(source, v -> {
                    s.expect(5);
                    got.complete(v);
                }, got::completeExceptionally);
                s.expect(3);
                assertEquals("empty", settle(got));
                s.finish(6);
                return null;
            });
        }

        @ParameterizedTest
        @EnumSource(One.class)
        void testBasicFailure(One kind) throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(() -> {
                    s.expect(4);
                    throw new RuntimeException("OK");
                });
                s.expect(2);
                CompletableFuture<Throwable> got = new CompletableFuture<>();
                kind.subscribe(source, v -> s.expectUnreached(), e -> {
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
            nothingReachedPlugins();
        }

        @ParameterizedTest
        @EnumSource(One.class)
        void testBasicUnsubscribe(One kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(() -> {
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
                Disposable sub = kind.subscribe(source, v -> s.expectUnreached(),
                        e -> s.expectUnreached());
                s.expect(3);
                Aio.sleep(0); // to the started coroutine
                s.expect(5);
                sub.dispose(); // cancels the coroutine
                Aio.sleep(0);
                assertInstanceOf(CancelledError.class, settle(ended));
                s.finish(6);
                return null;
            });
            nothingReachedPlugins();
        }

        /** testMaybeNoWait, testSingleNoWait: from outside any loop, on the default one. */
        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testNoWait(One kind) {
            assertEquals("OK", kind.blockingGet(kind.of(() -> "OK")));
        }

        /** testMaybeAwait, testSingleAwait, CompletableTest.testAwaitSuccess and ...Failure. */
        @Test
        void testAwait() {
            Aio.run(() -> {
                assertEquals("OK", RxAwait.awaitOrNull(Maybe.just("O")) + "K");
                assertEquals("OK", RxAwait.awaitSingle(Maybe.just("O")) + "K");
                assertEquals("OK", RxAwait.await(Single.just("O")) + "K");
                RxAwait.await(Completable.complete());
                TestException boom = new TestException("OK");
                assertEquals(boom, assertThrows(TestException.class,
                        () -> RxAwait.await(Completable.error(boom))));
                return null;
            });
        }

        @Test
        void testMaybeAwaitForNull() {
            Aio.run(() -> {
                assertNull(RxAwait.awaitOrNull(Maybe.<String>empty()));
                assertThrows(java.util.NoSuchElementException.class,
                        () -> RxAwait.awaitSingle(Maybe.<String>empty()));
                return null;
            });
        }

        /**
         * testMaybeAwaitCancellation, testSingleAwaitCancellation, CompletableTest's
         * testAwaitCancellation: cancelling the awaiting task disposes the subscription, once,
         * and the await raises the cancellation.
         */
        @ParameterizedTest
        @EnumSource(One.class)
        void testAwaitCancellation(One kind) throws Exception {
            Steps s = new Steps();
            Disposable onDispose = new Disposable() {
                @Override
                public void dispose() {
                    s.expect(4);
                }

                @Override
                public boolean isDisposed() {
                    s.expectUnreached();
                    return false;
                }
            };
            Aio.run(() -> {
                s.expect(1);
                Task<Object> job = Aio.createTask(() -> {
                    try {
                        s.expect(2);
                        return kind.awaitNeverEnding(onDispose);
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

        /** testMaybeEmitAndAwait and testSingleEmitAndAwait. */
        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testEmitAndAwait(One kind) {
            assertEquals("OK", kind.blockingGet(kind.of(
                    () -> RxAwait.awaitOrNull(Maybe.just("O")) + "K")));
        }

        /** testMaybeWithDelay and testSingleWithDelay. */
        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testWithDelay(One kind) {
            assertEquals("OK", kind.blockingGet(kind.of(() -> RxAwait.awaitSingle(
                    Observable.timer(50, TimeUnit.MILLISECONDS).map(x -> "O")) + "K")));
        }

        /** testMaybeException and testSingleException: awaitSingle of two items. */
        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testException(One kind) {
            Object source = kind.of(() -> RxAwait.awaitSingle(Observable.just("O", "K")) + "K");
            Throwable error = assertThrows(Throwable.class, () -> kind.blockingGet(source))
                    .getCause();
            assertInstanceOf(IllegalArgumentException.class, error);
        }

        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testAwaitFirst(One kind) {
            assertEquals("OK", kind.blockingGet(kind.of(
                    () -> RxAwait.awaitFirst(Observable.just("O", "#")) + "K")));
        }

        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testAwaitLast(One kind) {
            assertEquals("OK", kind.blockingGet(kind.of(
                    () -> RxAwait.awaitLast(Observable.just("#", "O")) + "K")));
        }

        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testExceptionFromObservable(One kind) {
            assertEquals("OK", kind.blockingGet(kind.of(() -> {
                try {
                    return RxAwait.awaitFirst(Observable.<String>error(new RuntimeException("O")));
                } catch (RuntimeException e) {
                    return RxAwait.awaitLast(Observable.just(e.getMessage())) + "K";
                }
            })));
        }

        @ParameterizedTest
        @EnumSource(value = One.class, names = {"MAYBE", "SINGLE"})
        void testExceptionFromCoroutine(One kind) {
            Object source = kind.of(() -> {
                throw new IllegalStateException(RxAwait.awaitSingle(Observable.just("O")) + "K");
            });
            Throwable error = assertThrows(Throwable.class, () -> kind.blockingGet(source))
                    .getCause();
            assertInstanceOf(IllegalStateException.class, error);
            assertEquals("OK", error.getMessage());
        }

        /**
         * MaybeTest.testCancelledConsumer, for the three: a timeout around the await cancels
         * the coroutine behind the source.
         */
        @ParameterizedTest
        @EnumSource(One.class)
        void testCancelledConsumer(One kind) throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(() -> {
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
                    awaitAny(source);
                    s.expectUnreached();
                    return null;
                }));
                s.expect(5);
                Aio.sleep(0); // must cancel the code inside
                s.finish(7);
                return null;
            });
            nothingReachedPlugins();
        }

        private static Object awaitAny(Object source) {
            if (source instanceof Maybe<?> m) {
                return RxAwait.awaitOrNull(m);
            }
            if (source instanceof Single<?> single) {
                return RxAwait.await(single);
            }
            RxAwait.await((Completable) source);
            return null;
        }

        /**
         * testUnhandledException: the coroutine disposes its own subscription, then fails while
         * cancelled; nobody can take that error but RxJavaPlugins, which gets it once, wrapped.
         */
        @ParameterizedTest
        @EnumSource(One.class)
        void testUnhandledException(One kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Void> handled = new CompletableFuture<>();
            RxJavaPlugins.setErrorHandler(e -> {
                assertTrue(e instanceof UndeliverableException
                        && e.getCause() instanceof TestException, String.valueOf(e));
                s.expect(5);
                handled.complete(null);
            });
            AtomicReference<Disposable> disposable = new AtomicReference<>();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(() -> {
                    s.expect(4);
                    disposable.get().dispose(); // so that the sleep gets cancelled
                    try {
                        Aio.sleep(3600);
                    } finally {
                        throw new TestException("cleanup failed"); // nobody to deliver it to
                    }
                });
                kind.subscribeRaw(source, d -> {
                    s.expect(2);
                    disposable.set(d);
                }, s);
                s.expect(3);
                settle(handled);
                s.finish(6);
                return null;
            });
        }

        /** testFatalExceptionInSubscribe: the observer's callback throws LinkageError. */
        @ParameterizedTest
        @EnumSource(One.class)
        void testFatalExceptionInSubscribe(One kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Void> handled = new CompletableFuture<>();
            RxJavaPlugins.setErrorHandler(e -> {
                assertTrue(e instanceof UndeliverableException
                        && e.getCause() instanceof LinkageError, String.valueOf(e));
                s.expect(2);
                handled.complete(null);
            });
            kind.subscribe(kind.of(() -> {
                s.expect(1);
                return "42";
            }), v -> {
                throw new LinkageError();
            }, e -> s.expectUnreached());
            settle(handled);
            s.finish(3);
        }

        /** testFatalExceptionInSingle: the coroutine throws LinkageError: an ordinary error. */
        @ParameterizedTest
        @EnumSource(One.class)
        void testFatalExceptionInSingle(One kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Throwable> got = new CompletableFuture<>();
            kind.subscribe(kind.of(() -> {
                throw new LinkageError();
            }), v -> s.expectUnreached(), e -> {
                s.expect(1);
                got.complete(e);
            });
            assertInstanceOf(LinkageError.class, settle(got));
            s.finish(2);
            nothingReachedPlugins();
        }
    }

    /** The two streaming types, for the cases FlowableTest and ObservableTest share. */
    enum Many {
        FLOWABLE {
            @Override
            Object of(AsyncGenerator.Body<String, Void> body) {
                return RxPublish.flowable(body);
            }

            @Override
            Disposable subscribe(Object source, Consumer<String> onNext,
                    Consumer<Throwable> onError, Runnable onComplete) {
                @SuppressWarnings("unchecked")
                Flowable<String> f = (Flowable<String>) source;
                return f.subscribe(onNext::accept, onError::accept, onComplete::run);
            }

            @Override
            Object shared(Object source) {
                return ((Flowable<?>) source).publish().refCount();
            }

            @Override
            Object watched(Object source, Consumer<String> onNext, Action onDispose) {
                @SuppressWarnings("unchecked")
                Flowable<String> f = (Flowable<String>) source;
                return f.doOnNext(onNext::accept).doOnCancel(onDispose);
            }

            @Override
            AsyncIterable<String> iterate(Object source) {
                @SuppressWarnings("unchecked")
                Flowable<String> f = (Flowable<String>) source;
                return RxIterate.iterate(f);
            }
        },
        OBSERVABLE {
            @Override
            Object of(AsyncGenerator.Body<String, Void> body) {
                return RxPublish.observable(body);
            }

            @Override
            Disposable subscribe(Object source, Consumer<String> onNext,
                    Consumer<Throwable> onError, Runnable onComplete) {
                @SuppressWarnings("unchecked")
                Observable<String> o = (Observable<String>) source;
                return o.subscribe(onNext::accept, onError::accept, onComplete::run);
            }

            @Override
            Object shared(Object source) {
                return ((Observable<?>) source).publish().refCount();
            }

            @Override
            Object watched(Object source, Consumer<String> onNext, Action onDispose) {
                @SuppressWarnings("unchecked")
                Observable<String> o = (Observable<String>) source;
                return o.doOnNext(onNext::accept).doOnDispose(onDispose);
            }

            @Override
            AsyncIterable<String> iterate(Object source) {
                @SuppressWarnings("unchecked")
                Observable<String> o = (Observable<String>) source;
                return RxIterate.iterate(o, 16, Overflow.ERROR);
            }
        };

        abstract Object of(AsyncGenerator.Body<String, Void> body);

        abstract Disposable subscribe(Object source, Consumer<String> onNext,
                Consumer<Throwable> onError, Runnable onComplete);

        /** {@code publish().refCount()}: the exception-handling files' "asynchronous" cases. */
        abstract Object shared(Object source);

        abstract Object watched(Object source, Consumer<String> onNext, Action onDispose);

        abstract AsyncIterable<String> iterate(Object source);
    }

    /** FlowableTest and ObservableTest. */
    @Nested
    class FlowableObservableTest {
        @ParameterizedTest
        @EnumSource(Many.class)
        void testBasicSuccess(Many kind) throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(y -> {
                    s.expect(4);
                    y.yield("OK");
                });
                s.expect(2);
                CompletableFuture<Void> done = new CompletableFuture<>();
                kind.subscribe(source, v -> {
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
            nothingReachedPlugins();
        }

        @ParameterizedTest
        @EnumSource(Many.class)
        void testBasicFailure(Many kind) throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(y -> {
                    s.expect(4);
                    throw new RuntimeException("OK");
                });
                s.expect(2);
                CompletableFuture<Throwable> got = new CompletableFuture<>();
                kind.subscribe(source, v -> s.expectUnreached(), e -> {
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
            nothingReachedPlugins();
        }

        @ParameterizedTest
        @EnumSource(Many.class)
        void testBasicUnsubscribe(Many kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(y -> {
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
                Disposable sub = kind.subscribe(source, v -> s.expectUnreached(),
                        e -> s.expectUnreached(), s::expectUnreached);
                s.expect(3);
                Aio.sleep(0); // to the started generator
                s.expect(5);
                sub.dispose(); // cancels the generator
                Aio.sleep(0);
                assertInstanceOf(CancelledError.class, settle(ended));
                s.finish(6);
                return null;
            });
            nothingReachedPlugins();
        }

        @ParameterizedTest
        @EnumSource(Many.class)
        void testNotifyOnceOnCancellation(Many kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Void> generatorCancelled = new CompletableFuture<>();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.watched(kind.of(y -> {
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
                    kind.iterate(source).forEach(v -> { // kotlinx's collect
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
            nothingReachedPlugins();
        }

        @ParameterizedTest
        @EnumSource(Many.class)
        void testFailingConsumer(Many kind) throws Exception {
            Steps s = new Steps();
            CompletableFuture<Void> generatorCancelled = new CompletableFuture<>();
            Aio.run(() -> {
                s.expect(1);
                Object source = kind.of(y -> {
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
                    kind.iterate(source).forEach(v -> { // kotlinx's collect
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
            nothingReachedPlugins();
        }

        /**
         * ObservableTest.testExceptionAfterCancellation: singles switched away from are cancelled,
         * and a cancellation never reaches RxJavaPlugins.
         */
        @Test
        void testExceptionAfterCancellation() {
            Single<Long> timeBomb = Single.timer(1, TimeUnit.MILLISECONDS)
                    .doOnSuccess(x -> {
                        throw new TestException("time bomb");
                    });
            Observable.interval(1, TimeUnit.MILLISECONDS).take(1000)
                    .switchMapSingle(i -> RxPublish.single(() -> RxAwait.await(timeBomb)))
                    .blockingSubscribe(x -> { }, e -> { });
            for (Throwable e : plugins) {
                Throwable cause = e instanceof UndeliverableException ? e.getCause() : e;
                assertInstanceOf(TestException.class, cause, "only the bombs may be dropped");
            }
        }
    }

    /** FlowableExceptionHandlingTest and ObservableExceptionHandlingTest. */
    @Nested
    class ExceptionHandlingTest {
        private CompletableFuture<Void> handled;

        private void handlerExpects(Class<? extends Throwable> cause, Steps s, int step) {
            handled = new CompletableFuture<>();
            RxJavaPlugins.setErrorHandler(t -> {
                assertTrue(t instanceof UndeliverableException && cause.isInstance(t.getCause()),
                        String.valueOf(t));
                s.expect(step);
                handled.complete(null);
            });
        }

        private Object source(Many kind, boolean shared, AsyncGenerator.Body<String, Void> body) {
            Object source = kind.of(body);
            return shared ? kind.shared(source) : source;
        }

        /** testException (shared: testExceptionAsynchronous), and their fatal variants. */
        @ParameterizedTest
        @EnumSource(Many.class)
        void testException(Many kind) throws Exception {
            for (boolean shared : new boolean[] {false, true}) {
                for (Throwable failure : new Throwable[] {new TestException("x"),
                        new LinkageError("fatal ones are not special")}) {
                    Steps s = new Steps();
                    CompletableFuture<Throwable> got = new CompletableFuture<>();
                    kind.subscribe(source(kind, shared, y -> {
                        s.expect(1);
                        throwAny(failure);
                    }), v -> s.expectUnreached(), e -> {
                        s.expect(2); // reported to onError
                        got.complete(e);
                    }, s::expectUnreached);
                    assertEquals(failure, settle(got));
                    s.finish(3);
                }
            }
            nothingReachedPlugins();
        }

        /**
         * testFatalExceptionFromSubscribe (shared: testAsynchronousFatalExceptionFromSubscribe):
         * RxJava rethrows a fatal error from onNext, so the subscriber is gone: onError is not
         * called, and the error goes to RxJavaPlugins.
         */
        @ParameterizedTest
        @EnumSource(Many.class)
        void testFatalExceptionFromSubscribe(Many kind) throws Exception {
            for (boolean shared : new boolean[] {false, true}) {
                Steps s = new Steps();
                handlerExpects(LinkageError.class, s, 3);
                kind.subscribe(source(kind, shared, y -> {
                    s.expect(1);
                    y.yield("item");
                }), v -> {
                    s.expect(2);
                    throw new LinkageError();
                }, e -> s.expectUnreached(), () -> { });
                settle(handled);
                s.finish(4);
            }
        }

        /**
         * testExceptionFromSubscribe (shared: testAsynchronousExceptionFromSubscribe): the
         * consumer's own exception goes to its onError, and nowhere else.
         */
        @ParameterizedTest
        @EnumSource(Many.class)
        void testExceptionFromSubscribe(Many kind) throws Exception {
            for (boolean shared : new boolean[] {false, true}) {
                Steps s = new Steps();
                CompletableFuture<Void> closed = new CompletableFuture<>();
                CompletableFuture<Throwable> got = new CompletableFuture<>();
                kind.subscribe(source(kind, shared, y -> {
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
            nothingReachedPlugins();
        }

        private static void throwAny(Throwable t) throws Exception {
            if (t instanceof Error e) {
                throw e;
            }
            throw (Exception) t;
        }
    }

    /** ConvertTest: futures and async iterables as RxJava types. */
    @Nested
    class ConvertTest {
        @Test
        void testToCompletableSuccess() throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Task<Void> job = Aio.createTask(() -> {
                    s.expect(3);
                    return null;
                });
                CompletableFuture<Void> done = new CompletableFuture<>();
                RxPublish.completable(job).subscribe(() -> {
                    s.expect(4);
                    done.complete(null);
                });
                s.expect(2);
                Aio.sleep(0);
                settle(done);
                s.finish(5);
                return null;
            });
        }

        @Test
        void testToCompletableFail() throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Task<Void> job = Aio.createTask(() -> {
                    s.expect(3);
                    throw new RuntimeException("OK");
                });
                CompletableFuture<Throwable> got = new CompletableFuture<>();
                RxPublish.completable(job).subscribe(s::expectUnreached, e -> {
                    s.expect(4);
                    got.complete(e);
                });
                s.expect(2);
                Aio.sleep(0);
                assertEquals("OK", settle(got).getMessage());
                s.finish(5);
                return null;
            });
            nothingReachedPlugins();
        }

        /** testToMaybe, testToMaybeEmpty, testToSingle: two subscribers, one future. */
        @Test
        void testToMaybeAndSingle() throws Exception {
            try (var bg = io.aiobridge.testing.BackgroundLoop.start()) {
                EventLoop loop = bg.loop();
                var ok = Aio.runCoroutineThreadsafe(() -> Aio.createTask(
                        () -> Aio.sleep(0.05, "OK")), loop).get(10, TimeUnit.SECONDS);
                var empty = Aio.runCoroutineThreadsafe(() -> Aio.createTask(
                        () -> Aio.sleep(0.05, (String) null)), loop).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 2; i++) {
                    assertEquals("OK", RxPublish.maybe(ok).blockingGet());
                    assertNull(RxPublish.maybe(empty).blockingGet());
                    assertEquals("OK", RxPublish.single(ok).blockingGet());
                }
            }
        }

        /** testToMaybeFail and testToSingleFail. */
        @Test
        void testToMaybeAndSingleFail() throws Exception {
            try (var bg = io.aiobridge.testing.BackgroundLoop.start()) {
                var failed = Aio.runCoroutineThreadsafe(() -> Aio.createTask(() -> {
                    Aio.sleep(0.05);
                    throw new TestException("OK");
                }), bg.loop()).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 2; i++) {
                    RxPublish.maybe(failed).test().awaitDone(10, TimeUnit.SECONDS)
                            .assertError(e -> e instanceof TestException
                                    && "OK".equals(e.getMessage()));
                    RxPublish.single(failed).test().awaitDone(10, TimeUnit.SECONDS)
                            .assertError(e -> e instanceof TestException
                                    && "OK".equals(e.getMessage()));
                }
            }
            nothingReachedPlugins();
        }

        @Test
        void testToObservable() {
            AsyncIterable<String> c = AsyncGenerator.of(y -> {
                Aio.sleep(0.05);
                y.yield("O");
                Aio.sleep(0.05);
                y.yield("K");
            });
            assertEquals("OK", RxPublish.observable(c).reduce(String::concat).blockingGet());
        }

        @Test
        void testToObservableFail() {
            AsyncIterable<String> c = AsyncGenerator.of(y -> {
                Aio.sleep(0.05);
                y.yield("O");
                Aio.sleep(0.05);
                throw new TestException("K");
            });
            Observable<String> observable = RxPublish.observable(c);
            assertEquals("OK", RxPublish.single(() -> {
                StringBuilder result = new StringBuilder();
                try {
                    for (String s : RxIterate.iterate(observable, 16, Overflow.ERROR)) {
                        result.append(s);
                    }
                } catch (TestException e) {
                    result.append(e.getMessage());
                }
                return result.toString();
            }).blockingGet());
        }
    }

    /**
     * SchedulerStressTest: a runnable scheduled on a loop's Scheduler and disposed, at once or
     * during its delay, is let go (the 2,000 x 1 MB it holds would not fit the test's heap
     * otherwise), and never runs.
     */
    @Nested
    class SchedulerStressTest {
        private static final int N = 2_000;

        interface Schedule {
            Disposable schedule(Runnable run, long delay, TimeUnit unit);
        }

        private void runnablesDisposed(Scheduler scheduler, boolean worker, long delayMillis)
                throws Exception {
            Scheduler.Worker w = worker ? scheduler.createWorker() : null;
            Schedule schedule = w != null ? w::schedule : scheduler::scheduleDirect;
            Steps s = new Steps();
            WeakReference<byte[]> first = null;
            for (int i = 0; i < N; i++) {
                byte[] a = new byte[1_000_000];
                if (first == null) {
                    first = new WeakReference<>(a);
                }
                Disposable d = schedule.schedule(() -> {
                    keepMe(a);
                    s.expectUnreached();
                }, delayMillis, TimeUnit.MILLISECONDS);
                d.dispose();
                assertTrue(d.isDisposed());
            }
            if (w != null) {
                w.dispose();
            }
            for (int i = 0; i < 100 && first.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(first.get(), "a disposed runnable is let go");
        }

        private static void keepMe(byte[] a) {
            assertTrue(a.length > 0);
        }

        @Test
        void testSchedulerDisposed() throws Exception {
            try (var bg = io.aiobridge.testing.BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), false, 0);
            }
        }

        @Test
        void testSchedulerWorkerDisposed() throws Exception {
            try (var bg = io.aiobridge.testing.BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), true, 0);
            }
        }

        @Test
        void testSchedulerDisposedDuringDelay() throws Exception {
            try (var bg = io.aiobridge.testing.BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), false, 60_000);
            }
        }

        @Test
        void testSchedulerWorkerDisposedDuringDelay() throws Exception {
            try (var bg = io.aiobridge.testing.BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), true, 60_000);
            }
        }
    }
}
