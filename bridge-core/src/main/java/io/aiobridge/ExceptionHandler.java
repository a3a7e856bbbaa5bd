package io.aiobridge;

/**
 * Receives the errors a loop cannot deliver anywhere else: a callback that threw, a failed future
 * whose exception nobody retrieved, a task failing during shutdown. Set it with {@link
 * EventLoop#setExceptionHandler}.
 *
 * <p>Called on the loop (or, for an unretrieved exception found when the loop is not running, on
 * the garbage collector's cleaner thread). An exception thrown by the handler is logged by the
 * default handler and otherwise ignored.
 */
@FunctionalInterface
public interface ExceptionHandler {
    /**
     * Handles one error.
     *
     * @param loop the loop that reports it
     * @param context what happened
     */
    void handle(EventLoop loop, ErrorContext context);
}
