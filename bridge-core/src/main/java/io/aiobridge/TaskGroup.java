package io.aiobridge;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Structured concurrency: the counterpart of {@code asyncio.TaskGroup}. The scope does not end
 * until every task created in it is done.
 *
 * <pre>{@code
 * List<String> pages = TaskGroup.run(tg -> {
 *     Task<String> a = tg.createTask(() -> fetch("a"));
 *     Task<String> b = tg.createTask(() -> fetch("b"));
 *     return null;
 * });
 * }</pre>
 *
 * <p>The first child failure cancels the other children and the body; when all are done the scope
 * raises an {@link ExceptionGroup} carrying every child failure (and the body's own, last).
 * Cancellation of the surrounding task is propagated as {@link CancelledError} (unless there are
 * failures, which take priority). A {@link VirtualMachineError} in a child or the body is raised
 * as itself, as Python raises {@code KeyboardInterrupt} and {@code SystemExit}; the other failures
 * then reach the loop's exception handler instead of being lost (asyncio gh-135736). {@link
 * #cancel()} stops the group from inside or outside it, which then ends quietly.
 *
 * <p>Inside an async generator, a close at a {@code yield} in the body ({@link GeneratorExit})
 * leaves the group as itself when no task failed, so closing the generator (a subscriber's
 * cancel, a {@code break}) is not an error; with task failures, it joins the group's {@link
 * ExceptionGroup} (asyncio since gh-135736).
 *
 * <p>The scope takes its body as a lambda because its exit must replace the body's exception,
 * which try-with-resources cannot do. Checked exceptions arrive inside the group.
 *
 * <p><b>Threading:</b> loop-confined; {@link #createTask} is called by the loop's code (the body,
 * or the group's tasks). From another thread, while the loop runs, it throws {@link
 * WrongThreadException} and the group is unchanged; to add a task from outside, hand the call to
 * the loop ({@code loop.callSoonThreadsafe(() -> tg.createTask(...))}).
 */
public final class TaskGroup {

