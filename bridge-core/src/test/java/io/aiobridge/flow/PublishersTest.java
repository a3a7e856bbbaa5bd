package io.aiobridge.flow;

import static io.aiobridge.testing.LatePublishers.signalsOnCancel;
import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.Task;
import io.aiobridge.iter.Comprehensions;
import io.aiobridge.iter.Itertools;
import io.aiobridge.testing.BackgroundLoop;
import io.aiobridge.testing.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

class PublishersTest {


    static AsyncPublisher<Long> range(long n, List<String> log) {
        return AsyncPublisher.fromGenerator(y -> {
            try {
                for (long i = 0; i < n; i++) {
                    y.yield(i);
                }
            } finally {
                log.add("finally");
            }
        });
    }

    @Test
    void roundTripOfAMillionItemsInOrderWithRandomCancellationPoints() {
        int scale = Integer.getInteger("stress.scale", 1);
        List<String> log = new CopyOnWriteArrayList<>();
        Random rnd = new Random(Long.getLong("stress.seed", 5L));
        virtual(() -> {
            long expected = 0;
            for (long v : FlowIterate.toAsyncIterable(range(1_000_000L * scale, log))) {
                assertEquals(expected++, v);
            }
            assertEquals(1_000_000L * scale, expected);
            for (int round = 0; round < 20; round++) {
                long stopAt = rnd.nextInt(5_000);
                long seen = 0;
                try (var it = Comprehensions.closing(FlowIterate.toAsyncIterable(
                        range(10_000, log), 1 + rnd.nextInt(300), 0.75))) {
                    for (long v : it) {
                        assertEquals(seen++, v);
                        if (v == stopAt) {
                            break;
                        }
                    }
                }
            }
            Aio.sleep(0.01); // the cancelled drivers close their generators on the loop
            assertEquals(1, Aio.allTasks().size(), "no driver task is left: " + Aio.allTasks());
            return null;
        });
        assertEquals(21, log.size(), "every generator's finally ran: " + log.size());
    }

