package io.aiobridge.queue;

/** {@code putNowait} on a full queue: the counterpart of {@code asyncio.QueueFull}. */
public class QueueFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was full
     */
    public QueueFullException(String message) {
        super(message);
    }
}
