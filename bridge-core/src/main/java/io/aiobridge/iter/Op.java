package io.aiobridge.iter;

import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.StopAsyncIteration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An operator's iterator: the skeleton every operator of {@link Itertools} and {@link Concurrent}
 * is built on. <b>Invariant:</b> it closes its upstream iterators exactly once, when its consumer
 * closes it or when it ends early by itself; after that every {@code anext} raises {@link
 * StopAsyncIteration}.
 */
abstract class Op<T> implements AsyncIterator<T> {
    private final List<AsyncIterator<?>> upstreams = new ArrayList<>(2);
    private boolean closed;

    <U> AsyncIterator<U> upstream(AsyncIterator<U> it) {
        upstreams.add(it);
        return it;
    }

    /** The next item; throws StopAsyncIteration at the end. */
    abstract T next();

    @Override
    public final Awaitable<T> anext() {
        return this::pull;
    }

    private T pull() {
        if (closed) {
            throw new StopAsyncIteration();
        }
        try {
            return next();
        } catch (StopAsyncIteration end) {
            aclose();
            throw end;
        }
    }

    /** Ends the iteration early: closes the upstreams, then signals the end. */
    StopAsyncIteration stopEarly() {
        aclose();
        return new StopAsyncIteration();
    }

    @Override
    public void aclose() {
        if (closed) {
            return;
        }
        closed = true;
        onClose();
        Throwable first = null;
        for (int i = upstreams.size() - 1; i >= 0; i--) {
            try {
                upstreams.get(i).aclose();
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
    }

    void onClose() {}

    /** An iterable whose every aiter() makes a new operator iterator. */
    static <T> AsyncIterable<T> lazy(Supplier<Op<T>> pipeline) {
        return pipeline::get;
    }

    /** Awaits the next item of {@code it}. */
    static <T> T await(AsyncIterator<T> it) {
        return it.anext().await();
    }
}
