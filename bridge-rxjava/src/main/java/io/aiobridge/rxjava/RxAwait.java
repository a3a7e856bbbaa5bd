package io.aiobridge.rxjava;

import io.aiobridge.AsyncFuture;
import io.aiobridge.flow.FlowAwait;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Awaiting RxJava types from a task, each stating what it waits for. The task suspends (its loop
 * goes on); the source may signal on any thread, and the task resumes on its loop. Cancelling the
 * awaiting task disposes the subscription (cancels the upstream).
 *
 * <pre>{@code
 * User user = RxAwait.await(userService.load(id));                 // Single
 * Optional<Avatar> avatar = RxAwait.awaitOptional(avatars.find(id)); // Maybe: empty is explicit
 * RxAwait.await(audit.record(user));                                 // Completable
 * List<Order> orders = RxAwait.awaitList(orderFlowable);
 * }</pre>
 *
 * <p>A {@code Single}, {@code Maybe} or {@code Completable} is awaited to its terminal signal and
 * never disposed after its value, as {@code blockingGet()} does. Outside a task these throw
 * {@link IllegalStateException}: use RxJava's {@code blockingGet()} there.
 */
public final class RxAwait {
    private RxAwait() {}

    /**
     * The Single's value.
     *
     * @param single the Single
     * @param <T> the value type
     * @return the value
     */
    public static <T> T await(Single<T> single) {
        Objects.requireNonNull(single, "single is null");
        return FlowAwait.awaitSingle(TaskEdge.flowable(single.toFlowable()));
    }

    /**
     * Waits for the Completable to complete.
     *
     * @param completable the Completable
     */
    public static void await(Completable completable) {
        Objects.requireNonNull(completable, "completable is null");
        FlowAwait.awaitCompletion(TaskEdge.flowable(completable.toFlowable()));
    }

    /**
     * The Maybe's value, failing if it completes empty (kotlinx's {@code
     * MaybeSource.awaitSingle()}).
     *
     * @param maybe the Maybe
     * @param <T> the value type
     * @return the value
     * @throws NoSuchElementException if the Maybe completes empty
     */
    public static <T> T awaitSingle(Maybe<T> maybe) {
        Objects.requireNonNull(maybe, "maybe is null");
        return FlowAwait.awaitSingle(TaskEdge.flowable(maybe.toFlowable()));
    }

    /**
     * The Maybe's value, or an empty Optional if it completes empty.
     *
     * @param maybe the Maybe
     * @param <T> the value type
     * @return the optional value
     */
    public static <T> Optional<T> awaitOptional(Maybe<T> maybe) {
        Objects.requireNonNull(maybe, "maybe is null");
        return Optional.ofNullable(awaitOrDefault(maybe, null));
    }

    /**
     * The Maybe's value, or null if it completes empty.
     *
     * @param maybe the Maybe
     * @param <T> the value type
     * @return the value or null
     */
    public static <T> T awaitOrNull(Maybe<T> maybe) {
        return awaitOrDefault(maybe, null);
    }

    /**
     * The Maybe's value, or {@code defaultValue} if it completes empty.
     *
     * @param maybe the Maybe
     * @param defaultValue the result for an empty Maybe (may be null)
     * @param <T> the value type
     * @return the value or the default
     */
    public static <T> T awaitOrDefault(Maybe<T> maybe, T defaultValue) {
        Objects.requireNonNull(maybe, "maybe is null");
        return FlowAwait.awaitSingleOrDefault(TaskEdge.flowable(maybe.toFlowable()),
                defaultValue);
    }

    /**
     * The Single as a future of the running loop, subscribed now with no task. Await several at
     * once with {@code Aio.gather} for the price of a future each, where a gather of coroutines
     * starts a task per branch:
     *
     * <pre>{@code
     * List<Object> both = Aio.<Object>gather(RxAwait.future(user), RxAwait.future(quota)).await();
     * }</pre>
     *
     * <p>Cancelling the future disposes the subscription. See {@link
     * FlowAwait#future(org.reactivestreams.Publisher, Object)}.
     *
     * @param single the Single
     * @param <T> the value type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Single<T> single) {
        Objects.requireNonNull(single, "single is null");
        return FlowAwait.future(TaskEdge.flowable(single.toFlowable()), null);
    }

    /**
     * The Maybe as a future of the running loop, subscribed now with no task: its value, or null
     * if it completes empty. See {@link #future(Single)}.
     *
     * @param maybe the Maybe
     * @param <T> the value type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Maybe<T> maybe) {
        Objects.requireNonNull(maybe, "maybe is null");
        return FlowAwait.future(TaskEdge.flowable(maybe.toFlowable()), null);
    }

    /**
     * The Completable as a future of the running loop, subscribed now with no task: null when it
     * completes. See {@link #future(Single)}.
     *
     * @param completable the Completable
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static AsyncFuture<Void> future(Completable completable) {
        Objects.requireNonNull(completable, "completable is null");
        return FlowAwait.future(TaskEdge.flowable(completable.<Void>toFlowable()), null);
    }

    /**
     * The Flowable's first item; cancels after it.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the first item
     * @throws NoSuchElementException if it completes empty
     */
    public static <T> T awaitFirst(Flowable<T> flowable) {
        Objects.requireNonNull(flowable, "flowable is null");
        return FlowAwait.awaitFirst(TaskEdge.flowable(flowable));
    }

    /**
     * The Flowable's first item, or {@code defaultValue} if it completes empty; cancels after the
     * item (kotlinx's {@code awaitFirstOrDefault}).
     *
     * @param flowable the Flowable
     * @param defaultValue the value for an empty Flowable, may be null
     * @param <T> the item type
     * @return the first item or the default
     */
    public static <T> T awaitFirstOrDefault(Flowable<T> flowable, T defaultValue) {
        Objects.requireNonNull(flowable, "flowable is null");
        return FlowAwait.awaitFirstOrDefault(TaskEdge.flowable(flowable), defaultValue);
    }

