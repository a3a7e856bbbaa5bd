package io.aiobridge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import io.aiobridge.internal.RuntimeAccess;
import io.aiobridge.internal.TaskThreads;

/**
 * The event loop implementation.
 *
 * <h2>The baton</h2>
 * <p>Exactly one thread at a time holds the loop's baton ({@link #holder}): the thread that called
 * {@code runForever} (the runner) or the virtual thread of one of the loop's tasks. Only the holder
 * touches loop-confined state. When the holder's own code cannot go on (its task awaits something
 * pending, or its task has finished), the holder itself runs the loop ({@link #drive}): it runs
 * callbacks inline and, when the next ready item is another task's step, passes the baton straight
 * to that task's virtual thread and parks. So a suspend/resume is one park and one unpark of
 * virtual threads; the runner's platform thread is involved only when the loop starts and stops.
 *
 * <p><b>Invariants.</b> (1) While running, {@code holder != null} and only the holder runs loop
 * code. (2) A task has at most one step scheduled; it is in {@link #ready} at
 * most once: the task object itself is its step's queue entry. (3) A thread other than the runner receives the baton only when its task's step is
 * due, so a parked task resumes exactly when its step is run; the runner receives it back only
 * when the loop stops. (4) {@link #batchRemaining} counts the items of the current iteration not
 * yet taken from {@link #ready}; items added meanwhile run in the next iteration, as in asyncio.
 */
final class BaseEventLoop implements EventLoop {
    static final System.Logger LOG = System.getLogger("io.aiobridge.EventLoop");

    /** asyncio's {@code time.get_clock_info('monotonic').resolution} on Linux. */
    private static final double CLOCK_RESOLUTION = 1e-9;

    /** Cancelled timers are swept out of the heap once they are this many and half of it. */
    private static final int MIN_CANCELLED_TIMERS_TO_SWEEP = 100;

    /** Rounds {@link #close()} gives its tasks to finish before it reports them as stuck. */
    private static final int CLOSE_ROUNDS = 10_000;

    // ---- lifecycle: IDLE -> RUNNING -> IDLE ... -> CLOSED ------------------------------------
    private static final int ST_IDLE = 0;
    private static final int ST_RUNNING = 1;
    private static final int ST_CLOSED = 2;
    private final AtomicInteger state = new AtomicInteger(ST_IDLE);

    // ---- clock ---------------------------------------------------------------------------------
    private final boolean virtualTime;
    private final long origin = System.nanoTime();
    private volatile long virtualNanos;

    // ---- loop-confined state (the holder's) ----------------------------------------------------
    /** Ready items: {@link Handle}s (callbacks) and {@link Task}s (a task's next step). */
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final PriorityQueue<TimerHandle> timers = new PriorityQueue<>(BaseEventLoop::compare);
    private int cancelledTimers;
    private long timerSeq;
    private int batchRemaining;
    private boolean batchOpen;
    private boolean stopping;
    private Thread runner;
    /** The task whose step runs now, or null while callbacks or the loop itself run. */
    Task<?> current;
    /** The context of loop code outside tasks and callbacks. */
    final Context rootContext = new Context();
    /** The context of the callback running now (when {@link #current} is null). */
    Context callbackContext;
    /** Set by close(): an await that would suspend fails at once, so tasks can only finish. */
    boolean closing;
    /** Live (not done) tasks, an intrusive doubly-linked list through Task.prevLive/nextLive. */
    private Task<?> liveHead;
    private int liveCount;
    private long stepStart;

    // ---- shared with other threads -------------------------------------------------------------
    private final ConcurrentLinkedQueue<Handle> inbound = new ConcurrentLinkedQueue<>();
    /** The holder while it waits for timers or inbound work; threadsafe submitters unpark it. */
    private volatile Thread sleeper;
    volatile Thread holder;
    /** Executor jobs started by this loop and not yet reported back (virtual time waits on them). */
    private final AtomicInteger executorJobs = new AtomicInteger();
    private boolean interruptedWhileRunning;
    /** A VirtualMachineError a callback raised: runForever stops and rethrows it (holder's). */
    private VirtualMachineError fatal;
    /** Failed futures of this loop whose exception nobody has retrieved yet (any thread). */
    private final java.util.LinkedHashSet<UnretrievedReport> unretrieved =
            new java.util.LinkedHashSet<>();
    /** Tasks left suspended by close(): they kept catching its cancellations (loop-confined). */
    private final List<Task<?>> abandoned = new ArrayList<>();

