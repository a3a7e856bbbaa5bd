package io.aiobridge.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The hand-over of a loop's continuations to an executor carrier ({@link ExecutorDrain}): a
 * continuation submitted while the drain is finishing must be run by that drain or by one the
 * submitter requests, exactly once.
 */
public final class ExecutorDrainStress {
    private ExecutorDrainStress() {}

    /**
     * One continuation is queued and its drain requested; then a thread submits a second while
     * the carrier runs the drain. The arbiter runs every drain requested since, as the carrier
     * would later. r1, r2: how many times each continuation ran.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each ran once")
    @Outcome(expect = FORBIDDEN, desc = "a continuation was lost or ran twice")
    @State
    public static class NoLostContinuation {
        final ConcurrentLinkedQueue<Runnable> requested = new ConcurrentLinkedQueue<>();
        final ExecutorDrain drain = new ExecutorDrain(requested::add,
                r -> { throw new AssertionError("no fallback here"); }, r -> { });
        int first;
        int second;

        public NoLostContinuation() {
            drain.submit(() -> first++);
            requested.clear(); // the drain for it is the carrier actor's
        }

        @Actor
        public void submitter() {
            drain.submit(() -> second++);
        }

        @Actor
        public void carrier() {
            drain.run();
        }

        @Arbiter
        public void later(II_Result r) {
            for (Runnable d; (d = requested.poll()) != null; ) {
                d.run();
            }
            r.r1 = first;
            r.r2 = second;
        }
    }
}
