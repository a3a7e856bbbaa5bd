package io.aiobridge;

import java.util.Locale;
import java.util.Objects;

/**
 * A deadline around a block of code: the counterpart of {@code asyncio.timeout} / {@code
 * asyncio.timeout_at}. When the deadline passes, the task running the block is cancelled; the
 * block's {@link CancelledError} is turned into an {@link AsyncTimeoutException} when the scope
 * exits, unless someone else also cancelled the task (then the cancellation goes on).
 *
 * <pre>{@code
 * String page = Timeout.after(2.0, t -> fetch(url));          // AsyncTimeoutException after 2 s
 * Timeout.after(1.0, t -> { t.reschedule(t.when() + 5); return work(); });
 *
 * Timeout cm = Timeout.after(2.0);                             // async with timeout(2) as cm:
 * try { cm.run(t -> fetch(url)); } catch (AsyncTimeoutException e) { ... }
 * if (cm.expired()) { ... }                                     // cm after the block
 * }</pre>
 *
 * <p>Because Java's try-with-resources cannot replace the exception of its body, the scope takes
 * the body as a lambda. Checked exceptions from the body arrive wrapped in {@link
 * java.util.concurrent.CompletionException}.
 *
 * <p><b>States</b> (as asyncio's {@code _State}): created, active, expiring (the deadline passed and
 * the task was cancelled), expired (the scope exited after expiring), finished.
 *
 * <p><b>Threading:</b> loop-confined; used by the task that entered it. {@link #reschedule} from
 * another thread, while the loop runs, throws {@link WrongThreadException} and keeps the deadline;
 * hand it to the loop with {@code loop.callSoonThreadsafe(() -> t.reschedule(when))}.
 */
public final class Timeout {

