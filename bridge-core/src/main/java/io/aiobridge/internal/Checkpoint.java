package io.aiobridge.internal;

import io.aiobridge.Task;
import java.util.function.Consumer;

/**
 * Where an iteration of a publisher lets a cancellation, or the loop, in: a task whose source
 * always has the next item ready never suspends, so {@code Aio.currentTask().cancel()} in the
 * loop's body would never take effect, nor would a timeout or a cancel from elsewhere (they need
 * the loop to run), and the iteration would run on for ever. kotlinx checks its job at each
 * emission ({@code ensureActive}). Installed by {@code Task}, whose state it reads.
 */
public final class Checkpoint {
    private Checkpoint() {}

    private static volatile Consumer<Task<?>> check = task -> { };
    private static volatile Consumer<Task<?>> fair = task -> { };

    /**
     * Installs the runtime's checks; called once, by {@code Task}.
     *
     * @param c suspends {@code task} once if a cancellation of it is pending, so it is raised
     * @param f suspends {@code task} once if a cancellation is pending or the loop has a timer
     *     due or work from other threads, so it runs
     */
    public static void install(Consumer<Task<?>> c, Consumer<Task<?>> f) {
        check = c;
        fair = f;
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

    /**
     * As {@link #ifCancelled}, and also lets the loop run once if a timer is due or work from
     * other threads waits: called every so many items by an iteration that has not had to wait,
     * so an {@code Aio.timeout} around it, or a cancel from another task or thread, is not held
     * off for ever by a source that is never empty. A loop with nothing due costs a check.
     *
     * @param task the running task
     */
    public static void ifTheLoopIsWaited(Task<?> task) {
        fair.accept(task);
    }
}
