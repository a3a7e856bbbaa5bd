package io.aiobridge.tck;

import java.util.concurrent.Flow;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK for every publisher factory of the bridge, in both flavours, on an
 * explicit loop and on the shared default loops. Named {@code *Tck} so Surefire does not run them
 * directly: {@link TckSuiteTest} launches them and checks how many TCK tests ran.
 */
final class PublisherTcks {
    private PublisherTcks() {}

    static final long TIMEOUT_MS = 300;
    static final long NO_SIGNAL_MS = 50;

    static TestEnvironment env() {
        return new TestEnvironment(TIMEOUT_MS, NO_SIGNAL_MS);
    }

    // ---- generator -> Publisher ----------------------------------------------------------------

    public static class GeneratorExplicitLoopTck extends PublisherVerification<Long> {
        public GeneratorExplicitLoopTck() {
            super(env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return Sources.on(Sources.generator(elements), true);
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return Sources.on(Sources.failingGenerator(), true);
        }
    }

    public static class GeneratorDefaultLoopTck extends PublisherVerification<Long> {
        public GeneratorDefaultLoopTck() {
            super(env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return Sources.generator(elements);
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return Sources.failingGenerator();
        }
    }

    public static class GeneratorFlowExplicitLoopTck extends FlowPublisherVerification<Long> {
        public GeneratorFlowExplicitLoopTck() {
            super(env());
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return Sources.on(Sources.generator(elements), true).toFlow();
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return Sources.on(Sources.failingGenerator(), true).toFlow();
        }
    }

    public static class GeneratorFlowDefaultLoopTck extends FlowPublisherVerification<Long> {
        public GeneratorFlowDefaultLoopTck() {
            super(env());
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return Sources.generator(elements).toFlow();
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return Sources.failingGenerator().toFlow();
        }
    }

    // ---- async iterable -> Publisher -----------------------------------------------------------

    public static class IterableExplicitLoopTck extends PublisherVerification<Long> {
        public IterableExplicitLoopTck() {
            super(env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return Sources.on(Sources.iterable(elements), true);
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return Sources.on(Sources.failingIterable(), true);
        }
    }

    public static class IterableFlowDefaultLoopTck extends FlowPublisherVerification<Long> {
        public IterableFlowDefaultLoopTck() {
            super(env());
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return Sources.iterable(elements).toFlow();
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return Sources.failingIterable().toFlow();
        }
    }

    // ---- coroutine / future -> Publisher (0 or 1 element) --------------------------------------

    public static class CoroutineExplicitLoopTck extends PublisherVerification<Long> {
        public CoroutineExplicitLoopTck() {
            super(env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return Sources.on(Sources.coroutine(elements), true);
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return Sources.on(Sources.failingCoroutine(), true);
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1;
        }
    }

    public static class CoroutineFlowDefaultLoopTck extends FlowPublisherVerification<Long> {
        public CoroutineFlowDefaultLoopTck() {
            super(env());
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return Sources.coroutine(elements).toFlow();
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return Sources.failingCoroutine().toFlow();
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1;
        }
    }

    // ---- future -> Publisher (0 or 1 element, always on the future's loop) ---------------------

    public static class FutureTck extends PublisherVerification<Long> {
        public FutureTck() {
            super(env());
        }

        @Override
        public Publisher<Long> createPublisher(long elements) {
            return Sources.future(elements);
        }

        @Override
        public Publisher<Long> createFailedPublisher() {
            return Sources.failingFuture();
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1;
        }
    }

    public static class FutureFlowTck extends FlowPublisherVerification<Long> {
        public FutureFlowTck() {
            super(env());
        }

        @Override
        public Flow.Publisher<Long> createFlowPublisher(long elements) {
            return Sources.future(elements).toFlow();
        }

        @Override
        public Flow.Publisher<Long> createFailedFlowPublisher() {
            return Sources.failingFuture().toFlow();
        }

        @Override
        public long maxElementsFromPublisher() {
            return 1;
        }
    }
}
