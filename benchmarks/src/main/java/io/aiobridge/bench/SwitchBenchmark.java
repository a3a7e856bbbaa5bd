package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import io.aiobridge.bench.peers.KotlinPeers;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/**
 * The cost of one suspend/resume round trip ({@code Aio.sleep(0)}) with 1 and 1,000 tasks taking
 * turns. The CPython counterpart in {@code python/asyncio_bench.py} runs the same loop.
 */
public class SwitchBenchmark extends LoopBenchmark {
    /** Total round trips per invocation, spread over the tasks. */
    static final int ROUND_TRIPS = 100_000;

    @Param({"1", "1000"})
    public int tasks;

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

    /** kotlinx-coroutines: {@code yield()} round trips on runBlocking's single-threaded loop. */
    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int kotlinxYieldRoundTrip() {
        return KotlinPeers.yieldRoundTrips(tasks, ROUND_TRIPS);
    }
}
