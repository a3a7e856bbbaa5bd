package io.aiobridge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's switching state for one loop, and the only code that changes it: who holds the
 * loop, which task's step runs, which thread runs that task's code, and where an eager start
 * returns to.
 *
 * <p><b>The baton.</b> Exactly one thread at a time holds a running loop's baton ({@link
 * #holder}): the thread that called {@code runForever} (the runner) or a virtual thread running a
 * task's code. Only the holder touches loop-confined state. When the holder's code cannot go on
 * (its task awaits something pending, or has finished), that same thread runs the loop ({@link
 * BaseEventLoop#drive}) and, when the next ready item is another task's step, passes the baton
 * straight to that task's thread and parks. A suspend/resume is one unpark and one park.
 *
 * <p><b>Invariants.</b>
 * <ol>
 *   <li>While the loop runs, {@code holder != null}, and only the holder runs loop code; the
 *       holder is written only here, and only by the holder (or, in {@link #enter}, by the
 *       thread that starts the loop).
 *   <li>A thread other than the runner receives the baton only when its task's step is due: a
 *       parked task resumes exactly when its step runs. The runner receives it back only when the
 *       loop stops.
 *   <li>{@link #current} is the task whose step runs, or null while callbacks run. A task's
 *       {@code activeThread} is the thread running its code now: its own, or the thread of an
 *       async generator it is iterating (the body runs as part of the task).
 *   <li>A task started eagerly returns the baton to the thread that created it ({@code
 *       eagerReturn}) at its first suspension, instead of driving the loop.
 * </ol>
 *
 * <p>Which loop does this thread run? A small registry of running loops, scanned by holder: a
 * ThreadLocal would cost a map on every task's virtual thread.
 */
final class Baton {
    private static volatile Baton[] running = new Baton[0];
    private static final Object REGISTRY_LOCK = new Object();

    private final BaseEventLoop loop;
    /** The thread that holds the loop; null while it is not running. */
    private volatile Thread holder;
    /** The thread inside runForever. */
    private Thread runner;
    /** The task whose step runs now, or null while callbacks or the loop itself run. */
    private Task<?> current;
    /** When the current step began (debug mode's slow-step report). */
    private long stepStart;
    /** The loop's debug flag, kept here too: the step path reads it twice per switch. */
    private volatile boolean debug;

    Baton(BaseEventLoop loop) {
        this.loop = loop;
    }

    // ---- who holds it --------------------------------------------------------------------------

    /** The loop whose baton the current thread holds, or null. */
    static BaseEventLoop loopOfCurrentThread() {
        Baton b = ofThread(Thread.currentThread());
        return b == null ? null : b.loop;
    }

    /** How many loops run in this JVM now. */
    static int loopsRunning() {
        return running.length;
    }

    /** The baton {@code self} holds, or null. */
    static Baton ofThread(Thread self) {
        for (Baton b : running) {
            if (b.holder == self) {
                return b;
            }
        }
        return null;
    }

    /** The task running on the current thread, or null (no loop, a callback, another thread). */
    static Task<?> taskOfCurrentThread() {
        Thread self = Thread.currentThread();
        Baton b = ofThread(self);
        return b == null ? null : b.taskOf(self);
    }

    void setDebug(boolean enabled) {
        debug = enabled;
    }

    boolean heldByCurrentThread() {
        return holder == Thread.currentThread();
    }

    /** The holder, or null while the loop is not running. */
    Thread holder() {
        return holder;
    }

    /** The task whose step runs now, or null. */
    Task<?> current() {
        return current;
    }

    /** The task whose code runs on {@code thread} now, or null (a callback, or another thread). */
    Task<?> taskOf(Thread thread) {
        Task<?> t = current;
        return t != null && t.activeThread == thread ? t : null;
    }

    /** The thread calling runForever takes the baton. */
    void enter(Thread self) {
        runner = self;
        holder = self;
        register(this, true);
    }

    /** runForever returns: the baton is no one's. */
    void exit() {
        runner = null;
        register(this, false);
        holder = null;
    }

    boolean isRunner(Thread t) {
        return t == runner;
    }

    /** Hands the baton back to the runner (the loop stops). */
    void passToRunner() {
        pass(runner);
    }

    private static void register(Baton baton, boolean add) {
        synchronized (REGISTRY_LOCK) {
            List<Baton> list = new ArrayList<>(List.of(running));
            if (add) {
                list.add(baton);
            } else {
                list.remove(baton);
            }
            running = list.toArray(new Baton[0]);
        }
    }

    // ---- passing it on -------------------------------------------------------------------------

    /** Hands the baton to {@code target}, which is parked in {@link #awaitTurn}. */
    void pass(Thread target) {
        holder = target;
        LockSupport.unpark(target);
    }

    /** Parks until the baton is handed to {@code self}. */
    void awaitTurn(Thread self) {
        if (holder == self) {
            return;
        }
        boolean interrupted = false;
        do {
            LockSupport.park(loop);
            if (Thread.interrupted()) {
                if (self == runner) {
                    loop.runnerInterrupted(); // it acts through the loop, and is restored at exit
                } else {
                    interrupted = true;
                }
            }
        } while (holder != self);
        if (interrupted) {
            self.interrupt();
        }
    }

    // ---- steps ---------------------------------------------------------------------------------

    /** The holder runs {@code t}'s step itself: it is its own task's step that is due. */
    void beginStep(Task<?> t) {
        current = t;
        if (debug) {
            stepStart = System.nanoTime();
        }
    }

    /** A task's step ended (it suspended or finished): the debug slow-step check. */
    void stepEnded(Task<?> t) {
        current = null;
        if (debug) {
            loop.reportIfSlow(System.nanoTime() - stepStart, t.toString(), t.creationSite());
        }
    }

    /**
     * Passes the baton to task {@code t} for its step: starts its thread, or unparks it.
     *
     * @return false if the task ended without a thread (cancelled before its first step)
     */
    boolean startOrResume(Task<?> t) {
        Thread th = t.activeThread;
        if (th == null) {
            if (t.mustCancel) {
                t.cancelBeforeStart();
                return false;
            }
            beginStep(t);
            th = newTaskThread(t);
            holder = th;
            th.start();
        } else {
            beginStep(t);
            holder = th;
            LockSupport.unpark(th);
        }
        return true;
    }

    /**
     * Every task thread's body, one per loop rather than one per task (16 bytes a parked task):
     * a task thread starts holding the baton for its task's first step, so the task is {@link
     * #current}, set by {@link #beginStep} before {@code Thread.start}, which publishes it. A
     * class rather than a method reference, which would add a frame under every parked task.
     */
    private final Runnable taskBody = new TaskBody();

    private final class TaskBody implements Runnable {
        @Override
        public void run() {
            Task<?> t = current;
            if (t == null || t.thread != Thread.currentThread()) {
                throw new IllegalStateException("a task thread started without its task's step: "
                        + t + " on " + Thread.currentThread());
            }
            t.body();
        }
    }

    private Thread newTaskThread(Task<?> t) {
        Thread th = loop.taskThreads.newThread(taskBody);
        if (debug) {
            th.setName("aiobridge-task " + t.getName());
        }
        t.thread = th;
        t.activeThread = th;
        return th;
    }

    /** Starts task {@code t} now, on the current thread's turn, until its first suspension. */
    void eagerStart(Task<?> t) {
        Thread self = Thread.currentThread();
        Task<?> prev = current;
        long prevStart = stepStart;
        t.setEagerReturn(self);
        beginStep(t);
        Thread th = newTaskThread(t);
        holder = th;
        th.start();
        awaitTurn(self);
        current = prev;
        stepStart = prevStart;
    }

    /**
     * The task's code cannot go on: give the loop up until its step is due again. Called on the
     * thread running the task's code.
     */
    void suspend(Task<?> t) {
        Thread self = Thread.currentThread();
        stepEnded(t);
        Thread back = t.takeEagerReturn();
        if (back != null) {
            pass(back);
            awaitTurn(self);
        } else if (loop.drive(self, t)) {
            awaitTurn(self);
        }
    }

    /** The task's coroutine has returned: pass the baton on; the task's thread then ends. */
    void finished(Task<?> t) {
        stepEnded(t);
        Thread back = t.takeEagerReturn();
        if (back != null) {
            pass(back);
            return;
        }
        loop.drive(t.thread, null); // always passes the baton on
    }

    // ---- async generators: the task moves between its thread and a body's thread --------------

    /**
     * Makes {@code target} the thread running {@code task}'s code and parks the current thread
     * (which runs it now) until the task is handed back to it.
     *
     * @param start true if {@code target} is new and must be started
     */
    void handOff(Task<?> task, Thread target, boolean start) {
        Thread self = Thread.currentThread();
        transfer(task, target, start);
        awaitTurn(self);
    }

    /** As {@link #handOff}, without parking: the current thread is about to end. */
    void handOffAndLeave(Task<?> task, Thread target) {
        transfer(task, target, false);
    }

    private void transfer(Task<?> task, Thread target, boolean start) {
        task.activeThread = target;
        holder = target;
        if (start) {
            target.start();
        } else {
            LockSupport.unpark(target);
        }
    }
}
