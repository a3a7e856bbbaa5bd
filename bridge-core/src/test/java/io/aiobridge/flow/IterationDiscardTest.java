package io.aiobridge.flow;

import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.ErrorContext;
import io.aiobridge.Task;
import io.aiobridge.testing.ThreadedPublishers;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

/**
 * The consuming side's discard hook: every item an iteration received is either read by the
 * task or handed to the hook, never silently dropped (Reactor's operators discard what they
 * queued the same way, which is how Spring releases pooled buffers).
 */
class IterationDiscardTest {

    @Test
    void itemsReadAheadWhenTheTaskLeavesTheLoopGoToTheHook() {
        List<Integer> read = new ArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        virtual(() -> {
            for (int i : FlowIterate.toAsyncIterable(range(100), 8, 0.75, discarded::add)) {
                read.add(i);
                if (i == 1) {
                    break;
                }
            }
            return null;
        });
        assertEquals(List.of(0, 1), read);
        assertEquals(List.of(2, 3, 4, 5, 6, 7), discarded, "the rest of the prefetch");
    }

    @Test
    void aCancelledTaskAndAFailingBodyLeaveNothingBehindEither() {
        List<Integer> discarded = new CopyOnWriteArrayList<>();
        virtual(() -> {
            Task<Void> reader = Aio.createTask(() -> {
                for (int i : FlowIterate.toAsyncIterable(range(3), 8, 0.75, discarded::add)) {
                    Aio.sleep(10); // cancelled here, holding 1 and 2
                }
                return null;
            });
            Aio.sleep(1);
            reader.cancel();
            Aio.sleep(1);
            assertEquals(List.of(1, 2), discarded);
            discarded.clear();

            // the iteration is closed when its task ends: Java's for-each cannot say it was left
            Task<Void> failing = Aio.createTask(() -> {
                for (int i : FlowIterate.toAsyncIterable(range(5), 4, 0.75, discarded::add)) {
                    throw new IllegalStateException("body failed on " + i);
                }
                return null;
            });
            assertThrows(IllegalStateException.class, failing::await);
            assertEquals(List.of(1, 2, 3), discarded);
            return null;
        });
    }

    @Test
    void eachOverflowStrategyHandsWhatItDropsToTheHook() {
        virtual(() -> {
            Map<Overflow, List<List<Integer>>> readAndDiscarded = new EnumMap<>(Overflow.class);
            for (Overflow overflow : Overflow.values()) {
                List<Integer> read = new ArrayList<>();
                List<Integer> discarded = new ArrayList<>();
                try {
                    for (int i : FlowIterate.toAsyncIterable(burst(5), 2, overflow,
                            discarded::add)) {
                        read.add(i);
                    }
                } catch (OverflowException expected) {
                    read.add(-1);
                }
                readAndDiscarded.put(overflow, List.of(read, discarded));
            }
            // ERROR: the item that overflowed, and what came after the cancel
            assertEquals(List.of(List.of(0, 1, -1), List.of(2, 3, 4)),
                    readAndDiscarded.get(Overflow.ERROR));
            assertEquals(List.of(List.of(3, 4), List.of(0, 1, 2)),
                    readAndDiscarded.get(Overflow.DROP_OLDEST));
            assertEquals(List.of(List.of(0, 1), List.of(2, 3, 4)),
                    readAndDiscarded.get(Overflow.DROP_LATEST));
            return null;
        });
    }

