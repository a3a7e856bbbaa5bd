package io.aiobridge.testing;

import io.aiobridge.Aio;
import io.aiobridge.Task;

/**
 * The idioms of CPython's {@code test_asyncio}, for the tests that port it case by case: a
 * coroutine that does its work and returns {@code True}, and {@code test_utils.run_briefly}.
 */
public final class Ports {
    private Ports() {}

    /**
     * A task that runs {@code body} and returns true, as CPython's test coroutines do ({@code
     * async def c1(result): ...; return True}).
     *
     * @param body the work; it may await
     * @return the task
     */
    public static Task<Boolean> task(Runnable body) {
        return Aio.createTask(() -> {
            body.run();
            return true;
        });
    }

    /**
     * {@code test_utils.run_briefly(loop)}: one {@code sleep(0)} of the current task, so every
     * task that is ready takes one step.
     */
    public static void runBriefly() {
        Aio.sleep(0);
    }
}
