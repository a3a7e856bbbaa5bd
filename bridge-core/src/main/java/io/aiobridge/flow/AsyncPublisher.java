package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AioFuture;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.iter.AsyncGenerator;
import io.aiobridge.iter.AsyncIterable;
import io.aiobridge.iter.AsyncIterator;
import io.aiobridge.iter.StopAsyncIteration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Function;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * A Reactive Streams {@link Publisher} backed by async code: a generator, an async iterable, a
 * future or task, or a coroutine. {@link #toFlow()} gives the same publisher as a {@link
 * Flow.Publisher}.
 *
 * <pre>{@code
 * Publisher<Integer> ticks = AsyncPublisher.fromGenerator(y -> {
 *     for (int i = 0; ; i++) {
 *         y.yield(i);          // waits here while the subscriber has no outstanding demand
 *         Aio.sleep(1.0);
 *     }
 * });
 * }</pre>
 *
 * <p><b>Cold:</b> each subscription gets its own run of the source. <b>Where it runs:</b> on a loop,
 * never on the subscriber's thread: the loop given with {@link #on(EventLoop)}, else the loop of
 * the task that subscribes, else one loop of a shared default group (one loop per core, on daemon
 * threads, started lazily; each subscription is pinned to one of them). Signals to the subscriber
 * come from that loop, one at a time.
 *
 * <p><b>Demand:</b> a generator runs only while there is demand: its {@code yield} suspends when the
 * outstanding demand is zero (at subscription it runs up to its first {@code yield}, so a source
 * that fails or ends at once is signalled without demand, as kotlinx's {@code publish} does), and it hands items over in batches of up to 256 while demand
 * allows. {@code request(n <= 0)} signals {@link IllegalArgumentException} (rule 3.9); demand adds
 * up to {@code Long.MAX_VALUE}, meaning unbounded (3.17). Cancelling closes the generator (its
 * {@code finally} runs) or cancels the task. A null item ends the stream with {@link
 * NullPointerException} (2.13). Errors become {@code onError}, the end {@code onComplete}.
 *
 * <p><b>Threading:</b> {@code subscribe} and the subscription's methods may be called from any
 * thread.
 *
 * @param <T> the item type
 */
public final class AsyncPublisher<T> implements Publisher<T> {
    private final Function<EmitterArgs<T>, EmitterSubscription<T>> factory;
    private final EventLoop loop;
    private final java.util.function.Consumer<Throwable> errorDropped;

    /** What a source needs to make a subscription. */
    record EmitterArgs<T>(Subscriber<? super T> subscriber, EventLoop loop) {}

    private AsyncPublisher(Function<EmitterArgs<T>, EmitterSubscription<T>> factory,
            EventLoop loop) {
        this(factory, loop, null);
    }

    private AsyncPublisher(Function<EmitterArgs<T>, EmitterSubscription<T>> factory,
            EventLoop loop, java.util.function.Consumer<Throwable> errorDropped) {
        this.factory = factory;
        this.loop = loop;
        this.errorDropped = errorDropped;
    }

    /**
     * A publisher running a new generator with {@code body} for each subscription.
     *
     * @param body the generator body
     * @param <T> the item type
     * @return the publisher
     */
    public static <T> AsyncPublisher<T> fromGenerator(AsyncGenerator.Body<T, Void> body) {
        Objects.requireNonNull(body, "body is null");
        return new AsyncPublisher<>(a -> new GeneratorEmitter<>(a, body), null);
    }

    /**
     * A publisher of the items of {@code iterable}, iterated afresh (its {@code aiter()}) for each
     * subscription; one item per {@code anext}. For generators, prefer {@link #fromGenerator},
     * which hands items over in batches.
     *
     * @param iterable the source
     * @param <T> the item type
     * @return the publisher
     */
    public static <T> AsyncPublisher<T> fromIterable(AsyncIterable<T> iterable) {
        Objects.requireNonNull(iterable, "iterable is null");
        return new AsyncPublisher<>(a -> new IterableEmitter<>(a, iterable), null);
    }

    /**
     * A publisher of a future's result: one item (none if the result is null), then completion;
     * its failure as onError. Cancelling a subscription cancels the future (a task: cancels the
     * task). Every subscriber sees the same future, on the future's loop.
     *
     * @param future the future or task
     * @param <T> the item type
     * @return the publisher
     */
    public static <T> AsyncPublisher<T> fromFuture(AioFuture<T> future) {
        Objects.requireNonNull(future, "future is null");
        return new AsyncPublisher<>(a -> new FutureEmitter<>(a, future), future.getLoop());
    }

    /**
     * A publisher that runs {@code coro} as a task for each subscription (lazily: when it is
     * subscribed, not before) and publishes its result: one item (none if null), then completion. Cancelling the
     * subscription cancels the task.
     *
     * @param coro the coroutine
     * @param <T> the item type
     * @return the publisher
     */
    public static <T> AsyncPublisher<T> fromCoroutine(Coroutine<T> coro) {
        Objects.requireNonNull(coro, "coro is null");
        return new AsyncPublisher<>(a -> new FutureEmitter<>(a,
                () -> a.loop().createTask(coro)), null);
    }

    /**
     * The same publisher, always running on {@code eventLoop}.
     *
     * @param eventLoop the loop
     * @return a publisher pinned to that loop
     */
    public AsyncPublisher<T> on(EventLoop eventLoop) {
        return new AsyncPublisher<>(factory, Objects.requireNonNull(eventLoop, "loop is null"),
                errorDropped);
    }

    /**
     * The same publisher, sending errors that can no longer be delivered (the subscriber has
     * cancelled or terminated) to {@code handler} instead of the loop's exception handler. The
     * Reactor and RxJava adapters route them to their library's hook this way.
     *
     * @param handler receives each undeliverable error
     * @return a publisher with that policy
     */
    public AsyncPublisher<T> onErrorDropped(java.util.function.Consumer<Throwable> handler) {
        return new AsyncPublisher<>(factory, loop, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * This publisher as a {@link Flow.Publisher} (through the Reactive Streams {@link
     * FlowAdapters}).
     *
     * @return the Flow publisher
     */
    public Flow.Publisher<T> toFlow() {
        return FlowAdapters.toFlowPublisher(this);
    }

    @Override
    public void subscribe(Subscriber<? super T> subscriber) {
        EmitterSubscription.requireSubscriber(subscriber);
        EventLoop target = loop;
        if (target == null) {
            target = Aio.runningLoopOrNull();
        }
        if (target == null) {
            target = DefaultLoops.next();
        }
        EmitterSubscription<T> s = factory.apply(new EmitterArgs<>(subscriber, target));
        s.errorDropped = errorDropped;
        subscriber.onSubscribe(s);
        s.start();
    }

    @Override
    public String toString() {
        return "<AsyncPublisher" + (loop == null ? "" : " on " + loop) + ">";
    }

    // ---- sources -------------------------------------------------------------------------------

    /** Drives a fresh generator in batches sized by the outstanding demand. */
    private static final class GeneratorEmitter<T> extends EmitterSubscription<T> {
        private final AsyncGenerator<T, Void> gen;

        GeneratorEmitter(EmitterArgs<T> a, AsyncGenerator.Body<T, Void> body) {
            super(a.subscriber(), a.loop());
            this.gen = AsyncGenerator.of(body);
        }

        @Override
        void emitAll() {
            gen.prime(); // runs to the first yield: failures and empty sources need no demand
            if (gen.isClosed()) {
                try {
                    gen.drain(1, this::emit);
                } catch (StopAsyncIteration end) {
                    complete();
                    return;
                }
            }
            for (;;) {
                long r = awaitDemand();
                if (r == 0) {
                    return;
                }
                int n;
                try {
                    n = gen.drain((int) Math.min(r, BATCH), this::emit);
                } catch (StopAsyncIteration end) {
                    complete();
                    return;
                }
                produced(n);
                if (isCancelled()) {
                    return;
                }
            }
        }

        @Override
        void release() {
            gen.aclose();
        }
    }

    /** Pulls one item per anext from an iterator of the iterable. */
    private static final class IterableEmitter<T> extends EmitterSubscription<T> {
        private final AsyncIterable<T> iterable;
        private AsyncIterator<T> it;

        IterableEmitter(EmitterArgs<T> a, AsyncIterable<T> iterable) {
            super(a.subscriber(), a.loop());
            this.iterable = iterable;
        }

        @Override
        void emitAll() {
            it = iterable.aiter();
            // read the first item ahead: failures and empty sources need no demand (rule 1.4)
            boolean havePrimed = true;
            T primed;
            try {
                primed = it.anext().await();
            } catch (StopAsyncIteration end) {
                complete();
                return;
            }
            for (;;) {
                long r = awaitDemand();
                if (r == 0) {
                    return;
                }
                long sent = 0;
                while (sent < r) {
                    T item;
                    if (havePrimed) {
                        havePrimed = false;
                        item = primed;
                    } else {
                        try {
                            item = it.anext().await();
                        } catch (StopAsyncIteration end) {
                            produced(sent);
                            complete();
                            return;
                        }
                    }
                    sent++;
                    if (!emit(item)) {
                        break; // cancelled or a bad request: awaitDemand() sorts it out
                    }
                }
                produced(sent);
            }
        }

        @Override
        void release() {
            if (it != null) {
                it.aclose();
            }
        }
    }

    /** Publishes a future's outcome once demand arrives. */
    private static final class FutureEmitter<T> extends EmitterSubscription<T> {
        private final java.util.function.Supplier<AioFuture<T>> source;
        /** Loop-confined: the future once obtained (a given future: from the start). */
        private AioFuture<T> future;

        /** Publishes a future made at subscription (a coroutine's task). */
        FutureEmitter(EmitterArgs<T> a, java.util.function.Supplier<AioFuture<T>> source) {
            super(a.subscriber(), a.loop());
            this.source = source;
        }

        /** Publishes a given future; a cancel cancels it even before the driver has run. */
        FutureEmitter(EmitterArgs<T> a, AioFuture<T> given) {
            this(a, () -> given);
            this.future = given;
        }

        @Override
        void emitAll() {
            // the task starts at subscription, so a failure needs no demand (rule 1.4)
            future = source.get();
            T value = future.await();
            if (value == null) {
                complete();
                return;
            }
            if (awaitDemand() == 0) {
                return;
            }
            if (!emit(value)) {
                awaitDemand(); // signals a bad request, if that is why
                return;
            }
            complete();
        }

        @Override
        void release() {
            AioFuture<T> f = future;
            if (f != null && !f.isDone()) {
                f.cancel("subscription cancelled");
            }
        }
    }
}
