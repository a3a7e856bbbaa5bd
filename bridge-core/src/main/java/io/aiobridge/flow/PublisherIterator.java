package io.aiobridge.flow;

import io.aiobridge.AioFuture;
import io.aiobridge.Awaitable;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.internal.Failures;
import io.aiobridge.internal.RuntimeAccess;
import io.aiobridge.iter.AsyncIterator;
import io.aiobridge.iter.StopAsyncIteration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A publisher consumed as an async iterator: subscribes on the first {@code anext}, requests
 * {@code prefetch} items, and requests more each time {@code limit} items were consumed (Reactor's
 * replenish rule), so it never holds more than {@code prefetch} items.
 *
 * <p><b>Invariants.</b> Signals may arrive on any thread (serially, rule 1.3): they go into a
 * lock-free queue, and wake the consuming task through its loop only if it is waiting (a {@code
 * waiter} published before it re-checks the queue, so no wake-up is lost). The items received
 * never exceed the items requested; a publisher that breaks that (or sends null, or signals after
 * its end) gets cancelled and the consumer gets a clear error.
 *
 * @param <T> the item type
 */
final class PublisherIterator<T> implements AsyncIterator<T>, Subscriber<T> {
    private static final Object COMPLETE = new Object();

    private final Publisher<? extends T> source;
    private final int prefetch;
    private final int limit;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicReference<AioFuture<Void>> waiter = new AtomicReference<>();
    private volatile Subscription subscription;
    private volatile EventLoop loop;
    private volatile boolean terminalSeen;
    private volatile Throwable protocolError;
    private long received;
    /** Written before each request(n), so onNext caused by it sees the new total. */
    private final java.util.concurrent.atomic.AtomicLong requestedTotal =
            new java.util.concurrent.atomic.AtomicLong();
    private int consumedSinceRequest;
    private boolean subscribed;
    private boolean done;

    PublisherIterator(Publisher<? extends T> source, int prefetch, double replenish) {
        this.source = source;
        this.prefetch = prefetch;
        this.limit = Math.max(1, (int) Math.round(prefetch * replenish));
    }

    // ---- consumer side (a task of the loop) --------------------------------------------------

    @Override
    public Awaitable<T> anext() {
        return this::next;
    }

    @SuppressWarnings("unchecked")
    private T next() {
        Task<?> task = RuntimeAccess.get().currentTask("anext() of a publisher");
        if (done) {
            throw new StopAsyncIteration();
        }
        if (!subscribed) {
            subscribed = true;
            loop = task.getLoop();
            source.subscribe(this);
        }
        for (;;) {
            Object o = queue.poll();
            if (o != null) {
                if (o == COMPLETE) {
                    done = true;
                    throw new StopAsyncIteration();
                }
                if (o instanceof Failure f) {
                    done = true;
                    throw Failures.rethrowable(f.error);
                }
                if (++consumedSinceRequest == limit) {
                    consumedSinceRequest = 0;
                    request(limit);
                }
                return (T) o;
            }
            AioFuture<Void> w = task.getLoop().createFuture();
            waiter.set(w);
            if (!queue.isEmpty()) {
                waiter.compareAndSet(w, null);
                continue;
            }
            try {
                w.await();
            } catch (CancelledError e) {
                // the consuming task was cancelled: stop the upstream
                aclose();
                throw e;
            } finally {
                waiter.compareAndSet(w, null);
            }
        }
    }

    private void request(long n) {
        Subscription s = subscription;
        if (s != null) {
            requestedTotal.addAndGet(n);
            s.request(n);
        }
    }

    @Override
    public void aclose() {
        done = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        queue.clear();
    }

    // ---- subscriber side (any thread) --------------------------------------------------------

    @Override
    public void onSubscribe(Subscription s) {
        if (s == null) {
            throw new NullPointerException("§2.13 violated: onSubscribe(null)");
        }
        if (subscription != null) {
            s.cancel(); // §2.5: a second subscription is cancelled
            return;
        }
        subscription = s;
        requestedTotal.addAndGet(prefetch);
        s.request(prefetch);
    }

    @Override
    public void onNext(T item) {
        if (terminalSeen) {
            violation(new IllegalStateException("§1.7 violated: onNext after the publisher's"
                    + " onComplete/onError; the publisher " + source + " is broken"));
            return;
        }
        if (item == null) {
            violation(new NullPointerException("§2.13 violated: onNext(null) from " + source));
            return;
        }
        if (++received > requestedTotal.get()) {
            violation(new IllegalStateException("§1.1 violated: " + source + " sent more items ("
                    + received + ") than were requested (" + requestedTotal.get() + ")"));
            return;
        }
        queue.offer(item);
        wakeConsumer();
    }

    @Override
    public void onError(Throwable t) {
        if (terminalSeen) {
            return; // a second terminal signal: ignored, the first one stands
        }
        terminalSeen = true;
        queue.offer(new Failure(t == null ? new NullPointerException(
                "§2.13 violated: onError(null) from " + source) : t));
        wakeConsumer();
    }

    @Override
    public void onComplete() {
        if (terminalSeen) {
            return;
        }
        terminalSeen = true;
        queue.offer(COMPLETE);
        wakeConsumer();
    }

    private void violation(Throwable error) {
        if (protocolError != null) {
            return;
        }
        protocolError = error;
        terminalSeen = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        queue.offer(new Failure(error));
        wakeConsumer();
    }

    private void wakeConsumer() {
        AioFuture<Void> w = waiter.getAndSet(null);
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

    private record Failure(Throwable error) {}
}
