package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import org.junit.jupiter.api.Test;

class ShieldTest {

    @Test
    void cancellingTheAwaiterDoesNotCancelTheShieldedWork() {
        Loops.virtual(() -> {
            Task<String> work = Aio.createTask(() -> Aio.sleep(2, "saved"));
            Task<String> awaiter = Aio.createTask(() -> Aio.shield(work).await());
            Aio.sleep(0);
            awaiter.cancel();
            assertThrows(CancelledError.class, awaiter::await);
            assertFalse(work.isCancelled());
            assertEquals("saved", work.await());
            return null;
        });
    }

    @Test
    void theShieldMirrorsResultErrorAndInnerCancellation() {
        Loops.virtual(() -> {
            Task<String> ok = Aio.createTask(() -> Aio.sleep(1, "v"));
            assertEquals("v", Aio.shield(ok).await());
            assertSame(ok, Aio.shield(ok), "a done future is returned as is");
            Task<String> bad = Aio.createTask(() -> {
                Aio.sleep(1);
                throw new IllegalStateException("e");
            });
            assertThrows(IllegalStateException.class, () -> Aio.shield(bad).await());
            Task<String> inner = Aio.createTask(() -> Aio.sleep(5, "x"));
            AsyncFuture<String> outer = Aio.shield(inner);
            Aio.sleep(0);
            inner.cancel();
            assertThrows(CancelledError.class, outer::await);
            assertTrue(outer.isCancelled());
            return null;
        });
    }
}
