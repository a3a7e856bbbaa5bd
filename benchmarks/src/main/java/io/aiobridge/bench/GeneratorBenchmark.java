package io.aiobridge.bench;

import io.aiobridge.EventLoop;
import io.aiobridge.iter.AsyncGenerator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A generator of N integers consumed by a for-each in a task: unbatched (asyncio-exact, a handoff
 * per item) and batched ({@code prefetch(256)}). CPython's counterpart in {@code
 * python/asyncio_bench.py} is {@code async for} over an async generator.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class GeneratorBenchmark {
    static final int ITEMS = 100_000;
    static int BATCH = Integer.getInteger("gen.batch", 256);

    private EventLoop loop;

    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.newEventLoop();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    static AsyncGenerator<Integer, Void> numbers() {
        return AsyncGenerator.of(y -> {
            for (int i = 0; i < ITEMS; i++) {
                y.yield(i);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long unbatched() {
        return loop.runUntilComplete(loop.createTask(() -> {
            long sum = 0;
            for (int v : numbers()) {
                sum += v;
            }
            return sum;
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long batched() {
        return loop.runUntilComplete(loop.createTask(() -> {
            long sum = 0;
            for (int v : numbers().prefetch(BATCH)) {
                sum += v;
            }
            return sum;
        }));
    }
}
