package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class AsyncFutureTest {

    @Test
    void resultExceptionAndCancelFollowAsyncioStates() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            assertFalse(f.isDone());
            InvalidStateException notReady = assertThrows(InvalidStateException.class, f::result);
            assertTrue(notReady.getMessage().startsWith("Result is not set."));
            assertThrows(InvalidStateException.class, f::exception);
            f.setResult("v");
            assertEquals("v", f.result());
            assertNull(f.exception());
            InvalidStateException twice = assertThrows(InvalidStateException.class,
                    () -> f.setResult("w"));
            assertTrue(twice.getMessage().contains("already done"));
            assertThrows(InvalidStateException.class, () -> f.setException(new RuntimeException()));
            assertFalse(f.cancel(), "a done future cannot be cancelled");

            AsyncFuture<String> c = loop.createFuture();
            assertTrue(c.cancel("stop it"));
            assertTrue(c.isCancelled());
            assertTrue(c.isDone());
            CancelledError ce = assertThrows(CancelledError.class, c::result);
            assertEquals("stop it", ce.getMessage());
            assertThrows(CancelledError.class, c::exception);
            assertFalse(c.cancel());

            AsyncFuture<String> e = loop.createFuture();
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            e.setException(boom);
            assertSame(boom, assertThrows(IllegalArgumentException.class, e::result));
            assertSame(boom, e.exception());

            AsyncFuture<String> checked = loop.createFuture();
            IOException io = new IOException("io");
            checked.setException(io);
            CompletionException wrapped = assertThrows(CompletionException.class, checked::result);
            assertSame(io, wrapped.getCause());
            assertThrows(NullPointerException.class, () -> loop.createFuture().setException(null));
        }
    }

    @Test
    void doneCallbacksAreScheduledInRegistrationOrderNeverInline() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            List<String> seen = new ArrayList<>();
            AsyncFuture<Integer> f = loop.createFuture();
            Consumer<AsyncFuture<Integer>> removed = x -> seen.add("removed");
            f.addDoneCallback(x -> seen.add("first " + x.result()));
            f.addDoneCallback(removed);
            f.addDoneCallback(x -> seen.add("second"));
            f.addDoneCallback(removed);
            assertEquals(2, f.removeDoneCallback(removed));
            assertEquals(0, f.removeDoneCallback(removed));
            f.setResult(1);
            assertEquals(List.of(), seen, "callbacks must not run inline");
            f.addDoneCallback(x -> seen.add("late"));
            assertEquals(List.of(), seen);
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(List.of("first 1", "second", "late"), seen);
        }
    }

    @Test
    void doneCallbacksRunInTheContextCapturedAtRegistration() {
        ContextVar<String> var = new ContextVar<>("who", "default");
        List<String> seen = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncFuture<Void> f = Aio.getRunningLoop().createFuture();
            var.set("registered");
            f.addDoneCallback(x -> seen.add(var.get()));
            var.set("changed later");
            f.setResult(null);
            Aio.sleep(0);
            return null;
        });
        assertEquals(List.of("registered"), seen);
    }

    /**
     * {@code toCompletableFuture()} is callable from any thread. From a thread off an idle loop it
     * links at once, and the loop cannot start meanwhile: before, "not running" was checked and
     * then the future's callbacks were changed, so a loop starting in between (StressTest's
     * completers, one run in many) could complete the future while the link was being added, and
     * the link was lost: that completer never started, and a quarter of the tasks hung.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS,
            threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aThreadLinkingToAnIdleLoopKeepsItFromStartingUntilItIsDone() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<String> steps = new CopyOnWriteArrayList<>();
            Task<Void> task = loop.createTask(() -> {
                steps.add("loop ran");
                return null;
            });
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            BaseEventLoop idle = (BaseEventLoop) loop;
            Thread linker = Thread.ofPlatform().start(() -> idle.runHereOrPost(() -> {
                steps.add("linking");
                inside.countDown();
                awaitQuietly(release);
                steps.add("linked");
            }));
            inside.await();
            Thread runner = Thread.ofPlatform().start(() -> loop.runUntilComplete(task));
            Thread.sleep(50); // the runner has had time to start the loop, and must not have
            assertFalse(loop.isRunning(), "started while another thread changed its state");
            release.countDown();
            runner.join(10_000);
            linker.join(10_000);
            assertEquals(List.of("linking", "linked", "loop ran"), steps);
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS,
            threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void toCompletableFutureFromAnotherThreadWhileTheLoopRunsLinksThroughTheLoop()
            throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            CompletableFuture<CompletableFuture<String>> linked = new CompletableFuture<>();
            String got = loop.runUntilComplete(loop.createTask(() -> {
                Thread.ofPlatform().start(() -> linked.complete(f.toCompletableFuture()));
                Aio.await(linked); // linked from outside while the loop runs: posted to it
                f.setResult("value");
                return Aio.await(linked.join());
            }));
            assertEquals("value", got);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void toCompletableFutureMirrorsEveryOutcomeAndCancelsBack() throws Exception {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            AsyncFuture<String> ok = loop.createFuture();
            CompletableFuture<String> cf = ok.toCompletableFuture();
            ok.setResult("done");
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals("done", cf.get(1, TimeUnit.SECONDS));

            AsyncFuture<String> failed = loop.createFuture();
            failed.setException(new IllegalStateException("bad"));
            ExecutionException ee = assertThrows(ExecutionException.class,
                    () -> failed.toCompletableFuture().get());
            assertInstanceOf(IllegalStateException.class, ee.getCause());

            AsyncFuture<String> cancelled = loop.createFuture();
            cancelled.cancel("why");
            CompletableFuture<String> cancelledCf = cancelled.toCompletableFuture();
            assertTrue(cancelledCf.isCancelled());
            CancellationException ce = assertThrows(CancellationException.class, cancelledCf::get);
            Throwable root = ce;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertEquals("why", root.getMessage());

            AsyncFuture<String> pending = loop.createFuture();
            assertTrue(pending.toCompletableFuture().cancel(true));
            assertTrue(pending.isCancelled(), "cancelling the CompletableFuture cancels ours");
        }
    }

    @Test
    void fromStageDeliversCompletionFromAnyThreadThroughTheLoop() {
        Loops.virtual(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Thread t = new Thread(() -> cf.complete("elsewhere"));
            AsyncFuture<String> f = AsyncFuture.fromStage(Aio.getRunningLoop(), cf);
            t.start();
            assertEquals("elsewhere", f.await());

            CompletableFuture<String> failing = CompletableFuture.supplyAsync(() -> {
                throw new IllegalArgumentException("nope");
            });
            IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                    () -> Aio.await(failing));
            assertEquals("nope", iae.getMessage());

            CompletableFuture<String> cancelledStage = new CompletableFuture<>();
            cancelledStage.cancel(false);
            assertTrue(AsyncFuture.fromStage(Aio.getRunningLoop(), cancelledStage).isCancelled());

            CompletableFuture<String> never = new CompletableFuture<>();
            AsyncFuture<String> mirror = AsyncFuture.fromStage(Aio.getRunningLoop(), never);
            mirror.cancel();
            Aio.sleep(0); // the cancel reaches the stage through a done callback
            assertTrue(never.isCancelled(), "cancelling ours cancels the stage");
            return null;
        });
    }

    @Test
    void joinFromTheLoopItselfFailsAtOnceInsteadOfDeadlocking() {
        Loops.virtual(() -> {
            AsyncFuture<String> f = Aio.getRunningLoop().createFuture();
            IllegalStateException e = assertThrows(IllegalStateException.class, f::join);
            assertTrue(e.getMessage().contains("would deadlock"), e.getMessage());
            f.setResult("fine");
            assertEquals("fine", f.join(), "a done future may be joined anywhere");
            return null;
        });
    }

    @Test
    void blockingOnTheLoopsCompletableFuturesFromTheLoopFailsAtOnce() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            CompletableFuture<String> submitted = Aio.runCoroutineThreadsafe(() -> {
                Aio.sleep(0.01);
                return "later";
            }, loop);
            AsyncFuture<String> f = loop.createFuture();
            CompletableFuture<String> mirrored = f.toCompletableFuture();
            CompletableFuture<Integer> chained = submitted.thenApply(String::length);
            for (CompletableFuture<?> cf : List.of(submitted, mirrored, chained)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, cf::join);
                assertTrue(e.getMessage().startsWith("join() on a pending CompletableFuture of")
                        && e.getMessage().contains("would deadlock the loop"), e.getMessage());
                assertThrows(IllegalStateException.class, cf::get);
                assertThrows(IllegalStateException.class, () -> cf.get(1, TimeUnit.SECONDS));
            }
            assertEquals("later", Aio.await(submitted), "awaiting it is the way");
            assertEquals(5, chained.join(), "a done one may be joined anywhere");
            f.setResult("done");
            Aio.sleep(0); // the result reaches the CompletableFuture through a callback
            assertEquals("done", mirrored.get());
            return null;
        });
    }

    @Test
    void joinBlocksAnOutsideThreadUntilTheLoopCompletesTheFuture() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            List<String> got = new CopyOnWriteArrayList<>();
            Thread waiter = new Thread(() -> got.add(f.join()));
            waiter.start();
            AsyncFuture<String> never = loop.createFuture();
            assertThrows(AsyncTimeoutException.class, () -> never.join(Duration.ofMillis(20)));
            loop.callLater(0.02, () -> f.setResult("joined"));
            loop.runUntilComplete(f);
            waiter.join(5000);
            assertEquals(List.of("joined"), got);
        }
    }

    @Test
    void mutatorsFromAnotherThreadWhileRunningFail() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            loop.callSoon(() -> {
                Thread t = new Thread(() -> {
                    try {
                        f.setResult("wrong thread");
                    } catch (WrongThreadException e) {
                        errors.add(e);
                    }
                    loop.callSoonThreadsafe(() -> f.setResult("right thread"));
                });
                t.start();
            });
            assertEquals("right thread", loop.runUntilComplete(f));
            assertEquals(1, errors.size());
            assertTrue(errors.get(0).getMessage().contains("setResult()"));
        }
    }

    @Test
    void anUnretrievedExceptionIsReportedWhenTheFutureIsCollected() throws Exception {
        List<ErrorContext> reports = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            loop.setExceptionHandler((l, ctx) -> reports.add(ctx));
            failAndDrop(loop, "lost");
            AsyncFuture<String> seen = loop.createFuture();
            seen.setException(new IllegalStateException("seen"));
            seen.exception();
            for (int i = 0; i < 200 && reports.isEmpty(); i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(1, reports.size(), "exactly the dropped, unretrieved failure is reported");
            assertEquals("Future exception was never retrieved", reports.get(0).message());
            assertEquals("lost", reports.get(0).exception().getMessage());
            assertTrue(reports.get(0).source().contains("finished exception="));
            assertEquals("seen", seen.exception().getMessage());
        }
    }

    private static void failAndDrop(EventLoop loop, String msg) {
        AsyncFuture<String> f = loop.createFuture();
        f.setException(new IllegalStateException(msg));
    }

    @Test
    void toStringShowsState() {
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            AsyncFuture<String> f = loop.createFuture();
            f.addDoneCallback(x -> { });
            assertEquals("<Future pending callbacks=1>", f.toString());
            f.setResult("r");
            assertEquals("<Future finished result=r>", f.toString());
        }
    }
}
