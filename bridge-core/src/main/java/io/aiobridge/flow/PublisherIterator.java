package io.aiobridge.flow;

import io.aiobridge.AioFuture;
import io.aiobridge.Awaitable;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.internal.Failures;
import io.aiobridge.internal.RuntimeAccess;
import io.aiobridge.iter.StopAsyncIteration;
import java.util.concurrent.atomic.AtomicReference;
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
 * @param <T> the item type
 */
final class PublisherIterator<T> implements IteratorSubscriber<T> {
    private static final Object COMPLETE = new Object();

    private final Publisher<? extends T> source;
    private final int prefetch;
    private final int limit;
    private final Object[] ring;
    private final int mask;
    /** Items published by the producer (release-stored). */
    private final java.util.concurrent.atomic.AtomicLong produced =
            new java.util.concurrent.atomic.AtomicLong();
    /** Items taken by the consumer (consumer-confined). */
    private long consumed;
    /** COMPLETE or a Failure, published after the last item. */
    private volatile Object terminal;
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

    /** Subscribed by someone else, iterated by a task of {@code loop}. */
    PublisherIterator(EventLoop loop, int prefetch, double replenish) {
        this((Publisher<? extends T>) null, prefetch, replenish);
        this.loop = loop;
        this.subscribed = true;
    }

    PublisherIterator(Publisher<? extends T> source, int prefetch, double replenish) {
        this.source = source;
        this.prefetch = prefetch;
        this.limit = Math.max(1, (int) Math.round(prefetch * replenish));
        int cap = Integer.highestOneBit(Math.max(1, prefetch - 1)) << 1;
        this.ring = new Object[Math.max(2, cap)];
        this.mask = ring.length - 1;
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
        } else if (loop != task.getLoop()) {
            throw new IllegalStateException("this subscriber wakes tasks of " + loop
                    + "; iterate it in a task of that loop");
        }
        for (;;) {
            if (consumed < produced.get()) {
                int i = (int) consumed & mask;
                Object o = ring[i];
                ring[i] = null;
                consumed++;
                if (++consumedSinceRequest == limit) {
                    consumedSinceRequest = 0;
                    request(limit);
                }
                return (T) o;
            }
            Object end = terminal;
            if (end != null && consumed == produced.get()) {
                // the terminal signal was published after the last item: nothing is left
                done = true;
                if (end instanceof Failure f) {
                    throw Failures.rethrowable(f.error);
                }
                throw new StopAsyncIteration();
            }
            AioFuture<Void> w = task.getLoop().createFuture();
            waiter.set(w);
            if (consumed < produced.get() || terminal != null) {
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
        java.util.Arrays.fill(ring, null);
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
                    + " onComplete/onError; the publisher " + describeSource() + " is broken"));
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
            return;
        }
        long p = produced.get();
        ring[(int) p & mask] = item;
        produced.lazySet(p + 1); // release: the item is visible before the index moves
        wakeConsumer();
    }

    @Override
    public void onError(Throwable t) {
        if (terminalSeen) {
            return; // a second terminal signal: ignored, the first one stands
        }
        terminalSeen = true;
        NullPointerException npe = t == null ? new NullPointerException(
                "§2.13 violated: onError(null) from " + describeSource()) : null;
        terminal = new Failure(npe != null ? npe : t);
        wakeConsumer();
        if (npe != null) {
            throw npe;
        }
    }

    @Override
    public void onComplete() {
        if (terminalSeen) {
            return;
        }
        terminalSeen = true;
        terminal = COMPLETE;
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
        if (terminal == null) {
            terminal = new Failure(error);
            wakeConsumer();
        } else {
            // the consumer already has the first terminal signal, which stands; the broken
            // publisher is still reported, never silently dropped
            EventLoop l = loop;
            if (l != null && !l.isClosed()) {
                l.callSoonThreadsafe(() -> l.callExceptionHandler(io.aiobridge.ErrorContext.of(
                        "a publisher signalled after its end", error)));
            }
        }
    }

    private void wakeConsumer() {
        if (waiter.get() == null) {
            return; // the consumer is not waiting: it will find the item itself
        }
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

    private String describeSource() {
        return source != null ? String.valueOf(source) : "the publisher";
    }

    private record Failure(Throwable error) {}
}
