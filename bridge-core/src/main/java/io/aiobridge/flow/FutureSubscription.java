package io.aiobridge.flow;

import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.reactivestreams.Subscriber;

/**
 * One subscription to a future or coroutine {@link AsyncPublisher}: at most one item, then the
 * end. No driver task: a coroutine's own task signals when its body ends, a given future's done
 * callback signals when it completes, and {@link #request} signals a value that was waiting for
 * demand, on the requesting thread. A future that is already done needs no loop at all.
 *
 * <p><b>Invariant.</b> {@code state} moves only forward, by compare-and-set: {@code EMPTY} (no
 * demand, no outcome), then {@code REQUESTED} (demand, no outcome) or {@code HAS_VALUE} (a value
 * waiting for demand), then {@code DONE}. Whoever moves it to {@code DONE} sends the terminal
 * signal (or none, after a cancel), so signals are serial (rule 1.3) and exactly one terminal
 * signal is sent (1.7), whichever thread wins.
 *
 * <p><b>Errors.</b> A failure needs no demand (1.4). A task cancelled by its subscriber sends
 * nothing (3.5); a task cancelled by someone else (its loop closing) ends the subscriber with a
 * {@link CancellationException}, so a waiting subscriber is never left hanging. A failure after
 * the subscriber cancelled goes to the dropped-error hook, else the loop's exception handler.
 *
 * @param <T> the item type
 */
final class FutureSubscription<T> implements AsyncPublisher.Startable {
    private static final int EMPTY = 0;
    private static final int REQUESTED = 1;
    private static final int HAS_VALUE = 2;
    private static final int DONE = 3;

    private final AtomicInteger state = new AtomicInteger(EMPTY);
    private volatile Subscriber<? super T> downstream;
    private final EventLoop loop;
    private final Consumer<Throwable> errorDropped;
    /** Receives a value that will never be delivered (cancelled first), or null. */
    private final Consumer<? super T> discarded;
    /** Makes the future: the given one, or a new task running the coroutine. */
    private final Supplier<AsyncFuture<T>> source;
    /** Whether {@link #source} hands out a future made elsewhere (else: this subscription's task). */
    private final boolean given;
    /** The value waiting for demand (state HAS_VALUE). */
    private T value;
    private volatile AsyncFuture<T> future;
    private volatile boolean cancelled;

    FutureSubscription(AsyncPublisher.EmitterArgs<T> a, Supplier<AsyncFuture<T>> source,
            boolean given) {
        this.downstream = a.subscriber();
        this.loop = a.loop();
        this.errorDropped = a.errorDropped();
        this.discarded = a.discarded();
        this.source = source;
        this.given = given;
    }

    /** A coroutine publisher's subscription: runs {@code coro} as this subscription's task. */
    static <T> FutureSubscription<T> ofCoroutine(AsyncPublisher.EmitterArgs<T> a,
            Coroutine<T> coro) {
        FutureSubscription<T>[] self = newArray();
        self[0] = new FutureSubscription<>(a, () -> a.loop().createTask(() -> self[0].run(coro)),
                false);
        return self[0];
    }

    @SuppressWarnings("unchecked")
    private static <T> FutureSubscription<T>[] newArray() {
        return (FutureSubscription<T>[]) new FutureSubscription<?>[1];
    }

    @Override
    public void start() {
        if (given) {
            AsyncFuture<T> f = source.get();
            future = f;
            if (f.isDone()) {
                settle(f); // no loop needed: it may be idle, or another loop's
                return;
            }
        }
        try {
            // subscribed from the loop's own code: the task starts in turn, no hop
            EmitterSubscription.onLoop(loop, this::link);
        } catch (IllegalStateException closed) {
            // the loop is closed: nothing will ever run there
            fail(closed);
        }
    }

    /** On the loop: watch the given future, or start this subscription's task. */
    private void link() {
        if (given) {
            AsyncFuture<T> f = future;
            if (cancelled) {
                cancelFuture(f);
                return;
            }
            f.addDoneCallback(this::settle);
            return;
        }
        if (cancelled) {
            return; // cancelled before the task existed: the coroutine never runs
        }
        AsyncFuture<T> f = source.get();
        future = f;
        if (cancelled) {
            cancelFuture(f); // cancel() ran before `future` was visible to it
        }
    }

    /** The task's body: the coroutine, then its outcome sent from the task itself. */
    private T run(Coroutine<T> coro) throws Exception {
        T v;
        try {
            v = coro.call();
        } catch (CancelledError e) {
            if (!cancelled) {
                fail(cancellation(e));
            }
            throw e;
        } catch (Throwable e) {
            fail(e);
            return null; // handed to the subscriber (or the dropped hook): nothing left to retrieve
        }
        succeed(v);
        return v;
    }

