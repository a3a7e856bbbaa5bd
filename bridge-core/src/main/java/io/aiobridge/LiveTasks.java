package io.aiobridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A loop's tasks that are not done yet, in creation order: an intrusive doubly-linked list
 * through {@code Task.prevLive}/{@code nextLive}, so creating and finishing a task cost no
 * allocation and no search. {@code asyncio.all_tasks} reads it; {@code close()} cancels what it
 * holds. <b>Invariant:</b> a task is linked exactly from its creation until it is done.
 *
 * <p>Only the loop's holder changes the list. Other threads may read it ({@code
 * asyncio.all_tasks(loop)} is callable from any thread) through {@link #tryOldestFirst}, an
 * optimistic read validated by a sequence count, as {@code StampedLock}'s optimistic reads are:
 * the count is odd while the holder changes the list, and a read that saw a change begin retries.
 * A writer pays two plain stores per change and never waits for a reader. A stale link only ever
 * points to an older task or to null ({@code add} links to the current head; {@code remove}
 * relinks a neighbour to the removed task's older neighbour and clears the removed task's links),
 * so even a torn walk ends.
 */
final class LiveTasks {
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(LiveTasks.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Task<?> head;
    private int count;
    /** Even while the list is stable, odd while the holder changes it. Written by the holder. */
    @SuppressWarnings("unused") // through VERSION
    private volatile long version;

    void add(Task<?> t) {
        long v = beginChange();
        t.nextLive = head;
        if (head != null) {
            head.prevLive = t;
        }
        head = t;
        count++;
        endChange(v);
    }

    void remove(Task<?> t) {
        if (t.prevLive == null && head != t) {
            return; // not linked
        }
        long v = beginChange();
        if (t.prevLive != null) {
            t.prevLive.nextLive = t.nextLive;
        } else {
            head = t.nextLive;
        }
        if (t.nextLive != null) {
            t.nextLive.prevLive = t.prevLive;
        }
        t.prevLive = null;
        t.nextLive = null;
        count--;
        endChange(v);
    }

    private long beginChange() {
        long v = (long) VERSION.get(this); // plain: only the holder writes it
        VERSION.setOpaque(this, v + 1);
        VarHandle.storeStoreFence(); // the odd count is visible before any link changes
        return v;
    }

    private void endChange(long v) {
        VERSION.setRelease(this, v + 2);
    }

    int size() {
        return count;
    }

    /**
     * The tasks not yet done, oldest first: what {@code close()} cancels. A list, not a set: at a
     * million tasks, hashing each one into a set was a sixth of the close. The holder's read.
     */
    List<Task<?>> oldestFirst() {
        Task<?>[] newestFirst = new Task<?>[count];
        int n = 0;
        for (Task<?> t = head; t != null; t = t.nextLive) {
            newestFirst[n++] = t;
        }
        return reversed(newestFirst, n);
    }

    /** The tasks not yet done, oldest first, as the set {@code asyncio.all_tasks} returns. */
    Set<Task<?>> snapshot() {
        return new LinkedHashSet<>(oldestFirst());
    }

    /**
     * From any thread: the tasks not yet done, oldest first, as one state of the list that the
     * holder left it in; or null if the holder changed the list during the read (try again).
     */
    List<Task<?>> tryOldestFirst() {
        long v = (long) VERSION.getAcquire(this);
        if ((v & 1) != 0) {
            return null;
        }
        int expected = count;
        if (expected < 0) {
            return null;
        }
        Task<?>[] newestFirst = new Task<?>[expected];
        int n = 0;
        for (Task<?> t = head; t != null; t = t.nextLive) {
            if (n == expected) {
                return null; // longer than the count read with it: a change was under way
            }
            newestFirst[n++] = t;
        }
        VarHandle.acquireFence(); // the reads above happen before the check below
        if ((long) VERSION.getOpaque(this) != v || n != expected) {
            return null;
        }
        return reversed(newestFirst, n);
    }

    private static List<Task<?>> reversed(Task<?>[] newestFirst, int n) {
        List<Task<?>> result = new ArrayList<>(n);
        for (int i = n - 1; i >= 0; i--) {
            result.add(newestFirst[i]);
        }
        return result;
    }
}
