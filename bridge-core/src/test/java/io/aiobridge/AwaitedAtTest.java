package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** A failure's async stack trace: where it was awaited, added without changing the failure. */
class AwaitedAtTest {
    static final IllegalStateException BOOM = new IllegalStateException("boom");

    /** The methods the AwaitedAt frames name, in order. */
    static List<String> awaitingMethods(Throwable failure) {
        List<String> chain = new ArrayList<>();
        for (Throwable s : failure.getSuppressed()) {
            if (s instanceof AwaitedAt) {
                StackTraceElement top = s.getStackTrace()[0];
                chain.add(top.getMethodName());
            }
        }
        return chain;
    }

    static String inner() {
        Aio.sleep(0);
        throw new IllegalStateException("inner failed");
    }

    static String middle() {
        Task<String> t = Aio.createTask(AwaitedAtTest::inner, "inner-task");
        return t.await(); // awaited here: the first AwaitedAt
    }

    static String outer() {
        Task<String> t = Aio.createTask(AwaitedAtTest::middle, "middle-task");
        return t.await(); // and here: the second
    }

    @Test
    void eachAwaitOnTheWayOutIsRecordedAndTheFailureKeepsItsIdentity() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Aio.run(AwaitedAtTest::outer));
        assertEquals("inner failed", e.getMessage(), "the same failure, not a wrapper");
        assertEquals("inner", e.getStackTrace()[0].getMethodName(), "thrown where it was");
        assertEquals(List.of("middle", "outer"), awaitingMethods(e),
                "then the awaits, innermost first");
        AwaitedAt first = (AwaitedAt) e.getSuppressed()[0];
        assertEquals("awaited by task 'middle-task'", first.getMessage());
    }

    static Object awaitStage(CompletableFuture<Object> stage) {
        return Aio.await(stage);
    }

    @Test
    void aCheckedFailureFromAnotherThreadShowsWhereItWasAwaited() {
        IOException io = new IOException("refused");
        CompletableFuture<Object> stage = new CompletableFuture<>();
        new Thread(() -> stage.completeExceptionally(io)).start();
        CompletionException e = assertThrows(CompletionException.class,
                () -> Aio.run(() -> awaitStage(stage)));
        assertSame(io, e.getCause(), "the checked failure, wrapped as documented");
        assertEquals(List.of("awaitStage"), awaitingMethods(io),
                "the original carries the await, so the log shows it under the cause");
    }

    @Test
    void cancellationsAreNotMarkedAndAFailureKeepsAtMostEightAwaits() {
        Aio.run(() -> {
            AsyncFuture<Void> never = Aio.getRunningLoop().createFuture();
            Task<Void> t = Aio.createTask(never::await);
            Aio.sleep(0);
            t.cancel();
            CancelledError c = assertThrows(CancelledError.class, t::await);
            assertEquals(0, c.getSuppressed().length);

            AsyncFuture<Void> failed = Aio.getRunningLoop().createFuture();
            IllegalStateException shared = new IllegalStateException("shared");
            failed.setException(shared);
            for (int i = 0; i < 20; i++) {
                assertThrows(IllegalStateException.class, failed::await);
            }
            assertEquals(AwaitedAt.MAX_PER_FAILURE, awaitingMethods(shared).size());
            return null;
        });
    }

    @Test
    void theRuntimesOwnFramesAreLeftOut() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Aio.run(AwaitedAtTest::outer));
        for (Throwable s : e.getSuppressed()) {
            StackTraceElement top = s.getStackTrace()[0];
            assertTrue(top.getClassName().equals(AwaitedAtTest.class.getName()),
                    Arrays.toString(s.getStackTrace()));
        }
    }
}
