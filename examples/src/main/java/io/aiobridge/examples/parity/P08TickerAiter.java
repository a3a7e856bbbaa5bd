package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.iter.Comprehensions;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Parity 08: a class-based async iterator ({@code __aiter__}/{@code __anext__}). */
public final class P08TickerAiter {
    private P08TickerAiter() {}

    /** Counts from 0 to {@code to - 1}, sleeping {@code delay} before each value but the first. */
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

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            for (int i : new Ticker(out, 0.02, 4)) { // async for
                out.println("tick " + i);
            }
            List<Integer> odd = Comprehensions.toList(new Ticker(out, 0, 10), i -> i % 2 == 1,
                    i -> i);
            out.println("odd " + odd);
            Map<Integer, Integer> sq = new LinkedHashMap<>();
            for (int i : new Ticker(out, 0, 3)) {
                sq.put(i, i * i);
            }
            out.println("dict " + sq.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}")));
            Ticker it = new Ticker(out, 0, 2);
            Integer a = Comprehensions.anext(it);
            Integer b = Comprehensions.anext(it);
            out.println("anext " + a + " " + b);
            out.println("anext default " + Comprehensions.anext(it, (Object) "done"));
            try {
                it.anext().await();
            } catch (StopAsyncIteration e) {
                out.println("caught StopAsyncIteration");
            }
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
