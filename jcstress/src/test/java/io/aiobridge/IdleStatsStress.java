package io.aiobridge;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link IdleStats}: a monitor reads an idle loop's stats while the loop waits (1 task), wakes,
 * and waits again (2 tasks). It gets one of those waits' stats or null, never the stats from
 * before the first wait (0 tasks), and never an older wait after a newer one.
 */
public final class IdleStatsStress {
    private IdleStatsStress() {}

    /** r1, r2: the tasks two reads saw (-1: null); r3: a read after both actors. */
    @JCStressTest
    @Outcome(id = {"-1, -1, 2", "-1, 1, 2", "-1, 2, 2", "1, -1, 2", "1, 1, 2", "1, 2, 2",
        "2, -1, 2", "2, 2, 2"}, expect = ACCEPTABLE, desc = "a current wait's stats, or none")
    @Outcome(expect = FORBIDDEN, desc = "stats of no current wait, or going back in time")
    @State
    public static class Waits {
        final IdleStats stats = new IdleStats();

        @Actor
        public void loop() {
            stats.enter(1, 0, 0, 0);
            stats.leave();
            stats.enter(2, 0, 0, 0);
        }

        @Actor
        public void monitor(III_Result r) {
            r.r1 = tasks(stats.read());
            r.r2 = tasks(stats.read());
        }

        @Arbiter
        public void after(III_Result r) {
            r.r3 = tasks(stats.read());
        }

        private static int tasks(LoopStats s) {
            return s == null ? -1 : s.liveTasks();
        }
    }
}
