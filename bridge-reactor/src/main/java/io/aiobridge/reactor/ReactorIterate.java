package io.aiobridge.reactor;

import io.aiobridge.AsyncIterable;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.flow.Overflow;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * A Flux or Mono iterated in a task, with backpressure: Java's for-each over it suspends the task
 * while no item is there (kotlinx's {@code asFlow().collect}, as async iteration). The task's
 * context variables are written into the subscription's Reactor Context ({@link
 * ReactorContexts}). Items it received but will never deliver (read ahead when the task leaves
 * the loop, dropped by an {@link Overflow}) go to {@code doOnDiscard} hooks in the Context of the
 * Mono or Flux running the task, as the items queued in Reactor's own operators do.
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
        Publisher<T> withVars = TaskEdge.flux(publisher);
        return discardingIntoTheTasksContext(onDiscard -> FlowIterate.toAsyncIterable(withVars,
                prefetch, FlowIterate.DEFAULT_REPLENISH, onDiscard));
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
        Publisher<T> withVars = TaskEdge.flux(publisher);
        return discardingIntoTheTasksContext(onDiscard -> FlowIterate.toAsyncIterable(withVars,
                capacity, overflow, onDiscard));
    }

    /**
     * Each iteration hands the items it will never deliver (read ahead when the task leaves
     * it, dropped by an overflow strategy) to {@code Operators.onDiscard} with the Reactor
     * Context of the task that starts it ({@link ReactorContexts#current()}), so a {@code
     * doOnDiscard} on the Mono or Flux running that task's coroutine or generator releases
     * them, as it releases what Reactor's own operators drop from their queues.
     */
    private static <T> AsyncIterable<T> discardingIntoTheTasksContext(
            Function<Consumer<? super T>, AsyncIterable<T>> iterable) {
        iterable.apply(item -> {}); // checks the arguments now, not at the first iteration
        return () -> {
            // aiter() runs in the iterating task
            Context context = Context.of(ReactorContexts.current());
            return iterable.apply(item -> Operators.onDiscard(item, context)).aiter();
        };
    }

    /**
     * As {@link #iterate(org.reactivestreams.Publisher, int)}, with the items received and never
     * delivered (read ahead when the task leaves the loop or is cancelled) handed to {@code
     * onDiscard} instead of the task's {@code doOnDiscard} hooks: for pooled items that must go
     * back whoever iterates them, such as a request body's {@code DataBuffer}s.
     *
     * <pre>{@code
     * for (DataBuffer b : ReactorIterate.iterate(body, 16, DataBufferUtils::release)) { ... }
     * }</pre>
     *
     * @param publisher the Flux or Mono
     * @param prefetch the most items held
     * @param onDiscard receives each item never delivered
     * @param <T> the item type
     * @return the iterable
     */
    public static <T> AsyncIterable<T> iterate(Publisher<T> publisher, int prefetch,
            Consumer<? super T> onDiscard) {
        Objects.requireNonNull(onDiscard, "onDiscard is null");
        return FlowIterate.toAsyncIterable(TaskEdge.flux(publisher), prefetch,
                FlowIterate.DEFAULT_REPLENISH, onDiscard);
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
