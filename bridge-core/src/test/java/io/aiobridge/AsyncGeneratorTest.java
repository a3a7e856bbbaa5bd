package io.aiobridge;

import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.iter.Comprehensions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncGeneratorTest {


    /** A generator of 0..n-1 that records its finally and the thread its body ran on. */
    static AsyncGenerator<Integer, Void> counting(int n, List<String> log, Thread[] bodyThread) {
        return AsyncGenerator.of(y -> {
            bodyThread[0] = Thread.currentThread();
            try {
                for (int i = 0; i < n; i++) {
                    y.yield(i);
                }
            } finally {
                log.add("finally");
            }
        });
    }

    static void assertEnded(Thread t) throws InterruptedException {
        t.join(5000);
        assertFalse(t.isAlive(), "the generator's thread is still alive");
    }

    @Test
    void anEarlyBreakInTryWithResourcesClosesTheGenerator() throws Exception {
        List<String> log = new ArrayList<>();
        Thread[] body = new Thread[1];
        virtual(() -> {
            try (AsyncGenerator<Integer, Void> gen = counting(100, log, body)) {
                for (int i : gen) {
                    if (i == 2) {
                        break;
                    }
                }
            }
            assertEquals(List.of("finally"), log);
            return null;
        });
        assertEnded(body[0]);
    }

    @Test
    void anExceptionInTheConsumerClosesTheGenerator() throws Exception {
        List<String> log = new ArrayList<>();
        Thread[] body = new Thread[1];
        virtual(() -> {
            assertThrows(IllegalStateException.class, () -> {
                try (var items = Comprehensions.closing(counting(100, log, body))) {
                    for (int i : items) {
                        if (i == 3) {
                            throw new IllegalStateException("consumer failed");
                        }
                    }
                }
            });
            assertEquals(List.of("finally"), log);
            return null;
        });
        assertEnded(body[0]);
    }

    @Test
    void forEachClosesTheGeneratorBeforeTheActionsExceptionLeavesAndNotWhenItEnds()
            throws Exception {
        List<String> log = new ArrayList<>();
        Thread[] body = new Thread[1];
        List<Integer> seen = new ArrayList<>();
        virtual(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> counting(100, log, body).forEach(i -> {
                        seen.add(i);
                        if (i == 3) {
                            throw new IllegalStateException("consumer failed");
                        }
                    }));
            assertEquals("consumer failed", e.getMessage());
            assertEquals(List.of("finally"), log, "closed before the catch, as aclosing does");

            seen.clear();
            log.clear();
            counting(3, log, body).forEach(seen::add);
            assertEquals(List.of(0, 1, 2), seen);
            assertEquals(List.of("finally"), log, "a generator that ended closes itself once");

            // a failing close is added to the action's exception, which stays the one thrown
            AsyncGenerator<Integer, Void> badFinally = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                    y.yield(2);
                } finally {
                    throw new IllegalArgumentException("finally failed");
                }
            });
            IllegalStateException first = assertThrows(IllegalStateException.class,
                    () -> badFinally.forEach(i -> {
                        throw new IllegalStateException("action failed");
                    }));
            assertEquals("action failed", first.getMessage());
            assertEquals("finally failed", first.getSuppressed()[0].getMessage());
            return null;
        });
        assertEnded(body[0]);
    }

    @Test
    void cancellingTheConsumerWhileTheBodyAwaitsRunsTheBodysFinally() throws Exception {
        List<String> log = new ArrayList<>();
        Thread[] body = new Thread[1];
        virtual(() -> {
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                body[0] = Thread.currentThread();
                try {
                    y.yield(1);
                    Aio.sleep(100); // the consumer's task is suspended here, inside the body
                    y.yield(2);
                } catch (CancelledError e) {
                    log.add("body saw the cancellation");
                    throw e;
                } finally {
                    log.add("finally");
                }
            });
            Task<Integer> consumer = Aio.createTask(() -> {
                int sum = 0;
                for (int i : gen) {
                    sum += i;
                }
                return sum;
            });
            Aio.sleep(1);
            consumer.cancel();
            assertThrows(CancelledError.class, consumer::await);
            assertTrue(gen.isClosed());
            assertEquals(List.of("body saw the cancellation", "finally"), log);
            return null;
        });
        assertEnded(body[0]);
    }

    @Test
    void cancellingTheConsumerWhileTheGeneratorIsParkedClosesItAtShutdown() throws Exception {
        List<String> log = new ArrayList<>();
        Thread[] body = new Thread[1];
        virtual(() -> {
            AsyncGenerator<Integer, Void> gen = counting(100, log, body);
            Task<Void> consumer = Aio.createTask(() -> {
                for (int i : gen) {
                    Aio.sleep(10); // cancelled here: the generator stays parked at its yield
                }
                return null;
            });
            Aio.sleep(1);
            consumer.cancel();
            assertThrows(CancelledError.class, consumer::await);
            assertEquals(List.of(), log, "nobody closed it yet");
            return null;
        });
        assertEquals(List.of("finally"), log, "Runner exit closed the generator");
        assertEnded(body[0]);
    }

    @Test
    void closingTheLoopClosesGeneratorsLeftOpen() throws Exception {
        List<String> log = new ArrayList<>();
        Thread[] body = new Thread[1];
        EventLoop loop = EventLoop.newVirtualTimeEventLoop();
        AsyncGenerator<Integer, Void> gen = counting(10, log, body);
        loop.runUntilComplete(loop.createTask(() -> Comprehensions.anext(gen)));
        loop.close();
        assertEquals(List.of("finally"), log);
        assertEnded(body[0]);
    }

    @Test
    void theBodyRunsAsPartOfTheConsumersTask() {
        virtual(() -> {
            Task<?> me = Aio.currentTask();
            Task<?>[] seen = new Task<?>[1];
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                seen[0] = Aio.currentTask();
                y.yield(1);
            });
            assertEquals(1, Comprehensions.anext(gen));
            assertSame(me, seen[0]);
            return null;
        });
    }

    @Test
    void bodyExceptionsReachTheConsumerAndEndTheGenerator() {
        virtual(() -> {
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                y.yield(1);
                throw boom;
            });
            assertEquals(1, gen.anext().await());
            assertSame(boom, assertThrows(IllegalArgumentException.class,
                    () -> gen.anext().await()));
            assertTrue(gen.isClosed());
            assertThrows(StopAsyncIteration.class, () -> gen.anext().await());
            return null;
        });
    }

    @Test
    void athrowAndAcloseFollowCPython() {
        virtual(() -> {
            List<String> log = new ArrayList<>();
            AsyncGenerator<String, Void> gen = AsyncGenerator.of(y -> {
                try {
                    y.yield("a");
                } catch (IllegalStateException e) {
                    log.add("caught " + e.getMessage());
                    y.yield("recovered");
                }
            });
            assertEquals("a", gen.anext().await());
            assertEquals("recovered", gen.athrow(new IllegalStateException("x")).await());
            gen.aclose();
            gen.aclose(); // idempotent
            // CPython 3.11-3.13: athrow() on a closed generator returns None without raising
            assertEquals(null, gen.athrow(new IllegalStateException("late")).await());
            assertEquals(List.of("caught x"), log);

            AsyncGenerator<String, Void> fresh = AsyncGenerator.of(y -> log.add("never runs"));
            IllegalStateException thrown = new IllegalStateException("into a fresh generator");
            assertSame(thrown, assertThrows(IllegalStateException.class,
                    () -> fresh.athrow(thrown).await()));
            assertTrue(fresh.isClosed());

            AsyncGenerator<String, Void> stubborn = AsyncGenerator.of(y -> {
                try {
                    y.yield("1");
                } finally {
                    y.yield("yield while closing");
                }
            });
            stubborn.anext().await();
            IllegalStateException ignored = assertThrows(IllegalStateException.class,
                    stubborn::aclose);
            assertTrue(ignored.getMessage().startsWith("async generator ignored GeneratorExit"));
            assertTrue(stubborn.isClosed(), "closed again at its next yield: no thread left");
            return null;
        });
    }

    @Test
    void catchExceptionInTheBodyDoesNotSwallowClose() {
        List<String> log = new ArrayList<>();
        virtual(() -> {
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                    y.yield(2);
                } catch (Exception careless) {
                    log.add("swallowed");
                }
                log.add("after");
            });
            gen.anext().await();
            gen.aclose();
            return null;
        });
        assertEquals(List.of(), log);
    }

    @Test
    void prefetchRunsAheadInBatchesButFlushesBeforeAwaiting() {
        List<String> log = new ArrayList<>();
        virtual(() -> {
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                for (int i = 0; i < 5; i++) {
                    log.add("yield " + i);
                    y.yield(i);
                }
                Aio.sleep(1); // flush before suspending: 0..4 reach the consumer first
                log.add("yield 5");
                y.yield(5);
            });
            try (var batched = gen.prefetch(3)) {
                for (int i : batched) {
                    log.add("got " + i);
                }
            }
            return null;
        });
        assertEquals(List.of("yield 0", "yield 1", "yield 2", "got 0", "got 1", "got 2",
                "yield 3", "yield 4", "got 3", "got 4", "yield 5", "got 5"), log);
    }

    @Test
    void aGeneratorIsNotReentrant() {
        virtual(() -> {
            AsyncGenerator<Integer, Void>[] self = new AsyncGenerator[1];
            self[0] = AsyncGenerator.of(y -> y.yield(self[0].anext().await()));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> self[0].anext().await());
            // asyncio's text up to the first "; ", as every message (docs/errors.md)
            assertEquals("anext(): asynchronous generator is already running",
                    e.getMessage().split("; ")[0]);
            return null;
        });
    }

    @Test
    void usingAGeneratorOutsideATaskIsAClearError() {
        AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> y.yield(1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gen.anext().await());
        assertTrue(e.getMessage().contains("must be called from a task"), e.getMessage());
    }
    @Test
    void yieldingFromAChildTaskOrAfterTheBodyIsRefusedClearly() {
        List<String> log = new ArrayList<>();
        @SuppressWarnings("unchecked")
        AsyncGenerator.Yield<Integer, Void>[] leaked = new AsyncGenerator.Yield[1];
        virtual(() -> {
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                leaked[0] = y;
                Task<Void> child = Aio.createTask(() -> {
                    y.yield(99); // not the body: refused, and the generator is untouched
                    return null;
                });
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        child::await);
                log.add(e.getMessage());
                y.yield(1);
            });
            assertEquals(List.of(1), Comprehensions.toList(gen));
            assertThrows(IllegalStateException.class, () -> leaked[0].yield(2));
            return null;
        });
        assertEquals(1, log.size());
        assertTrue(log.get(0).startsWith("yield() called outside the body of <AsyncGenerator"),
                log.get(0));
        assertTrue(log.get(0).contains("put them on an AsyncQueue"), log.get(0));
    }

    // ---- a generator dropped unfinished (asyncio's finalizer hook) ------------------------------

    /** Collects garbage until {@code done} holds, for at most 10 s; on the loop, as a test may. */
    private static boolean collectUntil(java.util.function.BooleanSupplier done) {
        for (int i = 0; i < 200 && !done.getAsBoolean(); i++) {
            System.gc();
            Aio.sleep(0.05);
        }
        return done.getAsBoolean();
    }

    @Test
    void aGeneratorLeftByABreakIsClosedOnItsLoopOnceItsHandleIsCollected() {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Aio.run(() -> {
            Aio.createTask(() -> {
                AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                    try {
                        for (int i = 0; ; i++) {
                            y.yield(i);
                        }
                    } catch (GeneratorExit e) {
                        Aio.sleep(0); // a close may await, as in asyncio
                        events.add("closed in " + Aio.currentTask().getName());
                        throw e;
                    }
                });
                for (int i : gen) {
                    if (i == 2) {
                        break; // Java's for-each cannot close what it leaves
                    }
                }
                return null;
            }, "consumer").await();
            assertTrue(collectUntil(() -> !events.isEmpty()), "closed while the loop runs");
            return null;
        });
        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).startsWith("closed in aclose <AsyncGenerator"), events.get(0));
    }

    @Test
    void anIdleLoopIsWokenToCloseAGeneratorDroppedOnIt() throws Exception {
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        try (io.aiobridge.testing.BackgroundLoop bg = io.aiobridge.testing.BackgroundLoop
                .start()) {
            bg.run(() -> {
                AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                    try {
                        y.yield(1);
                        y.yield(2);
                    } finally {
                        closed.countDown();
                    }
                });
                return gen.anext().await(); // then dropped; the loop has nothing more to do
            });
            for (int i = 0; i < 200 && closed.getCount() > 0; i++) {
                System.gc(); // from this thread: the loop itself stays idle
                closed.await(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            assertEquals(0, closed.getCount(), "closed before the loop's own close");
        }
    }

    @Test
    void theLoopsOwnCloseOfAGeneratorAlreadyClosingIsQuiet() {
        // the loop's closers (the collector's and shutdownAsyncgens()) can meet one generator
        List<ErrorContext> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                } finally {
                    Aio.sleep(0.05); // the close awaits
                    steps.add("finally done");
                }
            });
            gen.anext().await();
            Task<Void> closing = Aio.createTask(() -> {
                gen.aclose();
                return null;
            });
            Aio.sleep(0.01);
            Aio.getRunningLoop().shutdownAsyncgens().await();
            closing.await();
            return null;
        });
        assertEquals(List.of("finally done"), steps);
        assertEquals(List.of(), reported);
    }

    @Test
    void aGeneratorStillHeldIsNotClosedByTheCollector() {
        Aio.run(() -> {
            AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                for (int i = 0; ; i++) {
                    y.yield(i);
                }
            });
            assertEquals(0, gen.anext().await());
            for (int i = 0; i < 3; i++) {
                System.gc();
                Aio.sleep(0.05);
            }
            assertFalse(gen.isClosed());
            assertEquals(1, gen.anext().await()); // goes on where it was
            gen.aclose();
            return null;
        });
    }

    @Test
    void aFailureWhileClosingADroppedGeneratorReachesTheLoopsHandler() {
        List<ErrorContext> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        IllegalStateException cleanup = new IllegalStateException("cleanup failed");
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            Aio.createTask(() -> {
                AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
                    try {
                        y.yield(1);
                    } catch (GeneratorExit e) {
                        throw cleanup;
                    }
                });
                gen.anext().await();
                return null; // dropped at its yield
            }).await();
            assertTrue(collectUntil(() -> !reported.isEmpty()), "reported while the loop runs");
            return null;
        });
        assertEquals(1, reported.size(), reported.toString());
        assertTrue(reported.get(0).message().startsWith("an error occurred during closing of"
                + " asynchronous generator <AsyncGenerator"), reported.get(0).message());
        assertSame(cleanup, reported.get(0).exception());
    }
}
