package io.aiobridge.internal;

import java.util.concurrent.CompletionException;

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
}
