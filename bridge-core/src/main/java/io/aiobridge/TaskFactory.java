package io.aiobridge;

/**
 * Makes the tasks of {@link EventLoop#createTask}: the counterpart of asyncio's task factory. A
 * factory may decorate tasks (naming, tracking) or start them eagerly; it must return a task of
 * the given loop, made with {@link Task#Task(EventLoop, Coroutine, String, Context, boolean)}.
 */
public interface TaskFactory {
    /**
     * A factory whose tasks start eagerly: each runs synchronously inside {@code createTask} until
     * its first suspension, as asyncio's {@code eager_task_factory}.
     */
    TaskFactory EAGER = new TaskFactory() {
        @Override
        public <T> Task<T> newTask(EventLoop loop, Coroutine<T> coro, String name, Context context) {
            return new Task<>(loop, coro, name, context, true);
        }

        @Override
        public String toString() {
            return "TaskFactory.EAGER";
        }
    };

    /**
     * Makes a task.
     *
     * @param loop the loop the task belongs to
     * @param coro the task's code
     * @param name the task's name, or null for a generated one
     * @param context the task's context, or null for a copy of the current one
     * @param <T> the result type
     * @return the new task
     */
    <T> Task<T> newTask(EventLoop loop, Coroutine<T> coro, String name, Context context);
}
