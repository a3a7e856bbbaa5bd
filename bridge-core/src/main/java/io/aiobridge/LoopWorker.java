package io.aiobridge;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Work scheduled on one event loop from any thread, as a group that can be cancelled at once:
 * what another library's scheduler needs from a loop (a Reactor or RxJava {@code
 * Scheduler.Worker} is built on one). Work runs on the loop as callbacks, in submission order
 * for immediate work and by due time for delayed work, on the loop's clock (virtual time
 * included).
 *
 * <p><b>Invariant:</b> the worker holds a piece of work only while it is pending: each forgets
 * itself once it has run or been cancelled, so a long-lived worker does not grow, and nothing a
 * finished piece captured stays reachable through it. After {@link #close()}, pending work is
 * cancelled and new work is refused with {@link RejectedExecutionException}, as it is once the
 * loop is closed: work that can never run is never accepted silently.
 *
 * <p><b>Threading:</b> every method may be called from any thread. Submitting happens-before
 * the work runs.
 */
public final class LoopWorker implements AutoCloseable {
    private final BaseEventLoop loop;
    private final Set<Work> pending = ConcurrentHashMap.newKeySet();
    /** The open workers made by {@link #child()}; each leaves when it closes. */
    private final Set<LoopWorker> children = ConcurrentHashMap.newKeySet();
    private final LoopWorker parent;
    private volatile boolean closed;

    /**
     * A worker on {@code loop}.
     *
     * @param loop the loop the work runs on
     */
    public LoopWorker(EventLoop loop) {
        this(loop, null);
    }

    private LoopWorker(EventLoop loop, LoopWorker parent) {
        this.loop = (BaseEventLoop) Objects.requireNonNull(loop, "loop is null");
        this.parent = parent;
    }

    /**
     * A worker on the same loop that this one closes when it closes: a scheduler keeps its own
     * work here and gives each of its {@code Worker}s a child, so that shutting the scheduler
     * down cancels the work of every worker it made. A child that closes first leaves its
     * parent, so a long-lived parent does not grow.
     *
     * @return the child, already closed if this worker is
     */
    public LoopWorker child() {
        LoopWorker c = new LoopWorker(loop, this);
        children.add(c);
        if (closed) {
            c.close(); // close() set the flag before it went through the children: one sees it
        }
        return c;
    }

    /**
     * The loop's clock ({@link EventLoop#time()}), for a scheduler's {@code now()}.
     *
     * @return seconds
     */
    public double now() {
        return loop.time();
    }

    /**
     * Runs {@code work} on the loop after {@code delaySeconds} (zero or less: as soon as
     * possible, after the callbacks already submitted).
     *
     * @param work the work
     * @param delaySeconds the delay, in seconds on the loop's clock
     * @return a handle that cancels it (from any thread)
     * @throws RejectedExecutionException if this worker is closed, or its loop is closed: the work
     *     would never run, and a scheduler must tell its caller (Reactor's operators turn this
     *     exception into an error signal)
     * @throws IllegalArgumentException if the delay is NaN
     */
    public Handle schedule(Runnable work, double delaySeconds) {
        Objects.requireNonNull(work, "work is null");
        Times.check(delaySeconds, "delay");
        if (closed) {
            throw new RejectedExecutionException(this + " is closed and takes no more work;"
                    + " schedule on a new worker");
        }
        Work w = new Work(work);
        pending.add(w);
        try {
            w.posted = delaySeconds <= 0 ? loop.callSoonThreadsafe(w::run)
                    : loop.callLaterThreadsafe(delaySeconds, w::run);
        } catch (IllegalStateException loopClosed) {
            w.cancel();
            throw new RejectedExecutionException(loopClosed.getMessage(), loopClosed);
        }
        if (closed || w.isCancelled()) {
            w.cancel(); // closed or cancelled while being posted: cancel what was posted
        }
        return w;
    }

    /**
     * The number of pieces of work not yet run or cancelled.
     *
     * @return the count
     */
    public int size() {
        return pending.size();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Cancels every pending piece of work, refuses new work, and closes the workers made by
     * {@link #child()}. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Work w : pending) {
            w.cancel();
        }
        for (LoopWorker c : children) {
            c.close();
        }
        if (parent != null) {
            parent.children.remove(this);
        }
    }

    @Override
    public String toString() {
        int workers = children.size();
        return "<LoopWorker" + (closed ? " closed" : "") + " pending=" + pending.size()
                + (workers == 0 ? "" : " children=" + workers) + " on " + loop + ">";
    }

    /**
     * One piece of work: runs once unless cancelled first, and leaves the worker either way.
     * Cancel sets the flag before reading {@code posted}, and posting publishes {@code posted}
     * before the poster re-reads the flag, so a cancel racing the post still cancels the loop's
     * handle.
     */
    private final class Work extends Handle {
        volatile Handle posted;

        Work(Runnable work) {
            super(LoopWorker.this.loop, work, null);
        }

        void run() {
            if (isCancelled() || closed) {
                pending.remove(this);
                return;
            }
            try {
                callback.run();
            } finally {
                pending.remove(this);
                super.cancel(); // done: a later cancel() or isDisposed() sees it as finished
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            pending.remove(this);
            Handle h = posted;
            if (h != null) {
                h.cancel();
            }
        }

        @Override
        String describe() {
            return "worker " + callback;
        }
    }
}
