package io.aiobridge.rxjava;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.flow.AsyncPublisher;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;

/**
 * From asyncio-style code to RxJava: generators as {@link Flowable} (demand-driven) or {@link
 * Observable}, coroutines and tasks as {@link Single}, {@link Maybe} or {@link Completable}.
 * Awaiting is {@link RxAwait}; iterating in a task is {@link RxIterate}. A thin layer over {@link
 * AsyncPublisher}: demand, cancellation and the loop a subscription runs on are as there (the
 * subscribing task's loop, else a default loop, unless an overload names one), and errors that
 * can no longer be delivered go to {@link RxJavaPlugins#onError}.
 *
 * <pre>{@code
 * Flowable<Long> ticks = RxPublish.flowable(y -> {
 *     for (long i = 0; ; i++) { y.yield(i); Aio.sleep(1.0); }
 * });
 * Single<User> user = RxPublish.single(() -> loadUser(id));   // one run per subscription
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

    private static <T> AsyncPublisher<T> rx(AsyncPublisher<T> publisher, EventLoop loop) {
        return rx(publisher).on(Objects.requireNonNull(loop, "loop is null"));
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
     * As {@link #flowable(AsyncGenerator.Body)}, with every subscription's generator running on
     * {@code loop}: for generators that use a loop's own objects, such as its queues.
     *
     * @param body the generator body
     * @param loop the loop to run on
     * @param <T> the item type
     * @return the Flowable
     */
    public static <T> Flowable<T> flowable(AsyncGenerator.Body<T, Void> body, EventLoop loop) {
        return Flowable.fromPublisher(rx(AsyncPublisher.fromGenerator(body), loop));
    }

    /**
     * A Flowable of an async iterable's items, iterated afresh per subscription. An
     * {@code AsyncGenerator} object is one run of its body, so it can be subscribed once (a
     * second subscription, a {@code retry()}, gets an {@link IllegalStateException}); publish
     * the body for a run per subscription.
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
     * As {@link #observable(AsyncGenerator.Body)}, with the generator running on {@code loop}.
     *
     * @param body the generator body
     * @param loop the loop to run on
     * @param <T> the item type
     * @return the Observable
     */
    public static <T> Observable<T> observable(AsyncGenerator.Body<T, Void> body,
            EventLoop loop) {
        return flowable(body, loop).toObservable();
    }

    /**
     * An Observable of an async iterable's items, iterated afresh per subscription. An
     * {@code AsyncGenerator} object is one run of its body, so it can be subscribed once (a
     * second subscription, a {@code retry()}, gets an {@link IllegalStateException}); publish
     * the body for a run per subscription.
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
     * As {@link #maybe(Coroutine)}, with the task running on {@code loop}.
     *
     * @param coro the coroutine
     * @param loop the loop to run on
     * @param <T> the value type
     * @return the Maybe
     */
    public static <T> Maybe<T> maybe(Coroutine<T> coro, EventLoop loop) {
        return Maybe.fromPublisher(rx(AsyncPublisher.fromCoroutine(coro), loop));
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
     * As {@link #single(Coroutine)}, with the task running on {@code loop}: for coroutines that
     * use a loop's own objects (its queues, locks, or state only that loop touches).
     *
     * @param coro the coroutine
     * @param loop the loop to run on
     * @param <T> the value type
     * @return the Single
     */
    public static <T> Single<T> single(Coroutine<T> coro, EventLoop loop) {
        return maybe(coro, loop).switchIfEmpty(Single.error(() -> nullResult("coroutine")));
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
     * As {@link #completable(Coroutine)}, with the task running on {@code loop}.
     *
     * @param coro the coroutine
     * @param loop the loop to run on
     * @return the Completable
     */
    public static Completable completable(Coroutine<?> coro, EventLoop loop) {
        return Completable.fromPublisher(rx(AsyncPublisher.fromCoroutine(coro), loop));
    }

    /**
     * A Maybe of a future's or task's outcome (null result: empty). Every subscriber sees the
     * same future; disposing cancels it.
     *
     * @param future the future or task
     * @param <T> the value type
     * @return the Maybe
     */
    public static <T> Maybe<T> maybe(AsyncFuture<T> future) {
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
    public static <T> Single<T> single(AsyncFuture<T> future) {
        return maybe(future).switchIfEmpty(Single.error(() -> nullResult("future")));
    }

    /**
     * A Completable of a future's or task's completion. Disposing cancels the future.
     *
     * @param future the future or task
     * @return the Completable
     */
    public static Completable completable(AsyncFuture<?> future) {
        return Completable.fromPublisher(rx(AsyncPublisher.fromFuture(future)));
    }

    private static NullPointerException nullResult(String what) {
        return new NullPointerException("the " + what + " behind a Single returned null, and a"
                + " Single never carries null; use RxPublish.maybe(...) for an optional value");
    }
}
