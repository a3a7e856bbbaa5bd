package io.aiobridge.flow;

import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.Task;
import io.aiobridge.flow.AwaitingSubscriber.Mode;
import io.aiobridge.testing.ThreadedPublishers;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The awaiting side's discard hook ({@link FlowAwait#await(Publisher, Mode, Object, Consumer)}):
 * every item an await received is either returned or handed to the hook, as Reactor's {@code
 * then()}, {@code single()} and {@code last()} hand theirs to {@code doOnDiscard}.
 */
class AwaitDiscardTest {

    @Test
    void completionDiscardsEachItemAndLastEachOneItReplaces() {
        List<Integer> discarded = new ArrayList<>();
        virtual(() -> {
            assertNull(FlowAwait.await(items(1, 2, 3), Mode.COMPLETION, null, discarded::add));
            assertEquals(List.of(1, 2, 3), discarded);
            discarded.clear();

            assertEquals(3, FlowAwait.await(items(1, 2, 3), Mode.LAST, null, discarded::add));
            assertEquals(List.of(1, 2), discarded);
            discarded.clear();

            assertEquals(7, FlowAwait.await(items(7), Mode.SINGLE_OR_DEFAULT, 0, discarded::add));
            assertEquals(0, FlowAwait.await(items(), Mode.SINGLE_OR_DEFAULT, 0, discarded::add));
            assertEquals(1, FlowAwait.await(items(1), Mode.FIRST, null, discarded::add));
            assertEquals(List.of(), discarded, "a returned item or a default is not discarded");
            return null;
        });
    }

    @Test
    void aSecondItemDiscardsBothAsReactorsSingleDoesAndWhatFollowsTheCancelToo() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            for (Mode mode : new Mode[] {Mode.SINGLE, Mode.SINGLE_OR_DEFAULT}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> FlowAwait.await(items(1, 2), mode, null, discarded::add));
                assertTrue(e.getMessage().endsWith("the publisher emitted more than one item"),
                        e.getMessage());
                assertEquals(List.of(2, 1), discarded, mode.toString());
                discarded.clear();

                // the cancel reaches a publisher inside its request at once, so one that heeds
                // it stops there, as Reactor's range under single() does
                assertThrows(IllegalArgumentException.class,
                        () -> FlowAwait.await(items(1, 2, 3), mode, null, discarded::add));
                assertEquals(List.of(2, 1), discarded, mode.toString());
                discarded.clear();

