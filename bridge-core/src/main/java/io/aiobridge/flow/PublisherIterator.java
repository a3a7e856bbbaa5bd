package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.Awaitable;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.Task;
import io.aiobridge.internal.Checkpoint;
import io.aiobridge.internal.Failures;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

/**
 * A publisher consumed as an async iterator: subscribes on the first {@code anext}, requests
 * {@code prefetch} items, and requests more each time {@code limit} items were consumed (Reactor's
 * replenish rule), so it never holds more than {@code prefetch} items.
 *
 * <p><b>Invariants.</b> Signals may arrive on any thread, but serially (rule 1.3), and never more
 * items than requested, so at most {@code prefetch} are outstanding: they go into a
 * single-producer, single-consumer ring of that size (the producer publishes its index with a
 * release store; the terminal signal is published after the last item). The consuming task is
 * woken through its loop only if it is waiting: it publishes a {@code waiter} before re-checking
 * the ring, so no wake-up is lost. A publisher that sends more than requested (or null, or
 * signals after its end) gets cancelled and the consumer gets a clear error.
 *
 * <p><b>Ownership.</b> The iteration belongs to the task that started it (its first {@code
 * anext}): when that task ends, however it ends, an iteration it left open is cancelled, since
 * Java's for-each cannot tell an iterator that a loop was left by {@code break} or an exception.
 * {@code request} and {@code cancel} reach the upstream serially (rule 2.7).
 *
 * @param <T> the item type
 */
final class PublisherIterator<T> extends TaskOwned<T> implements IteratorSubscriber<T> {
    private static final Object COMPLETE = new Object();

    private final Publisher<? extends T> source;
    private final int prefetch;
    private final int limit;
    /** Items, then COMPLETE or a Failure; the consuming task's waiter. */
    private final SpscRing<AsyncFuture<Void>> ring;
    private final SerialSubscription upstream = new SerialSubscription();
    private volatile EventLoop loop;
    private volatile boolean terminalSeen;
    private volatile Throwable protocolError;
    private long received;
    /** Written before each request(n), so onNext caused by it sees the new total. */
    private final AtomicLong requestedTotal =
            new AtomicLong();
    private int consumedSinceRequest;
    private boolean subscribed;
    private boolean done;
    /** The consumer stopped before the terminal signal: an error after it goes to the loop. */
    private volatile boolean closedEarly;
    private final AtomicBoolean droppedReported = new AtomicBoolean();
    /** Receives each item that arrived but will never be read; null: they are dropped. */
    private final Consumer<? super T> discarded;
    /** {@code discarded} behind the loop's error reporting, for the ring. */
    private final Consumer<Object> discard;
    /** Steps since the consuming task last waited; loop-confined. */
    private int stepsWithoutWaiting;

    /** Subscribed by someone else, iterated by a task of {@code loop}. */
    PublisherIterator(EventLoop loop, int prefetch, double replenish) {
        this((Publisher<? extends T>) null, prefetch, replenish, null);
        this.loop = loop;
        this.subscribed = true;
    }

    PublisherIterator(Publisher<? extends T> source, int prefetch, double replenish,
            Consumer<? super T> discarded) {
        this.source = source;
        this.prefetch = prefetch;
        this.limit = Math.max(1, (int) Math.round(prefetch * replenish));
        this.ring = new SpscRing<>(prefetch);
        this.discarded = discarded;
        this.discard = this::discardItem;
    }

    @SuppressWarnings("unchecked")
    private void discardItem(Object item) {
        Violations.discard(loop, discarded, (T) item, "an iteration");
    }

    // ---- consumer side (a task of the loop) --------------------------------------------------

    @Override
    public Awaitable<T> anext() {
        return this::next;
    }

    @SuppressWarnings("unchecked")
    @Override
    T next() {
        Task<?> task = Aio.currentTask("anext() of a publisher");
        if (done) {
            throw new StopAsyncIteration();
        }
        refuseSecondConsumer();
        if (!subscribed) {
            subscribed = true;
            loop = task.getLoop();
            adopt(task);
            source.subscribe(this);
        } else if (loop != task.getLoop()) {
            throw otherLoop(loop);
        } else {
            adopt(task); // subscribed by someone else: the first task to iterate owns it
        }
        // owned now (closed with its task): a cancel pending here is raised here, and every
        // so many items a due timer or other threads' work gets the loop, or a source that is
        // never empty would hold them off for ever
        stepsWithoutWaiting = Checkpoint.step(task, stepsWithoutWaiting, limit);
        for (;;) {
            Object o = ring.poll();
            if (o != null) {
                if (++consumedSinceRequest == limit) {
                    consumedSinceRequest = 0;
                    request(limit);
                }
                return (T) o;
            }
            Object end = ring.drainedEnd();
            if (end != null) {
                // the terminal signal was published after the last item: nothing is left
                done = true;
                release();
                if (end instanceof Failure f) {
                    throw Failures.rethrowable(f.error);
                }
                throw new StopAsyncIteration();
            }
            AsyncFuture<Void> w = task.getLoop().createFuture();
            if (!ring.arm(w)) {
                continue;
            }
            stepsWithoutWaiting = 0; // the loop runs while this task waits
            try {
                // cancelled here (the task, or an Aio.timeout around this anext), the iteration
                // stays open with what it holds, as a cancelled StreamReader.read() leaves its
                // buffer: the task's end, the handle's collection or aclose() ends it
                awaitWake(task, w);
            } finally {
                ring.disarm(w);
            }
            if (done) {
                // closed while this task waited (by another task, or with the task that owns
                // it): the iteration is over for its consumer too
                throw new StopAsyncIteration();
            }
        }
    }

