package io.aiobridge.rxjava;

import static io.aiobridge.testing.KotlinxCases.settle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.flow.Overflow;
import io.aiobridge.testing.BackgroundLoop;
import io.aiobridge.testing.KotlinxCases.TestException;
import io.aiobridge.testing.KotlinxCases;
import io.aiobridge.testing.KotlinxOneValueCases;
import io.aiobridge.testing.KotlinxStreamCases;
import io.aiobridge.testing.Steps;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.CompletableObserver;
import io.reactivex.rxjava3.core.CompletableSource;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.MaybeObserver;
import io.reactivex.rxjava3.core.MaybeSource;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.ObservableSource;
import io.reactivex.rxjava3.core.Observer;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.core.SingleSource;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.subjects.PublishSubject;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * kotlinx-coroutines-rx3's tests of {@code rxMaybe}, {@code rxSingle}, {@code rxCompletable},
 * {@code rxFlowable} and {@code rxObservable}, their exception handling, the conversions,
 * {@code collect} and the scheduler, ported to {@link RxPublish}, {@link RxAwait} and {@link RxSchedulers}: one
 * nested class per kotlinx file, each test with kotlinx's name. The cases the rx3 and reactor
 * files share are {@link KotlinxOneValueCases} and {@link KotlinxStreamCases} (their Javadoc
 * says how the order of steps is kept); the rest are here.
 *
 * <p>Left out: {@code collect} on a Maybe (no such API: {@link RxAwait#awaitOrNull(Maybe)} is
 * it); ObservableMultiTest (many coroutines {@code send} into one observable; a generator yields
 * from its one body); kotlinx's {@code job.asCompletable} completing on a failed job (an asyncio
 * future's failure is an error: {@code testToCompletableFail} checks that); SchedulerTest's cases
 * about the dispatcher itself (thread counts, converting back), and its check that a task that
 * ran is not disposed: RxJava's own schedulers say it is, and so does ours
 * ({@code testSchedulingAfterDisposing} compares with {@code Schedulers.single()}).
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

    /** RxJavaPlugins' handler, unwrapping what RxJava wraps, as the shared cases expect. */
    static final KotlinxCases.GlobalHook RX_PLUGINS = new KotlinxCases.GlobalHook(
            hook -> RxJavaPlugins.setErrorHandler(e -> hook.accept(
                    e instanceof UndeliverableException u ? u.getCause()
                            : new AssertionError("not wrapped in an UndeliverableException: " + e,
                                    e))),
            () -> RxJavaPlugins.setErrorHandler(null), true);

    abstract static class RxOneValue extends KotlinxOneValueCases {
        @Override
        protected GlobalHook hook() {
            return RX_PLUGINS;
        }

        static Runnable disposer(Disposable d) {
            return d::dispose;
        }

        static Disposable onDispose(Runnable r) {
            return Disposable.fromRunnable(r);
        }
    }

    /** The awaits inside the coroutine that MaybeTest and SingleTest both run. */
    abstract static class RxValueAwaits extends RxOneValue {
        @Test
        void testEmitAndAwait() {
            assertEquals("OK", blockingGet(of(() -> RxAwait.awaitOrNull(Maybe.just("O")) + "K")));
        }

        @Test
        void testWithDelay() {
            assertEquals("OK", blockingGet(of(() -> RxAwait.awaitSingle(
                    Observable.timer(50, TimeUnit.MILLISECONDS).map(x -> "O")) + "K")));
        }

        /** awaitSingle of two items. */
        @Test
        void testException() {
            Object source = of(() -> RxAwait.awaitSingle(Observable.just("O", "K")) + "K");
            assertInstanceOf(IllegalArgumentException.class,
                    assertThrows(Throwable.class, () -> blockingGet(source)).getCause());
        }

        @Test
        void testAwaitFirst() {
            assertEquals("OK", blockingGet(of(
                    () -> RxAwait.awaitFirst(Observable.just("O", "#")) + "K")));
        }

        @Test
        void testAwaitLast() {
            assertEquals("OK", blockingGet(of(
                    () -> RxAwait.awaitLast(Observable.just("#", "O")) + "K")));
        }

        @Test
        void testExceptionFromObservable() {
            assertEquals("OK", blockingGet(of(() -> {
                try {
                    return RxAwait.awaitFirst(Observable.<String>error(new RuntimeException("O")));
                } catch (RuntimeException e) {
                    return RxAwait.awaitLast(Observable.just(e.getMessage())) + "K";
                }
            })));
        }

        @Test
        void testExceptionFromCoroutine() {
            Object source = of(() -> {
                throw new IllegalStateException(RxAwait.awaitSingle(Observable.just("O")) + "K");
            });
            Throwable error = assertThrows(Throwable.class, () -> blockingGet(source)).getCause();
            assertInstanceOf(IllegalStateException.class, error);
            assertEquals("OK", error.getMessage());
        }
    }

    @Nested
    class MaybeTest extends RxValueAwaits {
        @Override
        protected Object of(Coroutine<String> coro) {
            return RxPublish.maybe(coro);
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<Object> onValue,
                Consumer<Throwable> onError) {
            return disposer(((Maybe<?>) source).subscribe(onValue::accept, onError::accept,
                    () -> onValue.accept("empty")));
        }

        @Override
        protected void subscribeRaw(Object source, Consumer<Runnable> onSubscribe, Steps s) {
            ((Maybe<?>) source).subscribe(new MaybeObserver<Object>() {
                @Override
                public void onSubscribe(Disposable d) {
                    onSubscribe.accept(disposer(d));
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
        protected Object awaitNeverEnding(Runnable onDispose) {
            MaybeSource<String> source = o -> o.onSubscribe(onDispose(onDispose));
            return RxAwait.awaitOrNull(Maybe.wrap(source));
        }

        @Override
        protected Object await(Object source) {
            return RxAwait.awaitOrNull((Maybe<?>) source);
        }

        @Test
        void testBasicEmpty() throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Object source = of(() -> {
                    s.expect(4);
                    return null;
                });
                s.expect(2);
                CompletableFuture<Object> got = new CompletableFuture<>();
                subscribe(source, v -> {
                    s.expect(5);
                    got.complete(v);
                }, got::completeExceptionally);
                s.expect(3);
                assertEquals("empty", settle(got));
                s.finish(6);
                return null;
            });
        }

        @Test
        void testMaybeAwait() {
            Aio.run(() -> {
                assertEquals("OK", RxAwait.awaitOrNull(Maybe.just("O")) + "K");
                assertEquals("OK", RxAwait.awaitSingle(Maybe.just("O")) + "K");
                return null;
            });
        }

        @Test
        void testMaybeAwaitForNull() {
            Aio.run(() -> {
                assertNull(RxAwait.awaitOrNull(Maybe.<String>empty()));
                assertThrows(NoSuchElementException.class,
                        () -> RxAwait.awaitSingle(Maybe.<String>empty()));
                return null;
            });
        }
    }

    @Nested
    class SingleTest extends RxValueAwaits {
        @Override
        protected Object of(Coroutine<String> coro) {
            return RxPublish.single(coro);
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<Object> onValue,
                Consumer<Throwable> onError) {
            return disposer(((Single<?>) source).subscribe(onValue::accept, onError::accept));
        }

        @Override
        protected void subscribeRaw(Object source, Consumer<Runnable> onSubscribe, Steps s) {
            ((Single<?>) source).subscribe(new SingleObserver<Object>() {
                @Override
                public void onSubscribe(Disposable d) {
                    onSubscribe.accept(disposer(d));
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
        protected Object awaitNeverEnding(Runnable onDispose) {
            SingleSource<String> source = o -> o.onSubscribe(onDispose(onDispose));
            return RxAwait.await(Single.wrap(source));
        }

        @Override
        protected Object await(Object source) {
            return RxAwait.await((Single<?>) source);
        }

        @Test
        void testSingleAwait() {
            Aio.run(() -> {
                assertEquals("OK", RxAwait.await(Single.just("O")) + "K");
                return null;
            });
        }
    }

    @Nested
    class CompletableTest extends RxOneValue {
        @Override
        protected Object of(Coroutine<String> coro) {
            return RxPublish.completable(coro);
        }

        @Override
        protected Object expected(String value) {
            return "complete";
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<Object> onValue,
                Consumer<Throwable> onError) {
            return disposer(((Completable) source).subscribe(() -> onValue.accept("complete"),
                    onError::accept));
        }

        @Override
        protected void subscribeRaw(Object source, Consumer<Runnable> onSubscribe, Steps s) {
            ((Completable) source).subscribe(new CompletableObserver() {
                @Override
                public void onSubscribe(Disposable d) {
                    onSubscribe.accept(disposer(d));
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
        protected Object awaitNeverEnding(Runnable onDispose) {
            CompletableSource source = o -> o.onSubscribe(onDispose(onDispose));
            RxAwait.await(Completable.wrap(source));
            return null;
        }

        @Override
        protected Object await(Object source) {
            RxAwait.await((Completable) source);
            return null;
        }

        @Test
        void testAwaitSuccess() {
            Aio.run(() -> {
                RxAwait.await(Completable.complete());
                return null;
            });
        }

        @Test
        void testAwaitFailure() {
            TestException boom = new TestException("OK");
            Aio.run(() -> {
                assertEquals(boom, assertThrows(TestException.class,
                        () -> RxAwait.await(Completable.error(boom))));
                return null;
            });
        }
    }

    abstract static class RxStream extends KotlinxStreamCases {
        @Override
        protected GlobalHook hook() {
            return RX_PLUGINS;
        }
    }

    @Nested
    class FlowableTest extends RxStream {
        @SuppressWarnings("unchecked")
        private static Flowable<String> flowable(Object source) {
            return (Flowable<String>) source;
        }

        @Override
        protected Object of(AsyncGenerator.Body<String, Void> body) {
            return RxPublish.flowable(body);
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<String> onNext,
                Consumer<Throwable> onError, Runnable onComplete) {
            return RxOneValue.disposer(flowable(source).subscribe(onNext::accept,
                    onError::accept, onComplete::run));
        }

        @Override
        protected Object shared(Object source) {
            return flowable(source).publish().refCount();
        }

        @Override
        protected Object watched(Object source, Consumer<String> onNext, Runnable onCancel) {
            return flowable(source).doOnNext(onNext::accept).doOnCancel(onCancel::run);
        }

        @Override
        protected AsyncIterable<String> iterate(Object source) {
            return RxIterate.iterate(flowable(source));
        }
    }

    @Nested
    class ObservableTest extends RxStream {
        @SuppressWarnings("unchecked")
        private static Observable<String> observable(Object source) {
            return (Observable<String>) source;
        }

        @Override
        protected Object of(AsyncGenerator.Body<String, Void> body) {
            return RxPublish.observable(body);
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<String> onNext,
                Consumer<Throwable> onError, Runnable onComplete) {
            return RxOneValue.disposer(observable(source).subscribe(onNext::accept,
                    onError::accept, onComplete::run));
        }

        @Override
        protected Object shared(Object source) {
            return observable(source).publish().refCount();
        }

        @Override
        protected Object watched(Object source, Consumer<String> onNext, Runnable onCancel) {
            return observable(source).doOnNext(onNext::accept).doOnDispose(onCancel::run);
        }

        @Override
        protected AsyncIterable<String> iterate(Object source) {
            return RxIterate.iterate(observable(source), 16, Overflow.ERROR);
        }

        /**
         * Singles switched away from are cancelled, and a cancellation never reaches
         * RxJavaPlugins.
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
            for (Throwable e : dropped) {
                assertInstanceOf(TestException.class, e, "only the bombs may be dropped");
            }
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
            try (var bg = BackgroundLoop.start()) {
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
            try (var bg = BackgroundLoop.start()) {
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
     * SchedulerTest: a loop as an RxJava Scheduler ({@code dispatcher.asScheduler()} in kotlinx),
     * the cases that are not the dispatcher's own (its thread counts, its conversions back).
     */
    @Nested
    class SchedulerTest {
        private Scheduler scheduler(BackgroundLoop bg) {
            return RxSchedulers.of(bg.loop());
        }

        /** kotlinx's setScheduler: the schedule hook runs at scheduling, the task after it. */
        private void setScheduler(Steps s, int expectedCountOnSchedule, int expectCountOnRun) {
            RxJavaPlugins.setScheduleHandler(r -> {
                s.expect(expectedCountOnSchedule);
                return () -> {
                    if (expectCountOnRun == -1) {
                        s.expectUnreached();
                    }
                    s.expect(expectCountOnRun);
                    r.run();
                };
            });
        }

        @AfterEach
        void resetScheduleHandler() {
            RxJavaPlugins.setScheduleHandler(null);
        }

        /** A task that has run on RxJava's own single scheduler, for its disposed state. */
        private Disposable ranOnRxJavasOwn() throws Exception {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            Disposable d = io.reactivex.rxjava3.schedulers.Schedulers.single()
                    .scheduleDirect(() -> ran.complete(null));
            settle(ran);
            Thread.sleep(10); // its bookkeeping after the run
            return d;
        }

        /** The state once the task's bookkeeping after its run is done (up to a second). */
        private boolean settledDisposed(Disposable d, boolean expected) throws Exception {
            for (int i = 0; i < 100 && d.isDisposed() != expected; i++) {
                Thread.sleep(10);
            }
            return d.isDisposed();
        }

        @Test
        void testSchedulerToString() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                assertTrue(scheduler(bg).toString().startsWith("RxSchedulers.of(<EventLoop "),
                        scheduler(bg).toString());
            }
        }

        /** testRunnableExpectRxPluginsCall, direct, worker, with and without a delay. */
        @Test
        void testRunnableExpectRxPluginsCall() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Scheduler.Worker worker = scheduler(bg).createWorker();
                for (long delay : new long[] {0, 10}) {
                    for (boolean direct : new boolean[] {true, false}) {
                        Steps s = new Steps();
                        s.expect(1);
                        setScheduler(s, 2, 4);
                        CompletableFuture<Void> ran = new CompletableFuture<>();
                        Runnable r = () -> {
                            s.expect(5);
                            ran.complete(null);
                        };
                        // the loop is held until this thread's step 3, as kotlinx's test
                        // dispatcher runs nothing until the test suspends
                        java.util.concurrent.CountDownLatch hold =
                                new java.util.concurrent.CountDownLatch(1);
                        bg.loop().callSoonThreadsafe(() -> {
                            try {
                                hold.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        if (direct) {
                            scheduler(bg).scheduleDirect(r, delay, TimeUnit.MILLISECONDS);
                        } else {
                            worker.schedule(r, delay, TimeUnit.MILLISECONDS);
                        }
                        s.expect(3);
                        hold.countDown();
                        settle(ran);
                        RxJavaPlugins.setScheduleHandler(null);
                        s.finish(6);
                    }
                }
                worker.dispose();
            }
        }

        /** Disposed workers and shut-down schedulers refuse work, and the scheduler goes on. */
        @Test
        void testSchedulingAfterDisposing() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                boolean rxDoneIsDisposed = ranOnRxJavasOwn().isDisposed(); // before any hook
                Scheduler it = scheduler(bg);
                Steps s = new Steps();
                s.expect(1);
                Scheduler.Worker worker = it.createWorker();
                CompletableFuture<Void> cdl1 = new CompletableFuture<>();
                setScheduler(s, 2, 3);
                Disposable disposable1 = worker.schedule(() -> cdl1.complete(null));
                settle(cdl1);
                s.expect(4);
                // kotlinx's scheduler says a task that ran is not disposed; RxJava's own say it
                // is (its ScheduledRunnable is DONE), and so does ours
                assertEquals(rxDoneIsDisposed, settledDisposed(disposable1, rxDoneIsDisposed));
                setScheduler(s, 6, -1);
                assertEquals(false, worker.isDisposed());
                worker.dispose();
                assertTrue(worker.isDisposed());
                s.expect(5);
                Disposable disposable2 = worker.schedule(s::expectUnreached);
                assertTrue(disposable2.isDisposed());
                setScheduler(s, 7, 8);
                CompletableFuture<Void> cdl2 = new CompletableFuture<>();
                Disposable disposable3 = it.scheduleDirect(() -> cdl2.complete(null));
                settle(cdl2);
                s.expect(9);
                assertEquals(rxDoneIsDisposed, settledDisposed(disposable3, rxDoneIsDisposed));
                it.shutdown();
                setScheduler(s, 10, -1);
                Disposable disposable4 = it.scheduleDirect(s::expectUnreached);
                assertTrue(disposable4.isDisposed());
                RxJavaPlugins.setScheduleHandler(null);
                s.finish(11);
            }
        }

        @Test
        void testWorkerSequentialOrdering() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Steps s = new Steps();
                s.expect(1);
                Scheduler.Worker worker = scheduler(bg).createWorker();
                int iterations = 100;
                for (int i = 0; i <= iterations; i++) {
                    int step = 2 + i;
                    worker.schedule(() -> s.expect(step));
                }
                CompletableFuture<Void> done = new CompletableFuture<>();
                worker.schedule(() -> done.complete(null));
                settle(done);
                s.finish(iterations + 2 + 1);
                worker.dispose();
            }
        }

        /** testAsSchedulerWithNegativeDelay and ...WorkerWithNegativeDelay: runs at once. */
        @Test
        void testAsSchedulerWithNegativeDelay() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Scheduler.Worker worker = scheduler(bg).createWorker();
                CompletableFuture<Void> direct = new CompletableFuture<>();
                CompletableFuture<Void> onWorker = new CompletableFuture<>();
                scheduler(bg).scheduleDirect(() -> direct.complete(null), -1, TimeUnit.SECONDS);
                worker.schedule(() -> onWorker.complete(null), -1, TimeUnit.SECONDS);
                settle(direct);
                settle(onWorker);
                worker.dispose();
            }
        }

        /** testSchedulerRespectsDelays and its worker variant: in the order of their delays. */
        @Test
        void testSchedulerRespectsDelays() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Scheduler.Worker worker = scheduler(bg).createWorker();
                List<Integer> order = new CopyOnWriteArrayList<>();
                CompletableFuture<Void> done = new CompletableFuture<>();
                long start = System.nanoTime();
                for (int i = 3; i >= 1; i--) {
                    int n = i;
                    Runnable r = () -> {
                        order.add(n);
                        if (order.size() == 6) {
                            done.complete(null);
                        }
                    };
                    scheduler(bg).scheduleDirect(r, 20L * n, TimeUnit.MILLISECONDS);
                    worker.schedule(r, 20L * n, TimeUnit.MILLISECONDS);
                }
                settle(done);
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(60));
                assertEquals(List.of(1, 1, 2, 2, 3, 3), order);
                worker.dispose();
            }
        }

        /** Disposing one worker cancels its pending work only. */
        @Test
        void testMultipleWorkerCancellation() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Steps s = new Steps();
                s.expect(1);
                CompletableFuture<Void> done = new CompletableFuture<>();
                Scheduler.Worker workerOne = scheduler(bg).createWorker();
                workerOne.schedule(() -> {
                    s.expect(3);
                    done.complete(null);
                }, 50, TimeUnit.MILLISECONDS);
                Scheduler.Worker workerTwo = scheduler(bg).createWorker();
                workerTwo.schedule(s::expectUnreached, 100, TimeUnit.MILLISECONDS);
                workerTwo.dispose();
                s.expect(2);
                settle(done);
                Thread.sleep(150); // past workerTwo's delay
                s.finish(4);
                workerOne.dispose();
            }
        }

        /**
         * testWorkerCancellationCancelsOutstandingWork: an interval on the scheduler keeps its
         * periodic task nowhere but in its worker; disposing the subscription disposes it.
         */
        @Test
        void testWorkerCancellationCancelsOutstandingWork() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                java.util.concurrent.atomic.AtomicInteger ticks =
                        new java.util.concurrent.atomic.AtomicInteger();
                Disposable d = Flowable.interval(10, 10, TimeUnit.MILLISECONDS, scheduler(bg))
                        .subscribe(x -> ticks.incrementAndGet());
                while (ticks.get() < 2) {
                    Thread.onSpinWait();
                }
                d.dispose();
                bg.sync();
                int after = ticks.get();
                Thread.sleep(100);
                assertEquals(after, ticks.get(), "the periodic task was disposed with it");
            }
        }

        /** testMemoryLeakInWorkerScope: work that ran is let go. */
        @Test
        void testMemoryLeakInWorkerScope() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Scheduler.Worker worker = scheduler(bg).createWorker();
                List<WeakReference<Object>> refs = new java.util.ArrayList<>();
                CompletableFuture<Void> last = new CompletableFuture<>();
                for (int i = 0; i < 10; i++) {
                    Object held = new byte[100_000];
                    refs.add(new WeakReference<>(held));
                    boolean isLast = i == 9;
                    Runnable r = () -> {
                        java.util.Objects.requireNonNull(held); // what the task keeps alive
                        if (isLast) {
                            last.complete(null);
                        }
                    };
                    if (i % 2 == 0) {
                        scheduler(bg).scheduleDirect(r, 10, TimeUnit.MILLISECONDS);
                    } else {
                        worker.schedule(r, 10, TimeUnit.MILLISECONDS);
                    }
                }
                settle(last);
                bg.sync();
                for (int i = 0; i < 100 && refs.stream().anyMatch(w -> w.get() != null); i++) {
                    System.gc();
                    Thread.sleep(10);
                }
                assertTrue(refs.stream().allMatch(w -> w.get() == null),
                        "what ran was let go, the worker still open");
                worker.dispose();
            }
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
            try (var bg = BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), false, 0);
            }
        }

        @Test
        void testSchedulerWorkerDisposed() throws Exception {
            try (var bg = BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), true, 0);
            }
        }

        @Test
        void testSchedulerDisposedDuringDelay() throws Exception {
            try (var bg = BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), false, 60_000);
            }
        }

        @Test
        void testSchedulerWorkerDisposedDuringDelay() throws Exception {
            try (var bg = BackgroundLoop.start()) {
                runnablesDisposed(RxSchedulers.of(bg.loop()), true, 60_000);
            }
        }
    }

    /**
     * kotlinx's ObservableCollectTest: an Observable collected by an iteration's {@code forEach}.
     * kotlinx's {@code collect} buffers without bound; an Observable iterated here names a
     * capacity and what to do beyond it ({@link RxIterate#iterate(Observable, int, Overflow)}).
     */
    @Nested
    class ObservableCollectTest {
        @Test
        void testObservableCollectThrowingObservable() {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                int[] sum = {0};
                Observable<Integer> observable = RxPublish.observable(y -> {
                    for (int i = 0; i <= 100; i++) {
                        y.yield(i);
                    }
                    throw new TestException("after 101 items");
                });
                assertThrows(TestException.class, () -> RxIterate.iterate(observable, 256,
                        Overflow.ERROR).forEach(x -> sum[0] += x));
                assertEquals(5050, sum[0], "every item before the error");
                return null;
            });
            s.finish(2);
            nothingReachedPlugins();
        }

        /**
         * An ObservableSource that pushes 1s from another thread until disposed; the action
         * throws at the fifth: the source is disposed, once, before the exception reaches the
         * collector.
         */
        @Test
        void testObservableCollectThrowingAction() {
            Steps s = new Steps();
            int expectedSum = 5;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
                    .newSingleThreadExecutor();
            try {
                Aio.run(() -> {
                    s.expect(1);
                    int[] sum = {0};
                    java.util.concurrent.atomic.AtomicInteger disposes =
                            new java.util.concurrent.atomic.AtomicInteger();
                    Observable<Integer> source = Observable.unsafeCreate(observer ->
                            pool.execute(() -> {
                                observer.onSubscribe(new Disposable() {
                                    @Override
                                    public void dispose() {
                                        if (disposes.getAndIncrement() == 0) {
                                            s.expect(expectedSum + 2);
                                        }
                                    }

                                    @Override
                                    public boolean isDisposed() {
                                        return disposes.get() > 0;
                                    }
                                });
                                while (disposes.get() == 0) {
                                    observer.onNext(1);
                                }
                            }));
                    TestException e = assertThrows(TestException.class, () -> RxIterate
                            .iterate(source, 16, Overflow.DROP_LATEST).forEach(x -> {
                                s.expect(sum[0] + 2);
                                sum[0] += x;
                                if (sum[0] == expectedSum) {
                                    throw new TestException("enough");
                                }
                            }));
                    assertEquals("enough", e.getMessage());
                    assertEquals(expectedSum, sum[0]);
                    s.finish(expectedSum + 3);
                    assertEquals(1, disposes.get(), "disposed once");
                    return null;
                });
            } finally {
                pool.shutdownNow();
            }
            nothingReachedPlugins();
        }
    }

    /**
     * kotlinx's ObservableAsFlowTest: an Observable iterated by a task. kotlinx's {@code asFlow}
     * buffers without bound; here the iteration names a capacity ({@link RxIterate#iterate(
     * Observable, int, Overflow)}), large enough for what each case sends at once. The cases
     * built on {@code buffer}, {@code conflate} and {@code produceIn} are Flow operators with no
     * counterpart; conflation is {@code Overflow.DROP_OLDEST}, covered by RxAwaitTest.
     */
    @Nested
    class ObservableAsFlowTest {
        /** The action throws at the first item: one item, one error, the generator closed once. */
        @Test
        void testCancellation() {
            AtomicInteger onNext = new AtomicInteger();
            AtomicInteger onError = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            Aio.run(() -> {
                Observable<Integer> source = RxPublish.observable(y -> {
                    try {
                        for (int i = 0; i < 100; i++) {
                            y.yield(i);
                        }
                    } finally {
                        closed.incrementAndGet();
                    }
                });
                try {
                    RxIterate.iterate(source, 128, Overflow.ERROR).forEach(x -> {
                        onNext.incrementAndGet();
                        throw new TestException("at the first item");
                    });
                } catch (TestException e) {
                    onError.incrementAndGet();
                }
                return null;
            });
            // Aio.run has ended the driver, and with it the generator
            assertEquals(List.of(1, 1, 1), List.of(onNext.get(), onError.get(), closed.get()));
            nothingReachedPlugins();
        }

        @Test
        void testImmediateCollection() {
            Steps s = new Steps();
            PublishSubject<Integer> source = PublishSubject.create();
            Aio.run(() -> {
                Task<Void> collector = Aio.createTask(() -> {
                    s.expect(1);
                    for (int x : RxIterate.iterate(source, 16, Overflow.ERROR)) {
                        s.expect(x);
                    }
                    s.expect(6);
                    return null;
                });
                Aio.sleep(0); // the collector subscribes
                s.expect(2);
                source.onNext(3);
                Aio.sleep(0); // the item settles the collector's wait, whose callback
                Aio.sleep(0); // schedules its step: two turns, as a future set in asyncio
                s.expect(4);
                source.onNext(5);
                source.onComplete();
                collector.await();
                return null;
            });
            s.finish(7);
        }

        /** The Observable's error is the iteration's, the same object. */
        @Test
        void testOnErrorCancellation() {
            Steps s = new Steps();
            PublishSubject<Integer> source = PublishSubject.create();
            TestException failure = new TestException("from the subject");
            Aio.run(() -> {
                Task<Void> collector = Aio.createTask(() -> {
                    s.expect(1);
                    TestException e = assertThrows(TestException.class, () -> {
                        for (int x : RxIterate.iterate(source, 16, Overflow.ERROR)) {
                            s.expect(x);
                        }
                    });
                    assertSame(failure, e);
                    s.expect(5);
                    return null;
                });
                Aio.sleep(0);
                s.expect(2);
                source.onNext(3);
                Aio.sleep(0); // the item settles the collector's wait, whose callback
                Aio.sleep(0); // schedules its step: two turns, as a future set in asyncio
                s.expect(4);
                source.onError(failure);
                collector.await();
                return null;
            });
            s.finish(6);
        }

        /** An action that throws unsubscribes before the exception leaves {@code forEach}. */
        @Test
        void testUnsubscribeOnCollectionException() {
            PublishSubject<Integer> source = PublishSubject.create();
            TestException failure = new TestException("at 3");
            Aio.run(() -> {
                Task<Boolean> collector = Aio.createTask(() -> {
                    TestException e = assertThrows(TestException.class, () -> RxIterate.iterate(
                            source, 16, Overflow.ERROR).forEach(x -> {
                                if (x == 3) {
                                    throw failure;
                                }
                            }));
                    assertSame(failure, e);
                    return source.hasObservers(); // already unsubscribed
                });
                Aio.sleep(0);
                assertTrue(source.hasObservers());
                source.onNext(3);
                assertFalse(collector.await(), "still subscribed after the action threw");
                return null;
            });
            nothingReachedPlugins();
        }

        /** A source that calls onSubscribe after its collector was cancelled: disposed at once. */
        @Test
        void testLateOnSubscribe() {
            AtomicReference<Observer<? super Integer>> observer = new AtomicReference<>();
            ObservableSource<Integer> late = observer::set;
            Disposable disposable = Disposable.empty();
            Aio.run(() -> {
                Task<Void> job = Aio.createTask(() -> {
                    for (int x : RxIterate.iterate(Observable.wrap(late), 16, Overflow.ERROR)) {
                        fail("no item was sent");
                    }
                    return null;
                });
                Aio.sleep(0);
                assertNotNull(observer.get(), "subscribed");
                job.cancel();
                assertThrows(CancelledError.class, job::await);
                observer.get().onSubscribe(disposable);
                return null;
            });
            assertTrue(disposable.isDisposed());
        }

        @Test
        void testLongRange() {
            assertEquals(10_000, (int) Aio.run(() -> {
                int count = 0;
                for (int x : RxIterate.iterate(Observable.range(1, 10_000), 10_000,
                        Overflow.ERROR)) {
                    count++;
                }
                return count;
            }));
        }
    }

    /**
     * kotlinx's ObservableSourceAsFlowStressTest: an {@code Observable.interval} of 100 us, on
     * RxJava's computation threads, iterated by a task that is cancelled once more than 100 ticks
     * went by, 100 times (times {@code -Dstress.scale}); here each interval must also end up
     * disposed, none left ticking.
     */
    @Test
    void testAsFlowCancellation() throws Exception {
        int repeats = 100 * Integer.getInteger("stress.scale", 1);
        AtomicInteger disposed = new AtomicInteger();
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            for (int r = 0; r < repeats; r++) {
                CompletableFuture<Void> latch = new CompletableFuture<>();
                AtomicInteger ticks = new AtomicInteger();
                Observable<Long> interval = Observable.interval(100, TimeUnit.MICROSECONDS)
                        .doOnNext(t -> {
                            if (ticks.incrementAndGet() > 100) {
                                latch.complete(null);
                            }
                        })
                        .doOnDispose(disposed::incrementAndGet);
                Task<Void> job = Aio.runCoroutineThreadsafe(() -> Aio.<Void>createTask(() -> {
                    for (long t : RxIterate.iterate(interval, 16, Overflow.DROP_OLDEST)) {
                        Aio.sleep(0);
                    }
                    return null;
                }), bg.loop()).get(10, TimeUnit.SECONDS);
                latch.get(10, TimeUnit.SECONDS);
                bg.loop().callSoonThreadsafe(job::cancel); // cancelAndJoin
                Aio.runCoroutineThreadsafe(() -> {
                    assertThrows(CancelledError.class, job::await);
                    return null;
                }, bg.loop()).get(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(repeats, disposed.get(), "intervals still ticking");
        nothingReachedPlugins();
    }

    /**
     * kotlinx's ObservableCompletionStressTest: an observable generator of 0..4 items on another
     * loop, collected 10,000 times (times {@code -Dstress.scale}); every item in order, then the
     * end, within 5 s each.
     */
    @Test
    void observableCompletionStressTest() {
        EventLoop other = io.aiobridge.EventLoopGroup.defaultGroup().next();
        KotlinxCases.completionStress(count -> RxIterate.iterate(RxPublish.<Integer>observable(
                y -> {
                    for (int x = 1; x <= count; x++) {
                        y.yield(x);
                    }
                }, other), 8, Overflow.ERROR));
        nothingReachedPlugins();
    }

    /**
     * kotlinx's LeakedExceptionTest: two Singles, Observables or Flowables whose coroutines fail
     * at once, each on a loop of its own (kotlinx's pool of four threads), combined and iterated,
     * 10,000 times each (times {@code -Dstress.scale}). The first failure ends the iteration and
     * cancels the other branch, whose failure often comes after that cancel (thousands of times
     * per run). Whatever reaches RxJavaPlugins must be that failure as RxJava's undeliverable
     * error, and nothing may reach the loops' exception handlers: no cancellation leaks as an
     * error, and no failure is reported twice.
     */
    @Nested
    class LeakedExceptionTest {
        private void combinedTwice(java.util.function.Function<EventLoop, Flowable<Integer>> make)
                throws Exception {
            int repeats = 10_000 * Integer.getInteger("stress.scale", 1);
            List<Throwable> loopErrors = new CopyOnWriteArrayList<>();
            // two loops, as kotlinx's pool of four threads: the two branches fail in parallel,
            // so one often fails after the iteration has cancelled it
            try (var bg1 = BackgroundLoop.start(); var bg2 = BackgroundLoop.start()) {
                for (BackgroundLoop bg : List.of(bg1, bg2)) {
                    bg.run(() -> {
                        bg.loop().setExceptionHandler((l, c) -> loopErrors.add(c.exception()));
                        return null;
                    });
                }
                Flowable<Integer> left = make.apply(bg1.loop());
                Flowable<Integer> right = make.apply(bg2.loop());
                Aio.run(() -> {
                    for (int i = 0; i < repeats; i++) {
                        // kotlinx's catch {}: combineLatest ends with the first failure, or with
                        // both in RxJava's CompositeException when they meet in its drain
                        Throwable e = assertThrows(Throwable.class, () -> RxIterate.iterate(
                                Flowable.combineLatest(left, right, (a, b) -> a + b))
                                .forEach(x -> {}));
                        if (e instanceof io.reactivex.rxjava3.exceptions.CompositeException c) {
                            c.getExceptions().forEach(
                                    inner -> assertInstanceOf(TestException.class, inner));
                        } else {
                            assertInstanceOf(TestException.class, e);
                        }
                    }
                    return null;
                });
                bg1.sync();
                bg2.sync();
            }
            assertEquals(List.of(), loopErrors, "errors at the loops' handlers");
            assertTrue(plugins.size() <= repeats, "at most one undeliverable failure per"
                    + " iteration, the branch cancelled: " + plugins.size());
            for (Throwable e : plugins) {
                assertInstanceOf(UndeliverableException.class, e);
                assertInstanceOf(TestException.class, e.getCause());
            }
        }

        @Test
        void testSingle() throws Exception {
            combinedTwice(loop -> RxPublish.<Integer>single(() -> {
                throw new TestException("single");
            }, loop).toFlowable());
        }

        @Test
        void testObservable() throws Exception {
            combinedTwice(loop -> RxPublish.<Integer>observable(y -> {
                throw new TestException("observable");
            }, loop).toFlowable(io.reactivex.rxjava3.core.BackpressureStrategy.BUFFER));
        }

        @Test
        void testFlowable() throws Exception {
            combinedTwice(loop -> RxPublish.<Integer>flowable(y -> {
                throw new TestException("flowable");
            }, loop));
        }
    }
}