    /** A given future's done callback (or the future was done at subscription). */
    private void settle(AsyncFuture<T> f) {
        if (f.isCancelled()) {
            if (!cancelled) {
                fail(cancellation(null));
            }
            return;
        }
        Throwable e = f.exception(); // marks it retrieved: it is handed on here
        if (e != null) {
            fail(e);
        } else {
            succeed(f.result());
        }
    }

    private CancellationException cancellation(CancelledError cause) {
        AsyncFuture<T> f = future;
        return EmitterSubscription.cancellation(f != null ? f.cancelMessage() : null, cause);
    }

    private void succeed(T v) {
        if (v == null) {
            if (transition(DONE) != DONE) {
                Subscriber<? super T> d = take();
                if (d != null) {
                    signalComplete(d);
                }
            }
            return;
        }
        for (;;) {
            int s = state.get();
            if (s == DONE) {
                discard(v); // cancelled, or a bad request ended it: nobody will receive it
                return;
            }
            if (s == REQUESTED) {
                if (state.compareAndSet(REQUESTED, DONE)) {
                    emit(v);
                    return;
                }
            } else {
                value = v; // published by the CAS below
                if (state.compareAndSet(EMPTY, HAS_VALUE)) {
                    return;
                }
            }
        }
    }

    private void fail(Throwable e) {
        if (transition(DONE) != DONE) {
            Subscriber<? super T> d = take();
            if (d != null) {
                try {
                    d.onError(e);
                } catch (Throwable t) {
                    t.addSuppressed(e);
                    dropped(t, "§2.13 violated: " + d + ".onError threw");
                }
                return;
            }
        }
        if (!(e instanceof CancellationException)) {
            dropped(e, "a publisher's future failed after its subscriber had cancelled");
        }
    }

    /** Moves to {@code to} (DONE) and returns the state it left. */
    private int transition(int to) {
        return state.getAndSet(to);
    }

    private Subscriber<? super T> take() {
        Subscriber<? super T> d = downstream;
        downstream = null;
        return d;
    }

    private void emit(T v) {
        value = null;
        Subscriber<? super T> d = take();
        if (d == null) {
            discard(v);
            return;
        }
        try {
            d.onNext(v);
        } catch (Throwable e) {
            dropped(e, "§2.13 violated: " + d + ".onNext threw; the subscription was cancelled");
            return;
        }
        signalComplete(d);
    }

    private void signalComplete(Subscriber<? super T> d) {
        try {
            d.onComplete();
        } catch (Throwable e) {
            dropped(e, "§2.13 violated: " + d + ".onComplete threw");
        }
    }

    private void dropped(Throwable e, String what) {
        EmitterSubscription.reportDropped(loop, errorDropped, e, what);
    }

    private void discard(T v) {
        EmitterSubscription.discard(loop, discarded, v);
    }

    /** Takes the value that waited for demand (state HAS_VALUE, now DONE) and discards it. */
    private void discardWaiting(int was) {
        T v = value;
        value = null;
        if (was == HAS_VALUE && v != null) {
            discard(v);
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            // §3.9: the error ends the subscription; the task is no longer wanted
            int was = transition(DONE);
            if (was != DONE) {
                discardWaiting(was);
                Subscriber<? super T> d = take();
                cancelled = true;
                cancelSource();
                if (d != null) {
                    d.onError(new IllegalArgumentException(
                            "§3.9 violated: positive request amount required but it was " + n));
                }
            }
            return;
        }
        for (;;) {
            int s = state.get();
            if (s == EMPTY) {
                if (state.compareAndSet(EMPTY, REQUESTED)) {
                    return;
                }
            } else if (s == HAS_VALUE) {
                if (state.compareAndSet(HAS_VALUE, DONE)) {
                    emit(value);
                    return;
                }
            } else {
                return; // REQUESTED already, or DONE
            }
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        int was = transition(DONE);
        if (was != DONE) {
            discardWaiting(was);
            downstream = null; // §3.13
            cancelSource();
        }
    }

    /** Cancels the future or task if it is still running; through its loop. */
    private void cancelSource() {
        AsyncFuture<T> f = future;
        if (f == null || f.isDone()) {
            return; // not made yet (link() sees `cancelled`), or finished
        }
        try {
            // on the loop already: at once, so a task not yet started never runs
            EmitterSubscription.onLoop(loop, () -> cancelFuture(f));
        } catch (IllegalStateException closed) {
            // the loop is closed: its tasks are finished
        }
    }

    private static void cancelFuture(AsyncFuture<?> f) {
        if (!f.isDone()) {
            f.cancel("subscription cancelled");
        }
    }

    @Override
    public String toString() {
        AsyncFuture<T> f = future;
        return "<FutureSubscription " + (f instanceof Task<?> t ? t.getName() : f) + ">";
    }
}
