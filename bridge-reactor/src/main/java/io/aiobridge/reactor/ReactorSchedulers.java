package io.aiobridge.reactor;

import io.aiobridge.EventLoop;
import io.aiobridge.Handle;
import io.aiobridge.LoopWorker;
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
 *   <li>{@link #asExecutor(Scheduler)}: a Reactor scheduler as the executor of {@code
 *       loop.runInExecutor(...)}.
 * </ul>
 */
public final class ReactorSchedulers {
    private ReactorSchedulers() {}

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
