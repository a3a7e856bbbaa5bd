package io.aiobridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AioFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The contracts users of kotlinx-coroutines' {@code publish {}}, Reactor's {@code Flux.create} and
 * RxJava rely on, beyond what the Reactive Streams TCK checks: each test is named after the
 * behaviour, and most are ports of a kotlinx reactive test (PublishTest, IntegrationTest,
 * AwaitCancellationStressTest) to the core bridge.
 */
class PublisherContractTest {

    static <T> T virtual(Coroutine<T> main) {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            return r.run(main);
        }
    }

    static AsyncPublisher<Integer> yieldsThenFails(int n, Exception failure) {
        return AsyncPublisher.fromGenerator(y -> {
            for (int i = 0; i < n; i++) {
                y.yield(i);
            }
            throw failure;
        });
    }

    // ---- every item yielded before a failure is delivered, then onError ----------------------

    @Test
    void everyItemYieldedBeforeAFailureIsDeliveredUnderUnboundedDemand() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE);
        yieldsThenFails(100, boom).subscribe(r);
        r.awaitTerminal();
        assertEquals(100, r.items.size(), r.signals.toString());
        assertSame(boom, r.error);
        assertEquals("onError(IllegalStateException: boom)", r.signals.get(100));
    }

    @Test
    void everyItemYieldedBeforeAFailureIsDeliveredInSmallAndLargeBatches() throws Exception {
        for (int batch : new int[] {1, 8, 99, 100, 256}) {
            Recorder<Integer> r = new Recorder<>(0) {
                @Override
                public void onNext(Integer item) {
                    super.onNext(item);
                    if (items.size() % batch == 0) {
                        subscription.request(batch);
                    }
                }
            };
            yieldsThenFails(100, new IllegalStateException("boom")).subscribe(r);
            r.subscription.request(batch);
            r.awaitTerminal();
            assertEquals(100, r.items.size(), "batch " + batch + ": " + r.signals);
            assertEquals(List.of(0, 1, 2), r.items.subList(0, 3));
        }
    }

    @Test
    void aFailureAfterItemsWaitsForDemandForThoseItems() throws Exception {
        Recorder<Integer> r = new Recorder<>(2);
        yieldsThenFails(3, new IllegalStateException("boom")).subscribe(r);
        r.awaitSignals(2);
        Thread.sleep(20);
        assertEquals(List.of("onNext(0)", "onNext(1)"), r.signals, "the third item waits");
        r.subscription.request(1);
        r.awaitTerminal();
        assertEquals(List.of("onNext(0)", "onNext(1)", "onNext(2)",
                "onError(IllegalStateException: boom)"), r.signals);
    }

    @Test
    void batchedIterationDeliversItemsBeforeTheFailureToo() {
        virtual(() -> {
            List<Integer> seen = new ArrayList<>();
            io.aiobridge.iter.AsyncGenerator<Integer, Void> gen =
                    io.aiobridge.iter.AsyncGenerator.of(y -> {
                        for (int i = 0; i < 10; i++) {
                            y.yield(i);
                        }
                        throw new IllegalStateException("boom");
                    });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                for (int i : gen.prefetch(64)) {
                    seen.add(i);
                }
            });
            assertEquals("boom", e.getMessage());
            assertEquals(10, seen.size(), seen.toString());
            return null;
        });
    }

    // ---- onError gets what the body threw ---------------------------------------------------

    @Test
    void checkedExceptionsReachOnErrorUnwrapped() throws Exception {
        IOException disk = new IOException("disk");
        Recorder<Integer> gen = new Recorder<>(Long.MAX_VALUE);
        yieldsThenFails(2, disk).subscribe(gen);
        assertSame(disk, gen.awaitTerminal().error, "generator: " + gen.signals);
        Recorder<Integer> coro = new Recorder<>(Long.MAX_VALUE);
        AsyncPublisher.<Integer>fromCoroutine(() -> {
            throw disk;
        }).subscribe(coro);
        assertSame(disk, coro.awaitTerminal().error, "coroutine: " + coro.signals);
        Recorder<Integer> iterable = new Recorder<>(Long.MAX_VALUE);
        AsyncPublisher.fromIterable(io.aiobridge.iter.AsyncGenerator.<Integer, Void>of(y -> {
            y.yield(1);
            throw disk;
        })).subscribe(iterable);
        assertSame(disk, iterable.awaitTerminal().error, "iterable: " + iterable.signals);
    }

    // ---- demand that exactly matches the items still completes -------------------------------

    @Test
    void aGeneratorWhoseItemsMatchTheDemandCompletesWithoutAnotherRequest() throws Exception {
        Recorder<Integer> r = new Recorder<>(1);
        AsyncPublisher.<Integer>fromGenerator(y -> y.yield(42)).subscribe(r);
        r.awaitTerminal();
        assertEquals(List.of("onNext(42)", "onComplete"), r.signals);
        Recorder<Integer> three = new Recorder<>(3);
        AsyncPublisher.<Integer>fromGenerator(y -> {
            for (int i = 0; i < 3; i++) {
                y.yield(i);
            }
        }).subscribe(three);
        three.awaitTerminal();
        assertEquals(List.of("onNext(0)", "onNext(1)", "onNext(2)", "onComplete"), three.signals);
    }

    @Test
    void theBodyRunsOnToItsNextYieldAndWaitsThere() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        Recorder<Integer> r = new Recorder<>(2);
        AsyncPublisher.<Integer>fromGenerator(y -> {
            for (int i = 0; ; i++) {
                steps.add("before yield " + i);
                y.yield(i);
            }
        }).subscribe(r);
        r.awaitSignals(2);
        Thread.sleep(20);
        assertEquals(List.of("before yield 0", "before yield 1", "before yield 2"), steps,
                "as kotlinx's publish: the body runs to its next yield, which waits for demand");
        assertEquals(List.of("onNext(0)", "onNext(1)"), r.signals);
        r.subscription.cancel();
    }

    // ---- a cancel is never an error ----------------------------------------------------------

    @Test
    void anEarlyCancelIsNotReportedAsAnError() throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        List<String> finallies = new CopyOnWriteArrayList<>();
        AsyncPublisher<Integer> gen = AsyncPublisher.<Integer>fromGenerator(y -> {
            try {
                y.yield(1);
            } finally {
                finallies.add("finally");
            }
        }).onErrorDropped(dropped::add);
        try (EventLoop loop = EventLoop.newEventLoop()) {
            loop.setExceptionHandler((l, c) -> dropped.add(c.exception()));
            Thread runner = Thread.ofPlatform().start(loop::runForever);
            // cancelled inside onSubscribe, before the driver exists
            gen.on(loop).subscribe(onSubscribe(Subscription::cancel));
            // cancelled right after request, racing the first items
            gen.on(loop).subscribe(onSubscribe(s -> {
                s.request(1);
                s.cancel();
            }));
            CountDownLatch idle = new CountDownLatch(1);
            loop.callSoonThreadsafe(idle::countDown);
            assertTrue(idle.await(5, TimeUnit.SECONDS));
            Thread.sleep(20);
            loop.callSoonThreadsafe(loop::stop);
            runner.join(5000);
        }
        assertEquals(List.of(), dropped, "a cancel is never an error (rule 3.5)");
    }

    @Test
    void tenThousandCancelVersusCompleteRacesReportNothingAndCloseEachGeneratorOnce()
            throws Exception {
        int rounds = 10_000 * Integer.getInteger("stress.scale", 1);
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finallies = new AtomicInteger();
        Random rnd = new Random(Long.getLong("stress.seed", 13L));
        try (EventLoop loop = EventLoop.newEventLoop()) {
            loop.setExceptionHandler((l, c) -> dropped.add(c.exception()));
            Thread runner = Thread.ofPlatform().start(loop::runForever);
            AsyncPublisher<Integer> gen = AsyncPublisher.<Integer>fromGenerator(y -> {
                started.incrementAndGet();
                try {
                    y.yield(1);
                    y.yield(2);
                } finally {
                    finallies.incrementAndGet();
                }
            }).on(loop).onErrorDropped(dropped::add);
            List<Recorder<Integer>> all = new ArrayList<>(rounds);
            for (int i = 0; i < rounds; i++) {
                Recorder<Integer> r = new Recorder<>(rnd.nextInt(4));
                gen.subscribe(r);
                all.add(r);
                if (rnd.nextBoolean()) {
                    Thread.onSpinWait();
                }
                r.subscription.cancel();
            }
            CountDownLatch idle = new CountDownLatch(1);
            loop.callSoonThreadsafe(() -> loop.callSoon(idle::countDown));
            assertTrue(idle.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (finallies.get() < started.get() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            loop.callSoonThreadsafe(loop::stop);
            runner.join(5000);
            for (Recorder<Integer> r : all) {
                assertFalse(r.signals.stream().anyMatch(s -> s.startsWith("onError")),
                        r.signals.toString());
            }
        }
        assertEquals(List.of(), dropped, "no spurious reports");
        assertEquals(started.get(), finallies.get(), "exactly one finally per started generator");
    }

    // ---- a subscriber that throws from onNext (rule 2.13) -----------------------------------

    @Test
    void aThrowingOnNextCancelsTheSubscriptionAndIsReportedNotSignalled() throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        IllegalStateException bad = new IllegalStateException("subscriber bug");
        Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE) {
            @Override
            public void onNext(Integer item) {
                super.onNext(item);
                throw bad;
            }
        };
        AsyncPublisher.<Integer>fromGenerator(y -> {
            try {
                for (int i = 0; ; i++) {
                    y.yield(i);
                }
            } finally {
                closed.countDown();
            }
        }).onErrorDropped(dropped::add).subscribe(r);
        assertTrue(closed.await(5, TimeUnit.SECONDS), "the generator was closed");
        Thread.sleep(20);
        assertEquals(List.of("onNext(0)"), r.signals, "no signal after the throwing onNext");
        assertEquals(List.of(bad), dropped);
    }

    // ---- rule 2.7 for the awaiting subscriber ------------------------------------------------

    /** kotlinx's AwaitCancellationStressTest: request and cancel never overlap. */
    @Test
    void awaitingSubscriberCallsRequestAndCancelSerially() throws Exception {
        int rounds = 10_000 * Integer.getInteger("stress.scale", 1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Publisher<Integer> strict = s -> {
            ReentrantLock lock = new ReentrantLock();
            Subscription sub = new Subscription() {
                @Override
                public void request(long n) {
                    if (!lock.tryLock()) {
                        failures.add(new AssertionError("request overlaps cancel"));
                        return;
                    }
                    try {
                        Thread.onSpinWait();
                    } finally {
                        lock.unlock();
                    }
                }

                @Override
                public void cancel() {
                    if (!lock.tryLock()) {
                        failures.add(new AssertionError("cancel overlaps request"));
                        return;
                    }
                    lock.unlock();
                }
            };
            Thread.ofPlatform().start(() -> s.onSubscribe(sub)); // onSubscribe on another thread
        };
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                for (int i = 0; i < rounds; i++) {
                    Task<Integer> t = Aio.createTask(() -> Publishers.awaitFirst(strict));
                    Aio.sleep(0);
                    t.cancel();
                    assertThrows(CancelledError.class, t::await);
                }
                return null;
            });
        }
        assertEquals(List.of(), failures);
    }

    // ---- await functions report publishers that break the rules -----------------------------

    static Publisher<Integer> breaking(java.util.function.Consumer<Subscriber<? super Integer>> how) {
        return s -> {
            s.onSubscribe(new Subscription() {
                boolean done;

                @Override
                public void request(long n) {
                    if (!done) {
                        done = true;
                        how.accept(s);
                    }
                }

                @Override
                public void cancel() {}
            });
        };
    }

    @Test
    void awaitFunctionsReportPublishersThatBreakTheRules() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            // §1.1: more items than requested
            assertEquals(1, Publishers.awaitFirst(breaking(s -> {
                s.onNext(1);
                s.onNext(2);
                s.onComplete();
            })));
            // §1.7: signals after the terminal one
            assertEquals(1, Publishers.awaitLast(breaking(s -> {
                s.onNext(1);
                s.onComplete();
                s.onComplete();
            })));
            assertThrows(IllegalStateException.class, () -> Publishers.awaitSingle(breaking(s -> {
                s.onError(new IllegalStateException("dummy"));
                s.onNext(3);
            })));
            // §1.9: a signal before onSubscribe
            assertThrows(java.util.NoSuchElementException.class, () -> Publishers.awaitFirst(
                    (Publisher<Integer>) s -> {
                        s.onNext(3);
                        s.onSubscribe(new Subscription() {
                            @Override
                            public void request(long n) {}

                            @Override
                            public void cancel() {}
                        });
                        s.onComplete();
                    }));
            Aio.sleep(0);
            return null;
        });
        List<String> messages = reported.stream().map(c -> String.valueOf(
                c.exception() == null ? c.message() : c.exception().getMessage())).toList();
        assertEquals(4, reported.size(), messages.toString());
        assertTrue(messages.get(0).contains("§1.1"), messages.get(0));
        assertTrue(messages.get(1).contains("§1.7"), messages.get(1));
        assertTrue(messages.get(2).contains("§1.7"), messages.get(2));
        assertTrue(messages.get(3).contains("§1.9"), messages.get(3));
    }

    // ---- iterations belong to the task that started them ------------------------------------

    /** A publisher that counts its live subscriptions and its cancels. */
    static final class Tracked implements Publisher<Integer> {
        final AtomicInteger cancels = new AtomicInteger();
        final AtomicInteger live = new AtomicInteger();

        @Override
        public void subscribe(Subscriber<? super Integer> s) {
            live.incrementAndGet();
            s.onSubscribe(new Subscription() {
                int next;
                boolean cancelled;

                @Override
                public synchronized void request(long n) {
                    for (long i = 0; i < n && !cancelled; i++) {
                        s.onNext(next++);
                    }
                }

                @Override
                public synchronized void cancel() {
                    if (!cancelled) {
                        cancelled = true;
                        cancels.incrementAndGet();
                        live.decrementAndGet();
                    }
                }
            });
        }
    }

    @Test
    void breakingOutOfAForEachCancelsTheSubscriptionWhenTheTaskEnds() {
        Tracked endless = new Tracked();
        virtual(() -> {
            Task<Void> t = Aio.createTask(() -> {
                for (int i : Publishers.toAsyncIterable(endless)) {
                    if (i == 3) {
                        break;
                    }
                }
                return null;
            });
            t.await();
            assertEquals(1, endless.cancels.get(), "the task ended: its subscription too");
            return null;
        });
        assertEquals(0, endless.live.get());
    }

    @Test
    void cancellingATaskInsideTheLoopBodyCancelsItsSubscription() {
        Tracked endless = new Tracked();
        virtual(() -> {
            Task<Void> t = Aio.createTask(() -> {
                for (int i : Publishers.toAsyncIterable(endless, 4, 0.75)) {
                    Aio.sleep(1); // the cancel lands here, not in the iterator
                }
                return null;
            });
            Aio.sleep(2.5);
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertEquals(0, endless.live.get(), "the subscription ended with its task");
            return null;
        });
    }

    @Test
    void aTimeoutInsideTheLoopBodyDoesNotEndTheIteration() {
        Tracked endless = new Tracked();
        virtual(() -> {
            int timeouts = 0;
            for (int i : Publishers.toAsyncIterable(endless, 4, 0.75)) {
                try {
                    Aio.timeout(0.5, () -> Aio.sleep(1, null));
                } catch (io.aiobridge.AsyncTimeoutException e) {
                    timeouts++;
                }
                if (i == 5) {
                    break;
                }
            }
            assertEquals(6, timeouts, "the iteration went on after each timeout");
            return null;
        });
        assertEquals(0, endless.live.get(), "closed when the main task ended");
    }

    // ---- a done future publishes whether or not its loop runs --------------------------------

    @Test
    void aPublisherOfADoneFutureEmitsWhileItsLoopIsIdle() throws Exception {
        try (EventLoop idle = EventLoop.newEventLoop()) {
            AioFuture<String> done = idle.createFuture();
            done.setResult("v");
            Recorder<String> r = new Recorder<>(1);
            AsyncPublisher.fromFuture(done).subscribe(r);
            r.awaitTerminal();
            assertEquals(List.of("onNext(v)", "onComplete"), r.signals);
            Recorder<String> bad = new Recorder<>(0);
            AsyncPublisher.fromFuture(done).subscribe(bad);
            bad.subscription.request(-1);
            bad.awaitTerminal();
            assertInstanceOf(IllegalArgumentException.class, bad.error);
            assertTrue(bad.error.getMessage().contains("§3.9"));
            AioFuture<String> failed = idle.createFuture();
            failed.setException(new IOException("x"));
            Recorder<String> f = new Recorder<>(0);
            AsyncPublisher.fromFuture(failed).subscribe(f);
            assertInstanceOf(IOException.class, f.awaitTerminal().error);
            // awaited from another running loop
            assertEquals("v", virtual(() -> Publishers.awaitSingle(AsyncPublisher.fromFuture(done))));
        }
    }

    @Test
    void aPublisherOfACancelledFutureSignalsAnError() throws Exception {
        try (EventLoop idle = EventLoop.newEventLoop()) {
            AioFuture<String> cancelled = idle.createFuture();
            cancelled.cancel("gone");
            Recorder<String> r = new Recorder<>(1);
            AsyncPublisher.fromFuture(cancelled).subscribe(r);
            r.awaitTerminal();
            assertInstanceOf(java.util.concurrent.CancellationException.class, r.error);
            assertEquals("gone", r.error.getMessage());
        }
    }

    /** A subscriber that only acts on its subscription, and ignores every signal. */
    static <T> Subscriber<T> onSubscribe(java.util.function.Consumer<Subscription> action) {
        return new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                action.accept(s);
            }

            @Override
            public void onNext(T item) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {}
        };
    }
}
