package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.ErrorContext;
import io.aiobridge.Task;
import io.aiobridge.flow.Overflow;
import io.aiobridge.iter.Comprehensions;
import io.aiobridge.testing.BackgroundLoop;
import io.aiobridge.testing.LatePublishers;
import io.aiobridge.testing.SerialCheckPublisher;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.exceptions.MissingBackpressureException;
import io.reactivex.rxjava3.exceptions.UndeliverableException;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.reactivex.rxjava3.subjects.PublishSubject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** From RxJava to aiobridge: awaiting and iterating RxJava types in a task. */
class RxAwaitTest {

    /**
     * Rule 2.7 under cancellation, as kotlinx's MonoAwaitCancellationStressTest checks it for
     * Reactor: a task awaiting or iterating a Flowable is cancelled from another thread while the
     * source's {@code request} runs, 10,000 times per round; {@code request} and {@code cancel}
     * never overlap, and every subscription ends cancelled. In the "foreign" rounds {@code
     * onSubscribe} comes from the publisher's thread, where RxJava's {@code StrictSubscriber}
     * (which the bridge no longer gets) would pass the first request on outside the bridge's
     * serialization.
     */
    @Test
    void requestAndCancelNeverOverlapWhenTheAwaitingTaskIsCancelled() throws Exception {
        int repeats = 10_000 * Integer.getInteger("stress.scale", 1);
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            SerialCheckPublisher.rounds((round, source) -> {
                Flowable<Integer> flowable = Flowable.fromPublisher(source);
                Coroutine<Integer> consume = round.startsWith("await")
                        ? () -> RxAwait.awaitSingle(flowable) // never completes
                        : () -> {
                            for (int x : RxIterate.iterate(flowable)) {
                                Aio.sleep(0);
                            }
                            return null;
                        };
                assertEquals(Collections.nCopies(repeats, "cancelled"),
                        source.cancelEach(bg.loop(), consume, repeats, round));
            });
        }
    }

    @Test
    void singleMaybeAndCompletableStateTheirEmptyHandling() {
        Aio.run(() -> {
            assertEquals("a", RxAwait.await(Single.just("a")));
            IllegalStateException boom = new IllegalStateException("x");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> RxAwait.await(Single.error(boom))));
            assertEquals(Optional.of("m"), RxAwait.awaitOptional(Maybe.just("m")));
            assertEquals(Optional.empty(), RxAwait.awaitOptional(Maybe.<String>empty()));
            assertNull(RxAwait.awaitOrNull(Maybe.<String>empty()));
            assertEquals("dflt", RxAwait.awaitOrDefault(Maybe.<String>empty(), "dflt"));
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> RxAwait.awaitOrNull(Maybe.error(boom))));
            // kotlinx's MaybeSource.awaitSingle: the value, or NoSuchElementException when empty
            assertEquals("m", RxAwait.awaitSingle(Maybe.just("m")));
            NoSuchElementException empty = assertThrows(NoSuchElementException.class,
                    () -> RxAwait.awaitSingle(Maybe.<String>empty()));
            assertTrue(empty.getMessage().contains("completed empty"), empty.getMessage());
            RxAwait.await(Completable.complete());
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> RxAwait.await(Completable.error(boom))));
            return null;
        });
    }

    @Test
    void singlesMaybesAndCompletablesAsFuturesAreGatheredWithoutATaskEach() {
        AtomicBoolean disposed = new AtomicBoolean();
        List<Object> all = Aio.run(() -> {
            var user = RxAwait.future(Single.timer(20, TimeUnit.MILLISECONDS)
                    .map(t -> "ann").doOnDispose(() -> disposed.set(true)));
            var avatar = RxAwait.future(Maybe.<String>empty().subscribeOn(Schedulers.io()));
            var audit = RxAwait.future(Completable.complete().subscribeOn(Schedulers.io()));
            assertEquals(1, Aio.allTasks().size(), "no task per branch");
            return Aio.<Object>gather(user, avatar, audit).await();
        });
        assertEquals(java.util.Arrays.asList("ann", null, null), all);
        assertTrue(!disposed.get(), "a Single is never disposed after its value");
        Aio.run(() -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            var never = RxAwait.future(Single.never().doOnDispose(() -> cancelled.set(true)));
            never.cancel();
            Aio.sleep(0);
            assertTrue(cancelled.get(), "cancelling the future disposed the subscription");
            IllegalStateException boom = new IllegalStateException("x");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> RxAwait.future(Completable.error(boom)).await()));
            return null;
        });
    }

    @Test
    void flowablesAndObservables() {
        Aio.run(() -> {
            assertEquals(List.of(0, 1, 2, 3, 4), RxAwait.awaitList(Flowable.range(0, 5)));
            assertEquals(0, RxAwait.awaitFirst(Flowable.range(0, 5)));
            assertEquals(4, RxAwait.awaitLast(Flowable.range(0, 5)));
            assertEquals(7, RxAwait.awaitSingle(Flowable.just(7)));
            assertThrows(IllegalArgumentException.class, () -> RxAwait.awaitSingle(Flowable.range(0, 2)));
            assertThrows(NoSuchElementException.class, () -> RxAwait.awaitFirst(Flowable.empty()));
            RxAwait.awaitCompletion(Flowable.range(0, 3));

            assertEquals(List.of(0, 1, 2, 3, 4), RxAwait.awaitList(Observable.range(0, 5)));
            assertEquals(0, RxAwait.awaitFirst(Observable.range(0, 5)));
            assertEquals(4, RxAwait.awaitLast(Observable.range(0, 5)));
            assertEquals(7, RxAwait.awaitSingle(Observable.just(7)));
            assertThrows(IllegalArgumentException.class,
                    () -> RxAwait.awaitSingle(Observable.range(0, 2)));
            assertThrows(NoSuchElementException.class, () -> RxAwait.awaitLast(Observable.empty()));
            RxAwait.awaitCompletion(Observable.range(0, 3));
            return null;
        });
    }

    @Test
    void theFirstOrDefaultFamilyAsKotlinxObservableSingleTestChecksIt() {
        Aio.run(() -> {
            AtomicInteger orElseCalls = new AtomicInteger();
            Supplier<String> orElse = () -> {
                orElseCalls.incrementAndGet();
                return "O";
            };
            List<String> cancels = new ArrayList<>();
            Flowable<String> twoFlowable = Flowable.just("O", "#").doOnCancel(() -> cancels.add("flowable"));
            Observable<String> twoObservable = Observable.just("O", "#").doOnDispose(() -> cancels.add("observable"));

            assertEquals("OK", RxAwait.awaitFirstOrDefault(Flowable.<String>empty(), "O") + "K");
            assertEquals("OK", RxAwait.awaitFirstOrDefault(twoFlowable, "!") + "K");
            assertNull(RxAwait.awaitFirstOrNull(Flowable.empty()));
            assertEquals("OK", RxAwait.awaitFirstOrNull(twoFlowable) + "K");
            assertEquals("OK", RxAwait.awaitFirstOrElse(Flowable.<String>empty(), orElse) + "K");
            assertEquals("OK", RxAwait.awaitFirstOrElse(twoFlowable, orElse) + "K");

            assertEquals("OK", RxAwait.awaitFirstOrDefault(Observable.<String>empty(), "O") + "K");
            assertEquals("OK", RxAwait.awaitFirstOrDefault(twoObservable, "!") + "K");
            assertNull(RxAwait.awaitFirstOrNull(Observable.empty()));
            assertEquals("OK", RxAwait.awaitFirstOrNull(twoObservable) + "K");
            assertEquals("OK", RxAwait.awaitFirstOrElse(Observable.<String>empty(), orElse) + "K");
            assertEquals("OK", RxAwait.awaitFirstOrElse(twoObservable, orElse) + "K");

            assertEquals(2, orElseCalls.get(), "orElse runs only for an empty source");
            assertEquals(List.of("flowable", "flowable", "flowable", "observable", "observable",
                    "observable"), cancels, "each source is cancelled after its first item");
            RuntimeException boom = new RuntimeException("O");
            assertSame(boom, assertThrows(RuntimeException.class,
                    () -> RxAwait.awaitFirstOrDefault(Flowable.<String>error(boom), "!")));
            assertSame(boom, assertThrows(RuntimeException.class,
                    () -> RxAwait.awaitFirstOrElse(Observable.<String>error(boom), orElse)));
            assertEquals(2, orElseCalls.get(), "an error is not empty");
            assertEquals("orElse is null", assertThrows(NullPointerException.class,
                    () -> RxAwait.awaitFirstOrElse(Flowable.just("x"), null)).getMessage());
            return null;
        });
    }

    @Test
    void aSingleCompletingOnAnRxThreadResumesTheTaskOnItsLoop() {
        Aio.run(() -> {
            Task<?> me = Aio.currentTask();
            Thread[] on = new Thread[1];
            String v = RxAwait.await(Single.timer(20, TimeUnit.MILLISECONDS)
                    .observeOn(Schedulers.io())
                    .map(x -> {
                        on[0] = Thread.currentThread();
                        return "late";
                    }));
            assertEquals("late", v);
            assertSame(me, Aio.currentTask());
            assertTrue(on[0].getName().startsWith("RxCachedThreadScheduler"), on[0].getName());
            return null;
        });
    }

    @Test
    void cancellingTheAwaitingTaskDisposesEachKind() {
        List<String> disposed = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            List<Task<Object>> waiters = List.of(
                    Aio.createTask(() -> RxAwait.await(
                            Single.never().doOnDispose(() -> disposed.add("single")))),
                    Aio.createTask(() -> RxAwait.awaitOrNull(
                            Maybe.never().doOnDispose(() -> disposed.add("maybe")))),
                    Aio.createTask(() -> {
                        RxAwait.await(Completable.never().doOnDispose(() -> disposed.add("completable")));
                        return null;
                    }),
                    Aio.createTask(() -> RxAwait.awaitLast(
                            Flowable.never().doOnCancel(() -> disposed.add("flowable")))),
                    Aio.createTask(() -> RxAwait.awaitFirst(
                            Observable.never().doOnDispose(() -> disposed.add("observable")))));
            Aio.sleep(0.02);
            for (Task<Object> w : waiters) {
                w.cancel();
            }
            for (Task<Object> w : waiters) {
                assertThrows(CancelledError.class, w::await);
            }
            return null;
        });
        assertEquals(List.of("completable", "flowable", "maybe", "observable", "single"),
                disposed.stream().sorted().toList());
    }

    @Test
    void awaitingOutsideATaskSaysSo() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RxAwait.await(Single.just(1)));
        assertTrue(e.getMessage().toLowerCase().contains("task"), e.getMessage());
    }

    // ---- iterating -----------------------------------------------------------------------------

    @Test
    void iteratingAFlowableIsBackpressuredByThePrefetch() {
        List<Long> requests = new CopyOnWriteArrayList<>();
        long sum = Aio.run(() -> {
            long s = 0;
            for (int v : RxIterate.iterate(Flowable.range(0, 1000).doOnRequest(requests::add), 64)) {
                s += v;
            }
            return s;
        });
        assertEquals(499_500L, sum);
        assertEquals(64L, requests.get(0));
        assertTrue(requests.stream().allMatch(r -> r <= 64), requests.toString());
    }

    @Test
    void leavingAFlowableIterationEarlyCancelsIt() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Aio.run(() -> {
            try (var it = Comprehensions.closing(RxIterate.iterate(
                    Flowable.interval(1, TimeUnit.MILLISECONDS).doOnCancel(() -> cancelled.set(true))))) {
                for (long v : it) {
                    if (v == 3) {
                        break;
                    }
                }
            }
            return null;
        });
        assertTrue(cancelled.get());
    }

    /** An Observable.range emits all 100 items at subscription, before the task takes one. */
    private static List<Integer> iterateBurst(int capacity, Overflow overflow) {
        return Aio.run(() -> {
            List<Integer> got = new ArrayList<>();
            for (int v : RxIterate.iterate(Observable.range(0, 100), capacity, overflow)) {
                got.add(v);
            }
            return got;
        });
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @Test
    void observableOverflowStrategiesOnABurst() {
        assertEquals(range(0, 100), iterateBurst(100, Overflow.ERROR));
        MissingBackpressureException full = assertThrows(MissingBackpressureException.class,
                () -> iterateBurst(10, Overflow.ERROR));
        assertTrue(full.getMessage().contains("more than 10 items"), full.getMessage());
        assertTrue(full.getMessage().contains("Overflow.ERROR"), full.getMessage());

        assertEquals(range(0, 10), iterateBurst(10, Overflow.DROP_LATEST));
        // the 16 newest, as onBackpressureBuffer(16, DROP_OLDEST) keeps: nothing older survives
        assertEquals(range(84, 100), iterateBurst(16, Overflow.DROP_OLDEST));
        assertEquals(range(90, 100), iterateBurst(10, Overflow.DROP_OLDEST));

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> RxIterate.iterate(Observable.just(1), 0, Overflow.ERROR));
        assertTrue(bad.getMessage().contains("capacity"), bad.getMessage());
    }

    @Test
    void aSlowerObservableLosesNothingUnderEveryStrategy() {
        for (Overflow overflow : Overflow.values()) {
            List<Integer> got = Aio.run(() -> {
                PublishSubject<Integer> subject = PublishSubject.create();
                Thread emitter = Thread.ofVirtual().unstarted(() -> {
                    for (int i = 0; i < 20; i++) {
                        subject.onNext(i);
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    subject.onComplete();
                });
                List<Integer> out = new ArrayList<>();
                boolean started = false;
                for (int v : RxIterate.iterate(subject.startWithItem(-1), 4, overflow)) {
                    if (!started) { // subscribed: start emitting
                        started = true;
                        emitter.start();
                    }
                    out.add(v);
                }
                return out;
            });
            List<Integer> expected = new ArrayList<>(List.of(-1));
            expected.addAll(range(0, 20));
            assertEquals(expected, got, overflow.name());
        }
    }
    /** {@link LatePublishers#signalsOnCancel} as a Flowable. */
    static Flowable<String> signalsOnCancel(String first, Throwable onCancel) {
        return Flowable.fromPublisher(LatePublishers.signalsOnCancel(first, onCancel));
    }

    @Test
    void anErrorAfterTheTasksCancelGoesToRxJavaPluginsNotTheLoop() {
        List<Throwable> plugin = new CopyOnWriteArrayList<>();
        List<ErrorContext> loopHandler = new CopyOnWriteArrayList<>();
        IOException late = new IOException("late failure"); // not a "bug": RxJava wraps it
        RxJavaPlugins.setErrorHandler(plugin::add);
        try {
            Aio.run(() -> {
                Aio.getRunningLoop().setExceptionHandler((l, c) -> loopHandler.add(c));
                Task<String> awaiting = Aio.createTask(
                        () -> RxAwait.await(signalsOnCancel(null, late).singleOrError()));
                Aio.sleep(0.01);
                awaiting.cancel();
                assertThrows(CancelledError.class, awaiting::await);
                assertEquals("first", RxAwait.awaitFirst(signalsOnCancel("first", late)));
                for (String item : RxIterate.iterate(signalsOnCancel("first", late))) {
                    assertEquals("first", item);
                    break;
                }
                RxAwait.awaitFirst(signalsOnCancel("first",
                        new CancellationException("the cancel, signalled back")));
                Aio.sleep(0.01);
                return null;
            });
        } finally {
            RxJavaPlugins.setErrorHandler(null);
        }
        assertEquals(3, plugin.size(), plugin.toString());
        for (Throwable e : plugin) {
            assertInstanceOf(UndeliverableException.class, e);
            assertSame(late, e.getCause());
        }
        assertEquals(List.of(), loopHandler, "RxJava's hook, not the loop's handler");
    }
}
