package io.aiobridge;

import io.aiobridge.internal.Failures;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Something {@code async with} can manage: the counterpart of {@code __aenter__}/{@code
 * __aexit__}. {@link #with} runs a body inside it with Python's full exit semantics: the body's
 * exception (or null) is passed to {@link #aexit}, which may suppress it by returning true or
 * raise another.
 *
 * <pre>{@code
 * String v = AsyncContextManager.with(resource, r -> use(r));      // async with resource as r:
 * }</pre>
 *
 * <p>Java's try-with-resources cannot pass the body's exception to the close method nor let it
 * suppress that exception, hence the lambda body.
 *
 * @param <T> what {@link #aenter()} returns (the {@code as} target)
 */
public interface AsyncContextManager<T> {
    /**
     * Enters the context; may await.
     *
     * @return the value bound by {@code as}
     */
    T aenter();

    /**
     * Exits the context; may await.
     *
     * @param error the body's exception, or null if it completed normally
     * @return true to suppress {@code error}
     * @throws Exception a new exception, which replaces {@code error} (which it carries as a
     *     suppressed exception)
     */
    boolean aexit(Throwable error) throws Exception;

    /**
     * The body of an {@code async with}.
     *
     * @param <T> the managed value type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Body<T, R> {
        /**
         * Runs the body.
         *
         * @param value what the manager's aenter returned
         * @return the result
         * @throws Exception anything; passed to aexit
         */
        R run(T value) throws Exception;
    }

    /**
     * {@code async with manager as value: body}.
     *
     * @param manager the context manager
     * @param body the body
     * @param <T> the managed value type
     * @param <R> the result type
     * @return the body's result, or null if aexit suppressed the body's exception
     */
    static <T, R> R with(AsyncContextManager<T> manager, Body<? super T, R> body) {
        Objects.requireNonNull(manager, "manager is null");
        Objects.requireNonNull(body, "body is null");
        T value = manager.aenter();
        R result;
        try {
            result = body.run(value);
        } catch (Throwable error) {
            boolean suppress;
            try {
                suppress = manager.aexit(error);
            } catch (Throwable replacement) {
                if (!(manager instanceof AsyncExitStack)) {
                    // Python's implicit __context__; a stack chained what it did not suppress
                    Failures.chain(replacement, error);
                }
                throw Failures.rethrowable(replacement);
            }
            if (suppress) {
                return null;
            }
            throw Failures.rethrowable(error);
        }
        try {
            manager.aexit(null);
        } catch (Exception e) {
            throw Failures.rethrowable(e);
        }
        return result;
    }

    /**
     * {@code async with a as x, b as y: body}: b is entered inside a, and exits first.
     *
     * @param a the outer manager
     * @param b the inner manager
     * @param body the body
     * @param <A> the outer value type
     * @param <B> the inner value type
     * @param <R> the result type
     * @return the body's result (null if suppressed)
     */
    static <A, B, R> R with(AsyncContextManager<A> a, AsyncContextManager<B> b,
            BiFunction<? super A, ? super B, R> body) {
        Objects.requireNonNull(body, "body is null");
        Objects.requireNonNull(b, "b is null");
        return with(a, x -> with(b, y -> body.apply(x, y)));
    }

    /**
     * A manager that enters to {@code value} and does nothing at exit: {@code
     * contextlib.nullcontext}, for code where a manager is optional.
     *
     * <pre>{@code
     * AsyncContextManager<AsyncLock> guard = shared ? lock : AsyncContextManager.nullContext(null);
     * }</pre>
     *
     * @param value what {@link #aenter()} returns (may be null)
     * @param <T> its type
     * @return the manager
     */
    static <T> AsyncContextManager<T> nullContext(T value) {
        return new AsyncContextManager<>() {
            @Override
            public T aenter() {
                return value;
            }

            @Override
            public boolean aexit(Throwable error) {
                return false;
            }

            @Override
            public String toString() {
                return "<nullContext " + value + ">";
            }
        };
    }

    /**
     * A manager that enters to {@code iterator} and closes it at exit, however the block ends:
     * {@code contextlib.aclosing}. An async generator's {@code finally} blocks then run when the
     * block ends, not when the loop shuts down.
     *
     * <pre>{@code
     * AsyncContextManager.with(AsyncContextManager.aclosing(lines(file)), it -> {
     *     return it.anext().await();       // the first line; the generator is closed after it
     * });
     * }</pre>
     *
     * @param iterator what to close
     * @param <I> its type
     * @return the manager
     */
    static <I extends AsyncIterator<?>> AsyncContextManager<I> aclosing(I iterator) {
        Objects.requireNonNull(iterator, "iterator is null");
        return new AsyncContextManager<>() {
            @Override
            public I aenter() {
                return iterator;
            }

            @Override
            public boolean aexit(Throwable error) {
                iterator.aclose();
                return false;
            }

            @Override
            public String toString() {
                return "<aclosing " + iterator + ">";
            }
        };
    }
}
