package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.bench.peers.KotlinPeers;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.flow.FlowIterate;
import io.reactivex.rxjava3.core.Flowable;
import java.util.concurrent.CountDownLatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;

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
public class FlowBenchmark extends StreamBenchmark {
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
        return AsyncPublisher.fromGenerator(countToN()).on(loop);
    }

    /** Subscribes a counting subscriber requesting {@code batch} at a time; the item count. */
    static long count(Publisher<Long> source, long batch) throws InterruptedException {
        CountingSubscriber<Long> s = new CountingSubscriber<>(batch);
        source.subscribe(s);
        return s.await();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long generatorPublisherUnbounded() throws InterruptedException {
        return count(generator(), Long.MAX_VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long generatorPublisherRequest256() throws InterruptedException {
        return count(generator(), 256);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxGenerateUnbounded() throws InterruptedException {
        return count(fluxGenerate(), Long.MAX_VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxGenerateRequest256() throws InterruptedException {
        return count(fluxGenerate(), 256);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxCreateUnbounded() throws InterruptedException {
        return count(fluxCreate(), Long.MAX_VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long reactorFluxCreateRequest256() throws InterruptedException {
        return count(fluxCreate(), 256);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long rxFlowableGenerateUnbounded() throws InterruptedException {
        return count(flowableGenerate(), Long.MAX_VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long rxFlowableGenerateRequest256() throws InterruptedException {
        return count(flowableGenerate(), 256);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long kotlinxFluxUnbounded() throws InterruptedException {
        return count(KotlinPeers.fluxBuilder(N), Long.MAX_VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long kotlinxFluxRequest256() throws InterruptedException {
        return count(KotlinPeers.fluxBuilder(N), 256);
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
            for (int v : FlowIterate.toAsyncIterable(Flux.range(0, N))) {
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
