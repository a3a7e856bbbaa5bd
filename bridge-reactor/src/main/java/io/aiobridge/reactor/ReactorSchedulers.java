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
     * (from any thread); delayed work with the loop's {@code callLater}. Disposing a scheduled
     * task cancels its handle.
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
            Handle h = loop.callSoonThreadsafe(task);
            return h::cancel;
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            DelayedTask d = new DelayedTask(loop, task, unit.toNanos(delay) / 1e9);
            d.start();
            return d;
        }

        @Override
        public Worker createWorker() {
            return new LoopWorker(this);
        }

        @Override
        public String toString() {
            return "ReactorSchedulers.of(" + loop + ")";
        }
    }

    /**
     * Delayed work: a threadsafe hop onto the loop that arms a loop timer.
     *
     * <p><b>Invariant:</b> {@code handle} ends up holding the timer once it is armed: the arming
     * callback may run before the submitting thread stores the hop's handle, so that store only
     * succeeds while nothing is stored yet. {@code disposed} is re-checked after arming, so a
     * dispose racing with the arming still cancels the timer.
     */
    private static final class DelayedTask implements Disposable {
        private final EventLoop loop;
        private final Runnable task;
        private final double seconds;
        private final java.util.concurrent.atomic.AtomicReference<Handle> handle =
                new java.util.concurrent.atomic.AtomicReference<>();
        private volatile boolean disposed;

        DelayedTask(EventLoop loop, Runnable task, double seconds) {
            this.loop = loop;
            this.task = task;
            this.seconds = seconds;
        }

        void start() {
            Handle hop = loop.callSoonThreadsafe(this::arm);
            handle.compareAndSet(null, hop); // the armed timer, if already there, wins
        }

        private void arm() {
            if (disposed) {
                return;
            }
            Handle timer = loop.callLater(seconds, task);
            handle.set(timer);
            if (disposed) {
                timer.cancel();
            }
        }

        @Override
        public void dispose() {
            disposed = true;
            Handle h = handle.get();
            if (h != null) {
                h.cancel(); // Handle.cancel is threadsafe
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed;
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
