package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.Aio;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 03: a coroutine runs only when awaited; a task starts on its own. */
public final class P03NestedCoroutine {
    private P03NestedCoroutine() {}

    static int nested(PrintStream out) {
        out.println("nested running");
        return 42;
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            Coroutine<Integer> coro = () -> nested(out); // creating it does not run it
            out.println("coroutine created");
            out.println("direct await -> " + coro.call());
            Task<Integer> task = Aio.createTask(() -> nested(out), "nested-task");
            out.println("task created, done: " + py(task.isDone()));
            out.println("task await -> " + task.await());
            out.println("task done: " + py(task.isDone()) + " result: " + task.result());
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
