package io.aiobridge.queue;

import java.util.NoSuchElementException;

/** {@code getNowait} on an empty queue: the counterpart of {@code asyncio.QueueEmpty}. */
public class QueueEmptyException extends NoSuchElementException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was empty
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
