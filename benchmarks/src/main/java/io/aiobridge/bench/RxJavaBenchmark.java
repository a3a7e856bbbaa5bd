package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.rxjava.RxPublish;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Flowable;
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
 * bridge-rxjava next to plain RxJava in the same run (ns per item; items/s = 1e9 / score):
 * <ul>
 *   <li>{@code Flowable.range(0, N)} iterated from a task with {@code RxPublish.iterate}
 *       (prefetch 256); plain RxJava: {@code blockingIterable()} and {@code blockingLast()};
 *   <li>an async generator consumed as a {@code Flowable} by {@code blockingLast()} (default
 *       loops); plain RxJava: {@code Flowable.generate} and {@code Flowable.create} by {@code
 *       blockingLast()}.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RxJavaBenchmark {
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
    public long iterateFlowableRangeInTask() {
        return Aio.runCoroutineThreadsafe(() -> {
            long sum = 0;
            for (int v : RxPublish.iterate(Flowable.range(0, N))) {
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
        return RxPublish.<Long>flowable(y -> {
            for (long i = 0; i < N; i++) {
                y.yield(i);
            }
        }).blockingLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long rxFlowableGenerateBlockingLast() {
        return Flowable.<Long, Long>generate(() -> 0L, (i, emitter) -> {
            emitter.onNext(i);
            if (i == N - 1) {
                emitter.onComplete();
            }
            return i + 1;
        }).blockingLast();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Long rxFlowableCreateBlockingLast() {
        return Flowable.<Long>create(emitter -> {
            for (long i = 0; i < N && !emitter.isCancelled(); i++) {
                emitter.onNext(i);
            }
            emitter.onComplete();
        }, BackpressureStrategy.BUFFER).blockingLast();
    }
}
