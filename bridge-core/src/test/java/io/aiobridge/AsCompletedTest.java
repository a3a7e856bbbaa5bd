package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsCompletedTest {

    @Test
    void yieldsInCompletionOrderAndRaisesFailuresInTurn() {
        Loops.virtual(() -> {
            List<String> got = new ArrayList<>();
            for (Awaitable<String> next : Aio.asCompleted(null,
                    () -> Aio.sleep(3, "c"),
                    () -> {
                        Aio.sleep(2);
                        throw new IllegalStateException("b failed");
                    },
                    () -> Aio.sleep(1, "a"))) {
                try {
                    got.add(next.await());
                } catch (IllegalStateException e) {
                    got.add(e.getMessage());
                }
            }
            assertEquals(List.of("a", "b failed", "c"), got);
            return null;
        });
    }

    @Test
    void afterTheTimeoutEveryRemainingAwaitRaises() {
        Loops.virtual(() -> {
            List<Awaitable<String>> its = Aio.asCompleted(1.5,
                    () -> Aio.sleep(1, "in time"), () -> Aio.sleep(2, "late"),
                    () -> Aio.sleep(3, "later"));
            assertEquals(3, its.size());
            assertEquals("in time", its.get(0).await());
            assertThrows(AsyncTimeoutException.class, its.get(1)::await);
            assertThrows(AsyncTimeoutException.class, its.get(2)::await);
            return null;
        });
    }
}
