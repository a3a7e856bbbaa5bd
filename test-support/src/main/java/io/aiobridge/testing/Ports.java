package io.aiobridge.testing;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.util.function.BooleanSupplier;

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

    /**
     * {@code test_utils.run_until(loop, pred)}: runs {@code loop} in 1 ms sleeps until {@code
     * pred} holds; fails after 30 s, as CPython's {@code SHORT_TIMEOUT}. Call from outside the
     * loop.
     *
     * @param loop the loop, not running
     * @param pred what to wait for
     */
    public static void runUntil(EventLoop loop, BooleanSupplier pred) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        loop.runUntilComplete(() -> {
            while (!pred.getAsBoolean()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("run_until: the condition did not hold in 30 s");
                }
                Aio.sleep(0.001);
            }
            return null;
        });
    }
}
