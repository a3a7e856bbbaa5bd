package io.aiobridge.flow;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Items from one producer thread to one consumer, then one terminal signal, with a wake-up
 * handshake for a consumer that waits: the hand-over between a Reactive Streams publisher's
 * signals and the task iterating them.
 *
 * <p><b>Invariants.</b> The producer writes an item into its slot before it moves {@code
 * produced} on (a release store), so a consumer that sees the index sees the item. The terminal
 * signal is written after the last item, so a consumer that sees it and then reads {@code
 * produced} sees every item. A waiting consumer publishes its waiter and then re-checks; a
 * producer publishes, fences, and then takes the waiter; so at least one of them sees the other
 * and no wake-up is lost. The capacity is never exceeded: the caller requests at most that many
 * items. Once the consumer has left ({@link #abandon}), every item is discarded exactly once,
 * whoever finds it. (Each of these is checked by the jcstress module.)
 *
 * @param <W> the waiter type (a future of the consumer's loop)
 */
final class SpscRing<W> {
    private final Object[] slots;
    private final int mask;
    /** Items published by the producer (release-stored). */
    private final AtomicLong produced = new AtomicLong();
    /** Items taken by the consumer (consumer-confined). */
    private long consumed;
    /** Null, or how the stream ended; written after the last item. */
    private volatile Object terminal;
    private final AtomicReference<W> waiter = new AtomicReference<>();
    /** The consumer has left: every item, in the ring or offered later, is discarded. */
    private volatile boolean abandoned;
    /**
     * Once abandoned, who empties the ring: either side may find items there (the consumer as
     * it leaves, the producer offering just after), and the one that moves this from 0 polls
     * until nobody asked again, so the ring keeps one reader at a time.
     */
    private final AtomicInteger emptying = new AtomicInteger();

    /** A ring for at least {@code capacity} items. */
    SpscRing(int capacity) {
        int cap = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.slots = new Object[Math.max(2, cap)];
        this.mask = slots.length - 1;
    }

    // ---- producer ----------------------------------------------------------------------------

    /** Publishes a non-null item. */
    void offer(Object item) {
        long p = produced.get();
        slots[(int) p & mask] = item;
        produced.lazySet(p + 1); // release: the item is visible before the index moves
    }

    /** Publishes the end, after every item; the first end stands. */
    boolean end(Object how) {
        if (terminal != null) {
            return false;
        }
        terminal = how;
        return true;
    }

    /**
     * After publishing: the waiter to wake, or null if the consumer is not waiting.
     *
     * <p>The full fence orders the publication before this read of the waiter (store, then
     * load: the one reordering that the release store in {@link #offer} allows, and the processor
     * does). Without it the producer can read "no waiter" while its item is still invisible to a
     * consumer that has just armed and re-checked, and the consumer parks with nobody to wake it
     * ({@code RingStress.NoLostWakeUp} caught it, 0.3% of its samples).
     */
    W takeWaiter() {
        VarHandle.fullFence();
        return waiter.get() == null ? null : waiter.getAndSet(null);
    }

    /**
     * After {@link #offer} and {@link #takeWaiter} (whose fence publishes the item before this
     * read): if the consumer has left, hands what is in the ring, this item included, to {@code
     * discard}.
     */
    void emptyIfAbandoned(Consumer<Object> discard) {
        if (abandoned) {
            empty(discard);
        }
    }

    // ---- consumer ----------------------------------------------------------------------------

    /**
     * The consumer leaves: every item in the ring now, or offered from now on, is handed to
     * {@code discard} exactly once (by this call, or by the producer's {@link
     * #emptyIfAbandoned}).
     */
    void abandon(Consumer<Object> discard) {
        abandoned = true; // a volatile store before the read of produced in poll(): whichever
        empty(discard);   // side comes second sees the other's item or flag
    }

    private void empty(Consumer<Object> discard) {
        if (emptying.getAndIncrement() != 0) {
            return; // the side already emptying it takes this item too
        }
        int asked = 1;
        do {
            for (Object o; (o = poll()) != null;) {
                discard.accept(o);
            }
            asked = emptying.addAndGet(-asked);
        } while (asked != 0);
    }

    /** The next item, or null if none is available now. */
    Object poll() {
        if (consumed == produced.get()) {
            return null;
        }
        int i = (int) consumed & mask;
        Object o = slots[i];
        slots[i] = null; // do not keep consumed items reachable
        consumed++;
        return o;
    }

    /** How the stream ended, once every item before the end has been taken; else null. */
    Object drainedEnd() {
        Object end = terminal;
        return end != null && consumed == produced.get() ? end : null;
    }

    /** The end, whether or not items are left (the producer's view, for late violations). */
    Object end() {
        return terminal;
    }

    /**
     * Registers {@code w} to be woken by the producer, then re-checks.
     *
     * @return true if the consumer may wait on {@code w}; false if an item or the end arrived
     *     meanwhile (the registration is withdrawn)
     */
    boolean arm(W w) {
        waiter.set(w);
        if (consumed < produced.get() || terminal != null) {
            waiter.compareAndSet(w, null);
            return false;
        }
        return true;
    }

    /** Withdraws {@code w} if it is still registered. */
    void disarm(W w) {
        waiter.compareAndSet(w, null);
    }
}
