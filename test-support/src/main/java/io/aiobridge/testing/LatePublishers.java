package io.aiobridge.testing;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

/** Publishers that signal after a cancel, as Reactive Streams rule 3.6 lets them. */
public final class LatePublishers {
    private LatePublishers() {}

    /**
     * A publisher that sends {@code first} (if not null) when first asked for items and, when
     * cancelled, signals {@code onCancel} as its error.
     *
     * @param first the one item, or null for none
     * @param onCancel the error signalled when the subscriber cancels
     * @return the publisher
     */
    public static Publisher<String> signalsOnCancel(String first, Throwable onCancel) {
        return s -> s.onSubscribe(new Subscription() {
            private boolean sent;

            @Override
            public void request(long n) {
                if (first != null && !sent) {
                    sent = true;
                    s.onNext(first);
                }
            }

            @Override
            public void cancel() {
                s.onError(onCancel);
            }
        });
    }
}