    @Test
    void aHookThatThrowsIsReportedAndTheOtherItemsStillReachIt() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        Consumer<Integer> hook = i -> {
            discarded.add(i);
            if (i == 3) {
                throw new IllegalStateException("cannot release " + i);
            }
        };
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            Aio.createTask(() -> {
                for (int i : FlowIterate.toAsyncIterable(range(10), 6, 0.75, hook)) {
                    break;
                }
                return null;
            }).await();
            Aio.sleep(0.01);
            return null;
        });
        assertEquals(List.of(1, 2, 3, 4, 5), discarded);
        assertEquals(1, reported.size(), reported.toString());
        assertEquals("cannot release 3", reported.get(0).exception().getMessage());
        assertTrue(reported.get(0).message().startsWith("the discard hook of an iteration threw"),
                reported.get(0).message());
    }

    @Test
    void withoutAHookNothingChangesAndANullHookIsRefused() {
        virtual(() -> {
            int sum = 0;
            for (int i : FlowIterate.toAsyncIterable(range(10), 4, 0.75)) {
                sum += i;
            }
            assertEquals(45, sum);
            return null;
        });
        assertEquals("onDiscard is null", assertThrows(NullPointerException.class,
                () -> FlowIterate.toAsyncIterable(range(1), 4, 0.75, null)).getMessage());
        assertEquals("onDiscard is null", assertThrows(NullPointerException.class,
                () -> FlowIterate.toAsyncIterable(range(1), 4, Overflow.ERROR, null))
                .getMessage());
    }

    /**
     * A publisher on its own thread keeps emitting while the task leaves at a random item: what
     * the task read plus what the hook got is exactly what was emitted, whoever empties the
     * ring (the task leaving, or the publisher landing an item just after).
     */
    @Test
    void readPlusDiscardedIsEverythingEmittedWhenTheTaskLeavesDuringABurst() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            int leaveAt = random.nextInt(40);
            boolean buffered = random.nextBoolean();
            AtomicLong emitted = new AtomicLong();
            AtomicLong discarded = new AtomicLong();
            long[] read = new long[1];
            Publisher<Integer> source = ThreadedPublishers.counting(emitted, -1);
            AsyncIterable<Integer> it = buffered
                    ? FlowIterate.toAsyncIterable(source, 16, Overflow.DROP_LATEST,
                            i -> discarded.incrementAndGet())
                    : FlowIterate.toAsyncIterable(source, 16, 0.75,
                            i -> discarded.incrementAndGet());
            Aio.run(() -> {
                for (int i : it) {
                    if (++read[0] > leaveAt) { // by count: DROP_LATEST may drop any given item
                        break;
                    }
                }
                return null;
            });
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (read[0] + discarded.get() != emitted.get() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the publisher's thread may still be landing its last item
            }
            assertEquals(emitted.get(), read[0] + discarded.get(),
                    "round " + round + (buffered ? " buffered" : " prefetching") + ": read "
                            + read[0] + ", discarded " + discarded.get());
        }
    }

    @Test
    void aCancelPendingAtTheFirstStepOfAHandSubscribedIterationStillEndsItWithTheTask() {
        List<Integer> read = new ArrayList<>();
        virtual(() -> {
            IteratorSubscriber<Integer> bySomeoneElse =
                    FlowIterate.subscriber(Aio.getRunningLoop(), 4, 0.75);
            range(100).subscribe(bySomeoneElse); // 0..3 arrive at once
            Task<Void> reader = Aio.createTask(() -> {
                Aio.currentTask().cancel(); // pending: this task has not suspended yet
                for (int i : bySomeoneElse) {
                    read.add(i);
                }
                return null;
            });
            assertThrows(io.aiobridge.CancelledError.class, reader::await);
            // the first step raised the cancel after taking the iteration, so it ended with its
            // task instead of staying subscribed with nobody to end it
            assertEquals(List.of(), read);
            assertThrows(io.aiobridge.StopAsyncIteration.class,
                    () -> bySomeoneElse.anext().await(), "closed with its task");
            return null;
        });
    }

    /** Emits 0..n-1 on the requesting thread, as demand allows, and stops when cancelled. */
    private static Publisher<Integer> range(int n) {
        return s -> s.onSubscribe(new Subscription() {
            private long demand;
            private int next;
            private boolean emitting;
            private boolean cancelled;

            @Override
            public void request(long k) {
                demand += k;
                if (emitting) {
                    return;
                }
                emitting = true;
                while (demand > 0 && next < n && !cancelled) {
                    demand--;
                    s.onNext(next++);
                }
                if (next == n && !cancelled) {
                    cancelled = true;
                    s.onComplete();
                }
                emitting = false;
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        });
    }

    /** Emits 0..n-1 at the first request, without looking at the demand or a cancel. */
    private static Publisher<Integer> burst(int n) {
        return s -> s.onSubscribe(new Subscription() {
            private boolean sent;

            @Override
            public void request(long k) {
                if (!sent) {
                    sent = true;
                    for (int i = 0; i < n; i++) {
                        s.onNext(i);
                    }
                    s.onComplete();
                }
            }

            @Override
            public void cancel() {}
        });
    }
}
