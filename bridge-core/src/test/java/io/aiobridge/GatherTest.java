package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatherTest {

    @Test
    void resultsComeInArgumentOrderNotCompletionOrder() {
        List<String> r = Loops.virtual(() -> Aio.gather(
                () -> Aio.sleep(3, "slow"), () -> Aio.sleep(1, "fast"), () -> "now").await());
        assertEquals(List.of("slow", "fast", "now"), r);
    }

    @Test
    void emptyGatherIsDoneWithAnEmptyList() {
        Loops.virtual(() -> {
            AsyncFuture<List<Object>> g = Aio.gather(List.<AsyncFuture<Object>>of());
            assertTrue(g.isDone());
            assertEquals(List.of(), g.result());
            return null;
        });
    }

    @Test
    void firstFailureEndsTheGatherWhileTheOthersKeepRunning() {
        Loops.virtual(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<String> slow = Aio.createTask(() -> Aio.sleep(5, "slow"));
            Task<String> failing = Aio.createTask(() -> {
                Aio.sleep(1);
                throw boom;
            });
            AsyncFuture<List<String>> g = Aio.gather(slow, failing);
            assertSame(boom, assertThrows(IllegalStateException.class, g::await));
            assertFalse(slow.isDone(), "gather does not cancel the other children on failure");
            assertEquals("slow", slow.await());
            return null;
        });
    }

    @Test
    void gatherSettledReportsEveryOutcomeInPlace() {
        Loops.virtual(() -> {
            Task<String> ok = Aio.createTask(() -> "ok");
            Task<String> bad = Aio.createTask(() -> {
                throw new IllegalArgumentException("bad");
            });
            Task<String> cancelled = Aio.createTask(() -> Aio.sleep(10, "x"));
            Aio.sleep(0);
            cancelled.cancel("stop");
            List<Outcome<String>> out = Aio.gatherSettled(List.of(ok, bad, cancelled)).await();
            assertEquals(new Outcome.Success<>("ok"), out.get(0));
            assertInstanceOf(IllegalArgumentException.class,
                    ((Outcome.Failure<String>) out.get(1)).error());
            CancelledError ce = (CancelledError) ((Outcome.Failure<String>) out.get(2)).error();
            assertEquals("stop", ce.getMessage());
            assertEquals("ok", out.get(0).getOrThrow());
            assertThrows(IllegalArgumentException.class, out.get(1)::getOrThrow);
            return null;
        });
    }

    @Test
    void cancellingTheGatherCancelsItsChildren() {
        Loops.virtual(() -> {
            Task<String> a = Aio.createTask(() -> Aio.sleep(10, "a"));
            Task<String> b = Aio.createTask(() -> Aio.sleep(10, "b"));
            AsyncFuture<List<String>> g = Aio.gather(a, b);
            Aio.sleep(0);
            assertTrue(g.cancel("all"));
            assertThrows(CancelledError.class, g::await);
            assertTrue(a.isCancelled());
            assertTrue(b.isCancelled());
            return null;
        });
    }

    @Test
    void aChildCancelledOnItsOwnDoesNotCancelTheGather() {
        Loops.virtual(() -> {
            Task<String> a = Aio.createTask(() -> Aio.sleep(10, "a"));
            Task<String> b = Aio.createTask(() -> Aio.sleep(1, "b"));
            AsyncFuture<List<String>> g = Aio.gather(a, b);
            Aio.sleep(0);
            a.cancel("only a");
            CancelledError e = assertThrows(CancelledError.class, g::await);
            assertEquals("only a", e.getMessage());
            assertFalse(g.isCancelled(), "the gather ends with the child's CancelledError as its"
                    + " exception, it is not itself cancelled (asyncio semantics)");
            assertEquals("b", b.await());
            return null;
        });
    }

    @Test
    void cancellingTheAwaitingTaskCancelsTheGatherAndChildren() {
        Loops.virtual(() -> {
            Task<String> a = Aio.createTask(() -> Aio.sleep(10, "a"));
            Task<List<String>> waiter = Aio.createTask(() -> Aio.gather(a).await());
            Aio.sleep(0);
            waiter.cancel();
            assertThrows(CancelledError.class, waiter::await);
            assertTrue(a.isCancelled());
            return null;
        });
    }

    @Test
    void duplicateFuturesAreAwaitedOnce() {
        Loops.virtual(() -> {
            Task<Integer> t = Aio.createTask(() -> 5);
            assertEquals(List.of(5, 5), Aio.gather(t, t).await());
            return null;
        });
    }
}