    /**
     * The Flowable's first item, or null if it completes empty; cancels after the item.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the first item or null
     */
    public static <T> T awaitFirstOrNull(Flowable<T> flowable) {
        Objects.requireNonNull(flowable, "flowable is null");
        return awaitFirstOrDefault(flowable, null);
    }

    /**
     * The Flowable's first item, or what {@code orElse} gives if it completes empty (called in
     * the task, only then); cancels after the item.
     *
     * @param flowable the Flowable
     * @param orElse what an empty Flowable stands for
     * @param <T> the item type
     * @return the first item or {@code orElse}'s value
     */
    public static <T> T awaitFirstOrElse(Flowable<T> flowable, Supplier<? extends T> orElse) {
        Objects.requireNonNull(flowable, "flowable is null");
        Objects.requireNonNull(orElse, "orElse is null");
        T first = awaitFirstOrNull(flowable); // RxJava carries no null item: null means empty
        return first != null ? first : orElse.get();
    }

    /**
     * The Flowable's only item.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the item
     * @throws NoSuchElementException if it completes empty
     * @throws IllegalArgumentException if it emits a second item (then it is cancelled)
     */
    public static <T> T awaitSingle(Flowable<T> flowable) {
        Objects.requireNonNull(flowable, "flowable is null");
        return FlowAwait.awaitSingle(TaskEdge.flowable(flowable));
    }

    /**
     * The Flowable's last item, at completion.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the last item
     * @throws NoSuchElementException if it completes empty
     */
    public static <T> T awaitLast(Flowable<T> flowable) {
        Objects.requireNonNull(flowable, "flowable is null");
        return FlowAwait.awaitLast(TaskEdge.flowable(flowable));
    }

    /**
     * Waits for the Flowable to complete, ignoring its items.
     *
     * @param flowable the Flowable
     */
    public static void awaitCompletion(Flowable<?> flowable) {
        Objects.requireNonNull(flowable, "flowable is null");
        FlowAwait.awaitCompletion(TaskEdge.flowable(flowable));
    }

    /**
     * All the Flowable's items, at completion.
     *
     * @param flowable the Flowable
     * @param <T> the item type
     * @return the items in order
     */
    public static <T> List<T> awaitList(Flowable<T> flowable) {
        Objects.requireNonNull(flowable, "flowable is null");
        return await(flowable.toList());
    }

    /**
     * The Observable's first item; disposes it after that.
     *
     * @param observable the Observable
     * @param <T> the item type
     * @return the first item
     * @throws NoSuchElementException if it completes empty
     */
    public static <T> T awaitFirst(Observable<T> observable) {
        Objects.requireNonNull(observable, "observable is null");
        return await(observable.firstOrError());
    }

    /**
     * The Observable's first item, or {@code defaultValue} if it completes empty; disposes it
     * after the item.
     *
     * @param observable the Observable
     * @param defaultValue the value for an empty Observable, may be null
     * @param <T> the item type
     * @return the first item or the default
     */
    public static <T> T awaitFirstOrDefault(Observable<T> observable, T defaultValue) {
        Objects.requireNonNull(observable, "observable is null");
        return awaitOrDefault(observable.firstElement(), defaultValue);
    }

    /**
     * The Observable's first item, or null if it completes empty; disposes it after the item.
     *
     * @param observable the Observable
     * @param <T> the item type
     * @return the first item or null
     */
    public static <T> T awaitFirstOrNull(Observable<T> observable) {
        Objects.requireNonNull(observable, "observable is null");
        return awaitOrDefault(observable.firstElement(), null);
    }

    /**
     * The Observable's first item, or what {@code orElse} gives if it completes empty (called in
     * the task, only then); disposes it after the item.
     *
     * @param observable the Observable
     * @param orElse what an empty Observable stands for
     * @param <T> the item type
     * @return the first item or {@code orElse}'s value
     */
    public static <T> T awaitFirstOrElse(Observable<T> observable,
            Supplier<? extends T> orElse) {
        Objects.requireNonNull(observable, "observable is null");
        Objects.requireNonNull(orElse, "orElse is null");
        T first = awaitFirstOrNull(observable);
        return first != null ? first : orElse.get();
    }

    /**
     * The Observable's only item.
     *
     * @param observable the Observable
     * @param <T> the item type
     * @return the item
     * @throws NoSuchElementException if it completes empty
     * @throws IllegalArgumentException if it emits a second item (then it is disposed)
     */
    public static <T> T awaitSingle(Observable<T> observable) {
        Objects.requireNonNull(observable, "observable is null");
        return await(observable.singleOrError());
    }

    /**
     * The Observable's last item, at completion.
     *
     * @param observable the Observable
     * @param <T> the item type
     * @return the last item
     * @throws NoSuchElementException if it completes empty
     */
    public static <T> T awaitLast(Observable<T> observable) {
        Objects.requireNonNull(observable, "observable is null");
        return await(observable.lastOrError());
    }

    /**
     * Waits for the Observable to complete, ignoring its items.
     *
     * @param observable the Observable
     */
    public static void awaitCompletion(Observable<?> observable) {
        Objects.requireNonNull(observable, "observable is null");
        await(observable.ignoreElements());
    }

    /**
     * All the Observable's items, at completion.
     *
     * @param observable the Observable
     * @param <T> the item type
     * @return the items in order
     */
    public static <T> List<T> awaitList(Observable<T> observable) {
        Objects.requireNonNull(observable, "observable is null");
        return await(observable.toList());
    }
}
