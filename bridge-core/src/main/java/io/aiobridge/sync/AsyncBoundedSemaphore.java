package io.aiobridge.sync;

/**
 * A semaphore that refuses to be released more often than acquired: the counterpart of {@code
 * asyncio.BoundedSemaphore}. Over-release is a bug in the caller, reported at once.
 *
 * <p><b>Threading:</b> loop-confined.
 */
public final class AsyncBoundedSemaphore extends AsyncSemaphore {
    private final int bound;

    /**
     * A bounded semaphore with {@code value} permits, which is also its bound.
     *
     * @param value the permits, at least 0
     */
    public AsyncBoundedSemaphore(int value) {
        super(value);
        this.bound = value;
    }

    /**
     * Returns a permit.
     *
     * @throws IllegalArgumentException if that would exceed the initial number of permits
     *     (asyncio's ValueError)
     */
    @Override
    public void release() {
        if (value >= bound) {
            throw new IllegalArgumentException("BoundedSemaphore released too many times; "
                    + this + " already has all " + bound + " permits: release only what you"
                    + " acquired");
        }
        super.release();
    }
}
