package io.aiobridge;

import java.util.function.Consumer;

/**
 * {@code asyncio.shield}: an outer future that mirrors an inner one but whose cancellation does not
 * reach the inner one. The task awaiting the shield is cancelled; the shielded work goes on.
 */
final class Shield {
    private Shield() {}

    static <T> AsyncFuture<T> of(AsyncFuture<T> inner) {
        if (inner.isDone()) {
            return inner;
        }
        BaseEventLoop loop = inner.loop;
        AsyncFuture<T> outer = new AsyncFuture<>(loop);
        Consumer<AsyncFuture<T>> innerDone = in -> {
            if (outer.isCancelled()) {
                if (!in.isCancelled()) {
                    in.exception(); // mark retrieved: nobody is left to see it
                }
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
        inner.addDoneCallbackInternal(innerDone);
        outer.addDoneCallbackInternal(out -> {
            if (!inner.isDone()) {
                inner.removeDoneCallback(innerDone);
            }
        });
        return outer;
    }
}
