package io.aiobridge.net;

/**
 * A transport's write-buffer marks, as asyncio's {@code get_write_buffer_limits()} returns them:
 * the protocol is paused when the buffer grows over {@code high} and resumed once it drains to
 * {@code low}.
 *
 * @param low the low-water mark, in bytes
 * @param high the high-water mark, in bytes
 */
public record WriteBufferLimits(int low, int high) {}
