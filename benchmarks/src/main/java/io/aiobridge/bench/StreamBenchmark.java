package io.aiobridge.bench;

import io.aiobridge.AsyncGenerator;
import io.aiobridge.EventLoop;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Flowable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The shared shape of the stream benchmarks (ns per item over {@link #N} items): an event loop
 * running on a thread of its own for the whole trial, and the same sources for every library:
 * 0 until N as an async generator, and as Reactor's and RxJava's generate/create.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public abstract class StreamBenchmark {
    static final int N = 1_000_000;

    protected EventLoop loop;
    private Thread loopThread;

    @Setup(Level.Trial)
    public void startLoop() {
        loop = EventLoop.newEventLoop();
        loopThread = Thread.ofPlatform().daemon().name("bench-loop").start(loop::runForever);
    }

    @TearDown(Level.Trial)
    public void stopLoop() throws InterruptedException {
        loop.callSoonThreadsafe(loop::stop);
        loopThread.join();
        loop.close();
    }

    /** 0 until N, yielded one by one. */
    static AsyncGenerator.Body<Long, Void> countToN() {
        return y -> {
            for (long i = 0; i < N; i++) {
                y.yield(i);
            }
        };
    }

    static Flux<Long> fluxGenerate() {
        return Flux.generate(() -> 0L, (i, sink) -> {
            sink.next(i);
            if (i == N - 1) {
                sink.complete();
            }
            return i + 1;
        });
    }

    static Flux<Long> fluxCreate() {
        return Flux.create(sink -> {
            for (long i = 0; i < N && !sink.isCancelled(); i++) {
                sink.next(i);
            }
            sink.complete();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    static Flowable<Long> flowableGenerate() {
        return Flowable.generate(() -> 0L, (i, emitter) -> {
            emitter.onNext(i);
            if (i == N - 1) {
                emitter.onComplete();
            }
            return i + 1;
        });
    }

    static Flowable<Long> flowableCreate() {
        return Flowable.create(emitter -> {
            for (long i = 0; i < N && !emitter.isCancelled(); i++) {
                emitter.onNext(i);
            }
            emitter.onComplete();
        }, BackpressureStrategy.BUFFER);
    }
}
