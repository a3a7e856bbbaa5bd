package io.aiobridge.reactor;

import io.aiobridge.Aio;
import reactor.core.scheduler.Schedulers;

/**
 * Tells Reactor that code holding an event loop (a task, a loop callback, an operator published on
 * {@link ReactorSchedulers#of a loop}) runs on a non-blocking thread, as Reactor's own event loops
 * and {@code parallel()} workers are. Reactor then refuses {@code block()}, {@code blockFirst()},
 * {@code blockLast()}, {@code toIterable()} and {@code toStream()} there with its usual {@code
 * IllegalStateException}, where a wait would stall every task of the loop, or deadlock it when
 * the publisher needs the loop itself (a {@code ReactorPublish.mono} of the same loop). Awaiting
 * ({@link ReactorAwait}) is the way; {@code Aio.toThread} runs blocking code off the loop.
 *
 * <p>Registered once, when any of this module's entry classes is first used
 * ({@code Schedulers.registerNonBlockingThreadPredicate} adds to Reactor's predicate).
 */
final class LoopThreadsNonBlocking {
    static {
        Schedulers.registerNonBlockingThreadPredicate(LoopThreadsNonBlocking::holdsALoop);
    }

    private LoopThreadsNonBlocking() {}

    /** Runs the registration above, once per class loader. */
    static void register() {}

    private static boolean holdsALoop(Thread t) {
        return t == Thread.currentThread() && Aio.runningLoopOrNull() != null;
    }
}
