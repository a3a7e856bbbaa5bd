package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WaitTest {

    @Test
    void timeoutReturnsWithoutCancellingThePending() {
        Loops.virtual(() -> {
            Task<String> fast = Aio.createTask(() -> Aio.sleep(1, "f"));
            Task<String> slow = Aio.createTask(() -> Aio.sleep(10, "s"));
            double t0 = Aio.getRunningLoop().time();
            WaitResult<Task<String>> r = Aio.wait(List.of(fast, slow), ReturnWhen.ALL_COMPLETED,
                    2.0);
            assertEquals(2.0, Aio.getRunningLoop().time() - t0, 1e-6);
            assertEquals(Set.of(fast), r.done());
            assertEquals(Set.of(slow), r.pending());
            assertFalse(slow.isCancelled());
            assertEquals("s", slow.await());
            return null;
        });
    }

    @Test
    void firstExceptionReturnsAtTheFailure() {
        Loops.virtual(() -> {
            Task<String> ok = Aio.createTask(() -> Aio.sleep(5, "ok"));
            Task<String> bad = Aio.createTask(() -> {
                Aio.sleep(1);
                throw new IllegalStateException("bad");
            });
            WaitResult<Task<String>> r = Aio.wait(List.of(ok, bad), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(Set.of(bad), r.done());
            assertEquals(Set.of(ok), r.pending());
            ok.cancel();
            return null;
        });
    }

    @Test
    void alreadyDoneFuturesStillReturnThroughTheLoop() {
        Loops.virtual(() -> {
            AsyncFuture<String> f = Aio.getRunningLoop().createFuture();
            f.setResult("x");
            WaitResult<AsyncFuture<String>> r = Aio.wait(List.of(f), ReturnWhen.FIRST_COMPLETED);
            assertEquals(Set.of(f), r.done());
            return null;
        });
    }

    @Test
    void emptyInputIsRejectedWithAsyncioMessage() {
        Loops.virtual(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Aio.wait(List.<Task<String>>of()));
            assertEquals("Set of Tasks/Futures is empty.", e.getMessage());
            return null;
        });
    }

    @Test
    void cancellingTheWaiterLeavesTheFuturesRunning() {
        Loops.virtual(() -> {
            Task<String> inner = Aio.createTask(() -> Aio.sleep(5, "inner"));
            Task<Object> waiter = Aio.createTask(() -> Aio.wait(List.of(inner)));
            Aio.sleep(0);
            waiter.cancel();
            assertThrows(CancelledError.class, waiter::await);
            assertFalse(inner.isDone());
            assertTrue(inner.cancel());
            return null;
        });
    }
}
