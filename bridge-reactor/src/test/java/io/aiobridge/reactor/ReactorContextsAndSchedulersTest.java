package io.aiobridge.reactor;

import static io.aiobridge.testing.LatePublishers.signalsOnCancel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.ContextVar;
import io.aiobridge.EventLoop;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Task;
import io.aiobridge.testing.BackgroundLoop;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

class ReactorContextsAndSchedulersTest {

    /** A bug must fail the test, not hang the build: StepVerifier's default timeout is none. */
    @org.junit.jupiter.api.BeforeAll
    static void verifyTimeout() {
        StepVerifier.setDefaultTimeout(Duration.ofSeconds(10));
    }
    static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "none");

    @Test
    void aCoroutineMonoSeesTheSubscribersReactorContext() {
        StepVerifier.create(ReactorPublish.mono(REQUEST_ID::get)
                        .contextWrite(Context.of(REQUEST_ID, "r-1")))
                .expectNext("r-1").verifyComplete();
        StepVerifier.create(ReactorPublish.mono(REQUEST_ID::get)).expectNext("none")
                .verifyComplete();
    }

    @Test
    void aGeneratorFluxSeesTheSubscribersReactorContext() {
        StepVerifier.create(ReactorPublish.<String>flux(y -> {
                    y.yield(REQUEST_ID.get());
                    y.yield(REQUEST_ID.get() + "!");
                }).contextWrite(Context.of(REQUEST_ID, "r-2")))
                .expectNext("r-2", "r-2!").verifyComplete();
    }

    @Test
    void anIterableFluxSeesTheSubscribersReactorContextInTheGeneratorAndWhatItAwaits() {
        // what Spring hands the Flux of a controller or @Transactional method returning an
        // AsyncIterable: the generator's body and what it awaits see the subscriber's Context
        AsyncIterable<String> rows = () -> AsyncGenerator.<String, Void>of(y -> {
            y.yield(REQUEST_ID.get());
            y.yield(ReactorContexts.current().getOrDefault("tx", "no tx"));
            y.yield(ReactorAwait.awaitSingle(Mono.deferContextual(
                    ctx -> Mono.just("upstream sees " + ctx.getOrDefault("tx", "no tx")))));
        }).aiter();
        StepVerifier.create(ReactorPublish.flux(rows)
                        .contextWrite(Context.of(REQUEST_ID, "r-3", "tx", "tx-1")))
                .expectNext("r-3", "tx-1", "upstream sees tx-1").verifyComplete();
        StepVerifier.create(ReactorPublish.flux(rows)).expectNext("none", "no tx",
                "upstream sees no tx").verifyComplete();
    }

    @Test
    void aFluxAwaitedInATaskGetsTheTasksContextVariables() {
        List<String> seenUpstream = new CopyOnWriteArrayList<>();
        String r = Aio.run(() -> {
            REQUEST_ID.set("t-9");
            String single = ReactorAwait.awaitSingle(
                    Mono.deferContextual(ctx -> Mono.just(ctx.get(REQUEST_ID))));
            for (String s : ReactorIterate.iterate(Flux.deferContextual(ctx -> Flux.just(
                    ctx.getOrDefault(REQUEST_ID, "missing"))))) {
                seenUpstream.add(s);
            }
            return single;
        });
        assertEquals("t-9", r);
        assertEquals(List.of("t-9"), seenUpstream);
    }

    /** What Spring Security's ReactiveSecurityContextHolder does: read a key of the Context. */
    static Mono<String> principal() {
        return Mono.deferContextual(ctx -> Mono.justOrEmpty(ctx.getOrEmpty("principal")))
                .cast(String.class);
    }

    @Test
    void theWholeSubscriberContextReachesWhatTheCoroutineAwaitsAsKotlinxMonoDoes() {
        // kotlinx: mono { } puts the subscriber's Context in the coroutine (ReactorContext), and
        // awaiting inside writes it back; Spring Security and the exchange rely on such keys
        Context request = Context.of("principal", "alice", REQUEST_ID, "r-7");
        StepVerifier.create(ReactorPublish.mono(() -> {
                    assertEquals("alice", ReactorContexts.current().get("principal"));
                    REQUEST_ID.set("r-7b"); // a variable the task changed wins over its input
                    String direct = ReactorAwait.awaitSingle(principal());
                    String inChild = Aio.createTask(() -> ReactorAwait.awaitSingle(principal()))
                            .await();
                    List<String> iterated = new CopyOnWriteArrayList<>();
                    for (String p : ReactorIterate.iterate(principal().flux())) {
                        iterated.add(p);
                    }
                    String id = ReactorAwait.awaitSingle(Mono.deferContextual(
                            ctx -> Mono.just(ctx.get(REQUEST_ID))));
                    return direct + " " + inChild + " " + iterated + " " + id;
                }).contextWrite(request))
                .expectNext("alice alice [alice] r-7b").verifyComplete();

        StepVerifier.create(ReactorPublish.<String>flux(y -> {
                    y.yield(ReactorAwait.awaitSingle(principal()));
                    y.yield(ReactorAwait.awaitSingle(principal()));
                }).contextWrite(Context.of("principal", "bob")))
                .expectNext("bob", "bob").verifyComplete();

        // nested: a coroutine Mono awaited inside another sees the outer request too
        StepVerifier.create(ReactorPublish.mono(() -> ReactorAwait.awaitSingle(
                        ReactorPublish.mono(() -> ReactorAwait.awaitSingle(principal())))
                ).contextWrite(Context.of("principal", "carol")))
                .expectNext("carol").verifyComplete();
    }

    @Test
    void anErrorAfterTheTasksCancelGoesToReactorsDroppedHookWithItsContext() throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        List<ErrorContext> loopHandler = new CopyOnWriteArrayList<>();
        IllegalStateException late = new IllegalStateException("late failure");
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> loopHandler.add(c));
            // the local hook is in the Context of the request the coroutine serves
            return ReactorAwait.awaitSingle(ReactorPublish.mono(() -> {
                Task<String> awaiting = Aio.createTask(() -> ReactorAwait.awaitSingle(
                        Mono.fromDirect(signalsOnCancel(null, late))));
                Aio.sleep(0.01);
                awaiting.cancel();
                assertThrows(CancelledError.class, awaiting::await);
                assertEquals("first", ReactorAwait.awaitFirst(
                        Flux.from(signalsOnCancel("first", late))));
                for (String item : ReactorIterate.iterate(signalsOnCancel("first", late))) {
                    assertEquals("first", item);
                    break;
                }
                ReactorAwait.awaitFirst(Flux.from(signalsOnCancel("first",
                        new CancellationException("the cancel, signalled back"))));
                return "done";
            }, Aio.getRunningLoop()).contextWrite(Context.of("reactor.onErrorDropped.local",
                    (Consumer<Throwable>) dropped::add)));
        });
        assertEquals(List.of(late, late, late), dropped);
        assertEquals(List.of(), loopHandler, "Reactor's hook, not the loop's handler");
    }

    @Test
    void withoutASubscriptionTheTaskHasNoReactorContext() {
        assertTrue(ReactorContexts.current().isEmpty());
        assertEquals("none", Aio.run(() -> {
            assertTrue(ReactorContexts.current().isEmpty());
            return ReactorAwait.awaitSingleOrNull(principal()) == null ? "none" : "leaked";
        }));
    }

    @Test
    void aLoopAsAReactorSchedulerRunsWorkOnTheLoop() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            EventLoop loop = bg.loop();
            List<Boolean> onLoop = new CopyOnWriteArrayList<>();
            StepVerifier.create(Flux.range(0, 3)
                            .publishOn(ReactorSchedulers.of(loop))
                            .doOnNext(x -> onLoop.add(Aio.runningLoopOrNull() == loop)))
                    .expectNext(0, 1, 2).verifyComplete();
            assertEquals(List.of(true, true, true), onLoop);
            StepVerifier.create(Mono.delay(Duration.ofMillis(20), ReactorSchedulers.of(loop))
                            .map(x -> Aio.runningLoopOrNull() == loop))
                    .expectNext(true).verifyComplete();
        }
    }

    @Test
    void aGroupAsASchedulerSpreadsStreamsAndKeepsEachOnOneLoop() {
        try (EventLoopGroup g = EventLoopGroup.create(2)) {
            Scheduler s = ReactorSchedulers.of(g);
            Set<EventLoop> used = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                List<EventLoop> loops = Flux.range(0, 50).publishOn(s)
                        .map(x -> Aio.getRunningLoop()).collectList()
                        .block(Duration.ofSeconds(10));
                assertEquals(1, new HashSet<>(loops).size(), "one stream, one loop, in order");
                assertTrue(g.loops().contains(loops.get(0)));
                used.add(loops.get(0));
            }
            assertEquals(Set.copyOf(g.loops()), used, "streams spread over the group");
            assertTrue(g.loops().contains(Mono.delay(Duration.ofMillis(5), s)
                    .map(x -> Aio.getRunningLoop()).block(Duration.ofSeconds(10))));
            assertThrows(NullPointerException.class,
                    () -> ReactorSchedulers.of((EventLoopGroup) null));
        }
    }

    @Test
    void delayedLoopSchedulerTasksAllRunAndDisposedOnesDoNot() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Scheduler scheduler = ReactorSchedulers.of(bg.loop());
            int n = 500;
            CountDownLatch kept = new CountDownLatch(n);
            AtomicInteger disposedRan = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                // submitted from this thread while the loop runs: the arming may beat the
                // submitter's own bookkeeping, which must not cancel the timer
                scheduler.schedule(kept::countDown, 1, TimeUnit.MILLISECONDS);
                // disposed at once: the delay only has to outlast the gap between the two calls
                Disposable d = scheduler.schedule(disposedRan::incrementAndGet, 200,
                        TimeUnit.MILLISECONDS);
                d.dispose();
            }
            assertTrue(kept.await(10, TimeUnit.SECONDS),
                    "delayed tasks lost: " + kept.getCount());
            // timers fire in deadline order: once a later one has run, the disposed ones' time
            // has passed too
            CountDownLatch later = new CountDownLatch(1);
            scheduler.schedule(later::countDown, 250, TimeUnit.MILLISECONDS);
            assertTrue(later.await(10, TimeUnit.SECONDS));
            assertEquals(0, disposedRan.get(), "a disposed delayed task ran");
        }
    }

    /**
     * Reactor's contract for a scheduler that cannot take work: {@code schedule} throws {@code
     * RejectedExecutionException}, which operators signal as an error. Work for a closed loop
     * was accepted and dropped, so a {@code publishOn} to it hung.
     */
    @Test
    void aClosedLoopOrADisposedSchedulerRefusesWorkAndTheStreamFails() throws Exception {
        EventLoop closed = EventLoop.newEventLoop();
        Scheduler onClosed = ReactorSchedulers.of(closed);
        closed.close();
        StepVerifier.create(Flux.range(1, 3).publishOn(onClosed))
                .expectErrorSatisfies(e -> {
                    assertTrue(e instanceof RejectedExecutionException, e.toString());
                    assertTrue(e.getCause().getMessage().startsWith("Event loop is closed"),
                            String.valueOf(e.getCause()));
                })
                .verify();
        StepVerifier.create(Mono.delay(Duration.ofSeconds(1), onClosed))
                .expectError(RejectedExecutionException.class).verify();

        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Scheduler s = ReactorSchedulers.of(bg.loop());
            Scheduler.Worker before = s.createWorker();
            AtomicInteger ran = new AtomicInteger();
            Disposable direct = s.schedule(ran::incrementAndGet, 50, TimeUnit.MILLISECONDS);
            Disposable onWorker = before.schedule(ran::incrementAndGet, 50, TimeUnit.MILLISECONDS);
            s.dispose();
            assertTrue(s.isDisposed());
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> s.schedule(() -> {}));
            assertTrue(e.getMessage().startsWith("Scheduler unavailable: ReactorSchedulers.of("),
                    e.getMessage());
            assertThrows(RejectedExecutionException.class, () -> s.createWorker().schedule(() -> {}));
            assertThrows(RejectedExecutionException.class, () -> before.schedule(() -> {}));
            assertTrue(direct.isDisposed() && onWorker.isDisposed() && before.isDisposed(),
                    "disposing the scheduler cancels its pending work and its workers'");
            Thread.sleep(100);
            goRound(bg.loop());
            assertEquals(0, ran.get(), "cancelled work ran");
            assertTrue(bg.loop().isRunning(), "disposing the scheduler leaves the loop alone");

            Scheduler.Worker w = ReactorSchedulers.of(bg.loop()).createWorker();
            w.dispose();
            assertThrows(RejectedExecutionException.class, () -> w.schedule(() -> {}));
        }
        try (EventLoopGroup g = EventLoopGroup.create(2)) {
            Scheduler s = ReactorSchedulers.of(g);
            s.dispose();
            assertTrue(s.isDisposed());
            assertThrows(RejectedExecutionException.class, () -> s.schedule(() -> {}));
            assertEquals(1, Mono.just(1).publishOn(ReactorSchedulers.of(g))
                    .block(Duration.ofSeconds(10)), "the group still serves");
        }
    }

    /**
     * {@code Flux.interval} needs {@code schedulePeriodically}, which a Reactor scheduler without
     * it refuses ("Scheduler unavailable"). On the loop it runs at a fixed rate on the loop's
     * clock, here virtual time.
     */
    @Test
    void intervalAndPeriodicWorkRunAtAFixedRateOnTheLoopsClock() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            Scheduler s = ReactorSchedulers.of(loop);
            double t0 = loop.time();
            List<Double> ticks = loop.runUntilComplete(() -> ReactorAwait.awaitSingle(
                    Flux.interval(Duration.ofMillis(500), Duration.ofSeconds(1), s)
                            .map(i -> Aio.getRunningLoop().time() - t0)
                            .take(3).collectList()));
            assertEquals(List.of(0.5, 1.5, 2.5), ticks);

            // a worker's periodic work, ended by the worker's disposal
            List<Double> worker = new CopyOnWriteArrayList<>();
            Scheduler.Worker w = s.createWorker();
            double t1 = loop.time();
            Disposable periodic = w.schedulePeriodically(() -> worker.add(loop.time() - t1),
                    1, 1, TimeUnit.SECONDS);
            loop.runUntilComplete(() -> Aio.sleep(3.5, null));
            assertEquals(List.of(1.0, 2.0, 3.0), worker);
            w.dispose();
            assertTrue(periodic.isDisposed(), "the worker's disposal ends its periodic work");
            loop.runUntilComplete(() -> Aio.sleep(2, null));
            assertEquals(3, worker.size(), "nothing runs after the worker is disposed");

            // period zero: again as soon as the loop gets to it, until disposed from inside
            AtomicInteger runs = new AtomicInteger();
            Disposable[] self = new Disposable[1];
            double t2 = loop.time();
            self[0] = s.schedulePeriodically(() -> {
                if (runs.incrementAndGet() == 5) {
                    self[0].dispose();
                }
            }, 0, 0, TimeUnit.SECONDS);
            loop.runUntilComplete(() -> Aio.sleep(1, null));
            assertEquals(5, runs.get());
            assertEquals(t2 + 1, loop.time(), 1e-9);

            // a throwing task ends its schedule, and the loop's handler gets the exception
            List<Throwable> handled = new CopyOnWriteArrayList<>();
            loop.setExceptionHandler((l, ctx) -> handled.add(ctx.exception()));
            AtomicInteger failing = new AtomicInteger();
            s.schedulePeriodically(() -> {
                failing.incrementAndGet();
                throw new IllegalStateException("tick failed");
            }, 0, 1, TimeUnit.SECONDS);
            loop.runUntilComplete(() -> Aio.sleep(3, null));
            assertEquals(1, failing.get());
            assertEquals("tick failed", handled.get(0).getMessage());
        }
    }

    /**
     * {@code dispose()} from another thread races the run that schedules the next one: once it
     * has returned and the loop has gone round once more (a run already under way may finish),
     * nothing runs again.
     */
    @Test
    void periodicWorkDisposedFromAnotherThreadStops() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Scheduler s = ReactorSchedulers.of(bg.loop());
            for (int i = 0; i < 300; i++) {
                AtomicInteger runs = new AtomicInteger();
                CountDownLatch running = new CountDownLatch(1 + i % 7);
                Disposable d = s.schedulePeriodically(() -> {
                    runs.incrementAndGet();
                    running.countDown();
                }, 0, 0, TimeUnit.NANOSECONDS);
                assertTrue(running.await(10, TimeUnit.SECONDS));
                d.dispose();
                assertTrue(d.isDisposed());
                goRound(bg.loop());
                int settled = runs.get();
                goRound(bg.loop());
                goRound(bg.loop());
                assertEquals(settled, runs.get(), "a disposed periodic task ran again");
            }
        }
    }

    private static void goRound(EventLoop loop) throws InterruptedException {
        CountDownLatch round = new CountDownLatch(1);
        loop.callSoonThreadsafe(round::countDown);
        assertTrue(round.await(10, TimeUnit.SECONDS));
    }

    /** Reactor's {@code Schedulers.onScheduleHook} (MDC and tracing decorators) sees loop work. */
    @Test
    void onScheduleHooksDecorateTheLoopsWork() {
        List<String> log = new CopyOnWriteArrayList<>();
        Schedulers.onScheduleHook("aiobridge-test", r -> () -> {
            log.add("decorated");
            r.run();
        });
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            Scheduler s = ReactorSchedulers.of(loop);
            long n = loop.runUntilComplete(() -> ReactorAwait.awaitSingle(
                    Mono.delay(Duration.ofSeconds(1), s)));
            assertEquals(0L, n);
            assertEquals(List.of("decorated"), log);
        } finally {
            Schedulers.resetOnScheduleHook("aiobridge-test");
        }
    }

    @Test
    void aReactorSchedulerAsTheExecutorOfRunInExecutor() {
        String thread = Aio.run(() -> Aio.getRunningLoop().runInExecutor(
                ReactorSchedulers.asExecutor(Schedulers.boundedElastic()),
                () -> Thread.currentThread().getName()).await());
        assertTrue(thread.startsWith("boundedElastic"), thread);
    }
}
