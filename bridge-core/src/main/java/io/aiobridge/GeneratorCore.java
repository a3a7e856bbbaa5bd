package io.aiobridge;

import io.aiobridge.internal.Abandoned;
import io.aiobridge.internal.Failures;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The state and the body of an {@link AsyncGenerator}, apart from the handle user code holds: the
 * body's thread, parked at a {@code yield}, references this and never the handle (a parked virtual
 * thread is reachable for as long as it lives), so a handle dropped unfinished can be collected;
 * its phantom then reaches {@link Abandoned}'s thread, which has the loop close this (asyncio's
 * asyncgen finalizer hook). See {@link AsyncGenerator} for the protocol. Loop-confined.
 *
 * @param <T> the yielded item type
 * @param <S> the sent value type
 */
final class GeneratorCore<T, S> {
    private enum State { CREATED, SUSPENDED, RUNNING, CLOSED }

    private final AsyncGenerator.Body<T, S> body;
    private State state = State.CREATED;
    private Thread thread;
    private BaseEventLoop loop;
    // consumer -> body
    private Task<?> task;
    private Thread consumer;
    private S sent;
    private Throwable thrown;
    private boolean closeRequested;
    private int batchLimit;
    // body -> consumer
    private T yielded;
    private Throwable failure;
    private boolean finished;
    /**
     * Batched mode's buffer: the body fills buf[0..bufCount) and hands over; the consumer reads
     * buf[bufHead..bufCount) and resumes the body only once it has read everything, so the body
     * always starts filling from index 0.
     */
    private Object[] buf = new Object[0];
    private int bufHead;
    private int bufCount;
    private final Runnable flushBeforeSuspend = this::flushBeforeSuspend;
    /** The handle's phantom, until the generator is closed. */
    private AbandonedRef abandonedRef;
    /** The handle was collected during a step: close the generator when it ends. */
    private boolean orphaned;