    // ---- configuration -------------------------------------------------------------------------
    private volatile ExceptionHandler exceptionHandler;
    private volatile TaskFactory taskFactory;
    private volatile boolean debug;
    private volatile double slowCallbackDuration = 0.1;
    private Executor defaultExecutor;
    private boolean defaultExecutorOwned;
    private boolean executorShutdownCalled;

    static {
        io.aiobridge.internal.RuntimeAccess.install(new RuntimeAccessImpl());
    }

    /** Started, unfinished async generators, closed by shutdownAsyncgens() (loop-confined). */
    final java.util.Set<io.aiobridge.internal.RuntimeAccess.LiveAsyncgen> asyncgens =
            new java.util.LinkedHashSet<>();

    /** The switching engine: where this loop's task threads come from. */
    final TaskThreads taskThreads;

    BaseEventLoop(boolean virtualTime) {
        this.virtualTime = virtualTime;
        this.taskThreads = TaskThreads.forNewLoop();
    }

    private static int compare(TimerHandle a, TimerHandle b) {
        int c = Double.compare(a.when, b.when);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    }

    // =============================================================================================
    // Which loop is this thread running? A small registry of running loops, scanned by holder.
    // (Cheaper than a ThreadLocal on every task's virtual thread, which would cost a map each.)
    // =============================================================================================

    private static volatile BaseEventLoop[] running = new BaseEventLoop[0];
    private static final Object REGISTRY_LOCK = new Object();

    /** The loop whose baton the current thread holds, or null. */
    static BaseEventLoop ofCurrentThread() {
        Thread self = Thread.currentThread();
        for (BaseEventLoop l : running) {
            if (l.holder == self) {
                return l;
            }
        }
        return null;
    }

    private static void register(BaseEventLoop loop, boolean add) {
        synchronized (REGISTRY_LOCK) {
            List<BaseEventLoop> list = new ArrayList<>(List.of(running));
            if (add) {
                list.add(loop);
            } else {
                list.remove(loop);
            }
            running = list.toArray(new BaseEventLoop[0]);
        }
    }

    /** The context code running on this loop now sees, or null outside tasks and callbacks. */
    Context currentContext() {
        Task<?> t = current;
        return t != null ? t.activeContext : callbackContext;
    }

    /** Swaps the context of the code running now (Context.run inside a loop). */
    Context swapContext(Context next) {
        Task<?> t = current;
        Context prev;
        if (t != null) {
            prev = t.activeContext;
            t.activeContext = next;
        } else {
            prev = callbackContext;
            callbackContext = next;
        }
        return prev;
    }

    // =============================================================================================
    // Checks
    // =============================================================================================

    boolean inLoopThread() {
        return holder == Thread.currentThread();
    }

    /** Loop-confined methods call this: while running, only the holder may. */
    void checkThread(String what) {
        Thread h = holder;
        if (h != null && h != Thread.currentThread()) {
            throw new WrongThreadException("Non-thread-safe operation invoked on an event loop"
                    + " other than the current one; " + what + " was called from thread '"
                    + Thread.currentThread().getName() + "', but " + this + " is running on"
                    + " another thread: from outside the loop use callSoonThreadsafe() or"
                    + " Aio.runCoroutineThreadsafe()");
        }
    }

    void checkOpen() {
        if (state.get() == ST_CLOSED) {
            throw new IllegalStateException("Event loop is closed; " + this
                    + " cannot run or schedule anything: create a new loop");
        }
    }

    private void checkUsable(String what) {
        checkOpen();
        checkThread(what);
    }

    // =============================================================================================
    // Scheduling
    // =============================================================================================

    @Override
    public Handle callSoon(Runnable callback) {
        return callSoon(callback, null);
    }

    @Override
    public Handle callSoon(Runnable callback, Context context) {
        Objects.requireNonNull(callback, "callback is null");
        checkUsable("callSoon()");
        Handle h = new Handle(this, callback, context != null ? context : Context.copyCurrent());
        ready.addLast(h);
        return h;
    }

