package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.internal.Settings;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.reactivestreams.Subscriber;

/**
 * One subscription to a generator or iterable {@link AsyncPublisher}: a driver task on the
 * subscription's loop emits items while there is demand.
 *
 * <p><b>Invariants.</b> Every signal to the subscriber after {@code onSubscribe} comes from the
 * driver task, so signals are serial (rule 1.3) and none follows a terminal one (1.7).
 * {@code requested} is the outstanding demand ({@link Demand}: capped at {@code Long.MAX_VALUE},
 * which means unbounded, 3.17). The driver waits only while there is no demand, having announced
 * it first; {@link #request} and {@link #cancel} may run on any thread, and wake it through the
 * loop when they see it waiting, so no wake-up is lost. The source is released (a
 * generator closed, an iterator closed) exactly once, inside the driver task or, when the driver
 * never ran, without needing one.
 *
 * <p><b>What is not an error.</b> A cancel is never reported (rule 3.5). A subscriber whose
 * {@code onNext} throws breaks rule 2.13: the subscription is cancelled, the exception goes to the
 * dropped-error hook (else the loop's exception handler) and no further signal is sent. A
 * source cancelled by someone else (its loop closing while the subscriber waits, with or without
 * demand) ends the subscriber with a {@link CancellationException}, so nobody waits for ever.
 *
 * @param <T> the item type
 */
abstract class EmitterSubscription<T> implements AsyncPublisher.Startable {
    /**
     * The most items a generator runs ahead per handoff (with less demand, the demand): each
     * handoff costs about a microsecond, so large batches make it negligible per item.
     */
    static final int BATCH =
            Settings.intProperty("aiobridge.publisherBatch", 4096, 1, Integer.MAX_VALUE);

    /** Null once cancelled or terminated: the subscriber must not be kept (rule 3.13). */
    private volatile Subscriber<? super T> downstream;
    final EventLoop loop;
    private final Demand requested = new Demand();
    private volatile boolean cancelled;
    private volatile Throwable badRequest;
    /** Loop-confined: the future the driver awaits while there is no demand. */
    private AsyncFuture<Void> demand;
    private Task<Void> driver;
    /** Loop-confined: the driver is inside the subscriber's {@code onNext}. */
    private boolean delivering;
    /** Loop-confined: {@link #release()} has run. */
    private boolean released;
    /** Where undeliverable errors go (an adapter's hook), else the loop's exception handler. */
    final Consumer<Throwable> errorDropped;
    /** Where items produced but never delivered go (an adapter's discard hook), or null. */
    private final Consumer<? super T> discarded;

    EmitterSubscription(AsyncPublisher.EmitterArgs<T> args) {
        this.downstream = args.subscriber();
        this.loop = args.loop();
        this.errorDropped = args.errorDropped();
        this.discarded = args.discarded();
    }

    /** Starts the driver on the loop; called once, after onSubscribe. */
    @Override
    public final void start() {
        try {
            onLoop(loop, this::link); // from the loop's own code: the driver starts in turn
        } catch (IllegalStateException closed) {
            // the loop is closed: nothing will ever run; say so once
            Subscriber<? super T> d = downstream;
            cancelled = true;
            downstream = null;
            if (d != null) {
                d.onError(closed);
            }
        }
    }

    /** On the loop: starts the driver task, unless cancelled first. */
    private void link() {
        if (cancelled && badRequest == null) {
            releaseOnce(); // cancelled before it started: nothing ran, nothing to await
            return;
        }
        driver = loop.createTask(this::drive, "publisher " + this, null);
        // a driver cancelled before its first step never runs drive()
        driver.addDoneCallback(t -> releaseOnce());
    }

    private Void drive() {
        try {
            emitAll();
        } catch (CancelledError e) {
            if (!cancelled) {
                // cancelled by someone else (its loop closing): the subscriber must not hang
                error(e);
            }
            // else the subscription was cancelled: no further signal (3.7)
        } catch (Throwable e) {
            error(e);
        } finally {
            cancelled = true;
            releaseOnce();
        }
        return null;
    }

