package io.aiobridge.reactor;

import io.aiobridge.AioFuture;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.flow.Overflow;
import io.aiobridge.flow.Publishers;
import io.aiobridge.iter.AsyncGenerator;
import io.aiobridge.iter.AsyncIterable;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.ContextView;

/**
 * From asyncio-style code to Reactor, and Flux iteration in a task: generators as {@link Flux}
 * (kotlinx's {@code flux { }}), coroutines and tasks as {@link Mono} (kotlinx's {@code mono { }}).
 * A thin layer over {@link AsyncPublisher}: demand, cancellation and the loop a subscription runs
 * on are as there, and errors that can no longer be delivered go to Reactor's {@code
 * Hooks.onErrorDropped}. Context variables cross as {@link ReactorContexts} describes.
 *
 * <pre>{@code
 * Flux<Long> ticks = ReactorPublish.flux(y -> {
 *     for (long i = 0; ; i++) { y.yield(i); Aio.sleep(1.0); }
 * });
 * Mono<String> page = ReactorPublish.mono(() -> fetch(url));   // one run per subscription
 * for (Order o : ReactorPublish.iterate(orders, 64)) { ... }   // backpressured, 64 at a time
 * }</pre>
 */
public final class ReactorPublish {
    private ReactorPublish() {}

    /**
     * Reactor's policy for errors nobody can receive: {@code Hooks.onErrorDropped}, with the
     * subscriber's Context, so a per-subscription hook ({@code reactor.onErrorDropped.local})
     * sees it.
     */
    private static java.util.function.Consumer<Throwable> dropped(ContextView view) {
        reactor.util.context.Context ctx = reactor.util.context.Context.of(view);
        return e -> Operators.onErrorDropped(e, ctx);
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

    /** Reactor's dropped-error hook with the subscriber's Context, and the loop if given. */
    private static <T> AsyncPublisher<T> reactorPolicy(AsyncPublisher<T> p, ContextView view,
            EventLoop loop) {
        AsyncPublisher<T> withHook = p.onErrorDropped(dropped(view));
        return loop == null ? withHook : withHook.on(loop);
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
     * A Flux of an async iterable's items, iterated afresh per subscription.
     *
     * @param iterable the source
     * @param <T> the item type
     * @return the Flux
     */
    public static <T> Flux<T> flux(AsyncIterable<T> iterable) {
        AsyncPublisher<T> p = AsyncPublisher.fromIterable(iterable);
        return Flux.deferContextual(view -> Flux.from(reactorPolicy(p, view, null)));
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
    public static <T> Mono<T> mono(AioFuture<T> future) {
        AsyncPublisher<T> p = AsyncPublisher.fromFuture(future);
        return Mono.deferContextual(view -> Mono.fromDirect(reactorPolicy(p, view, null)));
    }

    /**
     * A Flux (or Mono) as an async iterable for a task, requesting {@code prefetch} items up front
     * and replenishing at 75%. The iteration belongs to the task that starts it: when that task
     * ends (returns, fails or is cancelled) an iteration it left open, by {@code break} or an
     * exception, is cancelled. A source that cannot honour small requests ({@code
     * Flux.interval}) needs {@link #iterate(org.reactivestreams.Publisher, int, Overflow)} or an
     * {@code onBackpressure...} operator.
     *
     * @param publisher the Flux or Mono
     * @param prefetch the most items held
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(org.reactivestreams.Publisher<T> publisher,
            int prefetch) {
        Flux<T> withVars = Flux.from(publisher).contextWrite(ReactorContexts::writeTaskVars);
        return Publishers.toAsyncIterable(withVars, prefetch, Publishers.DEFAULT_REPLENISH);
    }

    /**
     * A Flux that cannot be slowed down ({@code Flux.interval}, a hot source) as an async
     * iterable for a task: it is asked for everything, at most {@code capacity} items wait for
     * the task, and {@code overflow} says what happens to more (Reactor's {@code
     * onBackpressureBuffer(capacity, strategy)}, with the task as the consumer).
     *
     * @param publisher the Flux
     * @param capacity the most items held for the task, at least 1
     * @param overflow what happens to items beyond that
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(org.reactivestreams.Publisher<T> publisher,
            int capacity, Overflow overflow) {
        Flux<T> withVars = Flux.from(publisher).contextWrite(ReactorContexts::writeTaskVars);
        return Publishers.toAsyncIterable(withVars, capacity, overflow);
    }

    /**
     * As {@link #iterate(org.reactivestreams.Publisher, int)} with Reactor's default prefetch,
     * 256.
     *
     * @param publisher the Flux or Mono
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(org.reactivestreams.Publisher<T> publisher) {
        return iterate(publisher, Publishers.DEFAULT_PREFETCH);
    }
}
