package io.aiobridge.spring;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;

/**
 * aiobridge in a Spring Boot application: a loop group bean (configured by {@code aiobridge.*},
 * see {@link AiobridgeProperties}) that is the default group while the context runs and closes
 * gracefully after the web server; the project's types as controller return values ({@link
 * AiobridgeReactiveTypes}); with Micrometer present, gauges per loop ({@link
 * LoopGroupMetrics}); with Spring Boot's actuator present, the endpoint {@code aiobridge} listing
 * every loop's tasks and where each waits ({@link LoopGroupEndpoint}); and, with Jackson present,
 * Jackson's buffers shared across threads instead of kept per thread ({@code
 * aiobridge.jackson-shared-buffers}, see {@link AiobridgeProperties}).
 * Declare your own {@link EventLoopGroup} bean to replace the group.
 */
@AutoConfiguration
@EnableConfigurationProperties(AiobridgeProperties.class)
public class AiobridgeAutoConfiguration {
    private static final System.Logger LOG =
            System.getLogger(AiobridgeAutoConfiguration.class.getName());

    /** Made by Spring Boot's auto-configuration. */
    public AiobridgeAutoConfiguration() {}

    /**
     * The loop group. {@link LoopGroupLifecycle} closes it, after the web server has finished
     * its requests and before Reactor Netty's event loops stop; the bean factory's destroy step
     * closes it again, which does nothing then, and closes it when the application's start
     * failed after the group was made (its loops' threads start with it, and the lifecycle
     * never ran). In a WebFlux application served by Reactor Netty, on a JVM
     * that opens {@code java.lang} to the library, the group has one loop per Netty server event
     * loop and runs each loop's tasks on that event loop's thread ({@code
     * aiobridge.netty-carriers}): a coroutine handler then starts, awaits and replies on the
     * thread that read its request, with no hop to a loop thread and back.
     *
     * @param props the settings
     * @param beans where to find Reactor Netty's server resources
     * @return the group
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public EventLoopGroup aiobridgeLoopGroup(AiobridgeProperties props,
            ListableBeanFactory beans) {
        // the group's own choice, not the JVM's system property: other loops keep theirs
        EventLoop.Engine engine = props.getEngine() != null ? props.getEngine()
                : EventLoop.Engine.configured();
        double slow = props.getSlowStepThreshold().toNanos() / 1e9;
        EventLoopGroup.Builder builder = EventLoopGroup.builder()
                .name(props.getName())
                .daemon(true)
                .shutdownTimeout(props.getShutdownTimeout().toNanos() / 1e9);
        List<Executor> carriers = nettyCarriers(props, engine, beans);
        if (carriers != null) {
            LOG.log(System.Logger.Level.INFO, "aiobridge: " + carriers.size() + " loops, each"
                    + " running its tasks on one of Reactor Netty's server event loops"
                    + " (aiobridge.netty-carriers)");
            return builder.carriers(carriers,
                    carrier -> configure(EventLoop.newEventLoopOn(carrier), props, slow)).build();
        }
        return builder.loops(props.getLoops())
                .loopFactory(() -> configure(EventLoop.newEventLoop(engine), props, slow))
                .build();
    }

    private static EventLoop configure(EventLoop loop, AiobridgeProperties props, double slow) {
        loop.setDebug(props.isDebug());
        loop.setSlowCallbackDuration(slow);
        return loop;
    }

    /**
     * Reactor Netty's server event loops, when the loops should run on them ({@code
     * aiobridge.netty-carriers}); else null.
     */
    private static List<Executor> nettyCarriers(AiobridgeProperties props,
            EventLoop.Engine engine, ListableBeanFactory beans) {
        if (!props.isNettyCarriers() || engine == EventLoop.Engine.DEFAULT
                || !EventLoop.carriersAvailable() || !NettyServerLoops.PRESENT) {
            return null;
        }
        return NettyServerLoops.of(beans);
    }

    /**
     * Makes the group the default while the context runs; closes it after the web server.
     *
     * @param group the group
     * @param props the settings
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public LoopGroupLifecycle aiobridgeLoopGroupLifecycle(EventLoopGroup group,
            AiobridgeProperties props) {
        return new LoopGroupLifecycle(group, props.getShutdownTimeout());
    }

    /**
     * Ends the schedules of {@code @Scheduled} coroutines just before the group closes, so a run
     * in flight ends cancelled by its subscriber, as Spring ends it at destruction, rather than
     * by the closing group ({@link ScheduledCoroutines}).
     */
    @Bean
    SmartLifecycle aiobridgeScheduledCoroutines(ConfigurableListableBeanFactory beans,
            ObjectProvider<ScheduledAnnotationBeanPostProcessor> scheduling) {
        return new ScheduledCoroutines(beans, scheduling);
    }

    /**
     * Coroutines, generators and tasks as WebFlux return values, run on this context's group.
     *
     * @param group the context's group
     * @return the registrar
     */
    @Bean
    @ConditionalOnMissingBean
    public static AiobridgeReactiveTypes aiobridgeReactiveTypes(
            ObjectProvider<EventLoopGroup> group) {
        Objects.requireNonNull(group, "group is null");
        return new AiobridgeReactiveTypes(group::getIfUnique); // looked up when requests come
    }

    /**
     * Jackson's buffers shared across threads instead of kept per thread. A coroutine's reply is
     * encoded on its task's thread, a virtual thread new for every request, so Jackson's default
     * per-thread buffer recycling starts empty each time and allocates its buffers afresh.
     * Measured on the HTTP benchmark's small JSON reply (one core, same session): 12,322 /
     * 12,793 requests/s at 64 / 256 connections before, 16,495 / 15,122 after
     * (docs/performance.md). Only Jackson's default (thread-local) pool is replaced: a pool the
     * application chose stays. {@code aiobridge.jackson-shared-buffers=false} turns it off.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ObjectMapper.class, Jackson2ObjectMapperBuilderCustomizer.class})
    @ConditionalOnProperty(prefix = "aiobridge", name = "jackson-shared-buffers",
            matchIfMissing = true)
    static class JacksonBuffers {
        @Bean
        Jackson2ObjectMapperBuilderCustomizer aiobridgeJacksonSharedBuffers() {
            return builder -> builder.postConfigurer(JacksonBuffers::share);
        }

        static void share(ObjectMapper mapper) {
            JsonFactory factory = mapper.getFactory();
            if (factory._getRecyclerPool() == JsonRecyclerPools.threadLocalPool()) {
                factory.setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
            }
        }
    }

    /** The actuator endpoint {@code aiobridge}, when Spring Boot's actuator is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
        "org.springframework.boot.actuate.autoconfigure.endpoint.condition"
            + ".ConditionalOnAvailableEndpoint"})
    static class Endpoints {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint(endpoint = LoopGroupEndpoint.class)
        LoopGroupEndpoint aiobridgeLoopGroupEndpoint(EventLoopGroup group) {
            return new LoopGroupEndpoint(group);
        }
    }

    /** Loop gauges, when Micrometer is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        LoopGroupMetrics aiobridgeLoopGroupMetrics(EventLoopGroup group,
                AiobridgeProperties props) {
            return new LoopGroupMetrics(group, props.getMetricsInterval());
        }
    }
}
