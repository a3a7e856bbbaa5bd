package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Code that holds an event loop is on a non-blocking thread for Reactor, as code on Reactor's own
 * event loops and {@code parallel()} workers is: {@code block()} and its relatives fail there at
 * once with Reactor's own error (reactor-core's {@code BlockingTests} check the same for its
 * schedulers), instead of stalling the loop or, for a publisher the loop itself must run,
 * deadlocking it.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlockOnALoopTest {
    private static final String REACTORS = "block()/blockFirst()/blockLast() are blocking, which is"
            + " not supported in thread";

    @BeforeAll
    static void firstUseOfTheBridge() throws ClassNotFoundException {
        // initializing any of the module's entry classes registers the rule, as a first use does
        Class.forName("io.aiobridge.reactor.ReactorAwait");
    }

    @Test
    void blockingInATaskFailsWithReactorsErrorAndAwaitingWorks() {
        List<String> seen = Aio.run(() -> {
            Mono<String> later = Mono.delay(Duration.ofMillis(20)).map(n -> "later");
            Flux<Long> ticks = Flux.interval(Duration.ofMillis(5)).take(3);
            String block = assertThrows(IllegalStateException.class, later::block).getMessage();
            String first = assertThrows(IllegalStateException.class, ticks::blockFirst)
                    .getMessage();
            String last = assertThrows(IllegalStateException.class,
                    () -> ticks.blockLast(Duration.ofSeconds(5))).getMessage();
            String iterable = assertThrows(IllegalStateException.class,
                    () -> ticks.toIterable().iterator().next()).getMessage();
            return List.of(block, first, last, iterable, ReactorAwait.awaitSingle(later),
                    String.valueOf(ReactorAwait.awaitList(ticks)));
        });
        for (String m : seen.subList(0, 3)) {
            assertTrue(m.startsWith(REACTORS), m);
        }
        assertTrue(seen.get(3).contains("blocking"), seen.get(3));
        assertEquals(List.of("later", "[0, 1, 2]"), seen.subList(4, 6));
    }

    @Test
    void aPublisherOfTheSameLoopBlockedOnFailsInsteadOfDeadlocking() {
        String m = Aio.run(() -> assertThrows(IllegalStateException.class,
                () -> ReactorPublish.mono(() -> Aio.sleep(0.01, "from the loop")).block())
                .getMessage());
        assertTrue(m.startsWith(REACTORS), m);
    }

    @Test
    void aLoopCallbackIsRefusedToo() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            CompletableFuture<String> inCallback = new CompletableFuture<>();
            loop.callSoon(() -> {
                try {
                    Mono.delay(Duration.ofMillis(10)).block();
                    inCallback.complete("blocked");
                } catch (IllegalStateException e) {
                    inCallback.complete(e.getMessage());
                }
                loop.stop();
            });
            loop.runForever();
            assertTrue(inCallback.get(1, TimeUnit.SECONDS).startsWith(REACTORS),
                    inCallback.get());
        }
    }

    @Test
    void offTheLoopBlockingIsReactorsUsualBusiness() {
        assertEquals("off the loop", Aio.run(() -> Aio.toThread(
                () -> Mono.delay(Duration.ofMillis(10)).map(n -> "off the loop").block())));
        assertEquals("plain thread", Mono.delay(Duration.ofMillis(10)).map(n -> "plain thread")
                .block(Duration.ofSeconds(5)));
        assertEquals("done", Aio.run(() -> Mono.just("done").block()),
                "a value already there does not wait, so Reactor lets it through");
        assertFalse(Schedulers.isInNonBlockingThread());
    }
}
