package io.aiobridge;

/**
 * A future was asked for something its state does not allow: a result set twice, or the result of
 * a future that is not done. The counterpart of {@code asyncio.InvalidStateError}.
 */
public class InvalidStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong and what to do instead
     */
    public InvalidStateException(String message) {
        super(message);
    }
}
