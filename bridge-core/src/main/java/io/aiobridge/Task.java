package io.aiobridge;

import io.aiobridge.internal.Checkpoint;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A coroutine running on its own virtual thread, scheduled by an event loop: the counterpart of
 * {@code asyncio.Task}. A task is a future of its coroutine's outcome.
 *
 * <p>Of a loop's tasks exactly one runs at a time. A task runs until it awaits something not yet
 * done; its virtual thread then parks and the loop goes on. When the awaited thing completes, the
 * task's step is scheduled on the loop like any callback, and it resumes in turn.
 *
 * <p><b>Invariant:</b> either {@link #waiter} is null and the task's step is scheduled or running,
 * or {@code waiter} is the pending future the task awaits and the task's wakeup is registered on
 * it. The task is in the loop's ready queue (as its own next
 * step) at most once.
 *
 * <p><b>Cancellation</b> follows asyncio: {@link #cancel(String)} raises a {@link CancelledError}
 * inside the task at its current await (or at its next one, if it is running); the task may catch
 * it, clean up, and even go on. {@link #cancelling()} counts the requests not yet withdrawn with
 * {@link #uncancel()}, which lets timeouts and task groups tell their own cancellations from
 * others.
 *
 * <p><b>Threading:</b> as {@link AsyncFuture}: mutators are loop-confined; state queries and {@link
 * #join()} work from any thread.
 *
 * @param <T> the result type
 */
public class Task<T> extends AsyncFuture<T> {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final VarHandle CONTEXT;

    static {
        try {
            CONTEXT = MethodHandles.lookup().findVarHandle(Task.class, "context", Object.class);
        } catch (ReflectiveOperationException impossible) {
            throw new AssertionError(impossible);
        }
        // an iteration whose items are always ready raises a cancel requested meanwhile, and
        // every so many items lets the loop run what waits for it (internal.Checkpoint)
        Checkpoint.install(t -> {
            if (t.mustCancel) {
                t.yieldNow();
            }
        }, t -> {
            if (t.mustCancel || t.loop.somethingIsDue()) {
                t.yieldNow();
            }
        });
        // Initialize CancelledError before the JIT compiles awaitFuture. Otherwise the compiled
        // code holds an "unloaded class" trap at `new CancelledError`, and each task suspended
        // in that code deoptimizes on its own when it is cancelled: closing a loop of 200k
        // suspended tasks spent 25 us per task in 200k deoptimizations (docs/performance.md).
        try {
            MethodHandles.lookup().ensureInitialized(CancelledError.class);
        } catch (IllegalAccessException impossible) {
            throw new AssertionError(impossible);
        }
    }

    private final Coroutine<T> coro;
    private final long id;
    private volatile String name;
    /**
     * The task's context, or, until something asks for it, the values it was copied with (a
     * {@link VarMap}, immutable): most tasks never read a context variable, and a context object
     * is 24 bytes a task. Made at most once ({@link #ownContext}).
     */
    private volatile Object context;
    /** The task's own virtual thread, once started. Written only by {@link Baton}. */
    volatile Thread thread;
    /**
     * The thread running this task's code now: {@link #thread}, or the thread of an async
     * generator the task is iterating (its body runs as part of the task, as in Python). Written
     * only by {@link Baton}.
     */
    volatile Thread activeThread;
    AsyncFuture<?> waiter;
    boolean mustCancel;
    Task<?> prevLive;
    Task<?> nextLive;
    /** What few tasks use, or null: see {@link Rare}. */
    private Rare rare;
    private static final int CLOSING_REFUSALS = 100;

    /**
     * The task's state that most tasks never use: cancellation, exit callbacks, a context entered
     * with {@code Context.run}, an eager start, a batched generator's hook, debug mode. Kept out of
     * the task itself so that a million suspended tasks do not each carry it: 32 bytes a task
     * (docs/performance.md). Created on first use; loop-confined, as the fields it holds were.
     */
    private static final class Rare {
        /** The context the task's code sees now, when not its own (inside Context.run). */
        Context activeContext;
        /** Run before the task's code suspends (a batched generator flushes its items here). */
        Runnable suspendHook;
        String mustCancelMessage;
        int cancelRequests;
        /**
         * While starting eagerly: the thread to hand the baton back to at the first suspension.
         * Written only by {@link Baton}.
         */
        Thread eagerReturn;
        /** Exit callbacks: null, one Runnable, or an ArrayList of them. */
        Object exitCallbacks;
        /** Awaits refused while the loop closes; past {@link #CLOSING_REFUSALS} the task is left. */
        int closingRefusals;
        /** Where the task was created, in debug mode. */
        StackTraceElement[] createdAt;
        /** While cancel() passes the request on to what the task awaits. */
        boolean propagatingCancel;
    }

    private Rare rare() {
        Rare r = rare;
        if (r == null) {
            r = new Rare();
            rare = r;
        }
        return r;
    }

    /**
     * Creates a task of {@code loop}, for task factories; ordinary code calls {@link
     * EventLoop#createTask} or {@link Aio#createTask}.
     *
     * @param loop the loop
     * @param coro the coroutine
     * @param name the name, or null for {@code Task-N}
     * @param context the context, or null for a copy of the current one
     * @param eagerStart if true and the loop is running, the task runs now, inside this
     *     constructor, until its first suspension (asyncio's eager start)
     */
    public Task(EventLoop loop, Coroutine<T> coro, String name, Context context,
            boolean eagerStart) {
        super(requireLoop(loop));
        this.coro = Objects.requireNonNull(coro, "coro is null");
        this.loop.checkOpen();
        this.loop.checkThread("new Task()");
        this.id = COUNTER.incrementAndGet();
        this.name = name;
        this.context = context != null ? context : Context.currentData(); // a copy: immutable
        if (this.loop.getDebug()) {
            rare().createdAt = new Throwable().getStackTrace();
        }
        this.loop.taskCreated(this);
        if (eagerStart && this.loop.isRunning()) {
            this.loop.baton.eagerStart(this);
        } else {
            this.loop.scheduleStep(this);
        }
    }

    private static BaseEventLoop requireLoop(EventLoop loop) {
        return (BaseEventLoop) Objects.requireNonNull(loop, "loop is null");
    }

    // ---- the rare state, for the runtime -------------------------------------------------------

    private String mustCancelMessage() {
        Rare r = rare;
        return r == null ? null : r.mustCancelMessage;
    }

    /** The task's own context, made from the values it was copied with on first use. */
    private Context ownContext() {
        Object c = context;
        if (c instanceof Context made) {
            return made;
        }
        Context mine = Context.withData((VarMap) c);
        Object won = CONTEXT.compareAndExchange(this, c, mine); // getContext() from any thread
        return won == c ? mine : (Context) won;
    }

    /** The context the task's code sees now: its own, or one entered with Context.run. */
    Context activeContext() {
        Rare r = rare;
        return r == null || r.activeContext == null ? ownContext() : r.activeContext;
    }

    /** The values of {@link #activeContext()}, without making the task's own context. */
    VarMap activeData() {
        Rare r = rare;
        if (r != null && r.activeContext != null) {
            return r.activeContext.data;
        }
        Object c = context;
        return c instanceof Context made ? made.data : (VarMap) c;
    }

    /** Makes {@code next} the context the task's code sees; returns the one it saw. */
    Context swapActiveContext(Context next) {
        Context prev = activeContext();
        if (next != prev) {
            rare().activeContext = next == ownContext() ? null : next;
        }
        return prev;
    }

    /** Sets or clears (null) the hook run before the task's code suspends. */
    void setSuspendHook(Runnable hook) {
        if (hook != null || rare != null) {
            rare().suspendHook = hook;
        }
    }

    /** While starting eagerly: the thread to hand the baton back to at the first suspension. */
    void setEagerReturn(Thread back) {
        rare().eagerReturn = back;
    }

    /** The thread waiting for this task's eager start to suspend, cleared; or null. */
    Thread takeEagerReturn() {
        Rare r = rare;
        Thread back = r == null ? null : r.eagerReturn;
        if (back != null) {
            r.eagerReturn = null;
        }
        return back;
    }

    // ---- the task's thread ---------------------------------------------------------------------

    /** The virtual thread's body: runs the coroutine, records the outcome, passes the baton on. */
    void body() {
        T value = null;
        Throwable error = null;
        try {
            value = coro.call();
        } catch (Throwable e) {
            error = e;
        }
        afterBody(value, error);
    }

    /**
     * What follows the coroutine, in a method of its own: with {@code -XX:-ProfileExceptionHandlers}
     * the JIT then leaves no trap in a parked task's frame between its resume point and the end
     * (written inline, the {@code rare} check became a "null_assert" trap that every cancelled
     * task hit on its own: docs/performance.md, "Closing a loop with many suspended tasks").
     */
    private void afterBody(T value, Throwable error) {
        if (rare != null && rare.exitCallbacks != null) {
            runExitCallbacks();
        }
        finish(value, error);
        loop.baton.finished(this); // passes the baton on: this thread then ends
    }

    private void finish(T value, Throwable error) {
        loop.taskDone(this);
        if (error == null) {
            if (mustCancel) {
                // cancelled while running its last step and returned without awaiting: asyncio
                // still ends such a task cancelled
                mustCancel = false;
                doCancel(mustCancelMessage(), null);
            } else {
                doSetResult(value);
            }
        } else if (error instanceof CancelledError ce) {
            doCancel(ce.getMessage(), ce);
        } else {
            doSetException(error);
        }
    }

    /**
     * Adds a callback that runs when the task's code has ended, however it ended (returned,
     * failed or was cancelled): on the task's own turn, before the task is done and before any
     * done callback, newest first. For what a task opens and must close when it ends, which Java
     * code cannot always close itself: an iteration of a Reactive Streams publisher left by
     * {@code break} or an exception is cancelled this way. The callback must not await; what it
     * throws goes to the loop's exception handler. Loop-confined.
     *
     * @param callback the callback
     */
    public void addExitCallback(Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        loop.checkThread("addExitCallback()");
        Rare r = rare();
        Object o = r.exitCallbacks;
        if (o == null) {
            r.exitCallbacks = callback;
        } else if (o instanceof ArrayList<?> list) {
            @SuppressWarnings("unchecked")
            ArrayList<Runnable> l = (ArrayList<Runnable>) list;
            l.add(callback);
        } else {
            ArrayList<Runnable> l = new ArrayList<>(4);
            l.add((Runnable) o);
            l.add(callback);
            r.exitCallbacks = l;
        }
    }

    /**
     * Removes an exit callback (compared by identity) that has not run yet.
     *
     * @param callback the callback
     * @return true if it was registered
     */
    public boolean removeExitCallback(Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        loop.checkThread("removeExitCallback()");
        Rare r = rare;
        Object o = r == null ? null : r.exitCallbacks;
        if (o == callback) {
            r.exitCallbacks = null;
            return true;
        }
        if (o instanceof ArrayList<?> list) {
            for (int i = list.size() - 1; i >= 0; i--) {
                if (list.get(i) == callback) {
                    list.remove(i);
                    return true;
                }
            }
        }
        return false;
    }

    /** The task's code has ended: run its exit callbacks, newest first. */
    private void runExitCallbacks() {
        Object o = rare.exitCallbacks;
        rare.exitCallbacks = null;
        if (o instanceof ArrayList<?> list) {
            for (int i = list.size() - 1; i >= 0; i--) {
                runExitCallback((Runnable) list.get(i));
            }
        } else {
            runExitCallback((Runnable) o);
        }
    }

    private void runExitCallback(Runnable callback) {
        try {
            callback.run();
        } catch (Throwable e) {
            loop.callExceptionHandler(new ErrorContext("Exception in exit callback " + callback
                    + " of " + this, e, this, null, null));
        }
    }

    /** The first step found the task cancelled: it ends without ever running its code. */
    void cancelBeforeStart() {
        mustCancel = false;
        loop.taskDone(this);
        doCancel(mustCancelMessage(), null);
    }

    /** Gives the loop up until this task's step is due again. Called on the task's thread. */
    private void suspend() {
        loop.baton.suspend(this);
    }

    /** The task running on the current thread, or a clear error naming {@code what}. */
    static Task<?> currentOrThrow(String what) {
        Task<?> t = Baton.taskOfCurrentThread();
        if (t == null) {
            BaseEventLoop l = BaseEventLoop.ofCurrentThread();
            throw new IllegalStateException((l == null ? "no running event loop; " : "")
                    + what + " must be called from a task of a running event loop, but thread '"
                    + Thread.currentThread().getName() + "' " + (l == null
                            ? "is not running any loop: start one with Aio.run(...), or block"
                                    + " with join() outside the loop"
                            : "is running a callback of " + l + ", not a task: wrap the code"
                                    + " in Aio.createTask(...)"));
        }
        return t;
    }

    /** Runs the suspend hook, before anything is registered for the coming suspension. */
    private void beforeSuspend() {
        Runnable hook = rare == null ? null : rare.suspendHook;
        if (hook != null) {
            rare.suspendHook = null;
            hook.run();
        }
    }

    /** {@code await f} inside this task (the caller is this task's thread). */
    <R> R awaitFuture(AsyncFuture<R> f) {
        return awaitFuture(f, false);
    }

    /**
     * As {@link #awaitFuture(AsyncFuture)}; with {@code whileClosing}, the await is allowed while
     * the loop is closing. Only for waits that end because close() cancelled their cause: a
     * TaskGroup waiting for its cancelled children. (Any other await fails at once then, so that
     * a task that catches CancelledError cannot keep a closing loop alive.)
     */
    <R> R awaitFuture(AsyncFuture<R> f, boolean whileClosing) {
        if (f.state == PENDING && rare != null && rare.suspendHook != null) {
            beforeSuspend(); // a batched generator hands its items over first
        }
        if (f.state == PENDING) {
            if (f.loop != loop) {
                throw new IllegalStateException("Task " + this + " got Future " + f
                        + " attached to a different loop; a task awaits futures of its own loop:"
                        + " cross loops with toCompletableFuture() and Aio.await(stage)");
            }
            if (f == this) {
                throw new IllegalStateException("Task cannot await on itself: " + this);
            }
            if (loop.closing && !whileClosing) {
                Rare r = rare();
                if (++r.closingRefusals <= CLOSING_REFUSALS) {
                    throw new CancelledError("event loop is closing; " + this + " cannot await "
                            + f, null, loop.getDebug());
                }
                // it keeps catching the cancellation and awaiting again: leave it suspended
                // here, so that close() ends (nothing ever wakes it)
                loop.abandon(this, r.closingRefusals - 1);
                waiter = f;
                suspend();
            }
            f.addWakeup(this);
            waiter = f;
            if (mustCancel && f.cancel(mustCancelMessage())) {
                mustCancel = false;
            }
            suspend();
            waiter = null;
            if (mustCancel) {
                mustCancel = false;
                throw new CancelledError(mustCancelMessage(), null, loop.getDebug());
            }
        }
        if (f.state == AsyncFuture.FINISHED && f.exceptionRaw() != null) {
            AwaitedAt.mark(f.exceptionRaw(), this); // the failure's async stack trace
        }
        return f.resultForAwait();
    }

    /** A bare suspension ({@code sleep(0)}): lets every other ready item run once. */
    void yieldNow() {
        beforeSuspend();
        loop.scheduleStep(this);
        suspend();
        if (mustCancel) {
            mustCancel = false;
            throw new CancelledError(mustCancelMessage(), null, loop.getDebug());
        }
    }

    // ---- public API ----------------------------------------------------------------------------

    /**
     * Requests cancellation: a {@link CancelledError} carrying {@code message} is raised in the
     * task at its current await (or, if it is not suspended, at its next one). If the task awaits
     * another task, that task is cancelled too.
     *
     * @param message the message, may be null
     * @return false if the task is already done, true otherwise (it may still go on if it
     *     catches the cancellation)
     */
    @Override
    public boolean cancel(String message) {
        loop.checkThread("cancel()");
        markRetrieved();
        if (isDone()) {
            return false;
        }
        Rare r = rare();
        AsyncFuture<?> w = waiter;
        if (r.propagatingCancel && w != null) {
            // the request came back here around a cycle of tasks awaiting each other (a
            // deadlock): this task stops waiting and gets the cancellation itself, which ends
            // the cycle once it lets it through (asyncio recurses until RecursionError)
            w.removeWakeup(this);
            mustCancel = true;
            r.mustCancelMessage = message;
            loop.scheduleStep(this);
            return true;
        }
        r.cancelRequests++;
        if (w != null) {
            r.propagatingCancel = true;
            boolean accepted;
            try {
                accepted = w.cancel(message);
            } finally {
                r.propagatingCancel = false;
            }
            if (accepted) {
                // keep waiter: it may be a task that catches the cancellation and must be
                // cancelled again later
                return true;
            }
        }
        // the task's step is scheduled or running: cancel at its next await
        mustCancel = true;
        r.mustCancelMessage = message;
        return true;
    }

    /**
     * The number of cancellation requests not yet withdrawn by {@link #uncancel()}.
     *
     * @return the count
     */
    public int cancelling() {
        Rare r = rare;
        return r == null ? 0 : r.cancelRequests;
    }

    /**
     * Withdraws one cancellation request, for code that handled a cancellation it caused (timeouts,
     * task groups). When the count reaches zero, a request not yet delivered (the task was ready to
     * run, not awaiting) is withdrawn as well, as in asyncio 3.13.
     *
     * @return the remaining count
     */
    public int uncancel() {
        loop.checkThread("uncancel()");
        Rare r = rare;
        if (r == null) {
            return 0;
        }
        if (r.cancelRequests > 0 && --r.cancelRequests == 0) {
            // the last request withdrawn: one not yet delivered is withdrawn too (asyncio 3.13)
            mustCancel = false;
        }
        return r.cancelRequests;
    }

    /**
     * Tasks cannot be completed from outside: their coroutine's return sets the result.
     *
     * @throws IllegalStateException always (asyncio's RuntimeError)
     */
    @Override
    public void setResult(T value) {
        throw new IllegalStateException("Task does not support set_result operation; its"
                + " coroutine's return value is its result");
    }

    /**
     * Tasks cannot be completed from outside: their coroutine's exception is their exception.
     *
     * @throws IllegalStateException always (asyncio's RuntimeError)
     */
    @Override
    public void setException(Throwable error) {
        throw new IllegalStateException("Task does not support set_exception operation; throw"
                + " from its coroutine instead");
    }

    /**
     * The task's name ({@code Task-N} unless one was given).
     *
     * @return the name
     */
    public String getName() {
        String n = name;
        if (n == null) {
            n = "Task-" + id;
            name = n;
        }
        return n;
    }

    /**
     * Renames the task.
     *
     * @param name the new name
     */
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name is null");
    }

    /**
     * The coroutine the task runs.
     *
     * @return the coroutine
     */
    public Coroutine<T> getCoro() {
        return coro;
    }

    /**
     * The context the task runs in.
     *
     * @return the context
     */
    public Context getContext() {
        return ownContext();
    }

    /**
     * Where the task's code is now, read from its virtual thread's real stack, innermost frame
     * first, without the runtime's own frames: empty before the task starts; the stack of its
     * exception once it has failed; empty once it is otherwise done. Called on the loop's thread
     * while the task runs an async generator's body, the body's frames (on the body's own
     * thread) come first, then those of the code iterating it.
     *
     * @return the frames
     */
    public List<StackTraceElement> getStack() {
        if (isDone()) {
            if (state == FINISHED) {
                Throwable e = exceptionQuiet();
                if (e != null) {
                    return userFrames(e.getStackTrace());
                }
            }
            return List.of();
        }
        return callStack();
    }

    /**
     * The frames of the task's code now, innermost first. While it runs a generator's body (on
     * the body's thread), the body's frames come first, then those of the code iterating it,
     * down to the task's own thread. The walk through generators is made on the loop's thread
     * only (it reads the loop's generators); elsewhere the task's own thread is read alone.
     */
    List<StackTraceElement> callStack() {
        Thread own = thread;
        if (own == null || isDone()) {
            return List.of();
        }
        Thread active = activeThread;
        if (active == null || active == own || !loop.baton.heldByCurrentThread()) {
            return framesOf(own);
        }
        List<StackTraceElement> out = new ArrayList<>();
        for (int hops = 0; active != null && active != own && hops < 64; hops++) {
            out.addAll(framesOf(active));
            active = consumerOf(active);
        }
        out.addAll(framesOf(own));
        return out;
    }

    /**
     * The user's frames of {@code t} below the point where its task gave the loop up. A task that
     * suspends runs the loop on its own thread until another step is due (Baton.suspend), so
     * while it is suspended its thread may be running callbacks of other code: those frames, above
     * the suspension, are not the task's and are cut.
     */
    private static List<StackTraceElement> framesOf(Thread t) {
        StackTraceElement[] frames = t == Thread.currentThread() ? new Throwable().getStackTrace()
                : t.getStackTrace();
        int from = 0;
        for (int i = frames.length - 1; i >= 0; i--) {
            if (isParkFrame(frames[i])) {
                from = i + 1;
                break;
            }
        }
        return userFrames(from == 0 ? frames : Arrays.copyOfRange(frames, from, frames.length));
    }

    private static boolean isParkFrame(StackTraceElement e) {
        if (!e.getClassName().equals("io.aiobridge.Baton")) {
            return false;
        }
        String m = e.getMethodName();
        return m.equals("suspend") || m.equals("handOff") || m.equals("eagerStart")
                || m.equals("awaitTurn");
    }

    /** The thread iterating the generator whose body runs this task on {@code bodyThread}. */
    private Thread consumerOf(Thread bodyThread) {
        for (GeneratorCore<?, ?> g : loop.asyncgens) {
            Thread c = g.consumerOf(this, bodyThread);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /**
     * Prints the task and its {@link #getStack()} to {@code out}.
     *
     * @param out where to print; null prints to {@code System.err}, as {@code print_stack(file=None)}
     *     prints to {@code sys.stderr}
     */
    public void printStack(PrintStream out) {
        PrintStream to = out == null ? System.err : out;
        to.println("Stack for " + this + " (most recent call first):");
        for (StackTraceElement e : getStack()) {
            to.println("  at " + e);
        }
    }

    private Throwable exceptionQuiet() {
        try {
            return exception();
        } catch (RuntimeException | CancelledError e) {
            return null;
        }
    }

    private static final Set<String> RUNTIME_CLASSES = Set.of(
            "Aio", "AsyncFuture", "Task", "BaseEventLoop", "Baton", "Timers", "Sleep", "Gather",
            "Wait", "WaitFor", "Handle", "TimerHandle", "LoopSelector",
            "AsCompleted", "Shield", "Timeout", "TaskGroup", "Runner", "Threads", "Context",
            "AsyncGenerator", "CallGraph");

    static List<StackTraceElement> userFrames(StackTraceElement[] frames) {
        List<StackTraceElement> out = new ArrayList<>();
        for (StackTraceElement e : frames) {
            String cn = e.getClassName();
            if (cn.startsWith("java.") || cn.startsWith("jdk.") || isRuntimeClass(cn)) {
                continue;
            }
            out.add(e);
        }
        return out;
    }

    private static boolean isRuntimeClass(String cn) {
        if (!cn.startsWith("io.aiobridge.") || cn.indexOf('.', 13) >= 0) {
            return false;
        }
        int dollar = cn.indexOf('$');
        String simple = cn.substring(13, dollar < 0 ? cn.length() : dollar);
        return RUNTIME_CLASSES.contains(simple);
    }

    /** The first frame outside the runtime where the task was created (debug mode), or null. */
    String creationSite() {
        Rare r = rare;
        return site(r == null ? null : r.createdAt);
    }

    /** The first frame of {@code createdAt} outside the runtime and the JDK, or null. */
    static String site(StackTraceElement[] createdAt) {
        if (createdAt == null) {
            return null;
        }
        List<StackTraceElement> frames = userFrames(createdAt);
        return frames.isEmpty() ? null : frames.get(0).toString();
    }

    @Override
    public String toString() {
        return guardedRepr(this, this::repr);
    }

    private String repr() {
        StringBuilder sb = new StringBuilder("<Task ");
        if (state == PENDING && cancelling() > 0) {
            sb.append("cancelling");
        } else {
            sb.append(stateName());
        }
        sb.append(" name='").append(getName()).append('\'');
        sb.append(outcomeText());
        AsyncFuture<?> w = waiter;
        if (w != null) {
            sb.append(" wait_for=").append(w instanceof Task<?> wt ? "<Task " + wt.getName() + ">"
                    : w.toString());
        }
        String site = creationSite();
        if (site != null) {
            sb.append(" created at ").append(site);
        }
        return sb.append('>').toString();
    }
}
