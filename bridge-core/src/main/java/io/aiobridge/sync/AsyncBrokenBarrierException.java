package io.aiobridge.sync;

/**
 * A barrier was aborted or reset while a task waited on it, or is broken: the counterpart of
 * {@code asyncio.BrokenBarrierError} (a RuntimeError, so an {@link IllegalStateException} here;
 * see docs/errors.md). Unchecked, unlike {@link
 * java.util.concurrent.BrokenBarrierException}.
 */
public class AsyncBrokenBarrierException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened
     */
    public AsyncBrokenBarrierException(String message) {
        super(message);
    }
}