    /**
     * Answers each request at once from a thread that spins on the demand: every item races the
     * iterating task's "nothing there, arm the waiter" ({@code SpscRing}'s hand-shake). Gives up
     * after a minute so that a stranded consumer does not leave the thread spinning.
     */
    static Publisher<Integer> answeringAtOnce(int n) {
        return s -> {
            AtomicLong requested = new AtomicLong();
            AtomicBoolean cancelled = new AtomicBoolean();
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long k) {
                    requested.addAndGet(k);
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
            Thread.ofPlatform().daemon().name("answering-at-once").start(() -> {
                long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                int sent = 0;
                while (sent < n && !cancelled.get() && System.nanoTime() < giveUp) {
                    if (requested.get() > 0) {
                        requested.decrementAndGet();
                        s.onNext(sent++);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                if (sent == n) {
                    s.onComplete();
                }
            });
        };
    }

    /**
     * One item per request, each sent the moment it is requested: the publisher then waits for
     * the next request, so a lost wake-up strands the task for good (the race jcstress's
     * {@code RingStress.NoLostWakeUp} found in 0.3% of its samples; this test hung without the
     * ring's fence).
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anItemSentTheMomentItIsRequestedAlwaysWakesTheTask() {
        int n = 200_000 * Integer.getInteger("stress.scale", 1);
        long sum = Aio.run(() -> {
            long total = 0;
            int expected = 0;
            for (int v : FlowIterate.toAsyncIterable(answeringAtOnce(n), 1, 1.0)) {
                assertEquals(expected++, v);
                total += v;
            }
            assertEquals(n, expected);
            return total;
        });
        assertEquals((long) n * (n - 1) / 2, sum);
    }

    /**
     * The other direction: a generator's publisher, and a subscriber whose demand of one comes
     * from another thread the moment each item arrives, so every request races the generator's
     * "no demand, wait" ({@code Demand}'s hand-shake). A lost wake-up leaves both waiting.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void demandRequestedTheMomentEachItemArrivesAlwaysWakesTheGenerator() throws Exception {
        int n = 200_000 * Integer.getInteger("stress.scale", 1);
        AtomicReference<Subscription> sub = new AtomicReference<>();
        AtomicLong received = new AtomicLong();
        AtomicLong sum = new AtomicLong();
        AtomicReference<Object> end = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        AsyncPublisher.<Integer>fromGenerator(y -> {
            for (int i = 0; i < n; i++) {
                y.yield(i);
            }
        }).subscribe(new Subscriber<Integer>() {
            @Override
            public void onSubscribe(Subscription s) {
                sub.set(s);
                s.request(1);
            }

            @Override
            public void onNext(Integer v) {
                sum.addAndGet(v);
                received.incrementAndGet(); // the requester below answers this at once
            }

            @Override
            public void onError(Throwable t) {
                end.set(t);
                done.countDown();
            }

            @Override
            public void onComplete() {
                end.set("complete");
                done.countDown();
            }
        });
        long requested = 1;
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (done.getCount() > 0 && System.nanoTime() < giveUp) {
            if (received.get() == requested) {
                requested++;
                sub.get().request(1);
            } else {
                Thread.onSpinWait();
            }
        }
        assertTrue(done.await(0, TimeUnit.SECONDS),
                "stranded after " + received.get() + " of " + n + " items");
        assertEquals("complete", end.get());
        assertEquals(n, received.get());
        assertEquals((long) n * (n - 1) / 2, sum.get());
    }

    /**
     * A coroutine's publisher (one value, then the end) whose value and whose request race: the
     * task returns on its loop while the subscriber requests from another thread, in every order
     * (FutureSubscription's EMPTY / REQUESTED / HAS_VALUE / DONE hand-shake). Each round must see
     * the value once, then the end, and nothing else.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCoroutinesValueAndItsRequestRacingDeliverTheValueOnceThenTheEnd() throws Exception {
        int rounds = 20_000 * Integer.getInteger("stress.scale", 1);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            for (int i = 0; i < rounds; i++) {
                int v = i;
                List<Object> signals = new CopyOnWriteArrayList<>();
                CountDownLatch ended = new CountDownLatch(1);
                AtomicReference<Subscription> sub = new AtomicReference<>();
                AsyncPublisher.fromCoroutine(() -> v).on(bg.loop()).subscribe(
                        new Subscriber<Integer>() {
                            @Override
                            public void onSubscribe(Subscription s) {
                                sub.set(s); // no request yet: the test thread races it below
                            }

                            @Override
                            public void onNext(Integer x) {
                                signals.add(x);
                            }

                            @Override
                            public void onError(Throwable t) {
                                signals.add(t);
                                ended.countDown();
                            }

                            @Override
                            public void onComplete() {
                                signals.add("complete");
                                ended.countDown();
                            }
                        });
                for (int spin = i % 64; spin > 0; spin--) {
                    Thread.onSpinWait(); // shifts the request across the task's return
                }
                sub.get().request(1);
                assertTrue(ended.await(10, TimeUnit.SECONDS), "round " + i + ": " + signals);
                assertEquals(List.of(v, "complete"), signals, "round " + i);
            }
        }
    }

    @Test
    void theGeneratorRunsOnlyWhileThereIsDemand() throws Exception {
        List<Long> produced = new CopyOnWriteArrayList<>();
        AtomicReference<Subscription> sub = new AtomicReference<>();
        List<Long> got = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            AsyncPublisher.<Long>fromGenerator(y -> {
                for (long i = 0; ; i++) {
                    produced.add(i);
                    y.yield(i);
                }
            }).on(bg.loop()).subscribe(new Subscriber<Long>() {
                @Override
                public void onSubscribe(Subscription s) {
                    sub.set(s);
                    s.request(3);
                }

                @Override
                public void onNext(Long v) {
                    got.add(v);
                    three.countDown();
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
            });
            assertTrue(three.await(5, TimeUnit.SECONDS));
            bg.sync(); // the body has reached its next yield and waits there for demand
            assertEquals(List.of(0L, 1L, 2L), got);
            // as kotlinx's publish: after the last demanded item the body runs on to its next
            // yield, which suspends while demand is zero
            assertEquals(List.of(0L, 1L, 2L, 3L), produced, "yield suspends when demand is zero");
            sub.get().cancel();
        }
    }

    @Test
    void requestZeroSignalsIllegalArgumentException() throws Exception {
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        range(10, new ArrayList<>()).subscribe(new Subscriber<Long>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(0);
            }

            @Override
            public void onNext(Long v) {}

            @Override
            public void onError(Throwable t) {
                error.set(t);
                done.countDown();
            }

            @Override
            public void onComplete() {}
        });
        assertTrue(done.await(5, TimeUnit.SECONDS), "the default loop group delivered the error");
        assertInstanceOf(IllegalArgumentException.class, error.get());
        assertTrue(error.get().getMessage().contains("§3.9"));
    }

    @Test
    void awaitFunctionsStateWhatTheyWaitFor() {
        virtual(() -> {
            List<String> log = new ArrayList<>();
            assertEquals(0L, FlowAwait.awaitFirst(range(5, log)));
            assertEquals(4L, FlowAwait.awaitLast(range(5, log)));
            assertEquals(7L, FlowAwait.awaitSingle(range(1, log).on(Aio.getRunningLoop())) + 7L);
            assertEquals(-1L, FlowAwait.awaitFirstOrDefault(range(0, log), -1L));
            assertThrows(NoSuchElementException.class, () -> FlowAwait.awaitFirst(range(0, log)));
            assertThrows(IllegalArgumentException.class, () -> FlowAwait.awaitSingle(range(3, log)));
            FlowAwait.awaitCompletion(range(3, log));
            IllegalStateException boom = new IllegalStateException("boom");
            assertThrows(IllegalStateException.class, () -> FlowAwait.awaitLast(
                    AsyncPublisher.fromGenerator(y -> {
                        y.yield(1);
                        throw boom;
                    })));
            Aio.sleep(0.01);
            assertEquals(7, log.size(), "each run's finally ran, cancelled or not");
            return null;
        });
    }

    @Test
    void cancellingTheAwaitingTaskCancelsTheSubscription() {
        List<String> log = new ArrayList<>();
        virtual(() -> {
            AsyncPublisher<Long> slow = AsyncPublisher.fromGenerator(y -> {
                try {
                    Aio.sleep(100);
                    y.yield(1L);
                } finally {
                    log.add("finally");
                }
            });
            Task<Long> waiter = Aio.createTask(() -> FlowAwait.awaitFirst(slow));
            Aio.sleep(1);
            waiter.cancel();
            assertThrows(CancelledError.class, waiter::await);
            Aio.sleep(0.01);
            return null;
        });
        assertEquals(List.of("finally"), log);
    }

    @Test
    void futuresAndCoroutinesAsPublishers() {
        virtual(() -> {
            AtomicInteger runs = new AtomicInteger();
            AsyncPublisher<String> lazy = AsyncPublisher.fromCoroutine(() -> {
                runs.incrementAndGet();
                return Aio.sleep(1, "done");
            });
            assertEquals(0, runs.get(), "nothing runs before a subscription");
            assertEquals("done", FlowAwait.awaitSingle(lazy));
            assertEquals("done", FlowAwait.awaitSingle(lazy));
            assertEquals(2, runs.get(), "one run per subscription");
            assertNull(FlowAwait.awaitFirstOrDefault(AsyncPublisher.fromCoroutine(() -> null),
                    null), "a null result is an empty publisher");
            Task<String> task = Aio.createTask(() -> Aio.sleep(100, "late"));
            Task<String> waiter = Aio.createTask(() -> FlowAwait.awaitFirst(
                    AsyncPublisher.fromFuture(task)));
            Aio.sleep(1);
            waiter.cancel();
            assertThrows(CancelledError.class, waiter::await);
            Aio.sleep(0.01);
            assertTrue(task.isCancelled(), "cancelling the subscription cancelled the task");
            return null;
        });
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

    @Test
    void aFuturesSubscriptionCancelledAtOnceStillCancelsTheFuture() {
        virtual(() -> {
            Task<String> task = Aio.createTask(() -> Aio.sleep(100, "late"));
            // cancelled inside onSubscribe: before the driver task exists
            AsyncPublisher.fromFuture(task).subscribe(onSubscribe(Subscription::cancel));
            Aio.sleep(0.01);
            assertTrue(task.isCancelled(), "the given future was cancelled");
            // cancelled after the driver was created but before it ran its first step
            Task<String> second = Aio.createTask(() -> Aio.sleep(100, "late"));
            Subscription[] sub = new Subscription[1];
            AsyncPublisher.fromFuture(second).subscribe(onSubscribe(s -> sub[0] = s));
            Aio.getRunningLoop().callSoon(sub[0]::cancel); // runs right after the driver is made
            Aio.sleep(0.01);
            assertTrue(second.isCancelled(), "the given future was cancelled");
            return null;
        });
    }

    /** A publisher that breaks the rules in the given way. */
    static Publisher<Integer> misbehaving(String how) {
        return s -> {
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            Thread t = new Thread(() -> {
                switch (how) {
                    case "without demand" -> {
                        for (int i = 0; i < 1000; i++) {
                            s.onNext(i);
                        }
                    }
                    case "null" -> s.onNext(null);
                    case "after complete" -> {
                        s.onComplete();
                        s.onNext(1);
                        s.onComplete();
                    }
                    default -> throw new IllegalArgumentException(how);
                }
            });
            t.start();
        };
    }

    @Test
    void misbehavingPublishersGiveAClearErrorAndNothingHangs() {
        virtual(() -> {
            IllegalStateException tooMany = assertThrows(IllegalStateException.class,
                    () -> Comprehensions.toList(FlowIterate.toAsyncIterable(
                            misbehaving("without demand"), 16, 0.75)));
            assertTrue(tooMany.getMessage().contains("§1.1"), tooMany.getMessage());
            NullPointerException npe = assertThrows(NullPointerException.class,
                    () -> Comprehensions.toList(FlowIterate.toAsyncIterable(misbehaving("null"))));
            assertTrue(npe.getMessage().contains("§2.13"));
            assertEquals(List.of(), Comprehensions.toList(FlowIterate.toAsyncIterable(
                    misbehaving("after complete"))), "the first terminal signal stands");
            return null;
        });
    }

    @Test
    void aPublisherThatEmitsAfterCancelIsIgnoredAndNothingHangs() throws Exception {
        AtomicBoolean cancelled =
                new AtomicBoolean();
        CountDownLatch emittedAfterCancel = new CountDownLatch(1);
        Publisher<Integer> stubborn = s -> {
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {
                    Thread t = new Thread(() -> {
                        for (int i = 0; i < n; i++) {
                            s.onNext(i);
                        }
                        if (cancelled.get()) {
                            s.onNext(-1); // after cancel: must be ignored
                            emittedAfterCancel.countDown();
                        }
                    });
                    t.start();
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
        };
        virtual(() -> {
            int seen = 0;
            try (var it = Comprehensions.closing(FlowIterate.toAsyncIterable(stubborn, 8, 0.75))) {
                for (int v : it) {
                    if (++seen == 3) {
                        break;
                    }
                }
            }
            assertTrue(cancelled.get());
            assertEquals(3, seen);
            return null;
        });
        emittedAfterCancel.await(5, TimeUnit.SECONDS);
        virtual(() -> {
            // a fresh iteration of the same stubborn publisher still works
            try (var it = Comprehensions.closing(FlowIterate.toAsyncIterable(stubborn, 4, 0.75))) {
                assertEquals(0, it.aiter().anext().await());
            }
            return null;
        });
    }

    @Test
    void aSourceFailingAfterCancelIsReportedNotLost() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            AsyncPublisher<Long> failsOnClose = AsyncPublisher.fromGenerator(y -> {
                try {
                    for (long i = 0; ; i++) {
                        y.yield(i);
                    }
                } finally {
                    throw new IllegalStateException("cleanup failed");
                }
            });
            assertEquals(0L, FlowAwait.awaitFirst(failsOnClose));
            Aio.sleep(0.01); // the driver closes the generator after the cancel
            return null;
        });
        assertEquals(1, reported.size(), reported.toString());
        assertEquals("cleanup failed", reported.get(0).exception().getMessage());
    }