    /** Schedules an internal handle (future callbacks); the caller holds the loop. */
    void schedule(Handle h) {
        ready.addLast(h);
    }

    /** Schedules a task's step (invariant 2 is the caller's duty). */
    void scheduleStep(Task<?> t) {
        ready.addLast(t);
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        checkOpen();
        Handle h = new Handle(this, callback, Context.copyCurrent());
        if (inLoopThread()) {
            ready.addLast(h); // same order as callSoon when called from the loop itself
        } else {
            inbound.add(h);
            wakeUp();
        }
        return h;
    }

    @Override
    public Handle callLaterThreadsafe(double delay, Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        requireTime(delay, "delay");
        DeferredTimer d = new DeferredTimer(this, callback, Context.copyCurrent(), delay);
        callSoonThreadsafe(d::arm);
        return d;
    }

    /**
     * A timer armed by a hop onto the loop. <b>Invariant:</b> {@code cancel} sets the flag before
     * reading {@code timer}, and {@code arm} publishes {@code timer} before reading the flag (both
     * volatile), so whichever runs second sees the other: a cancel racing with the arming still
     * cancels the armed timer.
     */
    private static final class DeferredTimer extends Handle {
        private final double delay;
        private volatile TimerHandle timer;

        DeferredTimer(BaseEventLoop loop, Runnable callback, Context context, double delay) {
            super(loop, callback, context);
            this.delay = delay;
        }

        void arm() {
            if (isCancelled()) {
                return;
            }
            TimerHandle t = loop.addTimer(loop.time() + delay, callback, context);
            timer = t;
            if (isCancelled()) {
                t.cancel();
            }
        }

        @Override
        public void cancel() {
            super.cancel();
            TimerHandle t = timer;
            if (t != null) {
                t.cancel();
            }
        }
    }

    /** Posts {@code callback} from outside; drops it silently if the loop has closed meanwhile. */
    boolean postFromOutside(Runnable callback) {
        if (state.get() == ST_CLOSED) {
            return false;
        }
        inbound.add(new Handle(this, callback, null));
        wakeUp();
        return true;
    }

    private void wakeUp() {
        Thread s = sleeper;
        if (s != null) {
            LockSupport.unpark(s);
        }
    }

    @Override
    public TimerHandle callLater(double delay, Runnable callback) {
        requireTime(delay, "delay");
        return callAt(time() + delay, callback);
    }

    @Override
    public TimerHandle callAt(double when, Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        requireTime(when, "when");
        checkUsable("callAt()");
        return addTimer(when, callback, Context.copyCurrent());
    }

    /** An internal timer: no context copy. */
    TimerHandle callLaterInternal(double delay, Runnable callback) {
        return addTimer(time() + delay, callback, null);
    }

    TimerHandle callAtInternal(double when, Runnable callback) {
        return addTimer(when, callback, null);
    }

    private TimerHandle addTimer(double when, Runnable callback, Context context) {
        TimerHandle t = new TimerHandle(this, when, timerSeq++, callback, context);
        t.scheduled = true;
        timers.add(t);
        return t;
    }

    private static void requireTime(double t, String name) {
        Times.check(t, name);
    }

    /** Bookkeeping for the sweep of cancelled timers; counts only cancels made on the loop. */
    void timerCancelled(TimerHandle t) {
        if (t.scheduled && (holder == null || inLoopThread())) {
            t.counted = true;
            cancelledTimers++;
        }
    }

    @Override
    public double time() {
        return nanoTime() / 1e9;
    }

    private long nanoTime() {
        return virtualTime ? virtualNanos : System.nanoTime() - origin;
    }

    // =============================================================================================
    // Running
    // =============================================================================================

