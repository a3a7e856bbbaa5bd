package io.aiobridge.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Publishers that emit from a thread of their own, to race the consuming side. */
public final class ThreadedPublishers {
    private ThreadedPublishers() {}

    /**
     * Emits 0, 1, 2, ... from its own platform thread as fast as demand allows, until cancelled
     * or until {@code completeAfter} items were sent (then it completes); counts what it emitted.
     *
     * @param emitted incremented before each {@code onNext}
     * @param completeAfter the number of items before {@code onComplete}, or -1 for never
     * @return the publisher
     */
    public static Publisher<Integer> counting(AtomicLong emitted, int completeAfter) {
        return (Subscriber<? super Integer> s) -> {
            AtomicLong demand = new AtomicLong();
            AtomicBoolean cancelled = new AtomicBoolean();
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long k) {
                    demand.addAndGet(k);
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
            Thread.ofPlatform().start(() -> {
                int i = 0;
                while (!cancelled.get()) {
                    if (i == completeAfter) {
                        s.onComplete();
                        return;
                    }
                    if (demand.get() > 0) {
                        demand.decrementAndGet();
                        emitted.incrementAndGet();
                        s.onNext(i++);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            });
        };
    }
}
