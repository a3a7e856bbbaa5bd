package io.aiobridge;



/**
 * The asyncio iterator protocol: {@link #anext()} returns an awaitable of the next item, and
 * awaiting it at the end raises {@link StopAsyncIteration} ({@code __anext__}). {@link #aclose()}
 * releases what the iterator holds when the consumer stops early: an async generator runs its
 * {@code finally} blocks, an operator closes its upstream.
 *
 * <p><b>Threading:</b> awaiting must happen in a task of the iterator's loop.
 *
 * @param <T> the item type
 */
public interface AsyncIterator<T> {
    /**
     * An awaitable of the next item ({@code __anext__}).
     *
     * @return the awaitable; awaiting it raises {@link StopAsyncIteration} at the end
     */
    Awaitable<T> anext();

    /** Stops the iteration early and releases what it holds; idempotent. Default: nothing. */
    default void aclose() {}
}
