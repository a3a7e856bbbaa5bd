package io.aiobridge.spring;

import io.aiobridge.EventLoopGroup;
import java.time.Duration;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops the application's loop group with the context. On start it becomes the
 * default group, so {@code ReactorPublish.mono(...)}, {@code flux(...)} and the types returned from
 * controllers run on it. It stops after the web server (a lower phase than Spring Boot's
 * graceful shutdown and web server lifecycles): requests in flight finish first, then every
 * loop cancels what still runs, closes its async generators and ends its thread, within
 * {@code aiobridge.shutdown-timeout}.
 */
public class LoopGroupLifecycle implements SmartLifecycle {
    /** Below Spring Boot's web server (DEFAULT_PHASE - 2048) and its graceful shutdown. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final EventLoopGroup group;
    private final Duration shutdownTimeout;
    private volatile boolean running;
    private EventLoopGroup previousDefault;

    /**
     * A lifecycle for {@code group}.
     *
     * @param group the group
     * @param shutdownTimeout how long stopping may take, zero or more
     * @throws IllegalArgumentException if {@code shutdownTimeout} is negative
     */
    public LoopGroupLifecycle(EventLoopGroup group, Duration shutdownTimeout) {
        this.group = Objects.requireNonNull(group, "group is null");
        this.shutdownTimeout = AiobridgeProperties.atLeastZero("shutdownTimeout", shutdownTimeout);
    }

    @Override
    public void start() {
        previousDefault = EventLoopGroup.setDefaultGroup(group);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (EventLoopGroup.defaultGroup() == group) {
            EventLoopGroup.setDefaultGroup(previousDefault);
        }
        group.shutdownGracefully(shutdownTimeout.toNanos() / 1e9);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
