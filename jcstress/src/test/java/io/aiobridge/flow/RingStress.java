package io.aiobridge.flow;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The iterating subscriber's single-producer, single-consumer ring ({@link SpscRing}): the
 * publisher's thread offers, the task polls.
 */
public final class RingStress {
    private RingStress() {}

    /** Items arrive whole and in order: never the second before the first, never twice. */
    @JCStressTest
    @Outcome(id = {"null, null", "a, null", "a, b", "null, a"}, expect = ACCEPTABLE,
            desc = "each poll sees a prefix of the offers")
    @Outcome(expect = FORBIDDEN, desc = "an item out of order, twice, or torn")
    @State
    public static class Order {
        final SpscRing<Object> ring = new SpscRing<>(4);

        @Actor
        public void producer() {
            ring.offer("a");
            ring.offer("b");
        }

        @Actor
        public void consumer(LL_Result r) {
            r.r1 = ring.poll();
            r.r2 = ring.poll();
        }
    }

    /** A consumer that sees the end sees every item offered before it. */
    @JCStressTest
    @Outcome(id = {"false, a", "false, null", "true, a"}, expect = ACCEPTABLE,
            desc = "the end, if seen, comes after the item")
    @Outcome(id = "true, null", expect = FORBIDDEN, desc = "the end overtook the last item")
    @State
    public static class EndAfterItems {
        final SpscRing<Object> ring = new SpscRing<>(4);

        @Actor
        public void producer() {
            ring.offer("a");
            ring.end("complete");
        }

        @Actor
        public void consumer(LL_Result r) {
            r.r1 = ring.end() != null;
            r.r2 = ring.poll();
        }
    }

    /**
     * No lost wake-up: a consumer that found the ring empty arms its waiter and re-checks; the
     * producer offers, then takes the waiter. r1: the producer took a waiter to wake; r2: the
     * consumer parked. Parked without a wake-up would hang the task.
     */
    @JCStressTest
    @Outcome(id = {"false, false", "true, true"}, expect = ACCEPTABLE,
            desc = "the consumer saw the item, or was woken")
    @Outcome(id = "true, false", expect = ACCEPTABLE_INTERESTING,
            desc = "woken although it saw the item on its re-check: a spare wake-up, harmless")
    @Outcome(id = "false, true", expect = FORBIDDEN, desc = "parked and never woken")
    @State
    public static class NoLostWakeUp {
        final SpscRing<Object> ring = new SpscRing<>(4);
        final Object waiter = new Object();

        @Actor
        public void producer(ZZ_Result r) {
            ring.offer("a");
            r.r1 = ring.takeWaiter() != null;
        }

        @Actor
        public void consumer(ZZ_Result r) {
            if (ring.poll() != null) {
                return;
            }
            r.r2 = ring.arm(waiter);
        }
    }

    /**
     * The consumer leaves while the producer offers: the item read ahead ("z") and the one
     * offered now ("a") are each discarded exactly once, whichever side empties the ring. r1:
     * how many times each was handed over, as "z times, a times".
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each item discarded once")
    @Outcome(expect = FORBIDDEN, desc = "an item stranded in the ring, or discarded twice")
    @State
    public static class AbandonDiscardsEachItemOnce {
        final SpscRing<Object> ring = new SpscRing<>(4);
        final AtomicInteger z = new AtomicInteger();
        final AtomicInteger a = new AtomicInteger();
        final Consumer<Object> discard = item -> (item == "z" ? z : a).incrementAndGet();

        {
            ring.offer("z");
        }

        @Actor
        public void producer() {
            ring.offer("a");
            ring.takeWaiter(); // as the iterator's onNext: wake, then see whether it was left
            ring.emptyIfAbandoned(discard);
        }

        @Actor
        public void consumer() {
            ring.abandon(discard);
        }

        @Arbiter
        public void counts(II_Result r) {
            r.r1 = z.get();
            r.r2 = a.get();
        }
    }
}
