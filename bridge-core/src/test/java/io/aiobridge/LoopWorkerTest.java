package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.BackgroundLoop;
import io.aiobridge.testing.Loops;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopWorkerTest {

    @Test
    void workRunsInOrderAndTheWorkerForgetsIt() {
        Loops.virtual(() -> {
            LoopWorker w = new LoopWorker(Aio.getRunningLoop());
            List<String> ran = new CopyOnWriteArrayList<>();
            w.schedule(() -> ran.add("later"), 2.0);
            w.schedule(() -> ran.add("soon 1"), 0);
            w.schedule(() -> ran.add("soon 2"), -1);
            assertEquals(3, w.size());
            Aio.sleep(1);
            assertEquals(List.of("soon 1", "soon 2"), ran);
            assertEquals(1, w.size(), "run work is forgotten");
            assertEquals(Aio.getRunningLoop().time(), w.now());
            Aio.sleep(1.5);
            assertEquals(List.of("soon 1", "soon 2", "later"), ran);
            assertEquals(0, w.size());
            return null;
        });
    }

    @Test
    void cancelledAndClosedWorkNeverRunsAndIsForgotten() {
        Loops.virtual(() -> {
            LoopWorker w = new LoopWorker(Aio.getRunningLoop());
            List<String> ran = new CopyOnWriteArrayList<>();
            Handle cancelled = w.schedule(() -> ran.add("cancelled"), 1.0);
            cancelled.cancel();
            assertEquals(0, w.size(), "a cancel forgets it at once");
            w.schedule(() -> ran.add("pending at close"), 1.0);
            w.schedule(() -> ran.add("pending at close"), 0);
            w.close();
            assertTrue(w.isClosed());
            assertEquals(0, w.size());
            RejectedExecutionException refused = assertThrows(RejectedExecutionException.class,
                    () -> w.schedule(() -> ran.add("after close"), 0), "a closed worker refuses");
            assertTrue(refused.getMessage().contains("is closed and takes no more work"),
                    refused.getMessage());
            Aio.sleep(2);
            assertEquals(List.of(), ran);
            return null;
        });
    }

    /** A scheduler's workers are children of its own: closing it cancels all their work. */
    @Test
    void closingAWorkerClosesItsChildrenAndAClosedChildLeaves() {
        Loops.virtual(() -> {
            LoopWorker parent = new LoopWorker(Aio.getRunningLoop());
            List<String> ran = new CopyOnWriteArrayList<>();
            LoopWorker early = parent.child();
            early.close();
            assertFalse(parent.toString().contains("children="), "a closed child leaves");
            LoopWorker child = parent.child();
            child.schedule(() -> ran.add("child"), 1.0);
            parent.schedule(() -> ran.add("parent"), 1.0);
            assertTrue(parent.toString().startsWith("<LoopWorker pending=1 children=1 on "),
                    parent.toString());
            parent.close();
            assertTrue(child.isClosed(), "the parent closes its children");
            assertEquals(0, child.size());
            assertTrue(parent.child().isClosed(), "a closed parent's new child is closed");
            Aio.sleep(2);
            assertEquals(List.of(), ran);
            return null;
        });
    }

    /** Work for a closed loop would never run: it is refused, not dropped. */
    @Test
    void aClosedLoopRefusesWorkInsteadOfDroppingIt() {
        EventLoop loop = EventLoop.newEventLoop();
        LoopWorker w = new LoopWorker(loop);
        loop.close();
        for (double delay : new double[] {0, 1}) {
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                    () -> w.schedule(() -> {}, delay));
            assertTrue(e.getMessage().startsWith("Event loop is closed"), e.getMessage());
            assertEquals(0, w.size(), "nothing refused is kept");
        }
    }

    @Test
    void workFromAnotherThreadRunsOnTheLoop() throws Exception {
        try (BackgroundLoop bg = BackgroundLoop.start()) {
            LoopWorker w = new LoopWorker(bg.loop());
            List<Boolean> onLoop = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(100);
            for (int i = 0; i < 100; i++) {
                w.schedule(() -> {
                    onLoop.add(Aio.runningLoopOrNull() == bg.loop());
                    done.countDown();
                }, i % 2 == 0 ? 0 : 0.001);
            }
            assertTrue(done.await(5, TimeUnit.SECONDS));
            bg.sync(); // the last piece has left the worker once its callback has returned
            assertFalse(onLoop.contains(false));
            assertEquals(0, w.size());
        }
    }

    @Test
    void badInput() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            LoopWorker w = new LoopWorker(loop);
            assertThrows(NullPointerException.class, () -> w.schedule(null, 0));
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                    () -> w.schedule(() -> { }, Double.NaN));
            assertTrue(nan.getMessage().contains("NaN"));
            assertThrows(NullPointerException.class, () -> new LoopWorker(null));
        }
    }
}
