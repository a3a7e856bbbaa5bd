package io.aiobridge.sync;

/**
 * A barrier was aborted or reset while a task waited on it, or is broken: the counterpart of
 * {@code asyncio.BrokenBarrierError}. Unchecked, unlike {@link
 * java.util.concurrent.BrokenBarrierException}.
 */
public class BrokenBarrierException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened
     */
    public BrokenBarrierException(String message) {
        super(message);
    }
}
