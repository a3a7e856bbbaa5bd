package io.aiobridge.rxjava;

import io.aiobridge.EventLoop;
import io.aiobridge.Handle;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.disposables.CompositeDisposable;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Event loops and RxJava schedulers, each usable as the other.
 *
 * <ul>
 *   <li>{@link #of(EventLoop)}: a loop as an RxJava {@link Scheduler}, so {@code
 *       flowable.observeOn(RxSchedulers.of(loop))} delivers on the loop (as callbacks: they run
 *       between the loop's tasks, one at a time). Delays and {@code now()} use the loop's clock,
 *       so on a virtual-time loop {@code delay}, {@code interval} and {@code timeout} run in
 *       virtual time.
 *   <li>{@link #asExecutor(Scheduler)}: an RxJava scheduler as the executor of {@code
 *       loop.runInExecutor(...)}.
 * </ul>
 */
public final class RxSchedulers {
    private RxSchedulers() {}

    /**
     * {@code loop} as an RxJava scheduler. Work is submitted from any thread with {@code
     * callSoonThreadsafe} or {@code callLaterThreadsafe}; disposing cancels it. Work passes
     * through {@link RxJavaPlugins#onSchedule} like any RxJava scheduler's, and what it throws
     * goes to {@link RxJavaPlugins#onError}.
     *
     * @param loop the loop; it must be running (or run later) for work to happen
     * @return the scheduler
     */
    public static Scheduler of(EventLoop loop) {
        return new LoopScheduler(Objects.requireNonNull(loop, "loop is null"));
    }

    /**
     * An RxJava scheduler as an {@link Executor}, for {@code loop.runInExecutor(executor, fn)}.
     *
     * @param scheduler the scheduler, e.g. {@code Schedulers.io()}
     * @return the executor
     */
    public static Executor asExecutor(Scheduler scheduler) {
        Objects.requireNonNull(scheduler, "scheduler is null");
        return scheduler::scheduleDirect;
    }

    private static final class LoopScheduler extends Scheduler {
        private final EventLoop loop;

        LoopScheduler(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public long now(TimeUnit unit) {
            return unit.convert((long) (loop.time() * 1e9), TimeUnit.NANOSECONDS);
        }

        Handle post(Runnable task, long delay, TimeUnit unit) {
            return delay <= 0 ? loop.callSoonThreadsafe(task)
                    : loop.callLaterThreadsafe(unit.toNanos(delay) / 1e9, task);
        }

        @Override
        public Disposable scheduleDirect(Runnable run, long delay, TimeUnit unit) {
            Runnable task = guarded(RxJavaPlugins.onSchedule(
                    Objects.requireNonNull(run, "run is null")));
            Handle h = post(task, delay, unit);
            return Disposable.fromRunnable(h::cancel);
        }

        @Override
        public Worker createWorker() {
            return new LoopWorker(this);
        }

        @Override
        public String toString() {
            return "RxSchedulers.of(" + loop + ")";
        }
    }

    /** RxJava's rule: a scheduled task's exception goes to the plugin's error handler. */
    static Runnable guarded(Runnable run) {
        return () -> {
            try {
                run.run();
            } catch (Throwable e) {
                RxJavaPlugins.onError(e);
            }
        };
    }

    /** A worker: the loop already runs its callbacks in order, one at a time. */
    private static final class LoopWorker extends Scheduler.Worker {
        private final LoopScheduler scheduler;
        private final CompositeDisposable tasks = new CompositeDisposable();

        LoopWorker(LoopScheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public Disposable schedule(Runnable run, long delay, TimeUnit unit) {
            Objects.requireNonNull(run, "run is null");
            if (tasks.isDisposed()) {
                return Disposable.disposed();
            }
            WorkerTask t = new WorkerTask(tasks, RxJavaPlugins.onSchedule(run));
            tasks.add(t);
            t.handle = scheduler.post(t, delay, unit);
            if (t.isDisposed()) { // disposed while being posted
                t.handle.cancel();
            }
            return t;
        }

        @Override
        public long now(TimeUnit unit) {
            return scheduler.now(unit);
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

    /** One task of a worker: skipped once disposed, and forgotten by the worker once run. */
    private static final class WorkerTask implements Runnable, Disposable {
        private final CompositeDisposable owner;
        private final Runnable run;
        volatile Handle handle;
        private volatile boolean disposed;

        WorkerTask(CompositeDisposable owner, Runnable run) {
            this.owner = owner;
            this.run = run;
        }

        @Override
        public void run() {
            if (disposed) {
                return;
            }
            try {
                run.run();
            } catch (Throwable e) {
                RxJavaPlugins.onError(e);
            } finally {
                owner.delete(this);
            }
        }

        @Override
        public void dispose() {
            if (!disposed) {
                disposed = true;
                owner.delete(this);
                Handle h = handle;
                if (h != null) {
                    h.cancel();
                }
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }
}
