package io.aiobridge;

/**
 * Makes the tasks of {@link EventLoop#createTask}: the counterpart of asyncio's task factory. A
 * factory may decorate tasks (naming, tracking) or start them eagerly; it must return a task of
 * the given loop, made with {@link Task#Task(EventLoop, Coroutine, String, Context, boolean)}.
 *
 * <p>A caller may choose the start itself ({@link EventLoop#createTask(Coroutine, String, Context,
 * Boolean)}, asyncio 3.14's {@code eager_start=}); that choice reaches the factory through {@link
 * #newTask(EventLoop, Coroutine, String, Context, Boolean)}, which a factory that can honour it
 * overrides. {@link #EAGER} does.
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
        public <T> Task<T> newTask(EventLoop loop, Coroutine<T> coro, String name,
                Context context, Boolean eagerStart) {
            // as create_eager_task_factory: eager unless the caller said otherwise
            return new Task<>(loop, coro, name, context, !Boolean.FALSE.equals(eagerStart));
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

    /**
     * Makes a task whose caller chose how it starts ({@code eager_start=} reaching asyncio's task
     * factory as a keyword). A factory that decides the start itself overrides this; this default
     * passes a null choice on to {@link #newTask(EventLoop, Coroutine, String, Context)} and
     * refuses a real one, as asyncio raises {@code TypeError} for a factory without the keyword:
     * silently starting the task another way than asked would change the order things run in.
     *
     * @param loop the loop the task belongs to
     * @param coro the task's code
     * @param name the task's name, or null for a generated one
     * @param context the task's context, or null for a copy of the current one
     * @param eagerStart true to start now, false to schedule, null for the factory's choice
     * @param <T> the result type
     * @return the new task
     * @throws UnsupportedOperationException if {@code eagerStart} is not null (this default)
     */
    default <T> Task<T> newTask(EventLoop loop, Coroutine<T> coro, String name, Context context,
            Boolean eagerStart) {
        if (eagerStart == null) {
            return newTask(loop, coro, name, context);
        }
        throw new UnsupportedOperationException("task factory " + this + " got an unexpected"
                + " keyword argument 'eager_start'; it does not choose how its tasks start:"
                + " override newTask(EventLoop, Coroutine, String, Context, Boolean) to honour"
                + " eagerStart, or leave it null");
    }
}
