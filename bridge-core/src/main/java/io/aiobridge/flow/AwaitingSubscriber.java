package io.aiobridge.flow;

import io.aiobridge.AsyncFuture;
import org.reactivestreams.Subscriber;

/**
 * A {@link Subscriber} whose outcome is a future of its loop: what the {@code FlowAwait.await*}
 * functions use, for code that subscribes by hand (from any thread) and awaits later. Made by
 * {@link FlowAwait#awaiting}.
 *
 * @param <T> the item type
 */
public interface AwaitingSubscriber<T> extends Subscriber<T> {
    /**
     * The outcome, as the mode says: the first, single or last item, or null on completion.
     *
     * @return a future of the subscriber's loop
     */
    AsyncFuture<T> result();

    /**
     * Cancels the subscription (now, or as soon as it arrives); the result stays pending unless
     * it was already settled. Serial with the subscriber's own requests (rule 2.7).
     */
    void cancel();

    /** What the subscriber waits for. */
    enum Mode {
        /** The first item; cancels after it; fails on an empty publisher. */
        FIRST,
        /** The first item, or the default value on an empty publisher. */
        FIRST_OR_DEFAULT,
        /** The only item, at the terminal signal; fails on none or on a second one. */
        SINGLE,
        /**
         * The only item, or the default value on an empty publisher, at the terminal signal;
         * fails on a second item. Never cancels after the item: the way to await a {@code Mono},
         * a {@code Single} or a {@code Maybe}, whose {@code usingWhen} or transaction must see
         * completion, not a cancel.
         */
        SINGLE_OR_DEFAULT,
        /** The last item, at completion; fails on an empty publisher. */
        LAST,
        /** Completion, ignoring items; the result is null. */
        COMPLETION
    }
}
