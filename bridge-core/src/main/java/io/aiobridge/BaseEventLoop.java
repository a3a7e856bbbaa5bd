package io.aiobridge;

import io.aiobridge.internal.LoopResources;
import io.aiobridge.internal.TransportIo;
import io.aiobridge.internal.TaskThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The event loop: its lifecycle, its queues and the run loop. Who holds the loop and how tasks
 * switch is {@link Baton}'s; the timer heap is {@link Timers}'; executors are {@link
 * LoopExecutors}'; the live tasks are {@link LiveTasks}'.
 *
 * <p><b>Invariants.</b> (1) Only the baton's holder touches loop-confined state (the queues, the
 * timers, the tasks). (2) A task has at most one step scheduled: the {@code Task} object itself
 * is its step's entry in {@link #ready}, so it is there at most once. (3) {@link #batchRemaining}
 * counts the items of the current iteration not yet taken from {@link #ready}; items added
 * meanwhile run in the next iteration, as asyncio's {@code ntodo}; {@code stop()} takes effect at
 * the end of the iteration. (4) {@link #drive} is the only place that calls callbacks (CPython's
 * {@code _run_once}); future callbacks are always scheduled, never run inline.
 *
 * <p><b>Lifecycle:</b> IDLE, RUNNING (inside runForever), back to IDLE, ... CLOSED.
 *
 * <p>Why this file is longer than the others (about 800 lines): it implements the whole {@link
 * EventLoop} interface, one short method per asyncio operation, and closing must see the run
 * loop's state (the stop flag, the iteration) that nothing else may touch; the engine's parts
 * that can stand alone already do.
 */
final class BaseEventLoop implements EventLoop, IdleAlarm.Waker {
    static final System.Logger LOG = System.getLogger("io.aiobridge.EventLoop");

    /** asyncio's {@code time.get_clock_info('monotonic').resolution} on Linux. */
    private static final double CLOCK_RESOLUTION = 1e-9;

    /** Rounds {@link #close()} gives its tasks to finish before it reports them as stuck. */
    private static final int CLOSE_ROUNDS = 10_000;
    /** Optimistic reads of the live tasks from another thread before it asks the loop instead. */
    private static final int OPTIMISTIC_READS = 64;

    /** Idle, running, closed, or briefly lent to a thread off the loop ({@link #runHereOrPost}). */
    private final LoopState state = new LoopState();

    // ---- clock ---------------------------------------------------------------------------------
    private final boolean virtualTime;
    private final long origin = System.nanoTime();
    private volatile long virtualNanos;

    // ---- the engine's parts --------------------------------------------------------------------
    final Baton baton = new Baton(this);
    final Timers timers = new Timers();
    private final LoopExecutors executors = new LoopExecutors(this);
    private final LiveTasks live = new LiveTasks();
    /** Readiness: the selector, readers and writers, and what the loop closes with it. */
    final LoopSelector io = new LoopSelector(this);
    /** The switching engine: where this loop's task threads come from. */
    final TaskThreads taskThreads;

    // ---- loop-confined state (the holder's) ----------------------------------------------------
    /** Ready items: {@link Handle}s (callbacks) and {@link Task}s (a task's next step). */
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private int batchRemaining;
    private boolean batchOpen;
    private boolean stopping;
    /** Set when a task's thread handed the baton to the runner to wait in the selector. */
    private boolean runnerWaitsForIo;
    /** The context of loop code outside tasks and callbacks. */
    final Context rootContext = new Context();
    /** The context of the callback running now (when no task's step runs). */
    private Context callbackContext;
    /** Set by close(): an await that would suspend fails at once, so tasks can only finish. */
    boolean closing;
    /** Tasks left suspended by close(): they kept catching its cancellations. */
    private final List<Task<?>> abandoned = new ArrayList<>();
    /** Started, unfinished async generators, closed by shutdownAsyncgens(). */
    final Set<GeneratorCore<?, ?>> asyncgens = new LinkedHashSet<>();
    /** A VirtualMachineError a callback raised: runForever stops and rethrows it. */
    private VirtualMachineError fatal;
    private boolean interruptedWhileRunning;
    /**
     * Set by the runner thread when it is interrupted while the loop runs (once per run); the
     * runner restores its interrupt status when runForever returns.
     */
    private volatile boolean runnerInterrupted;
    /** What an interrupt of the runner cancels: the future runUntilComplete runs; else null. */
    private volatile AsyncFuture<?> interruptTarget;
    /**
     * While close() or a Runner's close runs the loop to clean up, an interrupt only sets the
     * status again at the end: cleanup half done would leave tasks and threads behind.
     */
    private boolean interruptsDeferred;

    // ---- shared with other threads -------------------------------------------------------------
    private final ConcurrentLinkedQueue<Handle> inbound = new ConcurrentLinkedQueue<>();
    /** The holder while it waits for timers or inbound work; threadsafe submitters unpark it. */
    private volatile Thread sleeper;
    /** What the loop tells other threads while it waits for work. */
    private final IdleStats idleStats = new IdleStats();
    /** Ends a task thread's idle wait at the next timer; see {@link IdleAlarm}. */
    private final IdleAlarm idleAlarm = new IdleAlarm(this, IdleAlarm.SHARED_DELAYER);
    /** Whether an idle wait spins first; see {@link IdleSpin}. Replaced only by tests. */
    private IdleSpin idleSpin = new IdleSpin(IdleSpin.WINDOW_NANOS,
            Runtime.getRuntime().availableProcessors());
    /** Failed futures of this loop whose exception nobody has retrieved yet (any thread). */
    private final LinkedHashSet<UnretrievedReport> unretrieved = new LinkedHashSet<>();

    // ---- configuration -------------------------------------------------------------------------
    private volatile ExceptionHandler exceptionHandler;
    private volatile TaskFactory taskFactory;
    private volatile boolean debug;
    private volatile double slowCallbackDuration = 0.1;
    /** Steps over the slow threshold, counted in debug mode. Loop-confined. */
    private long slowSteps;

    /** Whether a virtual thread was started to end at once; see {@link #loadThreadEndCode()}. */
    private static final AtomicBoolean THREAD_END_LOADED = new AtomicBoolean();

    static {
        LoopResources.install((l, r) -> ((BaseEventLoop) l).io.own(r),
                (l, r) -> ((BaseEventLoop) l).io.disown(r),
                (l, ch) -> ((BaseEventLoop) l).io.closeNow(ch));
        TransportIo.install(new TransportIo.Ops() {
            @Override
            public Handle add(Object l, SelectableChannel ch, Runnable cb, boolean reader,
                    Context context) {
                BaseEventLoop loop = (BaseEventLoop) l;
                loop.checkUsable(reader ? "addReader()" : "addWriter()");
                return loop.io.add(ch, cb, reader, context);
            }

            @Override
            public void runIn(Context context, Runnable r) {
                Context.runIn(context, r);
            }

            @Override
            public boolean remove(Object l, SelectableChannel ch, boolean reader) {
                BaseEventLoop loop = (BaseEventLoop) l;
                return !loop.isClosed() && loop.io.remove(ch, reader);
            }

            @Override
            public void claim(Object l, SelectableChannel ch, Object transport,
                    BooleanSupplier closing) {
                ((BaseEventLoop) l).io.claim(ch, transport, closing);
            }

            @Override
            public void release(Object l, SelectableChannel ch) {
                ((BaseEventLoop) l).io.release(ch);
            }

            @Override
            public void checkThread(Object l, String what) {
                ((BaseEventLoop) l).checkThread(what);
            }
        });
    }

    BaseEventLoop(boolean virtualTime) {
        this(virtualTime, TaskThreads.forNewLoop());
    }

    BaseEventLoop(boolean virtualTime, TaskThreads taskThreads) {
        loadThreadEndCode();
        this.virtualTime = virtualTime;
        this.taskThreads = taskThreads;
        taskThreads.loopParkBlocker(this); // Baton and the idle wait park task threads on this
        if (taskThreads.executor() != null) {
            // the carrier's thread is the application's (a Netty event loop with sockets of its
            // own to serve): an idle loop gives it back at once instead of spinning on it
            this.idleSpin = new IdleSpin(0L, 1);
        }
    }

    /**
     * Once per JVM, at the first loop: starts a virtual thread that ends at once. The end of a
     * virtual thread runs JDK code (its end event's class) that stays unloaded until some virtual
     * thread ends. If the JIT compiles {@code VirtualThread.run} before that, it leaves an
     * "unloaded" trap there, and every task parked in that code deoptimizes on its own when it
     * ends: a fresh JVM closing a loop of 200k parked tasks with {@code
     * -XX:-ProfileExceptionHandlers} spent 2.5 s in 150,850 such deoptimizations, and 1.3-1.7 s
     * in all without them (docs/performance.md, "Closing a loop with many suspended tasks"). The
     * thread is not joined: it ends long before any task could park in compiled code, and a
     * join could pin a virtual thread that creates a loop while holding a monitor.
     */
    private static void loadThreadEndCode() {
        if (!THREAD_END_LOADED.get() && THREAD_END_LOADED.compareAndSet(false, true)) {
            TaskThreads.offLoop().start(() -> { }); // the JVM's scheduler, no inherited locals
        }
    }

    /** The loop whose baton the current thread holds, or null. */
    static BaseEventLoop ofCurrentThread() {
        return Baton.loopOfCurrentThread();
    }

    // ---- contexts ------------------------------------------------------------------------------

    /** The context code running on this loop now sees, or null outside tasks and callbacks. */
    Context currentContext() {
        Task<?> t = baton.current();
        return t != null ? t.activeContext() : callbackContext;
    }

    /** The values of {@link #currentContext()} (or the root's), without making a task's own. */
    VarMap currentData() {
        Task<?> t = baton.current();
        if (t != null) {
            return t.activeData();
        }
        Context c = callbackContext;
        return (c != null ? c : rootContext).data;
    }

    /** Swaps the context of the code running now (Context.run inside a loop). */
    Context swapContext(Context next) {
        Task<?> t = baton.current();
        Context prev;
        if (t != null) {
            prev = t.swapActiveContext(next);
        } else {
            prev = callbackContext;
            callbackContext = next;
        }
        return prev;
    }

    // ---- checks --------------------------------------------------------------------------------

    boolean inLoopThread() {
        return baton.heldByCurrentThread();
    }

    /**
     * Blocking calls ({@code join()}, {@code get()}) on a pending outcome of this loop call this
     * first: where the wait could never end, it fails at once with the reason.
     *
     * @param what the blocking call, for the message
     * @param pending what it would wait for, for the message
     * @throws IllegalStateException from the loop's own code, which the wait would stop, or from a
     *     thread that carries a loop's tasks (a Netty event loop), which the loop needs to run
     */
    void checkMayBlock(String what, String pending) {
        if (inLoopThread()) {
            throw new IllegalStateException(what + " on " + pending + " from inside its own"
                    + " event loop would deadlock the loop; use await() in a task instead");
        }
        Thread self = Thread.currentThread();
        if (TaskThreads.carriesALoop(self)) {
            throw new IllegalStateException(what + " on " + pending + " from thread '"
                    + self.getName() + "', which carries an event loop's tasks (a loop made with"
                    + " EventLoop.newEventLoopOn or EventLoopGroup carriers, such as"
                    + " aiobridge.netty-carriers), would deadlock: the loop needs this thread to"
                    + " run the work. Await it in a task (Aio.await), or return it to the"
                    + " framework (Mono.fromFuture) instead of blocking");
        }
    }

    /** Loop-confined methods call this: while running, only the holder may. */
    void checkThread(String what) {
        Thread h = baton.holder();
        if (h != null && h != Thread.currentThread()) {
            throw new WrongThreadException("Non-thread-safe operation invoked on an event loop"
                    + " other than the current one; " + what + " was called from thread '"
                    + Thread.currentThread().getName() + "', but " + this + " is running on"
                    + " another thread: from outside the loop use callSoonThreadsafe() or"
                    + " Aio.runCoroutineThreadsafe()");
        }
    }

    void checkOpen() {
        if (state.isClosed()) {
            throw new IllegalStateException("Event loop is closed; " + this
                    + " cannot run or schedule anything: create a new loop");
        }
    }

    private void checkUsable(String what) {
        checkOpen();
        checkThread(what);
    }

    // ---- scheduling ----------------------------------------------------------------------------

    @Override
    public Handle callSoon(Runnable callback) {
        return callSoon(callback, null);
    }

    @Override
    public Handle callSoon(Runnable callback, Context context) {
        Objects.requireNonNull(callback, "callback is null");
        checkUsable("callSoon()");
        Handle h = new Handle(this, callback, context != null ? context : Context.copyCurrent());
        enqueue(h);
        return h;
    }

    /** Schedules an internal handle (future callbacks); the caller holds the loop. */
    void schedule(Handle h) {
        enqueue(h);
    }

    /** Schedules a task's step (invariant 2 is the caller's duty). */
    void scheduleStep(Task<?> t) {
        enqueue(t);
    }

    /**
     * Appends to the ready queue; the caller holds the loop. asyncio has one ready queue, which
     * {@code call_soon_threadsafe} appends to at once; ours from other threads waits in {@code
     * inbound} until the loop takes it. Taking it first here keeps asyncio's order: a callback
     * another thread posted before this one was scheduled runs before it.
     */
    private void enqueue(Object item) {
        if (!inbound.isEmpty()) {
            drainInbound();
        }
        ready.addLast(item);
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        checkOpen();
        Handle h = new ThreadSafeHandle(this, callback, Context.copyCurrent());
        if (inLoopThread()) {
            enqueue(h); // same order as callSoon when called from the loop itself
        } else {
            inbound.add(h);
            wakeUp();
        }
        return h;
    }

    @Override
    public Handle callLaterThreadsafe(double delay, Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        Times.check(delay, "delay");
        Timers.Deferred d = new Timers.Deferred(this, callback, Context.copyCurrent(), delay);
        callSoonThreadsafe(d::arm);
        return d;
    }

    /**
     * Runs {@code action} on the calling thread if it may change the loop's state now: it holds
     * the loop, or the loop is idle, in which case no thread can start or close the loop until
     * {@code action} returns. Otherwise (running, or another thread borrowing it) posts it to the
     * loop, which runs it next time it runs; dropped if the loop is closed. Checking "not running"
     * and then acting is not enough: the loop may start in between, and then two threads change
     * loop-confined state (a future's callbacks) at once, which can lose a callback.
     */
    void runHereOrPost(Runnable action) {
        if (inLoopThread()) {
            action.run();
        } else if (state.borrow()) {
            try {
                action.run();
            } finally {
                state.giveBack();
            }
        } else {
            postFromOutside(action);
        }
    }

    /** Posts {@code callback} from outside; drops it silently if the loop has closed meanwhile. */
    boolean postFromOutside(Runnable callback) {
        if (state.isClosed()) {
            return false;
        }
        inbound.add(new Handle(this, callback, null));
        wakeUp();
        return true;
    }

    @Override
    public void wakeUp() {
        Thread s = sleeper;
        if (s != null) {
            if (io.selecting()) {
                io.wakeup();
            } else {
                LockSupport.unpark(s);
            }
        }
    }

    @Override
    public TimerHandle callLater(double delay, Runnable callback) {
        Times.check(delay, "delay");
        return callAt(time() + delay, callback);
    }

    @Override
    public TimerHandle callAt(double when, Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        Times.check(when, "when");
        checkUsable("callAt()");
        return timers.add(this, when, callback, Context.copyCurrent());
    }

    /** An internal timer: no context copy. */
    TimerHandle callLaterInternal(double delay, Runnable callback) {
        return timers.add(this, time() + delay, callback, null);
    }

    TimerHandle callAtInternal(double when, Runnable callback) {
        return timers.add(this, when, callback, null);
    }

    /** A timer was cancelled: counted for the sweep when the loop's own code cancelled it. */
    void timerCancelled(TimerHandle t) {
        if (baton.holder() == null || inLoopThread()) {
            timers.cancelledOnLoop(t);
        }
    }

    @Override
    public double time() {
        return nanoTime() / 1e9;
    }

    /**
     * Whether other work waits for the loop (a ready callback or task, a due timer, work from
     * other threads): the cue for a task that has not suspended for a while (an iteration whose
     * source is never empty) to let the loop run, so a timeout or a cancel sent from elsewhere
     * takes effect and the loop's other tasks get their turn. Loop-confined.
     */
    boolean somethingIsDue() {
        return !ready.isEmpty() || !inbound.isEmpty()
                || (!timers.isEmpty() && timers.firstWhen() <= time());
    }

    private long nanoTime() {
        return virtualTime ? virtualNanos : System.nanoTime() - origin;
    }

    // ---- running -------------------------------------------------------------------------------

    @Override
    public void runForever() {
        checkOpen();
        BaseEventLoop other = ofCurrentThread();
        if (other != null) {
            throw new IllegalStateException(other == this
                    ? "This event loop is already running; " + this
                            + ": a task or callback cannot run its own loop, await instead"
                    : "Cannot run the event loop while another loop is running; this thread"
                            + " runs another loop's code: start this one on a thread of its"
                            + " own");
        }
        Thread self = Thread.currentThread();
        if (!interruptsDeferred && TaskThreads.carriesALoop(self)) {
            // close()'s own cleanup runs are let through: they only finish this loop's tasks
            throw new IllegalStateException("Cannot run the event loop while another loop is"
                    + " running; thread '" + self.getName() + "' carries another loop's tasks"
                    + " (EventLoop.newEventLoopOn, aiobridge.netty-carriers): running " + this
                    + " here would hold the thread until it stops, and the carried loop's tasks,"
                    + " which need it, would wait (for ever, if this run awaits them); run it on"
                    + " a thread of its own, or await the work in a task instead");
        }
        if (!state.start()) {
            checkOpen();
            throw new IllegalStateException("This event loop is already running; " + this
                    + " runs on another thread: use callSoonThreadsafe() to reach it");
        }
        // an interrupt left from before is kept for the caller, not taken for a request to stop:
        // cleanup that runs the loop after an interrupted run (Runner.close) must still finish
        boolean interruptedBefore = Thread.interrupted();
        baton.enter(self);
        try {
            while (drive(self, null)) {
                baton.awaitTurn(self); // handed back when the loop stops, or to wait for I/O
                if (!runnerWaitsForIo) {
                    break;
                }
                runnerWaitsForIo = false;
            }
        } finally {
            runnerWaitsForIo = false;
            stopping = false;
            batchOpen = false;
            baton.exit();
            state.stopRunning();
            if (interruptedWhileRunning || runnerInterrupted || interruptedBefore) {
                interruptedWhileRunning = false;
                runnerInterrupted = false;
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
    public <T> T runUntilComplete(AsyncFuture<T> future) {
        Objects.requireNonNull(future, "future is null");
        checkOpen();
        if (future.loop != this) {
            throw new IllegalArgumentException(Gather.DIFFERENT_LOOP + future
                    + " belongs to another event loop: run that loop instead");
        }
        Consumer<AsyncFuture<T>> stopper = f -> stop();
        future.addDoneCallbackInternal(stopper);
        interruptTarget = future;
        try {
            runForever();
        } finally {
            interruptTarget = null;
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

    /**
     * The runner thread was interrupted while the loop runs (it holds the baton, or waits for it
     * while a task's thread does). As asyncio's {@code Runner} treats Ctrl-C: the future that
     * runUntilComplete runs is cancelled and the loop goes on until it is done, so its cleanup
     * runs; a loop run by runForever stops. Only the first interrupt of a run acts, and none
     * while the loop is being closed ({@link #deferInterrupts}).
     */
    void runnerInterrupted() {
        if (runnerInterrupted) {
            return;
        }
        runnerInterrupted = true;
        if (interruptsDeferred) {
            return; // cleanup runs on; the status is set again when runForever returns
        }
        postFromOutside(() -> {
            AsyncFuture<?> target = interruptTarget;
            if (target == null) {
                stop();
            } else if (!target.isDone()) {
                target.cancel("the thread running the loop was interrupted");
            }
        });
    }

    /**
     * Runs {@code cleanup}, which runs the loop, with interrupts of the runner deferred: they set
     * its status again at the end but cancel nothing, so the cleanup is not cut short.
     */
    void deferInterrupts(Runnable cleanup) {
        boolean outer = interruptsDeferred;
        interruptsDeferred = true;
        try {
            cleanup.run();
        } finally {
            interruptsDeferred = outer;
        }
    }

    @Override
    public void stop() {
        checkThread("stop()");
        stopping = true;
    }

    @Override
    public boolean isRunning() {
        return state.isRunning();
    }

    @Override
    public boolean isClosed() {
        return state.isClosed();
    }

    /**
     * Runs loop iterations on the calling thread, which holds the baton, until it may return:
     * <b>this is the only place where callbacks are called.</b>
     *
     * @return false if the caller keeps the baton and goes on (its own task's step is due; or
     *     the caller is the runner and the loop has stopped); true if it passed the baton to
     *     another thread, after which it must not touch the loop: it parks, or, if its task has
     *     finished, ends (returning from here first keeps this frame off its parked stack)
     */
    boolean drive(Thread self, Task<?> selfTask) {
        for (;;) {
            if (batchRemaining == 0) {
                if (batchOpen) {
                    batchOpen = false;
                    if (stopping) {
                        if (baton.isRunner(self)) {
                            return false;
                        }
                        baton.passToRunner();
                        return true;
                    }
                }
                if (waitsForIoOnRunner(self)) {
                    return true;
                }
                prepareBatch(self);
                batchOpen = true;
                continue;
            }
            Object item = ready.pollFirst();
            batchRemaining--;
            if (item instanceof Task<?> t) {
                if (t == selfTask) {
                    baton.beginStep(t);
                    return false;
                }
                if (baton.startOrResume(t)) {
                    return true;
                }
                continue;
            }
            Handle h = (Handle) item;
            if (h instanceof ThreadSafeHandle ts) {
                ts.runUnlessCancelled(this);
            } else if (!h.isCancelled()) {
                runCallback(h);
            }
        }
    }

    /**
     * When the loop is about to block in its selector and a task's virtual thread holds it, the
     * wait moves to the runner (a platform thread): a virtual thread blocked in {@code select}
     * goes through the JDK's poller thread, one more wake-up per event, and the I/O callbacks
     * that follow then run on the runner directly (measured: an echo server's ping-pong 20%
     * faster, its p99 halved; docs/io.md).
     *
     * @return true if the baton went to the runner (the caller parks)
     */
    private boolean waitsForIoOnRunner(Thread self) {
        if (!io.active() || baton.isRunner(self) || !ready.isEmpty() || !inbound.isEmpty()
                || stopping) {
            return false;
        }
        runnerWaitsForIo = true;
        baton.passToRunner();
        return true;
    }

    void runCallback(Handle h) {
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
                    "Exception in callback " + h.describe(), e, null, h, h.creationSite()));
        } finally {
            callbackContext = null;
        }
        if (debug) {
            reportIfSlow(System.nanoTime() - start, h.toString(), null);
        }
    }

    void reportIfSlow(long nanos, String what, String createdAt) {
        double seconds = nanos / 1e9;
        if (seconds >= slowCallbackDuration) {
            slowSteps++;
            LOG.log(System.Logger.Level.WARNING, String.format(
                    "Executing %s took %.3f seconds%s; it held the event loop that long (blocking"
                            + " call? use Aio.toThread())",
                    what, seconds, createdAt == null ? "" : ", created at " + createdAt));
        }
    }

    /** asyncio's {@code _run_once} up to running the handles: wait, then collect ready work. */
    private void prepareBatch(Thread self) {
        drainInbound();
        timers.sweep();
        long timeout;
        if (!ready.isEmpty() || stopping) {
            timeout = 0;
        } else if (!timers.isEmpty() && !Double.isInfinite(timers.firstWhen())) {
            timeout = Math.max(0L, toNanos(timers.firstWhen()) - nanoTime());
        } else {
            timeout = -1;
        }
        if (io.active()) {
            // as CPython's selector loop: poll every iteration, wait in select when idle
            pollIo(self, timeout);
        } else if (timeout != 0) {
            waitForEvents(self, timeout);
        }
        drainInbound();
        timers.popDue(time() + CLOCK_RESOLUTION, ready);
        batchRemaining = ready.size();
    }

    private static long toNanos(double seconds) {
        return (long) Math.ceil(seconds * 1e9);
    }

    /**
     * Waits up to {@code timeoutNanos} (negative: no limit) for work from other threads: spinning
     * first while a task awaits a reply and {@link IdleSpin} finds it worth it, then parked. On
     * virtual time, with nothing in flight, the clock jumps to the next timer instead; while a job
     * the loop started on another thread is in flight, virtual time runs at real speed, so a
     * timeout cannot fire "early" against real work, and a job that waits for the loop's timers
     * still sees them fire.
     */
    private void waitForEvents(Thread self, long timeoutNanos) {
        if (virtualTime && timeoutNanos > 0 && !executors.jobsInFlight() && inbound.isEmpty()) {
            virtualNanos = Math.max(virtualNanos, toNanos(timers.firstWhen()));
            return;
        }
        long started = System.nanoTime();
        // with no task suspended, only new work can come (a request, a submission): no reply is
        // awaited, so there is nothing worth spinning for
        boolean replyAwaited = live.size() > 0;
        long spin = replyAwaited ? idleSpin.spinFor(timeoutNanos, Baton.loopsRunning()) : 0L;
        if (spin == 0 || !spinForInbound(started, spin)) {
            long left = timeoutNanos < 0 ? -1
                    : Math.max(0L, timeoutNanos - (System.nanoTime() - started));
            if (left != 0) {
                parkIdle(self, left);
            }
        }
        if (replyAwaited) {
            idleSpin.waited(System.nanoTime() - started, !inbound.isEmpty());
        }
        if (virtualTime && timeoutNanos > 0) {
            virtualNanos += Math.min(System.nanoTime() - started, timeoutNanos);
        }
        noteInterrupt(self);
    }

    /** After a wait of the holder: an interrupt of the runner acts; a task thread's is kept. */
    private void noteInterrupt(Thread self) {
        if (Thread.interrupted()) {
            if (baton.isRunner(self)) {
                runnerInterrupted();
            } else {
                interruptedWhileRunning = true;
            }
        }
    }

    /** Replaces the idle wait's spin policy before the loop runs (tests). */
    void idleSpin(IdleSpin policy) {
        idleSpin = policy;
    }

    /**
     * Spins until work arrives from another thread, for at most {@code nanos} ({@link IdleSpin}).
     * No sleeper is published meanwhile, so the posting thread does not unpark anyone either.
     *
     * @return true if work arrived
     */
    private boolean spinForInbound(long started, long nanos) {
        for (int i = 1; ; i++) {
            if (!inbound.isEmpty()) {
                return true;
            }
            Thread.onSpinWait();
            if ((i & 15) == 0 && System.nanoTime() - started >= nanos) {
                return !inbound.isEmpty();
            }
        }
    }

    /** The holder, about to wait for work: publishes what {@link #idleStats()} reads. */
    private void enterIdle() {
        idleStats.enter(live.size(), ready.size(), timers.size(), slowSteps);
    }

    @Override
    public LoopStats idleStats() {
        return idleStats.read();
    }

    /** Parks until work comes from another thread, up to {@code timeoutNanos} (negative: none). */
    private void parkIdle(Thread self, long timeoutNanos) {
        enterIdle();
        sleeper = self;
        try {
            if (inbound.isEmpty()) {
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else if (self.isVirtual()
                        && idleAlarm.cover(System.nanoTime() + timeoutNanos)) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, timeoutNanos);
                }
            }
        } finally {
            sleeper = null;
            idleStats.leave();
        }
    }

    /**
     * Polls the selector, or waits in it up to {@code timeoutNanos} (negative: no limit) while
     * nothing else is ready. A virtual-time loop with I/O registered runs at real speed: the
     * network does not jump with its clock.
     */
    private void pollIo(Thread self, long timeoutNanos) {
        if (timeoutNanos == 0) {
            io.select(0, false, ready);
            return;
        }
        long started = System.nanoTime();
        enterIdle();
        io.waiting(true); // before publishing the sleeper: see wakeUp()
        sleeper = self;
        try {
            io.select(timeoutNanos, inbound.isEmpty(), ready);
        } finally {
            sleeper = null;
            io.waiting(false);
            idleStats.leave();
        }
        if (virtualTime && timeoutNanos > 0) {
            virtualNanos += Math.min(System.nanoTime() - started, timeoutNanos);
        }
        noteInterrupt(self);
    }

    private void drainInbound() {
        Handle h;
        while ((h = inbound.poll()) != null) {
            ready.addLast(h);
        }
    }

    // ---- readiness and sockets (LoopSelector, SockOps) ------------------------------------------

    @Override
    public void addSignalHandler(String sig, Runnable callback) {
        checkOpen();
        SignalHandlers.add(this, sig, callback);
    }

    @Override
    public boolean removeSignalHandler(String sig) {
        return SignalHandlers.remove(this, sig);
    }

    @Override
    public Handle addReader(SelectableChannel channel, Runnable callback) {
        checkUsable("addReader()");
        io.ensureNoTransport(channel);
        return io.add(channel, callback, true);
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel is null");
        if (isClosed()) {
            return false; // as asyncio: nothing is registered with a closed loop
        }
        checkUsable("removeReader()");
        io.ensureNoTransport(channel);
        return io.remove(channel, true);
    }

    @Override
    public Handle addWriter(SelectableChannel channel, Runnable callback) {
        checkUsable("addWriter()");
        io.ensureNoTransport(channel);
        return io.add(channel, callback, false);
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel is null");
        if (isClosed()) {
            return false;
        }
        checkUsable("removeWriter()");
        io.ensureNoTransport(channel);
        return io.remove(channel, false);
    }

    @Override
    public Received sockRecvfrom(DatagramChannel channel, int bufsize) throws IOException {
        io.ensureNoTransport(channel);
        return SockOps.recvfrom(this, channel, bufsize);
    }

    @Override
    public ReceivedInto sockRecvfromInto(DatagramChannel channel, ByteBuffer buffer)
            throws IOException {
        io.ensureNoTransport(channel);
        return SockOps.recvfromInto(this, channel, buffer);
    }

    @Override
    public int sockSendto(DatagramChannel channel, ByteBuffer data, SocketAddress address)
            throws IOException {
        io.ensureNoTransport(channel);
        return SockOps.sendto(this, channel, data, address);
    }

    @Override
    public long sockSendfile(SocketChannel channel, FileChannel file, long offset, Long count)
            throws IOException {
        return SockOps.sendfile(this, channel, file, offset, count);
    }

    @Override
    public byte[] sockRecv(SocketChannel channel, int n) throws IOException {
        io.ensureNoTransport(channel);
        return SockOps.recv(this, channel, n);
    }

    @Override
    public int sockRecvInto(SocketChannel channel, ByteBuffer buffer) throws IOException {
        io.ensureNoTransport(channel);
        return SockOps.recvInto(this, channel, buffer);
    }

    @Override
    public void sockSendall(SocketChannel channel, ByteBuffer data) throws IOException {
        io.ensureNoTransport(channel);
        SockOps.sendall(this, channel, data);
    }

    @Override
    public void sockConnect(SocketChannel channel, SocketAddress address) throws IOException {
        io.ensureNoTransport(channel);
        SockOps.connect(this, channel, address);
    }

    @Override
    public SocketChannel sockAccept(ServerSocketChannel channel) throws IOException {
        io.ensureNoTransport(channel);
        return SockOps.accept(this, channel);
    }

    @Override
    public List<InetSocketAddress> getaddrinfo(String host, int port) throws IOException {
        return SockOps.getaddrinfo(this, host, port);
    }

    // ---- closing -------------------------------------------------------------------------------

    @Override
    public void close() {
        if (state.isRunning()) {
            throw new IllegalStateException("Cannot close a running event loop; " + this
                    + ": call stop() and close it after runForever() returns");
        }
        if (state.isClosed()) {
            return;
        }
        checkThread("close()");
        deferInterrupts(this::finishAllTasks);
        reportUnretrieved();
        if (!state.close()) {
            throw new IllegalStateException("Cannot close a running event loop; " + this
                    + " was started while closing");
        }
        SignalHandlers.removeAll(this);
        ready.clear();
        timers.clear();
        inbound.clear();
        io.close();
        taskThreads.close();
        executors.close();
    }

    /** Cancels every live task and runs the loop until all are done (no thread left parked). */
    private void finishAllTasks() {
        finishLiveTasks();
        if (io.ownsAny()) {
            // servers and transports still open: close them, and let their protocols hear it
            io.closeOwned();
            stopping = true;
            runForever();
            finishLiveTasks();
        }
        if (!asyncgens.isEmpty()) {
            // generators left parked at a yield: close them (their finally blocks run) in tasks,
            // then finish whatever those tasks left
            runUntilComplete(shutdownAsyncgens());
            finishLiveTasks();
        }
        // what the tasks' ends scheduled (done callbacks: a runCoroutineThreadsafe future, a
        // gather) runs, as asyncio.run's final gather lets it run; bounded, so that a callback
        // that keeps rescheduling itself cannot hold close() up
        for (int round = 0; round < CLOSE_ROUNDS && !(ready.isEmpty() && inbound.isEmpty());
                round++) {
            stopping = true;
            runForever();
            finishLiveTasks();
        }
    }

    private void finishLiveTasks() {
        if (live.size() == 0) {
            return;
        }
        closing = true;
        try {
            for (int round = 0; live.size() > abandoned.size() && round < CLOSE_ROUNDS; round++) {
                for (Task<?> t : live.oldestFirst()) {
                    if (!t.isDone() && t.cancelling() == 0) {
                        t.cancel("event loop is closing");
                    }
                }
                stopping = true;
                runForever();
            }
            if (live.size() > abandoned.size()) {
                callExceptionHandler(ErrorContext.of(live.size() + " task(s) did not finish when "
                        + this + " closed; each catches CancelledError and keeps running: "
                        + live.oldestFirst(), null));
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

    // ---- futures and tasks ---------------------------------------------------------------------

    @Override
    public <T> AsyncFuture<T> createFuture() {
        checkOpen();
        return new AsyncFuture<>(this);
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
        return createTask(coro, name, context, null);
    }

    @Override
    public <T> Task<T> createTask(Coroutine<T> coro, String name, Context context,
            Boolean eagerStart) {
        Objects.requireNonNull(coro, "coro is null");
        checkUsable("createTask()");
        TaskFactory f = taskFactory;
        if (f == null) {
            return new Task<>(this, coro, name, context, Boolean.TRUE.equals(eagerStart));
        }
        Task<T> t = eagerStart == null ? f.newTask(this, coro, name, context)
                : f.newTask(this, coro, name, context, eagerStart);
        if (t == null || t.loop != this) {
            throw new IllegalStateException(
                    "task factory " + f + " returned " + t + ", not a task of this loop");
        }
        return t;
    }

    /** A new task is live; called from the Task constructor. */
    void taskCreated(Task<?> t) {
        live.add(t);
    }

    /** A task is done. */
    void taskDone(Task<?> t) {
        live.remove(t);
    }

    /** The tasks not yet done, oldest first. The holder's read. */
    Set<Task<?>> liveTasks() {
        return live.snapshot();
    }

    /**
     * The tasks not yet done, oldest first, from any thread, as {@code asyncio.all_tasks(loop)}
     * may be called from any thread. Off the loop it reads the list optimistically (it never
     * stops the loop); while tasks start and end faster than the list can be walked, it borrows
     * the loop if idle or asks the loop for the set and waits for its answer.
     */
    Set<Task<?>> liveTasksFromAnyThread() {
        return liveTasksFromAnyThread(OPTIMISTIC_READS);
    }

    /** As {@link #liveTasksFromAnyThread()}, asking the loop after {@code optimisticReads}. */
    Set<Task<?>> liveTasksFromAnyThread(int optimisticReads) {
        if (inLoopThread()) {
            return live.snapshot();
        }
        CompletableFuture<Set<Task<?>>> asked = null;
        boolean interrupted = false;
        try {
            for (int attempt = 0; ; attempt++) {
                if (attempt < optimisticReads || asked != null) {
                    List<Task<?>> read = live.tryOldestFirst();
                    if (read != null) {
                        return new LinkedHashSet<>(read);
                    }
                }
                if (state.borrow()) {
                    try {
                        return live.snapshot();
                    } finally {
                        state.giveBack();
                    }
                }
                if (attempt < optimisticReads) {
                    Thread.onSpinWait();
                } else if (asked == null) {
                    CompletableFuture<Set<Task<?>>> f = new CompletableFuture<>();
                    if (postFromOutside(() -> f.complete(live.snapshot()))) {
                        asked = f;
                    } else {
                        optimisticReads = Integer.MAX_VALUE; // closed: nothing changes the list
                    }
                } else {
                    try {
                        return asked.get(1, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        // busy in a step, or stopped before it answered: read again, then wait
                    } catch (InterruptedException e) {
                        interrupted = true; // the answer is near; the caller sees the flag after
                    } catch (ExecutionException e) {
                        throw new IllegalStateException(e.getCause());
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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

    // ---- errors --------------------------------------------------------------------------------

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
        Context of = context.future() instanceof Task<?> t ? t.getContext()
                : context.handle() != null ? context.handle().context : null;
        callExceptionHandler(context, of);
    }

    /**
     * Calls the handler inside {@code of}, the context of the task or callback that failed, as
     * asyncio does since 3.12 (gh-96704): a handler that reads a context variable sees what the
     * failing code had set. Null, or a context entered elsewhere right now: the caller's.
     */
    void callExceptionHandler(ErrorContext context, Context of) {
        ExceptionHandler h = exceptionHandler;
        if (h == null) {
            defaultExceptionHandler(context);
            return;
        }
        try {
            if (of != null && !of.isEntered()) {
                of.run(() -> h.handle(this, context));
            } else {
                h.handle(this, context);
            }
        } catch (Throwable e) {
            defaultExceptionHandler(new ErrorContext(
                    "Unhandled error in exception handler " + h, e, null, null,
                    "while handling: " + context.describe()));
        }
    }

    @Override
    public void defaultExceptionHandler(ErrorContext context) {
        Objects.requireNonNull(context, "context is null");
        Throwable e = context.exception();
        if (e != null) {
            LOG.log(System.Logger.Level.ERROR, context.describe(), e);
        } else {
            LOG.log(System.Logger.Level.ERROR, context.describe());
        }
    }

    // ---- executors and generators --------------------------------------------------------------

    @Override
    public <T> AsyncFuture<T> runInExecutor(Executor executor, Callable<T> fn) {
        Objects.requireNonNull(fn, "fn is null");
        checkUsable("runInExecutor()");
        return executors.run(executor, fn);
    }

    @Override
    public void setDefaultExecutor(Executor executor) {
        Objects.requireNonNull(executor, "executor is null");
        checkThread("setDefaultExecutor()");
        executors.setDefault(executor);
    }

    @Override
    public AsyncFuture<Void> shutdownDefaultExecutor() {
        checkUsable("shutdownDefaultExecutor()");
        return executors.shutdownDefault();
    }

    @Override
    public AsyncFuture<Void> shutdownAsyncgens() {
        checkUsable("shutdownAsyncgens()");
        AsyncFuture<Void> done = new AsyncFuture<>(this);
        List<GeneratorCore<?, ?>> open = new ArrayList<>(asyncgens);
        asyncgens.clear();
        if (open.isEmpty()) {
            done.setResult(null);
            return done;
        }
        List<Task<Void>> closers = new ArrayList<>(open.size());
        for (GeneratorCore<?, ?> g : open) {
            closers.add(new Task<>(this, () -> {
                g.closeUnlessClosing();
                return null;
            }, "aclose " + g, rootContext, false));
        }
        AsyncFuture<Object> all = Gather.gather(this, closers, true, x -> null);
        all.addDoneCallbackInternal(f -> {
            for (int i = 0; i < closers.size(); i++) {
                reportFailedClose(closers.get(i), open.get(i));
            }
            done.doSetResult(null);
        });
        return done;
    }

    /** A task that closed {@code generator} failed: asyncio's report of it, to the handler. */
    void reportFailedClose(Task<?> closer, GeneratorCore<?, ?> generator) {
        if (!closer.isCancelled() && closer.exception() != null) {
            callExceptionHandler(new ErrorContext("an error occurred during closing of"
                    + " asynchronous generator " + generator, closer.exception(), closer, null,
                    null));
        }
    }

    // ---- debug ---------------------------------------------------------------------------------

    @Override
    public void setDebug(boolean enabled) {
        this.debug = enabled;
        baton.setDebug(enabled);
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
    public LoopStats stats() {
        checkThread("stats()");
        return new LoopStats(live.size(), ready.size() + inbound.size(), timers.size(),
                slowSteps);
    }

    @Override
    public String toString() {
        String st = state.name();
        return "<EventLoop " + st + (virtualTime ? " virtual-time" : "") + (debug ? " debug" : "")
                + " engine=" + taskThreads.name()
                + " ready=" + ready.size() + " timers=" + timers.size() + " tasks=" + live.size()
                + ">";
    }
}
