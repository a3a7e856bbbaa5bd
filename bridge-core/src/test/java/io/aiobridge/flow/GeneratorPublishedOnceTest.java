package io.aiobridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.testing.Recorder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A publisher of a generator object (not of its body) can be subscribed once, as Reactor's
 * {@code Flux.fromStream} and kotlinx's {@code consumeAsFlow} can: a generator is one run of its
 * body. Before, a second subscriber shared the first one's items, and its end closed the
 * generator under the first; a retry after a failure found the generator spent, completed
 * empty, and the failure was lost. A publisher of a body runs it afresh for each subscription.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GeneratorPublishedOnceTest {

    @Test
    void aSecondSubscriberIsRefusedAndTheFirstGetsEveryItem() throws Exception {
        AtomicInteger finallies = new AtomicInteger();
        AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
            try {
                for (int i = 0; i < 5; i++) {
                    y.yield(i);
                    Aio.sleep(0.001);
                }
            } finally {
                finallies.incrementAndGet();
            }
        });
        AsyncPublisher<Integer> published = AsyncPublisher.fromIterable(gen);
        Recorder<Integer> first = new Recorder<>(1); // slow: one item at a time
        published.subscribe(first);
        first.awaitSignals(1); // the first item: the generator has started
        Recorder<Integer> second = new Recorder<>(Long.MAX_VALUE);
        published.subscribe(second);
        second.awaitTerminal();
        assertEquals(List.of(), second.items);
        assertInstanceOf(IllegalStateException.class, second.error);
        assertTrue(second.error.getMessage().startsWith("<AsyncGenerator"),
                second.error.getMessage());
        assertTrue(second.error.getMessage().contains(" was subscribed to already: a generator"
                + " is one run of its body"), second.error.getMessage());
        first.subscription.request(Long.MAX_VALUE);
        first.awaitTerminal();
        assertEquals(List.of(0, 1, 2, 3, 4), first.items, "nothing taken by the refused one");
        assertEquals(null, first.error, "nor closed under the first");
        assertEquals(1, finallies.get());
    }

    @Test
    void subscribingAgainAfterAFailureIsAnErrorNotAnEmptySuccess() throws Exception {
        // what a retry() does: the failure must not turn into a quiet, empty completion
        IllegalStateException boom = new IllegalStateException("boom");
        AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
            y.yield(1);
            throw boom;
        });
        AsyncPublisher<Integer> published = AsyncPublisher.fromIterable(gen);
        Recorder<Integer> first = new Recorder<>(Long.MAX_VALUE);
        published.subscribe(first);
        first.awaitTerminal();
        assertEquals(List.of(1), first.items);
        assertSame(boom, first.error);
        Recorder<Integer> again = new Recorder<>(Long.MAX_VALUE);
        published.subscribe(again);
        again.awaitTerminal();
        assertEquals(List.of(), again.items);
        assertInstanceOf(IllegalStateException.class, again.error);
        assertTrue(again.error.getMessage().contains("was subscribed to already"),
                again.error.getMessage());
    }

    @Test
    void aBatchedViewSharesItsGeneratorsClaim() throws Exception {
        AsyncGenerator<Integer, Void> gen = AsyncGenerator.of(y -> {
            for (int i = 0; i < 3; i++) {
                y.yield(i);
            }
        });
        Recorder<Integer> viaView = new Recorder<>(Long.MAX_VALUE);
        AsyncPublisher.fromIterable(gen.prefetch(2)).subscribe(viaView);
        viaView.awaitTerminal();
        assertEquals(List.of(0, 1, 2), viaView.items);
        Recorder<Integer> viaGenerator = new Recorder<>(Long.MAX_VALUE);
        AsyncPublisher.fromIterable(gen).subscribe(viaGenerator);
        viaGenerator.awaitTerminal();
        assertInstanceOf(IllegalStateException.class, viaGenerator.error);
    }

    @Test
    void aPublisherOfTheBodyRunsItAfreshForEachSubscription() throws Exception {
        AsyncPublisher<Integer> published = AsyncPublisher.fromGenerator(y -> {
            for (int i = 0; i < 3; i++) {
                y.yield(i);
            }
        });
        for (int round = 0; round < 2; round++) {
            Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE);
            published.subscribe(r);
            r.awaitTerminal();
            assertEquals(List.of(0, 1, 2), r.items);
            assertEquals(null, r.error);
        }
    }
}
