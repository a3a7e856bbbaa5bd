package io.aiobridge.flow;

import io.aiobridge.AsyncIterable;
import io.aiobridge.EventLoop;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;

/**
 * Reactive Streams and {@link Flow} publishers consumed as async iterables in a task, with
 * bounded prefetch (kotlinx's {@code ReactiveFlow.kt}, as async iteration):
 *
 * <pre>{@code
 * for (String s : FlowIterate.toAsyncIterable(flux)) { ... }     // backpressured, 256 at a time
 * }</pre>
 *
 * <p>An iteration belongs to the task that started it: when that task ends, however it ends, an
 * iteration it left open (by {@code break} or an exception) is cancelled. Closing the iterator,
 * or cancelling the task while it waits, cancels the subscription.
 *
 * <p>Publishing is {@link AsyncPublisher}; awaiting is {@link FlowAwait}.
 */
public final class FlowIterate {
    private FlowIterate() {}

    /** Reactor's default prefetch. */
    public static final int DEFAULT_PREFETCH = 256;
    /** Reactor's replenish rule: request more once 75% of the prefetch was consumed. */
    public static final double DEFAULT_REPLENISH = 0.75;

    /**
     * {@code publisher} as an async iterable with prefetch 256 and replenish at 75%.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Publisher<? extends T> publisher) {
        return toAsyncIterable(publisher, DEFAULT_PREFETCH, DEFAULT_REPLENISH);
    }

    /**
     * {@code publisher} as an async iterable that requests {@code prefetch} items up front and
     * {@code prefetch * replenish} more each time that many were consumed; it never holds more
     * than {@code prefetch} items. Closing the iterator, or cancelling the consuming task,
     * cancels the subscription; a misbehaving publisher (items without demand, null items,
     * signals after its end) is cancelled and the consumer gets a clear error.
     *
     * @param publisher the publisher
     * @param prefetch the most items held, at least 1
     * @param replenish the fraction of prefetch consumed before requesting more, in (0, 1]
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Publisher<? extends T> publisher,
            int prefetch, double replenish) {
        return iterable(publisher, prefetch, replenish, null);
    }

    /**
     * As {@link #toAsyncIterable(Publisher, int, double)}, handing each item that arrived but
     * will never be read to {@code onDiscard}, so what it holds (a pooled buffer) can be
     * released: the items read ahead when the task leaves the iteration (by {@code break}, an
     * exception, its cancellation or its end), an item landing after that, and an item a broken
     * publisher sent beyond the demand or after its end. Reactor's {@code doOnDiscard} receives
     * those of its own operators' queues the same way. {@code onDiscard} runs on the leaving
     * task's thread or the publisher's; if it throws, the error goes to the loop's exception
     * handler and the other items are still handed over.
     *
     * @param publisher the publisher
     * @param prefetch the most items held, at least 1
     * @param replenish the fraction of prefetch consumed before requesting more, in (0, 1]
     * @param onDiscard receives each item that will never be read
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Publisher<? extends T> publisher,
            int prefetch, double replenish, Consumer<? super T> onDiscard) {
        return iterable(publisher, prefetch, replenish,
                Objects.requireNonNull(onDiscard, "onDiscard is null"));
    }

    private static <T> AsyncIterable<T> iterable(Publisher<? extends T> publisher,
            int prefetch, double replenish, Consumer<? super T> onDiscard) {
        Objects.requireNonNull(publisher, "publisher is null");
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
        }
        if (!(replenish > 0 && replenish <= 1)) {
            throw new IllegalArgumentException("replenish must be in (0, 1], got " + replenish);
        }
        return () -> new Iteration<>(
                new PublisherIterator<T>(publisher, prefetch, replenish, onDiscard));
    }

    /**
     * A {@link Flow.Publisher} as an async iterable (prefetch 256, replenish at 75%).
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return an iterable
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Flow.Publisher<? extends T> publisher) {
        return toAsyncIterable(adapt(publisher));
    }

    /**
     * {@link #toAsyncIterable(Publisher, int, double)} for a {@link Flow.Publisher} (a SmallRye
     * Mutiny {@code Multi}, a {@code SubmissionPublisher}, the JDK HTTP client's body).
     *
     * @param publisher the publisher
     * @param prefetch the most items held, at least 1
     * @param replenish the fraction of prefetch consumed before requesting more, in (0, 1]
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Flow.Publisher<? extends T> publisher,
            int prefetch, double replenish) {
        return toAsyncIterable(adapt(publisher), prefetch, replenish);
    }

    /**
     * {@link #toAsyncIterable(Publisher, int, double, Consumer)} for a {@link Flow.Publisher}:
     * each item that arrived but will never be read goes to {@code onDiscard}.
     *
     * @param publisher the publisher
     * @param prefetch the most items held, at least 1
     * @param replenish the fraction of prefetch consumed before requesting more, in (0, 1]
     * @param onDiscard receives each item that will never be read
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Flow.Publisher<? extends T> publisher,
            int prefetch, double replenish, Consumer<? super T> onDiscard) {
        return toAsyncIterable(adapt(publisher), prefetch, replenish, onDiscard);
    }

    /**
     * {@link #toAsyncIterable(Publisher, int, Overflow)} for a {@link Flow.Publisher} that
     * cannot be slowed down.
     *
     * @param publisher the publisher
     * @param capacity the most items held for the task, at least 1
     * @param overflow what happens to items beyond that
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Flow.Publisher<? extends T> publisher,
            int capacity, Overflow overflow) {
        return toAsyncIterable(adapt(publisher), capacity, overflow);
    }

    /**
     * {@link #toAsyncIterable(Publisher, int, Overflow, Consumer)} for a {@link Flow.Publisher}:
     * the items {@code overflow} drops, and those never read, go to {@code onDiscard}.
     *
     * @param publisher the publisher
     * @param capacity the most items held for the task, at least 1
     * @param overflow what happens to items beyond that
     * @param onDiscard receives each item that will never be read
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Flow.Publisher<? extends T> publisher,
            int capacity, Overflow overflow, Consumer<? super T> onDiscard) {
        return toAsyncIterable(adapt(publisher), capacity, overflow, onDiscard);
    }

    private static <T> Publisher<T> adapt(Flow.Publisher<? extends T> publisher) {
        return FlowAdapters.toPublisher(Objects.requireNonNull(publisher, "publisher is null"));
    }

    /**
     * A subscriber to subscribe by hand (to any publisher, from any thread) and iterate in a task
     * of {@code loop}, with the given prefetch and replenish rule.
     *
     * @param loop the loop whose task will iterate it
     * @param prefetch the most items held, at least 1
     * @param replenish the fraction of prefetch consumed before requesting more, in (0, 1]
     * @param <T> the item type
     * @return the subscriber
     */
    public static <T> IteratorSubscriber<T> subscriber(EventLoop loop, int prefetch,
            double replenish) {
        Objects.requireNonNull(loop, "loop is null");
        if (prefetch < 1 || !(replenish > 0 && replenish <= 1)) {
            throw new IllegalArgumentException("prefetch must be >= 1 and replenish in (0, 1]");
        }
        return new PublisherIterator<T>(loop, prefetch, replenish);
    }

