package io.aiobridge;

/**
 * Code that may await: the counterpart of an {@code async def} function's body.
 *
 * <p>Any lambda is a coroutine. Calling {@link #call()} directly from a task runs it inline in that
 * task, which is what {@code await coro()} does in Python; handing it to {@link Aio#createTask} runs
 * it as a task of its own, concurrently. Inside, the code awaits with {@link Aio#await}, {@link
 * Aio#sleep} and the like, which suspend the task without blocking its loop.
 *
 * <p>A coroutine that has nothing to return returns {@code null}.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface Coroutine<T> {
    /**
     * Runs the coroutine's body.
     *
     * @return the result
     * @throws Exception whatever the body throws; a task stores it as its exception
     */
    T call() throws Exception;
}
