package io.aiobridge;

/**
 * A deadline passed: raised by {@link Aio#waitFor}, {@link Timeout} scopes and {@link
 * Aio#asCompleted} with a timeout. The counterpart of Python's {@code TimeoutError} (which
 * asyncio's timeouts raise since 3.11).
 *
 * <p>Unlike {@link java.util.concurrent.TimeoutException} it is unchecked, so coroutine lambdas
 * need not declare it. When a timeout cancelled the work, the {@link CancelledError} that did it is
 * the cause.
 */
public class AsyncTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with no message. */
    public AsyncTimeoutException() {
        super();
    }

    /**
     * Creates the exception.
     *
     * @param message what timed out
     * @param cause the cancellation that the timeout caused, may be null
     */
    public AsyncTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
