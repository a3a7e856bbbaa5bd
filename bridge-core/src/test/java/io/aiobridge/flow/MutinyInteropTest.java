package io.aiobridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SmallRye Mutiny, a fourth implementation of the reactive protocol on {@code
 * java.util.concurrent.Flow} (after Reactor, RxJava and the JDK's SubmissionPublisher): its
 * {@code Uni} awaited, its {@code Multi} iterated with backpressure, and a generator consumed by
 * Mutiny's own operators and its test subscriber, as a Quarkus user would combine them.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MutinyInteropTest {

    @Test
    void aUniIsAwaitedAndItsFailureIsRethrownAsItself() {
        IllegalStateException boom = new IllegalStateException("boom");
        Aio.run(() -> {
            assertEquals("ada", FlowAwait.awaitSingle(Uni.createFrom().item("ada")
                    .convert().toPublisher()));
            Uni<String> failing = Uni.createFrom().failure(boom);
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> FlowAwait.awaitSingle(failing.convert().toPublisher())));
            return null;
        });
    }

    @Test
    void cancellingTheAwaitingTaskCancelsTheUni() {
        CountDownLatch cancelled = new CountDownLatch(1);
        Uni<String> never = Uni.createFrom().<String>emitter(e -> { })
                .onCancellation().invoke(cancelled::countDown);
        Aio.run(() -> {
            Task<String> waiting = Aio.createTask(
                    () -> FlowAwait.awaitSingle(never.convert().toPublisher()));
            Aio.sleep(0.01);
            waiting.cancel();
            assertThrows(CancelledError.class, waiting::await);
            return null;
        });
        assertEquals(0, cancelled.getCount(), "Mutiny saw the cancellation");
    }

    @Test
    void aMultiIsIteratedWithBackpressureAndNothingIsLost() {
        List<Long> requests = new CopyOnWriteArrayList<>();
        Multi<Integer> range = Multi.createFrom().range(0, 1_000)
                .onRequest().invoke(requests::add);
        List<Integer> got = Aio.run(() -> {
            List<Integer> items = new ArrayList<>();
            for (int i : FlowIterate.toAsyncIterable(range, 16, 0.75)) {
                items.add(i);
            }
            return items;
        });
        assertEquals(1_000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i, got.get(i));
        }
        assertEquals(16L, requests.get(0), "the prefetch first");
        assertTrue(requests.stream().allMatch(n -> n <= 16), "never more than held: " + requests);
    }

    @Test
    void mutinysOperatorsConsumeAGeneratorAndTheirCancelClosesIt() {
        CountDownLatch closed = new CountDownLatch(1);
        Multi<Integer> fromGenerator = Multi.createFrom().publisher(
                AsyncPublisher.<Integer>fromGenerator(y -> {
                    try {
                        for (int i = 0; ; i++) {
                            y.yield(i);
                        }
                    } finally {
                        closed.countDown(); // the cancel after three items closed it
                    }
                }).toFlow());
        List<Integer> firstThree = fromGenerator.select().first(3).collect().asList()
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(List.of(0, 1, 2), firstThree);
        assertTrue(awaitLatch(closed), "the generator's finally ran");
    }

    @Test
    void everyItemYieldedBeforeAFailureReachesMutinysSubscriberThenTheFailure() {
        IllegalStateException boom = new IllegalStateException("after five");
        AssertSubscriber<Integer> subscriber = AssertSubscriber.create(2);
        AsyncPublisher.<Integer>fromGenerator(y -> {
            for (int i = 0; i < 5; i++) {
                y.yield(i);
            }
            throw boom;
        }).toFlow().subscribe(subscriber);
        subscriber.awaitItems(2).assertItems(0, 1);
        subscriber.request(3);
        subscriber.awaitFailure(Duration.ofSeconds(10));
        subscriber.assertItems(0, 1, 2, 3, 4);
        assertSame(boom, subscriber.getFailure());
    }

    private static boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
