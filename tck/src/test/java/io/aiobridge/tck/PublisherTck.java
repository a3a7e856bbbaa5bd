package io.aiobridge.tck;

import java.util.concurrent.Flow;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The shared base of every publisher TCK suite: a factory of publishers with a given number of
 * items, a factory of a failing one, and the most items the publisher can produce (one for a
 * Mono-like source). Each suite is a one-line subclass that names its factories, in {@link
 * PublisherTcks}, {@link ReactorTcks} and {@link RxJavaTcks}. Named {@code *Tck} so Surefire does
 * not run them directly: {@link TckSuiteTest} launches them and checks how many TCK tests ran.
 */
abstract class PublisherTck extends PublisherVerification<Long> {
    static final long TIMEOUT_MS = 300;
    static final long NO_SIGNAL_MS = 50;

    private final LongFunction<? extends Publisher<Long>> publisher;
    private final Supplier<? extends Publisher<Long>> failing;
    private final long maxElements;

    PublisherTck(LongFunction<? extends Publisher<Long>> publisher,
            Supplier<? extends Publisher<Long>> failing, long maxElements) {
        super(new TestEnvironment(TIMEOUT_MS, NO_SIGNAL_MS));
        this.publisher = publisher;
        this.failing = failing;
        this.maxElements = maxElements;
    }

    PublisherTck(LongFunction<? extends Publisher<Long>> publisher,
            Supplier<? extends Publisher<Long>> failing) {
        this(publisher, failing, Long.MAX_VALUE - 1);
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return publisher.apply(elements);
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return failing.get();
    }

    @Override
    public long maxElementsFromPublisher() {
        return maxElements;
    }

    /** The same factories, verified as {@link Flow.Publisher}s (through {@link FlowAdapters}). */
    abstract static class Flavour extends FlowPublisherVerification<Long> {
        private final LongFunction<? extends Publisher<Long>> publisher;
        private final Supplier<? extends Publisher<Long>> failing;
        private final long maxElements;

        Flavour(LongFunction<? extends Publisher<Long>> publisher,
                Supplier<? extends Publisher<Long>> failing, long maxElements) {
            super(new TestEnvironment(TIMEOUT_MS, NO_SIGNAL_MS));
            this.publisher = publisher;
            this.failing = failing;
            this.maxElements = maxElements;
        }

        Flavour(LongFunction<? extends Publisher<Long>> publisher,
                Supplier<? extends Publisher<Long>> failing) {
            this(publisher, failing, Long.MAX_VALUE - 1);
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return FlowAdapters.toFlowPublisher(publisher.apply(elements));
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return FlowAdapters.toFlowPublisher(failing.get());
        }

        @Override
        public long maxElementsFromPublisher() {
            return maxElements;
        }
    }
}
