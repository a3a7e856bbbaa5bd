package io.aiobridge.bench;

import io.aiobridge.AsyncGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * A generator of N integers consumed by a for-each in a task: unbatched (asyncio-exact, a handoff
 * per item) and batched ({@code prefetch(256)}). CPython's counterpart in {@code
 * python/asyncio_bench.py} is {@code async for} over an async generator.
 */
public class GeneratorBenchmark extends LoopBenchmark {
    static final int ITEMS = 100_000;
    static int BATCH = Integer.getInteger("gen.batch", 256);

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

    static final int SHORT_LIVED = 1_000;

    /**
     * Generators that live briefly: each is started, yields one item and is closed, in one
     * task. What a generator costs beyond its items: its body's thread, its start, its close, and
     * the cleaner that closes one dropped unfinished.
     */
    @Benchmark
    @OperationsPerInvocation(SHORT_LIVED)
    public long startOneItemClose() {
        return loop.runUntilComplete(loop.createTask(() -> {
            long sum = 0;
            for (int i = 0; i < SHORT_LIVED; i++) {
                int k = i;
                try (AsyncGenerator<Integer, Void> g = AsyncGenerator.of(y -> {
                    y.yield(k);
                    y.yield(k + 1);
                })) {
                    sum += g.anext().await();
                }
            }
            return sum;
        }));
    }
}
