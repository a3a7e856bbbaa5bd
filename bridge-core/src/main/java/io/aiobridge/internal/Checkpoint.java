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
     * @param f suspends {@code task} once if a cancellation is pending or anything waits for
     *     the loop (a ready task or callback, a due timer, work from other threads), so it runs
     */
    public static void install(Consumer<Task<?>> c, Consumer<Task<?>> f) {
        check = c;
        fair = f;
    }

    /**
     * One step of an iteration by {@code task}, the running task, which has taken {@code
     * stepsWithoutWaiting} steps since it last waited: raises a pending cancellation after a
     * suspension, as asyncio raises it at an await, and every {@code every} steps also lets the
     * loop run once if anything waits for it, so an {@code Aio.timeout} around the iteration, a
     * cancel from another task or thread, or the loop's other tasks are not held off for ever
     * by a source that is never empty. A loop with nothing waiting costs a few field reads.
     *
     * @param task the running task
     * @param stepsWithoutWaiting the steps since the task last waited
     * @param every how many steps the loop may wait at most
     * @return the steps since the task last waited, this one included (0 after a turn)
     */
    public static int step(Task<?> task, int stepsWithoutWaiting, int every) {
        if (stepsWithoutWaiting + 1 >= every) {
            fair.accept(task);
            return 0;
        }
        check.accept(task);
        return stepsWithoutWaiting + 1;
    }
}
