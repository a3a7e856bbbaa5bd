package io.aiobridge;

import io.aiobridge.internal.Drain;
import io.aiobridge.internal.Failures;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An async generator: the counterpart of an {@code async def} with {@code yield}. Its body calls
 * {@code y.yield(x)} to produce an item and receives the value the consumer sends in.
 *
 * <pre>{@code
 * AsyncGenerator<Integer, Void> ticker = AsyncGenerator.of(y -> {
 *     for (int i = 0; i < 3; i++) {
 *         y.yield(i);
 *         Aio.sleep(1.0);
 *     }
 * });
 * for (int i : ticker) { ... }       // async for i in ticker
 * }</pre>
 *
 * <p><b>Execution.</b> As in Python, the body runs as part of the task that consumes it: awaits in
 * the body suspend that task, and {@link Aio#currentTask()} in the body is that task.
 * The body has a virtual thread of its own (its stack), and the task is handed between the
 * consumer's thread and the body's thread directly, without going through the loop's queue.
 *
 * <p><b>Laziness and batching.</b> Iterating a generator runs its body only as far as the next
 * {@code yield}, one item per {@code anext}, exactly as asyncio does. That costs a thread handoff
 * per item. A consumer that can take many items at once iterates {@link #prefetch(int)}
 * instead: the body then runs ahead up to that many items per handoff, and hands what it has over
 * before it would suspend at an await. Batching changes when the body's side effects happen
 * relative to the consumer's, which is why it is the consumer's choice.
 *
 * <p><b>States and invariant:</b> created (the body has not started), suspended (at a yield),
 * running (the body's thread runs the task), closed. At any time exactly one of the consumer's
 * thread and the body's thread runs; the other is parked in a handoff. The exchange fields are
 * written only by the running side before it hands off (the handoff's volatile write publishes
 * them).
 *
 * <p><b>Closing.</b> {@link #aclose()} raises {@link GeneratorExit} at the body's yield, so its
 * {@code finally} blocks run; a body that yields again while closing is an error. A generator
 * dropped unfinished is closed by its loop's {@link EventLoop#shutdownAsyncgens()} (at {@code
 * Aio.run}/{@code Runner} exit and at {@code close()}). Try-with-resources closes it
 * explicitly.
 *
 * <p><b>Threading:</b> loop-confined: used from tasks of one loop.
 *
 * <p>Why this file is longer than the others (about 650 lines): the lazy protocol, the batched
 * view and the bridge's demand-sized drain share one hand-off state (the buffer, the failure, the
 * body's thread), and keeping them in one class keeps that state private to it.
 *
 * @param <T> the yielded item type
 * @param <S> the type of the values sent in with {@link #asend}
 */
public final class AsyncGenerator<T, S>
        implements AsyncIterable<T>, AsyncIterator<T>, AutoCloseable {

    /**
     * The body of a generator.
     *
     * @param <T> the yielded item type
     * @param <S> the sent value type
     */
    @FunctionalInterface
    public interface Body<T, S> {
        /**
         * Runs the body.
         *
         * @param y yields items
         * @throws Exception anything; the consumer's await raises it
         */
        void run(Yield<T, S> y) throws Exception;
    }

    /**
     * What the body calls to produce an item.
     *
     * @param <T> the yielded item type
     * @param <S> the sent value type
     */
    public interface Yield<T, S> {
        /**
         * Produces {@code value} and waits until the consumer asks for the next one.
         *
         * @param value the item (may be null)
         * @return the value sent with {@link AsyncGenerator#asend}, or null for {@code anext}
         * @throws GeneratorExit when the generator is closed (let it propagate)
         */
        S yield(T value);
    }

    static {
        // a batched view drains its generator's buffer, which is the view's too
        Drain.Access.install(g -> (g instanceof AsyncGenerator<?, ?>.Batched b
                ? b.generator() : (AsyncGenerator<?, ?>) g).new Drainer());
    }

    private enum State { CREATED, SUSPENDED, RUNNING, CLOSED }

    private final Body<T, S> body;
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

    private AsyncGenerator(Body<T, S> body) {
        this.body = body;
    }

    /**
     * A generator running {@code body}; nothing runs until the first {@code anext}.
     *
     * @param body the body
     * @param <T> the yielded item type
     * @param <S> the sent value type
     * @return the generator
     */
    public static <T, S> AsyncGenerator<T, S> of(Body<T, S> body) {
        return new AsyncGenerator<>(Objects.requireNonNull(body, "body is null"));
    }

    // ---- the asyncio protocol --------------------------------------------------------------

    @Override
    public AsyncIterator<T> aiter() {
        return this;
    }

    /**
     * An awaitable of the next item: resumes the body until its next yield.
     *
     * @return the awaitable; raises {@link StopAsyncIteration} when the body has returned
     */
    @Override
    public Awaitable<T> anext() {
        return () -> next(null, null, "anext()");
    }

    /**
     * An awaitable that sends {@code value} in (the body's {@code yield} returns it) and returns
     * the next item. The first send must be null, which starts the body.
     *
     * @param value the value
     * @return the awaitable
     * @throws IllegalArgumentException (when awaited) for a non-null first send
     */
    public Awaitable<T> asend(S value) {
        return () -> next(value, null, "asend()");
    }

    /**
     * An awaitable that raises {@code error} at the body's yield and returns the next item the
     * body yields (if it catches the error). On a generator that has not started, the error is
     * raised at once and the generator closes; on a closed one, awaiting returns null without
     * raising, as in CPython 3.11-3.13.
     *
     * @param error the error to raise in the body
     * @return the awaitable
     */
    public Awaitable<T> athrow(Throwable error) {
        Objects.requireNonNull(error, "error is null");
        return () -> state == State.CLOSED ? null : next(null, error, "athrow()");
    }

    /**
     * Closes the generator: raises {@link GeneratorExit} at its yield and waits until the body has
     * finished ({@code finally} blocks run). Does nothing if not started or already closed; neither
     * case needs a task.
     *
     * @throws IllegalStateException "async generator ignored GeneratorExit" if the body yields
     *     again instead of finishing (it is then closed again at each further yield, so its thread
     *     does not stay parked)
     */
    @Override
    public void aclose() {
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

    /** Closes the generator ({@link #aclose()}), for try-with-resources. */
    @Override
    public void close() {
        aclose();
    }

    /**
     * Whether the generator has finished or been closed.
     *
     * @return true if closed
     */
    public boolean isClosed() {
        return state == State.CLOSED;
    }

    // ---- iteration ---------------------------------------------------------------------------

    /** Lazy, asyncio-exact iteration: one resume per item. */
    @Override
    public Iterator<T> iterator() {
        return new PullIterator<>() {
            @Override
            T pull() {
                return AsyncGenerator.this.next(null, null, "anext()");
            }
        };
    }

    /**
     * A view that iterates this generator in batches: each handoff lets the body run ahead by up
     * to {@code batch} items (it hands over early before suspending at an await, and at its end).
     * Values sent in are null. Closing the view closes the generator. Items the body yielded
     * before it failed are all delivered before the failure is raised.
     *
     * @param batch the most items per handoff, at least 1
     * @return the batched view
     */
    public Batched prefetch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        return new Batched(batch);
    }

    /** A batched view of the generator (see {@link #prefetch(int)}). */
    public final class Batched implements AsyncIterable<T>, AsyncIterator<T>, AutoCloseable {
        private final int limit;

        Batched(int limit) {
            this.limit = limit;
        }

        /** The generator this view batches. */
        AsyncGenerator<T, S> generator() {
            return AsyncGenerator.this;
        }

        @Override
        public AsyncIterator<T> aiter() {
            return this;
        }

        @Override
        public Awaitable<T> anext() {
            return this::nextItem;
        }

        private T nextItem() {
            if (bufHead == bufCount) {
                if (state != State.CLOSED) {
                    fill(Task.currentOrThrow("anext()"), limit);
                }
                if (bufHead == bufCount) {
                    throw endOfIteration();
                }
            }
            return takeBuffered();
        }

        /**
         * For-each straight over the batch: no awaitable per item. Hand-written rather than a
         * {@link PullIterator}: this is the hot path, and the buffered case should inline into the
         * caller's loop (same machine state: 13.9-14.7 ns per item through PullIterator,
         * 12.4-13.3 ns like this).
         */
        @Override
        public Iterator<T> iterator() {
            return new Iterator<>() {
                private T next;
                private boolean ready;

                @Override
                public boolean hasNext() {
                    if (ready) {
                        return true;
                    }
                    if (bufHead < bufCount) {
                        next = takeBuffered();
                        ready = true;
                        return true;
                    }
                    try {
                        next = nextItem();
                        ready = true;
                    } catch (StopAsyncIteration end) {
                        return false;
                    }
                    return true;
                }

                @Override
                public T next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException("async generator exhausted");
                    }
                    ready = false;
                    T v = next;
                    next = null;
                    return v;
                }
            };
        }

        @Override
        public void aclose() {
            clearBuffer();
            AsyncGenerator.this.aclose();
        }

        @Override
        public void close() {
            aclose();
        }
    }

    // ---- driving from a bridge: demand-sized batches with one item of lookahead ---------------

    /**
     * Hands up to {@code max} items to {@code sink}, for bridges that know their consumer's
     * demand: the body runs ahead by at most the demand, plus one item of lookahead, so after
     * the last demanded item it runs on to its next {@code yield} (which then waits, holding its
     * item for the next demand) or to its end, as kotlinx's {@code publish} does. So a source
     * whose items exactly match the demand completes without another request. Stops early when
     * {@code sink} returns false. Items the body yielded before it failed are handed over first;
     * then {@link #exhausted()} is true and {@link #failure()} holds the failure.
     *
     * <p>The reactive bridge's driver (in a task) calls it, through {@link Drain}.
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
    private void discardBuffered(Consumer<? super T> sink) {
        while (bufHead < bufCount) {
            sink.accept(takeBuffered());
        }
        clearBuffer();
    }

    @SuppressWarnings("unchecked")
    private T takeBuffered() {
        Object v = buf[bufHead];
        buf[bufHead++] = null; // do not keep consumed items reachable
        return (T) v;
    }

    private void clearBuffer() {
        Arrays.fill(buf, bufHead, bufCount, null);
        bufHead = 0;
        bufCount = 0;
    }

    /** Resumes the body in batched mode with room for {@code limit} items; the buffer is empty. */
    private void fill(Task<?> t, int limit) {
        bufHead = 0;
        bufCount = 0;
        if (buf.length < limit) {
            buf = new Object[Math.max(limit, Math.min(2 * buf.length, 1 << 16))];
        }
        resumeBody(t, null, null, false, limit);
    }

    /** What awaiting the end raises: the body's failure, else StopAsyncIteration. */
    private RuntimeException endOfIteration() {
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
    private T next(S send, Throwable throwIn, String what) {
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
        } else {
            state = State.SUSPENDED;
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

    private final Yield<T, S> yieldImpl = this::yieldValue;

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
            throw AsyncGenerator.<RuntimeException>sneaky(t);
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

    /** This generator as the bridge's {@link Drain}. */
    private final class Drainer implements Drain<T> {
        @Override
        public void prime() {
            AsyncGenerator.this.prime();
        }

        @Override
        public int drain(int max, Predicate<? super T> sink) {
            return AsyncGenerator.this.drain(max, sink);
        }

        @Override
        public boolean exhausted() {
            return AsyncGenerator.this.exhausted();
        }

        @Override
        public Throwable failure() {
            return AsyncGenerator.this.failure();
        }

        @Override
        public void discardBuffered(Consumer<? super T> sink) {
            AsyncGenerator.this.discardBuffered(sink);
        }
    }

    @Override
    public String toString() {
        return "<AsyncGenerator " + state.name().toLowerCase() + ">";
    }
}
