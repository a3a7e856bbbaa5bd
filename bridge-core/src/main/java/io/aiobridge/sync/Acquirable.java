package io.aiobridge.sync;

import io.aiobridge.AsyncContextManager;

/**
 * A primitive with acquire/release: a lock, a semaphore, a condition's lock. The one way to hold
 * it for a block is try-with-resources, {@code async with}'s Java form:
 *
 * <pre>{@code
 * try (Held held = lock.hold()) {
 *     ...   // may await; released however the block ends
 * }
 * }</pre>
 *
 * <p>It is also an {@link AsyncContextManager}, so it composes with {@code AsyncExitStack} like
 * any other.
 *
 * @param <S> the primitive's own type, returned by {@link #aenter()}
 */
public interface Acquirable<S> extends AsyncContextManager<S> {
    /** Acquires, waiting (FIFO) if needed. */
    void acquire();

    /** Releases. */
    void release();


    /**
     * Acquires and returns a {@link Held} that releases, for try-with-resources.
     *
     * @return the held primitive
     */
    default Held hold() {
        acquire();
        return new Held() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) { // closing twice releases once
                    closed = true;
                    release();
                }
            }
        };
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
