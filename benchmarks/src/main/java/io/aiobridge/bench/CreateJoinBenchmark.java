package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.bench.peers.KotlinPeers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * The cost of creating a task, running it and awaiting its result, one after another, as {@code
 * await asyncio.create_task(child(i))} in {@code python/asyncio_bench.py}.
 */
public class CreateJoinBenchmark extends LoopBenchmark {
    static final int JOINS = 10_000;

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

    /** kotlinx-coroutines: {@code launch { }.join()} on runBlocking's single-threaded loop. */
    @Benchmark
    @OperationsPerInvocation(JOINS)
    public long kotlinxLaunchJoin() {
        return KotlinPeers.launchJoin(JOINS);
    }
}
