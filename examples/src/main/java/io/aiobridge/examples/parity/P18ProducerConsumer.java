package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.queue.AsyncQueue;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Parity 18: a producer and a consumer over a queue, a None sentinel, then join(). */
public final class P18ProducerConsumer {
    private P18ProducerConsumer() {}

    static void producer(PrintStream out, AsyncQueue<String> q, String name, List<String> items,
            double delay) {
        for (String it : items) {
            Aio.sleep(delay);
            out.println(name + " put " + it);
            q.put(it);
        }
        out.println(name + " done");
    }

    static List<String> consumer(PrintStream out, AsyncQueue<String> q, String name, double delay) {
        List<String> got = new ArrayList<>();
        while (true) {
            String item = q.get();
            if (item == null) { // the sentinel
                q.taskDone();
                out.println(name + " got sentinel");
                return got;
            }
            out.println(name + " got " + item);
            Aio.sleep(delay);
            got.add(item);
            q.taskDone();
        }
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<List<String>> c = Aio.createTask(() -> consumer(out, q, "cons", 0.18), "cons");
            Task<Void> p1 = Aio.createTask(() -> {
                producer(out, q, "P1", List.of("a1", "a2", "a3"), 0.12);
                return null;
            }, "P1");
            p1.await();
            q.put(null);
            out.println("consumer got " + Py.strs(c.await()));
            q.join();
            out.println("queue joined, empty: " + Py.py(q.empty()));
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