    @Override
    public void runForever() {
        checkOpen();
        if (ofCurrentThread() != null) {
            throw new IllegalStateException(ofCurrentThread() == this
                    ? "This event loop is already running; " + this
                            + ": a task or callback cannot run its own loop, await instead"
                    : "Cannot run the event loop while another loop is running; this thread"
                            + " runs another loop's code: start this one on a thread of its"
                            + " own");
        }
        if (!state.compareAndSet(ST_IDLE, ST_RUNNING)) {
            checkOpen();
            throw new IllegalStateException("This event loop is already running; " + this
                    + " runs on another thread: use callSoonThreadsafe() to reach it");
        }
        Thread self = Thread.currentThread();
        runner = self;
        holder = self;
        register(this, true);
        try {
            if (drive(self, null)) {
                awaitBaton(self); // handed back when the loop stops
            }
        } finally {
            stopping = false;
            batchOpen = false;
            runner = null;
            register(this, false);
            holder = null;
            state.compareAndSet(ST_RUNNING, ST_IDLE);
            if (interruptedWhileRunning) {
                interruptedWhileRunning = false;
                self.interrupt();
            }
        }
        VirtualMachineError f = fatal;
        if (f != null) {
            fatal = null;
            throw f; // as asyncio lets KeyboardInterrupt and SystemExit out of run_forever
        }
    }

    @Override
    public <T> T runUntilComplete(AioFuture<T> future) {
        Objects.requireNonNull(future, "future is null");
        checkOpen();
        if (future.loop != this) {
            throw new IllegalArgumentException(
                    future + " belongs to another event loop; run that loop instead");
        }
        java.util.function.Consumer<AioFuture<T>> stopper = f -> stop();
        future.addDoneCallbackInternal(stopper);
        try {
            runForever();
        } finally {
            future.removeDoneCallback(stopper);
        }
        if (!future.isDone()) {
            throw new IllegalStateException("Event loop stopped before Future completed.; "
                    + future + " is still pending");
        }
        return future.result();
    }

    @Override
    public <T> T runUntilComplete(Coroutine<T> coro) {
        checkOpen();
        return runUntilComplete(createTask(coro));
    }

    @Override
    public void stop() {
        checkThread("stop()");
        stopping = true;
    }

    @Override
    public boolean isRunning() {
        return state.get() == ST_RUNNING;
    }

    @Override
    public boolean isClosed() {
        return state.get() == ST_CLOSED;
    }

    /**
     * Runs loop iterations on the calling thread, which holds the baton, until it may return:
     * <b>This is the only place where callbacks are called.</b>
     *
     * @return false if the caller keeps the baton and goes on (its own task's step is due, and
     *     current is that task; or the caller is the runner and the loop has stopped); true if it
     *     passed the baton to another thread, after which it must not touch the loop: it parks in
     *     {@link #awaitBaton} (returning from here first keeps this frame off its parked stack)
     *     or, if its task has finished, ends.
     */
    boolean drive(Thread self, Task<?> selfTask) {
        for (;;) {
            if (batchRemaining == 0) {
                if (batchOpen) {
                    batchOpen = false;
                    if (stopping) {
                        if (self == runner) {
                            return false;
                        }
                        pass(runner);
                        return true;
                    }
                }
                prepareBatch(self);
                batchOpen = true;
                continue;
            }
            Object item = ready.pollFirst();
            batchRemaining--;
            if (item instanceof Task<?> t) {
                if (t == selfTask) {
                    beginStep(t);
                    return false;
                }
                if (startOrResume(t)) {
                    return true;
                }
                continue;
            }
            Handle h = (Handle) item;
            if (!h.isCancelled()) {
                runCallback(h);
            }
        }
    }

    private void beginStep(Task<?> t) {
        current = t;
        if (debug) {
            stepStart = System.nanoTime();
        }
    }

    /** Passes the baton to task {@code t}; false if the task finished without a thread. */
    private boolean startOrResume(Task<?> t) {
        Thread th = t.activeThread;
        if (th == null) {
            if (t.mustCancel) {
                t.cancelBeforeStart();
                return false;
            }
            beginStep(t);
            th = t.newThread();
            holder = th;
            th.start();
        } else {
            beginStep(t);
            holder = th;
            LockSupport.unpark(th);
        }
        return true;
    }

    /** Hands the baton to {@code target}, which is parked in {@link #awaitBaton}. */
    void pass(Thread target) {
        holder = target;
        LockSupport.unpark(target);
    }

    /** Parks until the baton is handed to {@code self}. */
    void awaitBaton(Thread self) {
        if (holder == self) {
            return;
        }
        boolean interrupted = false;
        do {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        } while (holder != self);
        if (interrupted) {
            self.interrupt();
        }
    }

