package io.aiobridge.spring;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.LoopStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for each loop of a group, tagged {@code group} and {@code loop} (its index):
 *
 * <ul>
 *   <li>{@code aiobridge.loop.tasks}: live tasks;
 *   <li>{@code aiobridge.loop.ready}: callbacks and task steps ready to run (the queue depth);
 *   <li>{@code aiobridge.loop.timers}: scheduled timers;
 *   <li>{@code aiobridge.loop.lag}: how long the last probe waited for the loop, in seconds: a
 *       loop busy or blocked shows here first;
 *   <li>{@code aiobridge.loop.slow.steps}: steps over the slow-step threshold (debug mode).
 * </ul>
 *
 * <p>A loop's state belongs to its thread, so one daemon thread posts a probe to every busy loop
 * each {@code aiobridge.metrics-interval}; the probe reads {@link EventLoop#stats()} on the loop
 * and the gauges show the last reading. A loop that is waiting for work is not woken: its state
 * cannot change while it waits, so the stats it published as it began to wait ({@link
 * EventLoop#idleStats()}) are read from here, with a lag of zero. An idle server's loops (on
 * Netty's carriers, Netty's own event loops) then stay asleep. Closing this stops the probing.
 */
public class LoopGroupMetrics implements MeterBinder, AutoCloseable {
    private final EventLoopGroup group;
    private final Duration interval;
    private final Sample[] samples;
    private final ScheduledExecutorService prober;

    /** The last reading of one loop; written on the loop, read by the registry. */
    private static final class Sample {
        volatile LoopStats stats = new LoopStats(0, 0, 0, 0);
        volatile double lagSeconds;
        volatile boolean probing;
    }

    /**
     * Starts probing {@code group}'s loops.
     *
     * @param group the group to watch
     * @param interval how often to probe, more than zero (a zero interval would probe without
     *     pause)
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public LoopGroupMetrics(EventLoopGroup group, Duration interval) {
        this.group = Objects.requireNonNull(group, "group is null");
        this.interval = AiobridgeProperties.moreThanZero("interval", interval);
        this.samples = new Sample[group.size()];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = new Sample();
        }
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .daemon().name(group.name() + "-metrics").inheritInheritableThreadLocals(false)
                .unstarted(r));
        long nanos = Math.max(1, interval.toNanos());
        prober.scheduleAtFixedRate(this::probe, 0, nanos, TimeUnit.NANOSECONDS);
    }

    private void probe() {
        List<EventLoop> loops = group.loops();
        for (int i = 0; i < loops.size() && i < samples.length; i++) {
            EventLoop loop = loops.get(i);
            Sample s = samples[i];
            if (s.probing || loop.isClosed()) {
                continue; // the last probe still waits: the lag gauge already shows it growing
            }
            LoopStats idle = loop.idleStats();
            if (idle != null) {
                s.stats = idle; // waiting for work: nothing to wake it for
                s.lagSeconds = 0;
                continue;
            }
            s.probing = true;
            long posted = System.nanoTime();
            try {
                loop.callSoonThreadsafe(() -> {
                    s.lagSeconds = (System.nanoTime() - posted) / 1e9;
                    s.stats = loop.stats();
                    s.probing = false;
                });
            } catch (IllegalStateException closed) {
                s.probing = false;
            }
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry is null");
        for (int i = 0; i < samples.length; i++) {
            Sample s = samples[i];
            Tags tags = Tags.of("group", group.name(), "loop", Integer.toString(i));
            Gauge.builder("aiobridge.loop.tasks", s, x -> x.stats.liveTasks()).tags(tags)
                    .description("tasks created and not yet done").register(registry);
            Gauge.builder("aiobridge.loop.ready", s, x -> x.stats.ready()).tags(tags)
                    .description("callbacks and task steps ready to run").register(registry);
            Gauge.builder("aiobridge.loop.timers", s, x -> x.stats.timers()).tags(tags)
                    .description("scheduled timers").register(registry);
            TimeGauge.builder("aiobridge.loop.lag", s, TimeUnit.SECONDS, x -> x.lagSeconds)
                    .tags(tags).description("how long the last probe waited for the loop")
                    .register(registry);
            FunctionCounter.builder("aiobridge.loop.slow.steps", s, x -> x.stats.slowSteps())
                    .tags(tags).description("steps over the slow-step threshold (debug mode)")
                    .register(registry);
        }
    }

    /**
     * How often the loops are probed.
     *
     * @return the interval
     */
    public Duration interval() {
        return interval;
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
