package io.aiobridge.rxjava;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Handle;
import io.aiobridge.LoopWorker;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 *   <li>{@link #of(EventLoopGroup)}: a group of loops as one RxJava scheduler, work spread over
 *       its loops and each worker pinned to one of them.
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
     * goes to {@link RxJavaPlugins#onError}, as does the refusal of work for a closed loop (a
     * {@link RejectedExecutionException}, as {@code Schedulers.from(executor)} reports an
     * executor that refuses; the work is dropped). {@code shutdown()} cancels the work pending
     * on the scheduler and on its workers and drops later work, as RxJava's schedulers do, until
     * {@code start()}; the loop stays open.
     *
     * @param loop the loop; it must be running (or run later) for work to happen
     * @return the scheduler
     */
    public static Scheduler of(EventLoop loop) {
        return new LoopScheduler(Objects.requireNonNull(loop, "loop is null"));
    }

    /**
     * A group of loops as one RxJava scheduler: each {@code scheduleDirect} goes to the group's
     * next loop (round-robin), and each worker is pinned to one loop, so an {@code observeOn}
     * stream stays on one loop, in order, while different streams spread over the group.
     * Shutting the scheduler down does not close the group: its owner does.
     *
     * @param group the group
     * @return the scheduler
     */
    public static Scheduler of(EventLoopGroup group) {
        return new GroupScheduler(Objects.requireNonNull(group, "group is null"));
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
        /**
         * Work scheduled on the scheduler itself; each worker's is a child of it. Replaced by
         * {@link #start()} after a {@link #shutdown()}.
         */
        private volatile LoopWorker direct;

        LoopScheduler(EventLoop loop) {
            this.loop = loop;
            this.direct = new LoopWorker(loop);
        }

        @Override
        public long now(TimeUnit unit) {
            return unit.convert((long) (direct.now() * 1e9), TimeUnit.NANOSECONDS);
        }

        @Override
        public Disposable scheduleDirect(Runnable run, long delay, TimeUnit unit) {
            return schedule(direct, run, delay, unit);
        }

        @Override
        public Worker createWorker() {
            return new LoopWorkerAdapter(direct.child());
        }

        /** Cancels the pending work of the scheduler and of its workers; later work is dropped. */
        @Override
        public void shutdown() {
            direct.close();
        }

        /** Accepts work again after a {@link #shutdown()}. */
        @Override
        public synchronized void start() {
            if (direct.isClosed()) {
                direct = new LoopWorker(loop);
            }
        }

        @Override
        public String toString() {
            return "RxSchedulers.of(" + loop + ")";
        }
    }

    private static final class GroupScheduler extends Scheduler {
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
        public Disposable scheduleDirect(Runnable run, long delay, TimeUnit unit) {
            return next().scheduleDirect(run, delay, unit);
        }

        @Override
        public Worker createWorker() {
            return next().createWorker();
        }

        @Override
        public void shutdown() {
            perLoop.values().forEach(LoopScheduler::shutdown);
        }

        @Override
        public void start() {
            perLoop.values().forEach(LoopScheduler::start);
        }

        @Override
        public String toString() {
            return "RxSchedulers.of(" + group + ")";
        }
    }

    /**
     * RxJava's rules: work passes through onSchedule, and what it throws goes to onError. Work
     * for a disposed worker is dropped silently, as RxJava's workers drop it; work for a closed
     * loop goes to onError as the loop's {@link RejectedExecutionException}, as RxJava's {@code
     * Schedulers.from(executor)} reports an executor that refuses.
     */
    private static Disposable schedule(LoopWorker worker, Runnable run, long delay,
            TimeUnit unit) {
        Runnable task = guarded(RxJavaPlugins.onSchedule(
                Objects.requireNonNull(run, "run is null")));
        if (worker.isClosed()) {
            return Disposable.disposed();
        }
        Handle h;
        try {
            h = worker.schedule(task, unit.toNanos(delay) / 1e9);
        } catch (RejectedExecutionException refused) {
            if (!worker.isClosed()) {
                RxJavaPlugins.onError(refused);
            }
            return Disposable.disposed();
        }
        return new Disposable() {
            @Override
            public void dispose() {
                h.cancel();
            }

            @Override
            public boolean isDisposed() {
                return h.isCancelled();
            }
        };
    }

    static Runnable guarded(Runnable run) {
        return () -> {
            try {
                run.run();
            } catch (Throwable e) {
                RxJavaPlugins.onError(e);
            }
        };
    }

    /**
     * A worker: the loop already runs its callbacks in order, one at a time; the core's {@link
     * LoopWorker} forgets each task once it has run or been disposed.
     */
    private static final class LoopWorkerAdapter extends Scheduler.Worker {
        private final LoopWorker worker;

        LoopWorkerAdapter(LoopWorker worker) {
            this.worker = worker;
        }

        @Override
        public Disposable schedule(Runnable run, long delay, TimeUnit unit) {
            return RxSchedulers.schedule(worker, run, delay, unit);
        }

        @Override
        public long now(TimeUnit unit) {
            return unit.convert((long) (worker.now() * 1e9), TimeUnit.NANOSECONDS);
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
