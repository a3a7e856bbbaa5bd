package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop meters: an idle loop is read without being woken, a busy one is probed on the loop,
 * and its lag shows how long the probe waited.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LoopGroupMetricsTest {

    private static double gauge(SimpleMeterRegistry registry, String name) {
        return registry.get(name).tag("loop", "0").gauge().value();
    }

    @Test
    void anIdleLoopIsReadWithoutWakingItAndABusyOneShowsItsLag() throws Exception {
        try (EventLoopGroup group = EventLoopGroup.builder().name("metered").loops(1).build();
                LoopGroupMetrics metrics = new LoopGroupMetrics(group, Duration.ofMillis(20))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            metrics.bindTo(registry);
            EventLoop loop = group.loops().get(0);
            // three tasks suspended on a future nobody completes: the loop waits for work
            CompletableFuture<AsyncFuture<Void>> never = group.submit(() -> {
                AsyncFuture<Void> f = Aio.getRunningLoop().createFuture();
                for (int i = 0; i < 3; i++) {
                    Aio.createTask(f::await);
                }
                Aio.sleep(0);
                return f;
            });
            AsyncFuture<Void> pending = never.get(10, TimeUnit.SECONDS);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gauge(registry, "aiobridge.loop.tasks") != 3 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(3, gauge(registry, "aiobridge.loop.tasks"));
            // ten probe intervals later: the last probe read the idle loop from here, so its lag
            // is exactly zero (one posted to the loop measures at least the hop)
            Thread.sleep(200);
            assertEquals(0.0, gauge(registry, "aiobridge.loop.lag"));
            assertTrue(loop.idleStats() != null, "the loop still waits for work");

            // a step that holds the loop for 300 ms: the probe posted meanwhile waits for it
            loop.callSoonThreadsafe(() -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
            double maxLag = 0;
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < end) {
                maxLag = Math.max(maxLag, gauge(registry, "aiobridge.loop.lag"));
                Thread.sleep(1);
            }
            assertTrue(maxLag > 0.1, "the lag of a probe that waited behind a 300 ms step: "
                    + maxLag);
            loop.callSoonThreadsafe(() -> pending.cancel());
        }
    }
}
