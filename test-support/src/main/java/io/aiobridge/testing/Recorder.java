package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A subscriber that records every signal as text ("onNext(1)", "onComplete", "onError(X: msg)"),
 * the core's own small TestSubscriber: the bridge's contract tests compare the exact sequence.
 *
 * @param <T> the item type
 */
public class Recorder<T> implements Subscriber<T> {
    /** Every signal, as text, in order. */
    public final List<String> signals = new CopyOnWriteArrayList<>();
    /** The items. */
    public final List<T> items = new CopyOnWriteArrayList<>();
    /** Counted down by the terminal signal. */
    public final CountDownLatch terminated = new CountDownLatch(1);
    /** The subscription, once subscribed. */
    public volatile Subscription subscription;
    /** The error of onError, if any. */
    public volatile Throwable error;
    private final long initialRequest;

    /**
     * A recorder that requests {@code initialRequest} in onSubscribe (0: nothing).
     *
     * @param initialRequest the first request
     */
    public Recorder(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public void onNext(T item) {
        items.add(item);
        signals.add("onNext(" + item + ")");
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        signals.add("onError(" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")");
        terminated.countDown();
    }

    @Override
    public void onComplete() {
        signals.add("onComplete");
        terminated.countDown();
    }

    /**
     * Waits for the terminal signal (10 s at most).
     *
     * @return this
     * @throws InterruptedException if interrupted
     */
    public Recorder<T> awaitTerminal() throws InterruptedException {
        assertTrue(terminated.await(10, TimeUnit.SECONDS), "no terminal signal: " + signals);
        return this;
    }

    /**
     * Waits until {@code n} signals have arrived (or fails after 10 s).
     *
     * @param n how many
     * @return this
     * @throws InterruptedException if interrupted
     */
    public Recorder<T> awaitSignals(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (signals.size() < n) {
            assertTrue(System.nanoTime() < deadline, "only " + signals + ", expected " + n);
            Thread.sleep(1);
        }
        return this;
    }
}
