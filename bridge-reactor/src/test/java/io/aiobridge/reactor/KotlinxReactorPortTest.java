package io.aiobridge.reactor;

import static io.aiobridge.testing.KotlinxCases.settle;
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
import io.aiobridge.Task;
import io.aiobridge.testing.BackgroundLoop;
import io.aiobridge.testing.KotlinxOneValueCases;
import io.aiobridge.testing.KotlinxCases;
import io.aiobridge.testing.KotlinxCases.TestException;
import io.aiobridge.testing.KotlinxStreamCases;
import io.aiobridge.testing.SerialCheckPublisher;
import io.aiobridge.testing.Steps;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * kotlinx-coroutines-reactor's tests of {@code mono} and {@code flux}, the awaits, the
 * conversions, backpressure and the stress tests, ported to {@link ReactorPublish}, {@link
 * ReactorAwait} and {@link ReactorIterate}: one nested class per kotlinx file, each test with
 * kotlinx's name. The cases shared with the rx3 files are {@link KotlinxOneValueCases} and
 * {@link KotlinxStreamCases} (their Javadoc says how the order of steps is kept).
 *
 * <p>Elsewhere: MonoTest's testDownstreamCancellationDoesNotThrow and
 * testRethrowingDownstreamCancellation, and its testUnhandledException's route through {@code
 * onOperatorError}, are {@link ReactorContractTest}'s; FluxTest.testEmittingNull is the shared
 * adapter contract's. Left out: testIllegalArgumentException (kotlinx refuses a {@code Job} in
 * the context; there is no context argument here), FluxTest.testTrySendNotThrowing (no {@code
 * trySend}: a generator's {@code yield} is its only way to emit), FluxMultiTest (many coroutines
 * {@code send} into one flux), ReactorContextTest and FluxContextTest
 * ({@link ReactorContextsAndSchedulersTest} covers {@link ReactorContexts}), SchedulerTest
 * (Reactor's schedulers as a dispatcher: {@link ReactorSchedulers#asExecutor}, tested there).
 */
class KotlinxReactorPortTest {
    private final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordDropped() {
        Hooks.onErrorDropped(dropped::add);
    }

    @AfterEach
    void resetHooks() {
        Hooks.resetOnErrorDropped();
    }

    private void nothingDropped() {
        assertEquals(List.of(), dropped, "errors that reached Hooks.onErrorDropped");
    }

    /**
     * Reactor's onErrorDropped; a fatal error a subscriber throws does not reach it (Reactor's
     * onOperatorError rethrows fatal errors), the loop's exception handler gets it.
     */
    static final KotlinxCases.GlobalHook ON_ERROR_DROPPED = new KotlinxCases.GlobalHook(
            Hooks::onErrorDropped, Hooks::resetOnErrorDropped, false);

    @Nested
    class MonoTest extends KotlinxOneValueCases {
        @Override
        protected GlobalHook hook() {
            return ON_ERROR_DROPPED;
        }

        @Override
        protected Object of(Coroutine<String> coro) {
            return ReactorPublish.mono(coro);
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<Object> onValue,
                Consumer<Throwable> onError) {
            AtomicBoolean valued = new AtomicBoolean();
            return ((Mono<?>) source).subscribe(v -> {
                valued.set(true);
                onValue.accept(v);
            }, onError, () -> {
                if (!valued.get()) {
                    onValue.accept("empty");
                }
            })::dispose;
        }

        @Override
        protected void subscribeRaw(Object source, Consumer<Runnable> onSubscribe, Steps s) {
            ((Mono<?>) source).subscribe(new BaseSubscriber<Object>() {
                @Override
                protected void hookOnSubscribe(Subscription sub) {
                    sub.request(1);
                    onSubscribe.accept(sub::cancel);
                }

                @Override
                protected void hookOnNext(Object value) {
                    s.expectUnreached();
                }

                @Override
                protected void hookOnError(Throwable e) {
                    s.expectUnreached();
                }

                @Override
                protected void hookOnComplete() {
                    s.expectUnreached();
                }
            });
        }

        @Override
        protected Object awaitNeverEnding(Runnable onDispose) {
            return ReactorAwait.awaitSingleOrNull(Mono.<String>never().doOnCancel(onDispose));
        }

        @Override
        protected Object await(Object source) {
            return ReactorAwait.awaitSingleOrNull((Mono<?>) source);
        }

        @Test
        void testBasicEmpty() {
            assertEquals("empty", blockingGet(ReactorPublish.mono(() -> null)));
        }

        @Test
        void testMonoAwait() {
            Aio.run(() -> {
                assertEquals("OK", ReactorAwait.awaitSingle(Mono.just("O")) + "K");
                assertEquals("OK", ReactorAwait.awaitSingleOrNull(Mono.just("O")) + "K");
                assertNull(ReactorAwait.awaitSingleOrNull(Mono.<String>empty()));
                assertThrows(NoSuchElementException.class,
                        () -> ReactorAwait.awaitSingle(Mono.<String>empty()));
                return null;
            });
        }

        @Test
        void testMonoEmitAndAwait() {
            assertEquals("OK", ReactorPublish.mono(
                    () -> ReactorAwait.awaitSingle(Mono.just("O")) + "K").block());
        }

        @Test
        void testMonoWithDelay() {
            assertEquals("OK", ReactorPublish.mono(() -> ReactorAwait.awaitSingle(
                    Flux.just("O").delayElements(Duration.ofMillis(50))) + "K").block());
        }

        @Test
        void testMonoException() {
            Mono<String> mono = ReactorPublish.mono(
                    () -> ReactorAwait.awaitSingle(Flux.just("O", "K")) + "K");
            assertThrows(IllegalArgumentException.class, mono::block);
        }

        @Test
        void testAwaitFirst() {
            assertEquals("OK", ReactorPublish.mono(
                    () -> ReactorAwait.awaitFirst(Flux.just("O", "#")) + "K").block());
        }

        @Test
        void testAwaitLast() {
            assertEquals("OK", ReactorPublish.mono(
                    () -> ReactorAwait.awaitLast(Flux.just("#", "O")) + "K").block());
        }

        @Test
        void testExceptionFromFlux() {
            assertEquals("OK", ReactorPublish.mono(() -> {
                try {
                    return ReactorAwait.awaitFirst(Flux.<String>error(new RuntimeException("O")));
                } catch (RuntimeException e) {
                    return ReactorAwait.awaitLast(Flux.just(e.getMessage())) + "K";
                }
            }).block());
        }

        @Test
        void testExceptionFromCoroutine() {
            Mono<String> mono = ReactorPublish.mono(() -> {
                throw new IllegalStateException(ReactorAwait.awaitSingle(Flux.just("O")) + "K");
            });
            assertEquals("OK", assertThrows(IllegalStateException.class, mono::block)
                    .getMessage());
        }

        /** Monos switched away from are cancelled, and a cancellation is never dropped. */
        @Test
        void testExceptionAfterCancellation() {
            Mono<Long> timeBomb = Mono.delay(Duration.ofMillis(1)).doOnSuccess(x -> {
                throw new TestException("something went wrong");
            });
            AtomicInteger recovered = new AtomicInteger();
            Object last = Flux.interval(Duration.ofMillis(1))
                    .switchMap(i -> ReactorPublish.mono(() -> ReactorAwait.awaitSingle(timeBomb)))
                    .map(x -> (Object) x)
                    .onErrorReturn(e -> recovered.incrementAndGet() > 0, 42)
                    .blockLast(Duration.ofSeconds(10));
            assertEquals(42, last);
            assertEquals(1, recovered.get());
            for (Throwable e : List.copyOf(dropped)) {
                assertInstanceOf(TestException.class, e, "only the bombs may be dropped");
            }
        }

        /** A failing mono, combined with itself 10,000 times: nothing is dropped. */
        @Test
        void testLeakedException() {
            Flux<Object> failing = ReactorPublish.<Object>mono(() -> {
                throw new TestException("leak?");
            }).flux();
            Aio.run(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        ReactorAwait.awaitList(Flux.combineLatest(failing, failing, (a, b) -> a));
                    } catch (TestException expected) {
                        // the combination fails with it, as kotlinx's catch {} swallows it
                    }
                }
                return null;
            });
            dropped.removeIf(TestException.class::isInstance); // the partner's, as RxJava's
            nothingDropped();
        }

        /** A timeout inside the mono is its error, not a cancel of the subscriber. */
        @Test
        void testTimeout() {
            Steps s = new Steps();
            Mono<String> mono = ReactorPublish.mono(() -> Aio.timeout(0.001,
                    () -> Aio.sleep(0.1, "late")));
            assertThrows(AsyncTimeoutException.class, () -> mono
                    .doOnSubscribe(sub -> s.expect(1))
                    .doOnNext(v -> s.expectUnreached())
                    .doOnSuccess(v -> s.expectUnreached())
                    .doOnError(e -> s.expect(2))
                    .doOnCancel(s::expectUnreached)
                    .block());
            s.finish(3);
            nothingDropped();
        }
    }

    @Nested
    class FluxTest extends KotlinxStreamCases {
        @Override
        protected GlobalHook hook() {
            return ON_ERROR_DROPPED;
        }

        @SuppressWarnings("unchecked")
        private static Flux<String> flux(Object source) {
            return (Flux<String>) source;
        }

        @Override
        protected Object of(AsyncGenerator.Body<String, Void> body) {
            return ReactorPublish.flux(body);
        }

        @Override
        protected Runnable subscribe(Object source, Consumer<String> onNext,
                Consumer<Throwable> onError, Runnable onComplete) {
            return flux(source).subscribe(onNext, onError, onComplete)::dispose;
        }

        @Override
        protected Object shared(Object source) {
            return flux(source).publish().refCount();
        }

        @Override
        protected Object watched(Object source, Consumer<String> onNext, Runnable onCancel) {
            return flux(source).doOnNext(onNext).doOnCancel(onCancel);
        }

        @Override
        protected AsyncIterable<String> iterate(Object source) {
            return ReactorIterate.iterate(flux(source));
        }

        /** A failing flux, combined with itself 2,000 times: nothing is dropped. */
        @Test
        void testLeakedException() {
            Flux<Object> failing = ReactorPublish.flux(y -> {
                throw new TestException("leak?");
            });
            Aio.run(() -> {
                for (int i = 0; i < 2_000; i++) {
                    try {
                        ReactorAwait.awaitList(Flux.combineLatest(failing, failing, (a, b) -> a));
                    } catch (TestException expected) {
                        // as kotlinx's catch {}
                    }
                }
                return null;
            });
            dropped.removeIf(TestException.class::isInstance);
            assertEquals(List.of(), dropped);
        }
    }

    /** FluxSingleTest: the awaits of a Flux, inside a mono. */
    @Nested
    class FluxSingleTest {
        private <T> T run(Coroutine<T> coro) {
            return ReactorPublish.mono(coro).block(Duration.ofSeconds(10));
        }

        @Test
        void testSingleNoWait() {
            assertEquals("OK", run(() -> ReactorAwait.awaitSingle(Flux.just("OK"))));
        }

        @Test
        void testSingleEmitAndAwait() {
            assertEquals("OK", run(() -> ReactorAwait.awaitSingle(
                    Flux.just(ReactorAwait.awaitSingle(Flux.just("O")) + "K"))));
        }

        @Test
        void testSingleWithDelay() {
            assertEquals("OK", run(() -> ReactorAwait.awaitSingle(
                    Flux.just("O").delayElements(Duration.ofMillis(50))) + "K"));
        }

        @Test
        void testSingleException() {
            assertThrows(IllegalArgumentException.class,
                    () -> run(() -> ReactorAwait.awaitSingle(Flux.just("O", "K")) + "K"));
        }

        @Test
        void testAwaitFirstOrDefault() {
            assertEquals("OK", run(() -> ReactorAwait.awaitFirstOrDefault(
                    Flux.<String>empty(), "O") + "K"));
        }

        @Test
        void testAwaitFirstOrDefaultWithValues() {
            assertEquals("OK", run(() -> ReactorAwait.awaitFirstOrDefault(
                    Flux.just("O", "#"), "!") + "K"));
        }

        @Test
        void testAwaitFirstOrNull() {
            assertEquals("OK", run(() -> {
                String first = ReactorAwait.awaitFirstOrNull(Flux.<String>empty());
                return (first == null ? "O" : first) + "K";
            }));
        }

        @Test
        void testAwaitFirstOrNullWithValues() {
            assertEquals("OK", run(() -> ReactorAwait.awaitFirstOrNull(Flux.just("O", "#"))
                    + "K"));
        }

        @Test
        void testAwaitFirstOrElse() {
            assertEquals("OK", run(() -> ReactorAwait.awaitFirstOrElse(Flux.<String>empty(),
                    () -> "O") + "K"));
        }

        @Test
        void testAwaitFirstOrElseWithValues() {
            assertEquals("OK", run(() -> ReactorAwait.awaitFirstOrElse(Flux.just("O", "#"),
                    () -> "!") + "K"));
        }

        @Test
        void testFluxIteration() {
            assertEquals("OK", run(() -> {
                StringBuilder result = new StringBuilder();
                for (String s : ReactorIterate.iterate(Flux.just("O", "K"))) {
                    result.append(s);
                }
                return result.toString();
            }));
        }

        @Test
        void testFluxIterationFailure() {
            assertEquals("OK", run(() -> {
                try {
                    for (String s : ReactorIterate.iterate(
                            Flux.<String>error(new RuntimeException("OK")))) {
                        throw new AssertionError("no item: " + s);
                    }
                    return "none";
                } catch (RuntimeException e) {
                    return e.getMessage();
                }
            }));
        }
    }

    /** ConvertTest: futures and async iterables as Reactor types. */
    @Nested
    class ConvertTest {
        @Test
        void testJobToMonoSuccess() throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Task<String> job = Aio.createTask(() -> {
                    s.expect(3);
                    return null;
                });
                CompletableFuture<Void> done = new CompletableFuture<>();
                ReactorPublish.mono(job).subscribe(v -> s.expectUnreached(),
                        done::completeExceptionally, () -> {
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
        void testJobToMonoFail() throws Exception {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                Task<String> job = Aio.createTask(() -> {
                    s.expect(3);
                    throw new RuntimeException("OK");
                });
                CompletableFuture<Throwable> got = new CompletableFuture<>();
                ReactorPublish.mono(job).subscribe(v -> s.expectUnreached(), e -> {
                    s.expect(4);
                    got.complete(e);
                });
                s.expect(2);
                Aio.sleep(0);
                assertEquals("OK", settle(got).getMessage());
                s.finish(5);
                return null;
            });
            nothingDropped();
        }

        /** testDeferredToMono, testDeferredToMonoEmpty, testDeferredToMonoFail. */
        @Test
        void testDeferredToMono() throws Exception {
            try (BackgroundLoop bg = BackgroundLoop.start()) {
                Task<String> ok = Aio.runCoroutineThreadsafe(() -> Aio.createTask(
                        () -> Aio.sleep(0.05, "OK")), bg.loop()).get(10, TimeUnit.SECONDS);
                Task<String> empty = Aio.runCoroutineThreadsafe(() -> Aio.createTask(
                        () -> Aio.sleep(0.05, (String) null)), bg.loop())
                        .get(10, TimeUnit.SECONDS);
                Task<String> failed = Aio.runCoroutineThreadsafe(() -> Aio.<String>createTask(() -> {
                    Aio.sleep(0.05);
                    throw new TestException("OK");
                }), bg.loop()).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 2; i++) { // two subscribers, one future
                    assertEquals("OK", ReactorPublish.mono(ok).block(Duration.ofSeconds(10)));
                    assertNull(ReactorPublish.mono(empty).block(Duration.ofSeconds(10)));
                    assertEquals("OK", assertThrows(TestException.class,
                            () -> ReactorPublish.mono(failed).block(Duration.ofSeconds(10)))
                            .getMessage());
                }
            }
            nothingDropped();
        }

        @Test
        void testToFlux() {
            AsyncIterable<String> c = AsyncGenerator.of(y -> {
                Aio.sleep(0.05);
                y.yield("O");
                Aio.sleep(0.05);
                y.yield("K");
            });
            assertEquals("OK", ReactorPublish.flux(c).reduce(String::concat)
                    .block(Duration.ofSeconds(10)));
        }

        @Test
        void testToFluxFail() {
            AsyncIterable<String> c = AsyncGenerator.of(y -> {
                Aio.sleep(0.05);
                y.yield("O");
                Aio.sleep(0.05);
                throw new TestException("K");
            });
            Flux<String> flux = ReactorPublish.flux(c);
            assertEquals("OK", ReactorPublish.mono(() -> {
                StringBuilder result = new StringBuilder();
                try {
                    ReactorIterate.iterate(flux).forEach(result::append);
                } catch (TestException e) {
                    result.append(e.getMessage());
                }
                return result.toString();
            }).block(Duration.ofSeconds(10)));
        }
    }

    /** BackpressureTest: iterating sources with their own backpressure strategy. */
    @Nested
    class BackpressureTest {
        @Test
        void testBackpressureDropDirect() {
            Steps s = new Steps();
            Aio.run(() -> {
                s.expect(1);
                ReactorIterate.iterate(Flux.just(1).onBackpressureDrop()).forEach(v -> {
                    assertEquals(1, v);
                    s.expect(2);
                });
                s.finish(3);
                return null;
            });
        }

        /** A task that cancels itself while iterating an endless source ends, cancelled. */
        @Test
        void testCooperativeCancellation() {
            for (int prefetch : new int[] {1, 256}) {
                Aio.run(() -> {
                    Flux<Long> endless = Flux.fromStream(LongStream.range(0, Long.MAX_VALUE)
                            .boxed());
                    Task<Void> job = Aio.createTask(() -> {
                        for (long v : ReactorIterate.iterate(endless, prefetch)) {
                            if (v > 10) {
                                Aio.currentTask().cancel();
                                Aio.sleep(0); // where the cancel lands
                            }
                        }
                        return null;
                    });
                    assertThrows(CancelledError.class, () -> Aio.await(job));
                    return null;
                });
            }
        }
    }

    /**
     * MonoAwaitCancellationStressTest: a task awaiting a Mono that sends its value and never
     * completes is cancelled from another thread, 10,000 times; the Mono's {@code request} and
     * {@code cancel} each take a lock with {@code tryLock}, so an overlap of the two (rule 2.7)
     * is counted, and every subscription must end cancelled. kotlinx's Mono calls {@code
     * onSubscribe} on the subscribing thread; two more rounds call it from a thread of the
     * publisher's, so the request runs there while the cancellation comes from the loop, for an
     * await and for an iteration. Before the bridge subscribed as a {@code CoreSubscriber},
     * Reactor's {@code StrictSubscriber} made those requests overlap the cancel.
     */
    @Test
    void testAwaitCancellationOrder() throws Exception {
        int repeats = 10_000 * Integer.getInteger("stress.scale", 1);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            SerialCheckPublisher.rounds((round, source) -> {
                Mono<Integer> mono = Mono.from(source);
                Coroutine<Integer> consume = round.startsWith("await")
                        ? () -> ReactorAwait.awaitSingleOrNull(mono)
                        : () -> {
                            for (int x : ReactorIterate.iterate(source)) {
                                Aio.sleep(0); // 42 on every request, never completing
                            }
                            return null;
                        };
                // Mono.from takes the first value and cancels, so an await may end with 42
                // before the cancellation comes
                for (String end : source.cancelEach(bg.loop(), consume, repeats, round)) {
                    assertTrue(end.equals("value 42") || end.equals("cancelled"), end);
                }
            });
        }
        nothingDropped();
    }

    /**
     * MonoAwaitStressTest: a Mono whose value and completion come from another thread, racing:
     * the await returns only after onComplete, 10,000 times.
     */
    @Test
    void testAwaitingRacingWithCompletion() {
        int repeats = 10_000 * Integer.getInteger("stress.scale", 1);
        AtomicBoolean completed = new AtomicBoolean();
        Thread[] thread = new Thread[1];
        Mono<Integer> mono = new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Integer> s) {
                s.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                        thread[0] = Thread.ofPlatform().start(() -> {
                            s.onNext(1);
                            Thread.yield();
                            completed.set(true);
                            s.onComplete();
                        });
                    }

                    @Override
                    public void cancel() {
                    }
                });
            }
        };
        Aio.run(() -> {
            for (int i = 0; i < repeats; i++) {
                completed.set(false);
                Integer value = ReactorAwait.awaitSingleOrNull(mono);
                assertTrue(completed.get(), "iteration " + i);
                assertEquals(1, value);
                thread[0].join();
            }
            return null;
        });
    }

    /**
     * FluxCompletionStressTest: 10,000 fluxes of 0 to 4 items, each collected in full and in
     * order, each within 5 s.
     */
    @Test
    void testCompletion() {
        int repeats = 10_000 * Integer.getInteger("stress.scale", 1);
        Random rnd = new Random(Long.getLong("stress.seed", 1));
        for (int i = 0; i < repeats; i++) {
            int count = rnd.nextInt(5);
            Flux<Integer> range = ReactorPublish.flux(y -> {
                for (int x = 1; x <= count; x++) {
                    y.yield(x);
                }
            });
            Aio.run(() -> Aio.timeout(5.0, () -> {
                AtomicInteger received = new AtomicInteger();
                ReactorIterate.iterate(range).forEach(x -> {
                    assertEquals(received.incrementAndGet(), x);
                });
                assertEquals(count, received.get());
                return null;
            }));
        }
        nothingDropped();
    }
}
