package io.aiobridge.sync;

import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.LoopBound;
import java.util.ArrayDeque;

/**
 * A flag tasks can wait for: the counterpart of {@code asyncio.Event}. {@link #set()} wakes every
 * waiter; {@link #clear()} resets the flag. ({@code Event.wait()} is {@link #await()} here:
 * {@code wait()} is final on {@code Object}.)
 *
 * <p>Waiting holds no resource, so cancelling a waiter loses nothing.
 *
 * <p><b>Threading:</b> loop-confined. To set it from another thread, use {@code
 * loop.callSoonThreadsafe(event::set)}.
 */
public final class AsyncEvent {
    private final LoopBound binding = new LoopBound(this, null);
    private final ArrayDeque<AsyncFuture<Boolean>> waiters = new ArrayDeque<>();
    private boolean value;

    /** Creates a cleared event. */
    public AsyncEvent() {}

    /**
     * Whether the flag is set.
     *
     * @return true if set
     */
    public boolean isSet() {
        return value;
    }

    /** Sets the flag and wakes every waiter; waits that start later return at once. */
    public void set() {
        binding.check("set()");
        if (!value) {
            value = true;
            for (AsyncFuture<Boolean> f : waiters) {
                if (!f.isDone()) {
                    f.setResult(true);
                }
            }
        }
    }

    /** Clears the flag. */
    public void clear() {
        binding.check("clear()");
        value = false;
    }

    /**
     * Waits until the flag is set; returns at once if it is.
     *
     * @return true
     */
    public boolean await() {
        EventLoop loop = binding.check("await()");
        if (value) {
            return true;
        }
        AsyncFuture<Boolean> fut = loop.createFuture();
        waiters.addLast(fut);
        try {
            fut.await();
            return true;
        } finally {
            waiters.remove(fut);
        }
    }

    @Override
    public String toString() {
        return "<AsyncEvent [" + (value ? "set" : "unset")
                + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]>";
    }
}
