package io.aiobridge.queue;

import io.aiobridge.EventLoop;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A queue that returns the smallest item first: the counterpart of {@code asyncio.PriorityQueue}.
 * Items are ordered by a comparator (natural order by default); equal items come out in no
 * particular order, as with Python's {@code heapq}. Null items cannot be ordered and are refused.
 * Everything but the order is as {@link AsyncQueue}.
 *
 * @param <T> the item type
 */
public class AsyncPriorityQueue<T> extends AsyncQueue<T> {
    private final PriorityQueue<Object> heap;

    /** An unbounded queue in natural order (items must be {@link Comparable}). */
    public AsyncPriorityQueue() {
        this(0, null, null);
    }

    /**
     * A queue of at most {@code maxsize} items in natural order.
     *
     * @param maxsize the capacity ({@code <= 0}: unbounded)
     */
    public AsyncPriorityQueue(int maxsize) {
        this(maxsize, null, null);
    }

    /**
     * A queue of at most {@code maxsize} items ordered by {@code comparator}, bound to {@code
     * loop}.
     *
     * @param maxsize the capacity ({@code <= 0}: unbounded)
     * @param comparator the order, or null for natural order
     * @param loop the loop, or null to bind at first use
     */
    @SuppressWarnings("unchecked")
    public AsyncPriorityQueue(int maxsize, Comparator<? super T> comparator, EventLoop loop) {
        super(maxsize, loop);
        this.heap = new PriorityQueue<>(comparator == null ? null
                : (a, b) -> comparator.compare((T) a, (T) b));
    }

    @Override
    Object mask(T item) {
        return Objects.requireNonNull(item, "null items cannot be ordered in a priority queue");
    }

    @Override
    void store(Object masked) {
        heap.add(masked);
    }

    @Override
    Object take() {
        return heap.poll();
    }

    @Override
    void restore(Object masked) {
        heap.add(masked); // its place in the order is its priority
    }

    @Override
    int stored() {
        return heap.size();
    }
}
