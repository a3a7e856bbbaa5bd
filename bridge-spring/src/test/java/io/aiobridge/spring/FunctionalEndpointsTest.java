package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.ContextVar;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.reactor.ReactorAwait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * {@link AioWebFlux}: functional routes, a handler filter and a web filter written as
 * sequential code, each a task per request, served by a real WebFlux server, as Kotlin's
 * {@code coRouter} and {@code CoWebFilter} are.
 */
@SpringBootTest(classes = FunctionalEndpointsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"aiobridge.loops=2", "aiobridge.name=fn"})
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FunctionalEndpointsTest {
    /** Set by the web filter from the X-Tenant header, read by the handlers downstream. */
    static final ContextVar<String> TENANT = new ContextVar<>("tenant", "none");
    /** What the filters and handlers did, in order, for the tests. */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    @SpringBootApplication(scanBasePackageClasses = App.NoScan.class)
    static class App {
        /** Scans nothing: the beans are declared here. */
        static final class NoScan {}

        @Bean
        WebFilter tenantFilter() {
            return AioWebFlux.webFilter((exchange, chain) -> {
                String tenant = exchange.getRequest().getHeaders().getFirst("X-Tenant");
                if ("blocked".equals(tenant)) { // answers itself: the chain never runs
                    exchange.getResponse().setStatusCode(HttpStatus.FORBIDDEN);
                    ReactorAwait.awaitSingleOrNull(exchange.getResponse().setComplete());
                    return;
                }
                if (tenant != null) {
                    TENANT.set(tenant); // seen by the handler's task, through the Reactor Context
                }
                try {
                    chain.filter(exchange);
                    EVENTS.add("web filter after " + exchange.getRequest().getPath());
                } catch (CancelledError e) {
                    EVENTS.add("web filter cancelled");
                    throw e;
                }
            });
        }

        @Bean
        RouterFunction<ServerResponse> routes(EventLoopGroup group) {
            return RouterFunctions.route()
                    .GET("/fn/hello/{name}", AioWebFlux.handler(request -> {
                        Aio.sleep(0.01);
                        return ReactorAwait.awaitSingle(ServerResponse.ok().bodyValue(Map.of(
                                "hello", request.pathVariable("name"),
                                "tenant", TENANT.get(),
                                "onGroupLoop", group.inGroup())));
                    }))
                    .POST("/fn/length", AioWebFlux.handler(request -> {
                        String body = ReactorAwait.awaitSingle(request.bodyToMono(String.class));
                        return ReactorAwait.awaitSingle(
                                ServerResponse.ok().bodyValue(String.valueOf(body.length())));
                    }))
                    .GET("/fn/null", AioWebFlux.handler(request -> null))
                    .GET("/fn/slow", AioWebFlux.handler(request -> {
                        try {
                            Aio.sleep(30);
                            return ReactorAwait.awaitSingle(ServerResponse.ok().build());
                        } catch (CancelledError e) {
                            EVENTS.add("handler cancelled");
                            throw e;
                        }
                    }))
                    .filter(AioWebFlux.filter((request, next) -> {
                        if (request.queryParam("deny").isPresent()) {
                            return ReactorAwait.awaitSingle(
                                    ServerResponse.status(HttpStatus.FORBIDDEN).build());
                        }
                        EVENTS.add("handler filter before " + request.path());
                        ServerResponse response = next.handle(request);
                        EVENTS.add("handler filter after " + response.statusCode().value());
                        return response;
                    }))
                    .onError(IllegalStateException.class, (e, request) -> ServerResponse
                            .status(HttpStatus.INTERNAL_SERVER_ERROR).bodyValue(e.getMessage()))
                    .build();
        }
    }

    @LocalServerPort
    int port;

    WebClient client() {
        return WebClient.create("http://127.0.0.1:" + port);
    }

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    @Test
    void aHandlerRunsAsATaskOnTheGroupAfterBothFiltersAndSeesWhatTheWebFilterSet()
            throws Exception {
        Map<String, Object> body = client().get().uri("/fn/hello/ada").header("X-Tenant", "acme")
                .retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                .block(Duration.ofSeconds(10));
        assertEquals(Map.of("hello", "ada", "tenant", "acme", "onGroupLoop", true), body);
        // the web filter's task goes on after the response is written: wait for its event
        assertEquals(List.of("handler filter before /fn/hello/ada", "handler filter after 200",
                "web filter after /fn/hello/ada"), events(3));

        Map<String, Object> untagged = client().get().uri("/fn/hello/bob").retrieve()
                .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                .block(Duration.ofSeconds(10));
        assertEquals("none", untagged.get("tenant"), "a task's variable does not leak into the"
                + " next request's");
        assertEquals("5", client().post().uri("/fn/length").bodyValue("hello").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10)));
    }

    @Test
    void filtersThatAnswerThemselvesSkipWhatTheyWrap() throws Exception {
        var forbidden = client().get().uri("/fn/hello/ada?deny")
                .exchangeToMono(r -> r.toBodilessEntity()).block(Duration.ofSeconds(10));
        assertEquals(403, forbidden.getStatusCode().value());
        var blocked = client().get().uri("/fn/hello/ada").header("X-Tenant", "blocked")
                .exchangeToMono(r -> r.toBodilessEntity()).block(Duration.ofSeconds(10));
        assertEquals(403, blocked.getStatusCode().value());
        assertEquals(List.of("web filter after /fn/hello/ada"), events(1), "the handler filter"
                + " never reached its handler; the blocked request never reached the handler"
                + " filter, nor the web filter's code after the chain");
    }

    @Test
    void aNullResponseIsAnErrorThatNamesTheRoute() {
        var reply = client().get().uri("/fn/null").exchangeToMono(r -> r.toEntity(String.class))
                .block(Duration.ofSeconds(10));
        assertEquals(500, reply.getStatusCode().value());
        assertEquals("the handler for GET /fn/null gave no response: return a ServerResponse (for"
                + " none, ReactorAwait.awaitSingle(ServerResponse.noContent().build()))",
                reply.getBody());
    }

    @Test
    void aClientThatLeavesCancelsTheHandlersTaskAndTheWebFiltersAwait() throws Exception {
        client().get().uri("/fn/slow").retrieve().toBodilessEntity()
                .timeout(Duration.ofMillis(300)).onErrorResume(e -> Mono.empty())
                .block(Duration.ofSeconds(10));
        List<String> events = events(3);
        assertTrue(events.containsAll(List.of("handler filter before /fn/slow",
                "handler cancelled", "web filter cancelled")), events.toString());
        assertEquals(3, events.size(), events.toString());
    }

    /** The events once there are {@code n} of them (or after 10 s), a moment later. */
    private static List<String> events(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (EVENTS.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(50); // an event too many would show here
        return List.copyOf(EVENTS);
    }
}
