package io.aiobridge.bench;

import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.sync.AsyncLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * Uncontended lock acquire + release, and queue putNowait + getNowait, each inside one task: the
 * loops that {@code python/asyncio_bench.py} runs in CPython.
 */
public class SyncQueueBenchmark extends LoopBenchmark {
    static final int OPS = 100_000;

    private final AsyncLock lock = new AsyncLock();
    private final AsyncQueue<Integer> queue = new AsyncQueue<>();

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
