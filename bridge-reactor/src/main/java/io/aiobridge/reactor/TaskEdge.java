package io.aiobridge.reactor;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Where a task consumes a Reactor source ({@link ReactorAwait}, {@link ReactorIterate}): the
 * task's context goes upstream ({@link ReactorContexts#writeTaskVars}), and an error the source
 * signals after the task cancelled (the awaiting task was cancelled, {@code awaitFirst} had its
 * item, the iteration was left; rule 3.6 allows it) goes to {@code Hooks.onErrorDropped} with
 * that context, as Reactor's own subscribers send theirs, instead of the loop's exception
 * handler, where the core sends it for a plain publisher. A cancellation signalled back is what
 * the cancel asked for and goes nowhere.
 *
 * <p>The core's subscriber is handed to the source through a {@code CoreSubscriber} of ours.
 * Reactor puts a {@code StrictSubscriber} in front of any other subscriber, and that one passes
 * on at {@code onSubscribe} the demand requested so far, on the publisher's thread, outside the
 * subscriber's own serialization of {@code request} and {@code cancel}: a task cancelled
 * meanwhile cancelled on the loop while the source was inside that {@code request} (rule 2.7;
 * kotlinx's MonoAwaitCancellationStressTest). The core's subscribers already keep the rules
 * {@code StrictSubscriber} enforces: they request only positive amounts and call the
 * subscription serially.
 */
final class TaskEdge {
    private TaskEdge() {}

    static <T> Publisher<T> flux(Publisher<T> source) {
        Flux<T> flux = Flux.from(Objects.requireNonNull(source, "publisher is null"));
        return subscriber -> flux.subscribe(new DropAfterCancel<>(subscriber));
    }

    static <T> Publisher<T> mono(Mono<T> source) {
        Objects.requireNonNull(source, "mono is null");
        return subscriber -> source.subscribe(new DropAfterCancel<>(subscriber));
    }

    /**
     * The core's subscriber as a {@code CoreSubscriber} whose Context is the subscribing task's
     * (read at subscription, on the task's thread); passes every signal on, except an error after
     * the downstream's cancel.
     */
    private static final class DropAfterCancel<T> implements CoreSubscriber<T>, Subscription {
        private final Subscriber<? super T> downstream;
        private final Context context = ReactorContexts.writeTaskVars(Context.empty());
        private Subscription upstream;
        private volatile boolean cancelled;

        DropAfterCancel(Subscriber<? super T> downstream) {
            this.downstream = downstream;
        }

        @Override
        public Context currentContext() {
            return context;
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
                    Operators.onErrorDropped(error, context);
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