    /**
     * The code a timeout scope runs.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Runs the body.
         *
         * @param timeout the scope, to read or move its deadline
         * @return the result
         * @throws Exception anything
         */
        T run(Timeout timeout) throws Exception;
    }

    private enum State {
        CREATED("created"), ENTERED("active"), EXPIRING("expiring"), EXPIRED("expired"),
        EXITED("finished");

        final String label;

        State(String label) {
            this.label = label;
        }
    }

    private State state = State.CREATED;
    private Double when;
    /** The delay it was created with, for the timeout's message; null for a deadline. */
    private final Double delay;
    /** Loop time at entry: a deadline's message says how long the body had. */
    private double enteredAt;
    private Handle handler;
    private Task<?> task;
    private int cancellingAtEntry;
    private BaseEventLoop loop;

    private Timeout(Double when, Double delay) {
        this.when = when;
        this.delay = delay;
    }

    /**
     * A timeout scope, not yet entered, with a deadline {@code delay} seconds from now (as
     * {@code asyncio.timeout(delay)}, the deadline is fixed here, not at {@link #run}). Use it
     * when the code after the block needs the scope, as Python's {@code as cm}.
     *
     * @param delay seconds, or null for no deadline
     * @return the scope; {@link #run} enters it
     * @throws IllegalStateException "no running event loop" outside a loop
     */
    public static Timeout after(Double delay) {
        Times.checkOrNull(delay, "delay");
        EventLoop loop = Aio.getRunningLoop();
        return new Timeout(delay == null ? null : loop.time() + delay, delay);
    }

    /**
     * As {@link #after(Double)} with a delay in seconds.
     *
     * @param delay seconds (negative: now; infinite: never)
     * @return the scope
     */
    public static Timeout after(double delay) {
        return after((Double) Times.check(delay, "delay"));
    }

    /**
     * A timeout scope, not yet entered, with a deadline at {@code when} on the loop's clock
     * ({@code asyncio.timeout_at}).
     *
     * @param when the deadline, or null for none
     * @return the scope; {@link #run} enters it
     */
    public static Timeout at(Double when) {
        return new Timeout(Times.checkOrNull(when, "when"), null);
    }

    /**
     * Enters the scope and runs {@code body} under its deadline; once.
     *
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline passed and cancelled the body
     * @throws IllegalStateException "Timeout has already been entered" on a second use,
     *     "Timeout should be used inside a task" outside one
     */
    public <T> T run(Body<T> body) {
        Objects.requireNonNull(body, "body is null");
        if (state != State.CREATED) {
            throw new IllegalStateException("Timeout has already been entered; a scope runs"
                    + " once: create another with Timeout.after(...)");
        }
        Task<?> t = Aio.currentTask();
        if (t == null) {
            throw new IllegalStateException("Timeout should be used inside a task; wrap the"
                    + " code in Aio.createTask(...) or Aio.run(...)");
        }
        return run(t, body);
    }

    /**
     * Runs {@code body} with a deadline {@code delay} seconds from now.
     *
     * @param delay seconds, or null for no deadline (one may be set later with {@link
     *     #reschedule})
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline passed and cancelled the body
     */
    public static <T> T after(Double delay, Body<T> body) {
        Times.checkOrNull(delay, "delay");
        Task<?> t = Task.currentOrThrow("Timeout.after()");
        return new Timeout(delay == null ? null : t.loop.time() + delay, delay).run(t, body);
    }

    /**
     * As {@link #after(Double, Body)} with a delay in seconds.
     *
     * @param delay seconds (negative: now; infinite: never)
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline passed and cancelled the body
     */
    public static <T> T after(double delay, Body<T> body) {
        return after((Double) Times.check(delay, "delay"), body);
    }


    /**
     * Runs {@code body} with a deadline at {@code when} on the loop's {@link EventLoop#time()}
     * clock.
     *
     * @param when the deadline, or null for none
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline passed and cancelled the body
     */
    public static <T> T at(Double when, Body<T> body) {
        Times.checkOrNull(when, "when");
        Task<?> t = Task.currentOrThrow("Timeout.at()");
        return new Timeout(when, null).run(t, body);
    }

    /**
     * As {@link #at(Double, Body)} with a deadline in seconds on the loop's clock.
     *
     * @param when the deadline (infinite: never)
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline passed and cancelled the body
     */
    public static <T> T at(double when, Body<T> body) {
        return at((Double) Times.check(when, "when"), body);
    }

    private <T> T run(Task<?> t, Body<T> body) {
        Objects.requireNonNull(body, "body is null");
        state = State.ENTERED;
        task = t;
        loop = t.loop;
        enteredAt = loop.time();
        cancellingAtEntry = t.cancelling();
        reschedule(when);
        T result = null;
        Throwable error = null;
        try {
            result = body.run(this);
        } catch (Throwable e) {
            error = e;
        }
        Throwable raised = exit(error);
        if (raised != null) {
            throw AsyncFuture.rethrowable(raised);
        }
        return result;
    }

    private Throwable exit(Throwable error) {
        if (handler != null) {
            handler.cancel();
            handler = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            if (task.uncancel() <= cancellingAtEntry && error instanceof CancelledError) {
                // no other cancel request arrived meanwhile: this cancellation is ours
                return new AsyncTimeoutException(delay != null
                        ? "the timeout of " + delay + " s expired"
                        : String.format(Locale.ROOT, "the deadline passed %.3f s after the"
                                + " timeout was entered (deadline %.3f on the loop's clock)",
                                when - enteredAt, when), error);
            }
        } else if (state == State.ENTERED) {
            state = State.EXITED;
        }
        return error;
    }

    private void onTimeout() {
        task.cancel();
        state = State.EXPIRING;
        handler = null;
    }

    /**
     * The deadline on the loop's clock, or null if there is none.
     *
     * @return the deadline
     */
    public Double when() {
        return when;
    }

    /**
     * Moves the deadline (null removes it). A deadline in the past expires the scope on the next
     * loop iteration.
     *
     * @param newWhen the new deadline, or null
     * @throws IllegalStateException if the scope is not active (already expiring, expired or
     *     finished)
     * @throws WrongThreadException from a thread other than the loop's while it runs
     */
    public void reschedule(Double newWhen) {
        Times.checkOrNull(newWhen, "when");
        if (state == State.CREATED) {
            throw new IllegalStateException("Timeout has not been entered; reschedule() works"
                    + " inside run()");
        }
        loop.checkThread("Timeout.reschedule()");
        if (state != State.ENTERED) {
            throw new IllegalStateException("Cannot change state of " + state.label
                    + " Timeout; the scope has already ended or expired");
        }
        when = newWhen;
        if (handler != null) {
            handler.cancel();
        }
        if (newWhen == null) {
            handler = null;
        } else if (newWhen <= loop.time()) {
            Handle h = new Handle(loop, this::onTimeout, null);
            loop.schedule(h);
            handler = h;
        } else {
            handler = loop.callAtInternal(newWhen, this::onTimeout);
        }
    }

    /**
     * Whether the deadline passed (the scope is expiring or expired).
     *
     * @return true once the deadline cancelled the body
     */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    @Override
    public String toString() {
        return "<Timeout [" + state.label + "]" + (state == State.ENTERED ? " when=" + (when == null ? "None" : when) : "")
                + ">";
    }
}
