package io.aiobridge;

/**
 * What an idle loop tells other threads ({@link EventLoop#idleStats()}): a sequence lock with one
 * writer, the loop's holder, which publishes its stats as it begins to wait for work. An idle
 * loop's state cannot change until something wakes it, so a monitor can read it without posting
 * a probe that would wake the loop only to learn that it is idle.
 *
 * <p><b>Invariant.</b> {@code seq} is odd exactly while the loop waits, bumped as each wait
 * begins and ends; {@code snapshot} changes only while {@code seq} is even, before it turns odd.
 * All three accesses of a read are volatile, so a reader that sees the same odd {@code seq} before
 * and after it reads {@code snapshot} has the stats of a wait that lasted across its read: a
 * snapshot from a later wait would come with a later {@code seq}.
 */
final class IdleStats {
    private volatile long seq;
    private volatile LoopStats snapshot = new LoopStats(0, 0, 0, 0);

    /** The holder begins to wait for work, with these stats (no allocation when unchanged). */
    void enter(int liveTasks, int ready, int timers, long slowSteps) {
        LoopStats was = snapshot;
        if (was.liveTasks() != liveTasks || was.ready() != ready || was.timers() != timers
                || was.slowSteps() != slowSteps) {
            snapshot = new LoopStats(liveTasks, ready, timers, slowSteps);
        }
        seq++; // one writer: no lost update
    }

    /** The holder is done waiting. */
    void leave() {
        seq++;
    }

    /** The stats of the current wait, or null if the loop is not waiting now; any thread. */
    LoopStats read() {
        long s = seq;
        if ((s & 1) == 0) {
            return null;
        }
        LoopStats stats = snapshot;
        return seq == s ? stats : null;
    }
}
