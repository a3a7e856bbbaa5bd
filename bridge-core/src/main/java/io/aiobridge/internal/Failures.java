package io.aiobridge.internal;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The runtime's one rule for failures crossing an await or a scope: unchecked exceptions and
 * errors pass as themselves (the same object); a checked exception is wrapped in a {@link
 * CompletionException}.
 */
public final class Failures {
    private Failures() {}

    /**
     * The exception to throw for {@code e}: {@code throw Failures.rethrowable(e);}. Errors are
     * thrown from here directly.
     *
     * @param e the failure
     * @return a runtime exception to throw
     */
    public static RuntimeException rethrowable(Throwable e) {
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new CompletionException(e);
    }

    /**
     * The failure {@link #rethrowable} wrapped: the checked exception inside a {@link
     * CompletionException}, else {@code e} itself. Where a failure leaves the runtime for a
     * library that matches on its type (a Reactive Streams {@code onError}), it must be the
     * original.
     *
     * @param e a failure caught from an await
     * @return the original failure
     */
    public static Throwable unwrap(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null
                && !(e.getCause() instanceof RuntimeException) && !(e.getCause() instanceof Error)) {
            return e.getCause();
        }
        return e;
    }

    /**
     * Runs an await, giving back an {@link IOException} failure as itself: the await wraps
     * checked exceptions in {@link CompletionException} (docs/design.md), while the I/O methods
     * declare {@code throws IOException}.
     *
     * @param await the await
     * @param <T> the result type
     * @return the result
     * @throws IOException the failure, if it is one
     */
    public static <T> T awaitIo(Supplier<T> await) throws IOException {
        try {
            return await.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }
}
