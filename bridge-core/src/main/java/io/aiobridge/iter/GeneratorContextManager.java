package io.aiobridge.iter;

import io.aiobridge.AsyncContextManager;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.internal.Failures;
import java.util.Objects;

/**
 * A context manager written as a generator that yields once: the counterpart of {@code
 * @contextlib.asynccontextmanager}. The code before the yield is the enter, the yielded value is
 * the {@code as} target, and the code after it (usually in a {@code finally}) is the exit. An
 * exception from the {@code async with} body is raised at the yield: if the generator catches it
 * and finishes, it is suppressed.
 *
 * <pre>{@code
 * AsyncContextManager<Conn> connection = GeneratorContextManager.of(y -> {
 *     Conn c = connect();
 *     try {
 *         y.yield(c);
 *     } finally {
 *         c.close();
 *     }
 * });
 * }</pre>
 *
 * <p>Each {@link #aenter()} starts a fresh run of the body, so one instance can be entered again
 * after it exited (not while it is entered).
 *
 * @param <T> the yielded value type
 */
public final class GeneratorContextManager<T> implements AsyncContextManager<T> {
    private final AsyncGenerator.Body<T, Void> body;
    private AsyncGenerator<T, Void> gen;

    private GeneratorContextManager(AsyncGenerator.Body<T, Void> body) {
        this.body = body;
    }

    /**
     * A context manager from a generator body that yields exactly once.
     *
     * @param body the body
     * @param <T> the yielded value type
     * @return the context manager
     */
    public static <T> GeneratorContextManager<T> of(AsyncGenerator.Body<T, Void> body) {
        return new GeneratorContextManager<>(Objects.requireNonNull(body, "body is null"));
    }

    @Override
    public T aenter() {
        if (gen != null) {
            throw new IllegalStateException("cannot reenter " + this + "; create a new one with"
                    + " GeneratorContextManager.of(...)");
        }
        gen = AsyncGenerator.of(body);
        try {
            return gen.anext().await();
        } catch (StopAsyncIteration e) {
            gen = null;
            throw new IllegalStateException("generator didn't yield");
        }
    }

    @Override
    public boolean aexit(Throwable error) throws Exception {
        AsyncGenerator<T, Void> g = gen;
        if (g == null) {
            throw new IllegalStateException("aexit() on " + this + ", which is not entered: call"
                    + " aenter() first, or use AsyncContextManager.with(...)");
        }
        gen = null;
        if (error == null) {
            try {
                g.anext().await();
            } catch (StopAsyncIteration end) {
                return false;
            }
            g.aclose();
            throw new IllegalStateException("generator didn't stop");
        }
        try {
            g.athrow(error).await();
        } catch (StopAsyncIteration end) {
            // the generator caught the error and finished: suppressed; unless the end signal is
            // the body's own error, which the generator let through
            return end != error;
        } catch (Throwable thrown) {
            Throwable raised = Failures.unwrap(thrown); // the await wraps a checked exception
            if (raised == error) {
                return false; // it let the error through
            }
            if (error instanceof StopAsyncIteration && raised instanceof IllegalStateException
                    && raised.getCause() == error) {
                // wrapped by PEP 479's rule or by the generator itself: no telling which, so
                // the body's own end signal propagates, as CPython does
                return false;
            }
            if (raised instanceof Exception ex) {
                throw ex;
            }
            throw (Error) raised; // a cancellation stays one
        }
        g.aclose();
        throw new IllegalStateException("generator didn't stop after athrow()");
    }

    @Override
    public String toString() {
        return "<GeneratorContextManager " + (gen == null ? "idle" : "entered") + ">";
    }
}
