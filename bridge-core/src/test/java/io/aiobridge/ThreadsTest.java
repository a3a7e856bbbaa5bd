package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadsTest {

    @Test
    void toThreadRunsOffTheLoopWithACopyOfTheContext() {
        ContextVar<String> v = new ContextVar<>("v", "unset");
        Loops.virtual(() -> {
            v.set("caller");
            Thread loopThread = Thread.currentThread();
            String[] r = Aio.toThread(() -> {
                String seen = v.get();
                v.set("changed in thread");
                return new String[] {seen, Thread.currentThread().getName()};
            });
            assertEquals("caller", r[0]);
            assertNotEquals(loopThread.getName(), r[1]);
            assertEquals("caller", v.get(), "the thread's change stays in its copy");
            return null;
        });
    }

    @Test
    void toThreadBlockingDoesNotHoldTheLoop() {
        Loops.virtual(() -> {
            CountDownLatch latch = new CountDownLatch(1);
            Task<Boolean> blocked = Aio.createTask(() -> Aio.toThread(
                    () -> latch.await(5, TimeUnit.SECONDS)));
            Aio.sleep(0.1); // the loop keeps running while the thread blocks
            latch.countDown();
            assertTrue(blocked.await());
            return null;
        });
    }

    /**
     * The JDK gives a virtual thread its creator's scheduler; on the carrier engine a thread that
     * user code starts inside a task must still not land on the loop's one carrier, where this
     * busy loop would keep the loop from ever running again.
     */
    @Test
    void aVirtualThreadStartedInATaskDoesNotHoldTheLoop() throws Exception {
        AtomicBoolean loopRan = new AtomicBoolean();
        AtomicBoolean sawIt = new AtomicBoolean();
        Aio.run(() -> {
            Thread spinner = Thread.ofVirtual().start(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!loopRan.get() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // never parks: it would hold a carrier it shared
                }
                sawIt.set(loopRan.get());
            });
            Aio.sleep(0.01);
            Aio.sleep(0);
            loopRan.set(true);
            Aio.toThread(() -> {
                spinner.join();
                return null;
            });
            return null;
        });
        assertTrue(sawIt.get(), "the loop went on while the user's thread spun");
    }

    @Test
    void runCoroutineThreadsafeFromOutsideAndCancelFromOutside() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Void> stop = loop.createFuture();
            Thread runner = new Thread(() -> loop.runUntilComplete(stop));
            runner.start();
            CompletableFuture<Integer> ok = Aio.runCoroutineThreadsafe(
                    () -> Aio.sleep(0.01, 42), loop);
            assertEquals(42, ok.get(5, TimeUnit.SECONDS));
            CompletableFuture<Integer> failing = Aio.runCoroutineThreadsafe(() -> {
                throw new IllegalStateException("bad");
            }, loop);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> failing.get(5, TimeUnit.SECONDS));
            assertEquals("bad", e.getCause().getMessage());
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<String> cleanedUp = new CompletableFuture<>();
            CompletableFuture<Integer> longOne = Aio.runCoroutineThreadsafe(() -> {
                started.countDown();
                try {
                    return Aio.sleep(100, 1);
                } finally {
                    cleanedUp.complete("finally ran");
                }
            }, loop);
            assertTrue(started.await(5, TimeUnit.SECONDS));
            longOne.cancel(true);
            assertThrows(CancellationException.class, longOne::join);
            assertEquals("finally ran", cleanedUp.get(5, TimeUnit.SECONDS));
            loop.callSoonThreadsafe(() -> stop.setResult(null));
            runner.join(5000);
        }
    }
}
