package io.aiobridge.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
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
     * Records that {@code replacement} was raised while {@code replaced} was pending, as a
     * suppressed exception: Python's implicit {@code __context__}, the way try-with-resources
     * records it. Nothing is added when {@code replaced} is null, is the replacement itself, or is
     * already linked from it (as a cause or a suppressed exception, at any depth, as a manager
     * that chained it itself leaves it), so no exception is recorded twice.
     *
     * @param replacement the exception now propagating
     * @param replaced the one it replaced, or null
     */
    public static void chain(Throwable replacement, Throwable replaced) {
        if (replaced != null && replacement != replaced && !links(replacement, replaced)) {
            replacement.addSuppressed(replaced);
        }
    }

    /** The most exceptions {@link #chain} looks through before it adds the link anyway. */
    private static final int MAX_LINKS_WALKED = 1_000;

    private static boolean links(Throwable from, Throwable target) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Throwable> next = new ArrayDeque<>();
        next.push(from);
        while (!next.isEmpty() && seen.size() < MAX_LINKS_WALKED) {
            Throwable t = next.pop();
            if (t == target) {
                return true;
            }
            if (seen.add(t)) {
                if (t.getCause() != null) {
                    next.push(t.getCause());
                }
                for (Throwable s : t.getSuppressed()) {
                    next.push(s);
                }
            }
        }
        return false;
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
