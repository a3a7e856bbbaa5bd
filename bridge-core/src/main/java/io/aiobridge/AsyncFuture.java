package io.aiobridge;

import io.aiobridge.internal.Failures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A result that will be set later, bound to one event loop: the counterpart of {@code
 * asyncio.Future}.
 *
 * <p><b>States:</b> pending, then exactly one of finished (with a result or an exception) or
 * cancelled. <b>Invariant:</b> once done, the state and outcome never change, and every done
 * callback registered before or after has been or will be scheduled on the loop exactly once, in
 * registration order. Callbacks are never run inline.
 *
 * <p><b>Threading:</b> {@link #setResult}, {@link #setException}, {@link #cancel()}, {@link
 * #addDoneCallback} and the other mutators are loop-confined (they throw {@link
 * WrongThreadException} from another thread while the loop runs). {@link #isDone()}, {@link
 * #isCancelled()}, {@link #join()} and {@link #toCompletableFuture()} work from any thread.
 * <b>Memory consistency:</b> setting the outcome happens-before {@code await}, {@code join} or a
 * done callback observes it.
 *
 * <p><b>Failures:</b> {@link #result()} and {@link #await()} rethrow an unchecked exception or
 * error as the same object; a checked exception is wrapped in a {@link CompletionException}. A
 * failed future whose exception is never retrieved is reported to the loop's exception handler
 * when it is garbage-collected ("Future exception was never retrieved").
 *
 * @param <T> the result type
 */
public class AsyncFuture<T> implements Awaitable<T> {
    static final int PENDING = 0;
    static final int CANCELLED = 1;
    static final int FINISHED = 2;

    final BaseEventLoop loop;
    volatile int state;
    private T result;
    private Throwable exception;
    String cancelMessage;
    /** The CancelledError that cancelled a task, kept as the cause of later ones. */
    CancelledError cancelCause;
    /** null, one entry, or an ArrayList of entries; an entry is a Task (its wakeup) or a DoneCallback. */
    private Object callbacks;
    private volatile UnretrievedReport report;
    private volatile int blockedJoiners;

    AsyncFuture(BaseEventLoop loop) {
        this.loop = loop;
    }

    /**
     * The loop this future belongs to.
     *
     * @return the loop
     */
    public EventLoop getLoop() {
        return loop;
    }

    // ---- state ---------------------------------------------------------------------------------

    /**
     * Whether the future has a result, an exception, or was cancelled. Any thread.
     *
     * @return true if done
     */
    public boolean isDone() {
        return state != PENDING;
    }

    /**
     * Whether the future was cancelled. Any thread.
     *
     * @return true if cancelled
     */
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    /**
     * The result. Marks a failure as retrieved.
     *
     * @return the result
     * @throws CancelledError if cancelled
     * @throws InvalidStateException if not done yet
     * @throws RuntimeException the failure itself, or a {@link CompletionException} around a
     *     checked one
     */
    public T result() {
        int s = state;
        if (s == CANCELLED) {
            throw newCancelledError();
        }
        if (s == PENDING) {
            throw new InvalidStateException("Result is not set.; " + this
                    + ": await it, or check isDone() first");
        }
        markRetrieved();
        if (exception != null) {
            throw rethrowable(exception);
        }
        return result;
    }

    /**
     * The exception, or null if the future finished with a result. Marks it as retrieved.
     *
     * @return the exception or null
     * @throws CancelledError if cancelled
     * @throws InvalidStateException if not done yet
     */
    public Throwable exception() {
        int s = state;
        if (s == CANCELLED) {
            throw newCancelledError();
        }
        if (s == PENDING) {
            throw new InvalidStateException("Exception is not set.; " + this
                    + " is not done yet: await it, or check isDone() first");
        }
        markRetrieved();
        return exception;
    }

    /**
     * The message passed to {@code cancel(msg)}, or null.
     *
     * @return the message
     */
    public String cancelMessage() {
        return cancelMessage;
    }

    CancelledError newCancelledError() {
        return new CancelledError(cancelMessage, cancelCause, loop.getDebug());
    }

    static RuntimeException rethrowable(Throwable e) {
        return Failures.rethrowable(e);
    }

    final void markRetrieved() {
        UnretrievedReport r = report;
        if (r != null) {
            report = null;
            r.retrieved();
        }
    }

    // ---- completing ----------------------------------------------------------------------------

    /**
     * Sets the result and schedules the done callbacks.
     *
     * @param value the result, may be null
     * @throws InvalidStateException if the future is already done
     */
    public void setResult(T value) {
        loop.checkThread("setResult()");
        if (state != PENDING) {
            throw alreadyDone("setResult");
        }
        doSetResult(value);
    }

    /** Sets the result; the caller holds the loop and knows the future is pending. */
    final void doSetResult(T value) {
        result = value;
        complete(FINISHED);
    }

    /**
     * Sets the exception and schedules the done callbacks.
     *
     * @param error the exception
     * @throws InvalidStateException if the future is already done
     */
    public void setException(Throwable error) {
        Objects.requireNonNull(error, "error is null");
        loop.checkThread("setException()");
        if (state != PENDING) {
            throw alreadyDone("setException");
        }
        doSetException(error);
    }

    /** Sets the exception; the caller holds the loop and knows the future is pending. */
    final void doSetException(Throwable error) {
        exception = error;
        // registered before the state is published, so a joiner on another thread that
        // retrieves the exception at once always finds the report to disarm
        UnretrievedReport r = UnretrievedReport.register(this, error);
        report = r;
        complete(FINISHED);
        r.describe(toString());
    }

    InvalidStateException alreadyDone(String what) {
        return new InvalidStateException("invalid state; " + this + " is already "
                + stateName() + ": " + what + "() on a future that is already done: check"
                + " isDone() first");
    }

    /**
     * Cancels the future and schedules the done callbacks.
     *
     * @return false if the future was already done
     */
    public boolean cancel() {
        return cancel(null);
    }

    /**
     * Cancels the future with a message, which the {@link CancelledError} carries.
     *
     * @param message the message, may be null
     * @return false if the future was already done
     */
    public boolean cancel(String message) {
        loop.checkThread("cancel()");
        markRetrieved();
        if (state != PENDING) {
            return false;
        }
        doCancel(message, null);
        return true;
    }

    /** Cancels; the caller holds the loop and knows the future is pending. */
    final void doCancel(String message, CancelledError cause) {
        cancelMessage = message;
        cancelCause = cause;
        complete(CANCELLED);
    }

    /** Records the final state, then schedules every callback once, in order. */
    final void complete(int finalState) {
        state = finalState;
        Object cbs = callbacks;
        callbacks = null;
        if (cbs instanceof ArrayList<?> list) {
            for (Object entry : list) {
                scheduleCallback(entry);
            }
        } else if (cbs != null) {
            scheduleCallback(cbs);
        }
        if (blockedJoiners != 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void scheduleCallback(Object entry) {
        if (entry instanceof Task<?> t) {
            loop.scheduleStep(t);
        } else {
            DoneCallback<?> cb = (DoneCallback<?>) entry;
            loop.schedule(new Handle(loop, () -> cb.run(this), cb.context));
        }
    }

    // ---- callbacks -----------------------------------------------------------------------------

    /**
     * Adds a callback that the loop runs (never inline) once the future is done, with the future
     * as its argument, in a copy of the current context. On a done future it is scheduled at once.
     *
     * @param callback the callback
     */
    public void addDoneCallback(Consumer<? super AsyncFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback is null");
        loop.checkThread("addDoneCallback()");
        addEntry(new DoneCallback<>(callback, Context.copyCurrent(), null));
    }

    /** A callback with no context of its own (internal plumbing). */
    void addDoneCallbackInternal(Consumer<? super AsyncFuture<T>> callback) {
        addEntry(new DoneCallback<>(callback, null, null));
    }

    /**
     * As {@link #addDoneCallbackInternal(Consumer)}, for a callback through which {@code awaiter}
     * waits for this future: a gather's, a shield's or a wait's own future (whose awaiters then
     * await this one too), or the parent task of a task group. {@link #awaitedBy()} follows it.
     */
    void addDoneCallbackInternal(Consumer<? super AsyncFuture<T>> callback,
            AsyncFuture<?> awaiter) {
        addEntry(new DoneCallback<>(callback, null, awaiter));
    }

    /** Registers a task's wakeup: its step is scheduled when this is done. */
    void addWakeup(Task<?> task) {
        addEntry(task);
    }

    private void addEntry(Object entry) {
        if (state != PENDING) {
            scheduleCallback(entry);
            return;
        }
        Object cbs = callbacks;
        if (cbs == null) {
            callbacks = entry;
        } else if (cbs instanceof ArrayList<?> list) {
            @SuppressWarnings("unchecked")
            ArrayList<Object> l = (ArrayList<Object>) list;
            l.add(entry);
        } else {
            ArrayList<Object> l = new ArrayList<>(4);
            l.add(cbs);
            l.add(entry);
            callbacks = l;
        }
    }

    /**
     * Removes every registration of {@code callback} that has not been scheduled yet.
     *
     * @param callback the callback, compared by identity
     * @return how many were removed
     */
    public int removeDoneCallback(Consumer<? super AsyncFuture<T>> callback) {
        loop.checkThread("removeDoneCallback()");
        return removeEntries(callback);
    }

    int removeWakeup(Task<?> task) {
        return removeEntries(task);
    }

    private int removeEntries(Object target) {
        Object cbs = callbacks;
        if (cbs == null) {
            return 0;
        }
        if (!(cbs instanceof ArrayList<?> list)) {
            if (matches(cbs, target)) {
                callbacks = null;
                return 1;
            }
            return 0;
        }
        int before = list.size();
        list.removeIf(e -> matches(e, target));
        int removed = before - list.size();
        if (list.isEmpty()) {
            callbacks = null;
        }
        return removed;
    }

    private static boolean matches(Object entry, Object target) {
        return entry == target || (entry instanceof DoneCallback<?> d && d.fn == target);
    }

    /**
     * The tasks that wait for this future now (asyncio 3.14's {@code _asyncio_awaited_by}), in
     * the order they started waiting: a task awaiting it, and the tasks awaiting a gather, shield,
     * wait or timed {@code waitFor} that waits for it, and the parent task of the task group it
     * belongs to. Read from the callbacks, so awaiting costs nothing extra. Loop-confined.
     */
    List<Task<?>> awaitedBy() {
        List<Task<?>> out = new ArrayList<>(2);
        addAwaiters(out, 0);
        return out;
    }

    private void addAwaiters(List<Task<?>> out, int depth) {
        Object cbs = callbacks;
        if (cbs instanceof ArrayList<?> list) {
            for (Object entry : list) {
                addAwaiter(entry, out, depth);
            }
        } else if (cbs != null) {
            addAwaiter(cbs, out, depth);
        }
    }

    private static void addAwaiter(Object entry, List<Task<?>> out, int depth) {
        AsyncFuture<?> awaiter = entry instanceof Task<?> t ? t
                : ((DoneCallback<?>) entry).awaiter;
        if (awaiter instanceof Task<?> t) {
            if (!out.contains(t)) {
                out.add(t);
            }
        } else if (awaiter != null && depth < 64) { // a composite's own future: its awaiters
            awaiter.addAwaiters(out, depth + 1);
        }
    }

    /** Number of callbacks waiting (for toString and tests). */
    int callbackCount() {
        Object cbs = callbacks;
        return cbs == null ? 0 : cbs instanceof ArrayList<?> l ? l.size() : 1;
    }

    private record DoneCallback<T>(Consumer<? super AsyncFuture<T>> fn, Context context,
            AsyncFuture<?> awaiter) {
        @SuppressWarnings("unchecked")
        void run(AsyncFuture<?> f) {
            fn.accept((AsyncFuture<T>) f);
        }
    }

    // ---- awaiting and blocking -----------------------------------------------------------------

    @Override
    public T await() {
        return Task.currentOrThrow("await()").awaitFuture(this);
    }

    /** The outcome for a task that awaited this and was resumed: like result(). */
    /** The failure, without marking it retrieved; null for a result. Loop-confined. */
    Throwable exceptionRaw() {
        return exception;
    }

    T resultForAwait() {
        return result();
    }

    /**
     * Blocks the calling thread until the future is done and returns its result. For threads
     * outside the loop (a {@code main}, a test, a Reactor thread); a task uses {@link #await()}.
     *
     * @return the result
     * @throws IllegalStateException while the future is pending, if called by the loop's own code
     *     or on a thread that carries a loop's tasks (a Netty event loop under {@link
     *     EventLoop#newEventLoopOn}): blocking there would deadlock the loop, so it fails at once
     * @throws CancelledError if cancelled
     */
    public T join() {
        awaitDone(-1);
        return result();
    }

    /**
     * As {@link #join()}, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return the result
     * @throws AsyncTimeoutException if the future is not done in time
     */
    public T join(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout is null; join() waits without a limit");
        if (!awaitDone(timeout.toNanos())) {
            throw new AsyncTimeoutException("not done after " + timeout + ": " + this, null);
        }
        return result();
    }

    private boolean awaitDone(long timeoutNanos) {
        if (isDone()) {
            return true;
        }
        loop.checkMayBlock("join()", "pending " + this);
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        synchronized (this) {
            blockedJoiners++;
            try {
                while (!isDone()) {
                    long left = timeoutNanos < 0 ? 0 : deadline - System.nanoTime();
                    if (timeoutNanos >= 0 && left <= 0) {
                        return false;
                    }
                    try {
                        if (timeoutNanos < 0) {
                            wait();
                        } else {
                            wait(Math.max(1, left / 1_000_000), 0);
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                blockedJoiners--;
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return true;
    }

    // ---- CompletableFuture interop --------------------------------------------------------------

    /**
     * A {@link CompletableFuture} completed with this future's outcome (cancellation becomes
     * {@link CancellationException}). Cancelling the returned future cancels this one, through the
     * loop. Callable from any thread: on the loop's thread, or while the loop is idle (it cannot
     * start until the link is made), the link is made at once; while the loop runs on another
     * thread, through the loop. Its {@code join()} and {@code get()} (and those of futures
     * chained from it) fail with {@link IllegalStateException} where {@link #join()} does:
     * blocking from the loop's own code, or from a thread that carries a loop's tasks, would
     * deadlock the loop; there, {@link #await()} instead.
     *
     * @return a new CompletableFuture
     */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> cf = new CrossThreadFuture<>(loop, () -> {
            if (!isDone()) {
                loop.runHereOrPost(() -> cancel());
            }
        });
        if (isDone()) {
            copyTo(cf);
        } else {
            loop.runHereOrPost(() -> addDoneCallbackInternal(f -> copyTo(cf)));
        }
        return cf;
    }

    private void copyTo(CompletableFuture<T> cf) {
        int s = state;
        if (s == CANCELLED) {
            cf.completeExceptionally(new CancellationException(
                    cancelMessage == null ? "cancelled" : cancelMessage));
        } else if (exception != null) {
            markRetrieved();
            cf.completeExceptionally(exception);
        } else {
            cf.complete(result);
        }
    }

    /**
     * A future of {@code loop} that completes with {@code stage}'s outcome. Completion arrives on
     * any thread and is delivered through the loop, in a later turn even when {@code stage}
     * completes on the loop's own thread (asyncio's {@code wrap_future}); a stage already complete
     * here is copied at once. Cancelling the returned future cancels {@code
     * stage} when it is a {@link java.util.concurrent.Future}. Loop-confined.
     *
     * @param loop the loop
     * @param stage the stage
     * @param <T> the result type
     * @return the future
     */
    public static <T> AsyncFuture<T> fromStage(EventLoop loop, CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage is null");
        BaseEventLoop l = (BaseEventLoop) Objects.requireNonNull(loop, "loop is null");
        l.checkThread("fromStage()");
        AsyncFuture<T> f = new AsyncFuture<>(l);
        if (stage instanceof CompletableFuture<T> cf && cf.isDone()) {
            copyFrom(cf, f);
            return f;
        }
        stage.whenComplete((v, e) -> {
            Runnable settle = () -> settle(f, v, e);
            if (l.inLoopThread()) {
                // in the next turn, not inside the caller's complete(): asyncio's wrap_future
                // hops through call_soon_threadsafe, so a cancel of f right after still wins
                l.schedule(new Handle(l, settle, null));
            } else {
                l.postFromOutside(settle);
            }
        });
        if (stage instanceof Future<?> jf) {
            f.addDoneCallbackInternal(x -> {
                if (x.isCancelled()) {
                    jf.cancel(false);
                }
            });
        }
        return f;
    }

    private static <T> void copyFrom(CompletableFuture<T> cf, AsyncFuture<T> f) {
        try {
            f.setResult(cf.get());
        } catch (CancellationException e) {
            f.cancel(e.getMessage());
        } catch (ExecutionException e) {
            f.setException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.setException(e);
        }
    }

    private static <T> void settle(AsyncFuture<T> f, T v, Throwable e) {
        if (f.isDone()) {
            return;
        }
        if (e == null) {
            f.setResult(v);
            return;
        }
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof CancellationException ce) {
            f.cancel(ce.getMessage());
        } else {
            f.setException(cause);
        }
    }

    // ---- repr ----------------------------------------------------------------------------------

    String stateName() {
        return switch (state) {
            case CANCELLED -> "cancelled";
            case FINISHED -> "finished";
            default -> "pending";
        };
    }

    String outcomeText() {
        if (state != FINISHED) {
            return "";
        }
        return exception != null ? " exception=" + exception : " result=" + abbreviate(result);
    }

    static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** The futures whose repr this thread is making: {@link #guardedRepr}'s memory. */
    private static final ThreadLocal<java.util.Set<AsyncFuture<?>>> IN_REPR = new ThreadLocal<>();

    /**
     * asyncio's {@code reprlib.recursive_repr}: a future whose repr reaches itself (a task whose
     * result holds the task, bpo-42183) shows "..." there instead of recursing without end.
     */
    static String guardedRepr(AsyncFuture<?> f, java.util.function.Supplier<String> repr) {
        java.util.Set<AsyncFuture<?>> inRepr = IN_REPR.get();
        if (inRepr == null) {
            inRepr = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            IN_REPR.set(inRepr);
        }
        if (!inRepr.add(f)) {
            return "...";
        }
        try {
            return repr.get();
        } finally {
            inRepr.remove(f);
            if (inRepr.isEmpty()) {
                IN_REPR.remove();
            }
        }
    }

    @Override
    public String toString() {
        return guardedRepr(this, () -> {
            int n = callbackCount();
            return "<Future " + stateName() + outcomeText() + (n > 0 ? " callbacks=" + n : "")
                    + ">";
        });
    }
}
