package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import io.aiobridge.testing.Steps;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    @Test
    void expiryTurnsTheBodysCancellationIntoATimeout() {
        Steps s = new Steps();
        Loops.virtual(() -> {
            Timeout[] scope = new Timeout[1];
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> Timeout.after(1.0, t -> {
                        scope[0] = t;
                        s.expect(1);
                        try {
                            Aio.sleep(10);
                        } catch (CancelledError c) {
                            s.expect(2);
                            throw c;
                        }
                        return null;
                    }));
            s.expect(3);
            assertInstanceOf(CancelledError.class, e.getCause());
            assertTrue(scope[0].expired());
            assertEquals(0, Aio.currentTask().cancelling(), "the timeout withdrew its cancel");
            Aio.sleep(0.5); // the task goes on normally
            s.finish(4);
            return null;
        });
    }

    @Test
    void aBodyThatFinishesInTimeReturnsAndTheTimerIsGone() {
        Loops.virtual(() -> {
            String r = Aio.timeout(5.0, () -> Aio.sleep(1, "done"));
            assertEquals("done", r);
            assertEquals(0, Aio.currentTask().cancelling(), "nothing cancelled the task");
            Aio.sleep(10); // the old deadline must not fire on this task
            assertTrue(Aio.getRunningLoop().toString().contains(" timers=0 "),
                    "the deadline's timer is gone, not merely ignored: " + Aio.getRunningLoop());
            assertNull(Aio.timeout(null, () -> null));
            return null;
        });
    }

    @Test
    void rescheduleMovesTheDeadline() {
        Loops.virtual(() -> {
            double t0 = Aio.getRunningLoop().time();
            String r = Timeout.after(1.0, t -> {
                t.reschedule(t.when() + 5);
                return Aio.sleep(3, "extended");
            });
            assertEquals("extended", r);
            assertThrows(AsyncTimeoutException.class, () -> Timeout.after(null, t -> {
                t.reschedule(Aio.getRunningLoop().time() + 1);
                return Aio.sleep(2, "x");
            }));
            assertEquals(t0 + 3 + 1, Aio.getRunningLoop().time(), 1e-6);
            Timeout[] kept = new Timeout[1];
            Timeout.after(1.0, t -> kept[0] = t);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> kept[0].reschedule(5.0));
            assertTrue(e.getMessage().startsWith("Cannot change state of finished Timeout; "),
                    e.getMessage());
            return null;
        });
    }

    @Test
    void aDeadlineInThePastExpiresAtTheNextIteration() {
        Loops.virtual(() -> {
            double now = Aio.getRunningLoop().time();
            assertThrows(AsyncTimeoutException.class,
                    () -> Aio.timeoutAt(now - 1, () -> Aio.sleep(0, "yielded")));
            return null;
        });
    }

    @Test
    void anOutsideCancellationIsNotMistakenForTheTimeout() {
        Loops.virtual(() -> {
            Task<String> t = Aio.createTask(() -> Aio.timeout(1.0, () -> Aio.sleep(10, "x")));
            Aio.sleep(0.5);
            t.cancel("from outside");
            CancelledError e = assertThrows(CancelledError.class, t::await);
            assertEquals("from outside", e.getMessage());
            return null;
        });
    }

    @Test
    void nestedTimeoutsEachReportTheirOwnExpiry() {
        Loops.virtual(() -> {
            String r = Aio.timeout(5.0, () -> {
                try {
                    Aio.timeout(1.0, () -> Aio.sleep(3, "inner"));
                } catch (AsyncTimeoutException e) {
                    return "inner timed out, outer fine";
                }
                return "no";
            });
            assertEquals("inner timed out, outer fine", r);
            assertThrows(AsyncTimeoutException.class,
                    () -> Aio.timeout(1.0, () -> Aio.timeout(5.0, () -> Aio.sleep(3, "x"))));
            return null;
        });
    }

    @Test
    void checkedExceptionsFromTheBodyArriveWrapped() {
        Loops.virtual(() -> {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> Aio.timeout(1.0, () -> {
                        throw new IOException("io");
                    }));
            assertInstanceOf(IOException.class, e.getCause());
            return null;
        });
    }

    @Test
    void outsideATaskItIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Timeout.after(1.0, t -> null));
        assertTrue(e.getMessage().contains("Timeout.after()"));
        assertFalse(e.getMessage().isEmpty());
    }
}
