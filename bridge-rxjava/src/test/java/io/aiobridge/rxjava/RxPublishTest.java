package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.iter.Itertools;
import io.aiobridge.testing.BackgroundLoop;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** From aiobridge to RxJava: generators, iterables, coroutines and futures as RxJava types. */
class RxPublishTest {
    static final long WAIT = 10; // seconds: a bug fails the test instead of hanging the build

    @AfterEach
    void resetPlugins() {
        RxJavaPlugins.setErrorHandler(null);
    }

    private static void awaitLatch(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(WAIT, TimeUnit.SECONDS), what);
    }

    // ---- Flowable from a generator -------------------------------------------------------------

    @Test
    void aGeneratorFlowableRunsOnlyWithDemandAndClosesOnCancel() throws Exception {
        List<Long> produced = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Flowable<Long> flowable = RxPublish.flowable(y -> {
                try {
                    for (long i = 0; ; i++) {
                        produced.add(i);
                        y.yield(i);
                    }
                } finally {
                    closed.countDown();
                }
            }, bg.loop());
            TestSubscriber<Long> ts = flowable.test(0);
            bg.sync();
            assertEquals(List.of(0L), produced, "no demand: waiting at the first yield");
            ts.assertNoValues();
            ts.request(2);
            ts.awaitCount(2);
            ts.assertValues(0L, 1L);
            bg.sync();
            assertEquals(List.of(0L, 1L, 2L), produced, "the generator runs only with demand");
            ts.request(1);
            ts.awaitCount(3);
            ts.assertValues(0L, 1L, 2L);
            ts.cancel();
            awaitLatch(closed, "cancel closed the generator (its finally ran)");
            ts.assertNotComplete().assertNoErrors();
        }
    }

    @Test
    void generatorFlowableValuesEmptyAndError() {
        RxPublish.<Integer>flowable(y -> {
            y.yield(1);
            Aio.sleep(0.001);
            y.yield(2);
        }).test().awaitDone(WAIT, TimeUnit.SECONDS).assertResult(1, 2);
        RxPublish.<Integer>flowable(y -> { }).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertResult();
        RxPublish.<Integer>flowable(y -> {
            y.yield(1);
            throw new IllegalArgumentException("bad");
        }).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertValues(1).assertError(IllegalArgumentException.class);
    }

    @Test
    void anAsyncIterableAsFlowableAndObservable() {
        var source = Itertools.fromIterable(List.of("a", "b", "c"));
        RxPublish.flowable(source).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertResult("a", "b", "c");
        RxPublish.observable(source).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertResult("a", "b", "c");
    }

    @Test
    void aGeneratorObservableClosesTheGeneratorOnDispose() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Observable<Integer> ticks = RxPublish.observable(y -> {
            try {
                for (int i = 0; ; i++) {
                    y.yield(i);
                    Aio.sleep(0.001);
                }
            } finally {
                closed.countDown();
            }
        });
        TestObserver<Integer> to = ticks.test();
        to.awaitCount(3);
        to.dispose();
        awaitLatch(closed, "dispose closed the generator");
        assertTrue(to.values().subList(0, 3).equals(List.of(0, 1, 2)), to.values().toString());
        to.assertNotComplete().assertNoErrors();
    }

    @Test
    void undeliverableErrorsGoToRxJavaPlugins() throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        CountDownLatch seen = new CountDownLatch(1);
        RxJavaPlugins.setErrorHandler(e -> {
            dropped.add(e);
            seen.countDown();
        });
        Flowable<Integer> failsOnClose = RxPublish.flowable(y -> {
            try {
                for (int i = 0; ; i++) {
                    y.yield(i);
                }
            } finally {
                throw new IllegalStateException("cleanup failed");
            }
        });
        failsOnClose.take(2).test().awaitDone(WAIT, TimeUnit.SECONDS).assertResult(0, 1);
        awaitLatch(seen, "the error reached RxJavaPlugins.onError");
        Throwable e = dropped.get(0);
        // RxJavaPlugins wraps errors it does not know as UndeliverableException
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        assertEquals("cleanup failed", cause.getMessage());
    }

    // ---- Single, Maybe, Completable from coroutines ---------------------------------------------

    @Test
    void singleMaybeAndCompletableFromCoroutines() {
        RxPublish.single(() -> Aio.sleep(0.001, "v")).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertResult("v");
        RxPublish.maybe(() -> Aio.sleep(0.001, "v")).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertResult("v");
        RxPublish.maybe(() -> null).test().awaitDone(WAIT, TimeUnit.SECONDS).assertResult();
        RxPublish.completable(() -> Aio.sleep(0.001, "ignored")).test()
                .awaitDone(WAIT, TimeUnit.SECONDS).assertResult();
        RxPublish.single(() -> {
            throw new IllegalStateException("boom");
        }).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertError(e -> e instanceof IllegalStateException && "boom".equals(e.getMessage()));
        RxPublish.completable(() -> {
            throw new IllegalStateException("boom");
        }).test().awaitDone(WAIT, TimeUnit.SECONDS).assertError(IllegalStateException.class);
    }

    @Test
    void aSingleRefusesANullResultAndSaysWhatToUse() {
        RxPublish.single(() -> null).test().awaitDone(WAIT, TimeUnit.SECONDS)
                .assertError(e -> e instanceof NullPointerException
                        && e.getMessage().contains("RxPublish.maybe"));
    }

    @Test
    void coroutineTypesAreLazyOneRunPerSubscription() {
        List<String> runs = new CopyOnWriteArrayList<>();
        Single<Integer> single = RxPublish.single(() -> {
            runs.add("single");
            return runs.size();
        });
        Completable completable = RxPublish.completable(() -> runs.add("completable"));
        assertEquals(List.of(), runs);
        single.test().awaitDone(WAIT, TimeUnit.SECONDS).assertResult(1);
        single.test().awaitDone(WAIT, TimeUnit.SECONDS).assertResult(2);
        completable.test().awaitDone(WAIT, TimeUnit.SECONDS).assertComplete();
        assertEquals(List.of("single", "single", "completable"), runs);
    }

    @Test
    void disposingCancelsTheTask() throws Exception {
        for (int kind = 0; kind < 3; kind++) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch cleaned = new CountDownLatch(1);
            Coroutine<String> slow = () -> {
                started.countDown();
                try {
                    return Aio.sleep(60, "late");
                } finally {
                    cleaned.countDown();
                }
            };
            var observer = switch (kind) {
                case 0 -> RxPublish.single(slow).test();
                case 1 -> RxPublish.maybe(slow).test();
                default -> RxPublish.completable(slow).<String>toSingleDefault("x").test();
            };
            awaitLatch(started, "the coroutine started");
            observer.dispose();
            awaitLatch(cleaned, "disposing cancelled the task (kind " + kind + ")");
            observer.assertEmpty();
        }
    }

    // ---- futures and tasks ---------------------------------------------------------------------

    @Test
    void futuresAndTasksAsSingleMaybeAndCompletable() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            EventLoop loop = bg.loop();
            AsyncFuture<String> f = bg.run(() -> loop.<String>createFuture());
            TestObserver<String> single = RxPublish.single(f).test();
            TestObserver<String> maybe = RxPublish.maybe(f).test();
            TestObserver<Void> done = RxPublish.completable(f).test();
            bg.sync();
            single.assertEmpty();
            loop.callSoonThreadsafe(() -> f.setResult("ready"));
            single.awaitDone(WAIT, TimeUnit.SECONDS).assertResult("ready");
            maybe.awaitDone(WAIT, TimeUnit.SECONDS).assertResult("ready");
            done.awaitDone(WAIT, TimeUnit.SECONDS).assertResult();

            AsyncFuture<String> empty = bg.run(() -> Aio.createTask(() -> (String) null));
            RxPublish.maybe(empty).test().awaitDone(WAIT, TimeUnit.SECONDS).assertResult();
            RxPublish.single(empty).test().awaitDone(WAIT, TimeUnit.SECONDS)
                    .assertError(NullPointerException.class);

            AsyncFuture<String> never = bg.run(() -> Aio.createTask(() -> Aio.sleep(60, "late")));
            TestObserver<String> waiting = RxPublish.single(never).test();
            waiting.dispose();
            bg.sync();
            assertTrue(never.isCancelled(), "disposing the Single cancelled the task");
        }
    }

    @Test
    void maybeOfAnAlreadyFailedFuture() {
        Aio.run(() -> {
            AsyncFuture<String> f = Aio.getRunningLoop().createFuture();
            f.setException(new IllegalArgumentException("failed before subscription"));
            assertEquals("failed before subscription", Assertions.assertThrows(
                    IllegalArgumentException.class, () -> RxAwait.awaitOrNull(RxPublish.maybe(f)))
                    .getMessage());
            return null;
        });
    }

    @Test
    void nullArgumentsAreRejectedWithTheirName() {
        var e = Assertions.assertThrows(NullPointerException.class,
                () -> RxPublish.flowable((AsyncGenerator.Body<Object, Void>) null));
        assertTrue(e.getMessage().contains("body"), e.getMessage());
        Assertions.assertThrows(NullPointerException.class,
                () -> RxPublish.single((Coroutine<Object>) null));
        Assertions.assertThrows(NullPointerException.class,
                () -> RxPublish.maybe((AsyncFuture<Object>) null));
    }

    @Test
    void blockingGetWorksFromAPlainThread() {
        Maybe<String> m = RxPublish.maybe(() -> "x");
        assertEquals("x", m.blockingGet());
    }
}
