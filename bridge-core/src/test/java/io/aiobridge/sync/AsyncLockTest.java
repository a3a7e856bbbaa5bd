package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncLockTest {

    @Test
    void waitersGetTheLockInFifoOrderAndAReleaserCannotBarge() {
        List<String> order = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncLock lock = new AsyncLock();
            lock.acquire();
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(Aio.createTask(() -> {
                    try (Held held = lock.hold()) {
                        order.add(name);
                        Aio.sleep(0);
                        return null;
                    }
                }));
            }
            Aio.sleep(0); // all three queue up
            lock.release();
            // the releaser tries to take it straight back: it must queue behind a, b and c
            lock.acquire();
            order.add("releaser");
            lock.release();
            for (Task<Void> t : ts) {
                t.await();
            }
            return null;
        });
        assertEquals(List.of("a", "b", "c", "releaser"), order);
    }

    @Test
    void aWaiterCancelledWhileWaitingLeavesNoTrace() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            AsyncLock lock = new AsyncLock();
            lock.acquire();
            Task<Void> cancelled = Aio.createTask(() -> {
                s.expect(2);
                lock.acquire();
                throw new AssertionError("must not get the lock");
            });
            Task<Void> next = Aio.createTask(() -> {
                s.expect(3);
                lock.acquire();
                s.expect(5);
                lock.release();
                return null;
            });
            s.expect(1);
            Aio.sleep(0);
            cancelled.cancel();
            s.expect(4);
            lock.release();
            assertThrows(CancelledError.class, cancelled::await);
            next.await();
            assertFalse(lock.locked());
            s.expect(6);
            return null;
        });
    }

    @Test
    void aWaiterWokenThenCancelledPassesTheLockToTheNext() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            AsyncLock lock = new AsyncLock();
            lock.acquire();
            Task<Void> first = Aio.createTask(() -> {
                s.expect(2);
                lock.acquire();
                throw new AssertionError("woken but cancelled: must not hold the lock");
            });
            Task<Void> second = Aio.createTask(() -> {
                s.expect(3);
                lock.acquire();
                s.expect(5); // the handoff reached us although first was woken
                lock.release();
                return null;
            });
            s.expect(1);
            Aio.sleep(0);
            lock.release(); // wakes first: its future is done...
            first.cancel(); // ...and then it is cancelled before it runs
            s.expect(4);
            assertThrows(CancelledError.class, first::await);
            second.await();
            assertFalse(lock.locked());
            s.expect(6);
            return null;
        });
    }

    @Test
    void holdReleasesOnceAndErrorsAreClear() {
        Loops.virtual(() -> {
            AsyncLock lock = new AsyncLock();
            try (Held held = lock.hold()) {
                assertTrue(lock.locked());
                held.close(); // closing twice releases once
            }
            assertFalse(lock.locked());
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
            assertTrue(e.getMessage().startsWith("Lock is not acquired"));
            assertEquals("<AsyncLock [unlocked]>", lock.toString());
            RuntimeException boom = new RuntimeException("boom");
            assertThrows(RuntimeException.class, () -> {
                try (Held held = lock.hold()) {
                    throw boom;
                }
            });
            assertFalse(lock.locked(), "withLock releases when the body fails");
            return null;
        });
    }

    @Test
    void useOutsideTheLoopOrOnAnotherLoopIsAClearError() {
        AsyncLock lock = new AsyncLock();
        IllegalStateException outside = assertThrows(IllegalStateException.class, lock::acquire);
        assertTrue(outside.getMessage().contains("must be called from the code of a running"));
        Loops.virtual(() -> {
            lock.acquire();
            lock.release();
            return null;
        });
        try (EventLoop other = EventLoop.newVirtualTimeEventLoop()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> other.runUntilComplete(other.createTask(() -> {
                        lock.acquire();
                        return null;
                    })));
            assertTrue(e.getMessage().contains("bound to a different event loop"));
        }
    }
}
