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

    /** The tasks not yet done, oldest first. */
    Set<Task<?>> snapshot() {
        List<Task<?>> list = new ArrayList<>(count);
        for (Task<?> t = head; t != null; t = t.nextLive) {
            list.add(t);
        }
        Set<Task<?>> result = new LinkedHashSet<>();
        for (int i = list.size() - 1; i >= 0; i--) {
            result.add(list.get(i));
        }
        return result;
    }
}
