package io.aiobridge.testing;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Assertions;
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

    /**
     * kotlinx's {@code cancelAndJoin} loop: {@code repeats} times, starts {@code consume} as a
     * task on {@code loop}, cancels it from this thread at once, and waits for its end. Then,
     * once the executor has run every {@code onSubscribe} still queued, checks that no {@code
     * request} and {@code cancel} overlapped and that every subscription was cancelled (one that
     * arrived after its task ended is cancelled on arrival; a task cancelled before it ran never
     * subscribed).
     *
     * @param loop where the tasks run
     * @param consume what each task does with this source; never completes on its own unless the
     *     source is wrapped into something that takes one value
     * @param repeats how many tasks
     * @param round names the round in the failure messages
     * @return how each task ended: "value " and its result, or "cancelled"
     * @throws Exception if a task does not end within 10 s
     */
    public List<String> cancelEach(EventLoop loop, Coroutine<?> consume, int repeats,
            String round) throws Exception {
        List<String> ends = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            Task<?> job = Aio.runCoroutineThreadsafe(() -> Aio.createTask(consume), loop)
                    .get(10, TimeUnit.SECONDS);
            loop.callSoonThreadsafe(job::cancel); // cancelAndJoin
            ends.add(Aio.runCoroutineThreadsafe(() -> {
                try {
                    return "value " + job.await();
                } catch (CancelledError e) {
                    return "cancelled";
                }
            }, loop).get(10, TimeUnit.SECONDS));
        }
        if (onSubscribeFrom instanceof ExecutorService queued) {
            queued.submit(() -> { }).get(10, TimeUnit.SECONDS); // late onSubscribes ran
        }
        Assertions.assertEquals(0, overlaps.get(), "request and cancel overlapped, " + round);
        Assertions.assertEquals(subscriptions.get(), cancelled.get(),
                "subscriptions never cancelled, " + round);
        return ends;
    }

    /** One round of {@link #rounds}. */
    @FunctionalInterface
    public interface Round {
        /**
         * Runs the round.
         *
         * @param name "await", "await, foreign" or "iterate, foreign"
         * @param source a fresh source; in the foreign rounds {@code onSubscribe} comes from a
         *     thread of the publisher's
         * @throws Exception if the round fails
         */
        void run(String name, SerialCheckPublisher source) throws Exception;
    }

    /**
     * The rounds kotlinx's {@code MonoAwaitCancellationStressTest} port runs for each bridge: an
     * await with {@code onSubscribe} on the subscribing thread, then an await and an iteration
     * with it on one thread of the publisher's, each round on a fresh source.
     *
     * @param round what each round does with its source
     * @throws Exception if a round fails
     */
    public static void rounds(Round round) throws Exception {
        ExecutorService publisherThread = Executors.newSingleThreadExecutor();
        try {
            for (String name : List.of("await", "await, foreign", "iterate, foreign")) {
                round.run(name, new SerialCheckPublisher(
                        name.endsWith("foreign") ? publisherThread : null));
            }
        } finally {
            publisherThread.shutdown();
        }
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
