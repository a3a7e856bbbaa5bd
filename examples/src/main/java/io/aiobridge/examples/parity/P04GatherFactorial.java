package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/** Parity 04: gather runs three factorials concurrently and keeps the results in order. */
public final class P04GatherFactorial {
    private P04GatherFactorial() {}

    static int factorial(PrintStream out, String name, int number) {
        int f = 1;
        for (int i = 2; i <= number; i++) {
            out.println("Task " + name + ": Compute factorial(" + number + "), currently i=" + i
                    + "...");
            Aio.sleep(0.02);
            f *= i;
        }
        out.println("Task " + name + ": factorial(" + number + ") = " + f);
        return f;
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            List<Integer> l = Aio.gather(
                    () -> factorial(out, "A", 2),
                    () -> factorial(out, "B", 3),
                    () -> factorial(out, "C", 4)).await();
            out.println(l);
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
