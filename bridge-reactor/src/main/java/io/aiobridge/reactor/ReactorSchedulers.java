package io.aiobridge.reactor;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Handle;
import io.aiobridge.LoopWorker;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

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
     * <p>Work that could never run is refused with {@link RejectedExecutionException}, which
     * Reactor's operators turn into an error signal: work for a closed loop, for a disposed
     * worker, or for this scheduler once disposed. Disposing the scheduler, as disposing
     * Reactor's own schedulers, cancels the work still pending on it and on every worker it made;
     * it does not close the loop, whose owner does.
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
     * scheduler refuses new work, as {@link #of(EventLoop)}'s does, and does not close the group:
     * its owner does.
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
        /** Work scheduled on the scheduler itself; each worker's is a child of it. */
        private final LoopWorker direct;
        private volatile boolean disposed;

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
            return schedule(task, 0, TimeUnit.NANOSECONDS);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return once(this, direct, task, delay, unit);
        }

        @Override
        public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
                TimeUnit unit) {
            return periodically(this, direct, task, initialDelay, period, unit);
        }

        void checkNotDisposed() {
            if (disposed) {
                throw new RejectedExecutionException("Scheduler unavailable: " + this
                        + " is disposed; schedule on a scheduler that is not");
            }
        }

        @Override
        public Worker createWorker() {
            return new LoopWorkerAdapter(this, direct.child());
        }

        @Override
        public void dispose() {
            disposed = true;
            direct.close(); // and every worker's pending work
        }

        @Override
        public boolean isDisposed() {
            return disposed;
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
        public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
                TimeUnit unit) {
            return next().schedulePeriodically(task, initialDelay, period, unit);
        }

        @Override
        public Worker createWorker() {
            return next().createWorker();
        }

        @Override
        public void dispose() {
            perLoop.values().forEach(LoopScheduler::dispose);
        }

        @Override
        public boolean isDisposed() {
            return perLoop.values().stream().allMatch(LoopScheduler::isDisposed);
        }

        @Override
        public String toString() {
            return "ReactorSchedulers.of(" + group + ")";
        }
    }

    /** One run, after Reactor's {@code onSchedule} hooks have decorated the task. */
    private static Disposable once(LoopScheduler owner, LoopWorker worker, Runnable task,
            long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        owner.checkNotDisposed();
        return disposable(worker.schedule(Schedulers.onSchedule(task), unit.toNanos(delay) / 1e9));
    }

    private static Disposable periodically(LoopScheduler owner, LoopWorker worker,
            Runnable task, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        owner.checkNotDisposed();
        Periodic p = new Periodic(worker, Schedulers.onSchedule(task), unit.toNanos(period) / 1e9);
        p.start(unit.toNanos(initialDelay) / 1e9);
        return p;
    }

    /**
     * Periodic work at a fixed rate on the loop's clock, as Reactor's schedulers run it: the
     * n-th run is due at the first run's time plus n periods (a late run is followed by the next
     * one as soon as it is due, so the rate holds on average), and a period of zero or less runs
     * the task again as soon as the loop gets to it. It stops when disposed, when its worker is
     * disposed or its loop closed, or when the task throws (the exception goes to the loop's
     * exception handler, as any callback's).
     */
    private static final class Periodic implements Disposable, Runnable {
        private final LoopWorker worker;
        private final Runnable task;
        private final double period;
        /** When the next run is due, on the loop's clock; loop-confined after {@link #start}. */
        private double due;
        private final AtomicReference<Handle> current = new AtomicReference<>();
        private volatile boolean disposed;

        Periodic(LoopWorker worker, Runnable task, double period) {
            this.worker = worker;
            this.task = task;
            this.period = period;
        }

        void start(double delay) {
            due = worker.now() + Math.max(0, delay);
            Handle first = worker.schedule(this, delay); // published before the run
            // the first run may already have scheduled the second: keep the newer handle
            current.compareAndSet(null, first);
        }

        @Override
        public void run() {
            if (disposed) {
                return;
            }
            task.run(); // a throw ends the schedule
            double now = worker.now();
            due = period > 0 ? due + period : now;
            Handle next;
            try {
                next = worker.schedule(this, due - now);
            } catch (RejectedExecutionException workerOrLoopClosed) {
                disposed = true;
                return;
            }
            current.set(next);
            if (disposed) {
                // disposed while the next run was being scheduled: the check at the top of run()
                // already keeps it from running the task; cancelling it frees it at once
                next.cancel();
            }
        }

        @Override
        public void dispose() {
            disposed = true;
            Handle h = current.get();
            if (h != null) {
                h.cancel();
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed || worker.isClosed();
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
        private final LoopScheduler owner;
        private final LoopWorker worker;

        LoopWorkerAdapter(LoopScheduler owner, LoopWorker worker) {
            this.owner = owner;
            this.worker = worker;
        }

        @Override
        public Disposable schedule(Runnable task) {
            return schedule(task, 0, TimeUnit.NANOSECONDS);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return once(owner, worker, task, delay, unit);
        }

        @Override
        public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
                TimeUnit unit) {
            return periodically(owner, worker, task, initialDelay, period, unit);
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
