package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Parity 19: a TaskGroup waits for its tasks, also ones created after the body's sleep. */
public final class P19TaskGroupBasic {
    private P19TaskGroupBasic() {}

    static String work(PrintStream out, String name, double delay) {
        out.println(name + " start");
        Aio.sleep(delay);
        out.println(name + " end");
        return name.repeat(2);
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            List<Task<String>> ts = new ArrayList<>();
            TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> work(out, "slow", 0.10), "slow"));
                ts.add(tg.createTask(() -> work(out, "fast", 0.02), "fast"));
                out.println("body end, tasks done? " + py(ts.get(0).isDone()) + " "
                        + py(ts.get(1).isDone()));
                return null;
            });
            out.println("after group: " + ts.get(0).result() + " " + ts.get(1).result());
            TaskGroup.run(tg -> {
                out.println("empty group body");
                return null;
            });
            out.println("empty group exited");
            TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> work(out, "x", 0.02), "x"));
                Aio.sleep(0.08);
                out.println("body after sleep, x done? " + py(ts.get(2).isDone()));
                ts.add(tg.createTask(() -> work(out, "y", 0.02), "y"));
                return null;
            });
            out.println("after group 3: " + ts.get(2).result() + " " + ts.get(3).result());
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
