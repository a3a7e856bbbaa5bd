package io.aiobridge.bench;

import io.aiobridge.EventLoop;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.sync.AsyncLock;
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
 * Uncontended lock acquire + release, and queue putNowait + getNowait, each inside one task: the
 * loops that {@code python/asyncio_bench.py} runs in CPython.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SyncQueueBenchmark {
    static final int OPS = 100_000;

    private EventLoop loop;
    private AsyncLock lock;
    private AsyncQueue<Integer> queue;

    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.newEventLoop();
        lock = new AsyncLock();
        queue = new AsyncQueue<>();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int lockAcquireRelease() {
        return loop.runUntilComplete(loop.createTask(() -> {
            int n = 0;
            for (int i = 0; i < OPS; i++) {
                lock.acquire();
                n++;
                lock.release();
            }
            return n;
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long queuePutGetNowait() {
        return loop.runUntilComplete(loop.createTask(() -> {
            long sum = 0;
            for (int i = 0; i < OPS; i++) {
                queue.putNowait(i);
                sum += queue.getNowait();
                queue.taskDone();
            }
            return sum;
        }));
    }
}
