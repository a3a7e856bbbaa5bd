package io.aiobridge.queue;

import io.aiobridge.EventLoop;

/**
 * A last-in, first-out queue: the counterpart of {@code asyncio.LifoQueue}. Everything but the
 * order is as {@link AsyncQueue}.
 *
 * @param <T> the item type
 */
public class AsyncLifoQueue<T> extends AsyncQueue<T> {
    /** An unbounded LIFO queue. */
    public AsyncLifoQueue() {
        super(0, null);
    }

    /**
     * A LIFO queue holding at most {@code maxsize} items.
     *
     * @param maxsize the capacity ({@code <= 0}: unbounded)
     */
    public AsyncLifoQueue(int maxsize) {
        super(maxsize, null);
    }

    /**
     * A LIFO queue bound to {@code loop}.
     *
     * @param maxsize the capacity
     * @param loop the loop, or null
     */
    public AsyncLifoQueue(int maxsize, EventLoop loop) {
        super(maxsize, loop);
    }

    @Override
    void store(Object masked) {
        items.addFirst(masked); // taken from the front too: last in, first out
    }
}
