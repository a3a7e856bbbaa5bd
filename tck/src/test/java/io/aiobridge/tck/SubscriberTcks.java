package io.aiobridge.tck;

import io.aiobridge.Aio;
import io.aiobridge.flow.IteratorSubscriber;
import io.aiobridge.flow.Publishers;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/** Blackbox verification of the subscriber behind Publishers.toAsyncIterable. */
final class SubscriberTcks {
    private SubscriberTcks() {}

    /** A subscriber iterated to the end by a task of the explicit loop. */
    static <T> IteratorSubscriber<T> drained() {
        IteratorSubscriber<T> s = Publishers.subscriber(Sources.EXPLICIT, 4, 0.75);
        Aio.runCoroutineThreadsafe(() -> {
            for (T ignored : s) {
                Aio.sleep(0);
            }
            return null;
        }, Sources.EXPLICIT);
        return s;
    }

    public static class IteratorSubscriberBlackboxTck extends SubscriberBlackboxVerification<Integer> {
        public IteratorSubscriberBlackboxTck() {
            super(PublisherTcks.env());
        }

        @Override
        public Subscriber<Integer> createSubscriber() {
            return drained();
        }

        @Override
        public Integer createElement(int element) {
            return element;
        }
    }

    public static class IteratorSubscriberFlowBlackboxTck
            extends FlowSubscriberBlackboxVerification<Integer> {
        public IteratorSubscriberFlowBlackboxTck() {
            super(PublisherTcks.env());
        }

        @Override
        public java.util.concurrent.Flow.Subscriber<Integer> createFlowSubscriber() {
            return org.reactivestreams.FlowAdapters.toFlowSubscriber(drained());
        }

        @Override
        public Integer createElement(int element) {
            return element;
        }
    }
}
