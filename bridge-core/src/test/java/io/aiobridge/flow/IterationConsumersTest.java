package io.aiobridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.Task;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One consumer at a time, and no consumer left waiting for ever: an iteration of a publisher
 * refuses a second task while one waits for its next item (asyncio refuses a second {@code
 * anext()} of a running async generator; before, the second task's wake-up replaced the
 * first's, and the first waited for ever), refuses a task of another loop, and ends the
 * iteration of a task that waits while it is closed (by another task, or with the task that
 * owns it; before, that task waited for ever). For both kinds: prefetched and bounded-buffer.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IterationConsumersTest {

    static Stream<Named<Function<Publisher<Integer>, AsyncIterable<Integer>>>> kinds() {
        return Stream.of(
                Named.of("prefetched", p -> FlowIterate.toAsyncIterable(p, 4, 0.75)),
                Named.of("bounded buffer", p -> FlowIterate.toAsyncIterable(p, 4,
                        Overflow.DROP_OLDEST)));
    }

    /** Emits 1 at the first request, then what the test emits; counts cancels. */
    private static final class Manual implements Publisher<Integer> {
        final AtomicInteger cancels = new AtomicInteger();
        volatile Subscriber<? super Integer> subscriber;

        @Override
        public void subscribe(Subscriber<? super Integer> s) {
            subscriber = s;
            s.onSubscribe(new Subscription() {
                private boolean first = true;

                @Override
                public void request(long n) {
                    if (first) {
                        first = false;
                        s.onNext(1);
                    }
                }

                @Override
                public void cancel() {
                    cancels.incrementAndGet();
                }
            });
        }

        void emit(int item) {
            subscriber.onNext(item);
        }
    }

    /** The next item as "item N", or "ended" at the iteration's end. */
    private static String nextOrEnded(AsyncIterator<Integer> it) {
        try {
            return "item " + it.anext().await();
        } catch (StopAsyncIteration end) {
            return "ended";
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aSecondTaskAskingWhileOneWaitsIsRefusedAndTheFirstGetsItsItem(
            Function<Publisher<Integer>, AsyncIterable<Integer>> kind) {
        Manual source = new Manual();
        Aio.run(() -> {
            AsyncIterator<Integer> it = kind.apply(source).aiter();
            assertEquals(1, it.anext().await());
            Task<Integer> first = Aio.createTask(() -> it.anext().await());
            Aio.sleep(0); // first asks, finds nothing and waits
            Task<Integer> second = Aio.createTask(() -> it.anext().await());
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    second::await);
            assertTrue(refused.getMessage().startsWith("anext(): "), refused.getMessage());
            assertTrue(refused.getMessage().contains(" is already awaited by <Task pending name='"
                    + first.getName() + "'"), refused.getMessage());
            assertTrue(refused.getMessage().contains("one consumer at a time"),
                    refused.getMessage());
            source.emit(2);
            assertEquals(2, first.await(), "the waiting task was not robbed of its wake-up");
            source.emit(3);
            assertEquals(3, it.anext().await(), "and the iteration goes on");
            it.aclose();
            return null;
        });
        assertEquals(1, source.cancels.get());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void closingWhileATaskWaitsEndsThatTasksIteration(
            Function<Publisher<Integer>, AsyncIterable<Integer>> kind) {
        Manual source = new Manual();
        Aio.run(() -> {
            AsyncIterator<Integer> it = kind.apply(source).aiter();
            assertEquals(1, it.anext().await());
            Task<String> waiting = Aio.createTask(() -> nextOrEnded(it));
            Aio.sleep(0); // it waits
            it.aclose(); // another task (this one) closes the iteration
            assertEquals("ended", waiting.await(), "woken, not left waiting for ever");
            return null;
        });
        assertEquals(1, source.cancels.get());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theOwnersEndEndsTheIterationOfATaskItHandedItTo(
            Function<Publisher<Integer>, AsyncIterable<Integer>> kind) {
        Manual source = new Manual();
        Aio.run(() -> {
            CompletableFuture<Task<String>> handedTo = new CompletableFuture<>();
            Task<?> owner = Aio.createTask(() -> {
                AsyncIterator<Integer> it = kind.apply(source).aiter();
                assertEquals(1, it.anext().await()); // subscribed: this task owns it
                handedTo.complete(Aio.createTask(() -> nextOrEnded(it)));
                Aio.sleep(0); // the other task waits for the next item
                return null; // the owner ends: its iterations are closed
            });
            owner.await();
            assertEquals("ended", handedTo.join().await());
            return null;
        });
        assertEquals(1, source.cancels.get());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aTaskOfAnotherLoopIsRefused(Function<Publisher<Integer>, AsyncIterable<Integer>> kind)
            throws Exception {
        Manual source = new Manual();
        try (EventLoopGroup group = EventLoopGroup.create(2)) {
            AsyncIterator<Integer> it = kind.apply(source).aiter();
            CompletableFuture<Void> release = new CompletableFuture<>();
            // the first loop subscribes and keeps the iteration open
            CompletableFuture<Integer> owner = Aio.runCoroutineThreadsafe(() -> {
                int first = it.anext().await();
                while (!release.isDone()) {
                    Aio.sleep(0.01);
                }
                it.aclose();
                return first;
            }, group.loops().get(0));
            while (source.subscriber == null) {
                Thread.onSpinWait();
            }
            CompletableFuture<Integer> other = Aio.runCoroutineThreadsafe(
                    () -> it.anext().await(), group.loops().get(1));
            CompletionException refused = assertThrows(CompletionException.class,
                    () -> other.join());
            assertTrue(refused.getCause() instanceof IllegalStateException
                    && refused.getCause().getMessage().startsWith("this iteration wakes tasks"
                            + " of "), String.valueOf(refused.getCause()));
            release.complete(null);
            assertEquals(1, owner.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, source.cancels.get());
    }
}
