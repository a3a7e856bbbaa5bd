package io.aiobridge.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code carrier} engine: one platform thread per loop that runs the continuations of that
 * loop's task threads, one at a time, in submission order.
 *
 * <p><b>Invariant:</b> every runnable submitted before {@link #close()} is run exactly once, on the
 * carrier thread. {@code sleeping} is true only while the carrier is parked or about to park with
 * an empty queue; a submitter that sees it true unparks the carrier (the two volatile writes and
 * reads make a lost wake-up impossible).
 */
final class LoopCarrier extends TaskThreads implements Executor, Runnable {
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final Thread carrier;
    private final ThreadFactory factory;
    private volatile boolean sleeping;
    private volatile boolean closed;
    private boolean started;

    private LoopCarrier() {
        this.carrier = Thread.ofPlatform().daemon().name("aiobridge-carrier").unstarted(this);
        this.factory = virtualThreadsScheduledBy(this);
    }

    static LoopCarrier create() {
        return new LoopCarrier();
    }

    @Override
    public String name() {
        return "carrier";
    }

    @Override
    public synchronized Thread newThread(Runnable body) {
        if (!started) {
            started = true;
            carrier.start();
        }
        return factory.newThread(body);
    }

    /** Called by the JDK when one of our virtual threads becomes runnable. */
    @Override
    public void execute(Runnable continuation) {
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

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(carrier);
    }
}
