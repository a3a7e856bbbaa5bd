package io.aiobridge.testing;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * kotlinx's MonoAwaitCancellationStressTest source: each subscription sends 42 on every {@code
 * request} and never completes, and its {@code request} and {@code cancel} each take a lock with
 * {@code tryLock}, so a call that overlaps another from a different thread (rule 2.7: the
 * subscriber must call them serially) is counted instead of run. With an executor, {@code
 * onSubscribe} is called from it, so the subscriber's first request runs on the publisher's
 * thread while a cancellation may come from another.
 */
public final class SerialCheckPublisher implements Publisher<Integer> {
    private final Executor onSubscribeFrom;
    /** Calls of request or cancel that overlapped another. */
    public final AtomicInteger overlaps = new AtomicInteger();
    /** Subscriptions made. */
    public final AtomicInteger subscriptions = new AtomicInteger();
    /** Subscriptions cancelled, each counted once however often it was cancelled. */
    public final AtomicInteger cancelled = new AtomicInteger();

    /**
     * A source.
     *
     * @param onSubscribeFrom where {@code onSubscribe} is called, or null for the subscribing
     *     thread
     */
    public SerialCheckPublisher(Executor onSubscribeFrom) {
        this.onSubscribeFrom = onSubscribeFrom;
    }

    @Override
    public void subscribe(Subscriber<? super Integer> s) {
        subscriptions.incrementAndGet();
        ReentrantLock lock = new ReentrantLock();
        AtomicBoolean done = new AtomicBoolean();
        Subscription subscription = new Subscription() {
            @Override
            public void request(long n) {
                if (!lock.tryLock()) {
                    overlaps.incrementAndGet();
                    return;
                }
                try {
                    s.onNext(42);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void cancel() {
                if (!lock.tryLock()) {
                    overlaps.incrementAndGet();
                    return;
                }
                if (!done.getAndSet(true)) {
                    cancelled.incrementAndGet(); // a repeated cancel is a no-op (rule 3.7)
                }
                lock.unlock();
            }
        };
        if (onSubscribeFrom == null) {
            s.onSubscribe(subscription);
        } else {
            onSubscribeFrom.execute(() -> s.onSubscribe(subscription));
        }
    }
}
