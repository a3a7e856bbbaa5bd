package io.aiobridge.queue;

/**
 * A put on a queue that was shut down, or a get on one that was shut down and is empty: the
 * counterpart of {@code asyncio.QueueShutDown} (Python 3.13).
 */
public class QueueShutDownException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was shut down
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
