package io.aiobridge;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The {@link IdleAlarm}'s hand-shake with an idle loop: the loop publishes its sleeper and asks
 * whether an alarm covers its deadline, while the pending alarm rings. A loop told "covered" must
 * be woken by that ring, or have armed a new alarm: otherwise it parks with no timeout and no one
 * to wake it.
 */
public final class IdleAlarmStress {
    private IdleAlarmStress() {}

    /** The loop's side of wakeUp(): the published sleeper, and the wakes it received. */
    static final class Loop implements IdleAlarm.Waker {
        volatile boolean sleeping;
        volatile int woken;

        @Override
        public void wakeUp() {
            if (sleeping) {
                woken++; // one ring at most: no lost increments
            }
        }
    }

    /** r1: covered (1) or told to park with its own timeout (0); r2: wakes; r3: alarms armed. */
    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "covered by the pending alarm, which woke it")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the ring came first; the loop armed anew")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE_INTERESTING,
            desc = "rang between the two steps: armed anew, and woken once early")
    @Outcome(expect = FORBIDDEN, desc = "covered, but nobody will wake the loop")
    @State
    public static class NoLostWakeUp {
        final Loop loop = new Loop();
        final AtomicInteger armed = new AtomicInteger();
        final IdleAlarm alarm = new IdleAlarm(loop, (a, delay) -> armed.incrementAndGet());

        public NoLostWakeUp() {
            alarm.cover(100); // pending, earlier than the loop's deadline below
            armed.set(0);
        }

        @Actor
        public void idleLoop(III_Result r) {
            loop.sleeping = true; // BaseEventLoop: sleeper = self, then cover(), then park
            r.r1 = alarm.cover(200) ? 1 : 0;
        }

        @Actor
        public void pendingAlarm() {
            alarm.ring();
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r2 = loop.woken;
            r.r3 = armed.get();
        }
    }
}
