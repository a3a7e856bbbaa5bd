package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.testing.AdapterContract;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.exceptions.CompositeException;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

/**
 * What RxJava users rely on from a Flowable, Single, Maybe or Completable made by the bridge, and
 * from awaiting one. The shared {@link AdapterContract} (which the Reactor adapter runs too) holds
 * it to the sequences kotlinx-coroutines-rx3's FlowableTest, LeakedExceptionTest and
 * IntegrationTest check; the tests here are the ones only RxJava's types, operators and
 * TestSubscriber express. Every test fails if anything reached {@code RxJavaPlugins.onError}
 * unexpectedly: a cancel is never an error.
 */
class RxContractTest extends AdapterContract {

    @Override
    protected <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body) {
        return RxPublish.flowable(body);
    }

    @Override
    protected <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body, EventLoop loop) {
        return RxPublish.flowable(body, loop);
    }

    @Override
    protected <T> Publisher<T> coroutine(Coroutine<T> coro) {
        return RxPublish.single(coro).toFlowable();
    }

    @Override
    protected <T> Publisher<T> future(AsyncFuture<T> future) {
        return RxPublish.single(future).toFlowable();
    }

    @Override
    protected <T> T awaitSingle(Publisher<T> source) {
        return RxAwait.await(Single.fromPublisher(source));
    }

    @Override
    protected <T> AsyncIterable<T> iterate(Publisher<T> source, int prefetch) {
        return RxIterate.iterate(Flowable.fromPublisher(source), prefetch);
    }

    @Override
    protected void installDroppedHook(Consumer<Throwable> hook) {
        // RxJava wraps what it cannot deliver; the contract compares the errors themselves
        RxJavaPlugins.setErrorHandler(e -> hook.accept(
                e instanceof UndeliverableException u ? u.getCause() : e));
    }

    @Override
    protected void resetDroppedHook() {
        RxJavaPlugins.setErrorHandler(null);
    }

    static Flowable<Integer> yieldsThenFails(int n, Exception failure) {
        return RxPublish.flowable(y -> {
            for (int i = 0; i < n; i++) {
                y.yield(i);
            }
            throw failure;
        });
    }

    @Test
    void everyItemBeforeAGeneratorsFailureIsDelivered() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        yieldsThenFails(100, boom).test().awaitDone(10, TimeUnit.SECONDS)
                .assertValueCount(100).assertError(boom);
        yieldsThenFails(100, boom).rebatchRequests(8).test().awaitDone(10, TimeUnit.SECONDS)
                .assertValueCount(100).assertError(boom);
        TestSubscriber<Integer> slow = yieldsThenFails(3, boom).test(2);
        slow.awaitCount(2);
        slow.assertValues(0, 1);
        slow.requestMore(1);
        slow.awaitDone(10, TimeUnit.SECONDS).assertValues(0, 1, 2).assertError(boom);
    }

    @Test
    void checkedExceptionsReachOnErrorAsThemselves() throws Exception {
        IOException io = new IOException("disk");
        yieldsThenFails(1, io).test().awaitDone(10, TimeUnit.SECONDS)
                .assertValues(0).assertError(io);
        RxPublish.single(() -> {
            throw io;
        }).test().awaitDone(10, TimeUnit.SECONDS).assertError(io);
        RxPublish.completable(() -> {
            throw io;
        }).test().awaitDone(10, TimeUnit.SECONDS).assertError(io);
    }

    @Test
    void earlyCancelsAreNotErrors() throws Exception {
        AtomicInteger finallies = new AtomicInteger();
        Flowable<Integer> gen = RxPublish.flowable(y -> {
            try {
                for (int i = 0; i < 10; i++) {
                    y.yield(i);
                    Aio.sleep(0.001);
                }
            } finally {
                finallies.incrementAndGet();
            }
        });
        gen.take(0).test().awaitDone(10, TimeUnit.SECONDS).assertNoValues().assertComplete();
        TestSubscriber<Integer> ts = gen.test(0);
        ts.cancel();
        gen.take(2).test().awaitDone(10, TimeUnit.SECONDS).assertValues(0, 1).assertComplete();
        Flowable.zip(gen, Flowable.<Integer>error(new IllegalStateException("partner")),
                Integer::sum).test().awaitDone(10, TimeUnit.SECONDS)
                .assertError(e -> "partner".equals(e.getMessage()));
        RxPublish.single(() -> Aio.sleep(10, 1)).test().dispose();
    }

    @Test
    void tenThousandCancelVersusCompleteRacesReportNothing() {
        int rounds = 10_000 * Integer.getInteger("stress.scale", 1);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finallies = new AtomicInteger();
        Flowable<Integer> gen = RxPublish.flowable(y -> {
            started.incrementAndGet();
            try {
                y.yield(1);
                y.yield(2);
            } finally {
                finallies.incrementAndGet();
            }
        });
        Single<Integer> coro = RxPublish.single(() -> 1);
        for (int i = 0; i < rounds; i++) {
            assertEquals(2, Flowable.zip(gen, coro.toFlowable(), Integer::sum).blockingLast());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (finallies.get() < started.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(started.get(), finallies.get(), "exactly one finally per generator");
    }

    /**
     * kotlinx-coroutines-rx3's LeakedExceptionTest: failing sources combined; what reaches
     * RxJavaPlugins is only ever the source's own failure, as an UndeliverableException.
     */
    @Test
    void failingSourcesInsideCombineLeakOnlyTheirOwnErrors() {
        List<Throwable> raw = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setErrorHandler(raw::add); // as RxJava hands them over, wrapper included
        Flowable<Integer> failing = RxPublish.flowable(y -> {
            throw new TestException("expected");
        });
        Single<Integer> failingSingle = RxPublish.single(() -> {
            throw new TestException("expected");
        });
        for (int i = 0; i < 2_000; i++) {
            Flowable.combineLatest(failing, failing, Integer::sum).test().awaitDone(5,
                    TimeUnit.SECONDS).assertError(RxContractTest::onlyTestExceptions);
            Flowable.combineLatest(failingSingle.toFlowable(), failingSingle.toFlowable(),
                    Integer::sum).test().awaitDone(5, TimeUnit.SECONDS)
                    .assertError(RxContractTest::onlyTestExceptions);
        }
        for (Throwable e : raw) {
            assertTrue(e instanceof UndeliverableException
                    && e.getCause() instanceof TestException, String.valueOf(e));
        }
    }

    @Test
    void awaitingNeverDisposesASingleMaybeOrCompletableAfterItsValue() {
        List<String> signals = new CopyOnWriteArrayList<>();
        Single<Integer> single = Single.just(1).doOnSuccess(v -> signals.add("single"))
                .doOnDispose(() -> signals.add("single disposed"));
        Maybe<Integer> maybe = Maybe.just(2).doOnSuccess(v -> signals.add("maybe"))
                .doOnDispose(() -> signals.add("maybe disposed"));
        Completable done = Completable.complete().doOnComplete(() -> signals.add("completable"))
                .doOnDispose(() -> signals.add("completable disposed"));
        Aio.run(() -> {
            assertEquals(1, RxAwait.await(single));
            assertEquals(2, RxAwait.awaitOrNull(maybe));
            assertEquals(2, RxAwait.awaitOptional(maybe).orElseThrow());
            RxAwait.await(done);
            return null;
        });
        assertEquals(List.of("single", "maybe", "maybe", "completable"), signals);
    }

    @Test
    void aSchedulerWorkerForgetsWhatItRan() {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            r.run(() -> {
                Scheduler s = RxSchedulers.of(Aio.getRunningLoop());
                Aio.sleep(3600);
                assertEquals(3600.0, s.now(TimeUnit.NANOSECONDS) / 1e9, 1e-3);
                Scheduler.Worker w = s.createWorker();
                AtomicInteger ran = new AtomicInteger();
                WeakReference<byte[]> ref = scheduleCapturing(w, ran, new byte[16 << 20]);
                for (int i = 0; i < 10_000; i++) {
                    w.schedule(ran::incrementAndGet);
                }
                Aio.sleep(0.01);
                assertEquals(10_001, ran.get());
                assertTrue(w.toString().contains("pending=0"), w.toString());
                for (int i = 0; i < 50 && ref.get() != null; i++) {
                    System.gc();
                    Aio.sleep(0.001);
                }
                assertNull(ref.get(), "a task that ran is not kept by its worker");
                w.dispose();
                return null;
            });
        }
    }

    /** The failure itself, or both failures as RxJava's combineLatest collects them. */
    static boolean onlyTestExceptions(Throwable e) {
        return e instanceof TestException || (e instanceof CompositeException c
                && c.getExceptions().stream().allMatch(TestException.class::isInstance));
    }

    /** Not one of the types RxJava treats as a bug, so RxJavaPlugins wraps it as undeliverable. */
    static final class TestException extends RuntimeException {
        TestException(String message) {
            super(message);
        }
    }

    private static WeakReference<byte[]> scheduleCapturing(Scheduler.Worker w, AtomicInteger ran,
            byte[] big) {
        w.schedule(() -> ran.addAndGet(big.length > 0 ? 1 : 0));
        return new WeakReference<>(big);
    }
}