    GeneratorCore(AsyncGenerator.Body<T, S> body) {
        this.body = body;
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Whether the generator has not started yet. */
    boolean created() {
        return state == State.CREATED;
    }

    /** Whether a batched consumer has items left to read. */
    boolean hasBuffered() {
        return bufHead < bufCount;
    }

    /** athrow on a closed generator: returns null without raising (CPython 3.11-3.13). */
    T athrow(Throwable error) {
        return state == State.CLOSED ? null : next(null, error, "athrow()");
    }

    /**
     * Watches {@code handle} for the collector: once nothing references it, the finalizer thread
     * finds it and has {@code loop} close this. Called once, before the body first starts.
     */
    void watch(AsyncGenerator<T, S> handle, BaseEventLoop loop) {
        abandonedRef = new AbandonedRef(handle, this, loop);
    }

    /**
     * A handle's phantom, enqueued when the handle was collected; cleared when the generator
     * finishes, so only abandoned generators ever reach the queue.
     */
    static final class AbandonedRef extends Abandoned.Ref {
        private final GeneratorCore<?, ?> core;

        AbandonedRef(AsyncGenerator<?, ?> handle, GeneratorCore<?, ?> core, BaseEventLoop loop) {
            super(handle, loop);
            this.core = core;
        }

        @Override
        protected void closeOnLoop() {
            core.closeAbandoned();
        }
    }

    /**
     * On the loop, once its handle was collected: closes the generator in a task of its own, as
     * asyncio's finalizer hook schedules {@code aclose()}; a failure of the close goes to the
     * loop's exception handler.
     */
    void closeAbandoned() {
        if (state == State.RUNNING) {
            orphaned = true; // its last consumer is mid-step: close it when the step ends
            return;
        }
        if (state != State.SUSPENDED || loop.isClosed()) {
            return;
        }
        Task<Void> closer = loop.createTask(() -> {
            closeUnlessClosing();
            return null;
        }, "aclose " + this, null);
        closer.addDoneCallback(t -> loop.reportFailedClose(closer, this));
    }

    // ---- closing --------------------------------------------------------------------------------

    /**
     * Closes the generator unless another close of the loop's own is already under way: the
     * abandoned generators' closer and {@code shutdownAsyncgens()} may both reach one generator
     * when the loop closes, and the second must not fail with "already running".
     */
    void closeUnlessClosing() {
        if (state == State.RUNNING && closeRequested) {
            return; // its close runs (awaiting in a finally block): that one finishes it
        }
        aclose();
    }

    /** See {@link AsyncGenerator#aclose()}. */
    void aclose() {
        switch (state) {
            case CLOSED -> {
                return;
            }
            case CREATED -> {
                state = State.CLOSED;
                return;
            }
            case RUNNING -> throw new IllegalStateException(
                    "aclose(): asynchronous generator is already running; " + this
                            + " is between its resumption and its next yield: close it once"
                            + " that step has returned");
            default -> { }
        }
        Task<?> t = Task.currentOrThrow("aclose()");
        resumeBody(t, null, null, true, 0);
        if (state == State.CLOSED) {
            Throwable f = takeFailure();
            if (f != null && !(f instanceof GeneratorExit)) {
                throw Failures.rethrowable(f);
            }
            return;
        }
        // the body caught GeneratorExit and yielded: CPython raises RuntimeError; the generator
        // would then stay parked for ever (a virtual thread is never collected), so close it
        // again at each further yield, a bounded number of times
        for (int i = 0; i < IGNORED_EXIT_RETRIES && state != State.CLOSED; i++) {
            resumeBody(t, null, null, true, 0);
        }
        Throwable f = state == State.CLOSED ? takeFailure() : null;
        IllegalStateException ignored = new IllegalStateException(
                "async generator ignored GeneratorExit; " + (state == State.CLOSED
                        ? "it was closed again at its next yield"
                        : "it ignored " + (IGNORED_EXIT_RETRIES + 1) + " closes and stays"
                                + " suspended: let GeneratorExit propagate"));
        if (f != null && !(f instanceof GeneratorExit)) {
            ignored.addSuppressed(f);
        }
        throw ignored;
    }

    /** How often aclose() retries a body that ignores GeneratorExit before it gives up. */
    private static final int IGNORED_EXIT_RETRIES = 100;

    // ---- buffers, and driving from a bridge --------------------------------------------------------

    /**
     * Hands up to {@code max} items to {@code sink}, for bridges that know their consumer's
     * demand: the body runs ahead by at most the demand, plus one item of lookahead, so after
     * the last demanded item it runs on to its next {@code yield} (which then waits, holding its
     * item for the next demand) or to its end, as kotlinx's {@code publish} does. So a source
     * whose items exactly match the demand completes without another request. Stops early when
     * {@code sink} returns false. Items the body yielded before it failed are handed over first;
     * then {@link #exhausted()} is true and {@link #failure()} holds the failure.
     *
     * <p>The reactive bridge's driver (in a task) calls it, through the handle's {@code Drain}.
     *
     * @param max the most items to take now, at least 1
     * @param sink receives the items; returns false to stop taking
     * @return how many items were handed to the sink
     */
    int drain(int max, Predicate<? super T> sink) {
        Task<?> t = Task.currentOrThrow("drain()");
        int n = 0;
        while (n < max) {
            if (bufHead < bufCount) {
                @SuppressWarnings("unchecked")
                T item = (T) buf[bufHead];
                buf[bufHead++] = null;
                n++;
                if (!sink.test(item)) {
                    return n;
                }
            } else if (state == State.CLOSED) {
                return n;
            } else {
                fill(t, max - n + 1); // the rest of the demand, and one item of lookahead
            }
        }
        if (bufHead == bufCount && state != State.CLOSED) {
            fill(t, 1);
        }
        return n;
    }

    /**
     * Runs the body to its next {@code yield} (the first one, on a generator that has not
     * started) and keeps that item for the next {@link #drain}, without handing it to anyone; or
     * to its end. A bridge primes at subscription, so a body that fails or ends at once is
     * signalled without demand (Reactive Streams rule 1.4). Does nothing if an item is waiting.
     *
     */
    void prime() {
        if (bufHead == bufCount && state != State.CLOSED) {
            fill(Task.currentOrThrow("prime()"), 1);
        }
    }

    /**
     * Whether the body has ended and every item it yielded was handed over: a bridge signals the
     * end now, whatever the demand.
     *
     * @return true once nothing more will come
     */
    boolean exhausted() {
        return state == State.CLOSED && bufHead == bufCount;
    }

    /**
     * Once {@link #exhausted()}: what the body threw, exactly (a checked exception is not
     * wrapped), or null if it returned. Marks it as taken.
     *
     * @return the failure or null
     */
    Throwable failure() {
        return takeFailure();
    }

    /** Hands the items yielded but not taken to {@code sink}, in order, and forgets them. */
    void discardBuffered(Consumer<? super T> sink) {
        while (bufHead < bufCount) {
            sink.accept(takeBuffered());
        }
        clearBuffer();
    }

    @SuppressWarnings("unchecked")
    T takeBuffered() {
        Object v = buf[bufHead];
        buf[bufHead++] = null; // do not keep consumed items reachable
        return (T) v;
    }

    void clearBuffer() {
        Arrays.fill(buf, bufHead, bufCount, null);
        bufHead = 0;
        bufCount = 0;
    }

    /** Resumes the body in batched mode with room for {@code limit} items; the buffer is empty. */
    void fill(Task<?> t, int limit) {
        bufHead = 0;
        bufCount = 0;
        if (buf.length < limit) {
            buf = new Object[Math.max(limit, Math.min(2 * buf.length, 1 << 16))];
        }
        resumeBody(t, null, null, false, limit);
    }

    /** What awaiting the end raises: the body's failure, else StopAsyncIteration. */
    RuntimeException endOfIteration() {
        Throwable f = takeFailure();
        if (f != null) {
            throw Failures.rethrowable(f);
        }
        return new StopAsyncIteration();
    }

    private Throwable takeFailure() {
        Throwable f = failure;
        failure = null;
        return f;
    }

    // ---- consumer side -----------------------------------------------------------------------

    /** anext/asend/athrow in lazy mode: resumes the body and returns what it yields. */
    T next(S send, Throwable throwIn, String what) {
        Task<?> t = Task.currentOrThrow(what);
        switch (state) {
            case RUNNING -> throw new IllegalStateException(
                    what + ": asynchronous generator is already running; " + this
                            + " is between its resumption and its next yield: one consumer at"
                            + " a time");
            case CLOSED -> throw endOfIteration();
            case CREATED -> {
                if (throwIn != null) {
                    state = State.CLOSED;
                    throw Failures.rethrowable(throwIn);
                }
                if (send != null) {
                    throw new IllegalArgumentException(
                            "can't send non-None value to a just-started async generator");
                }
            }
            default -> { }
        }
        resumeBody(t, send, throwIn, false, 0);
        if (state == State.CLOSED) {
            throw endOfIteration();
        }
        T v = yielded;
        yielded = null;
        return v;
    }

    /**
     * Hands the calling task to the body until it yields (lazy mode), fills or flushes its batch
     * (batched mode), or ends; then records the new state. The caller checked the state.
     */
    private void resumeBody(Task<?> t, S send, Throwable throwIn, boolean close, int limit) {
        sent = send;
        thrown = throwIn;
        closeRequested = close;
        batchLimit = limit;
        task = t;
        consumer = Thread.currentThread();
        boolean start = thread == null;
        state = State.RUNNING;
        if (start) {
            loop = t.loop;
            thread = loop.taskThreads.newThread(this::runBody);
            loop.asyncgens.add(this); // closed by shutdownAsyncgens() if still open at the end
        }
        loop.baton.handOff(t, thread, start);
        // the body yielded, flushed a batch, or finished
        if (finished) {
            state = State.CLOSED;
            loop.asyncgens.remove(this);
            if (abandonedRef != null) {
                abandonedRef.clear(); // nothing left to close: the collector can forget it
                abandonedRef = null;
            }
        } else {
            state = State.SUSPENDED;
            if (orphaned) {
                orphaned = false;
                closeAbandoned();
            }
        }
    }

    /**
     * The thread that handed {@code t} to this generator's body, if the body runs {@code t} now
     * on {@code bodyThread} (for a task's call stack across generators); else null. Loop-confined.
     */
    Thread consumerOf(Task<?> t, Thread bodyThread) {
        return state == State.RUNNING && task == t && thread == bodyThread ? consumer : null;
    }

    // ---- body side ---------------------------------------------------------------------------

    private final AsyncGenerator.Yield<T, S> yieldImpl = this::yieldValue;

    private void runBody() {
        Throwable f = null;
        try {
            armBatching();
            afterResume();
            body.run(yieldImpl);
        } catch (StopAsyncIteration e) {
            // as CPython (PEP 479): an end signal escaping the body is a bug, not an end
            f = new IllegalStateException("async generator raised StopAsyncIteration", e);
        } catch (Throwable e) {
            f = e;
        }
        if (batchLimit > 0) {
            task.setSuspendHook(null);
        }
        failure = f;
        finished = true;
        loop.baton.handOffAndLeave(task, consumer);
    }

    private S yieldValue(T value) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("yield() called outside the body of " + this
                    + " (from a child task, another thread, or after the body ended): a"
                    + " generator yields only from its own body; to gather items from child"
                    + " tasks, put them on an AsyncQueue and yield them from the body");
        }
        if (batchLimit > 0) {
            buf[bufCount++] = value;
            if (bufCount < batchLimit) {
                return null; // the consumer keeps up: run ahead without a handoff
            }
        } else {
            yielded = value;
        }
        handBack();
        return afterResume();
    }

    /** Before the body's task suspends at an await: hand the items gathered so far over. */
    private void flushBeforeSuspend() {
        if (bufCount > 0) {
            handBack();
            afterResume();
        } else {
            armBatching();
        }
    }

    private void handBack() {
        if (batchLimit > 0) {
            task.setSuspendHook(null);
        }
        loop.baton.handOff(task, consumer, false);
        armBatching(); // resumed, possibly for another task
    }

    private void armBatching() {
        if (batchLimit > 0) {
            task.setSuspendHook(flushBeforeSuspend);
        }
    }

    /** The consumer's request as the body sees it: a close, a thrown error, or a sent value. */
    private S afterResume() {
        if (closeRequested) {
            throw new GeneratorExit();
        }
        Throwable t = thrown;
        if (t != null) {
            thrown = null;
            throw GeneratorCore.<RuntimeException>sneaky(t);
        }
        S s = sent;
        sent = null;
        return s;
    }

    /** Rethrows any throwable, checked ones included, so athrow keeps the exception's identity. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    @Override
    public String toString() {
        return "<AsyncGenerator " + state.name().toLowerCase() + ">";
    }
}
