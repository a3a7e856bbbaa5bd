package io.aiobridge.flow;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.aiobridge.flow.AwaitingSubscriber.Mode;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.reactivestreams.Subscription;

/**
 * The awaiting subscriber's held item ({@link AwaitSubscriber}): the publisher's thread holds
 * items while the awaiting task's cancel takes what is held, and each item reaches the discard
 * hook exactly once, whichever side swaps it out.
 */
public final class AwaitStress {
    private AwaitStress() {}

    /** awaitLast holds a, then b (discarding a), while the task cancels. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each item discarded once")
    @Outcome(expect = FORBIDDEN, desc = "an item lost or discarded twice")
    @State
    public static class CancelTakesTheHeldItemOnce {
        final AtomicInteger a = new AtomicInteger();
        final AtomicInteger b = new AtomicInteger();
        // no loop and no result: holding and cancelling touch neither
        final AwaitSubscriber<String> subscriber = new AwaitSubscriber<>(null, null, Mode.LAST,
                null, null, item -> (item.equals("a") ? a : b).incrementAndGet());

        {
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
        }

        @Actor
        public void publisher() {
            subscriber.onNext("a");
            subscriber.onNext("b");
        }

        @Actor
        public void awaitingTask() {
            subscriber.cancel();
        }

        @Arbiter
        public void counts(II_Result r) {
            r.r1 = a.get();
            r.r2 = b.get();
        }
    }
}
