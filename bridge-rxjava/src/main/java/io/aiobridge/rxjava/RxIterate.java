package io.aiobridge.rxjava;

import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.flow.Overflow;
import io.aiobridge.flow.OverflowException;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.exceptions.MissingBackpressureException;
import java.util.Objects;

/**
 * A Flowable or an Observable iterated in a task: Java's for-each over it suspends the task
 * while no item is there. A Flowable is backpressured (a prefetch); an Observable cannot be
 * slowed down, so it takes a capacity and an {@link Overflow} strategy.
 *
 * <pre>{@code
 * for (Order o : RxIterate.iterate(orderFlowable, 64)) { ... }
 * for (Click c : RxIterate.iterate(clicks, 1024, Overflow.DROP_OLDEST)) { ... }
 * }</pre>
 *
 * <p>Publishing is {@link RxPublish}; awaiting is {@link RxAwait}.
 */
public final class RxIterate {
    private RxIterate() {}

    /**
     * A Flowable as an async iterable for a task, requesting {@code prefetch} items up front and
     * replenishing at 75%. The iteration belongs to the task that starts it: when that task ends
     * (returns, fails or is cancelled) an iteration it left open, by {@code break} or an
     * exception, is cancelled.
     *
     * @param flowable the Flowable
     * @param prefetch the most items held
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(Flowable<T> flowable, int prefetch) {
        return FlowIterate.toAsyncIterable(TaskEdge.flowable(flowable), prefetch,
                FlowIterate.DEFAULT_REPLENISH);
    }

    /**
     * As {@link #iterate(Flowable, int)} with a prefetch of 256.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(Flowable<T> flowable) {
        return iterate(flowable, FlowIterate.DEFAULT_PREFETCH);
    }

    /**
     * An Observable as an async iterable for a task. The Observable cannot be slowed down, so at
     * most {@code capacity} items wait for the task, and {@code overflow} says what happens to
     * more: {@link Overflow#ERROR} ends the iteration with a {@link
     * MissingBackpressureException} naming the capacity, {@link Overflow#DROP_LATEST} drops the
     * arriving item, {@link Overflow#DROP_OLDEST} the oldest waiting one. There is no unbounded
     * choice. The iteration belongs to the task that starts it (see {@link #iterate(Flowable,
     * int)}).
     *
     * @param observable the Observable
     * @param capacity the most items held for the task, at least 1
     * @param overflow what to do when the Observable is more than {@code capacity} items ahead
     * @param <T> the item type
     * @return the iterable
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> AsyncIterable<T> iterate(Observable<T> observable, int capacity,
            Overflow overflow) {
        Objects.requireNonNull(observable, "observable is null");
        AsyncIterable<T> buffered = FlowIterate.toAsyncIterable(
                TaskEdge.flowable(observable.toFlowable(BackpressureStrategy.MISSING)), capacity,
                overflow);
        return () -> {
            AsyncIterator<T> it = buffered.aiter();
            return new AsyncIterator<>() {
                @Override
                public Awaitable<T> anext() {
                    return () -> {
                        try {
                            return it.anext().await();
                        } catch (OverflowException e) {
                            // RxJava's name for it, so RxJava code catches what it knows
                            throw new MissingBackpressureException(e.getMessage());
                        }
                    };
                }

                @Override
                public void aclose() {
                    it.aclose();
                }
            };
        };
    }
}
