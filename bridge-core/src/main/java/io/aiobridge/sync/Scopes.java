package io.aiobridge.sync;

import io.aiobridge.Coroutine;
import io.aiobridge.internal.Failures;

/** The acquire/release-around-a-body scope shared by the primitives. */
final class Scopes {
    private Scopes() {}

    /** Runs {@code body} and then {@code release}, whatever the body did. */
    static <T> T around(Coroutine<T> body, Runnable release) {
        try {
            return body.call();
        } catch (Exception e) {
            throw Failures.rethrowable(e);
        } finally {
            release.run();
        }
    }

    /** A {@link Held} whose close runs {@code release} once. */
    static Held once(Runnable release) {
        return new Held() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    release.run();
                }
            }
        };
    }
}
