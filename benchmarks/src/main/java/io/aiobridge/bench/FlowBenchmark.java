package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.flow.Publishers;
import java.util.concurrent.CountDownLatch;
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
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import io.aiobridge.bench.peers.KotlinPeers;
import io.reactivex.rxjava3.core.Flowable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The flow bridge next to Reactor, consumed the same way in the same run (ns per item; items/s
 * = 1e9 / score):
 * <ul>
 *   <li>generator -> Publisher -> a plain subscriber requesting unbounded, and in request(256)
 *       batches; Reactor's {@code Flux.generate} with the same subscribers;
 *   <li>the same subscribers on Reactor's {@code Flux.create}, RxJava's {@code
 *       Flowable.generate} and kotlinx's {@code flux { }} builder;
 *   <li>a {@code Flux.range} -> async iterator iterated in a task (prefetch 256); next to
 *       Reactor's {@code toIterable()}, RxJava's {@code blockingIterable()} and kotlinx's {@code
 *       asFlow().collect}.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FlowBenchmark {
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

    /** Counts items; requests unbounded or in batches of {@code batch}. */
    static final class CountingSubscriber<T> implements Subscriber<T> {
        private final long batch;
        private final CountDownLatch done = new CountDownLatch(1);
        private Subscription s;
        private long count;
        private long left;

        CountingSubscriber(long batch) {
            this.batch = batch;
        }

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            left = batch;
            s.request(batch);
        }

        @Override
        public void onNext(T t) {
            count++;
            if (batch != Long.MAX_VALUE && --left == 0) {
                left = batch;
                s.request(batch);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        long await() throws InterruptedException {
            done.await();
            return count;
        }
    }

    private Publisher<Long> generator() {
        return AsyncPublisher.<Long>fromGenerator(y -> {
            for (long i = 0; i < N; i++) {
                y.yield(i);
            }
        }).on(loop);
    }

    private static Flux<Long> fluxGenerate() {
        return Flux.generate(() -> 0L, (i, sink) -> {
            sink.next(i);
            if (i == N - 1) {
                sink.complete();
            }
            return i + 1;
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long generatorPublisherUnbounded() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(Long.MAX_VALUE);
        generator().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long generatorPublisherRequest256() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(256);
        generator().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxGenerateUnbounded() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(Long.MAX_VALUE);
        fluxGenerate().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxGenerateRequest256() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(256);
        fluxGenerate().subscribe(s);
        return s.await();
    }

    private static Flux<Long> fluxCreate() {
        return Flux.create(sink -> {
            for (long i = 0; i < N && !sink.isCancelled(); i++) {
                sink.next(i);
            }
            sink.complete();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    private static Flowable<Long> flowableGenerate() {
        return Flowable.generate(() -> 0L, (i, emitter) -> {
            emitter.onNext(i);
            if (i == N - 1) {
                emitter.onComplete();
            }
            return i + 1;
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxCreateUnbounded() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(Long.MAX_VALUE);
        fluxCreate().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxCreateRequest256() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(256);
        fluxCreate().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long rxFlowableGenerateUnbounded() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(Long.MAX_VALUE);
        flowableGenerate().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long rxFlowableGenerateRequest256() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(256);
        flowableGenerate().subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long kotlinxFluxUnbounded() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(Long.MAX_VALUE);
        KotlinPeers.fluxBuilder(N).subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long kotlinxFluxRequest256() throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(256);
        KotlinPeers.fluxBuilder(N).subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long rxFluxRangeBlockingIterable() {
        long sum = 0;
        for (int v : Flowable.fromPublisher(Flux.range(0, N)).blockingIterable()) {
            sum += v;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long kotlinxFluxRangeAsFlowCollect() {
        return KotlinPeers.collectAsFlow(Flux.range(0, N));
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long fluxRangeToAsyncIterator() {
        return Aio.runCoroutineThreadsafe(() -> {
            long sum = 0;
            for (int v : Publishers.toAsyncIterable(Flux.range(0, N))) {
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
}
