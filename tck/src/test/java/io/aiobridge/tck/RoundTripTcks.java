package io.aiobridge.tck;

import io.aiobridge.AsyncIterable;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.iter.Itertools;
import io.aiobridge.reactor.ReactorIterate;
import io.aiobridge.reactor.ReactorPublish;
import io.aiobridge.rxjava.RxIterate;
import io.aiobridge.rxjava.RxPublish;
import io.reactivex.rxjava3.core.Flowable;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.reactivestreams.Publisher;
import org.reactivestreams.example.unicast.AsyncIterablePublisher;
import org.reactivestreams.example.unicast.InfiniteIncrementNumberPublisher;
import org.reactivestreams.example.unicast.RangePublisher;

/**
 * A foreign publisher iterated by a task and published again: kotlinx-coroutines-reactive's
 * {@code RangePublisherTest}, {@code RangePublisherWrappedTwiceTest}, {@code
 * RangePublisherBufferedTest} and {@code UnboundedIntegerIncrementPublisherTest}, whose sources
 * are the Reactive Streams examples' {@code RangePublisher} (synchronous) and {@code
 * InfiniteIncrementNumberPublisher} (asynchronous, on an executor). This is the README's promise
 * (iterate a Flux with backpressure, return a generator as a Flux), so the republished stream must
 * itself pass the TCK. kotlinx skips rule 3.9 (request(0) and negative demand) and has no failing
 * publisher for the range suites; here both are checked: a failing source's error must come out of
 * the round trip.
 */
final class RoundTripTcks {
    private RoundTripTcks() {}

    /** The asynchronous examples' threads, as kotlinx's fixed pool of 4; daemons. */
    private static final ExecutorService EXAMPLES = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "rs-examples");
        t.setDaemon(true);
        return t;
    });

    /** The range 1..n as the Reactive Streams examples publish it (Integer items, n < 2^31). */
    private static Publisher<Integer> range(long elements) {
        return new RangePublisher(1, (int) Math.min(elements, Integer.MAX_VALUE));
    }

    /** A source that fails at subscription: its iterator cannot be made. */
    private static Publisher<Integer> failing() {
        return new AsyncIterablePublisher<>(() -> {
            throw new IllegalStateException("the source fails (TCK)");
        }, EXAMPLES);
    }

    private static Publisher<Integer> unbounded() {
        return new InfiniteIncrementNumberPublisher(EXAMPLES);
    }

    /** {@code source} iterated (as longs) and published again: kotlinx's asFlow().asPublisher(). */
    static AsyncPublisher<Long> roundTrip(Publisher<Integer> source, int prefetch) {
        AsyncIterable<Integer> items = FlowIterate.toAsyncIterable(source, prefetch,
                FlowIterate.DEFAULT_REPLENISH);
        return AsyncPublisher.fromIterable(Itertools.map(items, Integer::longValue));
    }

    static AsyncPublisher<Long> twice(Publisher<Integer> source) {
        return AsyncPublisher.fromIterable(FlowIterate.toAsyncIterable(
                roundTrip(source, FlowIterate.DEFAULT_PREFETCH)));
    }

    /** The long-hand form a user writes: a generator body that iterates and yields. */
    static Publisher<Long> throughFluxGenerator(Publisher<Integer> source) {
        return ReactorPublish.flux(y -> {
            for (int i : ReactorIterate.iterate(source)) {
                y.yield((long) i);
            }
        });
    }

    static Publisher<Long> throughFlowableGenerator(Publisher<Integer> source) {
        return RxPublish.flowable(y -> {
            for (int i : RxIterate.iterate(Flowable.fromPublisher(source))) {
                y.yield((long) i);
            }
        });
    }

    public static class RangeRoundTripTck extends PublisherTck { public RangeRoundTripTck() { super(n -> roundTrip(range(n), FlowIterate.DEFAULT_PREFETCH), () -> roundTrip(failing(), FlowIterate.DEFAULT_PREFETCH), Integer.MAX_VALUE); } }
    public static class RangeRoundTripTwiceTck extends PublisherTck { public RangeRoundTripTwiceTck() { super(n -> twice(range(n)), () -> twice(failing()), Integer.MAX_VALUE); } }
    public static class RangeRoundTripBufferedTck extends PublisherTck { public RangeRoundTripBufferedTck() { super(n -> roundTrip(range(n), 2), () -> roundTrip(failing(), 2), Integer.MAX_VALUE); } }
    public static class UnboundedRoundTripTck extends PublisherTck { public UnboundedRoundTripTck() { super(n -> roundTrip(unbounded(), FlowIterate.DEFAULT_PREFETCH), () -> roundTrip(failing(), FlowIterate.DEFAULT_PREFETCH), Long.MAX_VALUE); } } // never completes: the TCK's publisherUnableToSignalOnComplete()
    public static class RangeFluxGeneratorTck extends PublisherTck { public RangeFluxGeneratorTck() { super(n -> throughFluxGenerator(range(n)), () -> throughFluxGenerator(failing()), Integer.MAX_VALUE); } }
    public static class RangeFlowableGeneratorTck extends PublisherTck { public RangeFlowableGeneratorTck() { super(n -> throughFlowableGenerator(range(n)), () -> throughFlowableGenerator(failing()), Integer.MAX_VALUE); } }
}
