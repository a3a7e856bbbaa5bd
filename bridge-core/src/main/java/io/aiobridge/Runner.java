package io.aiobridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs coroutines on a loop it owns, then shuts everything down: the counterpart of {@code
 * asyncio.Runner}. {@link Aio#run} is a runner used once.
 *
 * <pre>{@code
 * try (Runner runner = new Runner()) {
 *     runner.run(() -> setUp());
 *     runner.run(() -> serve());
 * }
 * }</pre>
 *
 * <p>All runs share one context, so context variables set by one run are seen by the next. Closing
 * cancels the tasks still running and waits for them, reports any that failed meanwhile to the
 * exception handler, closes the async generators still open, shuts the default executor down and
 * closes the loop.
 *
 * <p><b>Threading:</b> use a runner from one thread at a time, never from inside a running loop.
 */
public final class Runner implements AutoCloseable {
    private enum State { CREATED, INITIALIZED, CLOSED }

    private final Supplier<EventLoop> loopFactory;
    private final Boolean debug;
    private State state = State.CREATED;
    private EventLoop loop;
    private Context context;

    /** A runner with a new real-time loop. */
    public Runner() {
        this(EventLoop::newEventLoop, null);
    }

    /**
     * A runner whose loop comes from {@code loopFactory}, in debug mode if {@code debug} is true
     * (null leaves the loop's setting).
     *
     * @param loopFactory makes the loop, e.g. {@code EventLoop::newVirtualTimeEventLoop}
     * @param debug the debug mode, or null
     */
    public Runner(Supplier<EventLoop> loopFactory, Boolean debug) {
        this.loopFactory = Objects.requireNonNull(loopFactory, "loopFactory is null");
        this.debug = debug;
    }

    private void lazyInit() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("Runner is closed; create a new one");
        }
        if (state == State.INITIALIZED) {
            return;
        }
        loop = Objects.requireNonNull(loopFactory.get(), "the loop factory returned null");
        if (debug != null) {
            loop.setDebug(debug);
        }
        context = Context.copyCurrent();
        state = State.INITIALIZED;
    }

    /**
     * The runner's loop, created on first use.
     *
     * @return the loop
     */
    public EventLoop getLoop() {
        lazyInit();
        return loop;
    }

    /**
     * Runs {@code coro} as a task on the runner's loop and returns its result. As asyncio's runner
     * does on Ctrl-C, an {@link Thread#interrupt() interrupt} of the calling thread cancels the
     * task; once it has finished, this throws {@link CancelledError} (unless the task suppressed
     * it) with the interrupt status set. {@link #close()} then still cleans up: an interrupt
     * during it is only set again at its end.
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return the result
     * @throws IllegalStateException if called from a running loop or after close
     */
    public <T> T run(Coroutine<T> coro) {
        return run(coro, null);
    }

    /**
     * Runs {@code coro} as a task in {@code context} ({@code runner.run(coro, context=ctx)}):
     * the task runs in that context itself, so what it sets stays there, instead of in the
     * runner's shared context.
     *
     * @param coro the coroutine
     * @param context the context, or null for the runner's own
     * @param <T> the result type
     * @return the result
     * @throws IllegalStateException if called from a running loop or after close
     */
    public <T> T run(Coroutine<T> coro, Context context) {
        Objects.requireNonNull(coro, "coro is null");
        if (BaseEventLoop.ofCurrentThread() != null) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event"
                    + " loop; await the coroutine, or create a task, instead");
        }
        lazyInit();
        Task<T> task = loop.createTask(coro, null, context != null ? context : this.context);
        return loop.runUntilComplete(task);
    }

    @Override
    public void close() {
        if (state != State.INITIALIZED) {
            state = State.CLOSED;
            return;
        }
        try {
            ((BaseEventLoop) loop).deferInterrupts(() -> {
                cancelAllTasks();
                loop.runUntilComplete(loop.shutdownAsyncgens());
                loop.runUntilComplete(loop.shutdownDefaultExecutor());
            });
        } finally {
            loop.close();
            loop = null;
            state = State.CLOSED;
        }
    }

    private void cancelAllTasks() {
        BaseEventLoop l = (BaseEventLoop) loop;
        List<Task<?>> toCancel = new ArrayList<>(l.liveTasks());
        if (toCancel.isEmpty()) {
            return;
        }
        for (Task<?> t : toCancel) {
            t.cancel();
        }
        l.runUntilComplete(Gather.gather(l, toCancel, true, x -> null));
        for (Task<?> t : toCancel) {
            if (!t.isCancelled() && t.exception() != null) {
                l.callExceptionHandler(new ErrorContext(
                        "unhandled exception during Aio.run() shutdown", t.exception(), t, null,
                        null));
            }
        }
    }

    @Override
    public String toString() {
        return "<Runner " + state.name().toLowerCase() + (loop != null ? " " + loop : "") + ">";
    }
}
