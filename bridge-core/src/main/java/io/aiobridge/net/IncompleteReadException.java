package io.aiobridge.net;

import java.io.EOFException;
import java.util.Objects;

/**
 * The stream ended before the requested bytes arrived: asyncio's {@code IncompleteReadError}
 * (an {@code EOFError}, as this is an {@link EOFException}). {@link #partial()} holds what did
 * arrive; it has been taken from the stream.
 */
public class IncompleteReadException extends EOFException {
    private static final long serialVersionUID = 1L;

    /** The bytes read before the end of the stream. */
    private final byte[] partial;
    /** The bytes wanted, or null when there was no fixed count (readuntil). */
    private final Integer expected;

    /**
     * With what arrived and what was expected.
     *
     * @param partial the bytes read before the end
     * @param expected how many were expected, or null (no fixed number: a separator)
     */
    public IncompleteReadException(byte[] partial, Integer expected) {
        super(Objects.requireNonNull(partial, "partial is null").length + " bytes read on a total of "
                + (expected == null ? "undefined" : String.valueOf(expected))
                + " expected bytes");
        this.partial = partial.clone();
        this.expected = expected;
    }

    /**
     * The bytes that arrived before the end.
     *
     * @return a copy
     */
    public byte[] partial() {
        return partial.clone();
    }

    /**
     * How many bytes were expected.
     *
     * @return the count, or null when reading up to a separator
     */
    public Integer expected() {
        return expected;
    }
}
