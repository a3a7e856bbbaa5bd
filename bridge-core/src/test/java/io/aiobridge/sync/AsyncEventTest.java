package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncEventTest {

    @Test
    void setWakesEveryWaiterAndLaterWaitsReturnAtOnce() {
        List<String> seen = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncEvent ev = new AsyncEvent();
            List<Task<Boolean>> ts = new ArrayList<>();
            for (String n : List.of("x", "y")) {
                ts.add(Aio.createTask(() -> {
                    ev.await();
                    seen.add(n);
                    return true;
                }));
            }
            Task<Boolean> cancelled = Aio.createTask(ev::await);
            Aio.sleep(1);
            assertEquals(List.of(), seen);
            cancelled.cancel();
            assertThrows(CancelledError.class, cancelled::await);
            ev.set();
            assertTrue(ev.isSet());
            for (Task<Boolean> t : ts) {
                assertTrue(t.await());
            }
            assertTrue(ev.await(), "a set event does not wait");
            ev.clear();
            assertFalse(ev.isSet());
            assertTrue(ev.toString().contains("unset"));
            return null;
        });
        assertEquals(List.of("x", "y"), seen);
    }
}
