package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.EventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Closing the context with work in flight: the web server's graceful shutdown lets the request
 * finish, then the group closes (its loops cancel what is left and end their threads).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GracefulShutdownTest {

    @Test
    void aRequestInFlightFinishesThenTheGroupClosesAndItsThreadsEnd() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplication(SpringApp.class).run(
                "--server.port=0", "--server.shutdown=graceful", "--aiobridge.name=closing",
                "--aiobridge.loops=2", "--spring.lifecycle.timeout-per-shutdown-phase=5s");
        EventLoopGroup group = ctx.getBean(EventLoopGroup.class);
        int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
        SpringApp.EVENTS.clear();
        CompletableFuture<String> inFlight = WebClient.create("http://127.0.0.1:" + port).get()
                .uri("/slow/0.5").retrieve().bodyToMono(String.class).toFuture();
        while (!SpringApp.EVENTS.contains("slow 0.5 started")) {
            Thread.sleep(5);
        }
        ctx.close(); // graceful: the server waits for the request, then the group closes
        assertEquals("done after 0.5", inFlight.get(), "the request in flight was answered");
        assertEquals(List.of("slow 0.5 started", "slow 0.5 finished"), SpringApp.EVENTS.stream()
                .filter(e -> e.startsWith("slow 0.5")).toList());
        assertTrue(group.isTerminated(), "the group closed with the context");
        assertTrue(EventLoopGroup.defaultGroup() != group, "no longer the default");
        // shutdownGracefully gives each thread a second to end after its loop closed; on a
        // loaded machine the last step of a thread's exit can take longer (one CI run of
        // 2026-12-02 saw a thread alive right after), so wait for the end, bounded
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loopThreadsAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(!loopThreadsAlive(), "every loop thread ended");
        ctx.close(); // a second close is harmless
    }

    private static boolean loopThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("closing-") && t.isAlive());
    }
}
