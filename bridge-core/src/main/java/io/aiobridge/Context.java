package io.aiobridge;

import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * A set of {@link ContextVar} values: the counterpart of {@code contextvars.Context}.
 *
 * <p>Every thread has a current context; inside an event loop, the code running now (a task or a
 * callback) has one. A task runs in its own context, a copy taken when the task
 * was created, so a value a task sets is seen by that task and the tasks it creates later, never by
 * its parent. A callback runs in the context captured when it was scheduled.
 *
 * <p><b>Invariant:</b> {@code data} is an immutable snapshot; {@link ContextVar#set} replaces it
 * with a new snapshot. Copying is therefore O(1) and a copy never sees later changes of its source.
 *
 * <p><b>Threading:</b> a context may be read from any thread. It may be entered with {@link #run}
 * by one thread at a time; entering a context that is already entered fails, as in Python.
 */
public final class Context {
    private static final ThreadLocal<Context> CURRENT = ThreadLocal.withInitial(Context::new);

    volatile VarMap data;
    private volatile boolean entered;

    /** Creates an empty context. */
    public Context() {
        this.data = VarMap.EMPTY;
    }

    private Context(VarMap data) {
        this.data = data;
    }

    /**
     * A copy of the current thread's context, as {@code contextvars.copy_context()}.
     *
     * @return a new context with the same values
     */
    public static Context copyCurrent() {
        return new Context(currentData()); // a task's own context is not made just to copy it
    }

    /** The values of the current thread's context, as {@link #copyCurrent()} copies them. */
    static VarMap currentData() {
        BaseEventLoop loop = BaseEventLoop.ofCurrentThread();
        return loop != null ? loop.currentData() : CURRENT.get().data;
    }

    /** A context holding {@code data} (immutable, so shared with whoever else holds it). */
    static Context withData(VarMap data) {
        return new Context(data);
    }

    /**
     * The current thread's context (inside a task: the task's context).
     *
     * @return the context, never null
     */
    public static Context current() {
        BaseEventLoop loop = BaseEventLoop.ofCurrentThread();
        if (loop != null) {
            Context c = loop.currentContext();
            return c != null ? c : loop.rootContext;
        }
        return CURRENT.get();
    }

    /**
     * A copy of this context.
     *
     * @return a new context with the same values; later changes to either are not seen by the other
     */
    public Context copy() {
        return new Context(data);
    }

    /**
     * Runs {@code body} with this context as the current thread's context, then restores the
     * previous one.
     *
     * @param body the code to run
     * @param <T> the result type
     * @return what {@code body} returns
     * @throws IllegalStateException if this context is already entered
     * @throws RuntimeException what {@code body} throws; a checked exception arrives wrapped in
     *     {@link java.util.concurrent.CompletionException} (the runtime's rule for awaits)
     */
    public <T> T run(Callable<T> body) {
        try {
            return call(body);
        } catch (Exception e) {
            throw AsyncFuture.rethrowable(e);
        }
    }

    /** As {@link #run(Callable)}, letting checked exceptions through unwrapped. */
    <T> T call(Callable<T> body) throws Exception {
        Objects.requireNonNull(body, "body is null");
        Context previous = enter();
        try {
            return body.call();
        } finally {
            exit(previous);
        }
    }

    /**
     * Runs {@code body} with this context as the current thread's context, then restores the
     * previous one.
     *
     * @param body the code to run
     * @throws IllegalStateException if this context is already entered
     */
    public void run(Runnable body) {
        Objects.requireNonNull(body, "body is null");
        Context previous = enter();
        try {
            body.run();
        } finally {
            exit(previous);
        }
    }

    /**
     * Runs {@code r} inside {@code ctx}: at once if it is the current context already (a
     * callback scheduled with it), or null, or entered elsewhere now; else through {@link #run}.
     */
    static void runIn(Context ctx, Runnable r) {
        if (ctx == null || ctx.entered || current() == ctx) {
            r.run();
        } else {
            ctx.run(r);
        }
    }

    /** Whether a thread is inside {@link #run} of this context now. */
    boolean isEntered() {
        return entered;
    }

    private Context enter() {
        if (entered) {
            throw new IllegalStateException("cannot enter context: " + this
                    + " is already entered; run a copy() instead");
        }
        entered = true;
        BaseEventLoop loop = BaseEventLoop.ofCurrentThread();
        if (loop != null) {
            return loop.swapContext(this);
        }
        Context previous = CURRENT.get();
        CURRENT.set(this);
        return previous;
    }

    private void exit(Context previous) {
        BaseEventLoop loop = BaseEventLoop.ofCurrentThread();
        if (loop != null) {
            loop.swapContext(previous);
        } else {
            CURRENT.set(previous);
        }
        entered = false;
    }

    /**
     * The value of {@code var} in this context: {@code ctx[var]}.
     *
     * @param var the variable
     * @param <T> the value type
     * @return the value (may be null)
     * @throws NoSuchElementException if {@code var} is not set here (Python's KeyError)
     */
    public <T> T get(ContextVar<T> var) {
        Objects.requireNonNull(var, "var is null");
        Object v = data.get(var);
        if (v == VarMap.ABSENT) {
            throw new NoSuchElementException(var + "; it is not set in " + this);
        }
        @SuppressWarnings("unchecked")
        T t = (T) v;
        return t;
    }

    /**
     * The value of {@code var} in this context, or {@code fallback}: {@code ctx.get(var,
     * default)}.
     *
     * @param var the variable
     * @param fallback what to return when {@code var} is not set here
     * @param <T> the value type
     * @return the value or the fallback
     */
    public <T> T get(ContextVar<T> var, T fallback) {
        Objects.requireNonNull(var, "var is null");
        Object v = data.get(var);
        @SuppressWarnings("unchecked")
        T t = v == VarMap.ABSENT ? fallback : (T) v;
        return t;
    }

    /**
     * The variables set in this context: {@code ctx.keys()}.
     *
     * @return an unmodifiable set, in the order they were first set
     */
    public Set<ContextVar<?>> keys() {
        return snapshot().keySet();
    }

    /**
     * Whether {@code var} has a value in this context.
     *
     * @param var the variable
     * @return true if set here
     */
    public boolean contains(ContextVar<?> var) {
        Objects.requireNonNull(var, "var is null: a ContextVar key was expected");
        return data.get(var) != VarMap.ABSENT;
    }

    /**
     * The variables set in this context and their values, as an unmodifiable snapshot (later
     * changes are not reflected). For bridges that carry context variables into another library's
     * context.
     *
     * @return the snapshot, in the order the variables were first set
     */
    public Map<ContextVar<?>, Object> snapshot() {
        return data.toMap();
    }

    /**
     * The number of variables set in this context.
     *
     * @return the count
     */
    public int size() {
        return data.size();
    }

    @Override
    public String toString() {
        return "<Context vars=" + data + (entered ? " entered" : "") + ">";
    }
}
