package io.aiobridge.flow;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;

/**
 * Calls {@code request} and {@code cancel} on an upstream {@link Subscription} serially (rule
 * 2.7) without blocking anyone: each caller records what it wants and the one thread that enters
 * the drain loop passes everything recorded on, in order, until nothing is left. A cancel that
 * arrives while another thread is inside {@code request} is performed by that thread as soon as
 * {@code request} returns, so a task being cancelled never waits for a publisher's thread.
 *
 * <p><b>Invariant:</b> {@code wip} counts the drain requests not yet served; only the thread
 * that moved it from 0 calls the upstream, and it leaves only after seeing it return to 0. After
 * {@code cancel} the upstream is cancelled once and never requested from again. Demand recorded
 * before the upstream is set is passed on when it is set.
 */
final class SerialSubscription {
    private volatile Subscription upstream;
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean cancelled;
    private final AtomicInteger wip = new AtomicInteger();
    /** Drain-confined: the upstream has been cancelled. */
    private boolean upstreamCancelled;
    /** The thread inside the drain loop, or null: only it may call the upstream. */
    private volatile Thread drainer;

    /**
     * Sets the upstream (from {@code onSubscribe}). A second subscription is cancelled (rule
     * 2.5), as is the first one if {@link #cancel()} came before it.
     *
     * @param s the subscription
     * @return false if {@code s} was a second subscription and has been cancelled
     */
    boolean set(Subscription s) {
        synchronized (this) {
            if (upstream != null) {
                s.cancel(); // §2.5: not ours to keep, and not the one we serialize
                return false;
            }
            upstream = s;
        }
        drain();
        return true;
    }

    boolean isSet() {
        return upstream != null;
    }

    /** Adds {@code n} (> 0) to the demand passed upstream; capped at unbounded (rule 3.17). */
    void request(long n) {
        long r;
        long next;
        do {
            r = pending.get();
            next = r + n < 0 ? Long.MAX_VALUE : r + n;
        } while (!pending.compareAndSet(r, next));
        drain();
    }

    /**
     * Cancels the upstream (now or once it is set); idempotent. Called from inside the
     * upstream's own {@code request} (an {@code onNext} that has seen enough), the cancel is
     * passed on at once, as Reactor's and RxJava's operators do: a synchronous source checks for
     * it between items, and would otherwise emit all it was asked for first. That reentrant call
     * is serial (rule 2.7 forbids concurrent calls, not nested ones).
     */
    void cancel() {
        cancelled = true;
        if (drainer == Thread.currentThread()) {
            Subscription s = upstream;
            if (s != null && !upstreamCancelled) {
                upstreamCancelled = true;
                s.cancel();
            }
            return; // the drain loop below this call sees it done
        }
        drain();
    }

    boolean isCancelled() {
        return cancelled;
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        drainer = Thread.currentThread();
        int missed = 1;
        for (;;) {
            Subscription s = upstream;
            if (s != null && !upstreamCancelled) {
                if (cancelled) {
                    upstreamCancelled = true;
                    s.cancel();
                } else {
                    long r = pending.getAndSet(0);
                    if (r > 0) {
                        s.request(r);
                    }
                }
            }
            if (wip.get() == missed) {
                drainer = null; // before leaving: a later caller on this thread drains anew
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
            drainer = Thread.currentThread();
        }
    }
}
