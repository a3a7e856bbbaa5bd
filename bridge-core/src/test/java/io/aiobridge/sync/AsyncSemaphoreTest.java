package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class AsyncSemaphoreTest {

    @Test
    void atMostValueHoldersAndFifoGrants() {
        List<String> order = new ArrayList<>();
        int[] inside = {0};
        int[] maxInside = {0};
        Loops.virtual(() -> {
            AsyncSemaphore sem = new AsyncSemaphore(2);
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String n = "t" + i;
                ts.add(Aio.createTask(() -> {
                    try (Held held = sem.hold()) {
                        order.add(n);
                        inside[0]++;
                        maxInside[0] = Math.max(maxInside[0], inside[0]);
                        Aio.sleep(1);
                        inside[0]--;
                        return null;
                    }
                }));
            }
            for (Task<Void> t : ts) {
                t.await();
            }
            assertEquals(2, sem.availablePermits());
            return null;
        });
        assertEquals(2, maxInside[0]);
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5"), order);
    }

    @Test
    void aNewAcquirerQueuesBehindWaitersEvenWithAFreePermit() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            AsyncSemaphore sem = new AsyncSemaphore(1);
            sem.acquire();
            Task<Void> waiter = Aio.createTask(() -> {
                s.expect(2);
                sem.acquire();
                s.expect(4);
                sem.release();
                return null;
            });
            s.expect(1);
            Aio.sleep(0);
            sem.release(); // the permit goes to the waiter
            assertTrue(sem.locked(), "a free permit already promised to a waiter");
            s.expect(3);
            sem.acquire(); // queues behind the waiter
            s.expect(5);
            sem.release();
            waiter.await();
            return null;
        });
    }

    @Test
    void aWokenWaiterThatIsCancelledGivesItsPermitOn() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            AsyncSemaphore sem = new AsyncSemaphore(0);
            Task<Void> first = Aio.createTask(() -> {
                sem.acquire();
                throw new AssertionError("woken then cancelled: must not hold a permit");
            });
            Task<Void> second = Aio.createTask(() -> {
                s.expect(1); // both waiters queue up during the main task's sleep(0)
                sem.acquire();
                s.expect(3);
                sem.release();
                return null;
            });
            Aio.sleep(0);
            s.expect(2);
            sem.release(); // hands the permit to first
            first.cancel(); // which is cancelled before it runs
            assertThrows(CancelledError.class, first::await);
            second.await();
            assertEquals(1, sem.availablePermits(), "the permit was conserved");
            s.expect(4);
            return null;
        });
    }

    @Test
    void boundedSemaphoreRefusesOverRelease() {
        Loops.virtual(() -> {
            AsyncBoundedSemaphore sem = new AsyncBoundedSemaphore(1);
            try (Held held = sem.hold()) {
                assertFalse(sem.availablePermits() > 0);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    sem::release); // asyncio's ValueError
            assertTrue(e.getMessage().startsWith("BoundedSemaphore released too many times"));
            assertEquals(1, sem.availablePermits(), "the refused release changed nothing");
            return null;
        });
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> new AsyncSemaphore(-1));
        assertTrue(neg.getMessage().contains(">= 0"));
    }
}
