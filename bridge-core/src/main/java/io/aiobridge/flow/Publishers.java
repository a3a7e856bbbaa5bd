package io.aiobridge.flow;

import io.aiobridge.AioFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.internal.RuntimeAccess;
import io.aiobridge.iter.AsyncIterable;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Flow;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import io.aiobridge.flow.AwaitingSubscriber.Mode;
import org.reactivestreams.Subscription;

/**
 * Consuming Reactive Streams and {@link Flow} publishers from tasks: as async iterables with
 * bounded prefetch, or awaited with explicit semantics (first, first-or-default, single, last,
 * completion). Making publishers: {@link AsyncPublisher}.
 *
 * <pre>{@code
 * for (String s : Publishers.toAsyncIterable(flux)) { ... }     // backpressured, 256 at a time
 * String first = Publishers.awaitFirst(flux);
 * }</pre>
 *
 * <p><b>Threading:</b> call from a task; the publisher may signal on any thread, and the task is
 * woken through its loop. Cancelling the awaiting or iterating task cancels the subscription.
 */
public final class Publishers {
    private Publishers() {}

    /** Reactor's default prefetch. */
    public static final int DEFAULT_PREFETCH = 256;
    /** Reactor's replenish rule: request more once 75% of the prefetch was consumed. */
    public static final double DEFAULT_REPLENISH = 0.75;

