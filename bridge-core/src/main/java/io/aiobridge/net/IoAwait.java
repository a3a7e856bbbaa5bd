package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import java.io.IOException;
import java.util.concurrent.CompletionException;

/**
 * Awaits a future whose failure may be an {@link IOException}, giving it back as itself: an
 * await wraps checked exceptions in {@link CompletionException} (docs/design.md), while the
 * stream methods declare {@code throws IOException}.
 */
final class IoAwait {
    private IoAwait() {}

    static <T> T await(AsyncFuture<T> f) throws IOException {
        try {
            return f.await();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }
}
