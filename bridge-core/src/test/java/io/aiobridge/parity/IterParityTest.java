package io.aiobridge.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.aiobridge.Aio;
import io.aiobridge.Awaitable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import io.aiobridge.iter.AsyncGenerator;
import io.aiobridge.iter.AsyncIterable;
import io.aiobridge.iter.AsyncIterables;
import io.aiobridge.iter.AsyncIterator;
import io.aiobridge.iter.StopAsyncIteration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Ports of the parity programs on async iteration and generators (08, 10, 11, 12). */
class IterParityTest {

    static void assertParity(String program, Consumer<PrintStream> port) {
        List<String> expected;
        try (InputStream in = IterParityTest.class.getResourceAsStream(
                "/parity/" + program + ".out")) {
            assertNotNull(in, program);
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        for (boolean virtual : new boolean[] {true, false}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
            port.accept(out);
            assertEquals(String.join("\n", expected),
                    String.join("\n", buf.toString(StandardCharsets.UTF_8).lines().toList()),
                    program + " (virtual time: " + virtual + ")");
            if (!virtual) {
                break;
            }
        }
    }

    static <T> T run(Coroutine<T> main) {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            return r.run(main);
        }
    }

    // ---- 08: a class-based async iterator ----------------------------------------------------

    static final class Ticker implements AsyncIterable<Integer>, AsyncIterator<Integer> {
        private final PrintStream out;
        private final double delay;
        private final int to;
        private int i;

        Ticker(PrintStream out, double delay, int to) {
            this.out = out;
            this.delay = delay;
            this.to = to;
        }

        @Override
        public AsyncIterator<Integer> aiter() {
            out.println("__aiter__");
            return this;
        }

        @Override
        public Awaitable<Integer> anext() {
            return () -> {
                int v = i;
                if (v >= to) {
                    out.println("__anext__ -> StopAsyncIteration");
                    throw new StopAsyncIteration();
                }
                i++;
                if (v != 0) {
                    Aio.sleep(delay);
                }
                return v;
            };
        }
    }

    @Test
    void p08TickerAiter() {
        assertParity("08_ticker_aiter", out -> run(() -> {
            for (int i : new Ticker(out, 0.02, 4)) {
                out.println("tick " + i);
            }
            List<Integer> odd = AsyncIterables.toList(new Ticker(out, 0, 10), i -> i % 2 == 1,
                    i -> i);
            out.println("odd " + odd);
            Map<Integer, Integer> sq = new LinkedHashMap<>();
            for (int i : new Ticker(out, 0, 3)) {
                sq.put(i, i * i);
            }
            out.println("dict " + sq.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}")));
            Ticker it = new Ticker(out, 0, 2);
            Integer a = AsyncIterables.anext(it);
            Integer b = AsyncIterables.anext(it);
            out.println("anext " + a + " " + b);
            out.println("anext default " + AsyncIterables.anext(it, (Object) "done"));
            try {
                it.anext().await();
            } catch (StopAsyncIteration e) {
                out.println("caught StopAsyncIteration");
            }
            return null;
        }));
    }

    // ---- 10: generators and delegation -------------------------------------------------------

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

    @Test
    void p10AsyncGenDelegation() {
        assertParity("10_async_gen_delegation", out -> run(() -> {
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
            out.println(AsyncIterables.toList(ticker(0, 5)));
            return null;
        }));
    }

    // ---- 11: asend averager ------------------------------------------------------------------

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

    @Test
    void p11AveragerAsend() {
        assertParity("11_averager_asend", out -> run(() -> {
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
                g.asend(5.0).await();
            } catch (IllegalArgumentException e) {
                out.println("TypeError: " + e.getMessage());
            }
            return null;
        }));
    }

    // ---- 12: taxi simulation -----------------------------------------------------------------

    record Event(int time, int proc, String action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Integer.compare(time, o.time);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(proc, o.proc);
            return c != 0 ? c : action.compareTo(o.action);
        }

        @Override
        public String toString() {
            return "Event(time=" + time + ", proc=" + proc + ", action='" + action + "')";
        }
    }

    static final Map<String, Integer> DURATIONS = Map.of("leave garage", 2,
            "pick up passenger", 5, "drop off passenger", 7, "going home", 1);

    static AsyncGenerator<Event, Integer> taxiProcess(int ident, int trips, int startTime) {
        return AsyncGenerator.of(y -> {
            int time = y.yield(new Event(startTime, ident, "leave garage"));
            for (int i = 0; i < trips; i++) {
                time = y.yield(new Event(time, ident, "pick up passenger"));
                time = y.yield(new Event(time, ident, "drop off passenger"));
            }
            y.yield(new Event(time, ident, "going home"));
        });
    }

    static void simulate(PrintStream out, int endTime) {
        Map<Integer, AsyncGenerator<Event, Integer>> procs = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            procs.put(i, taxiProcess(i, (i + 1) * 2, i * 3));
        }
        PriorityQueue<Event> events = new PriorityQueue<>();
        for (AsyncGenerator<Event, Integer> proc : procs.values()) {
            events.add(proc.asend(null).await());
        }
        int simTime = 0;
        boolean broke = false;
        while (simTime < endTime) {
            if (events.isEmpty()) {
                out.println("*** end of events ***");
                broke = true;
                break;
            }
            Event current = events.poll();
            simTime = current.time();
            int procId = current.proc();
            out.println("taxi: " + procId + " " + "   ".repeat(procId) + " " + current);
            AsyncGenerator<Event, Integer> active = procs.get(procId);
            int nextTime = simTime + DURATIONS.get(current.action()) + procId;
            try {
                events.add(active.asend(nextTime).await());
            } catch (StopAsyncIteration e) {
                procs.remove(procId);
            }
        }
        if (!broke) {
            out.println("*** end of simulation time: " + events.size() + " events pending ***");
        }
        for (AsyncGenerator<Event, Integer> proc : new ArrayList<>(procs.values())) {
            proc.aclose();
        }
    }

    @Test
    void p12TaxiSim() {
        assertParity("12_taxi_sim", out -> {
            run(() -> {
                simulate(out, 1000);
                return null;
            });
            out.println("--- short run ---");
            run(() -> {
                simulate(out, 20);
                return null;
            });
        });
    }
}
