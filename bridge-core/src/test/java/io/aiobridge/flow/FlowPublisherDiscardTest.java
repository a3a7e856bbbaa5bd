package io.aiobridge.flow;

import static io.aiobridge.testing.Loops.virtual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.flow.AwaitingSubscriber.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.reactivestreams.FlowAdapters;

/**
 * The discard hooks for {@link Flow.Publisher}s (SmallRye Mutiny's {@code Multi} and {@code
 * Uni}, the JDK's {@code SubmissionPublisher} and HTTP client bodies): the same promise as for
 * Reactive Streams publishers, that every item received is either returned or handed to the
 * hook, through the {@code Flow} overloads of {@link FlowAwait} and {@link FlowIterate}.
 */
class FlowPublisherDiscardTest {

    @Test
    void awaitingAFlowPublisherHandsWhatItDoesNotReturnToTheHook() {
        List<Integer> discarded = new ArrayList<>();
        virtual(() -> {
            assertNull(FlowAwait.await(flowOf(1, 2, 3), Mode.COMPLETION, null, discarded::add));
            assertEquals(List.of(1, 2, 3), discarded);
            discarded.clear();

            assertEquals(3, FlowAwait.await(flowOf(1, 2, 3), Mode.LAST, null, discarded::add));
            assertEquals(List.of(1, 2), discarded);
            discarded.clear();

            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                    () -> FlowAwait.future(flowOf(1, 2, 3), null, discarded::add).await());
            assertTrue(tooMany.getMessage().endsWith("the publisher emitted more than one item"),
                    tooMany.getMessage());
            // single()'s order; the cancel reaches the publisher inside its request, at the
            // second item, so 3 never comes
            assertEquals(List.of(2, 1), discarded);
            discarded.clear();

            assertEquals(7, FlowAwait.future(flowOf(7), 0, discarded::add).await());
            assertEquals(0, FlowAwait.await(flowOf(), Mode.SINGLE_OR_DEFAULT, 0, discarded::add));
            assertEquals(List.of(), discarded, "a returned item or a default is not discarded");
            return null;
        });
    }

    @Test
    void aCancelledAwaitOfAFlowPublisherDiscardsTheHeldItemAndWhatFollows() {
        List<String> discarded = new CopyOnWriteArrayList<>();
        virtual(() -> {
            Manual<String> source = new Manual<>();
            Task<String> awaiting = Aio.createTask(
                    () -> FlowAwait.await(source, Mode.LAST, null, discarded::add));
            Aio.sleep(0);
            source.subscriber.get().onNext("a");
            source.subscriber.get().onNext("b");
            assertEquals(List.of("a"), discarded, "b is held");
            awaiting.cancel();
            assertThrows(CancelledError.class, awaiting::await);
            assertTrue(source.cancelled.get());
            assertEquals(List.of("a", "b"), discarded);
            source.subscriber.get().onNext("late"); // allowed after a cancel (rule 3.6)
            Aio.sleep(0);
            assertEquals(List.of("a", "b", "late"), discarded);
            return null;
        });
    }

    @Test
    void aHandMadeAwaitingSubscriberDiscardsAtItsCancelAndOnASubmissionPublisherAsItGoes() {
        List<Integer> discarded = new CopyOnWriteArrayList<>();
        virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            AwaitingSubscriber<Integer> last =
                    FlowAwait.awaiting(loop, Mode.LAST, null, discarded::add);
            try (SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>()) {
                publisher.subscribe(FlowAdapters.toFlowSubscriber(last));
                Thread.ofPlatform().start(() -> {
                    IntStream.rangeClosed(1, 100).forEach(publisher::submit);
                    publisher.close();
                });
                assertEquals(100, last.result().await());
            }
            assertEquals(IntStream.rangeClosed(1, 99).boxed().toList(), discarded);
            discarded.clear();

            Manual<Integer> source = new Manual<>();
            AwaitingSubscriber<Integer> single =
                    FlowAwait.awaiting(loop, Mode.SINGLE_OR_DEFAULT, 0, discarded::add);
            source.subscribe(FlowAdapters.toFlowSubscriber(single));
            source.subscriber.get().onNext(5);
            single.cancel();
            assertTrue(source.cancelled.get());
            assertEquals(List.of(5), discarded, "the cancel took the held item");
            assertTrue(!single.result().isDone(), "a cancel leaves the result pending");
            return null;
        });
    }

    @Test
    void iteratingAFlowPublisherDiscardsTheReadAheadAndWhatOverflowDrops() {
        List<Integer> read = new ArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        virtual(() -> {
            Integer[] hundred = IntStream.range(0, 100).boxed().toArray(Integer[]::new);
            Aio.createTask(() -> {
                for (int i : FlowIterate.toAsyncIterable(flowOf(hundred), 8, 0.75,
                        discarded::add)) {
                    read.add(i);
                    if (i == 1) {
                        break; // the iteration is closed when this task ends
                    }
                }
                return null;
            }).await();
            assertEquals(List.of(0, 1), read);
            assertEquals(List.of(2, 3, 4, 5, 6, 7), discarded, "the rest of the prefetch");
            read.clear();
            discarded.clear();

            // a source that ignores demand: everything arrives at once, two fit
            Manual<Integer> hot = new Manual<>();
            Task<Void> reader = Aio.createTask(() -> {
                for (int i : FlowIterate.toAsyncIterable(hot, 2, Overflow.DROP_OLDEST,
                        discarded::add)) {
                    read.add(i);
                }
                return null;
            });
            Aio.sleep(0);
            for (int i = 1; i <= 5; i++) {
                hot.subscriber.get().onNext(i);
            }
            hot.subscriber.get().onComplete();
            reader.await();
            assertEquals(List.of(4, 5), read);
            assertEquals(List.of(1, 2, 3), discarded);
            return null;
        });
    }

    @Test
    void theFlowOverloadsNameANullPublisherAndIterateWithoutAHookToo() {
        Consumer<Object> hook = item -> { };
        List<Integer> read = new ArrayList<>();
        virtual(() -> {
            Flow.Publisher<Integer> none = null;
            for (Runnable call : List.<Runnable>of(
                    () -> FlowAwait.await(none, Mode.FIRST, null, hook),
                    () -> FlowAwait.future(none, null, hook),
                    () -> FlowIterate.toAsyncIterable(none, 8, 0.75),
                    () -> FlowIterate.toAsyncIterable(none, 8, 0.75, hook),
                    () -> FlowIterate.toAsyncIterable(none, 8, Overflow.ERROR),
                    () -> FlowIterate.toAsyncIterable(none, 8, Overflow.ERROR, hook))) {
                assertEquals("publisher is null",
                        assertThrows(NullPointerException.class, call::run).getMessage());
            }
            for (int i : FlowIterate.toAsyncIterable(flowOf(1, 2, 3), 1, 1.0)) {
                read.add(i);
            }
            AsyncFuture<Integer> nothing = FlowAwait.future(flowOf(), 9, null);
            assertEquals(9, nothing.await());
            return null;
        });
        assertEquals(List.of(1, 2, 3), read);
    }

    /** A {@link Flow.Publisher} of {@code items} that honours demand, emitting on the caller. */
    @SafeVarargs
    private static <T> Flow.Publisher<T> flowOf(T... items) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;
            private long demand;
            private boolean emitting;
            private boolean done;

            @Override
            public void request(long n) {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                if (emitting) {
                    return; // the loop below goes on with the new demand
                }
                emitting = true;
                while (!done && demand > 0 && next < items.length) {
                    demand--;
                    subscriber.onNext(items[next++]);
                }
                if (!done && next == items.length) {
                    done = true;
                    subscriber.onComplete();
                }
                emitting = false;
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }

    /** A {@link Flow.Publisher} the test drives by hand, ignoring demand. */
    private static final class Manual<T> implements Flow.Publisher<T> {
        final AtomicReference<Flow.Subscriber<? super T>> subscriber = new AtomicReference<>();
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void subscribe(Flow.Subscriber<? super T> s) {
            subscriber.set(s);
            s.onSubscribe(new Flow.Subscription() {
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
