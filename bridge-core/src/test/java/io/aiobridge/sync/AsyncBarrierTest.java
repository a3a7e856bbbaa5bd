package io.aiobridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AsyncBarrierTest {

    @Test
    void thePartiesPassTogetherWithDistinctIndexesAndTheBarrierIsReusable() {
        Loops.virtual(() -> {
            AsyncBarrier b = new AsyncBarrier(3);
            for (int round = 0; round < 2; round++) {
                List<Task<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    double d = i;
                    ts.add(Aio.createTask(() -> {
                        Aio.sleep(d);
                        return b.await();
                    }));
                }
                Aio.sleep(1.5);
                assertEquals(2, b.nWaiting());
                TreeSet<Integer> idx = new TreeSet<>();
                for (Task<Integer> t : ts) {
                    idx.add(t.await());
                }
                assertEquals(new TreeSet<>(List.of(0, 1, 2)), idx);
            }
            assertEquals(3, b.parties());
            return null;
        });
    }

    @Test
    void abortBreaksWaitersAndLaterWaitsUntilReset() {
        Loops.virtual(() -> {
            AsyncBarrier b = new AsyncBarrier(2);
            Task<Integer> waiting = Aio.createTask(b::await);
            Aio.sleep(0);
            b.abort();
            assertTrue(b.broken());
            assertThrows(AsyncBrokenBarrierException.class, waiting::await);
            AsyncBrokenBarrierException later = assertThrows(AsyncBrokenBarrierException.class, b::await);
            assertEquals("Barrier aborted", later.getMessage());
            b.reset();
            assertFalse(b.broken());
            Task<Integer> a = Aio.createTask(b::await);
            assertTrue(b.await() >= 0);
            a.await();
            return null;
        });
    }

    @Test
    void resetWhileTasksWaitBreaksThem() {
        Loops.virtual(() -> {
            AsyncBarrier b = new AsyncBarrier(3);
            Task<Integer> w1 = Aio.createTask(b::await);
            Task<Integer> w2 = Aio.createTask(b::await);
            Aio.sleep(0);
            b.reset();
            assertThrows(AsyncBrokenBarrierException.class, w1::await);
            assertThrows(AsyncBrokenBarrierException.class, w2::await);
            assertEquals(0, b.nWaiting());
            assertThrows(IllegalArgumentException.class, () -> new AsyncBarrier(0));
            return null;
        });
    }
}
