package io.aiobridge.flow;

import static io.aiobridge.testing.KotlinxCases.settle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.GeneratorExit;
import io.aiobridge.Task;
import io.aiobridge.testing.KotlinxCases;
import io.aiobridge.testing.KotlinxCases.TestException;
import io.aiobridge.testing.Steps;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * kotlinx-coroutines-reactive's tests of {@code publish}, {@code Flow.asPublisher}, the awaits,
 * {@code asFlow}, {@code collect} and their stress tests, ported to {@link AsyncPublisher}, {@link FlowAwait} and {@link FlowIterate}: one
 * nested class per kotlinx file, each test with kotlinx's name. kotlinx's {@code publish} body and
 * its cold {@code flow} are a generator; its {@code send} is {@code yield}; its {@code collect} is an iteration's
 * {@code forEach}; its exception handler is the loop's.
 *
 * <p>Where ours differs by design, the test says so and checks ours: a generator learns that its
 * subscriber is gone through GeneratorExit at its {@code yield} (asyncio's {@code aclose()}),
 * where kotlinx's {@code send} throws the subscriber's own exception; and an iteration with a
 * prefetch replenishes when a fraction of it is consumed (Reactor's rule; {@code replenish = 1.0}
 * gives kotlinx's whole-buffer requests, which testRequestSizeWithBuffer pins).
 *
 * <p>Left out: testIllegalArgumentException (no context argument), testTrySendNotThrowing and
 * testChannelClosing (no {@code trySend}, no {@code close()}: a generator ends by returning),
 * PublisherMultiTest (many coroutines {@code send} into one publisher), the conflated and
 * {@code produceIn} cases of PublisherAsFlowTest (no such operators), CancelledParentAttachTest
 * (kotlinx's Job tree).
 */
class KotlinxReactivePortTest {
    /** Runs {@code body} on a loop whose exception handler hands each error to {@code errors}. */
    private static void withHandler(List<Throwable> errors, io.aiobridge.Coroutine<?> body) {
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> errors.add(c.exception()));
            return body.call();
        });
    }

    /** A Subscriber from lambdas; every signal not given is unreached. */
    private static <T> Subscriber<T> subscriber(Steps s, Consumer<Subscription> onSubscribe,
            Consumer<T> onNext) {
        return new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription sub) {
                onSubscribe.accept(sub);
            }

            @Override
            public void onNext(T item) {
                onNext.accept(item);
            }

            @Override
            public void onError(Throwable t) {
                s.expectUnreached();
            }

            @Override
            public void onComplete() {
                s.expectUnreached();
            }
        };
    }

    @Nested
    class PublishTest {
        /** The body fails after its cancel: the loop's handler gets it, once; nobody else. */
        @Test
        void testHandleFailureAfterCancel() throws Exception {
            Steps s = new Steps();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> failed = new CompletableFuture<>();
            withHandler(errors, () -> {
                s.expect(1);
                Publisher<Object> publisher = AsyncPublisher.fromGenerator(y -> {
                    try {
                        s.expect(3);
                        Aio.sleep(10_000);
                    } finally {
                        s.expect(5);
                        failed.complete(null);
                        throw new RuntimeException("FAILED"); // crash after cancel
                    }
                });
                Subscription[] sub = new Subscription[1];
                publisher.subscribe(subscriber(s, x -> {
                    s.expect(2);
                    sub[0] = x;
                }, v -> s.expectUnreached()));
                Aio.sleep(0); // kotlinx runs it Unconfined
                s.expect(4);
                sub[0].cancel();
                settle(failed);
                Aio.sleep(0); // the handler runs as the driver ends
                assertEquals(1, errors.size(), errors.toString());
                assertEquals("FAILED", errors.get(0).getMessage());
                s.finish(6);
                return null;
            });
        }

        /**
         * onNext throws: the loop's handler gets it, and the body learns it is closed at its
         * yield (kotlinx: send throws that exception; here: GeneratorExit, asyncio's aclose()).
         */
        @Test
        void testOnNextError() throws Exception {
            Steps s = new Steps();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> latch = new CompletableFuture<>();
            withHandler(errors, () -> {
                s.expect(1);
                Publisher<String> publisher = AsyncPublisher.fromGenerator(y -> {
                    s.expect(4);
                    try {
                        y.yield("OK");
                    } catch (GeneratorExit e) {
                        s.expect(6);
                        latch.complete(null);
                        throw e;
                    }
                });
                s.expect(2);
                publisher.subscribe(subscriber(s, sub -> {
                    s.expect(3);
                    sub.request(1);
                }, t -> {
                    s.expect(5);
                    assertEquals("OK", t);
                    throw new TestException("onNext");
                }));
                settle(latch);
                Aio.sleep(0);
                assertEquals(1, errors.size(), errors.toString());
                assertInstanceOf(TestException.class, errors.get(0));
                s.finish(7);
                return null;
            });
        }

        /** The consumer fails on the first item: the body ran one item ahead, no further. */
        @Test
        void testFailingConsumer() {
            Steps s = new Steps();
            Aio.run(() -> {
                Publisher<Integer> pub = AsyncPublisher.fromGenerator(y -> {
                    for (int i = 0; i < 3; i++) {
                        s.expect(i + 1); // 1 and 2 run: one item of lookahead
                        y.yield(i);
                    }
                });
                try {
                    FlowIterate.toAsyncIterable(pub, 1, 1.0).forEach(v -> {
                        throw new TestException("consumer");
                    });
                } catch (TestException e) {
                    s.finish(3);
                }
                return null;
            });
        }

        /**
         * The collector cancels while the body waits at a yield with no demand: the body is
         * closed there, and nothing is lost or reported. kotlinx's collector is a rendezvous
         * ({@code buffer(0)}), so its second send waits; ours holds one item (prefetch 1), so
         * the second item is requested as the first is taken, and the third yield waits.
         */
        @Test
        void testOnSendCancelled() throws Exception {
            Steps s = new Steps();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            withHandler(errors, () -> {
                Publisher<Integer> published = AsyncPublisher.fromGenerator(y -> {
                    s.expect(2);
                    y.yield(1);
                    y.yield(2); // prefetched while the collector holds the first
                    try {
                        y.yield(3); // lookahead: waits here, no demand
                        s.expectUnreached();
                    } catch (GeneratorExit e) {
                        closed.complete(null);
                        throw e;
                    }
                });
                s.expect(1);
                CompletableFuture<Void> got = new CompletableFuture<>();
                Task<Void> job = Aio.createTask(() -> {
                    FlowIterate.toAsyncIterable(published, 1, 1.0).forEach(v -> {
                        got.complete(null);
                        Aio.sleep(3600); // hang
                    });
                    return null;
                });
                settle(got);
                s.expect(3);
                job.cancel();
                assertThrows(CancelledError.class, () -> Aio.await(job));
                settle(closed);
                s.finish(4);
                return null;
            });
            assertEquals(List.of(), errors);
        }
    }

    @Nested
    class PublisherBackpressureTest {
        /**
         * kotlinx hands each item to onNext as it is sent. Ours runs the body to its first
         * yield, then through the rest of the demand plus one item of lookahead, and delivers
         * that batch (a hand-off per batch, not per item), so the body's step before C comes
         * before onNext of B. The demand bounds both, and the cancel closes the body at the
         * yield that waits.
         */
        @Test
        void testCancelWhileBPSuspended() throws Exception {
            Steps s = new Steps();
            CompletableFuture<Void> delivered = new CompletableFuture<>();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            Aio.run(() -> {
                s.expect(1);
                Publisher<String> observable = AsyncPublisher.fromGenerator(y -> {
                    s.expect(5);
                    y.yield("A"); // does not wait: an item was requested
                    s.expect(7);
                    y.yield("B"); // the second requested item
                    s.expect(8);
                    try {
                        y.yield("C"); // waits: no more requested
                    } finally {
                        s.expect(12);
                        ended.complete(null);
                    }
                    s.expectUnreached();
                });
                s.expect(2);
                Subscription[] sub = new Subscription[1];
                observable.subscribe(subscriber(s, x -> {
                    sub[0] = x;
                    s.expect(3);
                    x.request(2);
                }, t -> {
                    switch (t) {
                        case "A" -> s.expect(6);
                        case "B" -> {
                            s.expect(9);
                            delivered.complete(null);
                        }
                        default -> throw new AssertionError("should not happen: " + t);
                    }
                }));
                s.expect(4);
                Aio.sleep(0); // to the publisher's body
                settle(delivered);
                s.expect(10);
                sub[0].cancel(); // closes the body, with no signal
                s.expect(11);
                Aio.sleep(0); // runs the body's finally
                settle(ended);
                s.finish(13);
                return null;
            });
        }
    }

    /** A publisher whose subscription runs {@code onRequest} for each request. */
    private static <T> Publisher<T> raw(Consumer<Subscriber<? super T>> onRequest,
            Runnable onCancel) {
        return sub -> sub.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                onRequest.accept(sub);
            }

            @Override
            public void cancel() {
                onCancel.run();
            }
        });
    }

    @Nested
    class IntegrationTest {
        @Test
        void testCancelWithoutValue() {
            Aio.run(() -> {
                Task<Integer> job = Aio.createTask(() -> FlowAwait.awaitFirst(
                        AsyncPublisher.<Integer>fromGenerator(y -> Aio.sleep(3600))));
                Aio.sleep(0);
                job.cancel();
                assertThrows(CancelledError.class, () -> Aio.await(job));
                return null;
            });
        }

        @Test
        void testEmptySingle() {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Task<String> job = Aio.createTask(() -> FlowAwait.awaitFirst(
                        AsyncPublisher.<String>fromGenerator(y -> {
                            Aio.sleep(0);
                            s.expect(2); // nothing to emit
                        })));
                assertThrows(NoSuchElementException.class, () -> Aio.await(job));
                s.finish(3);
                return null;
            });
        }

        /** Too many values for awaitSingle: it cancels and fails, and is not resumed again. */
        @Test
        void testNotCompletingFailedAwait() {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                assertThrows(IllegalArgumentException.class, () -> FlowAwait.awaitSingle(raw(sub -> {
                    s.expect(2);
                    sub.onNext(1);
                    sub.onNext(2); // the await cancels here, at once
                    s.expect(4);
                    sub.onComplete();
                }, () -> s.expect(3))));
                s.expect(5);
                s.finish(6);
                return null;
            });
        }

        /**
         * The same, against a synchronous source that emits all it is asked for inside {@code
         * request} unless cancelled, as Reactor's {@code range} does: the await's cancel at the
         * second item reaches it inside that call, so it stops there instead of emitting all it
         * was asked for.
         */
        @Test
        void testNotCompletingFailedAwaitOnASynchronousSource() {
            AtomicLong emitted = new AtomicLong();
            Aio.run(() -> {
                boolean[] cancelled = new boolean[1];
                Publisher<Long> endless = sub -> sub.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                        for (long i = 0; i < n && !cancelled[0]; i++) {
                            sub.onNext(emitted.incrementAndGet());
                        }
                    }

                    @Override
                    public void cancel() {
                        cancelled[0] = true;
                    }
                });
                assertThrows(IllegalArgumentException.class, () -> FlowAwait.awaitSingle(endless));
                return null;
            });
            assertEquals(2, emitted.get());
        }

        /**
         * Publishers that break rules 1.1, 1.7 and 1.9: each await ends, and the loop's handler
         * gets one report naming the rule broken.
         */
        @Test
        void testAwaitOnNonconformingPublishers() {
            RuntimeException dummy = new RuntimeException("dummy");
            record Case(String name, java.util.function.Function<Publisher<Integer>, Integer> op,
                    Consumer<Subscriber<? super Integer>> block, String message) { }
            List<Case> cases = List.of(
                    new Case("more than requested", FlowAwait::awaitFirst, s -> {
                        s.onNext(1);
                        s.onNext(2);
                        s.onComplete();
                    }, "1.1"),
                    new Case("onComplete after onError", FlowAwait::awaitSingle, s -> {
                        s.onNext(1);
                        s.onError(dummy);
                        s.onComplete();
                    }, "1.7"),
                    new Case("onComplete twice", FlowAwait::awaitFirst, s -> {
                        s.onNext(0);
                        s.onComplete();
                        s.onComplete();
                    }, "1.7"),
                    new Case("onNext after onComplete", p -> FlowAwait.awaitFirstOrDefault(p, 1),
                            s -> {
                                s.onComplete();
                                s.onNext(3);
                            }, "1.7"),
                    new Case("onNext after onError", FlowAwait::awaitSingle, s -> {
                        s.onError(dummy);
                        s.onNext(3);
                    }, "1.7"));
            for (Case c : cases) {
                List<Throwable> errors = new CopyOnWriteArrayList<>();
                List<String> messages = new CopyOnWriteArrayList<>();
                Aio.run(() -> {
                    Aio.getRunningLoop().setExceptionHandler((l, ctx) -> {
                        errors.add(ctx.exception());
                        messages.add(ctx.message());
                    });
                    try {
                        c.op().apply(raw(c.block(), () -> { }));
                    } catch (RuntimeException e) {
                        if (e != dummy) {
                            throw e;
                        }
                    }
                    Aio.sleep(0);
                    return null;
                });
                assertEquals(1, messages.size(), c.name() + ": " + messages);
                String all = messages.get(0) + " " + errors.get(0);
                assertTrue(all.contains(c.message()), c.name() + ": " + all);
            }
            // rule 1.9: the first signal is not onSubscribe
            List<String> messages = new CopyOnWriteArrayList<>();
            Aio.run(() -> {
                Aio.getRunningLoop().setExceptionHandler((l, ctx) -> messages.add(
                        ctx.message() + " " + ctx.exception()));
                Publisher<Integer> noSubscribe = sub -> {
                    sub.onNext(3);
                    sub.onComplete();
                };
                try {
                    FlowAwait.awaitFirst(noSubscribe);
                } catch (NoSuchElementException | IllegalStateException e) {
                    // either ends the await; the report is what is checked
                }
                Aio.sleep(0);
                return null;
            });
            assertTrue(messages.size() >= 1 && messages.get(0).contains("onSubscribe"),
                    messages.toString());
        }

        /** A timeout inside the body is its failure, and the await raises it. */
        @Test
        void testPublishWithTimeout() {
            Steps s = new Steps();
            Aio.run(() -> {
                Publisher<Integer> publisher = AsyncPublisher.fromGenerator(y -> {
                    s.expect(2);
                    Aio.timeout(0.001, () -> Aio.sleep(0.1, null));
                });
                s.expect(1);
                assertThrows(AsyncTimeoutException.class,
                        () -> FlowAwait.awaitFirstOrDefault(publisher, null));
                s.expect(3);
                s.finish(4);
                return null;
            });
        }
    }

    @Nested
    class AwaitTest {
        /** Cancelling an await cancels the subscription, then raises in the awaiting task. */
        @Test
        void testAwaitCancellation() {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Publisher<Integer> publisher = raw(sub -> s.expect(3), () -> s.expect(5));
                Task<Integer> job = Aio.createTask(() -> {
                    try {
                        s.expect(2);
                        return FlowAwait.awaitFirst(publisher);
                    } catch (CancelledError e) {
                        s.expect(6);
                        throw e;
                    }
                });
                Aio.sleep(0); // kotlinx starts it UNDISPATCHED
                s.expect(4);
                job.cancel();
                assertThrows(CancelledError.class, () -> Aio.await(job));
                s.finish(7);
                return null;
            });
        }

        /**
         * kotlinx's AwaitCancellationStressTest: an await on a loop of the default group
         * (kotlinx's Dispatchers.Default), cancelled from this thread while its publisher's
         * {@code request} is still running (it sleeps 10 ms): {@code cancel} must come after
         * {@code request} returned, never during it. kotlinx repeats 10,000 times, most of them
         * cancelled before the coroutine starts; here each await has started (200 times, times
         * {@code -Dstress.scale}), so each one's cancel races its request.
         */
        @Test
        void testAwaitCancellationOrder() throws Exception {
            int iterations = 200 * Integer.getInteger("stress.scale", 1);
            io.aiobridge.EventLoopGroup group = io.aiobridge.EventLoopGroup.defaultGroup();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int i = 0; i < iterations; i++) {
                CountDownLatch requesting = new CountDownLatch(1);
                CountDownLatch cancelled = new CountDownLatch(1);
                AtomicInteger calls = new AtomicInteger();
                Publisher<Boolean> publisher = sub -> sub.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                        if (calls.getAndIncrement() != 0) {
                            failures.add(new AssertionError("request after " + calls));
                        }
                        requesting.countDown();
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            failures.add(e); // nobody may interrupt the publisher's thread
                        }
                    }

                    @Override
                    public void cancel() {
                        if (calls.getAndIncrement() != 1) {
                            failures.add(new AssertionError("cancel during request, or twice"));
                        }
                        cancelled.countDown();
                    }
                });
                CompletableFuture<Boolean> job = group.submit(
                        () -> FlowAwait.awaitFirst(publisher));
                assertTrue(requesting.await(10, TimeUnit.SECONDS));
                // a CompletableFuture's cancel completes it at once, as the JDK's does; the
                // task learns of it at its await, once request has returned (cancelAndJoin's
                // join is the wait for the subscription's cancel)
                assertTrue(job.cancel(false));
                assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the subscription is cancelled");
                assertEquals(2, calls.get(), "one request, then one cancel");
            }
            assertEquals(List.of(), failures);
        }
    }

    @Nested
    class PublisherAsFlowTest {
        /**
         * testRequestSizeWithBuffer's publisher: 1..50, each request checked against {@code
         * expectedRequest}, emitted synchronously inside the request, as kotlinx's.
         */
        private List<Integer> collect(int m, Consumer<Long> checkRequest,
                java.util.function.Function<Publisher<Integer>,
                        io.aiobridge.AsyncIterable<Integer>> iterate) {
            Publisher<Integer> publisher = sub -> sub.onSubscribe(new Subscription() {
                int lastSent;
                long remaining;

                @Override
                public void request(long n) {
                    checkRequest.accept(n);
                    remaining = remaining + n < 0 ? Long.MAX_VALUE : remaining + n;
                    while (lastSent < m && remaining > 0) {
                        sub.onNext(++lastSent);
                        remaining--;
                    }
                    if (lastSent == m) {
                        lastSent++;
                        sub.onComplete();
                    }
                }

                @Override
                public void cancel() {
                }
            });
            return Aio.run(() -> {
                List<Integer> list = new ArrayList<>();
                iterate.apply(publisher).forEach(list::add);
                return list;
            });
        }

        private static List<Integer> range(int from, int to) {
            return IntStream.rangeClosed(from, to).boxed().toList();
        }

        /** testRequestRendezvous, testRequestBuffer1, testRequestBuffer10: whole buffers. */
        @Test
        void testRequestSizeWithBuffer() {
            for (int capacity : new int[] {1, 10, 64}) {
                List<Long> requests = new CopyOnWriteArrayList<>();
                assertEquals(range(1, 50), collect(50, requests::add,
                        p -> FlowIterate.toAsyncIterable(p, capacity, 1.0)));
                assertTrue(requests.stream().allMatch(n -> n == capacity),
                        capacity + ": " + requests);
            }
        }

        /** Ours by default: the first request is the prefetch, then never above it. */
        @Test
        void testRequestSizeDefault() {
            List<Long> requests = new CopyOnWriteArrayList<>();
            assertEquals(range(1, 500), collect(500, requests::add, FlowIterate::toAsyncIterable));
            assertEquals(FlowIterate.DEFAULT_PREFETCH, requests.get(0));
            assertTrue(requests.stream().allMatch(n -> n > 0 && n <= FlowIterate.DEFAULT_PREFETCH),
                    requests.toString());
        }

        /**
         * testRequestBufferOverflowDropOldest, ...DropLatest and their capacity-10 variants:
         * everything is requested at once; the task, busy until the source is done, gets the
         * last or the first {@code capacity} items.
         */
        @Test
        void testRequestBufferOverflow() {
            for (int capacity : new int[] {1, 10}) {
                List<Long> requests = new CopyOnWriteArrayList<>();
                assertEquals(range(50 - capacity + 1, 50), collect(50, requests::add,
                        p -> FlowIterate.toAsyncIterable(p, capacity, Overflow.DROP_OLDEST)));
                assertEquals(range(1, capacity), collect(50, requests::add,
                        p -> FlowIterate.toAsyncIterable(p, capacity, Overflow.DROP_LATEST)));
                assertEquals(List.of(Long.MAX_VALUE, Long.MAX_VALUE), requests);
            }
        }

        /** Cancelling the collecting task cancels the subscription; nothing more arrives. */
        @Test
        void testCancellation() {
            AtomicInteger onNext = new AtomicInteger();
            Aio.run(() -> {
                Publisher<Integer> endless = AsyncPublisher.fromGenerator(y -> {
                    for (int i = 0; ; i++) {
                        y.yield(i);
                    }
                });
                Task<Void> job = Aio.createTask(() -> {
                    FlowIterate.toAsyncIterable(endless).forEach(v -> {
                        if (onNext.incrementAndGet() == 10) {
                            Aio.currentTask().cancel();
                        }
                    });
                    return null;
                });
                assertThrows(CancelledError.class, () -> Aio.await(job));
                return null;
            });
            assertEquals(10, onNext.get());
        }

        @Test
        void testException() {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                try {
                    FlowIterate.toAsyncIterable(AsyncPublisher.<Integer>fromGenerator(y -> {
                        throw new TestException("publisher");
                    })).forEach(v -> s.expectUnreached());
                } catch (TestException e) {
                    s.finish(2);
                }
                return null;
            });
        }
    }

    /**
     * PublisherRequestStressTest: a generator whose every item comes from another pool, and a
     * subscriber that requests from yet another thread between 8 and 16 items at a time: items
     * arrive in order, never concurrently, never beyond the demand, with progress each interval.
     */
    @Test
    void testRequestStress() throws Exception {
        int intervals = 3 * Integer.getInteger("stress.scale", 1);
        ExecutorService emitPool = Executors.newFixedThreadPool(4);
        ExecutorService reqPool = Executors.newSingleThreadExecutor();
        AtomicLong nextValue = new AtomicLong();
        AtomicLong expectedValue = new AtomicLong();
        AtomicLong requestedTill = new AtomicLong();
        AtomicInteger callingOnNext = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Publisher<Long> publisher = AsyncPublisher.fromGenerator(y -> {
            try {
                for (;;) {
                    y.yield(Aio.await(CompletableFuture.supplyAsync(
                            nextValue::getAndIncrement, emitPool)));
                }
            } finally {
                ended.complete(null);
            }
        });
        Subscription[] subscription = new Subscription[1];
        publisher.subscribe(new Subscriber<>() {
            private long demand; // only updated on reqPool

            private void maybeRequestMore() {
                if (demand >= 8) {
                    return;
                }
                long next = ThreadLocalRandom.current().nextLong(9, 17);
                long more = next - demand;
                demand = next;
                requestedTill.addAndGet(more);
                subscription[0].request(more);
            }

            @Override
            public void onSubscribe(Subscription s) {
                subscription[0] = s;
                reqPool.execute(this::maybeRequestMore);
            }

            @Override
            public void onNext(Long value) {
                try {
                    assertEquals(0, callingOnNext.getAndIncrement(), "concurrent onNext");
                    assertEquals(expectedValue.get(), value);
                    assertTrue(value < requestedTill.get(), "beyond the demand");
                    expectedValue.set(value + 1);
                    reqPool.execute(() -> {
                        demand--;
                        maybeRequestMore();
                    });
                    callingOnNext.decrementAndGet();
                } catch (Throwable e) {
                    failures.add(e);
                    throw e;
                }
            }

            @Override
            public void onError(Throwable t) {
                failures.add(t);
            }

            @Override
            public void onComplete() {
                failures.add(new AssertionError("completed"));
            }
        });
        long previous = -1;
        for (int i = 0; i < intervals && failures.isEmpty(); i++) {
            Thread.sleep(300);
            long expected = expectedValue.get();
            assertTrue(expected > previous, "progress in interval " + i + ": " + expected);
            previous = expected;
        }
        subscription[0].cancel();
        ended.get(10, TimeUnit.SECONDS);
        emitPool.shutdown();
        reqPool.shutdown();
        assertTrue(emitPool.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(reqPool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of(), failures);
    }

    /**
     * kotlinx's PublisherCollectTest: a hand-written Publisher that emits inside {@code request},
     * collected by an iteration's {@code forEach} (kotlinx's {@code collect}).
     */
    @Nested
    class PublisherCollectTest {
        private static final int X = 100;
        private static final int X_SUM = X * (X + 1) / 2;

        /** 1..X, emitted inside request; at X it ends with {@code end}, or stays open if null. */
        private Publisher<Integer> upTo(Consumer<Subscriber<? super Integer>> end,
                Runnable onCancel) {
            return subscriber -> subscriber.onSubscribe(new Subscription() {
                long requested;
                int lastOutput;

                @Override
                public void request(long n) {
                    requested += n;
                    if (n <= 0) {
                        subscriber.onError(new IllegalArgumentException());
                        return;
                    }
                    while (lastOutput < X && lastOutput < requested) {
                        lastOutput += 1;
                        subscriber.onNext(lastOutput);
                    }
                    if (lastOutput == X && end != null) {
                        lastOutput++; // once
                        end.accept(subscriber);
                    }
                }

                @Override
                public void cancel() {
                    onCancel.run(); // rule 3.5: may come at any time
                }
            });
        }

        @Test
        void testCollect() {
            int[] sum = {0};
            Aio.run(() -> {
                FlowIterate.toAsyncIterable(upTo(Subscriber::onComplete, () -> {}))
                        .forEach(x -> sum[0] += x);
                return null;
            });
            assertEquals(X_SUM, sum[0]);
        }

        @Test
        void testCollectThrowingPublisher() {
            String errorString = "Too many elements requested";
            int[] sum = {0};
            Aio.run(() -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> FlowIterate.toAsyncIterable(upTo(
                                sub -> sub.onError(new IllegalArgumentException(errorString)),
                                () -> {}))
                                .forEach(x -> sum[0] += x));
                assertEquals(errorString, e.getMessage());
                return null;
            });
            assertEquals(X_SUM, sum[0], "every item before the error was delivered");
        }

        @Test
        void testCollectThrowingAction() {
            String errorString = "Too many elements produced";
            Steps s = new Steps();
            int[] sum = {0};
            int[] i = {1};
            int[] cancels = {0};
            Aio.run(() -> {
                s.expect(1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> FlowIterate.toAsyncIterable(upTo(null, () -> {
                            cancels[0]++;
                            s.expect(X + 2);
                        })).forEach(x -> {
                            sum[0] += x;
                            i[0] += 1;
                            s.expect(i[0]);
                            if (sum[0] >= X_SUM) {
                                throw new IllegalArgumentException(errorString);
                            }
                        }));
                s.expect(X + 3);
                assertEquals(errorString, e.getMessage());
                return null;
            });
            s.finish(X + 4);
            assertEquals(1, cancels[0], "the subscription is cancelled once");
        }
    }

    /**
     * kotlinx's PublisherCompletionStressTest: a generator publisher of 0..4 items on another
     * loop (kotlinx's {@code Dispatchers.Default}), collected 10,000 times (times
     * {@code -Dstress.scale}); every item arrives, in order, and then the end, within 5 s each.
     */
    @Test
    void publisherCompletionStressTest() {
        io.aiobridge.EventLoop other = io.aiobridge.EventLoopGroup.defaultGroup().next();
        KotlinxCases.completionStress(count -> FlowIterate.toAsyncIterable(
                AsyncPublisher.<Integer>fromGenerator(y -> {
                    for (int x = 1; x <= count; x++) {
                        y.yield(x);
                    }
                }).on(other)));
    }

    /**
     * kotlinx's FlowAsPublisherTest, with a generator for the flow: signals, their order and
     * their thread. Ours differs by design in one case: an error the body throws after the
     * subscriber cancelled goes to the loop's exception handler, not to the subscriber's
     * {@code onError} (kotlinx reports it there; Reactive Streams rule 1.8 lets a cancelled
     * subscription stop signalling, and Reactor drops such an error to its hook, as we do).
     */
    @Nested
    class FlowAsPublisherTest {
        /** A subscriber that requests {@code n} and records each signal as a step. */
        private abstract class Recorder implements Subscriber<Integer> {
            Subscription subscription;

            @Override
            public void onComplete() {
                throw new AssertionError("unexpected onComplete");
            }

            @Override
            public void onError(Throwable t) {
                throw new AssertionError("unexpected onError", t);
            }
        }

        /**
         * Both cancellation cases: a generator that yields 2 and then runs {@code atEnd} in its
         * {@code finally}, subscribed by one that requests 2 and cancels at the first item.
         * Returns the errors the loop's handler got, once the body has ended.
         */
        private List<Throwable> cancelAtTheFirstItem(Steps s, Runnable atEnd) throws Exception {
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            withHandler(errors, () -> {
                s.expect(1);
                AsyncPublisher.<Integer>fromGenerator(y -> {
                    try {
                        y.yield(2);
                    } finally {
                        ended.complete(null);
                        atEnd.run();
                    }
                }).subscribe(new Recorder() {
                    @Override
                    public void onSubscribe(Subscription sub) {
                        subscription = sub;
                        sub.request(2);
                    }

                    @Override
                    public void onNext(Integer t) {
                        s.expect(t);
                        subscription.cancel();
                    }
                });
                settle(ended);
                Aio.sleep(0); // the handler runs as the driver ends
                return null;
            });
            return errors;
        }

        @Test
        void testErrorOnCancellationIsReported() throws Exception {
            Steps s = new Steps();
            List<Throwable> errors = cancelAtTheFirstItem(s, () -> {
                s.expect(3);
                throw new TestException("after cancel");
            });
            assertEquals(1, errors.size(), errors.toString());
            assertInstanceOf(TestException.class, errors.get(0));
            s.expect(4); // kotlinx: in onError
            s.finish(5);
        }

        @Test
        void testCancellationIsNotReported() throws Exception {
            Steps s = new Steps();
            List<Throwable> errors = cancelAtTheFirstItem(s, () -> {});
            assertEquals(List.of(), errors, "a cancellation is nobody's error");
            s.finish(3);
        }

        /** testConfinedContext: every signal comes from the publisher's loop. */
        @Test
        void testConfinedContext() throws Exception {
            Steps s = new Steps();
            s.expect(1);
            io.aiobridge.EventLoop loop = io.aiobridge.EventLoopGroup.defaultGroup().next();
            CountDownLatch completed = new CountDownLatch(1);
            AsyncPublisher.<Integer>fromGenerator(y -> y.yield(42)).on(loop)
                    .subscribe(new Recorder() {
                        private void checkThread() {
                            assertTrue(Aio.runningLoopOrNull() == loop, "not on " + loop
                                    + ": " + Thread.currentThread());
                        }

                        @Override
                        public void onSubscribe(Subscription sub) {
                            s.expect(2);
                            subscription = sub;
                            sub.request(2);
                        }

                        @Override
                        public void onNext(Integer t) {
                            checkThread();
                            s.expect(3);
                            assertEquals(42, t);
                        }

                        @Override
                        public void onComplete() {
                            checkThread();
                            s.expect(4);
                            completed.countDown();
                        }
                    });
            assertTrue(completed.await(10, TimeUnit.SECONDS));
            s.finish(5);
        }

        /**
         * A timeout inside the body fails the await with the timeout (kotlinx's is a
         * CancellationException; ours is asyncio's TimeoutError, AsyncTimeoutException).
         */
        @Test
        void testFlowWithTimeout() {
            Steps s = new Steps();
            Aio.run(() -> {
                Publisher<Integer> publisher = AsyncPublisher.fromGenerator(y -> {
                    s.expect(2);
                    Aio.timeout(0.001, () -> {
                        Aio.sleep(Double.MAX_VALUE);
                        return null;
                    });
                });
                s.expect(1);
                assertThrows(AsyncTimeoutException.class,
                        () -> FlowAwait.awaitFirstOrDefault(publisher, null));
                s.expect(3);
                return null;
            });
            s.finish(4);
        }

        @Test
        void testSingleElementPublisher() {
            Steps s = new Steps();
            Aio.run(() -> {
                Publisher<Integer> publisher = AsyncPublisher.fromGenerator(y -> y.yield(1));
                CompletableFuture<Void> done = new CompletableFuture<>();
                s.expect(1);
                publisher.subscribe(new Recorder() {
                    @Override
                    public void onSubscribe(Subscription sub) {
                        s.expect(2);
                        sub.request(1);
                    }

                    @Override
                    public void onNext(Integer t) {
                        s.expect(3);
                        assertEquals(1, t);
                    }

                    @Override
                    public void onComplete() {
                        s.expect(4);
                        done.complete(null);
                    }
                });
                settle(done);
                return null;
            });
            s.finish(5);
        }
    }
}