    // ---- publisher -> async iterable ---------------------------------------------------------

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
        Objects.requireNonNull(publisher, "publisher is null");
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
        }
        if (!(replenish > 0 && replenish <= 1)) {
            throw new IllegalArgumentException("replenish must be in (0, 1], got " + replenish);
        }
        return () -> new PublisherIterator<T>(publisher, prefetch, replenish);
    }

    /**
     * A {@link Flow.Publisher} as an async iterable (prefetch 256, replenish at 75%).
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return an iterable
     */
    public static <T> AsyncIterable<T> toAsyncIterable(Flow.Publisher<? extends T> publisher) {
        return toAsyncIterable(FlowAdapters.toPublisher(publisher));
    }

    // ---- publisher -> awaitable --------------------------------------------------------------

    /**
     * The first item; cancels the subscription after it. For a {@code Mono}, {@code Single} or
     * {@code Maybe}, use {@link #awaitSingle} or {@link #awaitSingleOrDefault}, which wait for
     * its completion instead of cancelling it.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return the first item
     * @throws NoSuchElementException if the publisher completes empty
     */
    public static <T> T awaitFirst(Publisher<? extends T> publisher) {
        return await(publisher, Mode.FIRST, null);
    }

    /**
     * The first item, or {@code defaultValue} if the publisher completes empty.
     *
     * @param publisher the publisher
     * @param defaultValue the value for an empty publisher
     * @param <T> the item type
     * @return the first item or the default
     */
    public static <T> T awaitFirstOrDefault(Publisher<? extends T> publisher, T defaultValue) {
        return await(publisher, Mode.FIRST_OR_DEFAULT, defaultValue);
    }

    /**
     * The only item.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return the item
     * @throws NoSuchElementException if the publisher completes empty
     * @throws IllegalArgumentException if it emits a second item (then it is cancelled)
     */
    public static <T> T awaitSingle(Publisher<? extends T> publisher) {
        return await(publisher, Mode.SINGLE, null);
    }

    /**
     * The only item, or {@code defaultValue} if the publisher completes empty; a second item is
     * an error. Waits for the terminal signal and never cancels after the item: this is how a
     * {@code Mono}, a {@code Single} or a {@code Maybe} is awaited (as {@code block()} does), so
     * a {@code usingWhen} or a transaction behind it completes instead of rolling back.
     *
     * @param publisher the publisher
     * @param defaultValue the value for an empty publisher (may be null)
     * @param <T> the item type
     * @return the item or the default
     * @throws IllegalArgumentException if it emits a second item (then it is cancelled)
     */
    public static <T> T awaitSingleOrDefault(Publisher<? extends T> publisher, T defaultValue) {
        return await(publisher, Mode.SINGLE_OR_DEFAULT, defaultValue);
    }

    /**
     * The last item, once the publisher completes.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return the last item
     * @throws NoSuchElementException if the publisher completes empty
     */
    public static <T> T awaitLast(Publisher<? extends T> publisher) {
        return await(publisher, Mode.LAST, null);
    }

    /**
     * Waits until the publisher completes, ignoring its items.
     *
     * @param publisher the publisher
     */
    public static void awaitCompletion(Publisher<?> publisher) {
        await(publisher, Mode.COMPLETION, null);
    }

    /**
     * {@link #awaitFirst(Publisher)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return the first item
     */
    public static <T> T awaitFirst(Flow.Publisher<? extends T> publisher) {
        return awaitFirst(FlowAdapters.toPublisher(publisher));
    }

    /**
     * {@link #awaitFirstOrDefault(Publisher, Object)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher
     * @param defaultValue the value for an empty publisher
     * @param <T> the item type
     * @return the first item or the default
     */
    public static <T> T awaitFirstOrDefault(Flow.Publisher<? extends T> publisher,
            T defaultValue) {
        return awaitFirstOrDefault(FlowAdapters.toPublisher(publisher), defaultValue);
    }

    /**
     * {@link #awaitSingle(Publisher)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return the only item
     */
    public static <T> T awaitSingle(Flow.Publisher<? extends T> publisher) {
        return awaitSingle(FlowAdapters.toPublisher(publisher));
    }

    /**
     * {@link #awaitSingleOrDefault(Publisher, Object)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher
     * @param defaultValue the value for an empty publisher
     * @param <T> the item type
     * @return the only item or the default
     */
    public static <T> T awaitSingleOrDefault(Flow.Publisher<? extends T> publisher,
            T defaultValue) {
        return awaitSingleOrDefault(FlowAdapters.toPublisher(publisher), defaultValue);
    }

    /**
     * {@link #awaitLast(Publisher)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher
     * @param <T> the item type
     * @return the last item
     */
    public static <T> T awaitLast(Flow.Publisher<? extends T> publisher) {
        return awaitLast(FlowAdapters.toPublisher(publisher));
    }

    /**
     * {@link #awaitCompletion(Publisher)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher
     */
    public static void awaitCompletion(Flow.Publisher<?> publisher) {
        awaitCompletion(FlowAdapters.toPublisher(publisher));
    }

    private static <T> T await(Publisher<? extends T> publisher, Mode mode, T defaultValue) {
        Objects.requireNonNull(publisher, "publisher is null");
        Task<?> task = RuntimeAccess.get().currentTask(switch (mode) {
            case FIRST -> "awaitFirst()";
            case FIRST_OR_DEFAULT -> "awaitFirstOrDefault()";
            case SINGLE -> "awaitSingle()";
            case SINGLE_OR_DEFAULT -> "awaitSingleOrDefault()";
            case LAST -> "awaitLast()";
            case COMPLETION -> "awaitCompletion()";
        });
        EventLoop loop = task.getLoop();
        AwaitSubscriber<T> subscriber = new AwaitSubscriber<>(loop, loop.createFuture(), mode,
                defaultValue);
        AioFuture<T> result = subscriber.result();
        publisher.subscribe(subscriber);
        try {
            return result.await();
        } catch (CancelledError e) {
            subscriber.cancel(); // the awaiting task was cancelled: so is the subscription
            throw e;
        }
    }

    /**
     * A subscriber to subscribe by hand, from any thread, whose outcome is a future of {@code
     * loop}, settled as {@code mode} says. Must be called from {@code loop}'s code (the future is
     * created there); the signals may arrive on any thread.
     *
     * @param loop the loop of the result future
     * @param mode what to wait for
     * @param defaultValue the result for an empty publisher in FIRST_OR_DEFAULT mode
     * @param <T> the item type
     * @return the subscriber
     */
    public static <T> AwaitingSubscriber<T> awaiting(EventLoop loop, Mode mode, T defaultValue) {
        Objects.requireNonNull(loop, "loop is null");
        Objects.requireNonNull(mode, "mode is null");
        return new AwaitSubscriber<>(loop, loop.createFuture(), mode, defaultValue);
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
        Objects.requireNonNull(publisher, "publisher is null");
        Objects.requireNonNull(overflow, "overflow is null");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity
                    + "; a source iterated by a task needs somewhere to put its items");
        }
        return () -> new BufferingIterator<T>(publisher, capacity, overflow);
    }
}