    /**
     * The body of a task group scope.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Runs the body.
         *
         * @param group the group, to create tasks in
         * @return the result of the scope
         * @throws Exception anything; it cancels the group's tasks and joins the group's errors
         */
        T run(TaskGroup group) throws Exception;
    }

    private boolean entered;
    private boolean exiting;
    private boolean aborting;
    private BaseEventLoop loop;
    private Task<?> parentTask;
    private boolean parentCancelRequested;
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private List<Throwable> errors = new ArrayList<>();
    private Throwable baseError;
    private AsyncFuture<Boolean> onCompleted;
    /** {@link #cancel()} came before the group was entered: cancel it on entry. */
    private boolean cancelOnEnter;

    private TaskGroup() {}

    /**
     * A task group not yet entered, for code that needs the group after its block, as Python's
     * {@code async with TaskGroup() as tg:} keeps {@code tg}. {@link #enter(Body)} runs it.
     *
     * @return the group
     */
    public static TaskGroup create() {
        return new TaskGroup();
    }

    /**
     * Enters this group, runs {@code body} in it and waits for all its tasks, as {@link
     * #run(Body)} does with a new group; once.
     *
     * @param body the body
     * @param <T> the result type
     * @return the body's result
     * @throws ExceptionGroup if any task (or the body) failed
     * @throws IllegalStateException "TaskGroup ... has already been entered" on a second use
     */
    public <T> T enter(Body<T> body) {
        Objects.requireNonNull(body, "body is null");
        if (entered) {
            throw new IllegalStateException("TaskGroup " + this + " has already been entered;"
                    + " a group runs once: create another with TaskGroup.create()");
        }
        return runIn(this, body);
    }

    /**
     * Runs {@code body} in a new task group, then waits for all its tasks.
     *
     * @param body the body
     * @param <T> the result type
     * @return the body's result, once every task of the group is done
     * @throws ExceptionGroup if any task (or the body) failed
     * @throws CancelledError if the surrounding task was cancelled
     */
    public static <T> T run(Body<T> body) {
        Objects.requireNonNull(body, "body is null");
        return runIn(new TaskGroup(), body);
    }

    private static <T> T runIn(TaskGroup g, Body<T> body) {
        g.enter();
        T result = null;
        Throwable error = null;
        try {
            result = body.run(g);
        } catch (Throwable e) {
            error = e;
        }
        Throwable raised = g.exit(error);
        if (raised != null) {
            throw AsyncFuture.rethrowable(raised);
        }
        return result;
    }

    private void enter() {
        parentTask = Aio.currentTask();
        if (parentTask == null) {
            throw new IllegalStateException("TaskGroup " + this + " cannot determine the parent"
                    + " task; run it inside a task (Aio.run(...) or Aio.createTask(...))");
        }
        loop = parentTask.loop;
        entered = true;
        if (cancelOnEnter) {
            cancel();
        }
    }

    private Throwable exit(Throwable exc) {
        exiting = true;
        if (exc != null && isBaseError(exc) && baseError == null) {
            baseError = exc;
        }
        Throwable propagateCancellation = exc instanceof CancelledError ? exc : null;
        if (exc != null && !aborting) {
            // the parent is being cancelled, or the body raised: stop the children
            abort();
        }
        // a loop, because the wait can be cancelled repeatedly by the parent's own cancellation
        CancelledError pendingCancellation = null;
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = new AsyncFuture<>(loop);
            }
            try {
                // also while the loop closes: close() cancelled the children, which then finish
                parentTask.awaitFuture(onCompleted, true);
            } catch (CancelledError e) {
                pendingCancellation = e;
                if (!aborting) {
                    // the parent was cancelled while the children still ran
                    propagateCancellation = e;
                    abort();
                }
            }
            onCompleted = null;
        }
        if (baseError != null) {
            // only one exception leaves: report the others rather than lose them (gh-135736)
            for (Throwable suppressed : errors) {
                if (suppressed != baseError) {
                    loop.callExceptionHandler(new ErrorContext("TaskGroup task exception was not"
                            + " propagated because the TaskGroup body is being closed with a"
                            + " BaseException", suppressed, null, null, null)
                            .with("task_group", this));
                }
            }
            return baseError;
        }
        // withdrawn only now that the children are done (asyncio 3.13): a request withdrawn
        // before the wait let a cancellation from outside, made during it, count as ours
        if (parentCancelRequested) {
            if (parentTask.uncancel() == 0) {
                // we cancelled the parent ourselves; with no other request left, do not propagate
                propagateCancellation = null;
            } else if (propagateCancellation == null) {
                // the request left is someone else's, made while we aborted: keep it (gh-155433)
                propagateCancellation = pendingCancellation;
            }
        }
        if (propagateCancellation != null && errors.isEmpty()) {
            return propagateCancellation;
        }
        if (exc != null && !(exc instanceof CancelledError)) {
            errors.add(exc);
        }
        if (!errors.isEmpty()) {
            if (parentTask.cancelling() > 0) {
                // a cancellation from outside is pending: the group raises its errors, so
                // deliver that request again at the parent's next await instead of losing it
                // (asyncio 3.13: uncancel, then cancel, keeps the count)
                parentTask.uncancel();
                parentTask.cancel();
            }
            if (exc instanceof GeneratorExit && errors.size() == 1) {
                // the body of a generator being closed, and no task failed: close cleanly, as
                // aclose() expects (gh-135736), rather than fail the close with a group
                errors = null;
                return exc;
            }
            ExceptionGroup group = new ExceptionGroup("unhandled errors in a TaskGroup", errors);
            errors = null;
            return group;
        }
        return null;
    }

    /**
     * Creates a task in this group.
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the group has finished or is shutting down
     */
    public <T> Task<T> createTask(Coroutine<T> coro) {
        return createTask(coro, null, null);
    }

    /**
     * Creates a named task in this group.
     *
     * @param coro the coroutine
     * @param name the name, or null
     * @param <T> the result type
     * @return the task
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return createTask(coro, name, null);
    }

    /**
     * Creates a task in this group with a name and a context.
     *
     * @param coro the coroutine
     * @param name the name, or null
     * @param context the context, or null for a copy of the current one
     * @param <T> the result type
     * @return the task
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name, Context context) {
        return createTask(coro, name, context, null);
    }

    /**
     * Creates a task in this group, choosing how it starts, as asyncio 3.14's {@code
     * tg.create_task(coro, eager_start=...)}: see {@link EventLoop#createTask(Coroutine, String,
     * Context, Boolean)}. A task that ends in its eager start is still the group's: its failure
     * cancels the body at its next await, not inside this call.
     *
     * @param coro the coroutine
     * @param name the name, or null
     * @param context the context, or null for a copy of the current one
     * @param eagerStart true to start now, false to schedule, null for the factory's choice
     * @param <T> the result type
     * @return the task
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name, Context context,
            Boolean eagerStart) {
        Objects.requireNonNull(coro, "coro is null");
        if (!entered) {
            throw new IllegalStateException("TaskGroup " + this + " has not been entered;"
                    + " create tasks inside TaskGroup.run(tg -> ...)");
        }
        loop.checkThread("TaskGroup.createTask()");
        if (exiting && tasks.isEmpty()) {
            throw new IllegalStateException("TaskGroup " + this + " is finished; create tasks"
                    + " inside its body");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down; a task"
                    + " failed or the group was cancelled, so it takes no new tasks");
        }
        Task<T> task = loop.createTask(coro, name, context, eagerStart);
        // also when it finished eagerly: the callback then runs in the next iteration, so an
        // eager child's failure cancels the body at its next await, not inside createTask
        // (asyncio 3.13, gh-128550)
        tasks.add(task);
        task.addDoneCallbackInternal(this::onTaskDone, parentTask);
        if (aborting && !task.isDone()) {
            // an eager start cancelled the group before the task joined it (gh-155418)
            task.cancel();
        }
        return task;
    }

    /**
     * Cancels the group, as asyncio 3.15's {@code TaskGroup.cancel()}: every task of the group not
     * yet done and the body are cancelled, and the group then ends without raising {@link
     * CancelledError} (the failures of its tasks, if any, are still raised). Before the group is
     * entered, it is cancelled on entry; after it has finished, nothing happens. Idempotent.
     * Loop-confined, as {@link #createTask}.
     */
    public void cancel() {
        if (!entered) {
            cancelOnEnter = true;
            return;
        }
        loop.checkThread("TaskGroup.cancel()");
        if (exiting && tasks.isEmpty()) {
            return;
        }
        if (!aborting) {
            abort();
            if (parentTask != null && !parentCancelRequested) {
                // withdrawn by exit() with uncancel(), so the group ends without CancelledError
                parentCancelRequested = true;
                parentTask.cancel();
            }
        }
    }

    private static boolean isBaseError(Throwable e) {
        return e instanceof VirtualMachineError;
    }

    private void abort() {
        aborting = true;
        for (Task<?> t : tasks) {
            if (!t.isDone()) {
                t.cancel();
            }
        }
    }

    private void onTaskDone(AsyncFuture<?> done) {
        Task<?> task = (Task<?>) done;
        tasks.remove(task);
        if (onCompleted != null && tasks.isEmpty() && !onCompleted.isDone()) {
            onCompleted.doSetResult(true);
        }
        if (task.isCancelled()) {
            return;
        }
        Throwable e = task.exception();
        if (e == null) {
            return;
        }
        errors.add(e);
        if (isBaseError(e) && baseError == null) {
            baseError = e;
        }
        if (parentTask.isDone()) {
            loop.callExceptionHandler(new ErrorContext(
                    "Task " + task.getName() + " has errored out but its parent task "
                            + parentTask.getName() + " is already completed", e, task, null, null));
            return;
        }
        if (!aborting && !parentCancelRequested) {
            // cancel the parent so the body stops at its current await; exit() withdraws this
            // request with uncancel(), so code after the group runs normally
            abort();
            parentCancelRequested = true;
            parentTask.cancel();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<TaskGroup");
        if (!tasks.isEmpty()) {
            sb.append(" tasks=").append(tasks.size());
        }
        if (errors != null && !errors.isEmpty()) {
            sb.append(" errors=").append(errors.size());
        }
        if (aborting) {
            sb.append(" cancelling");
        } else if (entered) {
            sb.append(" entered");
        }
        return sb.append('>').toString();
    }
}
