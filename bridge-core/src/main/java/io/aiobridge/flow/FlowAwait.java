package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.flow.AwaitingSubscriber.Mode;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;

/**
 * Awaiting Reactive Streams and {@link Flow} publishers from a task, each function stating what
 * it waits for: the first item, the only item, the last item, or completion (kotlinx's {@code
 * Await.kt}). The task suspends; signals may arrive on any thread and resume it on its loop.
 * Cancelling the awaiting task cancels the subscription.
 *
 * <pre>{@code
 * String first = FlowAwait.awaitFirst(flux);       // cancels the rest
 * User user = FlowAwait.awaitSingle(userMono);     // to its completion, never cancelled
 * }</pre>
 *
 * <p>Every item received and not returned (each item {@link #awaitCompletion} ignores, each one
 * {@link #awaitLast} replaces, both items of a second-item error, the item held at an error or
 * a cancel) can be handed to a discard hook, to release pooled buffers or other resources: see
 * {@link #await(Publisher, Mode, Object, Consumer)}. The functions without a hook drop them.
 *
 * <p>Publishing is {@link AsyncPublisher}; iterating is {@link FlowIterate}.
 */
public final class FlowAwait {
    private FlowAwait() {}

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

    /**
     * The publisher's only item, or {@code defaultValue} if it completes empty, as a future of the
     * running loop: subscribes now, with no task. This is how several Monos or Singles are awaited
     * at once ({@link Aio#gather(AsyncFuture[])}, {@code Aio.wait}, {@code Aio.asCompleted}) for
     * the price of a future each, where {@code gather} of coroutines starts a task per branch;
     * asyncio's {@code wrap_future} does the same for a thread's future.
     *
     * <p>The publisher is awaited to its terminal signal, as {@link #awaitSingleOrDefault} does;
     * a second item fails the future with {@link IllegalArgumentException}. Cancelling the future
     * (directly, or through the {@code gather}, timeout or task that awaits it) cancels the
     * subscription.
     *
     * <pre>{@code
     * List<Object> both = Aio.<Object>gather(
     *         FlowAwait.future(priceMono, null), FlowAwait.future(nameMono, null)).await();
     * }</pre>
     *
     * @param publisher the publisher of at most one item
     * @param defaultValue the result for an empty publisher (may be null)
     * @param <T> the item type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Publisher<? extends T> publisher, T defaultValue) {
        return future(publisher, defaultValue, null);
    }

    /**
     * {@link #future(Publisher, Object)}, handing the items it received and will not return to
     * {@code onDiscard}, as {@link #await(Publisher, Mode, Object, Consumer)} does: both items of
     * a second-item error, the item held when the future is cancelled, and an item that arrives
     * after that.
     *
     * @param publisher the publisher of at most one item
     * @param defaultValue the result for an empty publisher (may be null)
     * @param onDiscard receives each item not returned, on the thread that drops it; null to
     *     drop them
     * @param <T> the item type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Publisher<? extends T> publisher, T defaultValue,
            Consumer<? super T> onDiscard) {
        Objects.requireNonNull(publisher, "publisher is null");
        EventLoop loop = Aio.getRunningLoop();
        AwaitSubscriber<T> subscriber = new AwaitSubscriber<>(loop, loop.createFuture(),
                Mode.SINGLE_OR_DEFAULT, defaultValue, "FlowAwait.future()", onDiscard);
        AsyncFuture<T> result = subscriber.result();
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                subscriber.cancel();
            }
        });
        publisher.subscribe(subscriber);
        return result;
    }

    /**
     * {@link #future(Publisher, Object)} for a {@link Flow.Publisher}.
     *
     * @param publisher the publisher of at most one item
     * @param defaultValue the result for an empty publisher (may be null)
     * @param <T> the item type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Flow.Publisher<? extends T> publisher,
            T defaultValue) {
        Objects.requireNonNull(publisher, "publisher is null");
        return future(FlowAdapters.toPublisher(publisher), defaultValue);
    }

    /**
     * {@link #future(Publisher, Object, Consumer)} for a {@link Flow.Publisher} (a SmallRye
     * Mutiny {@code Uni} or {@code Multi}, a {@code SubmissionPublisher}).
     *
     * @param publisher the publisher of at most one item
     * @param defaultValue the result for an empty publisher (may be null)
     * @param onDiscard receives each item not returned; null to drop them
     * @param <T> the item type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Flow.Publisher<? extends T> publisher,
            T defaultValue, Consumer<? super T> onDiscard) {
        Objects.requireNonNull(publisher, "publisher is null");
        return future(FlowAdapters.toPublisher(publisher), defaultValue, onDiscard);
    }

    private static <T> T await(Publisher<? extends T> publisher, Mode mode, T defaultValue) {
        return await(publisher, mode, defaultValue, null);
    }

    /**
     * Awaits {@code publisher} as {@code mode} says (the function of that mode: {@link
     * #awaitFirst}, {@link #awaitSingleOrDefault}, {@link #awaitLast}, {@link #awaitCompletion}
     * and so on), handing every item it receives and does not return to {@code onDiscard}, as
     * Reactor's {@code then()}, {@code single()} and {@code last()} hand theirs to {@code
     * doOnDiscard}:
     * <ul>
     *   <li>each item of {@link Mode#COMPLETION}, and each one {@link Mode#LAST} replaces;</li>
     *   <li>both items when a SINGLE mode fails on a second one;</li>
     *   <li>the item held when the publisher fails, or when the awaiting task is cancelled, and
     *       an item that arrives after that cancel;</li>
     *   <li>items a broken publisher sends beyond the demand or after its end.</li>
     * </ul>
     * The hook runs on the thread that drops the item (the publisher's, or the loop's); one that
     * throws is reported to the loop's exception handler, and the await goes on.
     *
     * <pre>{@code
     * // a body of pooled buffers, awaited to its end: each buffer is released, none leaks
     * FlowAwait.await(body, Mode.COMPLETION, null, DataBufferUtils::release);
     * }</pre>
     *
     * @param publisher the publisher
     * @param mode what to wait for
     * @param defaultValue the result for an empty publisher in the OR_DEFAULT modes (may be
     *     null; ignored by the others)
     * @param onDiscard receives each item not returned; null to drop them
     * @param <T> the item type
     * @return the item the mode returns (null for COMPLETION)
     * @throws NoSuchElementException if FIRST, SINGLE or LAST finds the publisher empty
     * @throws IllegalArgumentException if a SINGLE mode receives a second item
     * @throws IllegalStateException if called outside a task
     */
    public static <T> T await(Publisher<? extends T> publisher, Mode mode, T defaultValue,
            Consumer<? super T> onDiscard) {
        Objects.requireNonNull(publisher, "publisher is null");
        Objects.requireNonNull(mode, "mode is null");
        Task<?> task = Aio.currentTask(switch (mode) {
            case FIRST -> "awaitFirst()";
            case FIRST_OR_DEFAULT -> "awaitFirstOrDefault()";
            case SINGLE -> "awaitSingle()";
            case SINGLE_OR_DEFAULT -> "awaitSingleOrDefault()";
            case LAST -> "awaitLast()";
            case COMPLETION -> "awaitCompletion()";
        });
        EventLoop loop = task.getLoop();
        AwaitSubscriber<T> subscriber = new AwaitSubscriber<>(loop, loop.createFuture(), mode,
                defaultValue, null, onDiscard);
        AsyncFuture<T> result = subscriber.result();
        publisher.subscribe(subscriber);
        try {
            return result.await();
        } catch (CancelledError e) {
            subscriber.abandon(); // the awaiting task was cancelled: so is the subscription
            throw e;
        }
    }

