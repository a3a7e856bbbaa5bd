package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.flow.Overflow;
import io.aiobridge.testing.AdapterContract;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.HashSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/**
 * What Reactor users rely on from a Flux or Mono made by the bridge, and from awaiting one. The
 * shared {@link AdapterContract} (which the RxJava adapter runs too) holds it to the sequences
 * kotlinx-coroutines-reactor's FluxTest, MonoTest and LeakedExceptionTest check; the tests here
 * are the ones only Reactor's operators and StepVerifier express. Every test fails if an error
 * reached {@code Hooks.onErrorDropped} unexpectedly: a cancel is never an error.
 */
class ReactorContractTest extends AdapterContract {

    @BeforeAll
    static void verifyTimeout() {
        StepVerifier.setDefaultTimeout(Duration.ofSeconds(10));
    }

    @Override
    protected <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body) {
        return ReactorPublish.flux(body);
    }

    @Override
    protected <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body, EventLoop loop) {
        return ReactorPublish.flux(body, loop);
    }

    @Override
    protected <T> Publisher<T> coroutine(Coroutine<T> coro) {
        return ReactorPublish.mono(coro);
    }

    @Override
    protected <T> Publisher<T> future(AsyncFuture<T> future) {
        return ReactorPublish.mono(future);
    }

    @Override
    protected <T> T awaitSingle(Publisher<T> source) {
        return ReactorAwait.awaitSingle(Mono.fromDirect(source));
    }

    @Override
    protected <T> AsyncIterable<T> iterate(Publisher<T> source, int prefetch) {
        return ReactorIterate.iterate(Flux.from(source), prefetch);
    }

    @Override
    protected void installDroppedHook(Consumer<Throwable> hook) {
        Hooks.onErrorDropped(hook);
    }

    @Override
    protected void resetDroppedHook() {
        Hooks.resetOnErrorDropped();
    }

    static Flux<Integer> yieldsThenFails(int n, Exception failure) {
        return ReactorPublish.flux(y -> {
            for (int i = 0; i < n; i++) {
                y.yield(i);
            }
            throw failure;
        });
    }

    // ---- items, errors, completion ----------------------------------------------------------

    @Test
    void everyItemBeforeAGeneratorsFailureIsDelivered() {
        IllegalStateException boom = new IllegalStateException("boom");
        StepVerifier.create(yieldsThenFails(100, boom))
                .expectNextCount(100).verifyErrorMatches(e -> e == boom);
        StepVerifier.create(yieldsThenFails(100, boom).limitRate(8))
                .expectNextCount(100).verifyErrorMatches(e -> e == boom);
        StepVerifier.create(yieldsThenFails(100, boom).limitRate(256))
                .expectNextCount(100).verifyErrorMatches(e -> e == boom);
        StepVerifier.create(yieldsThenFails(3, boom), 0)
                .thenRequest(2).expectNext(0, 1)
                .thenRequest(1).expectNext(2).verifyErrorMatches(e -> e == boom);
    }

    @Test
    void checkedExceptionsReachOnErrorAsThemselves() {
        IOException io = new IOException("disk");
        StepVerifier.create(yieldsThenFails(1, io)
                        .onErrorResume(IOException.class, e -> Flux.just(-1)))
                .expectNext(0, -1).verifyComplete();
        StepVerifier.create(ReactorPublish.<Integer>mono(() -> {
                    throw io;
                }).onErrorResume(IOException.class, e -> Mono.just(-1)))
                .expectNext(-1).verifyComplete();
    }

    // ---- a cancel is never an error ----------------------------------------------------------

    @Test
    void earlyCancelsAreNotErrors() {
        AtomicInteger finallies = new AtomicInteger();
        Flux<Integer> gen = ReactorPublish.flux(y -> {
            try {
                for (int i = 0; i < 10; i++) {
                    y.yield(i);
                    Aio.sleep(0.001);
                }
            } finally {
                finallies.incrementAndGet();
            }
        });
        StepVerifier.create(gen.take(0)).verifyComplete();
        StepVerifier.create(gen).thenCancel().verify();
        StepVerifier.create(gen).expectNext(0).thenCancel().verify();
        StepVerifier.create(Flux.zip(gen, Flux.error(new IllegalStateException("partner"))))
                .verifyErrorMessage("partner");
        StepVerifier.create(gen.take(3)).expectNext(0, 1, 2).verifyComplete();
        StepVerifier.create(ReactorPublish.mono(() -> Aio.sleep(10, 1))).thenCancel().verify();
    }

    @Test
    void tenThousandCancelVersusCompleteRacesReportNothing() {
        int rounds = 10_000 * Integer.getInteger("stress.scale", 1);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finallies = new AtomicInteger();
        Flux<Integer> gen = ReactorPublish.flux(y -> {
            started.incrementAndGet();
            try {
                y.yield(1);
                y.yield(2);
            } finally {
                finallies.incrementAndGet();
            }
        });
        Mono<Integer> coro = ReactorPublish.mono(() -> 1);
        for (int i = 0; i < rounds; i++) {
            // zip takes one of each and cancels the rest: cancel races the generator's end
            assertEquals(2, Flux.zip(gen, coro, Integer::sum).blockLast(Duration.ofSeconds(10)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (finallies.get() < started.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(started.get(), finallies.get(), "exactly one finally per generator");
    }

    /**
     * kotlinx's LeakedExceptionTest: two failing Monos combined. One failure reaches the
     * subscriber; the other, which happens after combineLatest cancelled its subscription, may
     * only reach Hooks.onErrorDropped as itself, never as a cancellation artifact.
     */
    @Test
    void aFailingMonoInsideCombineLeaksOnlyItsOwnError() {
        Mono<Integer> failing = ReactorPublish.mono(() -> {
            throw new IllegalStateException("expected");
        });
        for (int i = 0; i < 2_000; i++) {
            // the two Monos may run on two loops of the default group and fail at the same
            // moment: then combineLatest itself joins both errors (Exceptions.multiple), as it
            // does for any two sources; each part must still be the body's own failure
            StepVerifier.create(Flux.combineLatest(failing, failing, Integer::sum))
                    .verifyErrorSatisfies(e -> {
                        for (Throwable part : Exceptions.unwrapMultiple(e)) {
                            assertEquals("expected", part.getMessage(), "not an artifact: " + e);
                        }
                    });
        }
        for (Throwable e : dropped) {
            assertEquals("expected", e.getMessage(), "only the second failure itself: " + e);
        }
        dropped.clear();
    }

    // ---- awaiting a Mono: to its terminal signal, never cancelled after its value ------------

    @Test
    void awaitingAMonoNeverCancelsItAfterItsValue() {
        List<String> signals = new CopyOnWriteArrayList<>();
        Mono<String> mono = Mono.just("v")
                .doOnNext(v -> signals.add("onNext"))
                .doOnSuccess(v -> signals.add("onComplete"))
                .doOnCancel(() -> signals.add("cancel"));
        Aio.run(() -> {
            assertEquals("v", ReactorAwait.awaitSingle(mono));
            assertEquals("v", ReactorAwait.awaitSingleOrNull(mono));
            assertEquals(Optional.of("v"), ReactorAwait.awaitOptional(mono));
            ReactorAwait.awaitCompletion(mono);
            return null;
        });
        assertEquals(List.of("onNext", "onComplete", "onNext", "onComplete", "onNext",
                "onComplete", "onNext", "onComplete"), signals);
    }

    @Test
    void aTransactionalMonoCommitsWhenAwaited() {
        List<String> path = new CopyOnWriteArrayList<>();
        // a Mono whose resource is released after its value (R2DBC's and Spring's transactional
        // Monos behave so): a cancel after the value takes the rollback path
        Mono<String> tx = Mono.fromDirect(Flux.usingWhen(Mono.just("tx"),
                r -> Mono.just("row").delayElement(Duration.ofMillis(5)),
                r -> Mono.fromRunnable(() -> path.add("commit")),
                (r, e) -> Mono.fromRunnable(() -> path.add("rollback")),
                r -> Mono.fromRunnable(() -> path.add("cancel"))));
        Aio.run(() -> {
            assertEquals("row", ReactorAwait.awaitSingle(tx));
            assertEquals("row", ReactorAwait.awaitSingleOrNull(tx));
            assertEquals("row", ReactorAwait.awaitOptional(tx).orElseThrow());
            return null;
        });
        assertEquals(List.of("commit", "commit", "commit"), path);
    }

    // ---- errors after a cancel reach the hook with the subscriber's Context ------------------

    @Test
    void droppedErrorsCarryTheSubscribersContext() throws Exception {
        List<Throwable> perSubscription = new CopyOnWriteArrayList<>();
        CountDownLatch reported = new CountDownLatch(1);
        Consumer<Throwable> hook = e -> {
            perSubscription.add(e);
            reported.countDown();
        };
        IllegalStateException late = new IllegalStateException("after cancel");
        CountDownLatch started = new CountDownLatch(1);
        Disposable d = ReactorPublish.mono(() -> {
                    started.countDown();
                    try {
                        return Aio.sleep(60, "late");
                    } finally {
                        throw late; // fails after the subscriber has gone
                    }
                })
                .contextWrite(Context.of("reactor.onErrorDropped.local", hook))
                .subscribe();
        assertTrue(started.await(5, TimeUnit.SECONDS));
        d.dispose();
        assertTrue(reported.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(late), perSubscription);
    }

    // ---- items produced but never delivered: Reactor's discard hook ---------------------------

    /** Collects discarded items; {@link #await} waits for the loop to hand over {@code n}. */
    static final class Discards implements Consumer<Object> {
        private final List<Object> items = new CopyOnWriteArrayList<>();
        private final CountDownLatch expected;

        Discards(int n) {
            expected = new CountDownLatch(n);
        }

        @Override
        public void accept(Object item) {
            items.add(item);
            expected.countDown();
        }

        List<Object> await() throws InterruptedException {
            assertTrue(expected.await(5, TimeUnit.SECONDS), "discarded so far: " + items);
            return items;
        }
    }

    @Test
    void aCancelledFluxHandsWhatItProducedAheadToDoOnDiscardAsFluxCreateDoes() throws Exception {
        // the reference: Flux.create discards what it buffered beyond the demand
        Discards reference = new Discards(2);
        StepVerifier.create(Flux.<Integer>create(s -> {
                    for (int i = 0; i < 3; i++) {
                        s.next(i);
                    }
                }).doOnDiscard(Integer.class, reference), 1)
                .expectNext(0).thenCancel().verify();
        assertEquals(List.of(1, 2), reference.await());

        // a generator runs one item ahead of the demand: that item is discarded (the subscriber
        // cancels once the body is past item 0, so item 1 was yielded, never delivered)
        Discards generated = new Discards(1);
        CountDownLatch ahead = new CountDownLatch(1);
        StepVerifier.create(ReactorPublish.<Integer>flux(y -> {
                    y.yield(0);
                    ahead.countDown();
                    for (int i = 1; ; i++) {
                        y.yield(i);
                    }
                }).doOnDiscard(Integer.class, generated), 1)
                .expectNext(0).then(() -> assertTrue(await(ahead)))
                .thenCancel().verify();
        assertEquals(List.of(1), generated.await());

        // an async iterable's item read ahead of the demand, likewise
        Discards iterated = new Discards(1);
        CountDownLatch readAhead = new CountDownLatch(1);
        AsyncIterable<Integer> items = AsyncGenerator.of(y -> {
            y.yield(1);
            readAhead.countDown();
            y.yield(2);
            y.yield(3);
        });
        StepVerifier.create(ReactorPublish.flux(items).doOnDiscard(Integer.class, iterated), 1)
                .expectNext(1).then(() -> assertTrue(await(readAhead)))
                .thenCancel().verify();
        assertEquals(List.of(2), iterated.await());

        // a subscriber that cancels inside onNext leaves nothing produced ahead to discard
        Discards none = new Discards(0);
        CountDownLatch closed = new CountDownLatch(1);
        StepVerifier.create(ReactorPublish.<Integer>flux(y -> {
                    try {
                        for (int i = 0; ; i++) {
                            y.yield(i);
                        }
                    } finally {
                        closed.countDown(); // after anything buffered was discarded
                    }
                }).doOnDiscard(Integer.class, none), 1)
                .expectNext(0).thenCancel().verify();
        assertTrue(await(closed));
        assertEquals(List.of(), none.await());
    }

    @Test
    void aTaskThatCancelsItselfWhileIteratingASourceThatIsNeverEmptyStopsThere()
            throws Exception {
        // kotlinx BackpressureTest.testCooperativeCancellation: Flux.fromIterable emits inside
        // each request, so the iteration never waits and never suspends; the cancel is raised
        // at the next item instead of never, and what was read ahead goes to the hook
        for (boolean buffered : new boolean[] {false, true}) {
            // read ahead and never read: 11 to 15; the buffered one also dropped 16, the item
            // that overflowed its 16 places (the source emits everything inside its request)
            Discards readAhead = new Discards(buffered ? 6 : 5);
            List<Long> seen = new ArrayList<>();
            StepVerifier.create(ReactorPublish.mono(() -> {
                        Flux<Long> endless = Flux.fromIterable(
                                () -> java.util.stream.LongStream.iterate(0, i -> i + 1).iterator());
                        for (long x : buffered
                                ? ReactorIterate.iterate(endless, 16, Overflow.ERROR)
                                : ReactorIterate.iterate(endless, 16)) {
                            seen.add(x);
                            if (x == 10) {
                                Aio.currentTask().cancel();
                            }
                            if (x > 1_000_000) {
                                return "never cancelled";
                            }
                        }
                        return "ended";
                    }).doOnDiscard(Long.class, readAhead))
                    // a task cancelled from inside reaches the subscriber as Reactor would say it
                    .expectError(java.util.concurrent.CancellationException.class)
                    .verify(Duration.ofSeconds(10));
            assertEquals(java.util.stream.LongStream.rangeClosed(0, 10).boxed().toList(), seen,
                    "buffered: " + buffered);
            assertTrue(readAhead.await().containsAll(List.of(11L, 12L, 13L, 14L, 15L)),
                    "buffered: " + buffered + ", discarded: " + readAhead.await());
        }
    }

    @Test
    void aTimeoutOrACancelFromAnotherThreadStopsAnIterationOfASourceThatIsNeverEmpty()
            throws Exception {
        // the same endless source: the task never waits, so the loop would never run its timer
        // nor the cancel that another thread sends; every so many items it now lets them in
        Flux<Long> endless = Flux.fromIterable(
                () -> java.util.stream.LongStream.iterate(0, i -> i + 1).iterator());
        StepVerifier.create(ReactorPublish.mono(() -> {
                    try {
                        return Aio.timeout(0.05, () -> {
                            long n = 0;
                            for (long x : ReactorIterate.iterate(endless, 16)) {
                                n = x;
                            }
                            return n;
                        });
                    } catch (io.aiobridge.AsyncTimeoutException expected) {
                        return -1L;
                    }
                }))
                .expectNext(-1L).expectComplete().verify(Duration.ofSeconds(10));

        CountDownLatch iterating = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        Disposable running = ReactorPublish.mono(() -> {
            try {
                for (long x : ReactorIterate.iterate(endless, 16)) {
                    iterating.countDown();
                }
                return "ended";
            } catch (CancelledError e) {
                cancelled.countDown();
                throw e;
            }
        }).subscribe();
        assertTrue(iterating.await(10, TimeUnit.SECONDS));
        running.dispose(); // from this thread: reaches the task through its loop
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the dispose never reached the task");
    }

    @Test
    void whatAnIterationReadAheadOrDroppedGoesToDoOnDiscardAsPublishOnsQueueDoes()
            throws Exception {
        // the reference: publishOn's queue, prefetch 8, two read, then cancelled (hide(): a
        // range fused into publishOn would discard its whole rest, 2 to 99, as its queue)
        Discards reference = new Discards(6);
        StepVerifier.create(Flux.range(0, 100).hide().publishOn(Schedulers.single(), 8)
                        .doOnDiscard(Integer.class, reference), 2)
                .expectNext(0, 1).thenCancel().verify();
        assertEquals(List.of(2, 3, 4, 5, 6, 7), reference.await());

        // a coroutine iterating with prefetch 8 leaves after two: the Mono running it has the hook
        Discards readAhead = new Discards(6);
        StepVerifier.create(ReactorPublish.mono(() -> {
                    for (int i : ReactorIterate.iterate(Flux.range(0, 100), 8)) {
                        if (i == 1) {
                            break;
                        }
                    }
                    return "left";
                }).doOnDiscard(Integer.class, readAhead))
                .expectNext("left").verifyComplete();
        assertEquals(List.of(2, 3, 4, 5, 6, 7), readAhead.await());

        // with a discard of its own, the iteration hands them there, in a task with no hook
        List<Integer> ownDiscard = new CopyOnWriteArrayList<>();
        assertEquals("left", Aio.run(() -> {
            for (int i : ReactorIterate.iterate(Flux.range(0, 100), 8, ownDiscard::add)) {
                if (i == 1) {
                    break;
                }
            }
            return "left"; // the task's end cancels the iteration it left open
        }));
        assertEquals(List.of(2, 3, 4, 5, 6, 7), ownDiscard);

        // an overflow strategy's drops, as onBackpressureBuffer(2, DROP_LATEST) discards them
        Discards dropped = new Discards(3);
        StepVerifier.create(ReactorPublish.mono(() -> {
                    List<Integer> read = new ArrayList<>();
                    for (int i : ReactorIterate.iterate(Flux.range(0, 5), 2,
                            Overflow.DROP_LATEST)) {
                        read.add(i);
                    }
                    return read;
                }).doOnDiscard(Integer.class, dropped))
                .expectNext(List.of(0, 1)).verifyComplete();
        assertEquals(List.of(2, 3, 4), dropped.await());

        // awaitLast: the items it replaced, as Reactor's last() discards them
        Discards replaced = new Discards(4);
        StepVerifier.create(ReactorPublish.mono(() -> ReactorAwait.awaitLast(Flux.range(0, 5)))
                        .doOnDiscard(Integer.class, replaced))
                .expectNext(4).verifyComplete();
        assertEquals(List.of(0, 1, 2, 3), replaced.await());
    }

    @Test
    void whatAnAwaitReceivesAndDoesNotReturnGoesToDoOnDiscardAsThenAndSingleDo()
            throws Exception {
        // then() discards every item; an awaited completion does the same
        Discards reference = new Discards(3);
        StepVerifier.create(Flux.range(0, 3).then().doOnDiscard(Integer.class, reference))
                .verifyComplete();
        assertEquals(List.of(0, 1, 2), reference.await());
        Discards ignored = new Discards(3);
        StepVerifier.create(ReactorPublish.mono(() -> {
                    ReactorAwait.awaitCompletion(Flux.range(0, 3));
                    return "done";
                }).doOnDiscard(Integer.class, ignored))
                .expectNext("done").verifyComplete();
        assertEquals(reference.await(), ignored.await());

        // single() discards the second item, then the first, and fails
        Discards singleReference = new Discards(2);
        StepVerifier.create(Flux.range(0, 3).single()
                        .doOnDiscard(Integer.class, singleReference))
                .verifyError(IndexOutOfBoundsException.class);
        assertEquals(List.of(1, 0), singleReference.await());
        Discards both = new Discards(2);
        StepVerifier.create(ReactorPublish.mono(() -> ReactorAwait.awaitSingle(Flux.range(0, 3)))
                        .doOnDiscard(Integer.class, both))
                .verifyError(IllegalArgumentException.class);
        assertEquals(singleReference.await(), both.await());

        // a cancelled awaitList: collectList hands what it collected over, item by item
        Discards collected = new Discards(3);
        CountDownLatch awaiting = new CountDownLatch(1);
        StepVerifier.create(ReactorPublish.mono(() -> ReactorAwait.awaitList(
                                Flux.concat(Flux.range(0, 3), Flux.<Integer>never())
                                        .doOnRequest(n -> awaiting.countDown())))
                        .doOnDiscard(Integer.class, collected))
                .expectSubscription()
                .then(() -> assertTrue(awaitUninterruptibly(awaiting)))
                .thenCancel()
                .verify();
        assertEquals(List.of(0, 1, 2), collected.await());
    }

    private static boolean awaitUninterruptibly(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void aMonosValueThatNeverReachesItsSubscriberGoesToDoOnDiscardAsMonoCreatesDoes()
            throws Exception {
        // the reference: Mono.create's value after a cancel is discarded
        Discards reference = new Discards(1);
        Disposable d = Mono.<String>create(sink -> {
                    sink.onCancel(() -> sink.success("late"));
                }).doOnDiscard(String.class, reference).subscribe();
        d.dispose();
        assertEquals(List.of("late"), reference.await());

        // a value waiting for demand when the subscriber cancels
        Discards waiting = new Discards(1);
        CountDownLatch ran = new CountDownLatch(1);
        StepVerifier.create(ReactorPublish.mono(() -> {
                    ran.countDown();
                    return "waiting";
                }).doOnDiscard(String.class, waiting), 0)
                .expectSubscription()
                .then(() -> assertTrue(await(ran)))
                .thenCancel().verify();
        assertEquals(List.of("waiting"), waiting.await());

        // a coroutine that returns its value although it was cancelled
        Discards late = new Discards(1);
        CountDownLatch started = new CountDownLatch(1);
        Disposable task = ReactorPublish.mono(() -> {
                    started.countDown();
                    try {
                        return Aio.sleep(60, "on time");
                    } catch (CancelledError e) {
                        return "despite the cancel";
                    }
                }).doOnDiscard(String.class, late).subscribe();
        assertTrue(await(started));
        task.dispose();
        assertEquals(List.of("despite the cancel"), late.await());
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anErrorAfterTheCancelPassesOnOperatorErrorThenOnErrorDroppedAsKotlinxMonoArranges()
            throws Exception {
        // kotlinx MonoTest.testUnhandledException: the coroutine cancels its own subscription,
        // then throws while cleaning up; Reactor's Mono.create sends such an error to
        // onOperatorError, and only there; the bridge then also drops it, so it is not lost
        List<String> steps = new CopyOnWriteArrayList<>();
        CountDownLatch dropped = new CountDownLatch(1);
        IllegalStateException cleanup = new IllegalStateException("cleanup failed");
        Subscription[] sub = new Subscription[1];
        ReactorPublish.mono(() -> {
                    steps.add("body");
                    sub[0].cancel();
                    try {
                        return Aio.sleep(60, "never");
                    } finally {
                        throw cleanup;
                    }
                })
                .contextWrite(Context.of(
                        "reactor.onOperatorError.local", (BiFunction<Throwable, Object, Throwable>)
                                (e, data) -> {
                                    steps.add("onOperatorError " + e.getMessage());
                                    return new IllegalStateException("mapped", e);
                                },
                        "reactor.onErrorDropped.local", (Consumer<Throwable>) e -> {
                            steps.add("onErrorDropped " + e.getMessage() + " <- "
                                    + e.getCause().getMessage());
                            dropped.countDown();
                        }))
                .subscribe(new BaseSubscriber<String>() {
                    @Override
                    protected void hookOnSubscribe(Subscription s) {
                        sub[0] = s;
                    }

                    @Override
                    protected void hookOnNext(String v) {
                        steps.add("onNext");
                    }

                    @Override
                    protected void hookOnError(Throwable e) {
                        steps.add("onError");
                    }

                    @Override
                    protected void hookOnComplete() {
                        steps.add("onComplete");
                    }
                });
        assertTrue(dropped.await(5, TimeUnit.SECONDS), steps.toString());
        assertEquals(List.of("body", "onOperatorError cleanup failed",
                "onErrorDropped mapped <- cleanup failed"), steps);
    }

    @Test
    void aCancelThatTheBodyTurnsIntoAnErrorIsReportedAndACleanCancelIsNot() throws Exception {
        // kotlinx MonoTest.testDownstreamCancellationDoesNotThrow and
        // testRethrowingDownstreamCancellation, a thousand times each
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onOperatorError("aiobridge-test", (e, data) -> {
            seen.add(e);
            return e;
        });
        try {
            for (boolean rethrows : new boolean[] {false, true}) {
                for (int i = 0; i < 1000; i++) {
                    CountDownLatch started = new CountDownLatch(1);
                    CountDownLatch ended = new CountDownLatch(1);
                    Disposable d = ReactorPublish.mono(() -> {
                                started.countDown();
                                try {
                                    return Aio.sleep(60, "never");
                                } catch (CancelledError e) {
                                    if (rethrows) {
                                        throw new IllegalStateException("rethrown cancel");
                                    }
                                    throw e;
                                } finally {
                                    ended.countDown();
                                }
                            })
                            .doOnNext(v -> seen.add(new AssertionError("onNext")))
                            .doOnError(e -> seen.add(new AssertionError("onError " + e)))
                            .contextWrite(Context.of("reactor.onErrorDropped.local",
                                    (Consumer<Throwable>) dropped::add))
                            .subscribe();
                    assertTrue(await(started));
                    d.dispose();
                    assertTrue(await(ended));
                }
            }
            for (int i = 0; i < 100 && dropped.size() < 1000; i++) {
                Thread.sleep(10); // the hooks run on the loop, right after the body ends
            }
            assertEquals(1000, seen.size(), "errors seen by onOperatorError");
            assertTrue(seen.stream().allMatch(e -> "rethrown cancel".equals(e.getMessage())),
                    "only the rethrown cancels: " + seen.stream().filter(
                            e -> !"rethrown cancel".equals(e.getMessage())).toList());
            assertEquals(1000, dropped.size(), "errors dropped");
            assertEquals(new HashSet<>(seen), new HashSet<>(dropped),
                    "each, after onOperatorError, reached onErrorDropped (in any order: the"
                            + " subscriptions ran on several loops)");
        } finally {
            Hooks.resetOnOperatorError("aiobridge-test");
        }
    }

    // ---- the loop as a Scheduler -------------------------------------------------------------

    @Test
    void aSchedulerWorkerForgetsWhatItRan() throws Exception {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            r.run(() -> {
                Scheduler s = ReactorSchedulers.of(Aio.getRunningLoop());
                assertEquals(Aio.getRunningLoop().time(), s.now(TimeUnit.NANOSECONDS) / 1e9, 1e-6,
                        "now() is the loop's clock, virtual time included");
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

    /** Schedules work that captures {@code big}; only the returned weak reference remains. */
    private static WeakReference<byte[]> scheduleCapturing(Scheduler.Worker w, AtomicInteger ran,
            byte[] big) {
        w.schedule(() -> ran.addAndGet(big.length > 0 ? 1 : 0));
        return new WeakReference<>(big);
    }

}
