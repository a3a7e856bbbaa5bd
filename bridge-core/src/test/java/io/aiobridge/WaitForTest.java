package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitForTest {

    @Test
    void timeoutCancelsTheInnerTaskAndWaitsForItsCleanup() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            Task<String> inner = Aio.createTask(() -> {
                try {
                    return Aio.sleep(10, "late");
                } finally {
                    s.expect(1);
                    Aio.sleep(0.5); // cleanup that itself awaits
                    s.expect(2);
                }
            });
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> Aio.waitFor(inner, 1.0));
            s.expect(3);
            assertInstanceOf(CancelledError.class, e.getCause());
            assertTrue(inner.isCancelled(), "the inner task is finished when waitFor raises");
            s.finish(4);
            return null;
        });
    }

    @Test
    void resultBeforeTheDeadlineIsReturned() {
        assertEquals("quick", Loops.virtual(() -> Aio.waitFor(() -> Aio.sleep(1, "quick"), 2.0)));
    }

    @Test
    void cancellingTheCallerCancelsTheInnerTaskToo() {
        Loops.virtual(() -> {
            List<String> seen = new ArrayList<>();
            Task<String> inner = Aio.createTask(() -> {
                try {
                    return Aio.sleep(10, "x");
                } finally {
                    seen.add("inner finally");
                }
            });
            Task<String> caller = Aio.createTask(() -> Aio.waitFor(inner, 5.0));
            Aio.sleep(0);
            caller.cancel();
            assertThrows(CancelledError.class, caller::await);
            assertTrue(inner.isCancelled());
            assertEquals(List.of("inner finally"), seen);
            return null;
        });
    }

    @Test
    void zeroTimeoutReturnsADoneResultAndCancelsAPendingOne() {
        Loops.virtual(() -> {
            AsyncFuture<String> done = Aio.getRunningLoop().createFuture();
            done.setResult("ready");
            assertEquals("ready", Aio.waitFor(done, 0.0));
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(() -> "never started", 0.0));
            return null;
        });
    }

    @Test
    void anInnerTaskThatSwallowsCancellationDeliversItsResult() {
        String r = Loops.virtual(() -> Aio.waitFor(() -> {
            try {
                Aio.sleep(10);
            } catch (CancelledError e) {
                return "caught and returned";
            }
            return "slept";
        }, 1.0));
        assertEquals("caught and returned", r);
    }
}
