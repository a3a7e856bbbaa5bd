package io.aiobridge.reactor;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.flow.AsyncPublisher;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * From asyncio-style code to Reactor: generators as {@link Flux} (kotlinx's {@code flux { }}),
 * coroutines and tasks as {@link Mono} (kotlinx's {@code mono { }}). Awaiting is {@link
 * ReactorAwait}; iterating a Flux in a task is {@link ReactorIterate}.
 * A thin layer over {@link AsyncPublisher}: demand, cancellation and the loop a subscription runs
 * on are as there, errors that can no longer be delivered go to Reactor's {@code
 * Hooks.onOperatorError}, then its {@code Hooks.onErrorDropped} (per-subscription {@code .local}
 * hooks included), and
 * items produced but never delivered to the subscriber's discard hook ({@code doOnDiscard}). Context variables cross as {@link ReactorContexts} describes.
 *
 * <pre>{@code
 * Flux<Long> ticks = ReactorPublish.flux(y -> {
 *     for (long i = 0; ; i++) { y.yield(i); Aio.sleep(1.0); }
 * });
 * Mono<String> page = ReactorPublish.mono(() -> fetch(url));   // one run per subscription
 * }</pre>
 */
public final class ReactorPublish {
    private ReactorPublish() {}

    static {
        LoopThreadsNonBlocking.register(); // block() on a loop fails, as on Reactor's event loops
    }

    /**
     * A Flux running a new generator with {@code body} for each subscription; the generator's
     * {@code yield} suspends while the subscriber has no outstanding demand, and cancelling
     * closes it (its {@code finally} runs).
     *
     * @param body the generator body
     * @param <T> the item type
     * @return the Flux
     */
    public static <T> Flux<T> flux(AsyncGenerator.Body<T, Void> body) {
        return generatorFlux(body, null);
    }

    private static <T> Flux<T> generatorFlux(AsyncGenerator.Body<T, Void> body, EventLoop loop) {
        Objects.requireNonNull(body, "body is null");
        return Flux.deferContextual(view -> Flux.from(reactorPolicy(AsyncPublisher.fromGenerator(
                ReactorContexts.withVars(view, body)), view, loop)));
    }

    private static <T> Mono<T> coroutineMono(Coroutine<T> coro, EventLoop loop) {
        Objects.requireNonNull(coro, "coro is null");
        return Mono.deferContextual(view -> Mono.fromDirect(reactorPolicy(
                AsyncPublisher.fromCoroutine(ReactorContexts.withVars(view, coro)), view, loop)));
    }

    /**
     * Reactor's dropped-error and discard hooks with the subscriber's Context, and the loop if
     * given. An error nobody can receive (the subscriber cancelled, then the body failed) first
     * passes {@code Operators.onOperatorError}, as an error after {@code Flux.create}'s or {@code
     * Mono.create}'s cancel does (so {@code Hooks.onOperatorError} and a per-subscription {@code
     * reactor.onOperatorError.local} see it, as kotlinx's {@code mono { }} arranges), then goes
     * to {@code Operators.onErrorDropped}, which Reactor's sinks skip: without a hook it would
     * be lost, and here it is logged. Items produced but never delivered (cancelled with a
     * generator's lookahead, a Mono's value after its cancel) go to {@code Operators.onDiscard},
     * as {@code Flux.create}'s and {@code Mono.create}'s do, so a {@code doOnDiscard} downstream
     * (Spring releasing pooled {@code DataBuffer}s) sees them.
     */
    private static <T> AsyncPublisher<T> reactorPolicy(AsyncPublisher<T> p, ContextView view,
            EventLoop loop) {
        Context ctx = Context.of(view);
        AsyncPublisher<T> withHooks = p.onErrorDropped(
                        e -> Operators.onErrorDropped(Operators.onOperatorError(e, ctx), ctx))
                .onDiscard(item -> Operators.onDiscard(item, ctx));
        return loop == null ? withHooks : withHooks.on(loop);
    }

    /**
     * As {@link #flux(AsyncGenerator.Body)}, with every subscription's generator running on
     * {@code loop} (instead of the subscribing task's loop or a default loop): for generators
     * that use a loop's own objects, such as its queues.
     *
     * @param body the generator body
     * @param loop the loop to run on
     * @param <T> the item type
     * @return the Flux
     */
    public static <T> Flux<T> flux(AsyncGenerator.Body<T, Void> body, EventLoop loop) {
        return generatorFlux(body, Objects.requireNonNull(loop, "loop is null"));
    }

    /**
     * A Flux of an async iterable's items, iterated afresh per subscription. An {@code
     * AsyncGenerator} object is one run of its body: its Flux can be subscribed once, as {@code
     * Flux.fromStream}'s can (a second subscription, a {@code retry()}, gets an {@link
     * IllegalStateException}); publish the body, {@link #flux(AsyncGenerator.Body)}, for a run
     * per subscription.
     *
     * @param iterable the source
     * @param <T> the item type
     * @return the Flux
     */
    public static <T> Flux<T> flux(AsyncIterable<T> iterable) {
        return iterableFlux(iterable, null);
    }

    /**
     * As {@link #flux(AsyncIterable)}, with every subscription's iteration running on {@code
     * loop}: for iterables that use a loop's own objects, or to keep the work on a group of
     * one's choosing.
     *
     * @param iterable the source
     * @param loop the loop to run on
     * @param <T> the item type
     * @return the Flux
     */
    public static <T> Flux<T> flux(AsyncIterable<T> iterable, EventLoop loop) {
        return iterableFlux(iterable, Objects.requireNonNull(loop, "loop is null"));
    }

    private static <T> Flux<T> iterableFlux(AsyncIterable<T> iterable, EventLoop loop) {
        Objects.requireNonNull(iterable, "iterable is null");
        return Flux.deferContextual(view -> Flux.from(reactorPolicy(AsyncPublisher.fromIterable(
                ReactorContexts.withVars(view, iterable)), view, loop)));
    }

    /**
     * A Mono that runs {@code coro} as a task for each subscription; a null result is an empty
     * Mono; cancelling the subscription cancels the task.
     *
     * @param coro the coroutine
     * @param <T> the value type
     * @return the Mono
     */
    public static <T> Mono<T> mono(Coroutine<T> coro) {
        return coroutineMono(coro, null);
    }

    /**
     * As {@link #mono(Coroutine)}, with the task running on {@code loop}: for coroutines that use
     * a loop's own objects (its queues, locks, or state only that loop touches).
     *
     * @param coro the coroutine
     * @param loop the loop to run on
     * @param <T> the value type
     * @return the Mono
     */
    public static <T> Mono<T> mono(Coroutine<T> coro, EventLoop loop) {
        return coroutineMono(coro, Objects.requireNonNull(loop, "loop is null"));
    }

    /**
     * A Mono of a future's or task's outcome (null result: empty); cancelling the subscription
     * cancels the future.
     *
     * @param future the future or task
     * @param <T> the value type
     * @return the Mono
     */
    public static <T> Mono<T> mono(AsyncFuture<T> future) {
        AsyncPublisher<T> p = AsyncPublisher.fromFuture(future);
        return Mono.deferContextual(view -> Mono.fromDirect(reactorPolicy(p, view, null)));
    }
}
