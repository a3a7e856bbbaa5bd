package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 11: a running average fed with {@code asend}, primed with None, then closed. */
public final class P11AveragerAsend {
    private P11AveragerAsend() {}

    static AsyncGenerator<Double, Double> averager() {
        return AsyncGenerator.of(y -> {
            double total = 0.0;
            int count = 0;
            Double average = null;
            while (true) {
                double term = y.yield(average);
                Aio.sleep(0);
                total += term;
                count++;
                average = total / count;
            }
        });
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            AsyncGenerator<Double, Double> avg = averager();
            out.println("primed: " + (avg.asend(null).await() == null ? "None" : "?"));
            for (int v = 0; v <= 10; v++) {
                out.println("send " + v + " -> " + avg.asend((double) v).await());
            }
            avg.aclose();
            out.println("closed");
            try {
                avg.asend(1.0).await();
            } catch (StopAsyncIteration e) {
                out.println("asend after close: StopAsyncIteration");
            }
            AsyncGenerator<Double, Double> g = averager();
            try {
                g.asend(5.0).await(); // a just-started generator only accepts None
            } catch (IllegalArgumentException e) {
                out.println("TypeError: " + e.getMessage());
            }
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
