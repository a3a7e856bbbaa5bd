package io.aiobridge.flow;

import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import org.reactivestreams.Subscriber;

/**
 * A {@link Subscriber} that a task iterates: subscribe it to any publisher (from any thread), and
 * iterate it in a task of its loop. It requests its prefetch when subscribed and replenishes as
 * the task consumes; closing it (or cancelling the iterating task) cancels the subscription. Made
 * by {@link FlowIterate#subscriber}.
 *
 * @param <T> the item type
 */
public interface IteratorSubscriber<T> extends Subscriber<T>, AsyncIterator<T>, AsyncIterable<T> {
    /**
     * This subscriber, as the single iterator of itself.
     *
     * @return this
     */
    @Override
    default AsyncIterator<T> aiter() {
        return this;
    }
}