    /** Emits items while there is demand, then signals onComplete or onError. */
    abstract void emitAll() throws Throwable;

    /** Frees the source (closes a generator or iterator); runs on the loop. */
    void release() {}

    private void releaseOnce() {
        if (released) {
            return;
        }
        released = true;
        try {
            release();
        } catch (CancelledError e) {
            // the source was closed by a cancellation: nothing to report
        } catch (Throwable e) {
            dropped(e, "error while closing the source of a cancelled or finished publisher");
        }
    }

    /**
     * Waits until there is demand, the subscription is cancelled, or request() was invalid;
     * returns the outstanding demand, or 0 if the driver must stop now (after signalling an
     * invalid request as onError).
     */
    final long awaitDemand() {
        for (;;) {
            Throwable bad = badRequest;
            if (bad != null) {
                error(bad);
                return 0;
            }
            if (cancelled) {
                return 0;
            }
            long r = requested.get();
            if (r > 0) {
                return r;
            }
            demand = loop.createFuture();
            if (!requested.prepareWait()) {
                continue;
            }
            if (cancelled || badRequest != null) { // published before they read isWaiting()
                requested.doneWaiting();
                continue;
            }
            try {
                demand.await();
            } finally {
                requested.doneWaiting();
                demand = null;
            }
        }
    }

    /** Counts {@code n} items as delivered (unbounded demand stays unbounded). */
    final void produced(long n) {
        requested.produced(n);
    }

    /** Whether the driver must stop emitting. */
    final boolean isCancelled() {
        return cancelled;
    }

    /**
     * Delivers one item, checking rule 2.13; false if emission must stop. An item that can no
     * longer be delivered (the subscriber cancelled) is discarded.
     */
    final boolean emit(T item) {
        Subscriber<? super T> d = downstream; // null once cancelled or terminated
        if (d == null) {
            if (item != null) {
                discard(item);
            }
            return false;
        }
        if (item == null) {
            throw new NullPointerException("§2.13 violated: the source produced a null item;"
                    + " Reactive Streams never carries null");
        }
        delivering = true;
        try {
            d.onNext(item);
        } catch (Throwable e) {
            // §2.13: a subscriber that throws is broken; cancel, report, and signal nothing more
            cancelled = true;
            downstream = null;
            dropped(e, "§2.13 violated: " + d + ".onNext threw; the subscription was cancelled");
            return false;
        } finally {
            delivering = false;
        }
        // a bad request(n <= 0) is signalled at the next batch boundary, by awaitDemand()
        return downstream != null;
    }

    final void complete() {
        Subscriber<? super T> d = downstream;
        if (!cancelled && d != null) {
            cancelled = true;
            downstream = null;
            try {
                d.onComplete();
            } catch (Throwable e) {
                dropped(e, "§2.13 violated: " + d + ".onComplete threw");
            }
        }
    }

    final void error(Throwable e) {
        Subscriber<? super T> d = downstream;
        if (d != null) {
            if (e instanceof CancelledError c) {
                e = cancellation(null, c); // a subscriber expects a CancellationException, not an Error
            }
            cancelled = true;
            downstream = null;
            try {
                d.onError(e);
            } catch (Throwable t) {
                t.addSuppressed(e);
                dropped(t, "§2.13 violated: " + d + ".onError threw");
            }
        } else if (!(e instanceof CancelledError)) {
            // the subscriber is gone (cancelled, or already terminated): never lose the error
            dropped(e, "a publisher's source failed after its subscriber had cancelled");
        }
    }

    /**
     * What a subscriber gets when the source was cancelled by someone other than itself (its
     * loop closing, a task cancelling the generator's body): a {@link CancellationException}
     * with the {@link CancelledError} (if any) as its cause; its message is {@code message}, else
     * the cause's. Shared with {@link FutureSubscription}, which passes its future's cancel
     * message.
     */
    static CancellationException cancellation(String message, CancelledError cause) {
        CancellationException ce = new CancellationException(message != null ? message
                : cause != null && cause.getMessage() != null ? cause.getMessage()
                : "the source behind this publisher was cancelled");
        if (cause != null) {
            ce.initCause(cause);
        }
        return ce;
    }

