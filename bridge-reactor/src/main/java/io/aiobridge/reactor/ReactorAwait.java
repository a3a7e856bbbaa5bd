package io.aiobridge.reactor;

import io.aiobridge.AsyncFuture;
import io.aiobridge.flow.AwaitingSubscriber.Mode;
import io.aiobridge.flow.FlowAwait;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Awaiting Reactor types from a task, each stating what it waits for. The task suspends (its
 * loop goes on); the Mono or Flux may complete on any thread, and the task resumes on its loop.
 * Cancelling the awaiting task cancels the subscription. The task's context variables are written
 * into the subscription's Reactor Context ({@link ReactorContexts}).
 *
 * <pre>{@code
 * User user = ReactorAwait.awaitSingle(webClient.get().uri("/users/1").retrieve().bodyToMono(User.class));
 * List<Order> orders = ReactorAwait.awaitList(orderFlux);
 * }</pre>
 *
 * <p>Empty versus null: a {@code Mono} never carries null. {@link #awaitSingle(Mono)} fails on an
 * empty Mono; {@link #awaitSingleOrNull(Mono)} maps empty to null; {@link #awaitOptional(Mono)} to
 * an empty Optional.
 *
 * <p>A Mono is awaited to its terminal signal and never cancelled after its value, exactly as
 * {@code block()} and {@code toFuture()} do, so {@code Mono.usingWhen} and transactional Monos
 * commit instead of taking their cancel path. {@link #awaitFirst(Flux)} cancels the Flux after
 * its first item, as its name says.
 *
 * <p>Nothing is lost: every item an await receives and does not return goes to {@code
 * Operators.onDiscard} with the Reactor Context of the Mono or Flux running the task, so a
 * {@code doOnDiscard} there (Spring's, for pooled {@code DataBuffer}s) releases it, as it
 * releases what Reactor's own {@code then()}, {@code single()} and {@code last()} discard: each
 * item {@link #awaitCompletion} ignores, each one {@link #awaitLast} replaces, both items of a
 * second-item error, and a value that arrives for a task already cancelled.
 */
public final class ReactorAwait {
    private ReactorAwait() {}

    static {
        LoopThreadsNonBlocking.register(); // block() on a loop fails, as on Reactor's event loops
    }

    /**
     * The task's context written into the subscription's Reactor Context, and an error after
     * the task's cancel sent to Reactor's dropped-error hook ({@link TaskEdge}).
     */
    private static <T> Publisher<T> vars(Mono<T> mono) {
        return TaskEdge.mono(mono);
    }

    private static <T> Publisher<T> vars(Flux<T> flux) {
        return TaskEdge.flux(flux);
    }

    /**
     * Where the items an await receives and does not return go ({@link FlowAwait#await(
     * Publisher, Mode, Object, Consumer)}): {@code Operators.onDiscard} with the Reactor Context
     * of the Mono or Flux running the awaiting task, so a {@code doOnDiscard} there releases them
     * as it releases what {@code then()}, {@code single()} and {@code last()} discard. Null (drop)
     * when that Context is empty, since Reactor's discard hooks live only in Contexts.
     */
    private static <T> Consumer<T> discardIntoTheTasksContext() {
        return discardIntoTheTasksContext(Operators::onDiscard);
    }

    /** As {@link #discardIntoTheTasksContext()}, with the Reactor call that discards. */
    private static <T> Consumer<T> discardIntoTheTasksContext(
            BiConsumer<? super T, Context> discard) {
        ContextView view = ReactorContexts.current();
        if (view.isEmpty()) {
            return null;
        }
        return item -> discard.accept(item, Context.of(view));
    }

    private static <T> T await(Publisher<T> source, Mode mode, T defaultValue) {
        return FlowAwait.await(source, mode, defaultValue, discardIntoTheTasksContext());
    }

    /**
     * The Mono's value.
     *
     * @param mono the Mono
     * @param <T> the value type
     * @return the value
     * @throws NoSuchElementException if the Mono completes empty
     */
    public static <T> T awaitSingle(Mono<T> mono) {
        return await(vars(mono), Mode.SINGLE, null);
    }

    /**
     * The Mono as a future of the running loop, subscribed now with no task: its value, or null
     * if it completes empty (as {@code Mono.toFuture()}). Await several at once with {@code
     * Aio.gather} for the price of a future each, where a gather of coroutines starts a task per
     * branch:
     *
     * <pre>{@code
     * List<Object> both = Aio.<Object>gather(
     *         ReactorAwait.future(priceMono), ReactorAwait.future(nameMono)).await();
     * }</pre>
     *
     * <p>The Mono is never cancelled after its value; cancelling the future cancels the
     * subscription. See {@link FlowAwait#future(org.reactivestreams.Publisher, Object)}.
     *
     * @param mono the Mono
     * @param <T> the value type
     * @return the future, settled on the running loop
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public static <T> AsyncFuture<T> future(Mono<T> mono) {
        Objects.requireNonNull(mono, "mono is null");
        return FlowAwait.future(vars(mono), null, discardIntoTheTasksContext());
    }

    /**
     * The Mono's value, or null if it completes empty.
     *
     * @param mono the Mono
     * @param <T> the value type
     * @return the value or null
     */
    public static <T> T awaitSingleOrNull(Mono<T> mono) {
        return await(vars(mono), Mode.SINGLE_OR_DEFAULT, null);
    }

    /**
     * The Mono's value, as an Optional that is empty if the Mono completes empty.
     *
     * @param mono the Mono
     * @param <T> the value type
     * @return the optional value
     */
    public static <T> Optional<T> awaitOptional(Mono<T> mono) {
        return Optional.ofNullable(awaitSingleOrNull(mono));
    }

    /**
     * The Flux's first item; cancels after it.
     *
     * @param flux the Flux
     * @param <T> the item type
     * @return the first item
     * @throws NoSuchElementException if the Flux completes empty
     */
    public static <T> T awaitFirst(Flux<T> flux) {
        return await(vars(flux), Mode.FIRST, null);
    }

    /**
     * The Flux's first item, or {@code defaultValue} if it completes empty; cancels after the
     * item (kotlinx's {@code awaitFirstOrDefault}).
     *
     * @param flux the Flux
     * @param defaultValue the value for an empty Flux, may be null
     * @param <T> the item type
     * @return the first item or the default
     */
    public static <T> T awaitFirstOrDefault(Flux<T> flux, T defaultValue) {
        return await(vars(flux), Mode.FIRST_OR_DEFAULT, defaultValue);
    }

    /**
     * The Flux's first item, or null if it completes empty; cancels after the item.
     *
     * @param flux the Flux
     * @param <T> the item type
     * @return the first item or null
     */
    public static <T> T awaitFirstOrNull(Flux<T> flux) {
        return awaitFirstOrDefault(flux, null);
    }

    /**
     * The Flux's first item, or what {@code orElse} gives if it completes empty (called in the
     * task, only then); cancels after the item.
     *
     * @param flux the Flux
     * @param orElse what an empty Flux stands for
     * @param <T> the item type
     * @return the first item or {@code orElse}'s value
     */
    public static <T> T awaitFirstOrElse(Flux<T> flux, Supplier<? extends T> orElse) {
        Objects.requireNonNull(orElse, "orElse is null");
        T first = awaitFirstOrNull(flux); // a Flux carries no null item: null means empty
        return first != null ? first : orElse.get();
    }

    /**
     * The Flux's only item.
     *
     * @param flux the Flux
     * @param <T> the item type
     * @return the item
     * @throws NoSuchElementException if empty
     * @throws IllegalArgumentException if it emits a second item (both go to {@code
     *     doOnDiscard} hooks in the task's Reactor Context, as Reactor's {@code single()}
     *     discards them)
     */
    public static <T> T awaitSingle(Flux<T> flux) {
        return await(vars(flux), Mode.SINGLE, null);
    }

    /**
     * The Flux's last item, at completion. The items before it go to {@code doOnDiscard} hooks
     * in the task's Reactor Context, as Reactor's {@code last()} discards them.
     *
     * @param flux the Flux
     * @param <T> the item type
     * @return the last item
     * @throws NoSuchElementException if empty
     */
    public static <T> T awaitLast(Flux<T> flux) {
        return await(vars(flux), Mode.LAST, null);
    }

    /**
     * Waits for the Flux (or Mono) to complete, ignoring its items. Each item goes to {@code
     * doOnDiscard} hooks in the task's Reactor Context, as Reactor's {@code then()} discards it:
     * awaiting a body of pooled buffers to its end releases each one.
     *
     * @param publisher the Flux or Mono
     */
    public static void awaitCompletion(Publisher<?> publisher) {
        await(TaskEdge.flux(publisher), Mode.COMPLETION, null);
    }

    /**
     * All items of the Flux, at completion.
     *
     * @param flux the Flux
     * @param <T> the item type
     * @return the items in order
     */
    public static <T> List<T> awaitList(Flux<T> flux) {
        Objects.requireNonNull(flux, "flux is null");
        // a list the task no longer takes (it was cancelled) goes item by item, as collectList's
        return FlowAwait.await(vars(flux.collectList()), Mode.SINGLE, null,
                discardIntoTheTasksContext(Operators::onDiscardMultiple));
    }
}
