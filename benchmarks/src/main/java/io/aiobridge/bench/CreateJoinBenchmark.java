package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
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
 * The cost of creating a task, running it and awaiting its result, one after another, as {@code
 * await asyncio.create_task(child(i))} in {@code python/asyncio_bench.py}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CreateJoinBenchmark {
    static final int JOINS = 10_000;

    private EventLoop loop;

    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.newEventLoop();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(JOINS)
    public long createRunJoin() {
        return loop.runUntilComplete(loop.createTask(() -> {
            long sum = 0;
            for (int i = 0; i < JOINS; i++) {
                int v = i;
                sum += Aio.createTask(() -> v).await();
            }
            return sum;
        }));
    }
}
