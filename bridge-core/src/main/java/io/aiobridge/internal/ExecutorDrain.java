package io.aiobridge.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a loop's task threads run on an executor of the application's (a Netty event loop): their
 * continuations go into a queue of the loop's own, and one drain task at a time is handed to the
 * executor, which then runs every continuation due, including those the running ones make due (a
 * task handing the loop to the next one), without going back through the executor's own queue.
 *
 * <p><b>A carrier that does not come back.</b> If the carrier's thread blocks waiting for work of
 * its own loop (a {@code CompletableFuture.join()} or {@code Mono.block()} on a Netty thread, for
 * work submitted to the loop that Netty thread carries), the loop's task threads could never run
 * again: a deadlock. A watchdog, armed while a drain is pending, finds a drain that has not started
 * within {@link #STALL_NANOS} and runs it on the JVM's default virtual-thread scheduler instead,
 * and says so once in the log; later drains go there too until the carrier runs the drain it was
 * handed. The loop goes on, off its carrier, where it would otherwise hang. The same fallback
 * serves a carrier that is shut down before the loop is closed.
 *
 * <p><b>Invariant:</b> every continuation submitted is run exactly once: it is polled from the
 * queue by exactly one drain. {@code scheduled} is true from the moment a drain is requested until
 * a drain finds the queue empty and clears it; a drain that clears it checks the queue again, and
 * a submitter that finds it clear requests a drain, so no continuation is left behind. Two drains
 * may run at once (the carrier's and the watchdog's); that is safe, as on the JDK's own scheduler,
 * since the loop's baton, not the carrier, keeps its threads from touching the loop together.
 */
final class ExecutorDrain implements Runnable {
    private static final System.Logger LOG = System.getLogger(ExecutorDrain.class.getName());
    /** How long a requested drain may wait before the watchdog runs it elsewhere. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Continuations one drain runs before giving the carrier back to its own work. */
    static final int BUDGET = 64;

    private final Executor executor;
    private final Executor fallback;
    /** Runs the watchdog after {@link #STALL_NANOS}. */
    private final Executor watchdogTimer;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean watching = new AtomicBoolean();
    /** When the pending drain was requested ({@link System#nanoTime()}), or 0 once one started. */
    private volatile long pendingSince;
    /** Set when the watchdog found the carrier stuck; cleared when the carrier runs a drain. */
    private volatile boolean stalled;
    private volatile boolean warned;
    /** The drain as handed to the carrier: running there proves the carrier is back. */
    private final Runnable onCarrier = () -> {
        stalled = false;
        run();
    };

    ExecutorDrain(Executor executor, Executor fallback) {
        this(executor, fallback,
                CompletableFuture.delayedExecutor(STALL_NANOS, TimeUnit.NANOSECONDS, Runnable::run));
    }

    /** With the watchdog's timer given (the jcstress tests pass one that never rings). */
    ExecutorDrain(Executor executor, Executor fallback, Executor watchdogTimer) {
        this.executor = executor;
        this.fallback = fallback;
        this.watchdogTimer = watchdogTimer;
    }

    /** Runs {@code continuation} on the carrier, soon. Any thread. */
    void submit(Runnable continuation) {
        queue.add(continuation);
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            request();
        }
    }

    /** Hands a drain to the carrier; {@code scheduled} is true. */
    private void request() {
        if (stalled) {
            fallback.execute(this); // until the carrier's queued drain shows it is back
            return;
        }
        pendingSince = System.nanoTime();
        try {
            executor.execute(onCarrier);
        } catch (RejectedExecutionException shutDown) {
            // the application shut its executor down before closing the loop: the tasks still run
            // to their ends (their finally blocks, the loop's close) rather than hang
            fallback.execute(this);
            return;
        }
        if (!watching.get() && watching.compareAndSet(false, true)) {
            watchdogTimer.execute(this::watch);
        }
    }

    /** The drain: runs the due continuations, up to the budget, on whatever thread runs it. */
    @Override
    public void run() {
        pendingSince = 0L;
        for (int budget = BUDGET; ; ) {
            Runnable c = queue.poll();
            if (c == null) {
                scheduled.set(false);
                if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                    return;
                }
                continue; // one came in meanwhile and nobody else will request a drain for it
            }
            c.run(); // mounts the virtual thread and runs it until it parks or ends
            if (--budget == 0) {
                if (!queue.isEmpty()) {
                    request(); // the carrier's own work goes first; scheduled stays true
                    return;
                }
                budget = BUDGET;
            }
        }
    }

    /** The watchdog: a drain pending longer than the stall limit runs on the fallback. */
    private void watch() {
        watching.set(false);
        long since = pendingSince;
        if (since != 0L && System.nanoTime() - since >= STALL_NANOS) {
            stalled = true;
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "the thread of " + executor + " has run none"
                        + " of its event loop's tasks for " + TimeUnit.NANOSECONDS.toMillis(
                                STALL_NANOS) + " ms: it is blocked (a join() or block() on it,"
                        + " waiting for work of the loop it carries, would never end). The loop's"
                        + " tasks run on the JVM's default virtual-thread scheduler meanwhile;"
                        + " await instead of blocking that thread");
            }
            fallback.execute(this);
        }
        if (scheduled.get() && !watching.get() && watching.compareAndSet(false, true)) {
            watchdogTimer.execute(this::watch);
        }
    }
}
