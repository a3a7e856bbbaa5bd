package io.aiobridge.rxjava;

/**
 * What iterating an {@code Observable} does when it emits faster than the task consumes. An
 * Observable has no backpressure, so the bridge holds at most a stated number of items (the
 * capacity) and this strategy decides what happens to more. There is deliberately no unbounded
 * choice.
 *
 * @see RxPublish#iterate(io.reactivex.rxjava3.core.Observable, int, Overflow)
 */
public enum Overflow {
    /**
     * Buffer with a limit: hold up to the capacity; one item more fails the iteration with a
     * {@code MissingBackpressureException} naming the capacity, and disposes the Observable.
     */
    BUFFER,
    /** Hold up to the capacity; beyond it, drop the oldest held item to make room. */
    DROP_OLDEST,
    /** Hold up to the capacity; beyond it, drop the newest item (the one just emitted). */
    DROP_LATEST,
    /**
     * No buffer: fail as soon as the Observable emits an item before the task has taken the
     * previous one (the capacity is ignored). For sources that must never outrun their consumer.
     */
    ERROR
}
