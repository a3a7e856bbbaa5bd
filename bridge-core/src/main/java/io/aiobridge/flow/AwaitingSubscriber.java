package io.aiobridge.flow;

import io.aiobridge.AioFuture;
import org.reactivestreams.Subscriber;

/**
 * A {@link Subscriber} whose outcome is a future of its loop: what the {@code Publishers.await*}
 * functions use, for code that subscribes by hand (from any thread) and awaits later. Made by
 * {@link Publishers#awaiting}.
 *
 * @param <T> the item type
 */
public interface AwaitingSubscriber<T> extends Subscriber<T> {
    /**
     * The outcome, as the mode says: the first, single or last item, or null on completion.
     *
     * @return a future of the subscriber's loop
     */
    AioFuture<T> result();

    /** Cancels the subscription; the result stays pending unless it was already settled. */
    void cancel();

    /** What the subscriber waits for. */
    enum Mode {
        /** The first item; cancels after it; fails on an empty publisher. */
        FIRST,
        /** The first item, or the default value on an empty publisher. */
        FIRST_OR_DEFAULT,
        /** The only item; fails on none or on a second one. */
        SINGLE,
        /** The last item, at completion; fails on an empty publisher. */
        LAST,
        /** Completion, ignoring items; the result is null. */
        COMPLETION
    }
}
