package io.aiobridge.reactor;

import io.aiobridge.EventLoop;
import io.aiobridge.Handle;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;

/**
 * Event loops and Reactor schedulers, each usable as the other.
 *
 * <ul>
 *   <li>{@link #of(EventLoop)}: a loop as a Reactor {@link Scheduler}, so {@code
 *       flux.publishOn(ReactorSchedulers.of(loop))} delivers on the loop (as callbacks: they run
 *       between the loop's tasks, one at a time). Delayed work uses the loop's timers.
 *   <li>{@link #asExecutor(Scheduler)}: a Reactor scheduler as the executor of {@code
 *       loop.runInExecutor(...)}.
 * </ul>
 */
public final class ReactorSchedulers {
    private ReactorSchedulers() {}

    /**
     * {@code loop} as a Reactor scheduler. Work is submitted with {@code callSoonThreadsafe}
     * (from any thread); delayed work with {@code callLaterThreadsafe}, on the loop's clock.
     * Disposing a scheduled task cancels its handle.
     *
     * @param loop the loop; it must be running (or run later) for work to happen
     * @return the scheduler
     */
    public static Scheduler of(EventLoop loop) {
        Objects.requireNonNull(loop, "loop is null");
        return new LoopScheduler(loop);
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

        LoopScheduler(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public Disposable schedule(Runnable task) {
            return disposable(loop.callSoonThreadsafe(task));
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return disposable(loop.callLaterThreadsafe(unit.toNanos(delay) / 1e9, task));
        }

        @Override
        public Worker createWorker() {
            return new LoopWorker(this);
        }

        private static Disposable disposable(Handle h) {
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

        @Override
        public String toString() {
            return "ReactorSchedulers.of(" + loop + ")";
        }
    }

    /** A worker: the loop already runs its tasks in order, one at a time. */
    private static final class LoopWorker implements Scheduler.Worker {
        private final LoopScheduler scheduler;
        private final reactor.core.Disposable.Composite tasks = Disposables.composite();

        LoopWorker(LoopScheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public Disposable schedule(Runnable task) {
            return track(scheduler.schedule(guard(task)));
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return track(scheduler.schedule(guard(task), delay, unit));
        }

        private Runnable guard(Runnable task) {
            return () -> {
                if (!tasks.isDisposed()) {
                    task.run();
                }
            };
        }

        private Disposable track(Disposable d) {
            tasks.add(d);
            return d;
        }

        @Override
        public void dispose() {
            tasks.dispose();
        }

        @Override
        public boolean isDisposed() {
            return tasks.isDisposed();
        }
    }
}
