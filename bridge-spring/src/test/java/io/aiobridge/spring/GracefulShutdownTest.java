package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.EventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("closing-") && t.isAlive()),
                "every loop thread ended");
        ctx.close(); // a second close is harmless
    }
}
