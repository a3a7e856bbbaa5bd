package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.Awaitable;
import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Parity 06: {@code as_completed} yields results in finishing order, with a deadline. */
public final class P06AsCompleted {
    private P06AsCompleted() {}

    static String job(PrintStream out, String name, double delay) {
        Aio.sleep(delay);
        out.println(name + " finishing");
        return name;
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            List<String> order = new ArrayList<>();
            for (Awaitable<String> fut : Aio.asCompleted(null,
                    () -> job(out, "slow", 0.18),
                    () -> job(out, "fast", 0.02),
                    () -> job(out, "mid", 0.10))) {
                String r = fut.await();
                out.println("got " + r);
                order.add(r);
            }
            out.println(Py.strs(order));
            try {
                for (Awaitable<String> fut : Aio.asCompleted(0.10,
                        () -> job(out, "p", 0.02),
                        () -> job(out, "q", 0.20))) {
                    out.println("got " + fut.await());
                }
            } catch (AsyncTimeoutException e) {
                out.println("caught TimeoutError");
            }
            Aio.sleep(0.20);
            out.println("end");
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
