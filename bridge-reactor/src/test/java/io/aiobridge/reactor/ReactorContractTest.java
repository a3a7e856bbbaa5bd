package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AioFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.flow.Overflow;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/**
 * What Reactor users rely on from a Flux or Mono made by the bridge, and from awaiting one:
 * the behaviours reactor-core's own operator tests and kotlinx-coroutines-reactor's FluxTest,
 * MonoTest and LeakedExceptionTest check, beyond the Reactive Streams TCK. Every test fails if a
 * dropped error is reported: a cancel is never an error.
 */
class ReactorContractTest {
    private final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void verifyTimeout() {
        StepVerifier.setDefaultTimeout(Duration.ofSeconds(10));
    }

    @BeforeEach
    void recordDroppedErrors() {
        Hooks.onErrorDropped(dropped::add);
    }

    @AfterEach
    void nothingWasDropped() {
        Hooks.resetOnErrorDropped();
        assertEquals(List.of(), dropped, "errors sent to Hooks.onErrorDropped");
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
                .expectNoEvent(Duration.ofMillis(20)) // the third item waits for demand
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

    @Test
    void aGeneratorWhoseItemsMatchTheDemandCompletes() {
        StepVerifier.create(ReactorPublish.flux(y -> y.yield(42)), 1)
                .expectNext(42).verifyComplete();
        StepVerifier.create(ReactorPublish.<Integer>flux(y -> {
                    y.yield(1);
                    y.yield(2);
                }), 2)
                .expectNext(1, 2).verifyComplete();
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
    void tenThousandDisposeRacesReportNothingAndCloseEachGeneratorOnce() {
        int rounds = 10_000 * Integer.getInteger("stress.scale", 1);
        java.util.Random rnd = new java.util.Random(Long.getLong("stress.seed", 17L));
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
        for (int i = 0; i < rounds; i++) {
            Disposable d = gen.subscribe();
            for (int spin = rnd.nextInt(200); spin > 0; spin--) {
                Thread.onSpinWait(); // dispose lands before, during or after the driver starts
            }
            d.dispose();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (finallies.get() < started.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(started.get(), finallies.get(), "exactly one finally per generator");
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
            StepVerifier.create(Flux.combineLatest(failing, failing, Integer::sum))
                    .verifyErrorMessage("expected");
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

    @Test
    void anAwaitReturnsOnlyAfterTheMonosCompletion() {
        List<String> order = new CopyOnWriteArrayList<>();
        // a Mono whose value comes well before its completion
        Mono<String> slowEnd = Mono.fromDirect(s -> s.onSubscribe(new org.reactivestreams.Subscription() {
            boolean sent;

            @Override
            public void request(long n) {
                if (sent) {
                    return;
                }
                sent = true;
                s.onNext("v");
                Thread.ofPlatform().start(() -> {
                    sleep(30);
                    order.add("onComplete");
                    s.onComplete();
                });
            }

            @Override
            public void cancel() {
                order.add("cancel");
            }
        }));
        Aio.run(() -> {
            assertEquals("v", ReactorAwait.awaitSingleOrNull(slowEnd));
            order.add("returned");
            return null;
        });
        assertEquals(List.of("onComplete", "returned"), order);
    }

    // ---- iterations end with their task ------------------------------------------------------

    @Test
    void leavingAnIterationEarlyCancelsTheFluxWhenTheTaskEnds() {
        AtomicInteger cancels = new AtomicInteger();
        Aio.run(() -> {
            for (int i : ReactorPublish.iterate(Flux.range(0, 1_000_000)
                    .doOnCancel(cancels::incrementAndGet), 16)) {
                if (i == 3) {
                    break;
                }
            }
            Aio.createTask(() -> {
                for (long t : ReactorPublish.iterate(Flux.interval(Duration.ofMillis(1))
                        .doOnCancel(cancels::incrementAndGet), 4, Overflow.DROP_OLDEST)) {
                    if (t == 2) {
                        break;
                    }
                }
                return null;
            }).await();
            assertEquals(1, cancels.get(), "the child task ended: its iteration is cancelled");
            return null;
        });
        assertEquals(2, cancels.get(), "Aio.run's main task ended: its iteration too");
    }

    @Test
    void cancellingATaskInsideTheLoopBodyCancelsItsFlux() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        Aio.run(() -> {
            var t = Aio.createTask(() -> {
                for (long tick : ReactorPublish.iterate(Flux.interval(Duration.ofMillis(1))
                        .doOnCancel(cancelled::countDown), 4, Overflow.DROP_OLDEST)) {
                    Aio.sleep(0.005); // the cancel lands here
                }
                return null;
            });
            Aio.sleep(0.02);
            t.cancel();
            try {
                t.await();
            } catch (CancelledError expected) {
                // the task ended cancelled
            }
            return null;
        });
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the Flux.interval was cancelled");
    }

    // ---- errors after a cancel reach the hooks, with the subscriber's Context ---------------

    /** A coroutine that throws while handling its cancellation. */
    static Mono<String> failsWhenCancelled(IllegalStateException late) {
        return ReactorPublish.mono(() -> {
            try {
                return Aio.sleep(60, "late");
            } catch (CancelledError e) {
                throw late;
            }
        });
    }

    @Test
    void anErrorThrownWhileHandlingCancellationAtShutdownIsReportedOnce() {
        List<Throwable> hook = new CopyOnWriteArrayList<>();
        List<Throwable> handler = new CopyOnWriteArrayList<>();
        Hooks.resetOnErrorDropped();
        Hooks.onErrorDropped(hook::add);
        IllegalStateException late = new IllegalStateException("cleanup failed");
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                Aio.getRunningLoop().setExceptionHandler((l, c) -> handler.add(c.exception()));
                Disposable d = failsWhenCancelled(late).subscribe(v -> { }, e -> { });
                Aio.sleep(0.01);
                d.dispose();
                Aio.sleep(0); // the cancel reaches the task just before Aio.run returns
                return null;
            });
        }
        assertEquals(List.of(late), hook, "Reactor's hook has it, once");
        assertEquals(List.of(), handler, "and nobody else: it is not reported twice");
    }

    @Test
    void aTaskFailingAtShutdownReachesItsSubscriberOnly() {
        List<Throwable> handler = new CopyOnWriteArrayList<>();
        List<Throwable> received = new CopyOnWriteArrayList<>();
        IllegalStateException late = new IllegalStateException("cleanup failed");
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                Aio.getRunningLoop().setExceptionHandler((l, c) -> handler.add(c.exception()));
                failsWhenCancelled(late).subscribe(v -> { }, received::add);
                Aio.sleep(0.01);
                return null; // Aio.run's shutdown cancels the coroutine's task
            });
        }
        assertEquals(List.of(late), received, "the subscriber got the failure");
        assertEquals(List.of(), handler, "delivered, so not also reported as unhandled");
    }

    @Test
    void droppedErrorsCarryTheSubscribersContext() throws Exception {
        List<Throwable> perSubscription = new CopyOnWriteArrayList<>();
        CountDownLatch reported = new CountDownLatch(1);
        Consumer<Throwable> hook = e -> {
            perSubscription.add(e);
            reported.countDown();
        };
        IllegalStateException late = new IllegalStateException("after cancel");
        Disposable d = ReactorPublish.mono(() -> {
                    try {
                        return Aio.sleep(60, "late");
                    } finally {
                        throw late; // fails after the subscriber has gone
                    }
                })
                .contextWrite(Context.of("reactor.onErrorDropped.local", hook))
                .subscribe();
        Thread.sleep(20);
        d.dispose();
        assertTrue(reported.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(late), perSubscription);
    }

    // ---- a done future publishes whether or not its loop runs --------------------------------

    @Test
    void aMonoOfADoneFutureEmitsWhileItsLoopIsIdle() {
        try (EventLoop idle = EventLoop.newEventLoop()) {
            AioFuture<String> done = idle.createFuture();
            done.setResult("v");
            assertEquals("v", ReactorPublish.mono(done).block(Duration.ofSeconds(2)));
            try (Runner other = new Runner()) {
                assertEquals("v", other.run(() -> ReactorAwait.awaitSingle(
                        ReactorPublish.mono(done))));
            }
            StepVerifier.create(ReactorPublish.mono(done), 0)
                    .thenRequest(1).expectNext("v").verifyComplete();
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

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