    /** Starts task {@code t} now, on the current thread's turn, until its first suspension. */
    void eagerStart(Task<?> t) {
        Thread self = Thread.currentThread();
        Task<?> prev = current;
        long prevStart = stepStart;
        t.eagerReturn = self;
        beginStep(t);
        Thread th = t.newThread();
        holder = th;
        th.start();
        awaitBaton(self);
        current = prev;
        stepStart = prevStart;
    }

    /** A task's step ended (it suspended or finished): the debug slow-step check. */
    void stepEnded(Task<?> t) {
        current = null;
        if (debug) {
            reportIfSlow(System.nanoTime() - stepStart, t.toString(), t.creationSite());
        }
    }

    private void runCallback(Handle h) {
        long start = debug ? System.nanoTime() : 0L;
        callbackContext = h.context;
        try {
            h.callback.run();
        } catch (VirtualMachineError e) {
            // OutOfMemoryError and friends are not a callback's failure to log: whatever the
            // callback was doing (a gather's bookkeeping, say) is now undone, so stop the loop
            // at once and let runForever raise it, instead of leaving its awaiters waiting
            if (fatal == null) {
                fatal = e;
            }
            stopping = true;
            batchRemaining = 0; // the rest of this iteration stays ready for a later run
        } catch (Throwable e) {
            callExceptionHandler(new ErrorContext(
                    "Exception in callback " + h.describe(), e, null, h, null));
        } finally {
            callbackContext = null;
        }
        if (debug) {
            reportIfSlow(System.nanoTime() - start, h.toString(), null);
        }
    }

    private void reportIfSlow(long nanos, String what, String createdAt) {
        double seconds = nanos / 1e9;
        if (seconds >= slowCallbackDuration) {
            LOG.log(System.Logger.Level.WARNING, String.format(
                    "Executing %s took %.3f seconds%s; it held the event loop that long (blocking"
                            + " call? use Aio.toThread())",
                    what, seconds, createdAt == null ? "" : ", created at " + createdAt));
        }
    }

    /** asyncio's {@code _run_once} up to running the handles: wait, then collect ready work. */
    private void prepareBatch(Thread self) {
        drainInbound();
        sweepCancelledTimers();
        long timeout;
        if (!ready.isEmpty() || stopping) {
            timeout = 0;
        } else if (!timers.isEmpty() && !Double.isInfinite(timers.peek().when)) {
            timeout = Math.max(0L, toNanos(timers.peek().when) - nanoTime());
        } else {
            timeout = -1;
        }
        if (timeout != 0) {
            waitForEvents(self, timeout);
            drainInbound();
        }
        double end = time() + CLOCK_RESOLUTION;
        while (!timers.isEmpty()) {
            TimerHandle t = timers.peek();
            if (t.when >= end) {
                break;
            }
            timers.poll();
            t.scheduled = false;
            if (t.isCancelled()) {
                uncount(t);
            } else {
                ready.addLast(t);
            }
        }
        batchRemaining = ready.size();
    }

    private static long toNanos(double seconds) {
        return (long) Math.ceil(seconds * 1e9);
    }