    @Test
    void aSubscriberIsEndedWhenTheLoopUnderItsPublisherCloses() throws Exception {
        // one waits for the generator with demand, one holds no demand (its driver waits)
        Recorder<Integer> withDemand = new Recorder<>(Long.MAX_VALUE);
        Recorder<Integer> withoutDemand = new Recorder<>(1);
        Recorder<Integer> aTask = new Recorder<>(1);
        CountDownLatch suspended = new CountDownLatch(1);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            AsyncPublisher.<Integer>fromGenerator(y -> {
                y.yield(0);
                suspended.countDown();
                Aio.sleep(60);
            }).on(bg.loop()).subscribe(withDemand);
            AsyncPublisher.<Integer>fromGenerator(y -> {
                for (int i = 0; ; i++) {
                    y.yield(i);
                }
            }).on(bg.loop()).subscribe(withoutDemand);
            AsyncPublisher.fromCoroutine(() -> Aio.sleep(60, 1)).on(bg.loop()).subscribe(aTask);
            assertTrue(suspended.await(5, TimeUnit.SECONDS));
            withoutDemand.awaitSignals(1);
            bg.sync();
        } // stops and closes the loop
        for (Recorder<Integer> r : List.of(withDemand, withoutDemand, aTask)) {
            assertTrue(r.terminated.await(5, TimeUnit.SECONDS), "left waiting: " + r.signals);
            assertInstanceOf(CancellationException.class, r.error, r.signals.toString());
            assertInstanceOf(CancelledError.class, r.error.getCause());
        }
        assertEquals(List.of(0), withDemand.items);
        assertEquals(List.of(0), withoutDemand.items);
    }

    @Test
    void anErrorAfterTheConsumersCancelReachesTheLoopsHandlerAndACancellationDoesNot() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        IllegalStateException late = new IllegalStateException("late failure");
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            // an awaiting task cancelled while it waits
            Task<String> awaiting = Aio.createTask(
                    () -> FlowAwait.awaitSingle(signalsOnCancel(null, late)));
            Aio.sleep(0.01);
            awaiting.cancel();
            assertThrows(CancelledError.class, awaiting::await);
            // awaitFirst, which cancels after its item
            assertEquals("first", FlowAwait.awaitFirst(signalsOnCancel("first", late)));
            // an iteration left early, prefetching and buffering
            for (AsyncIterable<String> it : List.of(
                    FlowIterate.toAsyncIterable(signalsOnCancel("first", late)),
                    FlowIterate.toAsyncIterable(signalsOnCancel("first", late), 4,
                            Overflow.ERROR))) {
                for (String item : it) {
                    assertEquals("first", item);
                    break;
                }
            }
            // a cancellation signalled back is what the cancel asked for: not reported
            assertEquals("first", FlowAwait.awaitFirst(
                    signalsOnCancel("first", new CancellationException("cancelled"))));
            Aio.sleep(0.01);
            return null;
        });
        assertEquals(4, reported.size(), reported.toString());
        for (ErrorContext c : reported) {
            assertSame(late, c.exception());
            assertTrue(c.message().contains("after its subscriber had cancelled"), c.message());
        }
    }

    @Test
    void anOverflowStandsAndTheErrorThePublisherSignalsOnItsCancelIsReported() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        IllegalStateException late = new IllegalStateException("late failure");
        List<String> got = new CopyOnWriteArrayList<>();
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            Publisher<String> flood = s -> s.onSubscribe(new Subscription() {
                private boolean sent;

                @Override
                public void request(long n) {
                    if (!sent) {
                        sent = true;
                        for (String item : List.of("a", "b", "c")) {
                            s.onNext(item);
                        }
                    }
                }

                @Override
                public void cancel() {
                    s.onError(late); // inside the onNext that overflowed
                }
            });
            assertThrows(OverflowException.class, () -> {
                for (String item : FlowIterate.toAsyncIterable(flood, 1, Overflow.ERROR)) {
                    got.add(item);
                }
            });
            Aio.sleep(0.01);
            return null;
        });
        assertEquals(List.of("a"), got, "the item before the overflow is delivered");
        assertEquals(List.of(late), reported.stream().map(ErrorContext::exception).toList());
    }

    /** A subscriber that requests {@code n} at once and cancels when its k-th item arrives. */
    static <T> Subscriber<T> cancelsOnItem(long n, int k, List<T> got) {
        return new Subscriber<>() {
            private Subscription s;

            @Override
            public void onSubscribe(Subscription s) {
                this.s = s;
                s.request(n);
            }

            @Override
            public void onNext(T item) {
                got.add(item);
                if (got.size() == k) {
                    s.cancel();
                }
            }

            @Override
            public void onError(Throwable t) {
                got.add(null);
            }

            @Override
            public void onComplete() {
                got.add(null);
            }
        };
    }

    @Test
    void itemsProducedButNeverDeliveredGoToTheDiscardHookEvenWhenItThrows() {
        List<Integer> got = new CopyOnWriteArrayList<>();
        List<Integer> discarded = new CopyOnWriteArrayList<>();
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            AsyncPublisher.<Integer>fromGenerator(y -> {
                        try {
                            for (int i = 0; ; i++) {
                                y.yield(i);
                            }
                        } finally {
                            log.add("finally");
                        }
                    })
                    .onDiscard(item -> {
                        if (item == 5) {
                            throw new IllegalStateException("hook failed on 5");
                        }
                        discarded.add(item);
                    })
                    .subscribe(cancelsOnItem(10, 2, got));
            Aio.sleep(0.01);
            return null;
        });
        // after item 0 the body ran ahead by the rest of the demand plus one: items 1..10, of
        // which only 1 was delivered
        assertEquals(List.of(0, 1), got);
        assertEquals(List.of(2, 3, 4, 6, 7, 8, 9, 10), discarded);
        assertEquals(List.of("finally"), log);
        assertEquals(1, reported.size(), reported.toString());
        assertEquals("hook failed on 5", reported.get(0).exception().getMessage());
    }

    @Test
    void anIterablesItemReadAheadAndAValueWaitingForDemandAreDiscardedOnCancel() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        virtual(() -> {
            List<Integer> got = new ArrayList<>();
            AsyncPublisher.fromIterable(Itertools.fromIterable(List.of(1, 2, 3)))
                    .onDiscard(discarded::add)
                    .subscribe(cancelsOnItem(1, 1, got));
            Aio.sleep(0.01);
            assertEquals(List.of(1), got);
            assertEquals(List.of(), discarded, "nothing was read ahead of the cancel");

            AtomicReference<Subscription> sub = new AtomicReference<>();
            AsyncPublisher.fromIterable(Itertools.fromIterable(List.of(1, 2, 3)))
                    .onDiscard(discarded::add)
                    .subscribe(onSubscribe(sub::set));
            Aio.sleep(0.01);
            sub.get().request(1); // delivers 1, then reads 2 ahead and waits for demand
            Aio.sleep(0.01);
            sub.get().cancel();
            Aio.sleep(0.01);
            assertEquals(List.of(2), discarded);

            // a prefetching generator as the iterable: the rest of its batch is discarded too
            discarded.clear();
            AsyncPublisher.fromIterable(AsyncGenerator.<Integer, Void>of(y -> {
                        for (int i = 0; ; i++) {
                            y.yield(i);
                        }
                    }).prefetch(8))
                    .onDiscard(discarded::add)
                    .subscribe(onSubscribe(sub::set));
            Aio.sleep(0.01);
            sub.get().request(1); // delivers 0; 1 is read ahead; 2..7 wait in the batch
            Aio.sleep(0.01);
            sub.get().cancel();
            Aio.sleep(0.01);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), discarded);

            discarded.clear();
            AsyncPublisher.fromCoroutine(() -> "ready").onDiscard(discarded::add)
                    .subscribe(onSubscribe(sub::set));
            Aio.sleep(0.01); // the value waits for demand
            sub.get().cancel();
            assertEquals(List.of("ready"), discarded, "discarded by the cancel itself");

            discarded.clear();
            AsyncPublisher.fromCoroutine(() -> {
                        try {
                            return Aio.sleep(60, "on time");
                        } catch (CancelledError e) {
                            return "despite the cancel"; // swallows it and returns a value
                        }
                    })
                    .onDiscard(discarded::add)
                    .subscribe(onSubscribe(sub::set));
            sub.get().request(1);
            Aio.sleep(0.01);
            sub.get().cancel();
            Aio.sleep(0.01);
            assertEquals(List.of("despite the cancel"), discarded);
            return null;
        });
    }

    @Test
    void aNullItemFromASourceEndsTheStreamWithAnError() {
        virtual(() -> {
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> FlowAwait.awaitLast(AsyncPublisher.fromGenerator(y -> y.yield(null))));
            assertTrue(e.getMessage().contains("§2.13"));
            return null;
        });
    }

    @Test
    void subscribersFromAnyThreadAndTheFlowFlavour() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Flow.Publisher<Long> flow = range(5, log).toFlow();
        List<Long> got = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        flow.subscribe(new Flow.Subscriber<Long>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Long v) {
                got.add(v);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {
                done.countDown();
            }
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), got);
        assertFalse(Thread.currentThread().getName().startsWith("aiobridge-default-"));
        virtual(() -> {
            assertEquals(List.of(0L, 1L, 2L), Comprehensions.toList(
                    FlowIterate.toAsyncIterable(range(3, log).toFlow())));
            return null;
        });
    }
}
