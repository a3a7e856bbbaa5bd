package io.aiobridge;

/**
 * The handle {@link EventLoop#callSoonThreadsafe} returns, as 3.13's {@code _ThreadSafeHandle}:
 * the loop runs the callback holding the handle's monitor, so a {@link #cancel()} or {@link
 * #isCancelled()} from another thread either comes before the callback starts (and it never
 * runs) or waits until it has finished. After {@code cancel()} returns, the callback is not
 * running. The callback itself may cancel its handle (the monitor is reentrant): it runs on to its
 * end.
 */
final class ThreadSafeHandle extends Handle {
    ThreadSafeHandle(BaseEventLoop loop, Runnable callback, Context context) {
        super(loop, callback, context);
    }

    @Override
    public synchronized void cancel() {
        super.cancel();
    }

    @Override
    public synchronized boolean isCancelled() {
        return super.isCancelled();
    }

    synchronized void runUnlessCancelled(BaseEventLoop loop) {
        if (!super.isCancelled()) {
            loop.runCallback(this);
        }
    }
}
