package io.aiobridge.tck;

import io.aiobridge.reactor.ReactorPublish;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;

/** The TCK for the Flux and Mono that bridge-reactor creates. */
final class ReactorTcks {
    private ReactorTcks() {}

    public static class GeneratorFluxTck extends PublisherVerification<Long> {
        public GeneratorFluxTck() {
            super(PublisherTcks.env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return ReactorPublish.flux(y -> {
                for (long i = 0; i < elements || elements == Long.MAX_VALUE; i++) {
                    y.yield(i);
                }
            });
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return ReactorPublish.<Long>flux(y -> {
                throw new IllegalStateException("the generator fails at once (TCK)");
            });
        }
    }

    public static class CoroutineMonoTck extends PublisherVerification<Long> {
        public CoroutineMonoTck() {
            super(PublisherTcks.env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return ReactorPublish.mono(() -> elements == 0 ? null : 0L);
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return ReactorPublish.<Long>mono(() -> {
                throw new IllegalStateException("the coroutine fails (TCK)");
            });
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1;
        }
    }
}
