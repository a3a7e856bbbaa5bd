package io.aiobridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncTimeoutException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link FlowAwait#future}: publishers of at most one item as futures of the loop, no task. */
class FlowFutureTest {

    /** Publishes {@code items} from another thread once subscribed, then completes. */
    private static <T> Flow.Publisher<T> later(List<T> items) {
        return subscriber -> {
            SubmissionPublisher<T> p = new SubmissionPublisher<>();
            p.subscribe(subscriber);
            Thread.ofPlatform().start(() -> {
                items.forEach(p::submit);
                p.close();
            });
        };
    }

    @Test
    void flowPublishersAreGatheredAsFuturesWithNoTaskEach() {
        List<String> both = Aio.run(() -> {
            AsyncFuture<String> a = FlowAwait.future(later(List.of("a")), null);
            AsyncFuture<String> b = FlowAwait.future(later(List.<String>of()), "empty");
            assertEquals(1, Aio.allTasks().size(), "no task per publisher");
            return Aio.gather(a, b).await();
        });
        assertEquals(List.of("a", "empty"), both);
    }

    @Test
    void aSecondItemFailsTheFutureAndATimeoutCancelsTheSubscription() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        Flow.Publisher<Integer> never = s -> s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {
                cancelled.countDown();
            }
        });
        Aio.run(() -> {
            IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                    () -> FlowAwait.future(later(List.of(1, 2)), null).await());
            assertEquals("FlowAwait.future(): the publisher emitted more than one item",
                    two.getMessage());
            AsyncFuture<Integer> f = FlowAwait.future(never, null);
            assertThrows(AsyncTimeoutException.class, () -> Aio.timeout(0.02, f::await));
            assertTrue(f.isCancelled());
            return null;
        });
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the subscription was cancelled");
    }
}
