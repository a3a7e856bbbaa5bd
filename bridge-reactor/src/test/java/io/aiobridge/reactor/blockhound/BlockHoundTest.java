package io.aiobridge.reactor.blockhound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.reactor.ReactorAwait;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * With BlockHound installed (its own JVM: see the pom's blockhound execution), a blocking call in
 * a task or a loop callback is reported at the call; awaiting is not.
 */
class BlockHoundTest {

    @BeforeAll
    static void install() {
        BlockHound.install(); // finds AiobridgeBlockHoundIntegration through the service loader
    }

    @Test
    void threadSleepInATaskIsReportedAtTheCall() {
        BlockingOperationError e = assertThrows(BlockingOperationError.class, () -> Aio.run(() -> {
            Thread.sleep(5); // a sleep of any length parks
            return null;
        }));
        assertTrue(e.getMessage().contains("VirtualThread#parkNanos"), e.getMessage());
        assertTrue(java.util.Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getMethodName()
                .contains("threadSleepInATaskIsReportedAtTheCall")), "the test's own frame");
    }

    @Test
    void blockOnAMonoInATaskIsRefusedByReactorItselfBeforeBlockHound() throws Exception {
        // the bridge has told Reactor that a loop's thread is non-blocking, so block() fails with
        // Reactor's own error before it parks (BlockOnALoopTest has the rest of that rule)
        Class.forName("io.aiobridge.reactor.ReactorAwait"); // initialized, as by any first use
        Mono<String> later = Mono.just("x").delayElement(Duration.ofSeconds(5), Schedulers.parallel());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Aio.run(later::block));
        assertTrue(e.getMessage().startsWith("block()/blockFirst()/blockLast() are blocking"),
                e.getMessage());
    }

    @Test
    void aPendingCompletableFutureGetInATaskIsReported() {
        CompletableFuture<String> never = new CompletableFuture<>();
        assertThrows(BlockingOperationError.class, () -> Aio.run(() -> never.get(5,
                java.util.concurrent.TimeUnit.SECONDS)));
    }

    @Test
    void awaitingIsNotBlocking() {
        String r = Aio.run(() -> {
            Aio.sleep(0.005);
            Task<String> t = Aio.createTask(() -> Aio.sleep(0.005, "task"));
            AsyncQueue<String> q = new AsyncQueue<>();
            Aio.createTask(() -> {
                Aio.sleep(0.005);
                q.putNowait("queued");
                return null;
            });
            String mono = ReactorAwait.awaitSingle(Mono.just("mono")
                    .delayElement(Duration.ofMillis(5), Schedulers.parallel()));
            String stage = Aio.await(CompletableFuture.supplyAsync(() -> "stage"));
            // blocking work belongs off the loop, where it is allowed
            String off = Aio.toThread(() -> {
                Thread.sleep(5);
                return "thread";
            });
            return String.join(",", t.await(), q.get(), mono, stage, off);
        });
        assertEquals("task,queued,mono,stage,thread", r);
    }

    @Test
    void aBlockingLoopCallbackIsReportedToo() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        try (EventLoop loop = EventLoop.newEventLoop()) {
            loop.setExceptionHandler((l, ctx) -> seen.set(ctx.exception()));
            loop.callSoon(() -> {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            loop.runUntilComplete(loop.createTask(() -> Aio.sleep(0.01, "done")));
        }
        assertInstanceOf(BlockingOperationError.class, seen.get());
    }
}
