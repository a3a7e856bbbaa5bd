package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /**
     * Closing a loop cancels its tasks and runs them to their end; the callbacks their ends
     * schedule run too, as asyncio.run's final gather lets them: before, they were cleared with
     * the ready queue, so the future of runCoroutineThreadsafe never completed and a thread
     * waiting on it hung, and a done callback never ran.
     */
    @Test
    void closingALoopCompletesWhatWaitsOnItsTasks() throws Exception {
        EventLoop loop = EventLoop.newEventLoop();
        CountDownLatch started = new CountDownLatch(1);
        List<String> callbacks = new CopyOnWriteArrayList<>();
        Thread runner = new Thread(loop::runForever);
        runner.start();
        CompletableFuture<Integer> waiting = Aio.runCoroutineThreadsafe(() -> {
            Task<Integer> child = Aio.createTask(() -> Aio.sleep(100, 1));
            child.addDoneCallback(t -> callbacks.add("child done, cancelled=" + t.isCancelled()));
            started.countDown();
            return child.await();
        }, loop);
        assertTrue(started.await(5, TimeUnit.SECONDS));
        loop.callSoonThreadsafe(loop::stop);
        runner.join(5000);
        loop.close();
        assertTrue(waiting.isDone(), "the waiting thread's future is settled by close()");
        CancellationException e = assertThrows(CancellationException.class, waiting::join);
        // the JDK's join wraps the cancellation in one of its own ("join")
        assertEquals("event loop is closing",
                (e.getCause() != null ? e.getCause() : e).getMessage());
        assertEquals(List.of("child done, cancelled=true"), callbacks);
    }

    /**
     * A task's thread is created by whichever thread holds the loop when the task's first step is
     * due: here task C's, which drives the loop when it suspends. Before, task B inherited C's
     * {@code InheritableThreadLocal} (an unrelated task's MDC or security principal); no thread the
     * library makes inherits them now, on either engine. Context variables are what flows.
     */
    @Test
    void noTaskInheritsTheInheritableThreadLocalsOfTheThreadThatStartsIt() {
        InheritableThreadLocal<String> itl = new InheritableThreadLocal<>();
        ContextVar<String> var = new ContextVar<>("var", "unset");
        itl.set("the runner's");
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<String> seen = loop.runUntilComplete(() -> {
                List<String> out = new ArrayList<>();
                out.add("main: " + itl.get());
                Task<Void> c = Aio.createTask(() -> {
                    itl.set("C's secret");
                    Aio.sleep(0);
                    Aio.sleep(0);
                    return null;
                });
                Aio.sleep(0); // C runs its first step and sets its value
                var.set("main's variable");
                Task<String> b = Aio.createTask(() -> itl.get() + ", " + var.get());
                // main suspends and drives: C's step is next; C suspends and drives: B starts
                out.add("B: " + b.await());
                c.await();
                try (AsyncGenerator<String, Void> gen = AsyncGenerator.of(y -> y.yield(itl.get()))) {
                    for (String s : gen) {
                        itl.set("main's own");
                        out.add("generator body: " + s);
                    }
                }
                out.add("toThread job: " + Aio.toThread(itl::get));
                out.add("main keeps its own: " + itl.get());
                return out;
            });
            assertEquals(List.of("main: null", "B: null, main's variable", "generator body: null",
                    "toThread job: null", "main keeps its own: main's own"), seen);
        } finally {
            itl.remove();
        }
    }
}
