package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 02: two tasks run concurrently; awaiting one lets the other finish meanwhile. */
public final class P02SayAfterConcurrent {
    private P02SayAfterConcurrent() {}

    static String sayAfter(PrintStream out, double delay, String what) {
        out.println("start " + what);
        Aio.sleep(delay);
        out.println(what);
        return what.toUpperCase();
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            Task<String> task1 = Aio.createTask(() -> sayAfter(out, 0.10, "hello"), "t1");
            Task<String> task2 = Aio.createTask(() -> sayAfter(out, 0.02, "world"), "t2");
            out.println("started");
            String r1 = task1.await();
            out.println("awaited t1 " + r1 + " t2 done: " + py(task2.isDone()));
            String r2 = task2.await();
            out.println("awaited t2 " + r2);
            out.println("finished");
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