    /**
     * Waits up to {@code timeoutNanos} (negative: no limit) for work from other threads. On
     * virtual time, with nothing in flight, the clock jumps to the next timer instead; while a job
     * the loop started on another thread is in flight, virtual time runs at real speed, so a
     * timeout cannot fire "early" against real work, and a job that waits for the loop's timers
     * still sees them fire.
     */
    private void waitForEvents(Thread self, long timeoutNanos) {
        if (virtualTime && timeoutNanos > 0 && executorJobs.get() == 0 && inbound.isEmpty()) {
            virtualNanos = Math.max(virtualNanos, toNanos(timers.peek().when));
            return;
        }
        long started = System.nanoTime();
        sleeper = self;
        try {
            if (inbound.isEmpty()) {
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, timeoutNanos);
                }
            }
        } finally {
            sleeper = null;
        }
        if (virtualTime && timeoutNanos > 0) {
            virtualNanos += Math.min(System.nanoTime() - started, timeoutNanos);
        }
        if (Thread.interrupted()) {
            interruptedWhileRunning = true;
        }
    }

    private void drainInbound() {
        Handle h;
        while ((h = inbound.poll()) != null) {
            ready.addLast(h);
        }
    }

    private void sweepCancelledTimers() {
        if (cancelledTimers > MIN_CANCELLED_TIMERS_TO_SWEEP && cancelledTimers * 2 > timers.size()) {
            List<TimerHandle> keep = new ArrayList<>(timers.size() - cancelledTimers);
            for (TimerHandle t : timers) {
                if (t.isCancelled()) {
                    t.scheduled = false;
                } else {
                    keep.add(t);
                }
            }
            timers.clear();
            timers.addAll(keep);
            cancelledTimers = 0;
            return;
        }
        while (!timers.isEmpty() && timers.peek().isCancelled()) {
            TimerHandle t = timers.poll();
            t.scheduled = false;
            uncount(t);
        }
    }

    private void uncount(TimerHandle t) {
        if (t.counted) {
            t.counted = false;
            cancelledTimers--;
        }
    }

    // =============================================================================================
    // Closing
    // =============================================================================================

    @Override
    public void close() {
        if (state.get() == ST_RUNNING) {
            throw new IllegalStateException("Cannot close a running event loop; " + this
                    + ": call stop() and close it after runForever() returns");
        }
        if (state.get() == ST_CLOSED) {
            return;
        }
        checkThread("close()");
        finishAllTasks();
        reportUnretrieved();
        if (!state.compareAndSet(ST_IDLE, ST_CLOSED)) {
            throw new IllegalStateException("Cannot close a running event loop; " + this
                    + " was started while closing");
        }
        ready.clear();
        timers.clear();
        inbound.clear();
        taskThreads.close();
        if (defaultExecutorOwned && defaultExecutor instanceof ExecutorService es) {
            es.shutdown();
        }
    }

    /** Cancels every live task and runs the loop until all are done (no thread left parked). */
    private void finishAllTasks() {
        finishLiveTasks();
        if (!asyncgens.isEmpty()) {
            // generators left parked at a yield: close them (their finally blocks run) in tasks,
            // then finish whatever those tasks left
            runUntilComplete(shutdownAsyncgens());
            finishLiveTasks();
        }
    }

    private void finishLiveTasks() {
        if (liveCount == 0) {
            return;
        }
        closing = true;
        try {
            for (int round = 0; liveCount > abandoned.size() && round < CLOSE_ROUNDS; round++) {
                for (Task<?> t : liveTasks()) {
                    if (!t.isDone() && t.cancelling() == 0) {
                        t.cancel("event loop is closing");
                    }
                }
                stopping = true;
                runForever();
            }
            if (liveCount > abandoned.size()) {
                callExceptionHandler(ErrorContext.of(liveCount + " task(s) did not finish when "
                        + this + " closed; each catches CancelledError and keeps running: "
                        + liveTasks(), null));
            }
        } finally {
            closing = false;
        }
    }

    /**
     * A task that keeps catching the cancellations of a closing loop and awaiting again: it is
     * left suspended (its thread stays parked; nothing can end it) and reported once, by name and
     * where it was created, so that close() ends. Called on the task's thread, holding the loop.
     */
    void abandon(Task<?> t, int refusals) {
        abandoned.add(t);
        String site = t.creationSite();
        callExceptionHandler(new ErrorContext("Task " + t.getName() + " was abandoned while its"
                + " event loop closed: it caught CancelledError and awaited again " + refusals
                + " times; it stays suspended and its thread stays parked. Let CancelledError"
                + " propagate (re-raise it after cleaning up)" + (site == null
                        ? " (run the loop in debug mode to see where it was created)"
                        : "; it was created at " + site), null, t, null, null));
    }

    /** Remembers a failed future whose exception nobody has retrieved yet. */
    void unretrievedAdded(UnretrievedReport r) {
        synchronized (unretrieved) {
            unretrieved.add(r);
        }
    }

    /** The exception was retrieved, or the report ran (the future was collected). */
    void unretrievedRemoved(UnretrievedReport r) {
        synchronized (unretrieved) {
            unretrieved.remove(r);
        }
    }

    /**
     * Closing: every failed future or task of this loop whose exception was never retrieved is
     * reported now, in the order they failed, instead of whenever the garbage collector finds
     * them (asyncio reports at collection too, which CPython's reference counting makes
     * prompt; the JVM's collector does not).
     */
    private void reportUnretrieved() {
        List<UnretrievedReport> left;
        synchronized (unretrieved) {
            left = new ArrayList<>(unretrieved);
            unretrieved.clear();
        }
        for (UnretrievedReport r : left) {
            r.reportNow();
        }
    }

    // =============================================================================================
    // Futures and tasks
    // =============================================================================================

    @Override
    public <T> AioFuture<T> createFuture() {
        checkOpen();
        return new AioFuture<>(this);
    }

    @Override
    public <T> Task<T> createTask(Coroutine<T> coro) {
        return createTask(coro, null, null);
    }

    @Override
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return createTask(coro, name, null);
    }

    @Override
    public <T> Task<T> createTask(Coroutine<T> coro, String name, Context context) {
        Objects.requireNonNull(coro, "coro is null");
        checkUsable("createTask()");
        TaskFactory f = taskFactory;
        if (f == null) {
            return new Task<>(this, coro, name, context, false);
        }
        Task<T> t = f.newTask(this, coro, name, context);
        if (t == null || t.loop != this) {
            throw new IllegalStateException(
                    "task factory " + f + " returned " + t + ", not a task of this loop");
        }
        return t;
    }

    /** Links a new task into the live list; called from the Task constructor. */
    void taskCreated(Task<?> t) {
        t.nextLive = liveHead;
        if (liveHead != null) {
            liveHead.prevLive = t;
        }
        liveHead = t;
        liveCount++;
    }

    /** Unlinks a task that is done. */
    void taskDone(Task<?> t) {
        if (t.prevLive != null) {
            t.prevLive.nextLive = t.nextLive;
        } else if (liveHead == t) {
            liveHead = t.nextLive;
        } else {
            return; // not linked
        }
        if (t.nextLive != null) {
            t.nextLive.prevLive = t.prevLive;
        }
        t.prevLive = null;
        t.nextLive = null;
        liveCount--;
    }

    /** The tasks not yet done, oldest first. */
    Set<Task<?>> liveTasks() {
        List<Task<?>> list = new ArrayList<>(liveCount);
        for (Task<?> t = liveHead; t != null; t = t.nextLive) {
            list.add(t);
        }
        Set<Task<?>> result = new LinkedHashSet<>();
        for (int i = list.size() - 1; i >= 0; i--) {
            result.add(list.get(i));
        }
        return result;
    }

    @Override
    public void setTaskFactory(TaskFactory factory) {
        checkThread("setTaskFactory()");
        this.taskFactory = factory;
    }

    @Override
    public TaskFactory getTaskFactory() {
        return taskFactory;
    }

    // =============================================================================================
    // Errors
    // =============================================================================================

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    @Override
    public void callExceptionHandler(ErrorContext context) {
        Objects.requireNonNull(context, "context is null");
        ExceptionHandler h = exceptionHandler;
        if (h == null) {
            defaultExceptionHandler(context);
            return;
        }
        try {
            h.handle(this, context);
        } catch (Throwable e) {
            defaultExceptionHandler(new ErrorContext(
                    "Unhandled error in exception handler " + h, e, null, null,
                    "while handling: " + context.describe()));
        }
    }

    @Override
    public void defaultExceptionHandler(ErrorContext context) {
        Throwable e = context.exception();
        if (e != null) {
            LOG.log(System.Logger.Level.ERROR, context.describe(), e);
        } else {
            LOG.log(System.Logger.Level.ERROR, context.describe());
        }
    }

    // =============================================================================================
    // Executors
    // =============================================================================================

    @Override
    public <T> AioFuture<T> runInExecutor(Executor executor, Callable<T> fn) {
        Objects.requireNonNull(fn, "fn is null");
        checkUsable("runInExecutor()");
        Executor ex = executor;
        if (ex == null) {
            if (executorShutdownCalled) {
                throw new IllegalStateException(
                        "Executor shutdown has been called; " + this + " has no default"
                                + " executor any more: pass an executor");
            }
            ex = defaultExecutor();
        }
        ExecutorJobFuture<T> result = new ExecutorJobFuture<>(this);
        FutureTask<T> job = new FutureTask<>(fn) {
            @Override
            protected void done() {
                if (!postFromOutside(() -> {
                    executorJobs.decrementAndGet();
                    copyOutcome(this, result);
                })) {
                    executorJobs.decrementAndGet();
                }
            }
        };
        result.job = job;
        executorJobs.incrementAndGet();
        try {
            ex.execute(job);
        } catch (RuntimeException e) {
            executorJobs.decrementAndGet();
            throw e;
        }
        return result;
    }

    /** The future of an executor job: cancelling it cancels the job at once if not started. */
    private static final class ExecutorJobFuture<T> extends AioFuture<T> {
        FutureTask<T> job;

        ExecutorJobFuture(BaseEventLoop loop) {
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

    private static <T> void copyOutcome(java.util.concurrent.Future<T> from, AioFuture<T> to) {
        if (to.isDone()) {
            return;
        }
        if (from.isCancelled()) {
            to.cancel();
            return;
        }
        try {
            to.setResult(from.get());
        } catch (java.util.concurrent.ExecutionException e) {
            to.setException(e.getCause());
        } catch (InterruptedException e) {
            to.setException(e);
        }
    }

    private Executor defaultExecutor() {
        if (defaultExecutor == null) {
            defaultExecutor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("aiobridge-executor-", 0).factory());
            defaultExecutorOwned = true;
        }
        return defaultExecutor;
    }

    @Override
    public void setDefaultExecutor(Executor executor) {
        Objects.requireNonNull(executor, "executor is null");
        checkThread("setDefaultExecutor()");
        this.defaultExecutor = executor;
        this.defaultExecutorOwned = false;
    }

    @Override
    public AioFuture<Void> shutdownDefaultExecutor() {
        checkUsable("shutdownDefaultExecutor()");
        executorShutdownCalled = true;
        AioFuture<Void> done = new AioFuture<>(this);
        Executor ex = defaultExecutor;
        if (!(ex instanceof ExecutorService es)) {
            done.setResult(null);
            return done;
        }
        executorJobs.incrementAndGet();
        Thread.ofVirtual().name("aiobridge-executor-shutdown").start(() -> {
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
            boolean posted = postFromOutside(() -> {
                executorJobs.decrementAndGet();
                if (!done.isDone()) {
                    done.setResult(null);
                }
            });
            if (!posted) {
                executorJobs.decrementAndGet();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        return done;
    }

    @Override
    public AioFuture<Void> shutdownAsyncgens() {
        checkUsable("shutdownAsyncgens()");
        AioFuture<Void> done = new AioFuture<>(this);
        List<RuntimeAccess.LiveAsyncgen> closing = new ArrayList<>(asyncgens);
        asyncgens.clear();
        if (closing.isEmpty()) {
            done.setResult(null);
            return done;
        }
        List<Task<Void>> closers = new ArrayList<>(closing.size());
        for (RuntimeAccess.LiveAsyncgen g : closing) {
            closers.add(new Task<>(this, () -> {
                g.acloseForShutdown();
                return null;
            }, "aclose " + g, rootContext, false));
        }
        AioFuture<Object> all = Gather.gather(this, closers, true, x -> null);
        all.addDoneCallbackInternal(f -> {
            for (int i = 0; i < closers.size(); i++) {
                Task<Void> t = closers.get(i);
                if (!t.isCancelled() && t.exception() != null) {
                    callExceptionHandler(new ErrorContext("an error occurred during closing of"
                            + " asynchronous generator " + closing.get(i), t.exception(), t, null,
                            null));
                }
            }
            done.doSetResult(null);
        });
        return done;
    }

    // =============================================================================================
    // Debug
    // =============================================================================================

    @Override
    public void setDebug(boolean enabled) {
        this.debug = enabled;
    }

    @Override
    public boolean getDebug() {
        return debug;
    }

    @Override
    public void setSlowCallbackDuration(double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("slow callback duration must be >= 0, got " + seconds);
        }
        this.slowCallbackDuration = seconds;
    }

    @Override
    public double getSlowCallbackDuration() {
        return slowCallbackDuration;
    }

    @Override
    public String toString() {
        String st = switch (state.get()) {
            case ST_RUNNING -> "running";
            case ST_CLOSED -> "closed";
            default -> "idle";
        };
        return "<EventLoop " + st + (virtualTime ? " virtual-time" : "") + (debug ? " debug" : "")
                + (taskThreads.name().equals("default") ? "" : " engine=" + taskThreads.name())
                + " ready=" + ready.size() + " timers=" + timers.size() + " tasks=" + liveCount + ">";
    }
}
