package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.iter.Comprehensions;
import io.aiobridge.iter.Itertools;
import io.aiobridge.testing.BackgroundLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ReactorBridgeTest {

    /** A bug must fail the test, not hang the build: StepVerifier's default timeout is none. */
    @org.junit.jupiter.api.BeforeAll
    static void verifyTimeout() {
        StepVerifier.setDefaultTimeout(Duration.ofSeconds(10));
    }

    // ---- to Reactor ----------------------------------------------------------------------------

    @Test
    void retryingAFluxOfAGeneratorObjectEndsInAnErrorNotAnEmptySuccess() {
        // a generator object is one run of its body: the retry must not find it spent and
        // complete empty, which would lose the failure
        AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
            y.yield(1);
            throw new IllegalStateException("boom");
        });
        StepVerifier.create(ReactorPublish.flux(gen).retry(1))
                .expectNext(1)
                .expectErrorSatisfies(e -> assertTrue(e instanceof IllegalStateException
                        && e.getMessage().contains("was subscribed to already"), e.toString()))
                .verify();
        // its body published instead runs afresh for the retry, as Reactor users expect
        StepVerifier.create(ReactorPublish.<Integer>flux(y -> {
            y.yield(1);
            throw new IllegalStateException("boom");
        }).retry(1)).expectNext(1, 1).expectErrorMessage("boom").verify();
    }

    @Test
    void monoFromACoroutineValueEmptyAndError() {
        StepVerifier.create(ReactorPublish.mono(() -> Aio.sleep(0.01, "v")))
                .expectNext("v").verifyComplete();
        StepVerifier.create(ReactorPublish.mono(() -> null)).verifyComplete();
        StepVerifier.create(ReactorPublish.mono(() -> {
            throw new IllegalStateException("boom");
        })).expectErrorMessage("boom").verify(Duration.ofSeconds(5));
    }

    @Test
    void monoIsLazyOneRunPerSubscription() {
        List<String> runs = new CopyOnWriteArrayList<>();
        Mono<String> mono = ReactorPublish.mono(() -> {
            runs.add("run");
            return "x";
        });
        assertEquals(List.of(), runs);
        StepVerifier.create(mono).expectNext("x").verifyComplete();
        StepVerifier.create(mono).expectNext("x").verifyComplete();
        assertEquals(2, runs.size());
    }

    @Test
    void cancellingTheMonoCancelsTheTask() throws Exception {
        CountDownLatch cleaned = new CountDownLatch(1);
        Mono<String> slow = ReactorPublish.mono(() -> {
            try {
                return Aio.sleep(60, "late");
            } finally {
                cleaned.countDown();
            }
        });
        StepVerifier.create(slow).thenAwait(Duration.ofMillis(50)).thenCancel().verify();
        assertTrue(cleaned.await(5, TimeUnit.SECONDS), "the task's finally ran");
    }

    @Test
    void fluxFromAGeneratorHonoursBackpressureAndClosesOnCancel() throws Exception {
        List<Long> produced = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        Flux<Long> flux = ReactorPublish.flux(y -> {
            try {
                for (long i = 0; ; i++) {
                    produced.add(i);
                    y.yield(i);
                }
            } finally {
                closed.countDown();
            }
        });
        StepVerifier.create(flux, 0)
                .thenRequest(2).expectNext(0L, 1L)
                .thenAwait(Duration.ofMillis(50))
                .then(() -> assertTrue(produced.size() <= 3,
                        "the generator runs only with demand (one primed): " + produced))
                .thenRequest(1).expectNext(2L)
                .thenCancel().verify(Duration.ofSeconds(5));
        assertTrue(closed.await(5, TimeUnit.SECONDS), "cancel closed the generator");
    }

    @Test
    void generatorErrorsAndEmptyGenerators() {
        StepVerifier.create(ReactorPublish.<Integer>flux(y -> {
            y.yield(1);
            throw new IllegalArgumentException("bad");
        })).expectNext(1).expectError(IllegalArgumentException.class).verify(Duration.ofSeconds(5));
        StepVerifier.create(ReactorPublish.<Integer>flux(y -> { })).verifyComplete();
    }

    @Test
    void monoAndFluxPinnedToALoopRunThere() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            EventLoop loop = bg.loop();
            StepVerifier.create(ReactorPublish.mono(() -> Aio.getRunningLoop() == loop, loop))
                    .expectNext(true).verifyComplete();
            StepVerifier.create(ReactorPublish.<Boolean>flux(
                            y -> y.yield(Aio.getRunningLoop() == loop), loop))
                    .expectNext(true).verifyComplete();
            assertThrows(NullPointerException.class, () -> ReactorPublish.mono(() -> 1, null));
        }
    }

    /**
     * Reactor's virtual time reaches into a coroutine: a Mono made by the bridge awaits
     * {@code Mono.delay(1 hour)}, which StepVerifier's virtual clock completes at once. A
     * generator Flux paced by Reactor timers works the same way. The coroutine runs on its
     * loop's thread, so the clock is advanced only once the virtual scheduler has its timer.
     */
    @Test
    void reactorVirtualTimeDrivesTimersAwaitedInsideCoroutines() {
        long[] armed = {0};
        Runnable waitArmed = () -> { // the scheduler's count of timers ever scheduled grows by one
            armed[0]++;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (VirtualTimeScheduler.get().getScheduledTaskCount()
                    < armed[0]) {
                assertTrue(System.nanoTime() < deadline, "the timer was never armed");
                Thread.onSpinWait();
            }
        };
        StepVerifier.withVirtualTime(() -> ReactorPublish.mono(() -> {
                    long ticks = ReactorAwait.awaitSingle(Mono.delay(Duration.ofHours(1)));
                    return "after an hour: " + ticks;
                }))
                .expectSubscription()
                .then(waitArmed)
                .expectNoEvent(Duration.ofMinutes(59))
                .thenAwait(Duration.ofMinutes(1))
                .expectNext("after an hour: 0")
                .verifyComplete();
        armed[0] = 0; // a new virtual scheduler
        StepVerifier.withVirtualTime(() -> ReactorPublish.<Integer>flux(y -> {
                    for (int i = 0; i < 3; i++) {
                        ReactorAwait.awaitSingle(Mono.delay(Duration.ofDays(1)));
                        y.yield(i);
                    }
                }))
                .expectSubscription()
                .then(waitArmed).thenAwait(Duration.ofDays(1)).expectNext(0)
                .then(waitArmed).thenAwait(Duration.ofDays(1)).expectNext(1)
                .then(waitArmed).thenAwait(Duration.ofDays(1)).expectNext(2)
                .verifyComplete();
    }

    @Test
    void monoOfATask() {
        Aio.run(() -> {
            Task<String> t = Aio.createTask(() -> Aio.sleep(0.01, "from task"));
            assertEquals("from task", ReactorAwait.awaitSingle(ReactorPublish.mono(t)));
            return null;
        });
    }

    @Test
    void undeliverableErrorsGoToReactorsDroppedHook() throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        CountDownLatch seen = new CountDownLatch(1);
        Hooks.onErrorDropped(e -> {
            dropped.add(e);
            seen.countDown();
        });
        try {
            Flux<Integer> failsOnClose = ReactorPublish.flux(y -> {
                try {
                    for (int i = 0; ; i++) {
                        y.yield(i);
                    }
                } finally {
                    throw new IllegalStateException("cleanup failed");
                }
            });
            StepVerifier.create(failsOnClose.take(2)).expectNext(0, 1).verifyComplete();
            assertTrue(seen.await(5, TimeUnit.SECONDS));
            assertEquals("cleanup failed", dropped.get(0).getMessage());
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    // ---- awaiting Reactor ----------------------------------------------------------------------

    @Test
    void awaitingMonosStatesTheirEmptyHandling() {
        Aio.run(() -> {
            assertEquals("a", ReactorAwait.awaitSingle(Mono.just("a")));
            assertThrows(NoSuchElementException.class, () -> ReactorAwait.awaitSingle(Mono.empty()));
            assertNull(ReactorAwait.awaitSingleOrNull(Mono.<String>empty()));
            assertEquals(Optional.empty(), ReactorAwait.awaitOptional(Mono.empty()));
            IllegalStateException boom = new IllegalStateException("x");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> ReactorAwait.awaitSingle(Mono.error(boom))));
            return null;
        });
    }

    @Test
    void monosAsFuturesAreGatheredWithoutATaskEach() {
        List<String> steps = new CopyOnWriteArrayList<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        List<String> both = Aio.run(() -> {
            var price = ReactorAwait.future(Mono.delay(Duration.ofMillis(20))
                    .map(t -> "12.5").doOnCancel(() -> cancelled.set(true)));
            var name = ReactorAwait.future(Mono.fromCallable(() -> "acme")
                    .subscribeOn(Schedulers.boundedElastic()));
            steps.add("subscribed; tasks=" + Aio.allTasks().size());
            List<String> r = Aio.gather(price, name).await();
            steps.add("gathered");
            return r;
        });
        assertEquals(List.of("12.5", "acme"), both);
        assertEquals(List.of("subscribed; tasks=1", "gathered"), steps);
        assertFalse(cancelled.get(), "a Mono is never cancelled after its value");
    }

    @Test
    void aMonoFutureSettlesAsToFutureDoesAndACancelReachesTheMono() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        Aio.run(() -> {
            assertNull(ReactorAwait.future(Mono.<String>empty()).await(), "empty is null");
            IllegalStateException boom = new IllegalStateException("x");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> ReactorAwait.future(Mono.error(boom)).await()));
            var never = ReactorAwait.future(Mono.never().doOnCancel(cancelled::countDown));
            assertThrows(io.aiobridge.AsyncTimeoutException.class,
                    () -> Aio.timeout(0.02, () -> Aio.gather(never).await()));
            assertTrue(never.isCancelled(), "the timeout cancelled the gathered future");
            return null;
        });
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the subscription was cancelled");
        IllegalStateException outside = assertThrows(IllegalStateException.class,
                () -> ReactorAwait.future(Mono.just(1)));
        assertTrue(outside.getMessage().startsWith("no running event loop"),
                outside.getMessage());
    }

    @Test
    void awaitingFluxes() {
        Aio.run(() -> {
            assertEquals(List.of(0, 1, 2, 3, 4), ReactorAwait.awaitList(Flux.range(0, 5)));
            assertEquals(0, ReactorAwait.awaitFirst(Flux.range(0, 5)));
            assertEquals(4, ReactorAwait.awaitLast(Flux.range(0, 5)));
            assertThrows(IllegalArgumentException.class,
                    () -> ReactorAwait.awaitSingle(Flux.range(0, 2)));
            ReactorAwait.awaitCompletion(Flux.range(0, 3));
            return null;
        });
    }

    @Test
    void theFirstOrDefaultFamilyAsKotlinxFluxSingleTestChecksIt() {
        Aio.run(() -> {
            AtomicInteger orElseCalls = new AtomicInteger();
            Supplier<String> orElse = () -> {
                orElseCalls.incrementAndGet();
                return "O";
            };
            AtomicInteger cancels = new AtomicInteger();
            Flux<String> two = Flux.just("O", "#").doOnCancel(cancels::incrementAndGet);

            assertEquals("OK", ReactorAwait.awaitFirstOrDefault(Flux.<String>empty(), "O") + "K");
            assertEquals("OK", ReactorAwait.awaitFirstOrDefault(two, "!") + "K");
            assertNull(ReactorAwait.awaitFirstOrNull(Flux.empty()));
            assertEquals("OK", ReactorAwait.awaitFirstOrNull(two) + "K");
            assertEquals("OK", ReactorAwait.awaitFirstOrElse(Flux.<String>empty(), orElse) + "K");
            assertEquals("OK", ReactorAwait.awaitFirstOrElse(two, orElse) + "K");
            assertEquals(1, orElseCalls.get(), "orElse runs only for an empty Flux");
            assertEquals(3, cancels.get(), "the Flux is cancelled after its first item");

            RuntimeException boom = new RuntimeException("O");
            assertSame(boom, assertThrows(RuntimeException.class,
                    () -> ReactorAwait.awaitFirstOrElse(Flux.<String>error(boom), orElse)));
            assertEquals(1, orElseCalls.get(), "an error is not empty");
            assertEquals("orElse is null", assertThrows(NullPointerException.class,
                    () -> ReactorAwait.awaitFirstOrElse(Flux.just("x"), null)).getMessage());
            return null;
        });
    }

    @Test
    void aMonoCompletingOnAnotherThreadResumesTheTaskOnItsLoop() {
        Aio.run(() -> {
            Task<?> me = Aio.currentTask();
            Thread[] emittedOn = new Thread[1];
            String v = ReactorAwait.awaitSingle(Mono.delay(Duration.ofMillis(20))
                    .publishOn(Schedulers.boundedElastic())
                    .map(x -> {
                        emittedOn[0] = Thread.currentThread();
                        return "late";
                    }));
            assertEquals("late", v);
            assertSame(me, Aio.currentTask(), "resumed as the same task, on its loop");
            assertTrue(emittedOn[0].getName().startsWith("boundedElastic"), emittedOn[0].getName());
            return null;
        });
    }

    @Test
    void cancellingTheAwaitingTaskCancelsTheSubscription() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Aio.run(() -> {
            Task<Object> waiter = Aio.createTask(() -> ReactorAwait.awaitSingle(
                    Mono.never().doOnCancel(() -> cancelled.set(true))));
            Aio.sleep(0.05);
            waiter.cancel();
            assertThrows(CancelledError.class, waiter::await);
            return null;
        });
        assertTrue(cancelled.get());
    }

    @Test
    void iteratingAFluxIsBackpressuredByThePrefetch() {
        List<Long> requests = new CopyOnWriteArrayList<>();
        long sum = Aio.run(() -> {
            long s = 0;
            for (int v : ReactorIterate.iterate(Flux.range(0, 1000).doOnRequest(requests::add), 64)) {
                s += v;
            }
            return s;
        });
        assertEquals(499_500L, sum);
        assertEquals(64L, requests.get(0));
        assertTrue(requests.stream().allMatch(r -> r <= 64), requests.toString());
    }

    @Test
    void leavingAFluxIterationEarlyCancelsIt() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Aio.run(() -> {
            try (var it = Comprehensions.closing(ReactorIterate.iterate(
                    Flux.interval(Duration.ofMillis(1)).doOnCancel(() -> cancelled.set(true))))) {
                for (long v : it) {
                    if (v == 3) {
                        break;
                    }
                }
            }
            return null;
        });
        assertTrue(cancelled.get());
        assertFalse(Thread.currentThread().isVirtual());
    }

    @Test
    void reactorSeesNoNullAndDropsNothing() {
        List<Integer> got = new ArrayList<>();
        StepVerifier.create(ReactorPublish.flux(Itertools.fromIterable(
                List.of(1, 2, 3)))).recordWith(() -> got).expectNextCount(3).verifyComplete();
        assertEquals(List.of(1, 2, 3), got);
    }
}
