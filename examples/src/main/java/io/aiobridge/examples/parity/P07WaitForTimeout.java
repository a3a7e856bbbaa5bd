package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 07: {@code wait_for} cancels what overruns its timeout (3.11 semantics). */
public final class P07WaitForTimeout {
    private P07WaitForTimeout() {}

    static String inner(PrintStream out, String name, double delay) {
        out.println(name + ": start");
        try {
            Aio.sleep(delay);
            out.println(name + ": completed");
            return name + "-result";
        } catch (CancelledError e) {
            out.println(name + ": caught CancelledError");
            throw e;
        } finally {
            out.println(name + ": finally");
        }
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            out.println("ok -> " + Aio.waitFor(() -> inner(out, "fast", 0.02), 0.10));
            Task<String> task = Aio.createTask(() -> inner(out, "slow", 0.2), "slow");
            try {
                Aio.waitFor(task, 0.06);
            } catch (AsyncTimeoutException e) {
                out.println("caught TimeoutError");
            }
            out.println("slow cancelled: " + py(task.isCancelled()) + " done: "
                    + py(task.isDone()));
            try {
                Aio.waitFor(() -> inner(out, "zero", 0.02), 0.0);
            } catch (AsyncTimeoutException e) {
                out.println("timeout=0 caught TimeoutError");
            }
            out.println("none timeout -> " + Aio.waitFor(() -> inner(out, "none", 0.02), null));
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
