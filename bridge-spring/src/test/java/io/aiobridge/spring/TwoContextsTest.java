package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.aiobridge.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * Two applications alive in one JVM at once, as Spring's test-context cache keeps them: each
 * serves its coroutines, generators, functional routes and WebSockets (given the group) on its
 * own group, although only the later one's group is the JVM's default.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TwoContextsTest {

    private static ConfigurableApplicationContext start(String name) {
        return new SpringApplicationBuilder(SpringApp.class)
                .properties("server.port=0", "aiobridge.loops=2", "aiobridge.name=" + name)
                .run();
    }

    private static WebClient client(ConfigurableApplicationContext app) {
        return WebClient.create("http://127.0.0.1:"
                + app.getEnvironment().getProperty("local.server.port"));
    }

    private static Map<String, Object> hello(ConfigurableApplicationContext app) {
        return client(app).get().uri("/hello/ada").retrieve()
                .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                .block(Duration.ofSeconds(10));
    }

    private static String get(ConfigurableApplicationContext app, String path) {
        return client(app).get().uri(path).retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
    }

    /** The one message the context's group-of-websocket endpoint sends. */
    private static String webSocket(ConfigurableApplicationContext app) {
        List<String> got = new CopyOnWriteArrayList<>();
        new ReactorNettyWebSocketClient().execute(URI.create("ws://127.0.0.1:"
                        + app.getEnvironment().getProperty("local.server.port")
                        + "/group-of-websocket"),
                session -> session.receive().map(WebSocketMessage::getPayloadAsText)
                        .doOnNext(got::add).then())
                .block(Duration.ofSeconds(10));
        return String.join(",", got);
    }

    @Test
    void eachLiveContextServesOnItsOwnGroup() {
        EventLoopGroup before = EventLoopGroup.setDefaultGroup(null);
        EventLoopGroup.setDefaultGroup(before);
        try (ConfigurableApplicationContext first = start("first")) {
            try (ConfigurableApplicationContext second = start("second")) {
                assertSame(second.getBean(EventLoopGroup.class), EventLoopGroup.defaultGroup());
                // the first context's handlers stay on the first group, the default or not
                assertEquals(Map.of("hello", "ada", "onGroupLoop", true), hello(first));
                assertEquals("first true", get(first, "/group-of-generator"));
                assertEquals("first true", get(first, "/group-of-route"));
                assertEquals("first true", webSocket(first));
                assertEquals(Map.of("hello", "ada", "onGroupLoop", true), hello(second));
                assertEquals("second true", get(second, "/group-of-generator"));
                assertEquals("second true", get(second, "/group-of-route"));
                assertEquals("second true", webSocket(second));
            }
            // the second closed: the first's group is the default again. (Its server is not
            // asked again: closing either context stops Reactor Netty's shared event loops,
            // with or without aiobridge, so the other's server stops answering too.)
            assertSame(first.getBean(EventLoopGroup.class), EventLoopGroup.defaultGroup());
        } finally {
            EventLoopGroup.setDefaultGroup(before);
        }
    }
}
