package io.aiobridge.rxjava;

import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Where a task consumes an RxJava source ({@link RxAwait}, {@link RxIterate}): an error the
 * source signals after the task cancelled (the awaiting task was cancelled, {@code awaitFirst}
 * had its item, the iteration was left; rule 3.6 allows it) goes to {@code
 * RxJavaPlugins.onError}, as RxJava's own consumers send an error they can no longer deliver,
 * instead of the loop's exception handler, where the core sends it for a plain publisher. A
 * cancellation signalled back is what the cancel asked for and goes nowhere.
 */
final class TaskEdge {
    private TaskEdge() {}

    static <T> Publisher<T> flowable(Flowable<T> source) {
        Objects.requireNonNull(source, "flowable is null");
        return subscriber -> source.subscribe(new DropAfterCancel<>(subscriber));
    }

    /**
     * The core's subscriber as a {@code FlowableSubscriber}; passes every signal on, except an
     * error after the downstream's cancel. RxJava puts a {@code StrictSubscriber} in front of any
     * other subscriber, and that one passes on at {@code onSubscribe} the demand requested so
     * far, on the publisher's thread, outside the subscriber's own serialization of {@code
     * request} and {@code cancel} (rule 2.7). The core's subscribers keep the rules {@code
     * StrictSubscriber} enforces: they request only positive amounts and call the subscription
     * serially.
     */
    private static final class DropAfterCancel<T> implements FlowableSubscriber<T>, Subscription {
        private final Subscriber<? super T> downstream;
        private Subscription upstream;
        private volatile boolean cancelled;

        DropAfterCancel(Subscriber<? super T> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            downstream.onSubscribe(this);
        }

        @Override
        public void onNext(T item) {
            downstream.onNext(item);
        }

        @Override
        public void onError(Throwable error) {
            if (cancelled && error != null) {
                if (!(error instanceof CancellationException)) {
                    RxJavaPlugins.onError(error);
                }
                return;
            }
            downstream.onError(error);
        }

        @Override
        public void onComplete() {
            downstream.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
            upstream.cancel();
        }
    }
}
