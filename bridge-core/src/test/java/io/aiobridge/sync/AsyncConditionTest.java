package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncConditionTest {

    @Test
    void signalWakesNWaitersInOrderAndWaitForRechecks() {
        List<String> seen = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncCondition cond = new AsyncCondition();
            int[] value = {0};
            List<Task<Void>> ts = new ArrayList<>();
            for (String n : List.of("a", "b", "c")) {
                ts.add(Aio.createTask(() -> {
                    try (Held held = cond.hold()) {
                        cond.await();
                        seen.add(n);
                        return null;
                    }
                }));
            }
            Task<Void> predicate = Aio.createTask(() -> {
                try (Held held = cond.hold()) {
                    cond.waitFor(() -> value[0] == 2);
                    seen.add("value is 2");
                    return null;
                }
            });
            Aio.sleep(0);
            try (Held held = cond.hold()) {
                cond.signal(2);
            }
            Aio.sleep(0);
            assertEquals(List.of("a", "b"), seen);
            try (Held held = cond.hold()) {
                value[0] = 2;
                cond.signalAll();
            }
            for (Task<Void> t : ts) {
                t.await();
            }
            predicate.await();
            return null;
        });
        assertEquals(List.of("a", "b", "c", "value is 2"), seen);
    }

    @Test
    void aCancelledWaiterHoldsTheLockAgainWhenItRaises() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            AsyncCondition cond = new AsyncCondition();
            Task<Void> waiter = Aio.createTask(() -> {
                try (Held held = cond.hold()) {
                    s.expect(2);
                    try {
                        cond.await();
                    } catch (CancelledError e) {
                        s.expect(4);
                        assertTrue(cond.locked(), "the lock is held again before the error escapes");
                        throw e;
                    }
                    return null;
                }
            });
            s.expect(1);
            Aio.sleep(0);
            try (Held held = cond.hold()) {
                waiter.cancel(); // while we hold the lock, the waiter cannot re-acquire it yet
                Aio.sleep(0);
                s.expect(3);
            }
            assertThrows(CancelledError.class, waiter::await);
            s.expect(5);
            return null;
        });
    }

    @Test
    void aNotificationIsNotLostWhenTheNotifiedWaiterIsCancelled() {
        List<String> seen = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncCondition cond = new AsyncCondition();
            Task<Void> first = Aio.createTask(() -> {
                try (Held held = cond.hold()) {
                    cond.await();
                    seen.add("first must not return normally");
                    return null;
                }
            });
            Task<Void> second = Aio.createTask(() -> {
                try (Held held = cond.hold()) {
                    cond.await();
                    seen.add("second got the notification");
                    return null;
                }
            });
            Aio.sleep(0);
            try (Held held = cond.hold()) {
                cond.signal(1); // notifies first...
                first.cancel(); // ...which is cancelled before it runs
            }
            assertThrows(CancelledError.class, first::await);
            second.await();
            return null;
        });
        assertEquals(List.of("second got the notification"), seen);
    }

    @Test
    void waitingOrSignallingWithoutTheLockIsAClearError() {
        Loops.virtual(() -> {
            AsyncCondition cond = new AsyncCondition(new AsyncLock());
            IllegalStateException w = assertThrows(IllegalStateException.class, cond::await);
            assertTrue(w.getMessage().startsWith("cannot wait on un-acquired lock"));
            assertThrows(IllegalStateException.class, cond::signal);
            return null;
        });
    }
}
