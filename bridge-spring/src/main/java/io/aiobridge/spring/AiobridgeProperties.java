package io.aiobridge.spring;

import io.aiobridge.EventLoop;
import java.time.Duration;
import java.util.Objects;
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
 *
 * <p>A bad value fails the application's start, naming the setting and what it accepts (Spring
 * Boot reports it as "Failed to bind properties under 'aiobridge.loops'"), rather than making
 * a group that cannot start, or a metrics probe that spins.
 */
@ConfigurationProperties("aiobridge")
public class AiobridgeProperties {
    /** The defaults listed above; Spring binds the settings. */
    public AiobridgeProperties() {}

    // the fields' comments are the settings' descriptions in
    // META-INF/spring-configuration-metadata.json, which IDEs show when completing them

    /** Event loops in the group, at least 1. Default: one per available processor. */
    private int loops = Runtime.getRuntime().availableProcessors();

    /** The group's name; its loops' threads are named name-0, name-1, ... */
    private String name = "aiobridge";

    /**
     * Where the group's loops run their tasks: auto (the carrier engine when the JVM opens
     * java.lang to the library, else the default engine), default (public JDK API only) or
     * carrier. Unset: the JVM's system property aiobridge.engine, auto when that is unset.
     */
    private EventLoop.Engine engine;

    /** asyncio's debug mode on every loop: slow steps reported, creation sites kept. */
    private boolean debug;

    /** How long a step may run before debug mode reports and counts it as slow. */
    private Duration slowStepThreshold = Duration.ofMillis(100);

    /**
     * How long closing the group may take, after the web server has finished its requests,
     * before tasks that do not end are reported and abandoned.
     */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    /** How often the loop gauges (aiobridge.loop.*) are sampled; more than zero. */
    private Duration metricsInterval = Duration.ofSeconds(1);

    /**
     * Whether Jackson's default per-thread buffer pool is replaced by a shared one (a coroutine's
     * reply is encoded on a new virtual thread per request, where per-thread buffers start
     * empty). A pool the application chose stays.
     */
    private boolean jacksonSharedBuffers = true;

    /**
     * Whether, in a WebFlux application on Reactor Netty, the group has one loop per Netty server
     * event loop and runs its tasks on that thread. Takes effect only when the JVM opens
     * java.lang to the library and the engine is not default; aiobridge.loops is then ignored.
     */
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
     * @throws IllegalArgumentException if {@code loops} is less than 1
     */
    public void setLoops(int loops) {
        if (loops < 1) {
            throw new IllegalArgumentException("aiobridge.loops must be at least 1, got " + loops
                    + "; leave it unset for one loop per core");
        }
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
     * @param name the group's name, not blank
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public void setName(String name) {
        Objects.requireNonNull(name, "aiobridge.name is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("aiobridge.name must not be blank: the loops'"
                    + " threads are named after it; leave it unset for 'aiobridge'");
        }
        this.name = name.trim();
    }

    /**
     * Returns the group's engine, or null for the JVM's setting (the system property {@code
     * aiobridge.engine}, {@code auto} when unset).
     *
     * @return the engine, or null for the JVM's setting
     */
    public EventLoop.Engine getEngine() {
        return engine;
    }

    /**
     * Sets the group's engine: {@code auto} (the carrier engine when the JVM allows it), {@code
     * default} or {@code carrier}. It applies to the group's loops only: other loops of the JVM
     * keep the system property's choice.
     *
     * @param engine the engine, or null for the JVM's setting
     */
    public void setEngine(EventLoop.Engine engine) {
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
     * @param slowStepThreshold the slow-step threshold of debug mode, zero or more
     * @throws IllegalArgumentException if negative
     */
    public void setSlowStepThreshold(Duration slowStepThreshold) {
        this.slowStepThreshold = atLeastZero("aiobridge.slow-step-threshold", slowStepThreshold);
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
     * @param shutdownTimeout how long closing the group may take, zero or more
     * @throws IllegalArgumentException if negative
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = atLeastZero("aiobridge.shutdown-timeout", shutdownTimeout);
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
     * @param metricsInterval how often the loop gauges are sampled, more than zero
     * @throws IllegalArgumentException if zero or negative
     */
    public void setMetricsInterval(Duration metricsInterval) {
        this.metricsInterval = moreThanZero("aiobridge.metrics-interval", metricsInterval);
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

    static Duration atLeastZero(String setting, Duration value) {
        Objects.requireNonNull(value, setting + " is null");
        if (value.isNegative()) {
            throw new IllegalArgumentException(setting + " must be zero or more, got " + value);
        }
        return value;
    }

    /** A probe interval must be positive: a zero one would probe without pause. */
    static Duration moreThanZero(String setting, Duration value) {
        Objects.requireNonNull(value, setting + " is null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be more than zero, got " + value);
        }
        return value;
    }
}
