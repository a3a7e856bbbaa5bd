package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import io.aiobridge.internal.Failures;
import java.io.IOException;

/** Awaits a future whose failure may be an {@link IOException}, giving it back as itself. */
final class IoAwait {
    private IoAwait() {}

    static <T> T await(AsyncFuture<T> f) throws IOException {
        return Failures.awaitIo(f::await);
    }
}
