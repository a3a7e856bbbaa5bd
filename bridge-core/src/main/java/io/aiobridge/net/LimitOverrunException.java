package io.aiobridge.net;

import java.io.IOException;

/**
 * A separator was not found within the stream's limit: asyncio's {@code LimitOverrunError}. The
 * bytes stay in the stream; {@link #consumed()} says how many would have to be taken to go on.
 */
public class LimitOverrunException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The bytes to consume to get past the chunk (asyncio's {@code consumed}). */
    private final int consumed;

    /**
     * With asyncio's message and the number of bytes to consume.
     *
     * @param message what went wrong
     * @param consumed how many bytes would have to be consumed
     */
    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * How many bytes would have to be consumed.
     *
     * @return the count
     */
    public int consumed() {
        return consumed;
    }
}
