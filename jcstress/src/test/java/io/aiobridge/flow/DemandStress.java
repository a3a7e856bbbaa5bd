package io.aiobridge.flow;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/** The publishing side's demand ({@link Demand}): request on any thread against the driver. */
public final class DemandStress {
    private DemandStress() {}

    /**
     * A request against a driver about to wait for demand. r1: the requester must wake it; r2:
     * the driver waits. Waiting without a wake-up would stall the stream for good.
     */
    @JCStressTest
    @Outcome(id = {"false, false", "true, true"}, expect = ACCEPTABLE,
            desc = "the driver saw the demand, or is woken")
    @Outcome(id = "false, true", expect = FORBIDDEN, desc = "waits and is never woken")
    @Outcome(id = "true, false", expect = ACCEPTABLE,
            desc = "a spare wake-up for a driver that saw the demand itself")
    @State
    public static class NoLostWakeUp {
        final Demand demand = new Demand();

        @Actor
        public void requester(ZZ_Result r) {
            r.r1 = demand.add(1);
        }

        @Actor
        public void driver(ZZ_Result r) {
            r.r2 = demand.prepareWait();
        }
    }

    /** Demand arriving while the driver counts what it delivered: nothing is lost. */
    @JCStressTest
    @Outcome(id = "3, 0", expect = ACCEPTABLE, desc = "2 + 3 requested, 2 delivered")
    @Outcome(expect = FORBIDDEN, desc = "demand lost or counted twice")
    @State
    public static class NothingLost {
        final Demand demand = new Demand();

        public NothingLost() {
            demand.add(2);
        }

        @Actor
        public void requester() {
            demand.add(3);
        }

        @Actor
        public void driver() {
            demand.produced(1);
            demand.produced(1);
        }

        @Arbiter
        public void total(JJ_Result r) {
            r.r1 = demand.get();
            r.r2 = 0;
        }
    }

    /** Demand from two threads adds up to unbounded and stays there (rule 3.17). */
    @JCStressTest
    @Outcome(id = "9223372036854775807, 9223372036854775807", expect = ACCEPTABLE,
            desc = "unbounded, and delivering does not decrement it")
    @Outcome(expect = FORBIDDEN, desc = "overflowed, or decremented")
    @State
    public static class Unbounded {
        final Demand demand = new Demand();

        @Actor
        public void first() {
            demand.add(Long.MAX_VALUE - 1);
        }

        @Actor
        public void second() {
            demand.add(5);
        }

        @Arbiter
        public void total(JJ_Result r) {
            r.r1 = demand.get();
            demand.produced(7);
            r.r2 = demand.get();
        }
    }
}
