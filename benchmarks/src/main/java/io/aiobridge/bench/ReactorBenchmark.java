package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.reactor.ReactorIterate;
import io.aiobridge.reactor.ReactorPublish;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import reactor.core.publisher.Flux;

/**
 * bridge-reactor next to plain Reactor in the same run (ns per item; items/s = 1e9 / score):
 * <ul>
 *   <li>{@code Flux.range(0, N)} iterated from a task with {@code ReactorPublish.iterate}
 *       (prefetch 256); plain Reactor: {@code blockLast()} (its {@code toIterable()} is in
 *       {@link FlowBenchmark}, measured once for both tables);
 *   <li>an async generator consumed as a {@code Flux} by {@code blockLast()} (on the default
 *       loops, as an application would); plain Reactor: {@code Flux.generate} and {@code
 *       Flux.create} by {@code blockLast()}.
 * </ul>
 */
public class ReactorBenchmark extends StreamBenchmark {
    @Benchmark
    @OperationsPerInvocation(N)
    public long iterateFluxRangeInTask() {
        return Aio.runCoroutineThreadsafe(() -> {
            long sum = 0;
            for (int v : ReactorIterate.iterate(Flux.range(0, N))) {
                sum += v;
            }
            return sum;
        }, loop).join();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Integer reactorFluxRangeBlockLast() {
        return Flux.range(0, N).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long generatorFluxBlockLast() {
        return ReactorPublish.flux(countToN()).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long reactorFluxGenerateBlockLast() {
        return fluxGenerate().blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long reactorFluxCreateBlockLast() {
        return fluxCreate().blockLast();
    }
}
