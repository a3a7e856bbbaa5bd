package io.aiobridge;

/**
 * What the loop's exception handler is told about an error nobody else could receive: the
 * counterpart of the context dict of {@code loop.call_exception_handler}.
 *
 * @param message what happened, never null
 * @param exception the error, may be null
 * @param future the future or task concerned, may be null
 * @param handle the callback's handle, may be null
 * @param source a description of the object concerned when it no longer exists (a collected
 *     future), may be null
 */
public record ErrorContext(
        String message, Throwable exception, AioFuture<?> future, Handle handle, String source) {

    /**
     * A context with a message and an exception only.
     *
     * @param message what happened
     * @param exception the error, may be null
     * @return the context
     */
    public static ErrorContext of(String message, Throwable exception) {
        return new ErrorContext(message, exception, null, null, null);
    }

    /**
     * One line describing this context, as asyncio's default handler prints it.
     *
     * @return the description
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(message);
        if (future != null) {
            sb.append("\n").append(future instanceof Task ? "task: " : "future: ").append(future);
        }
        if (handle != null) {
            sb.append("\nhandle: ").append(handle);
        }
        if (source != null) {
            sb.append("\n").append(source);
        }
        return sb.toString();
    }
}
