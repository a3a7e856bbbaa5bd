package io.aiobridge.flow;

import io.aiobridge.AioFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One subscription to an {@link AsyncPublisher}: a driver task on the subscription's loop emits
 * items while there is demand.
 *
 * <p><b>Invariants.</b> Every signal to the subscriber after {@code onSubscribe} comes from the
 * driver task, so signals are serial (rule 1.3) and none follows a terminal one (1.7).
 * {@code requested} is the outstanding demand, capped at {@code Long.MAX_VALUE}, which means
 * unbounded (3.17). The driver waits only while {@code requested == 0}, having published {@code
 * waiting} first; {@link #request} and {@link #cancel} may run on any thread, and wake it through
 * the loop when they see {@code waiting}, so no wake-up is lost.
 *
 * @param <T> the item type
 */
abstract class EmitterSubscription<T> implements Subscription {
    /**
     * The most items a generator runs ahead per handoff (with less demand, the demand): each
     * handoff costs about a microsecond, so large batches make it negligible per item.
     */
    static final int BATCH = Integer.getInteger("aiobridge.publisherBatch", 4096);

    /** Null once cancelled or terminated: the subscriber must not be kept (rule 3.13). */
    private volatile Subscriber<? super T> downstream;
    final EventLoop loop;
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean cancelled;
    private volatile Throwable badRequest;
    private volatile boolean waiting;
    /** Loop-confined: the future the driver awaits while there is no demand. */
    private AioFuture<Void> demand;
    private Task<Void> driver;
    /** Loop-confined: {@link #release()} has run. */
    private boolean released;
    /** Where undeliverable errors go (an adapter's hook), else the loop's exception handler. */
    java.util.function.Consumer<Throwable> errorDropped;

    EmitterSubscription(Subscriber<? super T> downstream, EventLoop loop) {
        this.downstream = downstream;
        this.loop = loop;
    }

    /** Starts the driver on the loop; called once, after onSubscribe. */
    final void start() {
        try {
            loop.callSoonThreadsafe(() -> {
                if (cancelled && badRequest == null) {
                    releaseOnce(); // cancelled before it started: a given future is still freed
                    return;
                }
                driver = loop.createTask(this::drive, "publisher " + this, null);
                // a driver cancelled before its first step never runs drive()
                driver.addDoneCallback(t -> releaseOnce());
            });
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

    private Void drive() {
        boolean terminated = false;
        try {
            emitAll();
            terminated = true;
        } catch (CancelledError e) {
            terminated = true; // cancelled: no further signal (3.7)
        } catch (Throwable e) {
            terminated = true;
            error(e);
        } finally {
            releaseOnce();
            if (!terminated) {
                cancelled = true;
            }
        }
        return null;
    }

    /** Emits items while there is demand, then signals onComplete or onError. */
    abstract void emitAll() throws Exception;

    /** Frees the source (closes a generator, cancels a task); runs on the loop. */
    void release() {}

    private void releaseOnce() {
        if (released) {
            return;
        }
        released = true;
        try {
            release();
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
            waiting = true;
            if (requested.get() > 0 || cancelled || badRequest != null) {
                waiting = false;
                continue;
            }
            try {
                demand.await();
            } finally {
                waiting = false;
                demand = null;
            }
        }
    }

    /** Counts {@code n} items as delivered (unbounded demand stays unbounded). */
    final void produced(long n) {
        long r;
        do {
            r = requested.get();
            if (r == Long.MAX_VALUE) {
                return;
            }
        } while (!requested.compareAndSet(r, r - n));
    }

    /** Whether the driver must stop emitting. */
    final boolean isCancelled() {
        return cancelled;
    }

    /** Delivers one item, checking rule 2.13; false if emission must stop. */
    final boolean emit(T item) {
        Subscriber<? super T> d = downstream; // null once cancelled or terminated
        if (d == null) {
            return false;
        }
        if (item == null) {
            throw new NullPointerException("§2.13 violated: the source produced a null item;"
                    + " Reactive Streams never carries null");
        }
        d.onNext(item);
        // a bad request(n <= 0) is signalled at the next batch boundary, by awaitDemand()
        return downstream != null;
    }

    final void complete() {
        Subscriber<? super T> d = downstream;
        if (!cancelled && d != null) {
            cancelled = true;
            downstream = null;
            d.onComplete();
        }
    }

    final void error(Throwable e) {
        Subscriber<? super T> d = downstream;
        if (d != null) {
            cancelled = true;
            downstream = null;
            d.onError(e);
        } else if (!(e instanceof io.aiobridge.CancelledError)) {
            // the subscriber is gone (cancelled, or already terminated): never lose the error
            dropped(e, "a publisher's source failed after its subscriber had cancelled");
        }
    }

    /** Reports an error nobody can receive any more. */
    final void dropped(Throwable e, String what) {
        java.util.function.Consumer<Throwable> hook = errorDropped;
        if (hook != null) {
            hook.accept(e);
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
        long r;
        long next;
        do {
            r = requested.get();
            if (r == Long.MAX_VALUE) {
                return;
            }
            next = r + n;
            if (next < 0) {
                next = Long.MAX_VALUE; // §3.17: demand adds up to unbounded
            }
        } while (!requested.compareAndSet(r, next));
        if (r == 0) {
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
            loop.callSoonThreadsafe(() -> {
                Task<Void> d = driver;
                if (d != null && !d.isDone()) {
                    d.cancel("subscription cancelled");
                }
            });
        } catch (IllegalStateException closed) {
            // loop closed: the driver is gone already
        }
    }

    private void wake() {
        if (waiting) {
            try {
                loop.callSoonThreadsafe(() -> {
                    AioFuture<Void> d = demand;
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
