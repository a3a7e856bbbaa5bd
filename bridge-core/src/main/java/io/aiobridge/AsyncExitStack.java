package io.aiobridge;

import io.aiobridge.internal.Failures;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A stack of exit callbacks: the counterpart of {@code contextlib.AsyncExitStack}. Contexts entered
 * and callbacks pushed are exited in reverse order when the stack closes; each exit sees the
 * exception pending at that point, may suppress it, or may raise a new one (which carries the one
 * it replaced as a suppressed exception, as Python chains it as {@code __context__}).
 *
 * <pre>{@code
 * AsyncContextManager.with(new AsyncExitStack(), stack -> {
 *     Conn a = stack.enterAsyncContext(open("a"));
 *     Conn b = stack.enterAsyncContext(open("b"));
 *     stack.callback(() -> log("closing"));
 *     return work(a, b);
 * });
 * }</pre>
 *
 * <p><b>Threading:</b> loop-confined.
 */
public final class AsyncExitStack implements AsyncContextManager<AsyncExitStack> {

    /** An exit callback with {@code __aexit__}'s signature. */
    @FunctionalInterface
    public interface Exit {
        /**
         * Exits.
         *
         * @param error the pending exception, or null
         * @return true to suppress it
         * @throws Exception a new exception
         */
        boolean exit(Throwable error) throws Exception;
    }

    /**
     * A stack entered into this one. It chained what its exits replaced itself, so what it
     * raises is not chained again to the exception it was given, which it may have suppressed
     * before an exit raised: Python's {@code AsyncExitStack.__aexit__} restores the context it
     * computed for the same reason.
     */
    private record Nested(AsyncExitStack stack) implements Exit {
        @Override
        public boolean exit(Throwable error) throws Exception {
            return stack.aexit(error);
        }
    }

    private ArrayDeque<Exit> exits = new ArrayDeque<>();

    /** An empty stack. */
    public AsyncExitStack() {}

    /**
     * Enters {@code manager} and pushes its exit.
     *
     * @param manager the context manager
     * @param <T> its value type
     * @return what its aenter returned
     */
    public <T> T enterAsyncContext(AsyncContextManager<T> manager) {
        Objects.requireNonNull(manager, "manager is null");
        T value = manager.aenter();
        exits.addLast(manager instanceof AsyncExitStack nested ? new Nested(nested) : manager::aexit);
        return value;
    }

    /**
     * Pushes {@code resource}'s {@code close()}: the counterpart of {@code enter_context} for a
     * synchronous manager. It runs in its turn at exit; an exception it throws replaces the
     * pending one, as an exit's would.
     *
     * <pre>{@code
     * AsyncContextManager.with(new AsyncExitStack(), stack -> {
     *     InputStream in = stack.enterContext(Files.newInputStream(path));
     *     Conn c = stack.enterAsyncContext(open("a"));
     *     return copy(in, c);        // c exits, then in is closed
     * });
     * }</pre>
     *
     * @param resource the resource, already open
     * @param <R> its type
     * @return {@code resource}
     */
    public <R extends AutoCloseable> R enterContext(R resource) {
        Objects.requireNonNull(resource, "resource is null");
        exits.addLast(e -> {
            resource.close();
            return false;
        });
        return resource;
    }

    /**
     * Pushes an exit callback.
     *
     * @param exit the callback
     */
    public void push(Exit exit) {
        exits.addLast(Objects.requireNonNull(exit, "exit is null"));
    }

    /**
     * Pushes a callback that runs at exit and does not see or suppress exceptions.
     *
     * @param callback the callback (may await)
     */
    public void callback(Coroutine<?> callback) {
        Objects.requireNonNull(callback, "callback is null");
        exits.addLast(e -> {
            callback.call();
            return false;
        });
    }

    /**
     * Moves every pushed exit to a new stack, leaving this one empty.
     *
     * @return the new stack
     */
    public AsyncExitStack popAll() {
        AsyncExitStack moved = new AsyncExitStack();
        moved.exits = exits;
        exits = new ArrayDeque<>();
        return moved;
    }

    /** Runs every exit, newest first, with no exception pending. */
    public void aclose() {
        try {
            aexit(null);
        } catch (Exception e) {
            throw Failures.rethrowable(e);
        }
    }

    @Override
    public AsyncExitStack aenter() {
        return this;
    }

    @Override
    public boolean aexit(Throwable error) throws Exception {
        Throwable pending = error;
        boolean suppressed = false;
        boolean raised = false;
        while (!exits.isEmpty()) {
            Exit exit = exits.pollLast();
            try {
                if (exit.exit(pending)) {
                    suppressed = true;
                    raised = false;
                    pending = null;
                }
            } catch (Throwable replacement) {
                if (!(exit instanceof Nested)) {
                    Failures.chain(replacement, pending);
                }
                pending = replacement;
                raised = true;
            }
        }
        if (raised) {
            if (pending instanceof Exception e) {
                throw e; // as itself, checked or not: with() applies the await rule
            }
            throw (Error) pending;
        }
        return error != null && suppressed;
    }

    @Override
    public String toString() {
        return "<AsyncExitStack exits=" + exits.size() + ">";
    }
}
