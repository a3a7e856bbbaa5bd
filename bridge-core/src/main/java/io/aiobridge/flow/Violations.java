package io.aiobridge.flow;

import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

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

    /**
     * Hands an item that the consuming task will never receive (read ahead when it left, dropped
     * by an overflow strategy, ignored or replaced by an await, sent after the end) to its
     * discard hook, on the calling thread. A hook that throws goes to the loop's exception
     * handler; the caller goes on with the next.
     *
     * @param consumer what drops the item, for the message: "an iteration", "awaitLast()"
     */
    static <T> void discard(EventLoop loop, Consumer<? super T> hook, T item, String consumer) {
        if (hook == null) {
            return;
        }
        try {
            hook.accept(item);
        } catch (Throwable e) {
            send(loop, ErrorContext.of("the discard hook of " + consumer + " threw on " + item,
                    e), e);
        }
    }

    private static void send(EventLoop loop, ErrorContext ctx, Throwable error) {
        if (loop == null) {
            System.getLogger("io.aiobridge.EventLoop").log(System.Logger.Level.ERROR,
                    ctx.describe(), error);
            return;
        }
        try {
            loop.callSoonThreadsafe(() -> loop.callExceptionHandler(ctx));
        } catch (IllegalStateException closed) {
            System.getLogger("io.aiobridge.EventLoop").log(System.Logger.Level.ERROR,
                    ctx.describe(), error);
        }
    }
}
