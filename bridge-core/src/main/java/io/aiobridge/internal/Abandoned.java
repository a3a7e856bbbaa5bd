package io.aiobridge.internal;

import io.aiobridge.EventLoop;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * asyncio's finalizer hook, for what Java's for-each and a dropped reference cannot close: an
 * async generator left at a {@code yield}, an iteration of a publisher left by {@code break} or
 * dropped. A {@link Ref} watches the object user code holds (the handle); the state to close
 * must not reference it, or it would never be collected (the JDK keeps a parked virtual thread,
 * and what its stack references, reachable). When the collector finds the handle unreachable, one
 * virtual thread for the JVM, started with the first watch and parked while nothing is
 * abandoned, hands the ref to its loop, waking it as {@code call_soon_threadsafe} does. Clear a
 * ref once what it watches has ended, so only abandoned work ever reaches the queue.
 */
public final class Abandoned {
    private Abandoned() {}

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();

    static {
        Thread.ofVirtual().name("aiobridge-finalizer").start(Abandoned::run);
    }

    /** A handle's phantom: {@link #closeOnLoop()} runs on {@code loop} once it was collected. */
    public abstract static class Ref extends PhantomReference<Object> {
        private final EventLoop loop;

        /**
         * Watches {@code handle}.
         *
         * @param handle what user code holds
         * @param loop the loop that closes what the handle stood for
         */
        protected Ref(Object handle, EventLoop loop) {
            super(handle, QUEUE);
            this.loop = loop;
        }

        /** On the loop, once the handle was collected: closes what it stood for. */
        protected abstract void closeOnLoop();
    }

    private static void run() {
        for (;;) {
            Ref r;
            try {
                r = (Ref) QUEUE.remove();
            } catch (InterruptedException e) {
                continue; // nobody may stop it: what is abandoned would stay open
            }
            if (!r.loop.isClosed()) {
                try {
                    r.loop.callSoonThreadsafe(r::closeOnLoop);
                } catch (RuntimeException closedMeanwhile) {
                    // the loop's own close finishes it
                }
            }
        }
    }
}
