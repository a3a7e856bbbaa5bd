package io.aiobridge;

import java.util.function.Consumer;

/**
 * {@code asyncio.shield}: an outer future that mirrors an inner one but whose cancellation does not
 * reach the inner one. The task awaiting the shield is cancelled; the shielded work goes on. If
 * that work then fails, nobody is left to see its exception, so it goes to the loop's exception
 * handler ("... exception in shielded future"), once however many shields were cancelled, as
 * asyncio 3.13 does.
 */
final class Shield {
    private Shield() {}

    /** One instance, so that a second cancelled shield of the same inner replaces, not adds. */
    private static final Consumer<AsyncFuture<?>> LOG_ON_EXCEPTION = Shield::logOnException;

    private static void logOnException(AsyncFuture<?> inner) {
        if (inner.isCancelled()) {
            return;
        }
        Throwable e = inner.exception();
        if (e == null) {
            return;
        }
        inner.loop.callExceptionHandler(new ErrorContext(
                e.getClass().getSimpleName() + " exception in shielded future", e, inner, null,
                null));
    }

    static <T> AsyncFuture<T> of(AsyncFuture<T> inner) {
        if (inner.isDone()) {
            return inner;
        }
        BaseEventLoop loop = inner.loop;
        AsyncFuture<T> outer = new AsyncFuture<>(loop);
        Consumer<AsyncFuture<T>> innerDone = in -> {
            if (outer.isCancelled()) {
                return;
            }
            if (in.isCancelled()) {
                outer.cancel();
                return;
            }
            Throwable e = in.exception();
            if (e != null) {
                outer.doSetException(e);
            } else {
                outer.doSetResult(in.result());
            }
        };
        inner.addDoneCallbackInternal(innerDone, outer);
        outer.addDoneCallbackInternal(out -> {
            if (!inner.isDone()) {
                inner.removeDoneCallback(innerDone);
                inner.removeDoneCallback(LOG_ON_EXCEPTION);
                inner.addDoneCallbackInternal(LOG_ON_EXCEPTION);
            }
        });
        return outer;
    }
}
