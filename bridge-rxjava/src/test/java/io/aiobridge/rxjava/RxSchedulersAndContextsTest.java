package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.ContextVar;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Runner;
import io.aiobridge.testing.BackgroundLoop;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.reactivex.rxjava3.schedulers.TestScheduler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RxSchedulersAndContextsTest {
    static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "none");

    @AfterEach
    void reset() {
        RxContexts.uninstall();
        RxJavaPlugins.reset();
    }

    // ---- the loop as an RxJava Scheduler -------------------------------------------------------

    @Test
    void observeOnTheLoopDeliversAsLoopCallbacks() {
        List<String> seen = Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            Scheduler onLoop = RxSchedulers.of(loop);
            List<String> out = new CopyOnWriteArrayList<>();
            RxAwait.awaitCompletion(Flowable.range(0, 3)
                    .subscribeOn(Schedulers.computation())
                    .observeOn(onLoop)
                    .doOnNext(i -> out.add(i + ":" + (Aio.getRunningLoop() == loop))));
            return out;
        });
        assertEquals(List.of("0:true", "1:true", "2:true"), seen);
    }

    @Test
    void delaysIntervalsAndNowFollowAVirtualTimeLoop() {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            List<Long> ticksAt = r.run(() -> {
                EventLoop loop = Aio.getRunningLoop();
                Scheduler onLoop = RxSchedulers.of(loop);
                List<Long> at = new ArrayList<>();
                for (long tick : RxIterate.iterate(
                        Flowable.interval(10, TimeUnit.SECONDS, onLoop).take(3))) {
                    at.add(onLoop.now(TimeUnit.SECONDS));
                }
                long before = onLoop.now(TimeUnit.SECONDS);
                String late = RxAwait.await(Single.just("x").delay(1, TimeUnit.HOURS, onLoop));
                at.add(onLoop.now(TimeUnit.SECONDS) - before);
                assertEquals("x", late);
                return at;
            });
            // an hour of virtual time passes at once
            assertEquals(List.of(10L, 20L, 30L, 3600L), ticksAt);
        }
    }

    @Test
    void aGroupAsASchedulerSpreadsStreamsAndKeepsEachOnOneLoop() {
        try (EventLoopGroup g = EventLoopGroup.create(2)) {
            Scheduler s = RxSchedulers.of(g);
            Set<EventLoop> used = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                List<EventLoop> loops = Flowable.range(0, 50).observeOn(s)
                        .map(x -> Aio.getRunningLoop()).toList().blockingGet();
                assertEquals(1, new HashSet<>(loops).size(), "one stream, one loop, in order");
                assertTrue(g.loops().contains(loops.get(0)));
                used.add(loops.get(0));
            }
            assertEquals(Set.copyOf(g.loops()), used, "streams spread over the group");
            assertTrue(g.loops().contains(Single.timer(5, TimeUnit.MILLISECONDS, s)
                    .map(x -> Aio.getRunningLoop()).blockingGet()));
            assertThrows(NullPointerException.class, () -> RxSchedulers.of((EventLoopGroup) null));
        }
    }

    @Test
    void disposedDelayedWorkNeverRuns() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Scheduler s = RxSchedulers.of(bg.loop());
            Scheduler.Worker w = s.createWorker();
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch kept = new CountDownLatch(500);
            for (int i = 0; i < 500; i++) {
                // disposed at once, while the loop may be arming it: the dispose must win even
                // then (the delay only has to outlast the gap between the two calls)
                s.scheduleDirect(ran::incrementAndGet, 200, TimeUnit.MILLISECONDS).dispose();
                w.schedule(ran::incrementAndGet, 200, TimeUnit.MILLISECONDS).dispose();
                s.scheduleDirect(kept::countDown, 5, TimeUnit.MILLISECONDS);
            }
            assertTrue(kept.await(10, TimeUnit.SECONDS));
            // timers fire in deadline order: once a later one has run, so would have these
            CountDownLatch later = new CountDownLatch(1);
            s.scheduleDirect(later::countDown, 250, TimeUnit.MILLISECONDS);
            assertTrue(later.await(10, TimeUnit.SECONDS));
            assertEquals(0, ran.get(), "disposed work ran");
            w.dispose();
            assertTrue(w.isDisposed());
            assertTrue(w.schedule(ran::incrementAndGet).isDisposed(),
                    "a disposed worker accepts nothing");
        }
    }

    @Test
    void aWorkersTasksRunInOrderAndErrorsGoToRxJavaPlugins() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setErrorHandler(errors::add);
        List<Integer> order = Aio.run(() -> {
            Scheduler.Worker w = RxSchedulers.of(Aio.getRunningLoop()).createWorker();
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                w.schedule(() -> out.add(n));
            }
            w.schedule(() -> {
                throw new IllegalStateException("task failed");
            });
            Aio.sleep(0.01);
            w.dispose();
            return out;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertEquals(1, errors.size());
        Throwable e = errors.get(0);
        assertEquals("task failed", (e.getCause() != null ? e.getCause() : e).getMessage());
    }

    /**
     * Work for a closed loop can never run. RxJava's {@code Schedulers.from(executor)} reports an
     * executor's refusal to {@code RxJavaPlugins.onError} and drops the work; so does the loop's
     * scheduler now, where it dropped the work without a word. A disposed worker still drops
     * silently, as RxJava's do.
     */
    @Test
    void workForAClosedLoopIsReportedToRxJavaPlugins() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setErrorHandler(errors::add);
        EventLoop loop = EventLoop.newEventLoop();
        Scheduler s = RxSchedulers.of(loop);
        Scheduler.Worker w = s.createWorker();
        loop.close();
        assertTrue(s.scheduleDirect(() -> {}).isDisposed());
        assertTrue(w.schedule(() -> {}, 1, TimeUnit.SECONDS).isDisposed());
        assertEquals(2, errors.size(), errors.toString());
        for (Throwable e : errors) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            assertTrue(cause instanceof RejectedExecutionException, e.toString());
            assertTrue(cause.getMessage().startsWith("Event loop is closed"), cause.getMessage());
        }
        w.dispose();
        assertTrue(w.schedule(() -> {}).isDisposed());
        assertEquals(2, errors.size(), "a disposed worker drops work silently");
    }

    /**
     * kotlinx-coroutines-rx3's SchedulerTest.testSchedulingAfterDisposing and testShuttingDown,
     * for the loop: a disposed worker drops work, the scheduler goes on; {@code shutdown()}
     * cancels what is pending on the scheduler and its workers and drops later work without an
     * error; {@code start()} takes work again.
     */
    @Test
    void shutdownCancelsPendingWorkOfTheSchedulerAndItsWorkers() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setErrorHandler(errors::add);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Scheduler s = RxSchedulers.of(bg.loop());
            AtomicInteger unreached = new AtomicInteger();
            Scheduler.Worker disposed = s.createWorker();
            disposed.dispose();
            assertTrue(disposed.schedule(unreached::incrementAndGet).isDisposed());
            // the scheduler still works (its Disposable may already read disposed: as RxJava's
            // own direct tasks, a finished one does, and the loop may have run it already)
            CountDownLatch stillWorks = new CountDownLatch(1);
            s.scheduleDirect(stillWorks::countDown);
            assertTrue(stillWorks.await(10, TimeUnit.SECONDS));

            Scheduler.Worker w = s.createWorker();
            Disposable pendingDirect =
                    s.scheduleDirect(unreached::incrementAndGet, 50, TimeUnit.MILLISECONDS);
            Disposable pendingOnWorker =
                    w.schedule(unreached::incrementAndGet, 50, TimeUnit.MILLISECONDS);
            s.shutdown();
            assertTrue(pendingDirect.isDisposed() && pendingOnWorker.isDisposed() && w.isDisposed());
            assertTrue(s.scheduleDirect(unreached::incrementAndGet).isDisposed());
            assertTrue(s.createWorker().schedule(unreached::incrementAndGet).isDisposed());
            Thread.sleep(100);
            CountDownLatch round = new CountDownLatch(1);
            bg.loop().callSoonThreadsafe(round::countDown);
            assertTrue(round.await(10, TimeUnit.SECONDS));
            assertEquals(0, unreached.get(), "work ran after dispose or shutdown");
            assertEquals(List.of(), errors, "dropping work of a shut-down scheduler is no error");

            s.start();
            CountDownLatch again = new CountDownLatch(1);
            s.createWorker().schedule(again::countDown);
            assertTrue(again.await(10, TimeUnit.SECONDS), "start() takes work again");
            assertTrue(bg.loop().isRunning());
        }
    }

    @Test
    void anRxSchedulerAsTheExecutorOfRunInExecutor() {
        String name = Aio.run(() -> Aio.getRunningLoop().runInExecutor(
                RxSchedulers.asExecutor(Schedulers.io()),
                () -> Thread.currentThread().getName()).await());
        assertTrue(name.startsWith("RxCachedThreadScheduler"), name);
    }

    @Test
    void aTaskAwaitsATestSchedulerTimerAdvancedFromOutside() throws Exception {
        TestScheduler clock = new TestScheduler();
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            var result = Aio.runCoroutineThreadsafe(() -> RxAwait.await(
                    Single.timer(5, TimeUnit.SECONDS, clock).map(x -> "fired")), bg.loop());
            bg.sync(); // the task has subscribed, so the timer is on the TestScheduler
            clock.advanceTimeBy(4, TimeUnit.SECONDS);
            bg.sync();
            assertFalse(result.isDone(), "not before 5 s of scheduler time");
            clock.advanceTimeBy(1, TimeUnit.SECONDS);
            assertEquals("fired", result.get(10, TimeUnit.SECONDS));
        }
    }

    // ---- context variables across RxJava's scheduler hops ---------------------------------------

    private static List<String> seenOnRxThreads() {
        return Aio.run(() -> {
            REQUEST_ID.set("t-1");
            List<String> out = new ArrayList<>();
            out.add(RxAwait.await(Single.fromCallable(REQUEST_ID::get)
                    .subscribeOn(Schedulers.io())));
            out.add(RxAwait.await(Single.just(0).delay(1, TimeUnit.MILLISECONDS)
                    .map(x -> REQUEST_ID.get())));
            return out;
        });
    }

    @Test
    void contextVariablesCrossSchedulerHopsOnlyWhenInstalled() {
        assertEquals(List.of("none", "none"), seenOnRxThreads());
        RxContexts.install();
        assertTrue(RxContexts.isInstalled());
        assertEquals(List.of("t-1", "t-1"), seenOnRxThreads());
        RxContexts.uninstall();
        assertEquals(List.of("none", "none"), seenOnRxThreads());
    }

    @Test
    void installKeepsTheScheduleHandlerAlreadyThere() {
        AtomicInteger wrapped = new AtomicInteger();
        RxJavaPlugins.setScheduleHandler(r -> {
            wrapped.incrementAndGet();
            return r;
        });
        RxContexts.install();
        RxContexts.install(); // idempotent
        assertEquals(List.of("t-1", "t-1"), seenOnRxThreads());
        assertTrue(wrapped.get() >= 2, "the earlier handler still runs: " + wrapped.get());
        RxContexts.uninstall();
        int before = wrapped.get();
        seenOnRxThreads();
        assertTrue(wrapped.get() > before, "uninstall put the earlier handler back");
    }

    @Test
    void carryBindsWorkToTheCallersContext() throws Exception {
        Runnable[] bound = new Runnable[1];
        List<String> inside = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            REQUEST_ID.set("bound");
            bound[0] = RxContexts.carry(() -> inside.add(REQUEST_ID.get()));
            return null;
        });
        List<String> seen = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            REQUEST_ID.set("other");
            Thread t = new Thread(() -> {
                bound[0].run();
                seen.add(REQUEST_ID.get());
            });
            t.start();
            t.join();
            return null;
        });
        assertEquals(List.of("bound"), inside, "ran with the context it was bound in");
        assertEquals(List.of("none"), seen, "the binding does not leak into the thread after");
    }
}
