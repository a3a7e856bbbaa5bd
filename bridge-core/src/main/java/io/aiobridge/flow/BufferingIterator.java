package io.aiobridge.flow;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.Task;
import io.aiobridge.internal.Checkpoint;
import io.aiobridge.internal.Failures;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A source that cannot be slowed down, consumed by a task through a bounded buffer: requests
 * everything, holds at most {@code capacity} items for the task, and applies the {@link
 * Overflow} strategy to the rest. Subscribes on the first {@code anext}; belongs to the task that
 * started it (see {@link TaskOwned}).
 *
 * <p><b>Invariant:</b> {@code buffer.size() <= capacity}, and the terminal signal is recorded
 * after the last item that was kept, so the task sees every kept item before the end. Both sides
 * touch the buffer under its monitor (a source without backpressure arrives at its own pace, so
 * a lock-free ring would still need the producer to evict from the consumer's end).
 *
 * @param <T> the item type
 */
final class BufferingIterator<T> extends TaskOwned<T> implements Subscriber<T>, AsyncIterator<T> {
    private final Publisher<? extends T> source;
    private final int capacity;
    private final Overflow overflow;
    private final ArrayDeque<T> buffer = new ArrayDeque<>();
    private final SerialSubscription upstream = new SerialSubscription();
    /** Guarded by buffer's monitor: null, or the end (COMPLETE or the failure). */
    private Object terminal;
    private AsyncFuture<Void> waiter;
    private volatile EventLoop loop;
    private boolean subscribed;
    private boolean done;
    /** Guarded by buffer: the consumer stopped before the terminal signal arrived. */
    private boolean closedEarly;
    /** Receives each item that arrived but will never be read; null: they are dropped. */
    private final Consumer<? super T> discarded;

    private static final Object COMPLETE = new Object();
    /** Steps without waiting after which the loop gets a turn if it has something due. */
    private static final int FAIRNESS_STEPS = 256;
    /** Steps since the consuming task last waited; loop-confined. */
    private int stepsWithoutWaiting;

    BufferingIterator(Publisher<? extends T> source, int capacity, Overflow overflow,
            Consumer<? super T> discarded) {
        this.source = source;
        this.capacity = capacity;
        this.overflow = overflow;
        this.discarded = discarded;
    }

    @Override
    public Awaitable<T> anext() {
        return this::next;
    }

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
        }
        // owned now (closed with its task): a cancel pending here is raised here, and every
        // so many items a due timer or other threads' work gets the loop (PublisherIterator)
        stepsWithoutWaiting = Checkpoint.step(task, stepsWithoutWaiting, FAIRNESS_STEPS);
        for (;;) {
            AsyncFuture<Void> w;
            synchronized (buffer) {
                T item = buffer.pollFirst();
                if (item != null) {
                    return item;
                }
                Object end = terminal;
                if (end != null) {
                    done = true;
                    release();
                    if (end instanceof Throwable error) {
                        throw Failures.rethrowable(error);
                    }
                    throw new StopAsyncIteration();
                }
                w = task.getLoop().createFuture();
                waiter = w;
            }
            stepsWithoutWaiting = 0; // the loop runs while this task waits
            try {
                awaitWake(task, w); // cancelled: the iteration stays open (PublisherIterator)
            } finally {
                synchronized (buffer) {
                    if (waiter == w) {
                        waiter = null;
                    }
                }
            }
            if (done) {
                // closed while this task waited (by another task, or with the task that owns
                // it): the iteration is over for its consumer too
                throw new StopAsyncIteration();
            }
        }
    }

    @Override
    public void aclose() {
        Object unread = null;
        if (!done) {
            synchronized (buffer) {
                closedEarly = true;
                unread = terminal; // arrived, but the consumer leaves before reading it
            }
        }
        done = true;
        upstream.cancel();
        release();
        if (unread instanceof Throwable error && loop != null) {
            Violations.dropped(loop, error);
        }
        Object[] left;
        synchronized (buffer) {
            left = buffer.toArray();
            buffer.clear();
        }
        wake(); // a consumer waiting meanwhile sees the iteration closed
        for (Object item : left) {
            discard(item);
        }
    }

    @SuppressWarnings("unchecked")
    private void discard(Object item) {
        Violations.discard(loop, discarded, (T) item, "an iteration");
    }

    @Override
    public void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "§2.13 violated: onSubscribe(null)");
        if (upstream.set(s)) {
            upstream.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(T item) {
        if (item == null) {
            NullPointerException npe = new NullPointerException("§2.13 violated: onNext(null)");
            end(npe);
            throw npe;
        }
        OverflowException overflowed = null;
        T dropped = null;
        synchronized (buffer) {
            if (terminal != null || closedEarly) {
                dropped = item; // after an overflow error, the end, or the consumer's leaving
            } else if (buffer.size() < capacity) {
                buffer.addLast(item);
            } else {
                switch (overflow) {
                    case DROP_LATEST -> dropped = item;
                    case DROP_OLDEST -> {
                        dropped = buffer.pollFirst();
                        buffer.addLast(item);
                    }
                    case ERROR -> {
                        dropped = item;
                        overflowed = new OverflowException("the source got more than "
                                + capacity + " items ahead of the task iterating it"
                                + " (Overflow.ERROR); raise the capacity, or choose"
                                + " DROP_OLDEST or DROP_LATEST");
                    }
                }
            }
        }
        if (dropped != null) {
            discard(dropped);
        }
        if (overflowed != null) {
            end(overflowed); // first: the cancel reaches the publisher at once, and an error it
            upstream.cancel(); // signals back must not take the overflow's place
            return;
        }
        if (dropped != item) {
            wake();
        }
    }

    @Override
    public void onError(Throwable t) {
        end(Objects.requireNonNull(t, "§2.13 violated: onError(null)"));
    }

    @Override
    public void onComplete() {
        end(COMPLETE);
    }

    private void end(Object how) {
        boolean early;
        synchronized (buffer) {
            if (terminal != null) {
                // the first terminal signal stands; an error after it (the publisher's answer
                // to the cancel after an overflow) is reported, never silently dropped
                early = how != terminal && how instanceof Throwable;
            } else {
                terminal = how;
                early = closedEarly;
            }
        }
        if (early) {
            EventLoop l = loop;
            if (how instanceof Throwable error && l != null) {
                Violations.dropped(l, error); // the consumer has gone: it will never read it
            }
            return;
        }
        wake();
    }

    private void wake() {
        AsyncFuture<Void> w;
        synchronized (buffer) {
            w = waiter;
            waiter = null;
        }
        if (w != null) {
            EventLoop l = loop;
            try {
                l.callSoonThreadsafe(() -> {
                    if (!w.isDone()) {
                        w.setResult(null);
                    }
                });
            } catch (IllegalStateException closed) {
                // the consumer's loop is closed: nobody is waiting any more
            }
        }
    }

    @Override
    public String toString() {
        return "<buffered iteration of " + source + " capacity=" + capacity + " " + overflow
                + (done ? " closed" : "") + ">";
    }
}
