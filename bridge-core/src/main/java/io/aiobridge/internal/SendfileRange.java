package io.aiobridge.internal;

/** asyncio's {@code _check_sendfile_params} for offset and count, shared by both sendfiles. */
public final class SendfileRange {
    private SendfileRange() {}

    /**
     * Refuses a negative offset or a count below 1, with asyncio's messages.
     *
     * @param offset where the file is read from
     * @param count how many bytes, or null for the rest of the file
     * @throws IllegalArgumentException if either is out of range
     */
    public static void check(long offset, Long count) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be a non-negative integer (got "
                    + offset + ")");
        }
        if (count != null && count <= 0) {
            throw new IllegalArgumentException("count must be a positive integer (got " + count
                    + "); pass null to send up to the end of the file");
        }
    }
}
