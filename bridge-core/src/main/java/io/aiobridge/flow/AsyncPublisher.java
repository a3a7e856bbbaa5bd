package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.internal.Drain;
import io.aiobridge.internal.Failures;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

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
 * the task that subscribes, else the next loop of {@link
 * io.aiobridge.EventLoopGroup#defaultGroup()} (each subscription stays on that loop). Signals to
 * the subscriber come from that loop, one at a time.
 *
 * <p><b>Demand:</b> a generator runs only while there is demand: its {@code yield} suspends when the
 * outstanding demand is zero (at subscription it runs up to its first {@code yield}, so a source
 * that fails or ends at once is signalled without demand, as kotlinx's {@code publish} does), and
 * it hands items over in batches of up to 4,096 while demand allows. {@code request(n <= 0)} signals {@link IllegalArgumentException} (rule 3.9); demand adds
 * up to {@code Long.MAX_VALUE}, meaning unbounded (3.17). Cancelling closes the generator (its
 * {@code finally} runs) or cancels the task. A generator's {@code yield(null)} throws {@link
 * NullPointerException} in the body, which may catch it, as {@code Flux.create}'s {@code
 * sink.next(null)} does; a null item from an iterable ends the stream with it (2.13). Errors
 * become {@code onError}, the end {@code onComplete}.
 *
 * <p><b>Threading:</b> {@code subscribe} and the subscription's methods may be called from any
 * thread.
 *
 * @param <T> the item type
 */
public final class AsyncPublisher<T> implements Publisher<T> {
    /** What a source needs to make a subscription. */
    record EmitterArgs<T>(Subscriber<? super T> subscriber, EventLoop loop,
            Consumer<Throwable> errorDropped, Consumer<? super T> discarded) {}

    /** A subscription that its publisher starts once {@code onSubscribe} has returned. */
    interface Startable extends Subscription {
        void start();
    }

    private final Function<EmitterArgs<T>, ? extends Startable> factory;
    private final EventLoop loop;
    private final Consumer<Throwable> errorDropped;
    private final Consumer<? super T> discarded;

    private AsyncPublisher(Function<EmitterArgs<T>, ? extends Startable> factory,
            EventLoop loop) {
        this(factory, loop, null, null);
    }

