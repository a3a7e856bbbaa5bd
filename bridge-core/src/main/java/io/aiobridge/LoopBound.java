package io.aiobridge;

import java.util.Objects;

/**
 * Binds a primitive (lock, queue, ...) to the first event loop that uses it, as asyncio's
 * {@code _LoopBoundMixin}, and checks every later use: it must come from the code of a running
 * loop (a task or a callback) and from that same loop. The primitives of {@code
 * io.aiobridge.sync} and {@code io.aiobridge.queue} are built on it; so can a library's own.
 *
 * <p><b>Threading:</b> {@link #check} runs on a loop; the binding itself is published with a
 * volatile write so thread-safe entry points on other threads can read it.
 */
public final class LoopBound {
    private final Object owner;
    private volatile EventLoop loop;

    /**
     * A binding for {@code owner} (named in error messages), optionally bound up front.
     *
     * @param owner the primitive
     * @param loop the loop to bind to now, or null to bind at first use
     */
    public LoopBound(Object owner, EventLoop loop) {
        this.owner = Objects.requireNonNull(owner, "owner is null");
        this.loop = loop;
    }

    /**
     * Checks that the caller runs on the primitive's loop (binding it on first use).
     *
     * @param what the operation, for the message
     * @return the loop
     * @throws IllegalStateException from a thread that is not running a loop, or from another loop
     */
    public EventLoop check(String what) {
        EventLoop running = Aio.runningLoopOrNull();
        EventLoop bound = loop;
        if (running != null && running == bound) {
            return running;
        }
        if (running == null) {
            throw new IllegalStateException("no running event loop; " + what + " on " + owner
                    + " must be called from the code of a running event loop (a task or a"
                    + " callback), not from thread '" + Thread.currentThread().getName()
                    + "': other threads use the ...Threadsafe methods or"
                    + " Aio.runCoroutineThreadsafe()");
        }
        if (bound == null) {
            synchronized (this) {
                if (loop == null) {
                    loop = running;
                }
                bound = loop;
            }
            if (bound == running) {
                return running;
            }
        }
        throw new IllegalStateException(owner + " is bound to a different event loop; it is"
                + " bound to " + bound + ": use it from that loop's code, or from other threads"
                + " through its ...Threadsafe methods");
    }

    /**
     * The bound loop, or null before first use.
     *
     * @return the loop
     */
    public EventLoop loop() {
        return loop;
    }
}
