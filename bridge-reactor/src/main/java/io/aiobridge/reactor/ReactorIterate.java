package io.aiobridge.reactor;

import io.aiobridge.AsyncIterable;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.flow.Overflow;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * A Flux or Mono iterated in a task, with backpressure: Java's for-each over it suspends the task
 * while no item is there (kotlinx's {@code asFlow().collect}, as async iteration). The task's
 * context variables are written into the subscription's Reactor Context ({@link
 * ReactorContexts}).
 *
 * <pre>{@code
 * for (Order o : ReactorIterate.iterate(orders, 64)) { ... }   // 64 requested at a time
 * for (long t : ReactorIterate.iterate(Flux.interval(ofMillis(10)), 8, Overflow.DROP_OLDEST)) { ... }
 * }</pre>
 *
 * <p>Publishing is {@link ReactorPublish}; awaiting is {@link ReactorAwait}.
 */
public final class ReactorIterate {
    private ReactorIterate() {}

    static {
        LoopThreadsNonBlocking.register(); // block() on a loop fails, as on Reactor's event loops
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
    public static <T> AsyncIterable<T> iterate(Publisher<T> publisher,
            int prefetch) {
        Flux<T> withVars = TaskEdge.flux(publisher);
        return FlowIterate.toAsyncIterable(withVars, prefetch, FlowIterate.DEFAULT_REPLENISH);
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
    public static <T> AsyncIterable<T> iterate(Publisher<T> publisher,
            int capacity, Overflow overflow) {
        Flux<T> withVars = TaskEdge.flux(publisher);
        return FlowIterate.toAsyncIterable(withVars, capacity, overflow);
    }

    /**
     * As {@link #iterate(org.reactivestreams.Publisher, int)} with Reactor's default prefetch,
     * 256.
     *
     * @param publisher the Flux or Mono
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(Publisher<T> publisher) {
        return iterate(publisher, FlowIterate.DEFAULT_PREFETCH);
    }
}
