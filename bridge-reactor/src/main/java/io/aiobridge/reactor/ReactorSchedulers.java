package io.aiobridge.reactor;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Handle;
import io.aiobridge.LoopWorker;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Event loops and Reactor schedulers, each usable as the other.
 *
 * <ul>
 *   <li>{@link #of(EventLoop)}: a loop as a Reactor {@link Scheduler}, so {@code
 *       flux.publishOn(ReactorSchedulers.of(loop))} delivers on the loop (as callbacks: they run
 *       between the loop's tasks, one at a time). Delayed work uses the loop's timers.
 *   <li>{@link #of(EventLoopGroup)}: a group of loops as one Reactor scheduler, work spread over
 *       its loops and each worker pinned to one of them.
 *   <li>{@link #asExecutor(Scheduler)}: a Reactor scheduler as the executor of {@code
 *       loop.runInExecutor(...)}.
 * </ul>
 */
public final class ReactorSchedulers {
    private ReactorSchedulers() {}

    static {
        LoopThreadsNonBlocking.register(); // block() on a loop fails, as on Reactor's event loops
    }

    /**
     * {@code loop} as a Reactor scheduler. Work is submitted from any thread and runs on the
     * loop as callbacks; delayed work and {@code now()} use the loop's clock, so on a
     * virtual-time loop they run in virtual time. Disposing a scheduled task cancels it; a
     * worker forgets each task once it has run or been disposed, so a long {@code publishOn}
     * stream does not grow it.
     *
     * @param loop the loop; it must be running (or run later) for work to happen
     * @return the scheduler
     */
    public static Scheduler of(EventLoop loop) {
        Objects.requireNonNull(loop, "loop is null");
        return new LoopScheduler(loop);
    }

    /**
     * A group of loops as one Reactor scheduler: each {@code schedule} goes to the group's next
     * loop (round-robin), and each worker is pinned to one loop, so a {@code publishOn} stream
     * stays on one loop, in order, while different streams spread over the group. Disposing the
     * scheduler does not close the group: its owner does.
     *
     * @param group the group
     * @return the scheduler
     */
    public static Scheduler of(EventLoopGroup group) {
        Objects.requireNonNull(group, "group is null");
        return new GroupScheduler(group);
    }

    /**
     * A Reactor scheduler as an {@link Executor}, for {@code loop.runInExecutor(executor, fn)}.
     *
     * @param scheduler the scheduler, e.g. {@code Schedulers.boundedElastic()}
     * @return the executor
     */
    public static Executor asExecutor(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler is null");
        return scheduler::schedule;
    }

    private static final class LoopScheduler implements Scheduler {
        private final EventLoop loop;
        /** Work scheduled on the scheduler itself, outside any worker. */
        private final LoopWorker direct;

        LoopScheduler(EventLoop loop) {
            this.loop = loop;
            this.direct = new LoopWorker(loop);
        }

        @Override
        public long now(TimeUnit unit) {
            // the loop's clock, as RxSchedulers.of: virtual time on a virtual-time loop
            return unit.convert((long) (direct.now() * 1e9), TimeUnit.NANOSECONDS);
        }

        @Override
        public Disposable schedule(Runnable task) {
            return disposable(direct.schedule(Objects.requireNonNull(task, "task"), 0));
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return disposable(direct.schedule(Objects.requireNonNull(task, "task"),
                    unit.toNanos(delay) / 1e9));
        }

        @Override
        public Worker createWorker() {
            return new LoopWorkerAdapter(new LoopWorker(loop));
        }

        @Override
        public String toString() {
            return "ReactorSchedulers.of(" + loop + ")";
        }
    }

    private static final class GroupScheduler implements Scheduler {
        private final EventLoopGroup group;
        private final Map<EventLoop, LoopScheduler> perLoop = new IdentityHashMap<>();

        GroupScheduler(EventLoopGroup group) {
            this.group = group;
            for (EventLoop l : group.loops()) {
                perLoop.put(l, new LoopScheduler(l));
            }
        }

        private LoopScheduler next() {
            return perLoop.get(group.next());
        }

        @Override
        public long now(TimeUnit unit) {
            return perLoop.get(group.loops().get(0)).now(unit); // the loops share one clock
        }

        @Override
        public Disposable schedule(Runnable task) {
            return next().schedule(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return next().schedule(task, delay, unit);
        }

        @Override
        public Worker createWorker() {
            return next().createWorker();
        }

        @Override
        public String toString() {
            return "ReactorSchedulers.of(" + group + ")";
        }
    }

    static Disposable disposable(Handle h) {
        return new Disposable() {
            @Override
            public void dispose() {
                h.cancel(); // threadsafe
            }

            @Override
            public boolean isDisposed() {
                return h.isCancelled();
            }
        };
    }

    /**
     * A worker: the loop already runs its callbacks in order, one at a time; the core's {@link
     * LoopWorker} forgets each task once it has run or been disposed.
     */
    private static final class LoopWorkerAdapter implements Scheduler.Worker {
        private final LoopWorker worker;

        LoopWorkerAdapter(LoopWorker worker) {
            this.worker = worker;
        }

        @Override
        public Disposable schedule(Runnable task) {
            return disposable(worker.schedule(Objects.requireNonNull(task, "task"), 0));
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return disposable(worker.schedule(Objects.requireNonNull(task, "task"),
                    unit.toNanos(delay) / 1e9));
        }

        @Override
        public void dispose() {
            worker.close();
        }

        @Override
        public boolean isDisposed() {
            return worker.isClosed();
        }

        @Override
        public String toString() {
            return worker.toString();
        }
    }
}