                // one that does not heed it sends 3 anyway: it goes to the hook as well, and is
                // no violation (rule 1.8: items may still come after a cancel)
                assertThrows(IllegalArgumentException.class,
                        () -> FlowAwait.await(broken(1, 2, 3), mode, null, discarded::add));
                assertEquals(List.of(2, 1, 3), discarded, mode.toString());
                discarded.clear();
            }
            Aio.sleep(0);
            return null;
        });
        assertEquals(List.of(), reported);
    }

    @Test
    void theHeldItemGoesAtAnErrorAndAtTheTasksCancelAndLaterItemsFollowIt() {
        List<Integer> discarded = new CopyOnWriteArrayList<>();
        virtual(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            assertEquals(boom, assertThrows(IllegalStateException.class,
                    () -> FlowAwait.await(failing(boom, 1), Mode.SINGLE, null, discarded::add)));
            assertEquals(List.of(1), discarded);
            discarded.clear();

            Manual<Integer> source = new Manual<>();
            Task<Integer> awaiting = Aio.createTask(
                    () -> FlowAwait.await(source, Mode.LAST, null, discarded::add));
            Aio.sleep(0);
            source.subscriber.onNext(1);
            source.subscriber.onNext(2);
            assertEquals(List.of(1), discarded, "2 is held");
            awaiting.cancel();
            assertThrows(CancelledError.class, awaiting::await);
            assertTrue(source.cancelled.get());
            assertEquals(List.of(1, 2), discarded, "the cancel took the held item");
            source.subscriber.onNext(3); // rule 3.6 lets a publisher signal after a cancel
            source.subscriber.onComplete();
            Aio.sleep(0);
            assertEquals(List.of(1, 2, 3), discarded);
            return null;
        });
    }

    @Test
    void aValueThatArrivesForACancelledTaskIsDiscardedNotLost() {
        List<String> discarded = new CopyOnWriteArrayList<>();
        virtual(() -> {
            // the value lands, and the task is cancelled before the loop hands it over
            Manual<String> source = new Manual<>();
            Task<String> awaiting = Aio.createTask(() -> FlowAwait.await(source,
                    Mode.SINGLE_OR_DEFAULT, null, discarded::add));
            Aio.sleep(0);
            source.subscriber.onNext("value");
            source.subscriber.onComplete();
            awaiting.cancel();
            assertThrows(CancelledError.class, awaiting::await);
            Aio.sleep(0);
            assertEquals(List.of("value"), discarded);
            discarded.clear();

            // a future cancelled before its Mono answers: the answer is discarded
            Manual<String> late = new Manual<>();
            AsyncFuture<String> future = FlowAwait.future(late, null, discarded::add);
            Aio.sleep(0);
            future.cancel();
            Aio.sleep(0);
            assertTrue(late.cancelled.get());
            late.subscriber.onNext("late");
            late.subscriber.onComplete();
            Aio.sleep(0);
            assertEquals(List.of("late"), discarded);
            return null;
        });
    }

    @Test
    void itemsABrokenPublisherSendsBeyondTheDemandAreReportedAndDiscarded() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            // awaitFirst requests one item; this publisher ignores the demand
            assertEquals(1, FlowAwait.await(broken(1, 2, 3), Mode.FIRST, null, discarded::add));
            Aio.sleep(0);
            return null;
        });
        assertEquals(List.of(2, 3), discarded);
        assertEquals(2, reported.size(), reported.toString());
        assertTrue(reported.get(0).message().contains("§1.1 violated"), reported.toString());
    }

    @Test
    void aHookThatThrowsIsReportedOnceAndTheAwaitGoesOn() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        Consumer<Integer> hook = i -> {
            discarded.add(i);
            if (i == 2) {
                throw new IllegalStateException("cannot release " + i);
            }
        };
        virtual(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> reported.add(c));
            assertEquals(4, FlowAwait.await(items(1, 2, 3, 4), Mode.LAST, null, hook));
            Aio.sleep(0);
            return null;
        });
        assertEquals(List.of(1, 2, 3), discarded);
        assertEquals(1, reported.size(), reported.toString());
        assertEquals("cannot release 2", reported.get(0).exception().getMessage());
        assertTrue(reported.get(0).message().startsWith("the discard hook of awaitLast() threw"),
                reported.get(0).message());
    }

    @Test
    void withoutAHookTheAwaitsDropAsBeforeAndMisuseIsRefused() {
        virtual(() -> {
            assertEquals(3, FlowAwait.await(items(1, 2, 3), Mode.LAST, null, null));
            assertThrows(NoSuchElementException.class,
                    () -> FlowAwait.await(items(), Mode.SINGLE, null, null));
            assertEquals("mode is null", assertThrows(NullPointerException.class,
                    () -> FlowAwait.await(items(1), null, null, null)).getMessage());
            assertEquals("publisher is null", assertThrows(NullPointerException.class,
                    () -> FlowAwait.await((Publisher<Integer>) null, Mode.LAST, null, null)).getMessage());
            return null;
        });
        assertTrue(assertThrows(IllegalStateException.class,
                () -> FlowAwait.await(items(1), Mode.LAST, null, null)).getMessage()
                .contains("awaitLast()"), "outside a task, the mode's function is named");
    }

    /**
     * A publisher on its own thread emits while the awaiting task is cancelled at a random
     * moment, and completes after a random count: whatever the order, what the await returned
     * plus what the hook got is exactly what was emitted.
     */
    @Test
    void returnedPlusDiscardedIsEverythingEmittedWhenTheCancelRacesTheItems() {
        Random random = new Random(7);
        for (int round = 0; round < 1000; round++) {
            int completeAfter = random.nextInt(60);
            int yields = random.nextInt(30);
            Mode mode = random.nextBoolean() ? Mode.LAST : Mode.COMPLETION;
            AtomicLong emitted = new AtomicLong();
            AtomicLong discarded = new AtomicLong();
            long[] returned = new long[1];
            Publisher<Integer> source = ThreadedPublishers.counting(emitted, completeAfter);
            Aio.run(() -> {
                Task<Integer> awaiting = Aio.createTask(() -> FlowAwait.await(source, mode, null,
                        i -> discarded.incrementAndGet()));
                for (int i = 0; i < yields; i++) {
                    Aio.sleep(0);
                }
                awaiting.cancel();
                try {
                    if (awaiting.await() != null) {
                        returned[0]++;
                    }
                } catch (CancelledError | NoSuchElementException expected) {
                    // cancelled in time, or completed empty
                }
                return null;
            });
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (returned[0] + discarded.get() != emitted.get()
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the publisher's thread may still be landing its last item
            }
            assertEquals(emitted.get(), returned[0] + discarded.get(), "round " + round + " "
                    + mode + ": returned " + returned[0] + ", discarded " + discarded.get());
        }
    }

    /** Emits the items at the first request, whatever the demand, until cancelled. */
    private static Publisher<Integer> items(Integer... items) {
        return emitting(true, items);
    }

    /** Emits the items at the first request, heeding neither the demand nor a cancel. */
    private static Publisher<Integer> broken(Integer... items) {
        return emitting(false, items);
    }

    private static Publisher<Integer> emitting(boolean heedCancel, Integer... items) {
        return s -> s.onSubscribe(new Subscription() {
            private boolean sent;
            private boolean cancelled;

            @Override
            public void request(long n) {
                if (sent) {
                    return;
                }
                sent = true;
                for (Integer item : items) {
                    if (cancelled && heedCancel) {
                        return;
                    }
                    s.onNext(item);
                }
                s.onComplete();
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        });
    }

    /** Emits {@code items}, then fails with {@code error}. */
    private static Publisher<Integer> failing(Throwable error, Integer... items) {
        return s -> s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                for (Integer item : items) {
                    s.onNext(item);
                }
                s.onError(error);
            }

            @Override
            public void cancel() {}
        });
    }

    /** A publisher whose signals the test sends by hand, to the subscriber it keeps. */
    private static final class Manual<T> implements Publisher<T> {
        Subscriber<? super T> subscriber;
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void subscribe(Subscriber<? super T> s) {
            subscriber = s;
            s.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
        }
    }
}
