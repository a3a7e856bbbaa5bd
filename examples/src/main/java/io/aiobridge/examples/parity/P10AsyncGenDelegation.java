package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.iter.Comprehensions;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Parity 10: async generators, one iterating another, interleaved with a task exactly as in
 * CPython (a generator's awaits suspend the task that iterates it).
 */
public final class P10AsyncGenDelegation {
    private P10AsyncGenDelegation() {}

    static AsyncGenerator<Integer, Void> ticker(double delay, int to) {
        return AsyncGenerator.of(y -> {
            for (int i = 0; i < to; i++) {
                y.yield(i);
                Aio.sleep(delay);
            }
        });
    }

    static AsyncGenerator<Integer, Void> g1(PrintStream out) {
        return AsyncGenerator.of(y -> {
            for (int i = 0; i < 3; i++) {
                out.println("g1 yields " + i);
                y.yield(i);
                Aio.sleep(0);
            }
            out.println("g1 exhausted");
        });
    }

    static AsyncGenerator<Integer, Void> g2(PrintStream out) {
        return AsyncGenerator.of(y -> {
            for (int v : g1(out)) {
                out.println("g2 got " + v);
                y.yield(v * 10);
            }
            out.println("g2 exhausted");
        });
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            for (int i : ticker(0.02, 3)) {
                out.println("ticker " + i);
            }
            Task<Void> t = Aio.createTask(() -> {
                for (int k = 0; k < 3; k++) {
                    out.println("other " + k);
                    Aio.sleep(0);
                }
                return null;
            }, "other");
            for (int v : g2(out)) {
                out.println("main got " + v);
            }
            t.await();
            out.println(Comprehensions.toList(ticker(0, 5)));
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
