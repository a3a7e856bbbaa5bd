package io.aiobridge;

import static io.aiobridge.testing.Ports.runBriefly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_futures.py}: the state machine, the done
 * callbacks ({@code BaseFutureDoneCallbackTests}) and {@code wrap_future}'s cancellation, case by
 * case. {@code asyncio.InvalidStateError} is {@link InvalidStateException}; {@code wrap_future} is
 * {@link AsyncFuture#fromStage}. {@link AsyncFutureTest} has the rest (reprs, contexts, threads).
 */
class TestFuturesPortTest {

    private static Consumer<AsyncFuture<String>> bagAppender(List<Integer> bag, int thing) {
        return f -> bag.add(thing);
    }

    @Test
    void test_cancel_result_exception() {
        Loops.virtual(() -> {
            AsyncFuture<Integer> f = Aio.getRunningLoop().createFuture();
            assertTrue(f.cancel());
            assertTrue(f.isCancelled());
            assertTrue(f.isDone());
            assertThrows(CancelledError.class, f::result);
            assertThrows(CancelledError.class, f::exception);
            assertThrows(InvalidStateException.class, () -> f.setResult(null));
            assertThrows(InvalidStateException.class,
                    () -> f.setException(new IllegalStateException()));
            assertFalse(f.cancel());

            AsyncFuture<Integer> r = Aio.getRunningLoop().createFuture();
            assertThrows(InvalidStateException.class, r::result);
            r.setResult(42);
            assertFalse(r.isCancelled());
            assertEquals(42, r.result());
            assertNull(r.exception());
            assertThrows(InvalidStateException.class, () -> r.setResult(null));
            assertFalse(r.cancel());

            IllegalStateException exc = new IllegalStateException();
            AsyncFuture<Integer> x = Aio.getRunningLoop().createFuture();
            assertThrows(InvalidStateException.class, x::exception);
            x.setException(exc);
            assertThrows(IllegalStateException.class, x::result);
            assertSame(exc, x.exception());
            assertFalse(x.cancel());
            return null;
        });
    }

    @Test
    void test_future_cancel_message() {
        Loops.virtual(() -> {
            AsyncFuture<Void> f = Aio.getRunningLoop().createFuture();
            assertNull(f.cancelMessage());
            f.cancel("my message");
            CancelledError e = assertThrows(CancelledError.class, f::await);
            assertEquals("my message", f.cancelMessage());
            assertEquals("my message", e.getMessage());
            return null;
        });
    }

    @Test
    void test_callbacks_remove_first_second_and_third() {
        Loops.virtual(() -> {
            int[][] removals = {{0, 0}, {0, 1, 0}, {2, 2}};
            List<List<Integer>> expected = List.of(List.of(17, 100), List.of(100),
                    List.of(42, 17));
            for (int c = 0; c < removals.length; c++) {
                List<Integer> bag = new ArrayList<>();
                AsyncFuture<String> f = Aio.getRunningLoop().createFuture();
                List<Consumer<AsyncFuture<String>>> cbs = List.of(bagAppender(bag, 42),
                        bagAppender(bag, 17), bagAppender(bag, 100));
                cbs.forEach(f::addDoneCallback);
                for (int i : removals[c]) {
                    f.removeDoneCallback(cbs.get(i));
                }
                assertEquals(List.of(), bag);
                f.setResult("foo");
                runBriefly();
                assertEquals(expected.get(c), bag);
                assertEquals("foo", f.result());
            }
            return null;
        });
    }

    @Test
    void test_callbacks_invoked_on_set_result_and_exception() {
        Loops.virtual(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = Aio.getRunningLoop().createFuture();
            f.addDoneCallback(bagAppender(bag, 42));
            f.addDoneCallback(bagAppender(bag, 17));
            assertEquals(List.of(), bag);
            f.setResult("foo");
            assertEquals(List.of(), bag, "scheduled, never run inside set_result");
            runBriefly();
            assertEquals(List.of(42, 17), bag);

            List<Integer> bag2 = new ArrayList<>();
            AsyncFuture<String> g = Aio.getRunningLoop().createFuture();
            g.addDoneCallback(bagAppender(bag2, 100));
            IllegalStateException exc = new IllegalStateException();
            g.setException(exc);
            runBriefly();
            assertEquals(List.of(100), bag2);
            assertSame(exc, g.exception());
            return null;
        });
    }

    @Test
    void test_remove_done_callback_counts() {
        Loops.virtual(() -> {
            List<Integer> bag = new ArrayList<>();
            AsyncFuture<String> f = Aio.getRunningLoop().createFuture();
            Consumer<AsyncFuture<String>> cb1 = bagAppender(bag, 1);
            Consumer<AsyncFuture<String>> cb2 = bagAppender(bag, 2);
            Consumer<AsyncFuture<String>> cb3 = bagAppender(bag, 3);
            f.addDoneCallback(cb1);
            f.addDoneCallback(cb2);
            assertEquals(1, f.removeDoneCallback(cb2));
            assertEquals(0, f.removeDoneCallback(cb3));
            f.addDoneCallback(cb2);
            for (int i = 0; i < 5; i++) {
                f.addDoneCallback(cb1);
            }
            assertEquals(6, f.removeDoneCallback(cb1));
            f.setResult("foo");
            runBriefly();
            assertEquals(List.of(2), bag);
            return null;
        });
    }

    @Test
    void test_schedule_callbacks_list_mutation() {
        // bpo-28963 / bpo-30828: a callback that removes or adds others while they are scheduled
        Loops.virtual(() -> {
            List<String> ran = new ArrayList<>();
            AsyncFuture<Integer> fut = Aio.getRunningLoop().createFuture();
            Consumer<AsyncFuture<Integer>> str = f -> ran.add("str");
            fut.addDoneCallback(f -> {
                ran.add("mut");
                f.removeDoneCallback(str); // too late: already scheduled
                f.addDoneCallback(g -> ran.add("added after done"));
            });
            fut.addDoneCallback(str);
            fut.addDoneCallback(str);
            fut.setResult(1);
            runBriefly();
            runBriefly();
            assertEquals(List.of("mut", "str", "str", "added after done"), ran);
            return null;
        });
    }

    @Test
    void test_wrap_future_cancel_and_cancel2() {
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            CompletableFuture<Integer> f1 = new CompletableFuture<>();
            AsyncFuture<Integer> f2 = AsyncFuture.fromStage(loop, f1);
            f2.cancel();
            runBriefly();
            assertTrue(f1.isCancelled(), "cancelling the wrapper cancels the wrapped");
            assertTrue(f2.isCancelled());

            CompletableFuture<Integer> g1 = new CompletableFuture<>();
            AsyncFuture<Integer> g2 = AsyncFuture.fromStage(loop, g1);
            g1.complete(42);
            g2.cancel();
            runBriefly();
            assertFalse(g1.isCancelled(), "a finished future is not cancelled by its wrapper");
            assertEquals(42, g1.join());
            assertTrue(g2.isCancelled());
            return null;
        });
    }

    @Test
    void test_tb_logger_not_called_after_cancel_and_when_retrieved() {
        // a failed future whose exception was retrieved, or that was cancel()ed after it failed,
        // is not reported when its loop closes; one left unretrieved is, once
        List<ErrorContext> reported = new ArrayList<>();
        try (EventLoop loop = EventLoop.newVirtualTimeEventLoop()) {
            loop.setExceptionHandler((l, c) -> reported.add(c));
            loop.runUntilComplete(() -> {
                AsyncFuture<Void> cancelledAfter = loop.createFuture();
                cancelledAfter.setException(new IllegalStateException("cancelled after"));
                cancelledAfter.cancel();
                AsyncFuture<Void> retrieved = loop.createFuture();
                retrieved.setException(new IllegalStateException("retrieved"));
                retrieved.exception();
                AsyncFuture<Void> viaResult = loop.createFuture();
                viaResult.setException(new IllegalStateException("via result"));
                assertThrows(IllegalStateException.class, viaResult::result);
                AsyncFuture<Void> unretrieved = loop.createFuture();
                unretrieved.setException(new IllegalStateException("boom"));
                AsyncFuture<Integer> resultOnly = loop.createFuture();
                resultOnly.setResult(42);
                return null;
            });
        }
        assertEquals(1, reported.size(), reported.toString());
        assertEquals("Future exception was never retrieved", reported.get(0).message());
        assertEquals("boom", reported.get(0).exception().getMessage());
    }
}
