package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.reactor.ReactorPublish;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * bridge-reactor next to plain Reactor in the same run (ns per item; items/s = 1e9 / score):
 * <ul>
 *   <li>{@code Flux.range(0, N)} iterated from a task with {@code ReactorPublish.iterate}
 *       (prefetch 256); plain Reactor: {@code toIterable()} on a platform thread and {@code
 *       blockLast()};
 *   <li>an async generator consumed as a {@code Flux} by {@code blockLast()} (on the default
 *       loops, as an application would); plain Reactor: {@code Flux.generate} and {@code
 *       Flux.create} by {@code blockLast()}.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ReactorBenchmark {
    static final int N = 1_000_000;

    private EventLoop loop;
    private Thread loopThread;

    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.newEventLoop();
        loopThread = Thread.ofPlatform().daemon().name("bench-loop").start(loop::runForever);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        loop.callSoonThreadsafe(loop::stop);
        loopThread.join();
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long iterateFluxRangeInTask() {
        return Aio.runCoroutineThreadsafe(() -> {
            long sum = 0;
            for (int v : ReactorPublish.iterate(Flux.range(0, N))) {
                sum += v;
            }
            return sum;
        }, loop).join();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxRangeToIterable() {
        long sum = 0;
        for (int v : Flux.range(0, N).toIterable()) {
            sum += v;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Integer reactorFluxRangeBlockLast() {
        return Flux.range(0, N).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long generatorFluxBlockLast() {
        return ReactorPublish.<Long>flux(y -> {
            for (long i = 0; i < N; i++) {
                y.yield(i);
            }
        }).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long reactorFluxGenerateBlockLast() {
        return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(i);
            if (i == N - 1) {
                sink.complete();
            }
            return i + 1;
        }).blockLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long reactorFluxCreateBlockLast() {
        return Flux.<Long>create(sink -> {
            for (long i = 0; i < N && !sink.isCancelled(); i++) {
                sink.next(i);
            }
            sink.complete();
        }, FluxSink.OverflowStrategy.BUFFER).blockLast();
    }
}
