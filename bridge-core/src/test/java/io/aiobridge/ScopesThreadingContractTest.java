package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.aiobridge.testing.OtherThread;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A running {@link TaskGroup} and {@link Timeout} are loop-confined, as the loop is: called from
 * another thread while the loop runs, {@code createTask} and {@code reschedule} throw {@link
 * WrongThreadException} before they touch the group or the loop's timers, and the scope goes on
 * as if the call had never been made. Before, {@code reschedule} from another thread cancelled the
 * scope's timer and inserted a new one into the loop's timer heap while the loop used it.
 */
class ScopesThreadingContractTest {

    @Test
    void aTaskGroupRefusesATaskFromAnotherThreadAndEndsWithItsOwn() {
        List<String> ran = new ArrayList<>();
        Aio.run(() -> {
            TaskGroup.run(tg -> {
                tg.createTask(() -> ran.add("own"));
                OtherThread.assertRefused(OtherThread.call(() -> tg.createTask(() -> ran.add("elsewhere"))),
                        "TaskGroup.createTask()");
                return null;
            });
            return null;
        });
        assertEquals(List.of("own"), ran, "only the loop's task ran; the group ended cleanly");
    }

    @Test
    void aTimeoutRefusesARescheduleFromAnotherThreadAndKeepsItsDeadline() {
        Aio.run(() -> {
            double[] seen = new double[2];
            Timeout.after(0.05, t -> {
                seen[0] = t.when();
                OtherThread.assertRefused(OtherThread.call(() -> t.reschedule(null)),
                        "Timeout.reschedule()");
                seen[1] = t.when();
                return null;
            });
            assertEquals(seen[0], seen[1], "the refused reschedule kept the deadline");
            try {
                Timeout.after(0.05, t -> {
                    OtherThread.assertRefused(OtherThread.call(() -> t.reschedule(null)),
                            "Timeout.reschedule()");
                    Aio.sleep(10);
                    return null;
                });
                throw new AssertionError("the deadline the other thread tried to remove still"
                        + " expires");
            } catch (AsyncTimeoutException expected) {
                assertFalse(expected.getMessage().isEmpty());
            }
            return null;
        });
    }
}
