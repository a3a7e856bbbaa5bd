package io.aiobridge.internal;

import io.aiobridge.EventLoop;
import io.aiobridge.Task;

/**
 * The runtime operations other packages of this module need but users must not see (the JDK's
 * "shared secrets" pattern): implemented in {@code io.aiobridge}, installed when its loop class
 * initialises.
 */
public abstract class RuntimeAccess {
    private static volatile RuntimeAccess instance;

    /**
     * The implementation.
     *
     * @return the access object
     */
    public static RuntimeAccess get() {
        RuntimeAccess a = instance;
        if (a == null) {
            try {
                Class.forName("io.aiobridge.BaseEventLoop", true,
                        RuntimeAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = instance;
        }
        return a;
    }

    /**
     * Installs the implementation; called once by the runtime.
     *
     * @param access the implementation
     */
    public static void install(RuntimeAccess access) {
        instance = access;
    }

    /**
     * The task whose code runs on the current thread, or a clear error naming {@code what}.
     *
     * @param what the operation, for the message
     * @return the task
     */
    public abstract Task<?> currentTask(String what);

    /**
     * A new unstarted virtual thread from the engine of {@code task}'s loop.
     *
     * @param task the task whose loop makes the thread
     * @param body what the thread runs
     * @return the thread
     */
    public abstract Thread newThread(Task<?> task, Runnable body);

    /**
     * Makes {@code target} the thread running {@code task}'s code and parks the current thread
     * until the task is handed back to it. The current thread must be running the task.
     *
     * @param task the task
     * @param target the thread to run it next (parked in this method, or new)
     * @param start true if {@code target} is new and must be started
     */
    public abstract void handOff(Task<?> task, Thread target, boolean start);

    /**
     * As {@link #handOff} without parking: the current thread is about to end.
     *
     * @param task the task
     * @param target the thread to run it next
     */
    public abstract void handOffAndLeave(Task<?> task, Thread target);

    /**
     * Ties {@code closer} to {@code task}: it runs when the task ends (however it ends), unless
     * {@link #disown} came first. It must not await. Called on the task's loop.
     *
     * @param task the task
     * @param closer what closes the resource
     */
    public abstract void own(Task<?> task, Runnable closer);

    /**
     * Unties a closer given to {@link #own}.
     *
     * @param task the task
     * @param closer the same object
     */
    public abstract void disown(Task<?> task, Runnable closer);

    /**
     * Sets the hook a task runs before its code suspends (batched generators flush there).
     *
     * @param task the task
     * @param hook the hook, or null
     */
    public abstract void setSuspendHook(Task<?> task, Runnable hook);

    /**
     * Records a started async generator, which the loop closes at shutdown if still alive.
     *
     * @param loop the loop
     * @param closer closes the generator (awaits; called from a task)
     */
    public abstract void asyncgenStarted(EventLoop loop, LiveAsyncgen closer);

    /**
     * Forgets a finished async generator.
     *
     * @param loop the loop
     * @param closer the same object as given to {@link #asyncgenStarted}
     */
    public abstract void asyncgenFinished(EventLoop loop, LiveAsyncgen closer);

    /** A started, unfinished async generator as the loop sees it. */
    public interface LiveAsyncgen {
        /** Closes the generator ({@code aclose()}); runs in a task of the loop. */
        void acloseForShutdown();
    }
}