    /**
     * A source that cannot be slowed down (a hot {@code Flux}, {@code Flux.interval}, an RxJava
     * {@code Observable} made a Flowable) as an async iterable with a bounded buffer: it requests
     * everything, holds at most {@code capacity} items for the task, and applies {@code
     * overflow} to the rest. Prefer {@link #toAsyncIterable(Publisher, int, double)} for sources
     * that honour demand: nothing is dropped there.
     *
     * @param publisher the publisher
     * @param capacity the most items held for the task, at least 1
     * @param overflow what happens to items beyond that
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Publisher<? extends T> publisher,
            int capacity, Overflow overflow) {
        return buffered(publisher, capacity, overflow, null);
    }

    /**
     * As {@link #toAsyncIterable(Publisher, int, Overflow)}, handing each item that arrived but
     * will never be read to {@code onDiscard}: the items dropped by {@code overflow} (the
     * oldest, the latest, or the one that overflowed {@code ERROR}), those still buffered when
     * the task leaves the iteration, and any landing after that. See {@link
     * #toAsyncIterable(Publisher, int, double, Consumer)}.
     *
     * @param publisher the publisher
     * @param capacity the most items held for the task, at least 1
     * @param overflow what happens to items beyond that
     * @param onDiscard receives each item that will never be read
     * @param <T> the item type
     * @return an iterable; each iteration subscribes anew
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Publisher<? extends T> publisher,
            int capacity, Overflow overflow, Consumer<? super T> onDiscard) {
        return buffered(publisher, capacity, overflow,
                Objects.requireNonNull(onDiscard, "onDiscard is null"));
    }

    private static <T> AsyncIterable<T> buffered(Publisher<? extends T> publisher,
            int capacity, Overflow overflow, Consumer<? super T> onDiscard) {
        Objects.requireNonNull(publisher, "publisher is null");
        Objects.requireNonNull(overflow, "overflow is null");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity
                    + "; a source iterated by a task needs somewhere to put its items");
        }
        return () -> new Iteration<>(
                new BufferingIterator<T>(publisher, capacity, overflow, onDiscard));
    }
}
