package io.aiobridge;

/**
 * The end of an async iteration: raised by awaiting {@link AsyncIterator#anext()} when there are no
 * more items, as Python's {@code StopAsyncIteration}. A control signal, so it carries no stack
 * trace (it is thrown once per iteration, not per error).
 */
public class StopAsyncIteration extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the signal. */
    public StopAsyncIteration() {
        super("StopAsyncIteration", null, false, false);
    }
}
