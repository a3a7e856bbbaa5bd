package io.aiobridge.queue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.LoopBound;
import io.aiobridge.Task;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A FIFO queue for tasks: the counterpart of {@code asyncio.Queue}, with Python 3.13's {@link
 * #shutdown}. {@link AsyncLifoQueue} and {@link AsyncPriorityQueue} change only the order.
 *
 * <pre>{@code
 * AsyncQueue<String> q = new AsyncQueue<>(100);   // put() waits while 100 items are queued
 * q.put("job");                                  // await q.put(...)
 * String job = q.get();                          // await q.get()
 * q.taskDone();  ...  q.join();                  // wait until every item is processed
 * }</pre>
 *
 * <p><b>Invariants.</b> Items stay in the queue until a getter takes them, so no item is lost or
 * duplicated whoever is cancelled. A waiting getter (putter) is woken only when an item (a free
 * slot) appeared; a woken getter (putter) that is cancelled before it runs wakes the next one in
 * its place if the item (slot) is still there. Waiters are served in FIFO order.
 *
 * <p><b>Threading.</b> {@code put}, {@code get}, the {@code ...Nowait} methods and the rest are
 * loop-confined: the queue binds to the first loop that uses it (or the one given to the
 * constructor). Threads outside the loop (a Reactor or Netty thread, a plain thread) use {@link
 * #putThreadsafe} and {@link #getThreadsafe}, which run a {@code put}/{@code get} on the loop and
 * complete when it does: {@code putThreadsafe(x).join()} blocks the calling thread while the queue
 * is full, which is the backpressure. <b>Memory consistency:</b> a {@code put} happens-before the
 * {@code get} that returns the item.
 *
 * <p>Null items are allowed in FIFO and LIFO queues (asyncio code uses {@code None} as a
 * sentinel).
 *
 * @param <T> the item type
 */
public class AsyncQueue<T> {
    private static final Object NULL = new Object();

    private final LoopBound binding;
    private final int maxsize;
    private final ArrayDeque<AsyncFuture<Void>> getters = new ArrayDeque<>();
    private final ArrayDeque<AsyncFuture<Void>> putters = new ArrayDeque<>();
    private final ArrayDeque<AsyncFuture<Void>> joiners = new ArrayDeque<>();
    private int unfinishedTasks;
    private boolean shutDown;

    /** An unbounded queue. */
    public AsyncQueue() {
        this(0, null);
    }

    /**
     * A queue holding at most {@code maxsize} items ({@code <= 0}: unbounded).
     *
     * @param maxsize the capacity
     */
    public AsyncQueue(int maxsize) {
        this(maxsize, null);
    }

    /**
     * A queue bound to {@code loop} from the start, so that other threads can use the
     * thread-safe methods before the loop has touched it.
     *
     * @param maxsize the capacity ({@code <= 0}: unbounded)
     * @param loop the loop, or null to bind at first use
     */
    public AsyncQueue(int maxsize, EventLoop loop) {
        this.maxsize = maxsize;
        this.binding = new LoopBound(this, loop);
    }

    // ---- storage: the only part the subclasses change ----------------------------------------

    /** FIFO and LIFO storage; the priority queue keeps a heap instead. */
    final ArrayDeque<Object> items = new ArrayDeque<>();

    /** Stores an item (masked: never null here). */
    void store(Object masked) {
        items.addLast(masked);
    }

    /** Puts back an item taken by {@link #take()}, where it was (masked). */
    void restore(Object masked) {
        items.addFirst(masked);
    }

    /** Removes the next item (masked). */
    Object take() {
        return items.pollFirst();
    }

    /** The number of stored items. */
    int stored() {
        return items.size();
    }

    Object mask(T item) {
        return item == null ? NULL : item;
    }

    @SuppressWarnings("unchecked")
    private T unmask(Object o) {
        return o == NULL ? null : (T) o;
    }

    // ---- state ---------------------------------------------------------------------------------

    /**
     * The number of items queued.
     *
     * @return the size
     */
    public int qsize() {
        return stored();
    }

    /**
     * The capacity ({@code <= 0}: unbounded).
     *
     * @return maxsize
     */
    public int maxsize() {
        return maxsize;
    }

    /**
     * Whether the queue has no items.
     *
     * @return true if empty
     */
    public boolean empty() {
        return stored() == 0;
    }

    /**
     * Whether the queue holds {@code maxsize} items.
     *
     * @return true if full (never for an unbounded queue)
     */
    public boolean full() {
        return maxsize > 0 && stored() >= maxsize;
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return true after shutdown
     */
    public boolean isShutDown() {
        return shutDown;
    }

    // ---- putting -------------------------------------------------------------------------------

    /**
     * Puts an item, waiting while the queue is full.
     *
     * @param item the item
     * @throws QueueShutDownException if the queue is (or gets) shut down
     * @throws CancelledError if cancelled while waiting; the item was not put then
     */
    public void put(T item) {
        EventLoop loop = binding.check("put()");
        while (full()) {
            if (shutDown) {
                throw shutDownError("put");
            }
            AsyncFuture<Void> putter = loop.createFuture();
            putters.addLast(putter);
            try {
                putter.await();
            } catch (CancelledError e) {
                putter.cancel();
                putters.remove(putter);
                if (!full() && !putter.isCancelled()) {
                    // woken for a free slot we will not use: wake the next putter instead
                    wakeUpNext(putters);
                }
                throw e;
            }
        }
        putNowait(item);
    }

    /**
     * Puts an item at once.
     *
     * @param item the item
     * @throws QueueFullException if the queue is full
     * @throws QueueShutDownException if the queue is shut down
     */
    public void putNowait(T item) {
        binding.check("putNowait()");
        if (shutDown) {
            throw shutDownError("putNowait");
        }
        if (full()) {
            throw new QueueFullException("queue is full (" + maxsize + " items): " + this
                    + "; use put() to wait for room");
        }
        store(mask(item));
        unfinishedTasks++;
        wakeUpNext(getters);
    }

    // ---- getting -------------------------------------------------------------------------------

    /**
     * Removes and returns the next item, waiting while the queue is empty.
     *
     * @return the item
     * @throws QueueShutDownException if the queue is shut down and empty (also while waiting)
     * @throws CancelledError if cancelled while waiting; no item was taken then
     */
    public T get() {
        EventLoop loop = binding.check("get()");
        while (empty()) {
            if (shutDown) {
                throw shutDownError("get");
            }
            AsyncFuture<Void> getter = loop.createFuture();
            getters.addLast(getter);
            try {
                getter.await();
            } catch (CancelledError e) {
                getter.cancel();
                getters.remove(getter);
                if (!empty() && !getter.isCancelled()) {
                    // woken for an item we will not take: wake the next getter instead
                    wakeUpNext(getters);
                }
                throw e;
            }
        }
        return getNowait();
    }

    /**
     * Removes and returns the next item at once.
     *
     * @return the item
     * @throws QueueEmptyException if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public T getNowait() {
        binding.check("getNowait()");
        if (empty()) {
            if (shutDown) {
                throw shutDownError("getNowait");
            }
            throw new QueueEmptyException("queue is empty: " + this + "; use get() to wait");
        }
        T item = unmask(take());
        wakeUpNext(putters);
        return item;
    }

    /** Wakes the first waiter that is not done yet (asyncio's _wakeup_next). */
    private static void wakeUpNext(ArrayDeque<AsyncFuture<Void>> waiters) {
        while (!waiters.isEmpty()) {
            AsyncFuture<Void> w = waiters.pollFirst();
            if (!w.isDone()) {
                w.setResult(null);
                return;
            }
        }
    }

    // ---- task accounting -----------------------------------------------------------------------

    /**
     * Marks one item taken earlier as processed; {@link #join()} returns when every item put has
     * been marked.
     *
     * @throws IllegalArgumentException if called more times than items were put (asyncio's
     *     ValueError)
     */
    public void taskDone() {
        binding.check("taskDone()");
        if (unfinishedTasks <= 0) {
            throw new IllegalArgumentException("task_done() called too many times; every item"
                    + " put has already been marked done (" + this + ")");
        }
        unfinishedTasks--;
        if (unfinishedTasks == 0) {
            finished();
        }
    }

    private void finished() {
        for (AsyncFuture<Void> j : joiners) {
            if (!j.isDone()) {
                j.setResult(null);
            }
        }
    }

    /** Waits until every item put has been taken and marked with {@link #taskDone()}. */
    public void join() {
        EventLoop loop = binding.check("join()");
        if (unfinishedTasks > 0) {
            AsyncFuture<Void> j = loop.createFuture();
            joiners.addLast(j);
            try {
                j.await();
            } finally {
                joiners.remove(j);
            }
        }
    }

    /**
     * The number of items put and not yet marked done.
     *
     * @return the count
     */
    public int unfinishedTasks() {
        return unfinishedTasks;
    }

    // ---- shutdown ------------------------------------------------------------------------------

    /** Shuts the queue down gracefully: as {@code shutdown(false)}. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down. Puts fail from now on (waiting putters too); gets go on until the
     * queue is empty and then fail (waiting getters too). With {@code immediate}, the queued items
     * are dropped (and counted done for {@link #join()}), so gets fail at once.
     *
     * @param immediate whether to drop the queued items
     */
    public void shutdown(boolean immediate) {
        binding.check("shutdown()");
        shutDown = true;
        if (immediate) {
            while (!empty()) {
                take();
                if (unfinishedTasks > 0) {
                    unfinishedTasks--;
                }
            }
            if (unfinishedTasks == 0) {
                finished();
            }
        }
        // every waiter re-checks and raises QueueShutDownException (or takes a remaining item)
        while (!getters.isEmpty()) {
            AsyncFuture<Void> g = getters.pollFirst();
            if (!g.isDone()) {
                g.setResult(null);
            }
        }
        while (!putters.isEmpty()) {
            AsyncFuture<Void> p = putters.pollFirst();
            if (!p.isDone()) {
                p.setResult(null);
            }
        }
    }

    private QueueShutDownException shutDownError(String what) {
        return new QueueShutDownException(what + "() on a queue that was shut down: " + this);
    }

    // ---- from other threads --------------------------------------------------------------------

    /**
     * Puts an item from any thread: runs {@link #put} on the queue's loop. The returned future
     * completes once the item is in the queue, so it stays pending while the queue is full:
     * {@code putThreadsafe(x).join()} is a blocking put with backpressure for a plain thread
     * (never call {@code join()} on it from the loop itself). Cancelling the returned future
     * cancels the waiting put.
     *
     * @param item the item
     * @return a future completed when the item has been put (exceptionally with {@link
     *     QueueShutDownException} if the queue is shut down)
     * @throws IllegalStateException if the queue is not bound to a loop yet (use it on the loop
     *     first, or pass the loop to the constructor)
     */
    public CompletableFuture<Void> putThreadsafe(T item) {
        return Aio.runCoroutineThreadsafe(() -> {
            put(item);
            return null;
        }, boundLoop());
    }

    /**
     * Takes an item from any thread: runs {@link #get} on the queue's loop. Cancelling the
     * returned future cancels the waiting get. If the cancel comes after the get took an item
     * but before the future could carry it, the item goes back to the front of the queue (to its
     * place, in a priority queue), so it is not lost; a bounded queue may then hold one item over
     * its size for a moment.
     *
     * @return a future of the item
     * @throws IllegalStateException if the queue is not bound to a loop yet
     */
    public CompletableFuture<T> getThreadsafe() {
        EventLoop loop = boundLoop();
        @SuppressWarnings("unchecked")
        Task<T>[] getter = new Task[1];
        CompletableFuture<T> cf = Aio.runCoroutineThreadsafe(() -> {
            @SuppressWarnings("unchecked")
            Task<T> self = (Task<T>) Aio.currentTask();
            getter[0] = self;
            return get();
        }, loop);
        cf.whenComplete((item, e) -> {
            if (cf.isCancelled()) {
                // after the cancel reached the get: if it had already taken an item, put it back
                loop.callSoonThreadsafe(() -> restoreUndelivered(getter[0]));
            }
        });
        return cf;
    }

    /** Puts back the item a getter took for a future that its caller had cancelled meanwhile. */
    private void restoreUndelivered(Task<T> getter) {
        if (getter == null || !getter.isDone() || getter.isCancelled()
                || getter.exception() != null) {
            return; // never started, or its get() was cancelled or failed: nothing was taken
        }
        restore(mask(getter.result()));
        wakeUpNext(getters);
    }

    private EventLoop boundLoop() {
        EventLoop loop = binding.loop();
        if (loop == null) {
            throw new IllegalStateException(this + " is not bound to an event loop yet: pass the"
                    + " loop to the constructor, or use the queue on its loop first");
        }
        return Objects.requireNonNull(loop);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<").append(getClass().getSimpleName());
        sb.append(" maxsize=").append(maxsize).append(" qsize=").append(qsize());
        if (!getters.isEmpty()) {
            sb.append(" getters:").append(getters.size());
        }
        if (!putters.isEmpty()) {
            sb.append(" putters:").append(putters.size());
        }
        if (unfinishedTasks > 0) {
            sb.append(" tasks=").append(unfinishedTasks);
        }
        if (shutDown) {
            sb.append(" shutdown");
        }
        return sb.append('>').toString();
    }
}
