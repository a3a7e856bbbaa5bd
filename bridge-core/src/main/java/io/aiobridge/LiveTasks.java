package io.aiobridge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A loop's tasks that are not done yet, in creation order: an intrusive doubly-linked list
 * through {@code Task.prevLive}/{@code nextLive}, so creating and finishing a task cost no
 * allocation and no search. {@code asyncio.all_tasks} reads it; {@code close()} cancels what it
 * holds. <b>Invariant:</b> a task is linked exactly from its creation until it is done.
 * Loop-confined.
 */
final class LiveTasks {
    private Task<?> head;
    private int count;

    void add(Task<?> t) {
        t.nextLive = head;
        if (head != null) {
            head.prevLive = t;
        }
        head = t;
        count++;
    }

    void remove(Task<?> t) {
        if (t.prevLive != null) {
            t.prevLive.nextLive = t.nextLive;
        } else if (head == t) {
            head = t.nextLive;
        } else {
            return; // not linked
        }
        if (t.nextLive != null) {
            t.nextLive.prevLive = t.prevLive;
        }
        t.prevLive = null;
        t.nextLive = null;
        count--;
    }

    int size() {
        return count;
    }

    /**
     * The tasks not yet done, oldest first: what {@code close()} cancels. A list, not a set: at a
     * million tasks, hashing each one into a set was a sixth of the close.
     */
    List<Task<?>> oldestFirst() {
        Task<?>[] newestFirst = new Task<?>[count];
        int n = 0;
        for (Task<?> t = head; t != null; t = t.nextLive) {
            newestFirst[n++] = t;
        }
        List<Task<?>> result = new ArrayList<>(n);
        for (int i = n - 1; i >= 0; i--) {
            result.add(newestFirst[i]);
        }
        return result;
    }

    /** The tasks not yet done, oldest first, as the set {@code asyncio.all_tasks} returns. */
    Set<Task<?>> snapshot() {
        return new LinkedHashSet<>(oldestFirst());
    }
}