    private void request(long n) {
        requestedTotal.addAndGet(n); // before the request, so onNext caused by it sees the total
        upstream.request(n);
    }

    @Override
    public void aclose() {
        boolean early = !done;
        done = true;
        if (early) {
            closedEarly = true;
        }
        upstream.cancel();
        release();
        if (early && ring.end() instanceof Failure f && f.error != protocolError) {
            reportDropped(f.error); // it arrived, but the consumer left before reading it
        }
        ring.abandon(discard); // read ahead, or landing from now on: never read
        wakeConsumer(); // one waiting meanwhile sees the iteration closed, not waits for ever
    }

    /** Once: an error the consumer will never read, to the loop's exception handler. */
    private void reportDropped(Throwable error) {
        EventLoop l = loop;
        if (l != null && droppedReported.compareAndSet(false, true)) {
            Violations.dropped(l, error);
        }
    }

    @Override
    public String toString() {
        return "<iteration of " + describeSource() + (done ? " closed" : "") + ">";
    }

    // ---- subscriber side (any thread) --------------------------------------------------------

    @Override
    public void onSubscribe(Subscription s) {
        if (s == null) {
            throw new NullPointerException("§2.13 violated: onSubscribe(null)");
        }
        requestedTotal.addAndGet(prefetch);
        if (upstream.set(s)) { // a second one is cancelled (§2.5); after aclose, so is this one
            upstream.request(prefetch);
        } else {
            requestedTotal.addAndGet(-prefetch);
        }
    }

    @Override
    public void onNext(T item) {
        if (terminalSeen) {
            violation(new IllegalStateException("§1.7 violated: onNext after the publisher's"
                    + " onComplete/onError; the publisher " + describeSource() + " is broken"));
            discard.accept(item);
            return;
        }
        if (item == null) {
            NullPointerException npe = new NullPointerException(
                    "§2.13 violated: onNext(null) from " + describeSource());
            violation(npe);
            throw npe; // §2.13: a null parameter is thrown back to the caller
        }
        if (++received > requestedTotal.get()) {
            violation(new IllegalStateException("§1.1 violated: " + describeSource() + " sent more items ("
                    + received + ") than were requested (" + requestedTotal.get() + ")"));
            discard.accept(item);
            return;
        }
        ring.offer(item);
        wakeConsumer();
        ring.emptyIfAbandoned(discard); // the consumer left meanwhile: it never reads this item
    }

    @Override
    public void onError(Throwable t) {
        if (terminalSeen) {
            return; // a second terminal signal: ignored, the first one stands
        }
        terminalSeen = true;
        NullPointerException npe = t == null ? new NullPointerException(
                "§2.13 violated: onError(null) from " + describeSource()) : null;
        ring.end(new Failure(npe != null ? npe : t));
        wakeConsumer();
        if (npe != null) {
            throw npe;
        }
        if (closedEarly) {
            reportDropped(t); // the consumer has gone: it will never read this error
        }
    }

    @Override
    public void onComplete() {
        if (terminalSeen) {
            return;
        }
        terminalSeen = true;
        ring.end(COMPLETE);
        wakeConsumer();
    }

    private void violation(Throwable error) {
        if (protocolError != null) {
            return;
        }
        protocolError = error;
        terminalSeen = true;
        upstream.cancel();
        if (ring.end(new Failure(error))) {
            wakeConsumer();
        } else {
            // the consumer already has the first terminal signal, which stands; the broken
            // publisher is still reported, never silently dropped
            EventLoop l = loop;
            if (l != null) {
                Violations.report(l, error);
            }
        }
    }

    private void wakeConsumer() {
        AsyncFuture<Void> w = ring.takeWaiter(); // null: not waiting, it will find the item itself
        if (w != null) {
            EventLoop l = loop;
            Runnable wake = () -> {
                if (!w.isDone()) {
                    w.setResult(null);
                }
            };
            try {
                l.callSoonThreadsafe(wake);
            } catch (IllegalStateException closed) {
                // the consumer's loop is closed: nobody is waiting any more
            }
        }
    }

    private String describeSource() {
        return source != null ? String.valueOf(source) : "the publisher";
    }

    private record Failure(Throwable error) {}
}