    /** Reports an error nobody can receive any more. */
    final void dropped(Throwable e, String what) {
        reportDropped(loop, errorDropped, e, what);
    }

    /** Hands an item that will never be delivered to the discard hook, if there is one. */
    final void discard(T item) {
        discard(loop, discarded, item);
    }

    /** The discard hook's call: a hook that throws is reported, never propagated. */
    static <T> void discard(EventLoop loop, Consumer<? super T> hook, T item) {
        if (hook == null) {
            return;
        }
        try {
            hook.accept(item);
        } catch (Throwable e) {
            reportDropped(loop, null, e, "the discard hook of a publisher threw on " + item);
        }
    }

    /**
     * Runs {@code action} now when the caller is the loop's own code, else posts it to the loop,
     * so that what a task of that loop asks for happens in its turn, as in asyncio.
     *
     * @throws IllegalStateException if it has to be posted and the loop is closed
     */
    static void onLoop(EventLoop loop, Runnable action) {
        if (Aio.runningLoopOrNull() == loop) {
            action.run();
        } else {
            loop.callSoonThreadsafe(action);
        }
    }

    /** The hook if there is one, else the loop's exception handler; never lost. */
    static void reportDropped(EventLoop loop, Consumer<Throwable> hook, Throwable e,
            String what) {
        if (hook != null) {
            try {
                hook.accept(e);
                return;
            } catch (Throwable t) {
                // a hook that throws (RxJava's default rethrows; Reactor's rethrows a fatal
                // error as it is): fall back, and keep the error itself
                if (t != e) {
                    e.addSuppressed(t);
                }
            }
        }
        if (loop.isClosed()) {
            System.getLogger("io.aiobridge.EventLoop").log(System.Logger.Level.ERROR, what, e);
        } else {
            loop.callExceptionHandler(ErrorContext.of(what, e));
        }
    }

    @Override
    public final void request(long n) {
        if (n <= 0) {
            // §3.9: signal IllegalArgumentException through onError (on the driver, serially)
            if (badRequest == null && !cancelled) {
                badRequest = new IllegalArgumentException(
                        "§3.9 violated: positive request amount required but it was " + n);
                wake();
            }
            return;
        }
        if (requested.add(n)) {
            wake();
        }
    }

    @Override
    public final void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        downstream = null; // §3.13: drop the subscriber now, not when the loop gets to it
        try {
            onLoop(loop, this::cancelDriver); // from the loop's code: at once, as task.cancel()
        } catch (IllegalStateException closed) {
            // loop closed: the driver is gone already
        }
    }

    /**
     * Cancels the driver task, unless this cancel comes from inside its own {@code onNext} call
     * ({@code take(n)}, a subscriber that has seen enough): the driver stops when that call
     * returns and closes the generator, whose {@code finally} may still await, as after
     * asyncio's {@code aclose()}. A cancelled task could not: its next await would raise. For
     * the same reason a cancel that arrives while the source is being closed leaves it be.
     */
    private void cancelDriver() {
        Task<Void> d = driver;
        if (d != null && !d.isDone() && !delivering && !released) {
            d.cancel("subscription cancelled");
        }
    }

    private void wake() {
        if (requested.isWaiting()) {
            try {
                loop.callSoonThreadsafe(() -> {
                    AsyncFuture<Void> d = demand;
                    if (d != null && !d.isDone()) {
                        d.setResult(null);
                    }
                });
            } catch (IllegalStateException closed) {
                // loop closed: the driver is gone already
            }
        }
    }

    static <T> Subscriber<? super T> requireSubscriber(Subscriber<? super T> s) {
        return Objects.requireNonNull(s, "§1.9 violated: subscribe(null); pass a Subscriber");
    }
}
