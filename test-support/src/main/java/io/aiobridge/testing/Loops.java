package io.aiobridge.testing;

import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;

/** Running a test's coroutine: on virtual time (timed tests take no time) or the real clock. */
public final class Loops {
    private Loops() {}

    /**
     * Runs {@code main} on a new virtual-time loop, as {@code Aio.run} does (leftover tasks are
     * cancelled, generators closed, the loop closed).
     *
     * @param main the coroutine
     * @param <T> the result type
     * @return its result
     */
    public static <T> T virtual(Coroutine<T> main) {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            return r.run(main);
        }
    }

    /**
     * The engine a loop runs on, as its {@code toString} names it ({@code engine=default}, {@code
     * engine=carrier}).
     *
     * @param loop the loop
     * @return the engine's name
     */
    public static String engineOf(EventLoop loop) {
        String s = loop.toString();
        int at = s.indexOf(" engine=");
        if (at < 0) {
            throw new AssertionError("toString does not name the engine: " + s);
        }
        return s.substring(at + 8, s.indexOf(' ', at + 8));
    }
}
