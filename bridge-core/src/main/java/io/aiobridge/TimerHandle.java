package io.aiobridge;

/**
 * A callback scheduled for a time, as returned by {@link EventLoop#callLater} and {@link
 * EventLoop#callAt}: the counterpart of {@code asyncio.TimerHandle}.
 *
 * <p>Timers due at the same time run in the order they were scheduled.
 */
public final class TimerHandle extends Handle {
    final double when;
    final long seq;
    /** True while the timer sits in the loop's timer queue (loop-confined). */
    boolean scheduled;
    /** True if this cancel was counted in the loop's cancelled-timer tally (loop-confined). */
    boolean counted;

    TimerHandle(BaseEventLoop loop, double when, long seq, Runnable callback, Context context) {
        super(loop, callback, context);
        this.when = when;
        this.seq = seq;
    }

    /**
     * When the callback is due, on the loop's {@link EventLoop#time()} clock, in seconds.
     *
     * @return the due time
     */
    public double when() {
        return when;
    }

    @Override
    public void cancel() {
        if (!isCancelled()) {
            super.cancel();
            loop.timerCancelled(this);
        }
    }

    @Override
    public String toString() {
        if (isCancelled() && !loop.getDebug()) {
            return "<TimerHandle cancelled when=" + when + ">";
        }
        return "<TimerHandle " + (isCancelled() ? "cancelled " : "") + "when=" + when + " "
                + describe() + ">";
    }
}
