package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one suspend/resume round trip ({@code Aio.sleep(0)}) with 1 and 1,000 tasks taking
 * turns. The CPython counterpart in {@code python/asyncio_bench.py} runs the same loop.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SwitchBenchmark {
    /** Total round trips per invocation, spread over the tasks. */
    static final int ROUND_TRIPS = 100_000;

    @Param({"1", "1000"})
    public int tasks;

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
    @OperationsPerInvocation(ROUND_TRIPS)
    public int sleepZeroRoundTrip() {
        int perTask = ROUND_TRIPS / tasks;
        return loop.runUntilComplete(loop.createTask(() -> {
            List<Task<Integer>> ts = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                ts.add(Aio.createTask(() -> {
                    for (int k = 0; k < perTask; k++) {
                        Aio.sleep(0);
                    }
                    return perTask;
                }));
            }
            int sum = 0;
            for (Task<Integer> t : ts) {
                sum += t.await();
            }
            return sum;
        }));
    }
}
