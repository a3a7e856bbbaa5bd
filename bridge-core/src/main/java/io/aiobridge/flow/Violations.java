package io.aiobridge.flow;

import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import java.util.concurrent.CancellationException;

/**
 * Where the consuming side reports a publisher that broke the Reactive Streams rules, and an
 * error that arrived after it had cancelled.
 */
final class Violations {
    private Violations() {}

    /**
     * Sends {@code error} to {@code loop}'s exception handler, from any thread; logs it if the
     * loop is closed. Never lost, never thrown at the publisher (which is not ours to fail).
     */
    static void report(EventLoop loop, Throwable error) {
        send(loop, ErrorContext.of("a publisher broke the Reactive Streams rules: "
                + error.getMessage(), error), error);
    }

    /**
     * Sends an error that arrived after the consuming side had cancelled (the awaiting task was
     * cancelled, an iteration was left, awaitFirst had its item) to {@code loop}'s exception
     * handler, as Reactor's subscribers send theirs to {@code onErrorDropped}: the publisher may
     * still signal after a cancel (rule 3.6 lets it), and nobody else can receive it. A
     * cancellation arriving then is what the cancel asked for and is not reported.
     */
    static void dropped(EventLoop loop, Throwable error) {
        if (error instanceof CancelledError || error instanceof CancellationException) {
            return;
        }
        send(loop, ErrorContext.of("a publisher signalled an error after its subscriber had"
                + " cancelled; nobody else can receive it", error), error);
    }

    private static void send(EventLoop loop, ErrorContext ctx, Throwable error) {
        try {
            loop.callSoonThreadsafe(() -> loop.callExceptionHandler(ctx));
        } catch (IllegalStateException closed) {
            System.getLogger("io.aiobridge.EventLoop").log(System.Logger.Level.ERROR,
                    ctx.describe(), error);
        }
    }
}
