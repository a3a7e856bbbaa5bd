package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.rxjava.RxIterate;
import io.aiobridge.rxjava.RxPublish;
import io.reactivex.rxjava3.core.Flowable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * bridge-rxjava next to plain RxJava in the same run (ns per item; items/s = 1e9 / score):
 * <ul>
 *   <li>{@code Flowable.range(0, N)} iterated from a task with {@code RxPublish.iterate}
 *       (prefetch 256); plain RxJava: {@code blockingIterable()} and {@code blockingLast()};
 *   <li>an async generator consumed as a {@code Flowable} by {@code blockingLast()} (default
 *       loops); plain RxJava: {@code Flowable.generate} and {@code Flowable.create} by {@code
 *       blockingLast()}.
 * </ul>
 */
public class RxJavaBenchmark extends StreamBenchmark {
    @Benchmark
    @OperationsPerInvocation(N)
    public long iterateFlowableRangeInTask() {
        return Aio.runCoroutineThreadsafe(() -> {
            long sum = 0;
            for (int v : RxIterate.iterate(Flowable.range(0, N))) {
                sum += v;
            }
            return sum;
        }, loop).join();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long rxFlowableRangeBlockingIterable() {
        long sum = 0;
        for (int v : Flowable.range(0, N).blockingIterable()) {
            sum += v;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Integer rxFlowableRangeBlockingLast() {
        return Flowable.range(0, N).blockingLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long generatorFlowableBlockingLast() {
        return RxPublish.flowable(countToN()).blockingLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long rxFlowableGenerateBlockingLast() {
        return flowableGenerate().blockingLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long rxFlowableCreateBlockingLast() {
        return flowableCreate().blockingLast();
    }
}
