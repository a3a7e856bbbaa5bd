package io.aiobridge.flow;

import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;

/** Where the consuming side reports a publisher that broke the Reactive Streams rules. */
final class Violations {
    private Violations() {}

    /**
     * Sends {@code error} to {@code loop}'s exception handler, from any thread; logs it if the
     * loop is closed. Never lost, never thrown at the publisher (which is not ours to fail).
     */
    static void report(EventLoop loop, Throwable error) {
        ErrorContext ctx = ErrorContext.of("a publisher broke the Reactive Streams rules: "
                + error.getMessage(), error);
        try {
            loop.callSoonThreadsafe(() -> loop.callExceptionHandler(ctx));
        } catch (IllegalStateException closed) {
            System.getLogger("io.aiobridge.EventLoop").log(System.Logger.Level.ERROR,
                    ctx.describe(), error);
        }
    }
}
