package io.aiobridge;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A Java {@link Iterator} over an async source: {@code hasNext()} pulls (and may await) the next
 * item and keeps it until {@code next()} takes it; {@link StopAsyncIteration} ends it.
 */
abstract class PullIterator<T> implements Iterator<T> {
    private T next;
    private byte state; // 0: not pulled yet, 1: an item is ready, 2: ended

    /** The next item; throws StopAsyncIteration at the end. */
    abstract T pull();

    @Override
    public final boolean hasNext() {
        if (state == 0) {
            try {
                next = pull();
                state = 1;
            } catch (StopAsyncIteration end) {
                state = 2;
            }
        }
        return state == 1;
    }

    @Override
    public final T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("async iteration ended");
        }
        T item = next;
        next = null;
        state = 0;
        return item;
    }
}
