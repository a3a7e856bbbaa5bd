package io.aiobridge.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code aiobridge.*} settings of a Spring Boot application:
 *
 * <pre>
 * aiobridge.loops=4                      # event loops in the group (default: one per core)
 * aiobridge.name=aiobridge               # the loops' thread names: aiobridge-0, aiobridge-1, ...
 * aiobridge.engine=default               # or carrier (docs/engine.md); unset: the JVM's setting
 * aiobridge.debug=false                  # asyncio's debug mode on every loop
 * aiobridge.slow-step-threshold=100ms    # debug mode reports (and counts) steps this slow
 * aiobridge.shutdown-timeout=10s         # how long closing may take before work is abandoned
 * aiobridge.metrics-interval=1s          # how often the loop gauges are sampled
 * </pre>
 */
@ConfigurationProperties("aiobridge")
public class AiobridgeProperties {
    private int loops = Runtime.getRuntime().availableProcessors();
    private String name = "aiobridge";
    private String engine;
    private boolean debug;
    private Duration slowStepThreshold = Duration.ofMillis(100);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration metricsInterval = Duration.ofSeconds(1);

    /** @return the number of loops */
    public int getLoops() {
        return loops;
    }

    /** @param loops the number of loops, at least 1 */
    public void setLoops(int loops) {
        this.loops = loops;
    }

    /** @return the group's name (its threads' name prefix) */
    public String getName() {
        return name;
    }

    /** @param name the group's name */
    public void setName(String name) {
        this.name = name;
    }

    /** @return the engine ({@code default} or {@code carrier}), or null for the JVM's setting */
    public String getEngine() {
        return engine;
    }

    /** @param engine {@code default} or {@code carrier} */
    public void setEngine(String engine) {
        this.engine = engine;
    }

    /** @return whether the loops run in debug mode */
    public boolean isDebug() {
        return debug;
    }

    /** @param debug whether the loops run in debug mode */
    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    /** @return the slow-step threshold of debug mode */
    public Duration getSlowStepThreshold() {
        return slowStepThreshold;
    }

    /** @param slowStepThreshold the slow-step threshold of debug mode */
    public void setSlowStepThreshold(Duration slowStepThreshold) {
        this.slowStepThreshold = slowStepThreshold;
    }

    /** @return how long closing the group may take */
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    /** @param shutdownTimeout how long closing the group may take */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /** @return how often the loop gauges are sampled */
    public Duration getMetricsInterval() {
        return metricsInterval;
    }

    /** @param metricsInterval how often the loop gauges are sampled */
    public void setMetricsInterval(Duration metricsInterval) {
        this.metricsInterval = metricsInterval;
    }
}
