package io.aiobridge;

import io.aiobridge.internal.Args;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The asyncio-style entry points: {@code Aio.run}, {@code Aio.sleep}, {@code Aio.gather} and the
 * rest, with asyncio's names in camelCase. Each is a thin door to the class that implements it.
 *
 * <pre>{@code
 * Aio.run(() -> {
 *     Task<String> t1 = Aio.createTask(() -> sayAfter(1.0, "hello"));
 *     Task<String> t2 = Aio.createTask(() -> sayAfter(2.0, "world"));
 *     System.out.println(t1.await() + " " + t2.await());
 *     return null;
 * });
 * }</pre>
 *
 * <p><b>Threading:</b> except for {@link #run}, {@link #runCoroutineThreadsafe} and the queries
 * that say so, these must be called from a task of a running loop; elsewhere they throw {@link
 * IllegalStateException} saying so (never a silent block).
 *
 * <p>Why this file is longer than the others (about 600 lines): it is the door to every asyncio
 * function, each a line or two of code under its Javadoc; the work is in the classes it calls.
 *
 * <p><b>Exceptions:</b> awaiting rethrows the awaited failure itself when it is unchecked; checked
 * exceptions arrive wrapped in {@link java.util.concurrent.CompletionException}. Cancellation is a
 * {@link CancelledError}, deliberately an {@link Error} (see there).
 */
public final class Aio {
    private Aio() {}

    // ---- running -------------------------------------------------------------------------------

    /**
     * Runs {@code main} on a new event loop and returns its result; then cancels the tasks still
     * running, shuts the default executor down and closes the loop. {@code asyncio.run}.
     * {@link Thread#interrupt() Interrupting} the calling thread cancels {@code main}, as Ctrl-C
     * does in asyncio: its {@code finally} blocks run, then this throws {@link CancelledError}
     * (unless {@code main} suppressed it) with the thread's interrupt status set, and the cleanup
     * still runs ({@link EventLoop#runUntilComplete(AsyncFuture)}).
     *
     * @param main the main coroutine
     * @param <T> the result type
     * @return the result
     * @throws IllegalStateException if called from a running loop
     */
    public static <T> T run(Coroutine<T> main) {
        checkNotInLoop();
        try (Runner runner = new Runner()) {
            return runner.run(main);
        }
    }

    private static void checkNotInLoop() {
        if (BaseEventLoop.ofCurrentThread() != null) {
            throw new IllegalStateException("asyncio.run() cannot be called from a running event"
                    + " loop; Aio.run() was called from a loop's code: await the coroutine, or"
                    + " create a task, instead");
        }
    }

    /**
     * As {@link #run(Coroutine)}, with debug mode on or off.
     *
     * @param main the main coroutine
     * @param debug whether the loop runs in debug mode
     * @param <T> the result type
     * @return the result
     */
    public static <T> T run(Coroutine<T> main, boolean debug) {
        checkNotInLoop();
        try (Runner runner = new Runner(EventLoop::newEventLoop, debug)) {
            return runner.run(main);
        }
    }

    /**
     * The loop the calling code runs on. {@code asyncio.get_running_loop}.
     *
     * @return the loop
     * @throws IllegalStateException if the calling thread is not running a loop
     */
    public static EventLoop getRunningLoop() {
        BaseEventLoop loop = BaseEventLoop.ofCurrentThread();
        if (loop == null) {
            throw new IllegalStateException("no running event loop; thread '"
                    + Thread.currentThread().getName() + "' runs no loop's code: start one with"
                    + " Aio.run(...)");
        }
        return loop;
    }

    /**
     * The loop the calling code runs on, or null if the calling thread is not running one. Any
     * thread; for libraries that pick a loop (the caller's, else another).
     *
     * @return the loop or null
     */
    public static EventLoop runningLoopOrNull() {
        return BaseEventLoop.ofCurrentThread();
    }

    /**
     * The task running the calling code, or null in a callback or outside any loop. Any thread.
     *
     * @return the task or null
     */
    public static Task<?> currentTask() {
        return Baton.taskOfCurrentThread();
    }

    /**
     * The task running the calling code; outside a task, an {@link IllegalStateException}
     * saying that {@code operation} needs one (starting with asyncio's "no running event loop"
     * when no loop runs here). For libraries whose operations must run in a task.
     *
     * @param operation what the caller is doing, for the message (e.g. {@code "anext()"})
     * @return the task
     * @throws IllegalStateException outside a task
     */
    public static Task<?> currentTask(String operation) {
        return Task.currentOrThrow(Objects.requireNonNull(operation, "operation is null"));
    }

    /**
     * The running loop's tasks that are not done yet. {@code asyncio.all_tasks}.
     *
     * @return a new set, oldest task first
     */
    public static Set<Task<?>> allTasks() {
        return allTasks(getRunningLoop());
    }

    /**
     * The tasks of {@code loop} that are not done yet. {@code asyncio.all_tasks(loop)}, and like
     * it callable from any thread (a monitoring thread, another loop's task): the set is one state
     * that the loop's task list was in, never a torn one. Off the loop it reads without stopping
     * the loop; only while tasks start and end faster than it can read the list (a very long
     * list under steady churn) does it borrow the loop if idle or ask the loop for the set and
     * wait, blocking the calling thread for about one step of the loop.
     *
     * @param loop the loop
     * @return a new set, oldest task first
     */
    public static Set<Task<?>> allTasks(EventLoop loop) {
        Objects.requireNonNull(loop, "loop is null");
        return ((BaseEventLoop) loop).liveTasksFromAnyThread();
    }

    // ---- tasks ---------------------------------------------------------------------------------

    /**
     * Runs {@code coro} concurrently as a task of the running loop. {@code asyncio.create_task}.
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return the task
     */
    public static <T> Task<T> createTask(Coroutine<T> coro) {
        return getRunningLoop().createTask(coro);
    }

    /**
     * As {@link #createTask(Coroutine)} with a name.
     *
     * @param coro the coroutine
     * @param name the name
     * @param <T> the result type
     * @return the task
     */
    public static <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return getRunningLoop().createTask(coro, name);
    }

    /**
     * As {@link #createTask(Coroutine)} with a name and a context: {@code
     * asyncio.create_task(coro, name=..., context=ctx)}.
     *
     * @param coro the coroutine
     * @param name the name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param <T> the result type
     * @return the task
     */
    public static <T> Task<T> createTask(Coroutine<T> coro, String name, Context context) {
        return getRunningLoop().createTask(coro, name, context);
    }

    /**
     * As {@link #createTask(Coroutine, String, Context)}, choosing how the task starts: {@code
     * asyncio.create_task(coro, eager_start=...)} (3.14). True runs it now until its first
     * suspension; false schedules it even under an eager task factory; null lets the factory
     * decide ({@link EventLoop#createTask(Coroutine, String, Context, Boolean)}).
     *
     * @param coro the coroutine
     * @param name the name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param eagerStart true to start now, false to schedule, null for the factory's choice
     * @param <T> the result type
     * @return the task
     */
    public static <T> Task<T> createTask(Coroutine<T> coro, String name, Context context,
            Boolean eagerStart) {
        return getRunningLoop().createTask(coro, name, context, eagerStart);
    }

    /**
     * A future of the running loop for {@code stage}. {@code asyncio.ensure_future} /
     * {@code wrap_future}.
     *
     * @param stage a CompletionStage (a CompletableFuture, say)
     * @param <T> the result type
     * @return the future
     */
    public static <T> AsyncFuture<T> ensureFuture(CompletionStage<T> stage) {
        return AsyncFuture.fromStage(getRunningLoop(), stage);
    }

    // ---- awaiting ------------------------------------------------------------------------------

    /**
     * Suspends the current task until {@code awaitable} is done. {@code await x}.
     *
     * @param awaitable a future, task or adapter
     * @param <T> the result type
     * @return the result
     */
    public static <T> T await(Awaitable<T> awaitable) {
        return Objects.requireNonNull(awaitable, "awaitable is null").await();
    }

    /**
     * Suspends the current task until {@code stage} completes, without blocking the loop. The
     * completion may happen on any thread. Cancelling the task cancels a {@code stage} that is a
     * {@link java.util.concurrent.Future}.
     *
     * @param stage the stage
     * @param <T> the result type
     * @return the result
     */
    public static <T> T await(CompletionStage<T> stage) {
        Task<?> task = Task.currentOrThrow("await()");
        return task.awaitFuture(AsyncFuture.fromStage(task.loop, stage));
    }

    /**
     * Suspends the current task for {@code delay} seconds. {@code asyncio.sleep}. {@code sleep(0)}
     * lets every other ready callback and task run once.
     *
     * @param delay seconds; zero or less only yields
     */
    public static void sleep(double delay) {
        Sleep.sleep(delay, null);
    }

    /**
     * As {@link #sleep(double)}, returning {@code result}.
     *
     * @param delay seconds
     * @param result what to return
     * @param <T> the result type
     * @return {@code result}
     */
    public static <T> T sleep(double delay, T result) {
        return Sleep.sleep(delay, result);
    }

    /**
     * As {@link #sleep(double)} with a {@link Duration}.
     *
     * @param delay how long
     */
    public static void sleep(Duration delay) {
        Sleep.sleep(Times.seconds(delay, "delay"), null);
    }

    // ---- gathering -----------------------------------------------------------------------------

    /**
     * A future of all results, in argument order. {@code asyncio.gather}. The first failure
     * becomes the future's exception (the others keep running); cancelling the future cancels the
     * children still running.
     *
     * @param futures futures or tasks of one loop
     * @param <T> the result type
     * @return the gathering future; await it
     */
    public static <T> AsyncFuture<List<T>> gather(List<? extends AsyncFuture<? extends T>> futures) {
        Objects.requireNonNull(futures, "futures is null");
        return Gather.gather(loopOf(futures), futures, false, Gather::values);
    }

    /**
     * As {@link #gather(List)}.
     *
     * @param futures futures or tasks of one loop
     * @param <T> the result type
     * @return the gathering future
     */
    @SafeVarargs
    public static <T> AsyncFuture<List<T>> gather(AsyncFuture<? extends T>... futures) {
        Objects.requireNonNull(futures, "futures is null");
        return gather(Arrays.asList(futures));
    }

    /**
     * Gathers nothing: a future of the running loop, already done with an empty list, as {@code
     * await asyncio.gather()} returns {@code []}.
     *
     * @param <T> the result type
     * @return a done future
     */
    public static <T> AsyncFuture<List<T>> gather() {
        return gather(List.<AsyncFuture<T>>of());
    }

    /**
     * Runs the coroutines as tasks, in order, and gathers their results.
     *
     * @param coros the coroutines
     * @param <T> the result type
     * @return the gathering future
     */
    @SafeVarargs
    public static <T> AsyncFuture<List<T>> gather(Coroutine<? extends T>... coros) {
        return gather(tasksOf(coros));
    }

    /**
     * As {@link #gather(List)}, but no child failure ends the gather early: each child's outcome,
     * value or exception, is in its place. {@code gather(..., return_exceptions=True)}.
     *
     * @param futures futures or tasks of one loop
     * @param <T> the result type
     * @return the gathering future
     */
    public static <T> AsyncFuture<List<Outcome<T>>> gatherSettled(
            List<? extends AsyncFuture<? extends T>> futures) {
        Objects.requireNonNull(futures, "futures is null");
        return Gather.gather(loopOf(futures), futures, true, Gather::outcomes);
    }

    /**
     * Runs the coroutines as tasks and gathers their outcomes.
     *
     * @param coros the coroutines
     * @param <T> the result type
     * @return the gathering future
     */
    @SafeVarargs
    public static <T> AsyncFuture<List<Outcome<T>>> gatherSettled(Coroutine<? extends T>... coros) {
        return gatherSettled(tasksOf(coros));
    }

    private static <T> List<Task<? extends T>> tasksOf(Coroutine<? extends T>[] coros) {
        List<Coroutine<? extends T>> checked = Args.nonNullElements(coros, "coros");
        EventLoop loop = getRunningLoop();
        List<Task<? extends T>> tasks = new ArrayList<>(checked.size());
        for (Coroutine<? extends T> c : checked) {
            tasks.add(loop.createTask(c));
        }
        return tasks;
    }

    private static BaseEventLoop loopOf(List<? extends AsyncFuture<?>> futures) {
        for (int i = 0; i < futures.size(); i++) {
            if (futures.get(i) == null) {
                throw new NullPointerException("futures[" + i + "] is null"); // built only then
            }
        }
        return futures.isEmpty() ? (BaseEventLoop) getRunningLoop() : futures.get(0).loop;
    }

    // ---- waiting -------------------------------------------------------------------------------

    /**
     * Waits until all futures are done, without raising. {@code asyncio.wait}.
     *
     * @param futures the futures, not empty
     * @param <F> the future type
     * @return done and pending
     */
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures) {
        return Wait.await(futures, ReturnWhen.ALL_COMPLETED, null);
    }

    /**
     * Waits as {@code returnWhen} says, without raising.
     *
     * @param futures the futures, not empty
     * @param returnWhen when to return
     * @param <F> the future type
     * @return done and pending
     */
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures,
            ReturnWhen returnWhen) {
        return Wait.await(futures, returnWhen, null);
    }

    /**
     * Waits as {@code returnWhen} says, or until {@code timeout} seconds pass; the pending futures
     * are not cancelled.
     *
     * @param futures the futures, not empty
     * @param returnWhen when to return
     * @param timeout seconds, or null for none
     * @param <F> the future type
     * @return done and pending
     * @throws IllegalArgumentException if {@code futures} is empty
     */
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures,
            ReturnWhen returnWhen, Double timeout) {
        return Wait.await(futures, returnWhen, Times.checkOrNull(timeout, "timeout"));
    }

    /**
     * As {@link #wait(Collection, ReturnWhen, Double)} with a timeout in seconds.
     *
     * @param futures the futures, not empty
     * @param returnWhen when to return
     * @param timeout seconds (negative: now; infinite: never)
     * @param <F> the future type
     * @return done and pending
     */
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures,
            ReturnWhen returnWhen, double timeout) {
        return Wait.await(futures, returnWhen, Times.check(timeout, "timeout"));
    }


    /**
     * Awaits {@code future} for at most {@code timeout} seconds; on timeout cancels it, waits until
     * it has finished, and raises. {@code asyncio.wait_for}.
     *
     * @param future the future or task
     * @param timeout seconds (zero or less: cancel unless already done), or null for none
     * @param <T> the result type
     * @return the result
     * @throws AsyncTimeoutException on timeout
     */
    public static <T> T waitFor(AsyncFuture<T> future, Double timeout) {
        return WaitFor.await(Objects.requireNonNull(future, "future is null"),
                Times.checkOrNull(timeout, "timeout"));
    }

    /**
     * As {@link #waitFor(AsyncFuture, Double)} with a timeout in seconds.
     *
     * @param future the future or task
     * @param timeout seconds (zero or less: cancel unless already done; infinite: never)
     * @param <T> the result type
     * @return the result
     * @throws AsyncTimeoutException on timeout
     */
    public static <T> T waitFor(AsyncFuture<T> future, double timeout) {
        return waitFor(future, (Double) Times.check(timeout, "timeout"));
    }


    /**
     * Runs {@code coro} as a task and awaits it for at most {@code timeout} seconds.
     *
     * @param coro the coroutine
     * @param timeout seconds, or null for none
     * @param <T> the result type
     * @return the result
     * @throws AsyncTimeoutException on timeout
     */
    public static <T> T waitFor(Coroutine<T> coro, Double timeout) {
        Objects.requireNonNull(coro, "coro is null");
        Times.checkOrNull(timeout, "timeout");
        if (timeout == null) {
            return Task.currentOrThrow("waitFor()").awaitFuture(createTask(coro));
        }
        return WaitFor.await(createTask(coro), timeout);
    }

    /**
     * As {@link #waitFor(Coroutine, Double)} with a timeout in seconds.
     *
     * @param coro the coroutine
     * @param timeout seconds
     * @param <T> the result type
     * @return the result
     * @throws AsyncTimeoutException on timeout
     */
    public static <T> T waitFor(Coroutine<T> coro, double timeout) {
        return waitFor(coro, (Double) Times.check(timeout, "timeout"));
    }


    /**
     * Awaitables that return the futures' results in completion order. {@code
     * asyncio.as_completed}.
     *
     * <pre>{@code
     * for (Awaitable<String> next : Aio.asCompleted(tasks, 5.0)) {
     *     System.out.println(next.await());
     * }
     * }</pre>
     *
     * @param futures the futures
     * @param timeout seconds after which every remaining await raises {@link
     *     AsyncTimeoutException}, or null
     * @param <T> the result type
     * @return one awaitable per distinct future
     */
    public static <T> List<Awaitable<T>> asCompleted(
            List<? extends AsyncFuture<? extends T>> futures, Double timeout) {
        Objects.requireNonNull(futures, "futures is null");
        return AsCompleted.of((BaseEventLoop) getRunningLoop(), futures,
                Times.checkOrNull(timeout, "timeout"));
    }

    /**
     * As {@link #asCompleted(List, Double)} with a timeout in seconds.
     *
     * @param futures the futures
     * @param timeout seconds
     * @param <T> the result type
     * @return one awaitable per distinct future
     */
    public static <T> List<Awaitable<T>> asCompleted(
            List<? extends AsyncFuture<? extends T>> futures, double timeout) {
        return asCompleted(futures, (Double) Times.check(timeout, "timeout"));
    }

    /**
     * The futures themselves, each once, in the order they finish: asyncio 3.13's {@code async for
     * f in as_completed(fs)}, which yields the tasks it was given, so the loop body knows which
     * one finished. Each step waits for the next future to finish and returns it (done: call
     * {@code result()} to get its value or raise its exception).
     *
     * <pre>{@code
     * for (Task<Page> t : Aio.asCompletedFutures(fetches, 5.0)) {
     *     System.out.println(names.get(t) + ": " + t.result().size());
     * }
     * }</pre>
     *
     * <p>The iterable is one iteration: a second for-each goes on where the first stopped.
     *
     * @param futures the futures (duplicates count once); all of the running loop
     * @param timeout seconds after which each remaining step raises {@link
     *     AsyncTimeoutException} (the futures go on), or null for none
     * @param <F> the futures' type, {@link Task} for tasks
     * @return the futures in completion order
     * @throws IllegalArgumentException for a future of another loop
     */
    public static <F extends AsyncFuture<?>> AsyncIterable<F> asCompletedFutures(
            Collection<? extends F> futures, Double timeout) {
        Objects.requireNonNull(futures, "futures is null");
        return AsCompleted.futures((BaseEventLoop) getRunningLoop(), futures,
                Times.checkOrNull(timeout, "timeout"));
    }

    /**
     * As {@link #asCompletedFutures(Collection, Double)} with no timeout.
     *
     * @param futures the futures
     * @param <F> the futures' type
     * @return the futures in completion order
     */
    public static <F extends AsyncFuture<?>> AsyncIterable<F> asCompletedFutures(
            Collection<? extends F> futures) {
        return asCompletedFutures(futures, null);
    }

    /**
     * Runs the coroutines as tasks and returns awaitables of their results in completion order.
     *
     * @param timeout seconds, or null
     * @param coros the coroutines
     * @param <T> the result type
     * @return the awaitables
     */
    @SafeVarargs
    public static <T> List<Awaitable<T>> asCompleted(Double timeout,
            Coroutine<? extends T>... coros) {
        return asCompleted(tasksOf(coros), timeout);
    }

    /**
     * A future that mirrors {@code future} but whose cancellation does not cancel it. {@code
     * asyncio.shield}.
     *
     * @param future the future to protect
     * @param <T> the result type
     * @return the outer future
     */
    public static <T> AsyncFuture<T> shield(AsyncFuture<T> future) {
        return Shield.of(Objects.requireNonNull(future, "future is null"));
    }

    // ---- timeouts ------------------------------------------------------------------------------

    /**
     * Runs {@code body} with a deadline {@code delay} seconds from now. {@code asyncio.timeout}.
     *
     * @param delay seconds, or null for none
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline cancelled the body
     */
    public static <T> T timeout(Double delay, Coroutine<T> body) {
        Objects.requireNonNull(body, "body is null");
        return Timeout.after(delay, t -> body.call());
    }

    /**
     * As {@link #timeout(Double, Coroutine)} with a delay in seconds.
     *
     * @param delay seconds (negative: now; infinite: never)
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline cancelled the body
     */
    public static <T> T timeout(double delay, Coroutine<T> body) {
        return timeout((Double) Times.check(delay, "delay"), body);
    }


    /**
     * Runs {@code body} with a deadline at loop time {@code when}. {@code asyncio.timeout_at}.
     *
     * @param when the deadline on {@link EventLoop#time()}, or null
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline cancelled the body
     */
    public static <T> T timeoutAt(Double when, Coroutine<T> body) {
        Objects.requireNonNull(body, "body is null");
        return Timeout.at(when, t -> body.call());
    }

    /**
     * As {@link #timeoutAt(Double, Coroutine)} with a deadline in seconds.
     *
     * @param when the deadline on {@link EventLoop#time()}
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws AsyncTimeoutException if the deadline cancelled the body
     */
    public static <T> T timeoutAt(double when, Coroutine<T> body) {
        return timeoutAt((Double) Times.check(when, "when"), body);
    }

    // ---- threads -------------------------------------------------------------------------------

    /**
     * Runs blocking {@code fn} on the loop's default executor (a virtual thread), in a copy of the
     * current context, and awaits its result. {@code asyncio.to_thread}.
     *
     * @param fn the blocking function
     * @param <T> the result type
     * @return the result
     */
    public static <T> T toThread(Callable<T> fn) {
        return Threads.toThread(fn);
    }

    /**
     * Submits {@code coro} to {@code loop} from any other thread and returns a CompletableFuture
     * of its result; cancelling that cancels the task. {@code asyncio.run_coroutine_threadsafe}.
     * Blocking on the result ({@code join()}, {@code get()}) where that would deadlock the loop
     * fails at once with {@link IllegalStateException}: from the loop's own code, or from a
     * thread that carries a loop's tasks (a Netty event loop under {@link
     * EventLoop#newEventLoopOn}); await it in a task there.
     *
     * @param coro the coroutine
     * @param loop the target loop, running or about to run
     * @param <T> the result type
     * @return the future of the result
     */
    public static <T> CompletableFuture<T> runCoroutineThreadsafe(Coroutine<T> coro,
            EventLoop loop) {
        return Threads.runCoroutineThreadsafe(coro, loop);
    }
}
