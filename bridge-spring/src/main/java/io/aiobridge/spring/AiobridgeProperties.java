package io.aiobridge.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code aiobridge.*} settings of a Spring Boot application:
 *
 * <pre>
 * aiobridge.loops=4                      # event loops in the group (default: one per core)
 * aiobridge.name=aiobridge               # the loops' thread names: aiobridge-0, aiobridge-1, ...
 * aiobridge.engine=auto                  # or default, carrier; unset: the JVM's (docs/engine.md)
 * aiobridge.debug=false                  # asyncio's debug mode on every loop
 * aiobridge.slow-step-threshold=100ms    # debug mode reports (and counts) steps this slow
 * aiobridge.shutdown-timeout=10s         # how long closing may take before work is abandoned
 * aiobridge.metrics-interval=1s          # how often the loop gauges are sampled
 * aiobridge.jackson-shared-buffers=true  # Jackson's buffers shared, not per (virtual) thread
 * aiobridge.netty-carriers=true          # loops on Reactor Netty's server threads, when allowed
 * </pre>
 */
@ConfigurationProperties("aiobridge")
public class AiobridgeProperties {
    /** The defaults listed above; Spring binds the settings. */
    public AiobridgeProperties() {}

    private int loops = Runtime.getRuntime().availableProcessors();
    private String name = "aiobridge";
    private String engine;
    private boolean debug;
    private Duration slowStepThreshold = Duration.ofMillis(100);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration metricsInterval = Duration.ofSeconds(1);
    private boolean jacksonSharedBuffers = true;
    private boolean nettyCarriers = true;

    /**
     * Returns the number of loops.
     *
     * @return the number of loops
     */
    public int getLoops() {
        return loops;
    }

    /**
     * Sets the number of loops, at least 1.
     *
     * @param loops the number of loops, at least 1
     */
    public void setLoops(int loops) {
        this.loops = loops;
    }

    /**
     * Returns the group's name (its threads' name prefix).
     *
     * @return the group's name (its threads' name prefix)
     */
    public String getName() {
        return name;
    }

    /**
     * Sets the group's name.
     *
     * @param name the group's name
     */
    public void setName(String name) {
        this.name = name;
    }

    /**
     * Returns the engine ({@code auto}, {@code default} or {@code carrier}), or null for the JVM's
     * setting.
     *
     * @return the engine, or null for the JVM's setting
     */
    public String getEngine() {
        return engine;
    }

    /**
     * Sets {@code auto} (the carrier engine when the JVM allows it), {@code default} or {@code
     * carrier}.
     *
     * @param engine {@code auto}, {@code default} or {@code carrier}
     */
    public void setEngine(String engine) {
        this.engine = engine;
    }

    /**
     * Returns whether the loops run in debug mode.
     *
     * @return whether the loops run in debug mode
     */
    public boolean isDebug() {
        return debug;
    }

    /**
     * Sets whether the loops run in debug mode.
     *
     * @param debug whether the loops run in debug mode
     */
    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    /**
     * Returns the slow-step threshold of debug mode.
     *
     * @return the slow-step threshold of debug mode
     */
    public Duration getSlowStepThreshold() {
        return slowStepThreshold;
    }

    /**
     * Sets the slow-step threshold of debug mode.
     *
     * @param slowStepThreshold the slow-step threshold of debug mode
     */
    public void setSlowStepThreshold(Duration slowStepThreshold) {
        this.slowStepThreshold = slowStepThreshold;
    }

    /**
     * Returns how long closing the group may take.
     *
     * @return how long closing the group may take
     */
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Sets how long closing the group may take.
     *
     * @param shutdownTimeout how long closing the group may take
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Returns how often the loop gauges are sampled.
     *
     * @return how often the loop gauges are sampled
     */
    public Duration getMetricsInterval() {
        return metricsInterval;
    }

    /**
     * Sets how often the loop gauges are sampled.
     *
     * @param metricsInterval how often the loop gauges are sampled
     */
    public void setMetricsInterval(Duration metricsInterval) {
        this.metricsInterval = metricsInterval;
    }

    /**
     * Returns whether Jackson's buffers are shared across threads (the default: a coroutine's
     * reply is encoded on a new virtual thread per request, where per-thread buffers start
     * empty).
     *
     * @return whether the buffers are shared
     */
    public boolean isJacksonSharedBuffers() {
        return jacksonSharedBuffers;
    }

    /**
     * Sets whether Jackson's default per-thread buffer pool is replaced by a shared one.
     *
     * @param jacksonSharedBuffers false to keep Jackson's default
     */
    public void setJacksonSharedBuffers(boolean jacksonSharedBuffers) {
        this.jacksonSharedBuffers = jacksonSharedBuffers;
    }

    /**
     * Returns whether the loops run their tasks on Reactor Netty's server event loops.
     *
     * @return whether the loops run their tasks on Reactor Netty's server event loops
     */
    public boolean isNettyCarriers() {
        return nettyCarriers;
    }

    /**
     * Sets whether, in a WebFlux application served by Reactor Netty, the group has one loop per
     * Netty server event loop, running its tasks on that event loop's thread (default true), so
     * that a request's handler runs where Netty read the request and writes its reply without a
     * thread hop. It takes effect only where the JVM opens {@code java.lang} to the library
     * ({@code --add-opens java.base/java.lang=ALL-UNNAMED}) and {@code aiobridge.engine} is not
     * {@code default}; elsewhere the group is made as usual. When it takes effect, {@code
     * aiobridge.loops} is ignored.
     *
     * @param nettyCarriers false to keep the loops on threads of their own
     */
    public void setNettyCarriers(boolean nettyCarriers) {
        this.nettyCarriers = nettyCarriers;
    }
}
