package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import io.aiobridge.queue.AsyncQueue;
import java.io.IOException;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The contract every adapter keeps, whatever its library: the behaviours kotlinx-coroutines'
 * reactive tests (PublishTest, IntegrationTest, LeakedExceptionTest, FlowableTest, MonoTest),
 * Reactor's and RxJava's own operator tests check of a stream made from a generator, a single
 * value made from a coroutine or a future, awaiting one and iterating one. The Reactor and RxJava
 * modules each run it by extending it ({@code ReactorContractTest}, {@code RxContractTest}) and
 * add the tests only their library's operators can express.
 *
 * <p>Each test is written against Reactive Streams, so both adapters are held to the same
 * sequences. Every test fails if an error reached the adapter's dropped-error hook and the test
 * did not expect it: a cancel is never an error. "Nothing happened" is checked by syncing with a
 * {@link BackgroundLoop} (everything the loop had to do is done), never by sleeping.
 */
public abstract class AdapterContract {
    /** Errors that reached the adapter's dropped-error hook during the test, unwrapped. */
    protected final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    /**
     * The adapter's stream (Flux, Flowable) of a new generator per subscription, on the
     * subscribing task's loop or a default loop.
     *
     * @param body the generator body
     * @param <T> the item type
     * @return the stream, as a Publisher
     */
    protected abstract <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body);

    /**
     * As {@link #generator(AsyncGenerator.Body)}, on {@code loop}.
     *
     * @param body the generator body
     * @param loop the loop
     * @param <T> the item type
     * @return the stream
     */
    protected abstract <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body,
            EventLoop loop);

    /**
     * The adapter's single value (Mono, Single) of a coroutine run as a task per subscription.
     *
     * @param coro the coroutine (never returns null here)
     * @param <T> the value type
     * @return the single value, as a Publisher
     */
    protected abstract <T> Publisher<T> coroutine(Coroutine<T> coro);

    /**
     * The adapter's single value of a future.
     *
     * @param future the future
     * @param <T> the value type
     * @return the single value, as a Publisher
     */
    protected abstract <T> Publisher<T> future(AsyncFuture<T> future);

    /**
     * Awaits, in a task, the adapter's single-value type made from {@code source} (one item,
     * then onComplete): {@code ReactorAwait.awaitSingle(Mono.fromDirect(p))}, {@code
     * RxAwait.await(Single.fromPublisher(p))}.
     *
     * @param source the source
     * @param <T> the value type
     * @return the value
     */
    protected abstract <T> T awaitSingle(Publisher<T> source);

    /**
     * Iterates, in a task, the adapter's stream type made from {@code source}, with a prefetch.
     *
     * @param source the source
     * @param prefetch the prefetch
     * @param <T> the item type
     * @return the iterable
     */
    protected abstract <T> AsyncIterable<T> iterate(Publisher<T> source, int prefetch);

    /**
     * Installs {@code hook} as the adapter's global dropped-error hook ({@code
     * Hooks.onErrorDropped}, {@code RxJavaPlugins.setErrorHandler}), handing it each error as
     * thrown (unwrapped from the library's own wrapper).
     *
     * @param hook the hook
     */
    protected abstract void installDroppedHook(Consumer<Throwable> hook);

    /** Removes the hook {@link #installDroppedHook} installed. */
    protected abstract void resetDroppedHook();

    @BeforeEach
    void recordDroppedErrors() {
        installDroppedHook(dropped::add);
    }

    @AfterEach
    void nothingWasDropped() {
        resetDroppedHook();
        assertEquals(List.of(), dropped, "errors sent to the library's dropped-error hook");
    }

    /** A generator yielding 0..n-1, then throwing {@code failure}. */
    private Publisher<Integer> yieldsThenFails(int n, Exception failure, EventLoop loop) {
        AsyncGenerator.Body<Integer, Void> body = y -> {
            for (int i = 0; i < n; i++) {
                y.yield(i);
            }
            throw failure;
        };
        return loop == null ? generator(body) : generator(body, loop);
    }

    // ---- items, errors, completion ----------------------------------------------------------

    @Test
    void everyItemYieldedBeforeAFailureIsDeliveredThenTheFailure() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        for (int batch : new int[] {1, 8, 99, 256, Integer.MAX_VALUE}) {
            Recorder<Integer> r = new Recorder<>(0) {
                @Override
                public void onNext(Integer item) {
                    super.onNext(item);
                    if (items.size() % batch == 0) {
                        subscription.request(batch);
                    }
                }
            };
            yieldsThenFails(100, boom, null).subscribe(r);
            r.subscription.request(batch);
            r.awaitTerminal();
            assertEquals(100, r.items.size(), "batch " + batch + ": " + r.signals);
            assertEquals(List.of(0, 1, 2), r.items.subList(0, 3));
            assertSame(boom, r.error, "the failure itself, after the items");
        }
    }

    @Test
    void yieldingNullThrowsInTheBodyWhichMayGoOn() throws Exception {
        // kotlinx FluxTest/PublishTest.testEmittingNull; Flux.create's sink.next(null) throws too
        Recorder<String> r = new Recorder<>(Long.MAX_VALUE);
        this.<String>generator(y -> {
            NullPointerException refused = assertThrows(NullPointerException.class,
                    () -> y.yield(null));
            assertTrue(refused.getMessage().startsWith("§2.13"), refused.getMessage());
            y.yield("OK");
        }).subscribe(r);
        r.awaitTerminal();
        assertEquals(List.of("onNext(OK)", "onComplete"), r.signals);

        Recorder<String> uncaught = new Recorder<>(Long.MAX_VALUE);
        this.<String>generator(y -> {
            y.yield("before");
            y.yield(null);
            y.yield("never");
        }).subscribe(uncaught);
        uncaught.awaitTerminal();
        assertEquals(List.of("before"), uncaught.items);
        assertInstanceOf(NullPointerException.class, uncaught.error);
    }

    @Test
    void theItemsAfterTheDemandAndTheFailureWaitForMoreDemand() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Recorder<Integer> r = new Recorder<>(2);
            yieldsThenFails(3, new IllegalStateException("boom"), bg.loop()).subscribe(r);
            r.awaitSignals(2);
            bg.sync();
            assertEquals(List.of("onNext(0)", "onNext(1)"), r.signals, "the third item waits");
            r.subscription.request(1);
            r.awaitTerminal();
            assertEquals(List.of("onNext(0)", "onNext(1)", "onNext(2)",
                    "onError(IllegalStateException: boom)"), r.signals);
        }
    }

    @Test
    void theBodyRunsOnlyWithDemandAndACancelClosesIt() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Recorder<Integer> r = new Recorder<>(0);
            this.<Integer>generator(y -> {
                try {
                    for (int i = 0; ; i++) {
                        steps.add("yield " + i);
                        y.yield(i);
                    }
                } finally {
                    steps.add("finally");
                }
            }, bg.loop()).subscribe(r);
            bg.sync();
            // as kotlinx's publish: the body starts at once and waits at its first yield, so a
            // failure or an empty body ends the stream without demand (rules 1.4, 1.5)
            assertEquals(List.of("yield 0"), steps, "no demand: waiting at the first yield");
            r.subscription.request(2);
            r.awaitSignals(2);
            bg.sync();
            // the body runs on to its next yield, which waits for demand
            assertEquals(List.of("yield 0", "yield 1", "yield 2"), steps);
            r.subscription.cancel();
            bg.sync();
            assertEquals(List.of("yield 0", "yield 1", "yield 2", "finally"), steps);
            assertEquals(List.of("onNext(0)", "onNext(1)"), r.signals, "no signal after cancel");
        }
    }

    /**
     * A subscriber that cancels inside {@code onNext} ({@code take(n)}) closes the generator as
     * asyncio's {@code aclose()} does: GeneratorExit at its yield, and a {@code finally} that
     * awaits runs to its end, on a background loop and from a task of the generator's loop.
     */
    @Test
    void aCancelFromOnNextLetsTheGeneratorsFinallyAwait() throws Exception {
        for (boolean fromATask : new boolean[] {false, true}) {
            CountDownLatch closed = new CountDownLatch(1);
            List<Object> cutShort = new CopyOnWriteArrayList<>();
            Publisher<Integer> gen = generator(y -> {
                try {
                    for (int i = 0; ; i++) {
                        y.yield(i);
                    }
                } finally {
                    try {
                        Aio.sleep(0.001);
                    } catch (Throwable t) {
                        cutShort.add(t);
                        throw t;
                    }
                    closed.countDown();
                }
            });
            List<Integer> got = new CopyOnWriteArrayList<>();
            Subscriber<Integer> takeTwo = new Subscriber<>() {
                private Subscription s;

                @Override
                public void onSubscribe(Subscription s) {
                    this.s = s;
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Integer item) {
                    got.add(item);
                    if (got.size() == 2) {
                        s.cancel();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    got.add(-1);
                }

                @Override
                public void onComplete() {
                    got.add(-2);
                }
            };
            if (fromATask) {
                Aio.run(() -> {
                    gen.subscribe(takeTwo);
                    Aio.await(Aio.ensureFuture(CompletableFuture.runAsync(() -> await(closed))));
                    return null;
                });
            } else {
                gen.subscribe(takeTwo);
            }
            assertTrue(closed.await(10, TimeUnit.SECONDS), "the finally ran to its end");
            assertEquals(List.of(), cutShort, "the finally was cut short");
            assertEquals(List.of(0, 1), got);
        }
    }

    @Test
    void checkedExceptionsReachOnErrorAsThemselves() throws Exception {
        IOException io = new IOException("disk");
        Recorder<Integer> items = new Recorder<>(Long.MAX_VALUE);
        yieldsThenFails(1, io, null).subscribe(items);
        assertEquals(List.of("onNext(0)", "onError(IOException: disk)"),
                items.awaitTerminal().signals);
        assertSame(io, items.error);
        Recorder<Integer> single = new Recorder<>(1);
        this.<Integer>coroutine(() -> {
            throw io;
        }).subscribe(single);
        assertSame(io, single.awaitTerminal().error);
    }

    @Test
    void aGeneratorWhoseItemsMatchTheDemandCompletesWithoutMoreDemand() throws Exception {
        Recorder<Integer> one = new Recorder<>(1);
        this.<Integer>generator(y -> y.yield(42)).subscribe(one);
        assertEquals(List.of("onNext(42)", "onComplete"), one.awaitTerminal().signals);
        Recorder<Integer> two = new Recorder<>(2);
        this.<Integer>generator(y -> {
            y.yield(1);
            y.yield(2);
        }).subscribe(two);
        assertEquals(List.of("onNext(1)", "onNext(2)", "onComplete"),
                two.awaitTerminal().signals);
    }

    // ---- a cancel is never an error ----------------------------------------------------------

    @Test
    void cancelsAtEveryStageAreNeverErrorsAndCloseWhatStarted() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finallies = new AtomicInteger();
        List<Throwable> handler = new CopyOnWriteArrayList<>();
        EventLoop loop = EventLoop.newEventLoop();
        loop.setExceptionHandler((l, c) -> handler.add(c.exception()));
        List<Recorder<Integer>> recorders = new CopyOnWriteArrayList<>();
        try (BackgroundLoop bg = BackgroundLoop.start(loop)) {
            Publisher<Integer> gen = generator(y -> {
                started.incrementAndGet();
                try {
                    for (int i = 0; ; i++) {
                        y.yield(i);
                        Aio.sleep(0.001);
                    }
                } finally {
                    finallies.incrementAndGet();
                }
            }, loop);
            // in onSubscribe, before anything started
            gen.subscribe(recording(recorders, Subscription::cancel));
            // right after a request, racing the first item
            gen.subscribe(recording(recorders, s -> {
                s.request(1);
                s.cancel();
            }));
            // after the first item, while the body sleeps
            Recorder<Integer> afterOne = new Recorder<>(5);
            gen.subscribe(afterOne);
            afterOne.awaitSignals(1);
            afterOne.subscription.cancel();
            // a coroutine's task, mid-await
            Recorder<Integer> task = new Recorder<>(1);
            coroutine(() -> Aio.sleep(60, 1)).subscribe(task);
            task.subscription.cancel();
            bg.sync();
            recorders.add(afterOne);
            recorders.add(task);
        } // closing the loop finishes whatever the cancels left running: any report is in now
        for (Recorder<Integer> r : recorders) {
            assertTrue(r.signals.stream().noneMatch(s -> s.startsWith("onError")),
                    r.signals.toString());
        }
        assertEquals(List.of(), handler, "nothing reached the loop's exception handler");
        assertEquals(started.get(), finallies.get(), "every started generator was closed");
    }

    @Test
    void aGeneratorThatMergesItsTasksThroughATaskGroupIsCancelledQuietlyWithThem()
            throws Exception {
        // kotlinx's publish { launch { send(x) } } (PublisherMultiTest): several tasks produce,
        // the generator yields what they queue; a cancel at the yield closes the group
        // (asyncio gh-135736: GeneratorExit leaves a TaskGroup as itself, not in a group)
        List<Throwable> handler = new CopyOnWriteArrayList<>();
        AtomicInteger producers = new AtomicInteger();
        EventLoop loop = EventLoop.newEventLoop();
        loop.setExceptionHandler((l, c) -> handler.add(c.exception()));
        Recorder<Integer> r = new Recorder<>(5);
        try (BackgroundLoop bg = BackgroundLoop.start(loop)) {
            CountDownLatch closed = new CountDownLatch(1);
            int[] producingAtClose = {-1};
            this.<Integer>generator(y -> {
                AsyncQueue<Integer> queue = new AsyncQueue<>(4);
                try {
                    merge(y, queue, producers);
                } finally {
                    producingAtClose[0] = producers.get(); // the group waited for its tasks
                    closed.countDown();
                }
            }, loop).subscribe(r);
            r.awaitSignals(5);
            r.subscription.cancel();
            assertTrue(closed.await(10, TimeUnit.SECONDS), "the generator was closed");
            assertEquals(0, producingAtClose[0], "every producing task ended with the generator");
            bg.sync();
        }
        assertEquals(5, r.items.size());
        assertTrue(r.signals.stream().noneMatch(x -> x.startsWith("onError")),
                r.signals.toString());
        assertEquals(List.of(), handler, "nothing reached the loop's exception handler");
    }

    /** Yields what three tasks of a group queue, until closed. */
    private static void merge(AsyncGenerator.Yield<Integer, Void> y, AsyncQueue<Integer> queue,
            AtomicInteger producers) {
        TaskGroup.run(tg -> {
            for (int p = 0; p < 3; p++) {
                int base = p * 1000;
                tg.createTask(() -> {
                    producers.incrementAndGet();
                    try {
                        for (int i = 0; ; i++) {
                            queue.put(base + i);
                        }
                    } finally {
                        producers.decrementAndGet();
                    }
                });
            }
            for (;;) {
                y.yield(queue.get());
            }
        });
    }

    @Test
    void tenThousandCancelRacesReportNothingAndCloseEachGeneratorOnce() throws Exception {
        int rounds = 10_000 * Integer.getInteger("stress.scale", 1);
        Random rnd = new Random(Long.getLong("stress.seed", 17L));
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finallies = new AtomicInteger();
        List<Recorder<Integer>> all = new CopyOnWriteArrayList<>();
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            Publisher<Integer> gen = generator(y -> {
                started.incrementAndGet();
                try {
                    y.yield(1);
                    y.yield(2);
                } finally {
                    finallies.incrementAndGet();
                }
            }, bg.loop());
            for (int i = 0; i < rounds; i++) {
                Recorder<Integer> r = new Recorder<>(rnd.nextInt(4));
                gen.subscribe(r);
                for (int spin = rnd.nextInt(200); spin > 0; spin--) {
                    Thread.onSpinWait(); // the cancel lands before, during or after the body
                }
                r.subscription.cancel();
                all.add(r);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (finallies.get() < started.get() && System.nanoTime() < deadline) {
                bg.sync();
            }
        }
        for (Recorder<Integer> r : all) {
            assertTrue(r.signals.stream().noneMatch(s -> s.startsWith("onError")),
                    r.signals.toString());
        }
        assertEquals(started.get(), finallies.get(), "exactly one finally per started generator");
    }

    // ---- awaiting: to the terminal signal, never cancelling after the value ------------------

    @Test
    void anAwaitReturnsOnlyAfterTheSourcesCompletionAndNeverCancelsIt() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch valueSent = new CountDownLatch(1);
        // a source whose completion comes from another thread, well after its value: an await
        // that returned at the value, or cancelled after it, would show here
        Publisher<String> slowEnd = s -> s.onSubscribe(new Subscription() {
            boolean sent;

            @Override
            public void request(long n) {
                if (!sent) {
                    sent = true;
                    s.onNext("v");
                    Thread.ofPlatform().start(() -> {
                        await(valueSent);
                        order.add("onComplete");
                        s.onComplete();
                    });
                }
            }

            @Override
            public void cancel() {
                order.add("cancel");
            }
        });
        Aio.run(() -> {
            Task<String> awaiting = Aio.createTask(() -> awaitSingle(slowEnd));
            Aio.sleep(0.01);
            assertTrue(!awaiting.isDone(), "the await waits for onComplete, not for the value");
            valueSent.countDown();
            assertEquals("v", awaiting.await());
            order.add("returned");
            return null;
        });
        assertEquals(List.of("onComplete", "returned"), order);
    }

    // ---- iterations end with their task ------------------------------------------------------

    @Test
    void leavingAnIterationEarlyCancelsTheSourceWhenTheTaskEnds() {
        AtomicInteger cancels = new AtomicInteger();
        Aio.run(() -> {
            // a for-each by hand, its iterator kept: a collected one would close it earlier
            Iterator<Integer> left = iterate(counting(ticks(), cancels), 16).iterator();
            while (left.hasNext()) {
                if (left.next() == 3) {
                    break;
                }
            }
            assertEquals(0, cancels.get(), "left open until its task ends (as asyncio's aclose)");
            Aio.createTask(() -> {
                Iterator<Integer> leftByChild = iterate(counting(ticks(), cancels), 4).iterator();
                while (leftByChild.hasNext()) {
                    if (leftByChild.next() == 2) {
                        break;
                    }
                }
                return leftByChild;
            }).await();
            assertEquals(1, cancels.get(), "the child task ended: its iteration is cancelled");
            Reference.reachabilityFence(left);
            return null;
        });
        assertEquals(2, cancels.get(), "Aio.run's main task ended: its iteration too");
    }

    @Test
    void anIterationLeftByABreakIsCancelledOnceItsIteratorIsCollected() {
        // a long-lived task (a WebSocket body, a queue worker) must not hold the subscription of
        // every iteration it left for its whole life: asyncio's finalizer closes a dropped one
        assertCancelledOnceCollected(this::leaveAnIteration);
    }

    /**
     * Runs {@code leave} in a task, which iterates a source that never ends (counting its
     * cancels) and lets go of the iteration unclosed; the source must be cancelled once the
     * collector has run, while the task still runs, and only once.
     */
    private void assertCancelledOnceCollected(Consumer<AtomicInteger> leave) {
        AtomicInteger cancels = new AtomicInteger();
        Aio.run(() -> {
            leave.accept(cancels);
            for (int i = 0; i < 200 && cancels.get() == 0; i++) {
                System.gc();
                Aio.sleep(0.05);
            }
            assertEquals(1, cancels.get(), "cancelled while its task still runs");
            return null;
        });
        assertEquals(1, cancels.get(), "and only once");
    }

    /** Iterates a source that never ends and leaves by {@code break}. */
    private void leaveAnIteration(AtomicInteger cancels) {
        for (int i : iterate(counting(ticks(), cancels), 16)) {
            if (i == 3) {
                break;
            }
        }
    }

    @Test
    void anIteratorTakenWithAiterAndDroppedIsCancelledOnceCollected() {
        // code that steps an iteration by hand and lets go of it without aclose(), as Python
        // code may drop an async generator it took items from: the finalizer closes it
        assertCancelledOnceCollected(this::stepAndDrop);
    }

    /** Takes two items of a source that never ends by hand, and drops the iterator. */
    private void stepAndDrop(AtomicInteger cancels) {
        AsyncIterator<Integer> it = iterate(counting(ticks(), cancels), 16).aiter();
        assertEquals(0, it.anext().await());
        assertEquals(1, it.anext().await());
    }

    @Test
    void aTimeoutAroundOneAnextLeavesTheIterationOpenAndLosesNothing() {
        // waiting for the next item with a deadline, as asyncio's wait_for(reader.read(), t)
        // leaves the stream's buffer and kotlinx's withTimeoutOrNull { receive() } the channel:
        // before, the cancelled await closed the iteration, and every later item was lost
        AtomicInteger cancels = new AtomicInteger();
        List<Object> got = Aio.run(() -> {
            Publisher<Integer> spaced = generator(y -> {
                for (int i = 0; i < 3; i++) {
                    Aio.sleep(0.2);
                    y.yield(i);
                }
            });
            AsyncIterator<Integer> it = iterate(counting(spaced, cancels), 16).aiter();
            List<Object> seen = new ArrayList<>();
            for (;;) {
                try {
                    seen.add(Aio.timeout(0.05, () -> it.anext().await()));
                } catch (AsyncTimeoutException e) {
                    if (!seen.contains("timeout")) {
                        seen.add("timeout");
                    }
                } catch (StopAsyncIteration end) {
                    return seen;
                }
            }
        });
        assertEquals(List.of("timeout", 0, 1, 2), got);
        assertEquals(0, cancels.get(), "it ran to its end");
    }

    @Test
    void anIteratorThatOnlyItsAwaitHoldsIsNotClosedUnderTheAwait() {
        // the iterator's last use is the await of its next item: the collector may find it
        // unreachable from the task's code meanwhile, and must not close the iteration under it
        AtomicInteger cancels = new AtomicInteger();
        Aio.run(() -> {
            Publisher<Integer> slow = generator(y -> {
                y.yield(1);
                Aio.sleep(0.3);
                y.yield(2);
            });
            AsyncIterator<Integer> it = iterate(counting(slow, cancels), 1).aiter();
            assertEquals(1, it.anext().await());
            Task<?> collecting = Aio.createTask(() -> {
                for (int i = 0; i < 10; i++) {
                    System.gc();
                    Aio.sleep(0.02);
                }
                return null;
            });
            assertEquals(2, it.anext().await(), "the item the await waited for");
            assertEquals(0, cancels.get());
            collecting.await();
            return null;
        });
    }

    @Test
    void forEachCancelsTheSourceBeforeTheActionsFailureReachesTheCaller() {
        // kotlinx PublisherCollectTest.testCollectThrowingAction: a publisher that emits 100
        // items inside request and never completes; the action throws on the last one, and
        // the cancel comes before the catch (a for-each would leave it to the task's end)
        Steps steps = new Steps();
        int x = 100;
        int[] lastOutput = {0};
        Publisher<Integer> publisher = subscriber -> subscriber.onSubscribe(new Subscription() {
            private long requested;

            @Override
            public void request(long n) {
                requested += n;
                while (lastOutput[0] < x && lastOutput[0] < requested) {
                    subscriber.onNext(++lastOutput[0]);
                }
            }

            @Override
            public void cancel() {
                assertEquals(x, lastOutput[0]);
                steps.expect(x + 2);
            }
        });
        Loops.virtual(() -> {
            int[] sum = {0};
            int[] step = {1};
            steps.expect(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> iterate(publisher, 256).forEach(item -> {
                        sum[0] += item;
                        steps.expect(++step[0]);
                        if (sum[0] >= x * (x + 1) / 2) {
                            throw new IllegalArgumentException("Too many elements produced");
                        }
                    }));
            steps.expect(x + 3);
            assertEquals("Too many elements produced", e.getMessage());
            return null;
        });
        steps.finish(x + 4);
    }

    @Test
    void cancellingATaskInsideTheLoopBodyCancelsItsSource() {
        AtomicInteger cancels = new AtomicInteger();
        Loops.virtual(() -> {
            List<Integer> seen = new CopyOnWriteArrayList<>();
            Task<Void> t = Aio.createTask(() -> {
                for (int tick : iterate(counting(ticks(), cancels), 4)) {
                    seen.add(tick);
                    Aio.sleep(1.0); // the cancel lands here
                }
                return null;
            });
            Aio.sleep(2.5);
            t.cancel();
            try {
                t.await();
            } catch (CancelledError expected) {
                // the task ended cancelled
            }
            assertEquals(List.of(0, 1, 2), seen);
            assertEquals(1, cancels.get(), "the source was cancelled with the task");
            return null;
        });
    }

    /** An endless generator of 0, 1, 2, ... paced by the loop. */
    private Publisher<Integer> ticks() {
        return generator(y -> {
            for (int i = 0; ; i++) {
                y.yield(i);
                Aio.sleep(0.001);
            }
        });
    }

    // ---- errors after a cancel go to the hook, once ------------------------------------------

    /**
     * In a fresh {@link Runner}: subscribes {@code r} to a coroutine that throws {@code late}
     * while handling its cancellation, waits until it runs, cancels the subscription first if
     * {@code cancel}, and returns; run()'s shutdown then cancels whatever still runs.
     *
     * @return what reached the loop's exception handler
     */
    private List<Throwable> failWhileCancelled(IllegalStateException late, Recorder<String> r,
            boolean cancel) {
        List<Throwable> handler = new CopyOnWriteArrayList<>();
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                Aio.getRunningLoop().setExceptionHandler((l, c) -> handler.add(c.exception()));
                CountDownLatch started = new CountDownLatch(1);
                this.<String>coroutine(() -> {
                    started.countDown();
                    try {
                        return Aio.sleep(60, "late");
                    } catch (CancelledError e) {
                        throw late;
                    }
                }).subscribe(r);
                while (started.getCount() > 0) {
                    Aio.sleep(0);
                }
                if (cancel) {
                    r.subscription.cancel();
                    Aio.sleep(0); // the cancel reaches the task just before run() returns
                }
                return null;
            });
        }
        return handler;
    }

    @Test
    void anErrorThrownWhileHandlingACancelGoesToTheHookOnce() throws Exception {
        IllegalStateException late = new IllegalStateException("cleanup failed");
        Recorder<String> r = new Recorder<>(1);
        List<Throwable> handler = failWhileCancelled(late, r, true);
        assertEquals(List.of(late), dropped, "the adapter's hook has it, once");
        dropped.clear();
        assertEquals(List.of(), handler, "and nobody else: it is not reported twice");
        assertEquals(List.of(), r.signals, "nothing is signalled after a cancel (rule 1.8)");
    }

    @Test
    void aTaskFailingAtShutdownReachesItsSubscriberOnly() throws Exception {
        IllegalStateException late = new IllegalStateException("cleanup failed");
        Recorder<String> r = new Recorder<>(1);
        List<Throwable> handler = failWhileCancelled(late, r, false);
        assertSame(late, r.awaitTerminal().error, "the subscriber got the failure");
        assertEquals(List.of(), handler, "delivered, so not also reported as unhandled");
    }

    // ---- a done future publishes whether or not its loop runs --------------------------------

    @Test
    void aDoneFuturePublishesWhileItsLoopIsIdle() throws Exception {
        try (EventLoop idle = EventLoop.newEventLoop()) {
            AsyncFuture<String> done = idle.createFuture();
            done.setResult("v");
            Recorder<String> r = new Recorder<>(0);
            future(done).subscribe(r);
            assertEquals(List.of(), r.signals, "nothing before demand");
            r.subscription.request(1);
            assertEquals(List.of("onNext(v)", "onComplete"), r.awaitTerminal().signals);
            try (Runner other = new Runner()) {
                assertEquals("v", other.run(() -> awaitSingle(future(done))));
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** {@code source}, counting the cancels of its subscriptions. */
    protected static <T> Publisher<T> counting(Publisher<T> source, AtomicInteger cancels) {
        return s -> source.subscribe(new Subscriber<T>() {
            @Override
            public void onSubscribe(Subscription sub) {
                s.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                        sub.request(n);
                    }

                    @Override
                    public void cancel() {
                        cancels.incrementAndGet();
                        sub.cancel();
                    }
                });
            }

            @Override
            public void onNext(T item) {
                s.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                s.onError(t);
            }

            @Override
            public void onComplete() {
                s.onComplete();
            }
        });
    }

    private static <T> Recorder<T> recording(List<Recorder<T>> all, Consumer<Subscription> then) {
        Recorder<T> r = new Recorder<>(0) {
            @Override
            public void onSubscribe(Subscription s) {
                super.onSubscribe(s);
                then.accept(s);
            }
        };
        all.add(r);
        return r;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
