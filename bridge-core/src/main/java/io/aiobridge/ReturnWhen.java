package io.aiobridge;

/** When {@link Aio#wait} returns: the counterpart of asyncio's {@code return_when} constants. */
public enum ReturnWhen {
    /** As soon as any awaitable is done or cancelled. */
    FIRST_COMPLETED,
    /** As soon as any awaitable fails with an exception, or when all are done. */
    FIRST_EXCEPTION,
    /** When all are done. */
    ALL_COMPLETED
}
