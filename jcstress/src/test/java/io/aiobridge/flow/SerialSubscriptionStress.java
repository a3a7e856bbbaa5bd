package io.aiobridge.flow;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIZ_Result;
import org.openjdk.jcstress.infra.results.III_Result;
import org.reactivestreams.Subscription;

/** Rule 2.7 on the consuming side ({@link SerialSubscription}): request and cancel, serially. */
public final class SerialSubscriptionStress {
    private SerialSubscriptionStress() {}

    /** An upstream that counts overlapping calls, cancels, and requests after a cancel. */
    static final class Upstream implements Subscription {
        final AtomicInteger inside = new AtomicInteger();
        volatile int overlaps;
        volatile int cancels;
        volatile int requestsAfterCancel;

        @Override
        public void request(long n) {
            enter();
            if (cancels > 0) {
                requestsAfterCancel++;
            }
            inside.decrementAndGet();
        }

        @Override
        public void cancel() {
            enter();
            cancels++;
            inside.decrementAndGet();
        }

        private void enter() {
            if (inside.incrementAndGet() != 1) {
                overlaps++;
            }
        }
    }

    /** r1: overlapping calls, r2: cancels, r3: requests after the cancel. */
    @JCStressTest
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "serial; cancelled once; nothing after")
    @Outcome(expect = FORBIDDEN, desc = "rule 2.7 broken, or the cancel lost")
    @State
    public static class RequestAgainstCancel {
        final Upstream upstream = new Upstream();
        final SerialSubscription s = new SerialSubscription();

        public RequestAgainstCancel() {
            s.set(upstream);
        }

        @Actor
        public void consumer() {
            s.request(1);
            s.request(2);
        }

        @Actor
        public void canceller() {
            s.cancel();
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r1 = upstream.overlaps;
            r.r2 = upstream.cancels;
            r.r3 = upstream.requestsAfterCancel;
        }
    }

    /** A cancel that races onSubscribe still reaches the upstream, exactly once. */
    @JCStressTest
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the late subscription is cancelled")
    @Outcome(expect = FORBIDDEN, desc = "the cancel was lost or doubled")
    @State
    public static class CancelAgainstOnSubscribe {
        final Upstream upstream = new Upstream();
        final SerialSubscription s = new SerialSubscription();

        @Actor
        public void publisher() {
            if (s.set(upstream)) {
                s.request(1);
            }
        }

        @Actor
        public void canceller() {
            s.cancel();
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r1 = upstream.overlaps;
            r.r2 = upstream.cancels;
            r.r3 = upstream.requestsAfterCancel;
        }
    }
    /**
     * An upstream whose {@code request} calls back into a cancel (an {@code onNext} that has
     * seen enough, as {@code awaitSingle} on a second item), while another thread cancels too:
     * the nested call is allowed and passed on at once; concurrent ones are not.
     */
    static final class ReentrantUpstream implements Subscription {
        volatile SerialSubscription owner;
        final AtomicReference<Thread> inside = new AtomicReference<>();
        volatile int concurrent;
        final AtomicInteger cancels = new AtomicInteger();
        volatile int requestsAfterCancel;
        volatile boolean cancelledInsideRequest;
        volatile boolean requested;

        @Override
        public void request(long n) {
            requested = true;
            Thread previous = inside.getAndSet(Thread.currentThread());
            if (previous != null) {
                concurrent++;
            }
            if (cancels.get() > 0) {
                requestsAfterCancel++;
            }
            owner.cancel(); // nested, on the draining thread
            cancelledInsideRequest = cancels.get() > 0;
            inside.set(null);
        }

        @Override
        public void cancel() {
            Thread previous = inside.get();
            if (previous != null && previous != Thread.currentThread()) {
                concurrent++;
            }
            cancels.incrementAndGet();
        }
    }

    /** r1: concurrent calls, r2: cancels, r3: the nested cancel reached the upstream at once. */
    @JCStressTest
    @Outcome(id = "0, 1, true", expect = ACCEPTABLE, desc = "nested cancel passed on at once")
    @Outcome(expect = FORBIDDEN, desc = "concurrent calls, a doubled or lost cancel, or a"
            + " nested cancel deferred")
    @State
    public static class NestedCancelAgainstCancel {
        final ReentrantUpstream upstream = new ReentrantUpstream();
        final SerialSubscription s = new SerialSubscription();

        public NestedCancelAgainstCancel() {
            upstream.owner = s;
        }

        @Actor
        public void publisher() {
            s.set(upstream);
            s.request(1);
        }

        @Actor
        public void canceller() {
            s.cancel();
        }

        @Arbiter
        public void outcome(IIZ_Result r) {
            r.r1 = upstream.concurrent;
            r.r2 = upstream.cancels.get();
            // either the request ran, and its nested cancel reached the upstream before it
            // returned, or the cancel came first and no request was passed on
            r.r3 = upstream.cancelledInsideRequest
                    || !upstream.requested && upstream.requestsAfterCancel == 0;
        }
    }
}
