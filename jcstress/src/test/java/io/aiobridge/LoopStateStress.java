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
 * {@link LoopState}: a thread that borrows an idle loop acts as its holder, so its changes to
 * loop-confined state must never overlap a run of the loop or its closing. Each actor changes a
 * plain field (as {@code BaseEventLoop} changes a future's callbacks or clears its queues) only
 * while its transition holds; a lost update means two threads held the loop at once.
 */
public final class LoopStateStress {
    private LoopStateStress() {}

    /** The loop's state, and a plain field that only the loop's holder may change. */
    abstract static class Loop {
        final LoopState state = new LoopState();
        int confined;

        /** runHereOrPost's borrow: true if the loop was idle and the change was made. */
        boolean borrowAndAdd(int n) {
            if (!state.borrow()) {
                return false; // BaseEventLoop posts the action instead
            }
            try {
                confined += n;
            } finally {
                state.giveBack();
            }
            return true;
        }

        /** runForever's start and stop: true if the loop was idle and the change was made. */
        boolean runAndAdd(int n) {
            if (!state.start()) {
                return false;
            }
            confined += n;
            state.stopRunning();
            return true;
        }
    }

    /** r1: the borrow succeeded; r2: the start succeeded; r3: the loop-confined field. */
    @JCStressTest
    @Outcome(id = "1, 1, 11", expect = ACCEPTABLE,
            desc = "borrowed, then ran (or ran, then borrowed)")
    @Outcome(id = "0, 1, 10", expect = ACCEPTABLE,
            desc = "the loop was running: the borrower posts instead")
    @Outcome(id = "1, 1, 1", expect = FORBIDDEN,
            desc = "the run's change was lost: both held the loop")
    @Outcome(id = "1, 1, 10", expect = FORBIDDEN,
            desc = "the borrower's change was lost: both held the loop")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class BorrowAgainstStart extends Loop {
        @Actor
        public void borrower(III_Result r) {
            r.r1 = borrowAndAdd(1) ? 1 : 0;
        }

        @Actor
        public void runner(III_Result r) {
            r.r2 = runAndAdd(10) ? 1 : 0;
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r3 = confined;
        }
    }

    /** r1: the borrow succeeded; r2: the close succeeded; r3: the loop-confined field. */
    @JCStressTest
    @Outcome(id = "1, 1, 11", expect = ACCEPTABLE, desc = "borrowed, then closed")
    @Outcome(id = "0, 1, 10", expect = ACCEPTABLE,
            desc = "closed first: the borrower's post is dropped")
    @Outcome(expect = FORBIDDEN, desc = "a change lost, or a close refused: both held the loop")
    @State
    public static class BorrowAgainstClose extends Loop {
        @Actor
        public void borrower(III_Result r) {
            r.r1 = borrowAndAdd(1) ? 1 : 0;
        }

        @Actor
        public void closer(III_Result r) {
            if (state.close()) {
                confined += 10; // close() clears the queues after its transition
                r.r2 = 1;
            }
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r3 = confined;
            if (!state.isClosed()) {
                r.r2 = -1; // a successful close() must leave the loop closed
            }
        }
    }

    /**
     * Two borrows back to back against a start: a borrow ending between start()'s failed
     * compare-and-set and its next read must not make start() give up (the race a first version
     * of this code had). r1: borrows that succeeded; r2: the start succeeded; r3: the field.
     */
    @JCStressTest
    @Outcome(id = "2, 1, 12", expect = ACCEPTABLE, desc = "both borrows before or around the run")
    @Outcome(id = "1, 1, 11", expect = ACCEPTABLE, desc = "one borrow found the loop running")
    @Outcome(id = "0, 1, 10", expect = ACCEPTABLE, desc = "both borrows found the loop running")
    @Outcome(expect = FORBIDDEN, desc = "start() gave up, or two threads held the loop at once")
    @State
    public static class BorrowsAgainstStart extends Loop {
        @Actor
        public void borrower(III_Result r) {
            r.r1 = (borrowAndAdd(1) ? 1 : 0) + (borrowAndAdd(1) ? 1 : 0);
        }

        @Actor
        public void runner(III_Result r) {
            r.r2 = runAndAdd(10) ? 1 : 0;
        }

        @Arbiter
        public void outcome(III_Result r) {
            r.r3 = confined;
        }
    }
}
