package io.aiobridge;

import io.aiobridge.internal.RuntimeAccess;
import java.util.concurrent.locks.LockSupport;

/** The runtime operations {@code io.aiobridge.iter} and friends use; see RuntimeAccess. */
final class RuntimeAccessImpl extends RuntimeAccess {

    @Override
    public Task<?> currentTask(String what) {
        return Task.currentOrThrow(what);
    }

    @Override
    public Thread newThread(Task<?> task, Runnable body) {
        return task.loop.taskThreads.newThread(body);
    }

    @Override
    public void handOff(Task<?> task, Thread target, boolean start) {
        Thread self = Thread.currentThread();
        BaseEventLoop loop = task.loop;
        transfer(task, loop, target, start);
        loop.awaitBaton(self); // handed back: whoever did set activeThread to us
    }

    @Override
    public void handOffAndLeave(Task<?> task, Thread target) {
        transfer(task, task.loop, target, false);
    }

    private static void transfer(Task<?> task, BaseEventLoop loop, Thread target, boolean start) {
        task.activeThread = target;
        loop.holder = target;
        if (start) {
            target.start();
        } else {
            LockSupport.unpark(target);
        }
    }

    @Override
    public void own(Task<?> task, Runnable closer) {
        task.own(closer);
    }

    @Override
    public void disown(Task<?> task, Runnable closer) {
        task.disown(closer);
    }

    @Override
    public void setSuspendHook(Task<?> task, Runnable hook) {
        task.suspendHook = hook;
    }

    @Override
    public void asyncgenStarted(EventLoop loop, LiveAsyncgen closer) {
        ((BaseEventLoop) loop).asyncgens.add(closer);
    }

    @Override
    public void asyncgenFinished(EventLoop loop, LiveAsyncgen closer) {
        ((BaseEventLoop) loop).asyncgens.remove(closer);
    }
}
