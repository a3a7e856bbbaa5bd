package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AwaitedAt;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A Mono that fails on another thread says nothing about its caller in its own trace; the
 * AwaitedAt the runtime adds names the method that awaited it.
 */
class ReactorAwaitTraceTest {
    static final IllegalStateException UPSTREAM = new IllegalStateException("upstream down");

    static String fetchPrice() {
        return ReactorAwait.awaitSingle(Mono.<String>error(UPSTREAM)
                .delaySubscription(Duration.ofMillis(5), Schedulers.parallel()));
    }

    @Test
    void theAwaitingMethodIsInTheFailuresTrace() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Aio.run(ReactorAwaitTraceTest::fetchPrice));
        assertSame(UPSTREAM, e, "the same exception object, same type");
        AwaitedAt at = (AwaitedAt) Arrays.stream(e.getSuppressed())
                .filter(s -> s instanceof AwaitedAt).findFirst().orElseThrow();
        assertTrue(Arrays.stream(at.getStackTrace()).anyMatch(f ->
                f.getMethodName().equals("fetchPrice")), Arrays.toString(at.getStackTrace()));
        assertTrue(at.getStackTrace()[0].getMethodName().equals("fetchPrice"),
                "the first frame is the caller's, not the bridge's: " + at.getStackTrace()[0]);
    }
}
