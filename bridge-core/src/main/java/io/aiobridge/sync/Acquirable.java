package io.aiobridge.sync;

import io.aiobridge.AsyncContextManager;
import io.aiobridge.Coroutine;

/**
 * A primitive with acquire/release: a lock, a semaphore, a condition's lock. It is an {@link
 * AsyncContextManager} ({@code async with}), and offers the body-scoped and try-with-resources
 * forms.
 *
 * @param <S> the primitive's own type, returned by {@link #aenter()}
 */
public interface Acquirable<S> extends AsyncContextManager<S> {
    /** Acquires, waiting (FIFO) if needed. */
    void acquire();

    /** Releases. */
    void release();

    /**
     * Runs {@code body} between acquire and release; releases however the body ends.
     *
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     */
    default <T> T scoped(Coroutine<T> body) {
        acquire();
        return Scopes.around(body, this::release);
    }

    /**
     * Acquires and returns a {@link Held} that releases, for try-with-resources.
     *
     * @return the held primitive
     */
    default Held hold() {
        acquire();
        return Scopes.once(this::release);
    }

    /**
     * Acquires, as {@code async with}'s enter.
     *
     * @return this primitive
     */
    @Override
    @SuppressWarnings("unchecked")
    default S aenter() {
        acquire();
        return (S) this;
    }

    /**
     * Releases, as {@code async with}'s exit; never suppresses.
     *
     * @param error the body's exception, or null
     * @return false
     */
    @Override
    default boolean aexit(Throwable error) {
        release();
        return false;
    }
}
