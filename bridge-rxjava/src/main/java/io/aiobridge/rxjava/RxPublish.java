package io.aiobridge.rxjava;

import io.aiobridge.AioFuture;
import io.aiobridge.Coroutine;
import io.aiobridge.Awaitable;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.flow.Overflow;
import io.aiobridge.flow.OverflowException;
import io.aiobridge.flow.Publishers;
import io.aiobridge.iter.AsyncGenerator;
import io.aiobridge.iter.AsyncIterable;
import io.aiobridge.iter.AsyncIterator;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.exceptions.MissingBackpressureException;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;

/**
 * From asyncio-style code to RxJava, and Flowable/Observable iteration in a task: generators as
 * {@link Flowable} (demand-driven) or {@link Observable}, coroutines and tasks as {@link Single},
 * {@link Maybe} or {@link Completable}. A thin layer over {@link AsyncPublisher}: demand,
 * cancellation and the loop a subscription runs on are as there, and errors that can no longer
 * be delivered go to {@link RxJavaPlugins#onError}.
 *
 * <pre>{@code
 * Flowable<Long> ticks = RxPublish.flowable(y -> {
 *     for (long i = 0; ; i++) { y.yield(i); Aio.sleep(1.0); }
 * });
 * Single<User> user = RxPublish.single(() -> loadUser(id));   // one run per subscription
 * for (Event e : RxPublish.iterate(events, 1024, Overflow.DROP_OLDEST)) { ... }
 * }</pre>
 *
 * <p><b>Null and empty.</b> RxJava never carries null. A coroutine behind a {@link Single} that
 * returns null fails it with {@link NullPointerException} (use {@link #maybe(Coroutine)} for an
 * optional value); behind a {@link Maybe}, null is empty; a {@link Completable} ignores the
 * result.
 */
public final class RxPublish {
    private RxPublish() {}

    private static <T> AsyncPublisher<T> rx(AsyncPublisher<T> publisher) {
        return publisher.onErrorDropped(RxJavaPlugins::onError);
    }

    /**
     * A Flowable running a new generator with {@code body} for each subscription; the
     * generator's {@code yield} suspends while the subscriber has no outstanding demand, and
     * cancelling closes it (its {@code finally} runs).
     *
     * @param body the generator body
     * @param <T> the item type
     * @return the Flowable
     */
    public static <T> Flowable<T> flowable(AsyncGenerator.Body<T, Void> body) {
        return Flowable.fromPublisher(rx(AsyncPublisher.fromGenerator(body)));
    }

    /**
     * A Flowable of an async iterable's items, iterated afresh per subscription.
     *
     * @param iterable the source
     * @param <T> the item type
     * @return the Flowable
     */
    public static <T> Flowable<T> flowable(AsyncIterable<T> iterable) {
        return Flowable.fromPublisher(rx(AsyncPublisher.fromIterable(iterable)));
    }

    /**
     * An Observable running a new generator with {@code body} for each subscription. An
     * Observable has no backpressure: the generator runs as fast as it can (still suspending at
     * its own awaits); disposing closes it.
     *
     * @param body the generator body
     * @param <T> the item type
     * @return the Observable
     */
    public static <T> Observable<T> observable(AsyncGenerator.Body<T, Void> body) {
        return flowable(body).toObservable();
    }

    /**
     * An Observable of an async iterable's items, iterated afresh per subscription.
     *
     * @param iterable the source
     * @param <T> the item type
     * @return the Observable
     */
    public static <T> Observable<T> observable(AsyncIterable<T> iterable) {
        return flowable(iterable).toObservable();
    }

    /**
     * A Maybe that runs {@code coro} as a task for each subscription: its value, or empty if it
     * returns null. Disposing cancels the task.
     *
     * @param coro the coroutine
     * @param <T> the value type
     * @return the Maybe
     */
    public static <T> Maybe<T> maybe(Coroutine<T> coro) {
        return Maybe.fromPublisher(rx(AsyncPublisher.fromCoroutine(coro)));
    }

    /**
     * A Single that runs {@code coro} as a task for each subscription. Disposing cancels the
     * task. A null result fails the Single with {@link NullPointerException}.
     *
     * @param coro the coroutine
     * @param <T> the value type
     * @return the Single
     */
    public static <T> Single<T> single(Coroutine<T> coro) {
        return maybe(coro).switchIfEmpty(Single.error(() -> nullResult("coroutine")));
    }

    /**
     * A Completable that runs {@code coro} as a task for each subscription and completes when it
     * returns (its result ignored). Disposing cancels the task.
     *
     * @param coro the coroutine
     * @return the Completable
     */
    public static Completable completable(Coroutine<?> coro) {
        return Completable.fromPublisher(rx(AsyncPublisher.fromCoroutine(coro)));
    }

    /**
     * A Maybe of a future's or task's outcome (null result: empty). Every subscriber sees the
     * same future; disposing cancels it.
     *
     * @param future the future or task
     * @param <T> the value type
     * @return the Maybe
     */
    public static <T> Maybe<T> maybe(AioFuture<T> future) {
        return Maybe.fromPublisher(rx(AsyncPublisher.fromFuture(future)));
    }

    /**
     * A Single of a future's or task's result; a null result fails it with {@link
     * NullPointerException}. Disposing cancels the future.
     *
     * @param future the future or task
     * @param <T> the value type
     * @return the Single
     */
    public static <T> Single<T> single(AioFuture<T> future) {
        return maybe(future).switchIfEmpty(Single.error(() -> nullResult("future")));
    }

    /**
     * A Completable of a future's or task's completion. Disposing cancels the future.
     *
     * @param future the future or task
     * @return the Completable
     */
    public static Completable completable(AioFuture<?> future) {
        return Completable.fromPublisher(rx(AsyncPublisher.fromFuture(future)));
    }

    private static NullPointerException nullResult(String what) {
        return new NullPointerException("the " + what + " behind a Single returned null, and a"
                + " Single never carries null; use RxPublish.maybe(...) for an optional value");
    }

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
        return Publishers.toAsyncIterable(flowable, prefetch, Publishers.DEFAULT_REPLENISH);
    }

    /**
     * As {@link #iterate(Flowable, int)} with a prefetch of 256.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(Flowable<T> flowable) {
        return iterate(flowable, Publishers.DEFAULT_PREFETCH);
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
        AsyncIterable<T> buffered = Publishers.toAsyncIterable(
                observable.toFlowable(BackpressureStrategy.MISSING), capacity, overflow);
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