    /**
     * {@link #await(Publisher, Mode, Object, Consumer)} for a {@link Flow.Publisher} (a SmallRye
     * Mutiny {@code Multi}, a {@code SubmissionPublisher}): every item received and not returned
     * goes to {@code onDiscard}.
     *
     * @param publisher the publisher
     * @param mode what to wait for
     * @param defaultValue the result for an empty publisher in the OR_DEFAULT modes
     * @param onDiscard receives each item not returned; null to drop them
     * @param <T> the item type
     * @return the item the mode returns (null for COMPLETION)
     * @throws IllegalStateException if called outside a task
     */
    public static <T> T await(Flow.Publisher<? extends T> publisher, Mode mode, T defaultValue,
            Consumer<? super T> onDiscard) {
        Objects.requireNonNull(publisher, "publisher is null");
        return await(FlowAdapters.toPublisher(publisher), mode, defaultValue, onDiscard);
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
        return awaiting(loop, mode, defaultValue, null);
    }

    /**
     * {@link #awaiting(EventLoop, Mode, Object)}, handing every item it receives and does not
     * settle its future with to {@code onDiscard}, as {@link #await(Publisher, Mode, Object,
     * Consumer)} does, including the item held when the subscriber is {@link
     * AwaitingSubscriber#cancel() cancelled} and any that arrives after that. To subscribe it to
     * a {@link Flow.Publisher}, wrap it with {@code FlowAdapters.toFlowSubscriber}.
     *
     * @param loop the loop of the result future
     * @param mode what to wait for
     * @param defaultValue the result for an empty publisher in the OR_DEFAULT modes
     * @param onDiscard receives each item not settled; null to drop them
     * @param <T> the item type
     * @return the subscriber
     */
    public static <T> AwaitingSubscriber<T> awaiting(EventLoop loop, Mode mode, T defaultValue,
            Consumer<? super T> onDiscard) {
        Objects.requireNonNull(loop, "loop is null");
        Objects.requireNonNull(mode, "mode is null");
        return new AwaitSubscriber<>(loop, loop.createFuture(), mode, defaultValue, null,
                onDiscard);
    }
}
