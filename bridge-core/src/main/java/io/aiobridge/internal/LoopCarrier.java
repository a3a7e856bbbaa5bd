package io.aiobridge.internal;

import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code carrier} engine: one platform thread per loop that runs the continuations of that
 * loop's task threads, one at a time, in submission order; or, for a loop made with {@code
 * EventLoop.newEventLoopOn(executor)}, an executor the application owns (a Netty event loop)
 * that does the same on its own thread.
 *
 * <p>Only the loop's own task threads run here. The JDK gives a virtual thread created by
 * another one its creator's scheduler, so a thread that user code starts inside a task would
 * otherwise land on this one carrier, and a CPU loop in it would stall the loop for good. Each
 * task thread's continuation is recorded when the thread is made, and any other continuation
 * submitted here goes to the JDK's default scheduler.
 *
 * <p>On an application's executor, two more rules (see {@link Submission}): a task thread that
 * the running one hands the loop to runs next in the same executor run, and a task thread woken
 * from a wait that is not its loop's (a lock the executor's own code may also be queued for) runs
 * that step on the JDK's default scheduler, as it does when the executor has been shut down.
 *
 * <p><b>Invariant:</b> every continuation of a task thread submitted before {@link #close()} is run
 * exactly once: on the carrier thread, or on the default scheduler in the cases above. {@code
 * sleeping} is true only while the carrier is parked or about to park with an empty queue; a
 * submitter that sees it true unparks the carrier (the two volatile writes and reads make a lost
 * wake-up impossible).
 */
final class LoopCarrier extends TaskThreads implements Executor, Runnable {
    /** {@code VirtualThread.runContinuation}: what the JDK submits to a scheduler. */
    private static final Field RUN_CONTINUATION = continuationField();

    /** The executor threads that carry open loops, with how many loops each one carries. */
    private static final ConcurrentHashMap<Thread, Integer> CARRYING = new ConcurrentHashMap<>();

    /**
     * At most this many task threads run back to back in one run on the application's executor
     * (see {@link Submission}), so that a loop whose tasks keep handing over to each other gives
     * the executor's own work (a Netty event loop's sockets) its turn.
     */
    static final int HANDOFFS_PER_RUN = 16;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** The continuations of this loop's live task threads, each with its submission. */
    private final ConcurrentHashMap<Runnable, Submission> own = new ConcurrentHashMap<>();
    /**
     * The task thread that a run on the application's executor has mounted now, or null. Set and
     * cleared on the executor's thread, read by that task thread (which runs there).
     */
    private volatile Thread mounted;
    /**
     * A task thread that the mounted one made runnable (it passed its loop's baton there): run
     * next, in the same run, once the mounted one has parked. Written by the mounted thread,
     * read by the executor's thread after the mounted thread unmounted.
     */
    private volatile Submission handoff;
    /** What the loop parks its task threads on while they wait for their turn, or null. */
    private volatile Object loopBlocker;
    /** What {@link #own} maps to on the engine's own carrier, where nothing is submitted. */
    private final Submission unsubmitted = new Submission(null, null);
    /** The carrier thread this engine owns; null when {@link #executor} carries the tasks. */
    private final Thread carrier;
    /** The application's executor that runs the task threads, or null (the own thread does). */
    private final Executor executor;
    private final ThreadFactory factory;
    private volatile boolean sleeping;
    private volatile boolean closed;
    private boolean started;
    /** The executor's thread, once it has run {@link #learnCarrierThread}; written under this. */
    private volatile Thread executorThread;
    /** Set if the executor refused that first work. */
    private volatile RejectedExecutionException rejection;

    private LoopCarrier(Executor executor) {
        this.executor = executor;
        this.carrier = executor != null ? null
                : Thread.ofPlatform().daemon().name("aiobridge-carrier")
                        .inheritInheritableThreadLocals(false).unstarted(this);
        this.factory = virtualThreadsScheduledBy(this);
    }

    /**
     * Has the executor tell which thread it is, so that a blocking call made there (a join on the
     * loop's work from a Netty handler) fails at once instead of deadlocking, and a group can
     * pick the loop that runs on a caller's thread. Before any task:
     * the executor runs its work in order, so the thread is known before a handler it runs next.
     */
    private void learnCarrierThread() {
        try {
            executor.execute(() -> {
                synchronized (this) {
                    if (closed || executorThread != null) {
                        return;
                    }
                    executorThread = Thread.currentThread();
                    CARRYING.merge(executorThread, 1, Integer::sum);
                }
            });
        } catch (RejectedExecutionException shutDown) {
            // nothing to guard: the loop's tasks will run on the default scheduler
            rejection = shutDown;
        }
    }

    @Override
    public Thread carrierThread() {
        return executorThread;
    }

    @Override
    public RuntimeException carrierRejection() {
        return rejection;
    }

    static boolean carries(Thread thread) {
        return !thread.isVirtual() && CARRYING.containsKey(thread);
    }

    static LoopCarrier create() {
        return create(null);
    }

    /**
     * An engine whose task threads run on {@code executor} (null: on a carrier thread of its own).
     */
    static LoopCarrier create(Executor executor) {
        if (RUN_CONTINUATION == null || defaultScheduler() == null) {
            throw new IllegalStateException("aiobridge.engine=carrier cannot reach the JDK's"
                    + " virtual-thread internals; start the JVM with --add-opens"
                    + " java.base/java.lang=ALL-UNNAMED, or use -Daiobridge.engine=default");
        }
        LoopCarrier engine = new LoopCarrier(executor); // fails with the flag's message if it cannot
        if (executor != null) {
            engine.learnCarrierThread();
        }
        return engine;
    }

    /** Whether this JVM lets the library build carrier engines (the opens are in place). */
    static boolean available() {
        try {
            create(); // unstarted: nothing to close
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static Field continuationField() {
        try {
            Field f = Class.forName("java.lang.VirtualThread").getDeclaredField("runContinuation");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // not opened, or another JDK: the engine is not available
        }
    }

    @Override
    public String name() {
        return executor == null ? "carrier" : "executor(" + executor + ")";
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public synchronized Thread newThread(Runnable body) {
        if (!started && carrier != null) {
            started = true;
            carrier.start();
        }
        OwnBody wrapped = new OwnBody(body);
        Thread t = factory.newThread(wrapped);
        try {
            wrapped.continuation = (Runnable) RUN_CONTINUATION.get(t);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the task thread's continuation", e);
        }
        // before the thread starts: its first submission is ours
        own.put(wrapped.continuation,
                executor != null ? new Submission(wrapped.continuation, t) : unsubmitted);
        return t;
    }

    /**
     * A task thread's body, which forgets the thread's continuation when it ends.
     *
     * <p>The forgetting is a call through {@link Runnable#run}, the call {@code run} has already
     * made, and not code of its own: a parked task's frame is compiled code, and code after the
     * body that no task had run before it was compiled (a field or a method not yet resolved)
     * is a trap that every parked task hits on its own when it ends. A fresh JVM closing a loop
     * of 200k parked tasks on this engine deoptimized 141,175 times there (docs/performance.md,
     * "Closing a loop with many suspended tasks").
     */
    private final class OwnBody implements Runnable {
        private final Runnable body;
        private final Runnable forget = this::forget;
        Runnable continuation;

        OwnBody(Runnable body) {
            this.body = body;
        }

        @Override
        public void run() {
            try {
                body.run();
            } finally {
                forget.run();
            }
        }

        private void forget() {
            own.remove(continuation);
        }
    }

    /**
     * Called by the JDK when a virtual thread scheduled by this carrier becomes runnable: one of
     * the loop's task threads runs here; a thread user code started from a task (which inherited
     * this scheduler) goes to the JDK's default scheduler.
     */
    @Override
    public void execute(Runnable continuation) {
        Submission submission = own.get(continuation);
        if (submission == null) {
            defaultScheduler().execute(continuation);
            return;
        }
        if (executor != null) {
            if (submission.started && loopBlocker != null
                    && LockSupport.getBlocker(submission.thread) != loopBlocker) {
                // woken from a wait that is not the loop's (a lock, a blocking queue, a sleep):
                // this step runs on the JDK's scheduler. The executor's own thread may be
                // queued for that same lock behind this task (a Netty event loop freeing a
                // pooled buffer while the task allocates one), and would wait forever for a
                // task that only it can run.
                defaultScheduler().execute(continuation);
                return;
            }
            if (!submission.started) {
                submission.started = true;
            }
            if (Thread.currentThread() == mounted && handoff == null) {
                handoff = submission; // runs right after the caller parks, in this same run
                return;
            }
            submit(submission);
            return;
        }
        queue.add(continuation);
        if (sleeping) {
            LockSupport.unpark(carrier);
        }
    }

    @Override
    public void run() {
        for (;;) {
            Runnable r = queue.poll();
            if (r != null) {
                r.run(); // mounts the virtual thread and runs it until it parks or ends
                continue;
            }
            if (closed) {
                return;
            }
            sleeping = true;
            if (queue.isEmpty() && !closed) {
                LockSupport.park(this);
            }
            sleeping = false;
        }
    }

    private void submit(Submission submission) {
        try {
            executor.execute(submission);
        } catch (RejectedExecutionException shutDown) {
            // the application shut its executor down before closing the loop: the task still
            // runs to its end (its finally blocks, the loop's close) rather than hang
            defaultScheduler().execute(submission.continuation);
        }
    }

    /**
     * One task thread's continuation as the application's executor runs it. When the task
     * passes its loop's baton to another task thread of the loop (which it does just before it
     * parks), that thread runs next in the same run, instead of going to the back of the
     * executor's queue: on a Netty event loop with sockets to serve, the queue may hold a whole
     * batch of other work, and every request whose task resumes through another task's thread
     * (the loop's idle waiter wakes, runs the loop, hands over) would wait for it twice. The
     * hand-over needs no shared queue: only the mounted thread writes {@link #handoff}, and only
     * the executor's thread reads it, after that thread has unmounted.
     */
    private final class Submission implements Runnable {
        final Runnable continuation;
        final Thread thread;
        /** Set at the first submission, the thread's start: it has parked on nothing yet. */
        volatile boolean started;

        Submission(Runnable continuation, Thread thread) {
            this.continuation = continuation;
            this.thread = thread;
        }

        @Override
        public void run() {
            Submission next = this;
            int runs = 0;
            try {
                while (next != null) {
                    runs++;
                    mounted = next.thread;
                    try {
                        next.continuation.run(); // until the thread parks or ends
                    } finally {
                        mounted = null;
                    }
                    next = handoff;
                    handoff = null;
                    if (next != null && runs == HANDOFFS_PER_RUN) {
                        submit(next); // the executor's own work goes first
                        next = null;
                    }
                }
            } finally {
                Submission left = handoff; // set only if a run above threw after handing over
                if (left != null) {
                    handoff = null;
                    submit(left);
                }
            }
        }
    }

    @Override
    public void loopParkBlocker(Object blocker) {
        loopBlocker = blocker;
    }

    @Override
    public void close() {
        closed = true;
        if (carrier != null) {
            LockSupport.unpark(carrier);
        }
        synchronized (this) {
            if (executorThread != null) {
                CARRYING.computeIfPresent(executorThread, (t, n) -> n == 1 ? null : n - 1);
                executorThread = null;
            }
        }
    }
}
