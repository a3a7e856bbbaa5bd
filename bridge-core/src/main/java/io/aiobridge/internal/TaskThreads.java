package io.aiobridge.internal;

import io.aiobridge.EventLoop;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The one seam through which an event loop gets the virtual threads its tasks run on: the
 * switching engine. Everything else in the runtime only parks and unparks these threads.
 *
 * <ul>
 *   <li>{@code default}: public JDK API only. Task threads run on the JVM's shared virtual-thread
 *       scheduler (a ForkJoinPool with one carrier per core). A baton handoff unparks the next
 *       task, which the JDK submits with a wake-up signal; on a machine whose other carriers are
 *       idle, one of them may wake and take the task, so a handoff then crosses carriers.
 *   <li>{@code carrier}: the loop is the scheduler of its own task threads: each loop runs them on
 *       one dedicated platform thread (its carrier), so a handoff is a queue push and never wakes
 *       another core. It needs a non-public JDK constructor, opened with {@code --add-opens
 *       java.base/java.lang=ALL-UNNAMED} (or {@code =io.aiobridge.core} on the module path), and
 *       is chosen automatically when the JVM allows it.
 * </ul>
 *
 * <p>Selected once per loop from the system property {@code aiobridge.engine}: {@code auto} (when
 * absent) takes {@code carrier} when the JVM lets the library build it and {@code default}
 * otherwise, silently; asking for {@code carrier} by name on a JVM where it is not available fails
 * loudly. The loop's {@code toString} names the engine that runs it.
 *
 * <p>No thread made here inherits {@link InheritableThreadLocal}s. A task's thread is created by
 * whichever thread holds the loop when the task's first step is due, often another task's, so
 * inheriting would hand one task's values (MDC, tracing, security) to an unrelated one. Context
 * variables are what a task inherits from its creator, as in asyncio.
 */
public abstract class TaskThreads {
    /** For the two engines of this package. */
    TaskThreads() {}

    /**
     * The engine's name, for toString and docs.
     *
     * @return {@code default} or {@code carrier}
     */
    public abstract String name();

    /**
     * A new, unstarted virtual thread running {@code body}.
     *
     * @param body what the thread runs
     * @return the thread
     */
    public abstract Thread newThread(Runnable body);

    /**
     * The application's executor that carries the task threads, for a loop made on one.
     *
     * @return the executor, or null when the engine runs the threads itself
     */
    public Executor executor() {
        return null;
    }

    /**
     * The thread of the application's executor that carries the task threads, once it has run
     * the engine's first work; null before that, after close, or for an engine of its own.
     *
     * @return the executor's thread, or null
     */
    public Thread carrierThread() {
        return null;
    }

    /**
     * Why the application's executor refused the engine's first work (it was shut down), if it
     * did.
     *
     * @return the refusal, or null
     */
    public RuntimeException carrierRejection() {
        return null;
    }

    /**
     * Tells the engine the object its loop parks task threads on ({@code LockSupport.park(loop)}
     * while a task waits for its turn or the loop is idle), so that it can tell those waits from
     * any other a task thread makes (a lock, a blocking queue, a sleep). Called once, before the
     * first task thread starts.
     *
     * @param blocker the loop's park blocker
     */
    public void loopParkBlocker(Object blocker) {}

    /** Releases the engine's resources once the loop has no task threads left. */
    public void close() {}

    /**
     * Whether {@code thread} is the thread of an application executor (a Netty event loop) that
     * carries the tasks of a loop that is still open. Such a thread must never block on a loop's
     * work: the loop may need that very thread to run it.
     *
     * @param thread the thread to test
     * @return true while it carries an open loop (from the time it has run its first work for it)
     */
    public static boolean carriesALoop(Thread thread) {
        return LoopCarrier.carries(thread);
    }

    /**
     * An engine whose task threads run on {@code executor}, which must run what it is given one
     * at a time, in order, on one thread (a Netty event loop does): the loop then lives on that
     * thread. Needs what the carrier engine needs.
     *
     * @param executor the carrier
     * @return the engine
     * @throws IllegalStateException if the JVM does not let the library build it (the message
     *     names the flag)
     */
    public static TaskThreads onExecutor(Executor executor) {
        return LoopCarrier.create(Objects.requireNonNull(executor, "executor is null"));
    }

