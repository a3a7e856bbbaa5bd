package io.aiobridge.flow;

/**
 * What happens when a source that cannot be slowed down (an RxJava {@code Observable}, a hot
 * {@code Flux}, a {@code Flux.interval}) gets more items ahead of the iterating task than its
 * buffer holds. The names and meanings are Reactor's {@code BufferOverflowStrategy} and RxJava's
 * {@code BackpressureOverflowStrategy}; kotlinx's {@code BufferOverflow} has the two drop
 * strategies.
 */
public enum Overflow {
    /** Fail the iteration with an {@link OverflowException} naming the capacity. */
    ERROR,
    /** Keep the buffer, drop the arriving item. */
    DROP_LATEST,
    /** Drop the oldest buffered item to make room for the arriving one. */
    DROP_OLDEST
}
