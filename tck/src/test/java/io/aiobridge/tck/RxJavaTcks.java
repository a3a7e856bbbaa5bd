package io.aiobridge.tck;

import io.aiobridge.iter.AsyncIters;
import io.aiobridge.rxjava.RxPublish;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;

/** The TCK for the Flowables that bridge-rxjava creates. */
final class RxJavaTcks {
    private RxJavaTcks() {}

    public static class GeneratorFlowableTck extends PublisherVerification<Long> {
        public GeneratorFlowableTck() {
            super(PublisherTcks.env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return RxPublish.flowable(y -> {
                for (long i = 0; i < elements || elements == Long.MAX_VALUE; i++) {
                    y.yield(i);
                }
            });
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return RxPublish.<Long>flowable(y -> {
                throw new IllegalStateException("the generator fails at once (TCK)");
            });
        }
    }

    public static class IterableFlowableTck extends PublisherVerification<Long> {
        public IterableFlowableTck() {
            super(PublisherTcks.env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return RxPublish.flowable(elements == Long.MAX_VALUE ? AsyncIters.count(0, 1)
                    : AsyncIters.islice(AsyncIters.count(0, 1), elements));
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return RxPublish.flowable(AsyncIters.<Long, Long>map(AsyncIters.count(0, 1), x -> {
                throw new IllegalStateException("the iterable fails at once (TCK)");
            }));
        }
    }

    /** A coroutine's Maybe seen as a Flowable: 0 or 1 element. */
    public static class CoroutineMaybeFlowableTck extends PublisherVerification<Long> {
        public CoroutineMaybeFlowableTck() {
            super(PublisherTcks.env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return RxPublish.maybe(() -> elements == 0 ? null : 0L).toFlowable();
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return RxPublish.<Long>maybe(() -> {
                throw new IllegalStateException("the coroutine fails (TCK)");
            }).toFlowable();
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1;
        }
    }
}
