package io.aiobridge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A loop's timers: a heap ordered by {@code (when, sequence)}, so timers due at the same time run
 * in the order they were scheduled, as asyncio's {@code _scheduled}.
 *
 * <p><b>Invariants.</b> {@code TimerHandle.scheduled} is true exactly while a timer is in the
 * heap. Cancelled timers stay in the heap until they reach its top, or until they are at least
 * {@link #MIN_CANCELLED_TO_SWEEP} and half of it, when one sweep drops them all (asyncio's
 * {@code _timer_cancelled_count} rule); {@code cancelled} counts the ones cancelled by the loop's
 * own code while scheduled. Loop-confined, except {@link Deferred}, which other threads create
 * and cancel.
 */
final class Timers {
    /** Cancelled timers are swept out of the heap once they are this many and half of it. */
    private static final int MIN_CANCELLED_TO_SWEEP = 100;

    private final PriorityQueue<TimerHandle> heap = new PriorityQueue<>(Timers::compare);
    private int cancelled;
    private long seq;

    private static int compare(TimerHandle a, TimerHandle b) {
        int c = Double.compare(a.when, b.when);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    }

    TimerHandle add(BaseEventLoop loop, double when, Runnable callback, Context context) {
        TimerHandle t = new TimerHandle(loop, when, seq++, callback, context);
        t.scheduled = true;
        heap.add(t);
        return t;
    }

    /** A scheduled timer was cancelled by the loop's own code: count it for the sweep. */
    void cancelledOnLoop(TimerHandle t) {
        if (t.scheduled) {
            t.counted = true;
            cancelled++;
        }
    }

    boolean isEmpty() {
        return heap.isEmpty();
    }

    int size() {
        return heap.size();
    }

    /** The due time of the first timer; the heap must not be empty. */
    double firstWhen() {
        return heap.peek().when;
    }

    /** Drops cancelled timers: all at once when they are many, else those at the top. */
    void sweep() {
        if (cancelled > MIN_CANCELLED_TO_SWEEP && cancelled * 2 > heap.size()) {
            List<TimerHandle> keep = new ArrayList<>(heap.size() - cancelled);
            for (TimerHandle t : heap) {
                if (t.isCancelled()) {
                    t.scheduled = false;
                } else {
                    keep.add(t);
                }
            }
            heap.clear();
            heap.addAll(keep);
            cancelled = 0;
            return;
        }
        while (!heap.isEmpty() && heap.peek().isCancelled()) {
            TimerHandle t = heap.poll();
            t.scheduled = false;
            uncount(t);
        }
    }

    /** Moves every timer due before {@code end} to {@code ready}, in order. */
    void popDue(double end, ArrayDeque<Object> ready) {
        while (!heap.isEmpty()) {
            TimerHandle t = heap.peek();
            if (t.when >= end) {
                return;
            }
            heap.poll();
            t.scheduled = false;
            if (t.isCancelled()) {
                uncount(t);
            } else {
                ready.addLast(t);
            }
        }
    }

    private void uncount(TimerHandle t) {
        if (t.counted) {
            t.counted = false;
            cancelled--;
        }
    }

    void clear() {
        heap.clear();
        cancelled = 0;
    }

    /**
     * A timer armed by a hop onto the loop ({@code callLaterThreadsafe}). <b>Invariant:</b>
     * {@code cancel} sets the flag before reading {@code timer}, and {@code arm} publishes {@code
     * timer} before reading the flag (both volatile), so whichever runs second sees the other: a
     * cancel racing with the arming still cancels the armed timer.
     */
    static final class Deferred extends Handle {
        private final double delay;
        private volatile TimerHandle timer;

        Deferred(BaseEventLoop loop, Runnable callback, Context context, double delay) {
            super(loop, callback, context);
            this.delay = delay;
        }

        /** Runs on the loop: the delay counts from here. */
        void arm() {
            if (isCancelled()) {
                return;
            }
            TimerHandle t = loop.timers.add(loop, loop.time() + delay, callback, context);
            timer = t;
            if (isCancelled()) {
                t.cancel();
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            TimerHandle t = timer;
            if (t != null) {
                t.cancel();
            }
        }
    }
}
