package io.aiobridge.sync;

/**
 * A held lock or permit, released by {@link #close()}: for try-with-resources, where the release
 * cannot fail.
 *
 * <pre>{@code
 * try (Held held = lock.hold()) {
 *     // critical section; may await
 * }
 * }</pre>
 *
 * <p>Closing twice releases once.
 */
@FunctionalInterface
public interface Held extends AutoCloseable {
    /** Releases what was acquired. */
    @Override
    void close();
}
