package io.aiobridge.flow;

import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import io.aiobridge.testing.BackgroundLoop;
import io.aiobridge.testing.Recorder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The contracts users of kotlinx-coroutines' {@code publish {}}, Reactor's {@code Flux.create} and
 * RxJava rely on, beyond what the Reactive Streams TCK checks, for what only the core has (its
 * awaiting subscriber, raw publishers, futures). The contract all three publishers share (items
 * before a failure, demand, cancels) is {@link io.aiobridge.testing.AdapterContract}, which the
 * core runs as {@link CoreContractTest}. Most tests port a kotlinx reactive test (PublishTest,
 * IntegrationTest, AwaitCancellationStressTest).
 */
class PublisherContractTest {

    @Test
    void batchedIterationDeliversItemsBeforeTheFailureToo() {
        virtual(() -> {
            List<Integer> seen = new ArrayList<>();
            AsyncGenerator<Integer, Void> gen =
                    AsyncGenerator.of(y -> {
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
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            AsyncPublisher.<Integer>fromGenerator(y -> {
                try {
                    for (int i = 0; ; i++) {
                        y.yield(i);
                    }
                } finally {
                    closed.countDown();
                }
            }).on(bg.loop()).onErrorDropped(dropped::add).subscribe(r);
            assertTrue(closed.await(5, TimeUnit.SECONDS), "the generator was closed");
            bg.sync();
            assertEquals(List.of("onNext(0)"), r.signals, "no signal after the throwing onNext");
            assertEquals(List.of(bad), dropped);
        }
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
                    Task<Integer> t = Aio.createTask(() -> FlowAwait.awaitFirst(strict));
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

    static Publisher<Integer> breaking(Consumer<Subscriber<? super Integer>> how) {
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
            assertEquals(1, FlowAwait.awaitFirst(breaking(s -> {
                s.onNext(1);
                s.onNext(2);
                s.onComplete();
            })));
            // §1.7: signals after the terminal one
            assertEquals(1, FlowAwait.awaitLast(breaking(s -> {
                s.onNext(1);
                s.onComplete();
                s.onComplete();
            })));
            assertThrows(IllegalStateException.class, () -> FlowAwait.awaitSingle(breaking(s -> {
                s.onError(new IllegalStateException("dummy"));
                s.onNext(3);
            })));
            // §1.9: a signal before onSubscribe
            assertThrows(NoSuchElementException.class, () -> FlowAwait.awaitFirst(
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
                for (int i : FlowIterate.toAsyncIterable(endless)) {
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
                for (int i : FlowIterate.toAsyncIterable(endless, 4, 0.75)) {
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
            for (int i : FlowIterate.toAsyncIterable(endless, 4, 0.75)) {
                try {
                    Aio.timeout(0.5, () -> Aio.sleep(1, null));
                } catch (AsyncTimeoutException e) {
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
            AsyncFuture<String> done = idle.createFuture();
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
            AsyncFuture<String> failed = idle.createFuture();
            failed.setException(new IOException("x"));
            Recorder<String> f = new Recorder<>(0);
            AsyncPublisher.fromFuture(failed).subscribe(f);
            assertInstanceOf(IOException.class, f.awaitTerminal().error);
            // awaited from another running loop
            assertEquals("v", virtual(() -> FlowAwait.awaitSingle(AsyncPublisher.fromFuture(done))));
        }
    }

    @Test
    void aPublisherOfACancelledFutureSignalsAnError() throws Exception {
        try (EventLoop idle = EventLoop.newEventLoop()) {
            AsyncFuture<String> cancelled = idle.createFuture();
            cancelled.cancel("gone");
            Recorder<String> r = new Recorder<>(1);
            AsyncPublisher.fromFuture(cancelled).subscribe(r);
            r.awaitTerminal();
            assertInstanceOf(CancellationException.class, r.error);
            assertEquals("gone", r.error.getMessage());
        }
    }

    /** A subscriber that only acts on its subscription, and ignores every signal. */
    static <T> Subscriber<T> onSubscribe(Consumer<Subscription> action) {
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
