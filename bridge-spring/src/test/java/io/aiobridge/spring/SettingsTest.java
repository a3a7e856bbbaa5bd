package io.aiobridge.spring;

import static io.aiobridge.testing.Loops.engineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code aiobridge.*} settings: a bad value stops the start with a message naming the setting
 * (what Spring Boot users get from the starters they know), and the engine setting is the group's
 * own, never written into the JVM's system properties where every other loop would read it.
 */
class SettingsTest {
    private static final boolean OPENED =
            Object.class.getModule().isOpen("java.lang", EventLoop.class.getModule());

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AiobridgeAutoConfiguration.class));

    /** The start fails, and the causes' messages name the setting and what it accepts. */
    private void refused(String setting, String... expected) {
        runner.withPropertyValues(setting).run(ctx -> {
            Throwable failure = ctx.getStartupFailure();
            assertNotNull(failure, setting + " was accepted");
            StringBuilder messages = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            for (String part : expected) {
                assertTrue(messages.toString().contains(part),
                        setting + ": no '" + part + "' in\n" + messages);
            }
        });
    }

    @Test
    void badValuesStopTheStartNamingTheSetting() {
        refused("aiobridge.loops=0", "aiobridge.loops",
                "aiobridge.loops must be at least 1, got 0");
        refused("aiobridge.loops=-2", "aiobridge.loops must be at least 1, got -2");
        refused("aiobridge.name= ", "aiobridge.name must not be blank");
        refused("aiobridge.engine=turbo", "aiobridge.engine", "turbo");
        refused("aiobridge.shutdown-timeout=-1s",
                "aiobridge.shutdown-timeout must be zero or more, got PT-1S");
        refused("aiobridge.slow-step-threshold=-5ms",
                "aiobridge.slow-step-threshold must be zero or more");
        // a zero interval made the metrics probe run without pause, a core spinning for nothing
        refused("aiobridge.metrics-interval=0s",
                "aiobridge.metrics-interval must be more than zero, got PT0S");
        refused("aiobridge.metrics-interval=-1s", "aiobridge.metrics-interval must be more than");
    }

    @Test
    void goodValuesReachTheGroup() {
        runner.withPropertyValues("aiobridge.loops=3", "aiobridge.name=svc",
                "aiobridge.shutdown-timeout=0s", "aiobridge.metrics-interval=250ms",
                "aiobridge.slow-step-threshold=0ms").run(ctx -> {
                    assertNull(ctx.getStartupFailure());
                    EventLoopGroup group = ctx.getBean(EventLoopGroup.class);
                    assertEquals(3, group.size());
                    assertEquals("svc", group.name());
                    AiobridgeProperties props = ctx.getBean(AiobridgeProperties.class);
                    assertEquals(Duration.ZERO, props.getShutdownTimeout());
                    assertEquals(Duration.ofMillis(250), props.getMetricsInterval());
                });
    }

    @Test
    void theEngineSettingIsTheGroupsAloneAndLeavesTheJvmsPropertyAlone() {
        String before = System.getProperty("aiobridge.engine");
        runner.withPropertyValues("aiobridge.loops=2", "aiobridge.engine=Default").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            EventLoopGroup group = ctx.getBean(EventLoopGroup.class);
            for (EventLoop loop : group.loops()) {
                assertEquals("default", engineOf(loop));
            }
            // a loop made elsewhere in the JVM keeps the JVM's choice
            assertEquals(before, System.getProperty("aiobridge.engine"));
            try (EventLoop other = EventLoop.newEventLoop()) {
                assertEquals(before == null && OPENED ? "carrier" : "default", engineOf(other));
            }
        });
        assertEquals(before, System.getProperty("aiobridge.engine"));
    }

    @Test
    void askingForTheCarrierEngineWhereTheJvmForbidsItFailsTheStartNamingTheFlag() {
        if (OPENED) {
            runner.withPropertyValues("aiobridge.loops=1", "aiobridge.engine=carrier")
                    .run(ctx -> {
                        assertNull(ctx.getStartupFailure());
                        assertEquals("carrier",
                                engineOf(ctx.getBean(EventLoopGroup.class).loops().get(0)));
                    });
        } else {
            refused("aiobridge.engine=carrier", "--add-opens java.base/java.lang=ALL-UNNAMED");
        }
    }

    /** A bean made after the group, whose creation fails the start. */
    @Configuration(proxyBeanMethods = false)
    static class FailsAfterTheGroup {
        static final AtomicReference<EventLoopGroup> MADE = new AtomicReference<>();

        @Bean
        String failing(EventLoopGroup group) {
            MADE.set(group);
            throw new IllegalStateException("a later bean fails");
        }
    }

    @Test
    void aStartThatFailsAfterTheGroupWasMadeClosesTheGroup() throws InterruptedException {
        // the group's threads start when it is made; a later bean failing the start must not
        // leave them running in a JVM that goes on (a test suite, a retrying launcher)
        runner.withPropertyValues("aiobridge.loops=2")
                .withUserConfiguration(FailsAfterTheGroup.class)
                .run(ctx -> assertNotNull(ctx.getStartupFailure()));
        EventLoopGroup group = FailsAfterTheGroup.MADE.get();
        assertNotNull(group, "the group was made");
        assertTrue(group.isShutdown(), "the group was left running: " + group);
        for (int i = 0; i < 500 && !group.isTerminated(); i++) {
            Thread.sleep(10);
        }
        assertTrue(group.isTerminated(), group.toString());
    }

    @Test
    void everySettingIsDescribedForIdeCompletion() throws Exception {
        // what an IDE completes aiobridge.* from: Spring Boot's configuration processor writes it
        // from the settings' fields at build time
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "no META-INF/spring-configuration-metadata.json in the jar");
            metadata = new ObjectMapper().readTree(in);
        }
        Set<String> described = new TreeSet<>();
        for (JsonNode p : metadata.get("properties")) {
            String name = p.get("name").asText();
            if (name.startsWith("aiobridge.")) {
                assertTrue(p.hasNonNull("description")
                        && p.get("description").asText().length() > 20,
                        name + " has no description");
                described.add(name);
            }
        }
        Set<String> settings = new TreeSet<>();
        for (PropertyDescriptor d : BeanUtils.getPropertyDescriptors(AiobridgeProperties.class)) {
            if (d.getWriteMethod() != null) {
                settings.add("aiobridge." + d.getName().replaceAll("([A-Z])", "-$1")
                        .toLowerCase(Locale.ROOT));
            }
        }
        assertEquals(settings, described);
    }
}
