package io.aiobridge;

/**
 * The ready-queue entry that resumes a task. Each task has exactly one, reused for every step:
 * by invariant, a task has at most one step scheduled at a time. The loop recognises it and passes
 * the baton to the task's virtual thread instead of calling a callback.
 */
final class TaskStep extends Handle {
    final Task<?> task;

    TaskStep(Task<?> task) {
        super(task.loop, null, null);
        this.task = task;
    }

    @Override
    public void cancel() {
        throw new UnsupportedOperationException("a task's step cannot be cancelled; cancel the task");
    }

    @Override
    String describe() {
        return "step of " + task;
    }
}