    private AsyncPublisher(Function<EmitterArgs<T>, ? extends Startable> factory,
            EventLoop loop, Consumer<Throwable> errorDropped, Consumer<? super T> discarded) {
        this.factory = factory;
        this.loop = loop;
        this.errorDropped = errorDropped;
        this.discarded = discarded;
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
     * which hands items over in batches and runs the body afresh for each subscription. An
     * {@link AsyncGenerator} object (or its {@code prefetch} view) is its own iterator, one run
     * of its body: its publisher can be subscribed once, as {@code Flux.fromStream}'s can, and a
     * second subscription (another subscriber, a retry) gets {@code onError} with an {@link
     * IllegalStateException} saying so, leaving the generator to the first.
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
    public static <T> AsyncPublisher<T> fromFuture(AsyncFuture<T> future) {
        Objects.requireNonNull(future, "future is null");
        return new AsyncPublisher<>(a -> new FutureSubscription<>(a, () -> future, true),
                future.getLoop());
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
        return new AsyncPublisher<>(a -> FutureSubscription.ofCoroutine(a, coro), null);
    }

    /**
     * The same publisher, always running on {@code eventLoop}.
     *
     * @param eventLoop the loop
     * @return a publisher pinned to that loop
     */
    public AsyncPublisher<T> on(EventLoop eventLoop) {
        return new AsyncPublisher<>(factory, Objects.requireNonNull(eventLoop, "loop is null"),
                errorDropped, discarded);
    }

    /**
     * The same publisher, sending errors that can no longer be delivered (the subscriber has
     * cancelled or terminated) to {@code handler} instead of the loop's exception handler. The
     * Reactor and RxJava adapters route them to their library's hook this way.
     *
     * @param handler receives each undeliverable error
     * @return a publisher with that policy
     */
    public AsyncPublisher<T> onErrorDropped(Consumer<Throwable> handler) {
        return new AsyncPublisher<>(factory, loop, Objects.requireNonNull(handler, "handler"),
                discarded);
    }

    /**
     * The same publisher, handing each item that was produced but will never reach its
     * subscriber to {@code handler}, so resources it holds (pooled buffers) can be released:
     * after a cancel (or a §3.9 error), a generator's items yielded ahead of demand, the item an
     * iterable produced ahead, and a future's or coroutine's value that arrives after the cancel
     * or before the first request. The Reactor adapter routes them to {@code
     * Operators.onDiscard}, so {@code doOnDiscard} sees them, as it sees those of {@code
     * Flux.create}. Without a handler they are dropped. The handler runs on the loop (a value
     * waiting for demand: on the cancelling thread); if it throws, the error goes to the loop's
     * exception handler and the other items are still handed over.
     *
     * @param handler receives each undelivered item
     * @return a publisher with that policy
     */
    public AsyncPublisher<T> onDiscard(Consumer<? super T> handler) {
        return new AsyncPublisher<>(factory, loop, errorDropped,
                Objects.requireNonNull(handler, "handler is null"));
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
        Startable s = factory.apply(new EmitterArgs<>(subscriber, target, errorDropped,
                discarded));
        subscriber.onSubscribe(s);
        s.start();
    }

    @Override
    public String toString() {
        return "<AsyncPublisher" + (loop == null ? "" : " on " + loop) + ">";
    }

    // ---- sources -------------------------------------------------------------------------------

    /**
     * Drives a fresh generator in batches sized by the outstanding demand, with one item of
     * lookahead: after the last demanded item the body runs on to its next yield or its end, so
     * a source whose items match the demand exactly completes without another request.
     */
    private static final class GeneratorEmitter<T> extends EmitterSubscription<T> {
        private final AsyncGenerator<T, Void> gen;
        private final Drain<T> drain;

        GeneratorEmitter(EmitterArgs<T> a, AsyncGenerator.Body<T, Void> body) {
            super(a);
            this.gen = AsyncGenerator.of(y -> body.run(item -> y.yield(nonNull(item))));
            this.drain = Drain.Access.of(gen);
        }

        /**
         * Refuses a null item at the {@code yield}, in the body, as {@code Flux.create}'s
         * {@code sink.next(null)} and kotlinx's {@code send(null)} do: the body may catch it and
         * go on; uncaught, it ends the stream with that error after the items before it.
         */
        private static <T> T nonNull(T item) {
            if (item == null) {
                throw new NullPointerException("§2.13 violated: yield(null) in a generator"
                        + " behind a Publisher; Reactive Streams never carries null: yield a"
                        + " value (an Optional, a sentinel) or end the generator");
            }
            return item;
        }

        @Override
        void emitAll() {
            drain.prime(); // runs to the first yield: failures and empty sources need no demand
            for (;;) {
                if (drain.exhausted()) {
                    // every yielded item went out: the end needs no demand (rules 1.4, 1.5)
                    Throwable f = drain.failure();
                    if (f == null) {
                        complete();
                    } else {
                        error(f);
                    }
                    return;
                }
                long r = awaitDemand();
                if (r == 0) {
                    return;
                }
                produced(drain.drain((int) Math.min(r, BATCH), this::emit));
                if (isCancelled()) {
                    return;
                }
            }
        }

        @Override
        void release() {
            drain.discardBuffered(this::discard); // yielded ahead, never delivered: cancelled
            gen.aclose();
        }
    }

    /** Pulls one item per anext from an iterator of the iterable. */
    private static final class IterableEmitter<T> extends EmitterSubscription<T> {
        private final AsyncIterable<T> iterable;
        private AsyncIterator<T> it;
        /** The item read ahead and not yet delivered, or END; discarded if the driver stops. */
        private Object next = END;

        IterableEmitter(EmitterArgs<T> a, AsyncIterable<T> iterable) {
            super(a);
            this.iterable = iterable;
        }

        /** The next item, or END; the failure the iterator raised, exactly. */
        private Object pull() throws Throwable {
            try {
                return it.anext().await();
            } catch (StopAsyncIteration end) {
                return END;
            } catch (CompletionException e) {
                throw Failures.unwrap(e);
            }
        }

        private static final Object END = new Object();

        @Override
        @SuppressWarnings("unchecked")
        void emitAll() throws Throwable {
            AsyncIterator<T> candidate = iterable.aiter();
            if ((candidate instanceof AsyncGenerator<?, ?>
                    || candidate instanceof AsyncGenerator<?, ?>.Batched)
                    && !Drain.Access.of(candidate).claim()) {
                // not this subscription's to read, nor to close
                throw new IllegalStateException(candidate + " was subscribed to already: a"
                        + " generator is one run of its body, so a publisher of it can be"
                        + " subscribed once (a second subscriber, or a retry, would share or"
                        + " find spent what the first consumed); publish its body instead"
                        + " (ReactorPublish.flux(y -> ...), RxPublish.flowable(y -> ...),"
                        + " AsyncPublisher.fromGenerator), which runs afresh for each"
                        + " subscription, or share one subscription (Flux.share(),"
                        + " publish().refCount())");
            }
            it = candidate;
            // read the first item ahead: failures and empty sources need no demand (rule 1.4)
            next = pull();
            for (;;) {
                if (next == END) {
                    complete();
                    return;
                }
                long r = awaitDemand();
                if (r == 0) {
                    return;
                }
                long sent = 0;
                boolean more = true;
                while (more && sent < r && next != END) {
                    sent++;
                    T item = (T) next;
                    next = END; // handed to emit(), which delivers or discards it
                    more = emit(item); // false: cancelled or terminated
                    if (more) {
                        // as a generator: run on to the next item, which then waits for demand
                        next = pull();
                    }
                }
                produced(sent);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        void release() {
            if (next != END) {
                T item = (T) next;
                next = END;
                discard(item);
            }
            if (it instanceof AsyncGenerator<?, ?>.Batched) {
                // a prefetching generator holds the rest of its batch: produced, not delivered
                Drain.Access.<T>of(it).discardBuffered(this::discard);
            }
            if (it != null) {
                it.aclose();
            }
        }
    }
}