    /**
     * Whether this JVM lets the library run task threads on a carrier or executor of its
     * choosing ({@code --add-opens java.base/java.lang}, see docs/engine.md).
     *
     * @return true if {@link #onExecutor} works here
     */
    public static boolean customCarriersAvailable() {
        return CarrierAllowed.YES;
    }

    /**
     * The engine for a new loop, as the {@code aiobridge.engine} property says.
     *
     * @return the engine
     */
    public static TaskThreads forNewLoop() {
        return of(EventLoop.Engine.configured());
    }

    /**
     * The engine {@code engine} names.
     *
     * @param engine the engine
     * @return the engine
     */
    public static TaskThreads of(EventLoop.Engine engine) {
        return switch (engine) {
            case AUTO -> CarrierAllowed.YES ? LoopCarrier.create() : SharedScheduler.INSTANCE;
            case DEFAULT -> SharedScheduler.INSTANCE;
            case CARRIER -> LoopCarrier.create();
        };
    }

    /** Whether the JVM lets the library build carrier engines: asked once. */
    private static final class CarrierAllowed {
        static final boolean YES = LoopCarrier.available();
    }

    /** The public-API engine: virtual threads on the JVM's shared scheduler. */
    static final class SharedScheduler extends TaskThreads {
        static final SharedScheduler INSTANCE = new SharedScheduler();
        private final ThreadFactory factory = Thread.ofVirtual().name("aiobridge-task")
                .inheritInheritableThreadLocals(false).factory();

        @Override
        public String name() {
            return "default";
        }

        @Override
        public Thread newThread(Runnable body) {
            return factory.newThread(body);
        }
    }

    /**
     * A builder of virtual threads for blocking work off the loop (executor jobs, process
     * pipes): on the JVM's default scheduler, always. A virtual thread created from another one
     * inherits its creator's scheduler, so without this, a job started by a task of the carrier
     * engine would run on that loop's one carrier, and a blocking read in it would stall the loop.
     * Its threads inherit no {@link InheritableThreadLocal}s (a job gets a copy of its caller's
     * context variables instead).
     *
     * @return a builder for off-loop virtual threads
     */
    public static Thread.Builder.OfVirtual offLoop() {
        Executor scheduler = defaultScheduler();
        Thread.Builder.OfVirtual b;
        if (scheduler == null || !(Thread.currentThread().isVirtual())) {
            b = Thread.ofVirtual(); // a platform creator: the default scheduler already
        } else {
            try {
                b = builderScheduledBy(scheduler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                b = Thread.ofVirtual();
            }
        }
        return b.inheritInheritableThreadLocals(false);
    }

    /**
     * The JDK's default virtual-thread scheduler, if reflection may reach it.
     *
     * @return the scheduler, or null
     */
    static Executor defaultScheduler() {
        return DefaultScheduler.INSTANCE;
    }

    /** The JDK's default virtual-thread scheduler, if reflection may reach it (else null). */
    private static final class DefaultScheduler {
        static final Executor INSTANCE = find();

        private static Executor find() {
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                Field f = vt.getDeclaredField("DEFAULT_SCHEDULER");
                f.setAccessible(true);
                return (Executor) f.get(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // not opened: no custom schedulers run here either
            }
        }
    }

    private static Thread.Builder.OfVirtual builderScheduledBy(Executor scheduler)
            throws ReflectiveOperationException {
        Class<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
        Constructor<?> ctor = builder.getDeclaredConstructor(Executor.class);
        ctor.setAccessible(true);
        return (Thread.Builder.OfVirtual) ctor.newInstance(scheduler);
    }

    /** Builds virtual threads with a custom scheduler through the JDK's non-public constructor. */
    static ThreadFactory virtualThreadsScheduledBy(Executor scheduler) {
        try {
            return builderScheduledBy(scheduler).name("aiobridge-task")
                    .inheritInheritableThreadLocals(false).factory();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("aiobridge.engine=carrier needs the JDK's virtual"
                    + " thread builder with a custom scheduler; start the JVM with --add-opens"
                    + " java.base/java.lang=ALL-UNNAMED (or =io.aiobridge.core on the module"
                    + " path), or use -Daiobridge.engine=default (" + e + ")", e);
        }
    }
}
