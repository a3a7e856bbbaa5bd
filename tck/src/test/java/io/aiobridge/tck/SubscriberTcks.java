package io.aiobridge.tck;

import io.aiobridge.Aio;
import io.aiobridge.flow.AwaitingSubscriber;
import io.aiobridge.flow.FlowAwait;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.flow.IteratorSubscriber;
import java.util.concurrent.Flow;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/** Blackbox verification of the subscriber behind FlowIterate.toAsyncIterable. */
final class SubscriberTcks {
    private SubscriberTcks() {}

    /** A subscriber iterated to the end by a task of the explicit loop. */
    static <T> IteratorSubscriber<T> drained() {
        IteratorSubscriber<T> s = FlowIterate.subscriber(Sources.EXPLICIT, 4, 0.75);
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
            super(new TestEnvironment(PublisherTck.TIMEOUT_MS, PublisherTck.NO_SIGNAL_MS));
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
            super(new TestEnvironment(PublisherTck.TIMEOUT_MS, PublisherTck.NO_SIGNAL_MS));
        }

        @Override
        public Flow.Subscriber<Integer> createFlowSubscriber() {
            return FlowAdapters.toFlowSubscriber(drained());
        }

        @Override
        public Integer createElement(int element) {
            return element;
        }
    }

    /**
     * Whitebox: our subscriber, wrapped so the TCK's probe sees each signal after ours handled
     * it, and can request and cancel through the subscription as a puppet.
     */
    public static class IteratorSubscriberWhiteboxTck
            extends SubscriberWhiteboxVerification<Integer> {
        public IteratorSubscriberWhiteboxTck() {
            super(new TestEnvironment(PublisherTck.TIMEOUT_MS, PublisherTck.NO_SIGNAL_MS));
        }

        @Override
        public Subscriber<Integer> createSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
            IteratorSubscriber<Integer> inner = drained();
            return new Subscriber<Integer>() {
                @Override
                public void onSubscribe(Subscription s) {
                    inner.onSubscribe(s);
                    probe.registerOnSubscribe(new SubscriberPuppet() {
                        @Override
                        public void triggerRequest(long elements) {
                            s.request(elements);
                        }

                        @Override
                        public void signalCancel() {
                            s.cancel();
                        }
                    });
                }

                @Override
                public void onNext(Integer item) {
                    inner.onNext(item);
                    probe.registerOnNext(item);
                }

                @Override
                public void onError(Throwable t) {
                    inner.onError(t);
                    probe.registerOnError(t);
                }

                @Override
                public void onComplete() {
                    inner.onComplete();
                    probe.registerOnComplete();
                }
            };
        }

        @Override
        public Integer createElement(int element) {
            return element;
        }
    }

    /** The subscriber behind FlowAwait.awaitLast (unbounded demand). */
    public static class AwaitLastBlackboxTck extends SubscriberBlackboxVerification<Integer> {
        public AwaitLastBlackboxTck() {
            super(new TestEnvironment(PublisherTck.TIMEOUT_MS, PublisherTck.NO_SIGNAL_MS));
        }

        @Override
        public Subscriber<Integer> createSubscriber() {
            return FlowAwait.awaiting(Sources.EXPLICIT,
                    AwaitingSubscriber.Mode.LAST, null);
        }

        @Override
        public Integer createElement(int element) {
            return element;
        }
    }

    /** The subscriber behind FlowAwait.awaitFirst (requests one, cancels after it). */
    public static class AwaitFirstBlackboxTck extends SubscriberBlackboxVerification<Integer> {
        public AwaitFirstBlackboxTck() {
            super(new TestEnvironment(PublisherTck.TIMEOUT_MS, PublisherTck.NO_SIGNAL_MS));
        }

        @Override
        public Subscriber<Integer> createSubscriber() {
            return FlowAwait.awaiting(Sources.EXPLICIT,
                    AwaitingSubscriber.Mode.FIRST, null);
        }

        @Override
        public Integer createElement(int element) {
            return element;
        }
    }
}
