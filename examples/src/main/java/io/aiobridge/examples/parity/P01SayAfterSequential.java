package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 01: two awaits in a row take the sum of their delays. */
public final class P01SayAfterSequential {
    private P01SayAfterSequential() {}

    static void sayAfter(PrintStream out, double delay, String what) {
        Aio.sleep(delay);
        out.println(what);
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            out.println("started");
            sayAfter(out, 0.04, "hello");
            sayAfter(out, 0.02, "world");
            out.println("finished");
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
