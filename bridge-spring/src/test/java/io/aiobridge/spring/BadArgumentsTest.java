package io.aiobridge.spring;

import io.aiobridge.EventLoopGroup;
import io.aiobridge.testing.BadArguments;
import io.aiobridge.testing.PublicApi;
import io.aiobridge.testing.SweepValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Every public member of bridge-spring, called with null or -1 in one parameter at a time, and
 * from a thread with no loop (as bridge-core's {@code BadArgumentsTest}): each rejects a bad
 * value up front, naming it, and none needs a loop's thread. The settings'
 * setters are members too, so {@code setLoops(-1)} or {@code setShutdownTimeout(null)} made in
 * code is refused as the same value bound from {@code application.properties} is ({@link
 * SettingsTest}).
 */
class BadArgumentsTest {

    /** Where null is a documented value. */
    static final Set<String> ALLOWED = Set.of(
            "AiobridgeProperties.setEngine(Engine)#0", // null: the JVM's setting
            // Spring's BeanPostProcessor contract: a bean is never null, the name may be
            "AiobridgeReactiveTypes.postProcessAfterInitialization(Object,String)#0",
            "AiobridgeReactiveTypes.postProcessAfterInitialization(Object,String)#1");

    @Test
    void everyPublicMemberRejectsABadArgumentClearlyOrDocumentsIt() throws Exception {
        List<AutoCloseable> made = new ArrayList<>();
        // LoopGroupLifecycle.start() makes the sweep's group the default: put it back after
        EventLoopGroup previousDefault = EventLoopGroup.setDefaultGroup(null);
        try (SweepValues core = new SweepValues()) {
            Function<Class<?>, Object> values = type -> {
                if (type == ReactiveAdapterRegistry.class) {
                    return new ReactiveAdapterRegistry();
                }
                if (type == MeterRegistry.class) {
                    return new SimpleMeterRegistry();
                }
                if (type == ServerWebExchange.class) {
                    return MockServerWebExchange.from(MockServerHttpRequest.get("/"));
                }
                if (type == ServerRequest.class) {
                    return MockServerRequest.builder().build();
                }
                if (type == CloseStatus.class) {
                    return CloseStatus.NORMAL;
                }
                if (type == Duration.class) {
                    return Duration.ofSeconds(1);
                }
                if (type == AiobridgeReactiveTypes.class) {
                    return new AiobridgeReactiveTypes();
                }
                if (type == AiobridgeProperties.class) {
                    return new AiobridgeProperties();
                }
                if (type == LoopGroupMetrics.class) {
                    LoopGroupMetrics metrics = new LoopGroupMetrics(
                            (EventLoopGroup) core.apply(EventLoopGroup.class),
                            Duration.ofSeconds(1));
                    made.add(metrics);
                    return metrics;
                }
                return core.apply(type);
            };
            BadArguments.assertClean(BadArguments.sweep(classes(), values, ALLOWED), ALLOWED,
                    10);
            BadArguments.assertClean(BadArguments.sweepNegative(classes(), values, Set.of()),
                    Set.of(), 1);
            BadArguments.assertClean(BadArguments.sweepOffLoop(classes(), values, Set.of(),
                    Set.of()), Set.of(), 20);
        } finally {
            EventLoopGroup.setDefaultGroup(previousDefault);
            for (AutoCloseable c : made) {
                c.close();
            }
        }
    }

    private static List<Class<?>> classes() throws IOException {
        return PublicApi.classes(Path.of("target/classes"));
    }
}
