package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * {@code aiobridge.netty-carriers}: the suite runs once on a JVM that keeps {@code java.lang}
 * closed (the group is made as configured) and once with it opened (the netty-carriers execution
 * in the pom: one loop per Reactor Netty server event loop, and a handler's task code runs on the
 * event loop that read its request, before and after an await).
 */
@SpringBootTest(classes = SpringApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"aiobridge.loops=3", "aiobridge.name=carried"})
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NettyCarriersTest {
    @LocalServerPort
    int port;

    @Autowired
    EventLoopGroup group;

    Map<String, String> where() {
        return WebClient.create("http://127.0.0.1:" + port).get().uri("/where").retrieve()
                .bodyToMono(new ParameterizedTypeReference<Map<String, String>>() {})
                .block(Duration.ofSeconds(10));
    }

    @Test
    void theGroupIsOnNettysEventLoopsExactlyWhenTheJvmAllowsIt() {
        for (EventLoop loop : group.loops()) {
            assertEquals(EventLoop.carriersAvailable(), loop.toString().contains("engine=executor("),
                    loop.toString());
        }
        if (!EventLoop.carriersAvailable()) {
            assertEquals(3, group.size(), "aiobridge.loops, as configured");
        }
    }

    @Test
    void aHandlerBlockingOnTheGroupsWorkIsRefusedOnNettysThreadInsteadOfHangingIt() {
        var reply = WebClient.create("http://127.0.0.1:" + port).get().uri("/joined")
                .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(10));
        if (EventLoop.carriersAvailable()) {
            assertEquals(500, reply.getStatusCode().value(), String.valueOf(reply));
            assertTrue(reply.getBody().startsWith("join() on a pending CompletableFuture of")
                    && reply.getBody().matches("(?s).*from thread '[^']*-http-[a-z_]+-\\d+'.*")
                    && reply.getBody().contains("would deadlock"), reply.getBody());
        } else {
            assertEquals("joined", reply.getBody(), "the group's own threads do the work");
        }
        // and the event loop that refused still serves
        assertEquals(200, WebClient.create("http://127.0.0.1:" + port).get().uri("/where")
                .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)).getStatusCode()
                .value());
    }

    @Test
    void aHandlersTaskRunsOnTheEventLoopThatReadItsRequestBeforeAndAfterItAwaits() {
        for (int i = 0; i < 20; i++) {
            Map<String, String> where = where();
            String handler = where.get("handler");
            assertTrue(handler.matches(".*-http-(epoll|nio|kqueue|io_uring)-\\d+"),
                    "Spring calls handlers on a Netty event loop: " + where);
            if (EventLoop.carriersAvailable()) {
                assertEquals(handler, where.get("before"), "started where the request was read");
                assertEquals(handler, where.get("after"), "resumed there after the await");
            } else {
                assertTrue(where.get("before").startsWith("unknown"), where.toString());
            }
        }
    }
}
