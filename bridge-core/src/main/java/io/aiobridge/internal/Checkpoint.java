package io.aiobridge.internal;

import io.aiobridge.Task;
import java.util.function.Consumer;

/**
 * Where an iteration of a publisher delivers a cancellation the running task requested of
 * itself: a task whose source always has the next item ready never suspends, so {@code
 * Aio.currentTask().cancel()} in the loop's body (or a cancel from a callback of the same step)
 * would otherwise never take effect, and the iteration would run on forever. kotlinx checks the
 * same at each emission ({@code ensureActive}). Installed by {@code Task}, whose state it reads.
 */
public final class Checkpoint {
    private Checkpoint() {}

    private static volatile Consumer<Task<?>> check = task -> { };

    /**
     * Installs the runtime's check; called once, by {@code Task}.
     *
     * @param c suspends {@code task} once if a cancellation of it is pending, so it is raised
     */
    public static void install(Consumer<Task<?>> c) {
        check = c;
    }

    /**
     * Raises the pending cancellation of {@code task}, the running task, after a suspension as
     * asyncio raises it at an await; returns at once if none is pending.
     *
     * @param task the running task
     */
    public static void ifCancelled(Task<?> task) {
        check.accept(task);
    }
}
