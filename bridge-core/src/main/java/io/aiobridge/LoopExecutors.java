package io.aiobridge;

import io.aiobridge.internal.TaskThreads;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loop's executors: {@code run_in_executor}, the default executor (a virtual thread per job,
 * created on first use) and its shutdown.
 *
 * <p><b>Invariant:</b> {@link #inFlight} counts the jobs this loop started on other threads and
 * has not yet heard back from (including the default executor's shutdown); a virtual-time loop
 * lets its clock run at real speed while it is not zero, so a timeout cannot fire "early" against
 * real work. A job's outcome reaches its future through the loop's inbound queue; if the loop
 * has closed meanwhile it is dropped, and the count still goes down. The rest is loop-confined.
 */
final class LoopExecutors {
    private final BaseEventLoop loop;
    private final AtomicInteger inFlight = new AtomicInteger();
    private Executor defaultExecutor;
    private boolean defaultOwned;
    private boolean shutdownCalled;

    LoopExecutors(BaseEventLoop loop) {
        this.loop = loop;
    }

    /** Whether a job started by this loop is still running elsewhere. */
    boolean jobsInFlight() {
        return inFlight.get() != 0;
    }

    <T> AsyncFuture<T> run(Executor executor, Callable<T> fn) {
        Executor ex = executor;
        if (ex == null) {
            if (shutdownCalled) {
                throw new IllegalStateException("Executor shutdown has been called; " + loop
                        + " has no default executor any more: pass an executor");
            }
            ex = defaultExecutor();
        }
        JobFuture<T> result = new JobFuture<>(loop);
        FutureTask<T> job = new FutureTask<>(fn) {
            @Override
            protected void done() {
                reportBack(() -> copyOutcome(this, result));
            }
        };
        result.job = job;
        inFlight.incrementAndGet();
        try {
            ex.execute(job);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
        return result;
    }

    /** On the job's thread: hands {@code outcome} to the loop, and counts the job as back. */
    private void reportBack(Runnable outcome) {
        if (!loop.postFromOutside(() -> {
            inFlight.decrementAndGet();
            outcome.run();
        })) {
            inFlight.decrementAndGet(); // the loop has closed: nobody waits for the outcome
        }
    }

    /** The future of an executor job: cancelling it cancels the job at once if not started. */
    private static final class JobFuture<T> extends AsyncFuture<T> {
        FutureTask<T> job;

        JobFuture(BaseEventLoop loop) {
            super(loop);
        }

        @Override
        public boolean cancel(String message) {
            boolean cancelled = super.cancel(message);
            if (cancelled) {
                job.cancel(false);
            }
            return cancelled;
        }
    }

    private static <T> void copyOutcome(Future<T> from, AsyncFuture<T> to) {
        if (to.isDone()) {
            return;
        }
        if (from.isCancelled()) {
            to.cancel();
            return;
        }
        try {
            to.setResult(from.get());
        } catch (ExecutionException e) {
            to.setException(e.getCause());
        } catch (InterruptedException e) {
            to.setException(e);
        }
    }

    private Executor defaultExecutor() {
        if (defaultExecutor == null) {
            // off-loop virtual threads: on the carrier engine a job must not inherit the loop's
            // carrier, or a blocking call in it would stall the loop (TaskThreads.offLoop)
            ThreadFactory jobs = r -> TaskThreads.offLoop().name("aiobridge-executor").unstarted(r);
            defaultExecutor = Executors.newThreadPerTaskExecutor(jobs);
            defaultOwned = true;
        }
        return defaultExecutor;
    }

    void setDefault(Executor executor) {
        defaultExecutor = executor;
        defaultOwned = false;
    }

    /** {@code shutdown_default_executor}: a future that completes once its jobs have finished. */
    AsyncFuture<Void> shutdownDefault() {
        shutdownCalled = true;
        AsyncFuture<Void> done = new AsyncFuture<>(loop);
        if (!(defaultExecutor instanceof ExecutorService es)) {
            done.setResult(null);
            return done;
        }
        inFlight.incrementAndGet();
        TaskThreads.offLoop().name("aiobridge-executor-shutdown").start(() -> {
            es.shutdown();
            boolean interrupted = false;
            while (true) {
                try {
                    if (es.awaitTermination(1, TimeUnit.DAYS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            reportBack(() -> {
                if (!done.isDone()) {
                    done.setResult(null);
                }
            });
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        return done;
    }

    /** The loop closed: an executor it made itself is shut down, without waiting. */
    void close() {
        if (defaultOwned && defaultExecutor instanceof ExecutorService es) {
            es.shutdown();
        }
    }
}
