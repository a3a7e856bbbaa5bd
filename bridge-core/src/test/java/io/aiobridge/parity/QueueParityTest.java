package io.aiobridge.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.aiobridge.Aio;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import io.aiobridge.queue.AsyncQueue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Port of parity program 18 (producer/consumer over asyncio.Queue with a None sentinel). */
class QueueParityTest {

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
            if (item == null) {
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

    static Coroutine<Void> main(PrintStream out) {
        return () -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<List<String>> c = Aio.createTask(() -> consumer(out, q, "cons", 0.18), "cons");
            Task<Void> p1 = Aio.createTask(() -> {
                producer(out, q, "P1", List.of("a1", "a2", "a3"), 0.12);
                return null;
            }, "P1");
            p1.await();
            q.put(null);
            out.println("consumer got " + c.await().stream().map(s -> "'" + s + "'")
                    .collect(Collectors.joining(", ", "[", "]")));
            q.join();
            out.println("queue joined, empty: " + (q.empty() ? "True" : "False"));
            return null;
        };
    }

    @Test
    void p18ProducerConsumer() throws IOException {
        List<String> expected;
        try (InputStream in = getClass().getResourceAsStream("/parity/18_producer_consumer.out")) {
            assertNotNull(in);
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        for (boolean virtualTime : new boolean[] {true, false}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
            try (Runner r = new Runner(virtualTime ? EventLoop::newVirtualTimeEventLoop
                    : EventLoop::newEventLoop, null)) {
                r.run(main(out));
            }
            assertEquals(String.join("\n", expected),
                    String.join("\n", buf.toString(StandardCharsets.UTF_8).lines().toList()),
                    "virtual time: " + virtualTime);
        }
    }
}
