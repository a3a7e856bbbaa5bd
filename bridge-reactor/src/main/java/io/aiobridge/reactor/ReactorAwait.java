package io.aiobridge.reactor;

import io.aiobridge.AsyncFuture;
import io.aiobridge.flow.FlowAwait;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
    private static <T> Mono<T> vars(Mono<T> mono) {
        return TaskEdge.mono(mono);
    }

    private static <T> Flux<T> vars(Flux<T> flux) {
        return TaskEdge.flux(flux);
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
        return FlowAwait.awaitSingle(vars(mono));
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
        return FlowAwait.future(vars(mono), null);
    }

    /**
     * The Mono's value, or null if it completes empty.
     *
     * @param mono the Mono
     * @param <T> the value type
     * @return the value or null
     */
    public static <T> T awaitSingleOrNull(Mono<T> mono) {
        return FlowAwait.awaitSingleOrDefault(vars(mono), null);
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
        return FlowAwait.awaitFirst(vars(flux));
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
        return FlowAwait.awaitFirstOrDefault(vars(flux), defaultValue);
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
     * @throws IllegalArgumentException if it emits a second item
     */
    public static <T> T awaitSingle(Flux<T> flux) {
        return FlowAwait.awaitSingle(vars(flux));
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
        // takeLast(1) keeps one item and discards each one it replaces
        return FlowAwait.awaitLast(vars(Objects.requireNonNull(flux, "flux is null").takeLast(1)));
    }

    /**
     * Waits for the Flux (or Mono) to complete, ignoring its items.
     *
     * @param publisher the Flux or Mono
     */
    public static void awaitCompletion(Publisher<?> publisher) {
        FlowAwait.awaitCompletion(TaskEdge.flux(publisher));
    }

    /**
     * All items of the Flux, at completion.
     *
     * @param flux the Flux
     * @param <T> the item type
     * @return the items in order
     */
    public static <T> List<T> awaitList(Flux<T> flux) {
        return FlowAwait.awaitSingle(vars(flux.collectList()));
    }
}
