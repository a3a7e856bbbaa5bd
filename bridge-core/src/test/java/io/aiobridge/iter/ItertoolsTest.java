package io.aiobridge.iter;

import static io.aiobridge.iter.Comprehensions.toList;
import static io.aiobridge.iter.Concurrent.flatMap;
import static io.aiobridge.iter.Concurrent.merge;
import static io.aiobridge.iter.Concurrent.timeout;
import static io.aiobridge.iter.Itertools.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItertoolsTest {

    /** A generator of 0..n-1 (sleeping between items) whose closing is recorded in {@code log}. */
    static AsyncGenerator<Integer, Void> source(String name, int n, double delay, List<String> log) {
        return AsyncGenerator.of(y -> {
            try {
                for (int i = 0; i < n; i++) {
                    y.yield(i);
                    if (delay > 0) {
                        Aio.sleep(delay);
                    }
                }
            } finally {
                log.add(name + " closed");
            }
        });
    }

    static AsyncIterable<Integer> ints(Integer... xs) {
        return fromIterable(List.of(xs));
    }

    @Test
    void oneToOneAndFilteringOperators() {
        Loops.virtual(() -> {
            assertEquals(List.of(2, 4, 6), toList(map(ints(1, 2, 3), x -> x * 2)));
            assertEquals(List.of(1, 3), toList(filter(ints(1, 2, 3, 4), x -> x % 2 == 1)));
            assertEquals(List.of(2, 4), toList(filterFalse(ints(1, 2, 3, 4), x -> x % 2 == 1)));
            assertEquals(List.of(1, 2), toList(takeWhile(ints(1, 2, 3, 1), x -> x < 3)));
            assertEquals(List.of(3, 1), toList(dropWhile(ints(1, 2, 3, 1), x -> x < 3)));
            assertEquals(List.of(1, 3, 6, 10), toList(accumulate(ints(1, 2, 3, 4), Integer::sum)));
            assertEquals(List.of(new Indexed<>(5, "a"), new Indexed<>(6, "b")),
                    toList(enumerate(fromIterable(List.of("a", "b")), 5)));
            assertEquals(List.of(1, 3), toList(compress(ints(1, 2, 3, 4),
                    fromIterable(List.of(true, false, true)))));
            assertEquals(List.of(10L, 12L, 14L), toList(islice(count(10, 1), 0, 6, 2)));
            assertEquals(List.of(0L, 1L, 2L), toList(islice(count(0, 1), 3)));
            assertEquals(List.of("x", "x", "x"), toList(repeat("x", 3)));
            assertEquals(List.of(1, 2, 1, 2, 1), toList(islice(cycle(ints(1, 2)), 5)));
            assertEquals(List.of(), toList(islice(cycle(ints()), 5)));
            return null;
        });
    }

    @Test
    void combiningOperators() {
        Loops.virtual(() -> {
            assertEquals(List.of(1, 2, 3), toList(chain(ints(1), ints(), ints(2, 3))));
            assertEquals(List.of(Map.entry(1, "a"), Map.entry(2, "b")),
                    toList(zip(ints(1, 2, 3), fromIterable(List.of("a", "b")))));
            assertEquals(List.of(3, 8), toList(starMap(zip(ints(1, 2), ints(3, 4)),
                    (a, b) -> a * b)));
            assertEquals(List.of(List.of(1, 3), List.of(2, 0)),
                    toList(zipLongest(ints(1, 2), ints(3), 0)));
            assertEquals(List.of(List.of(1, 2), List.of(3, 4), List.of(5)),
                    toList(batch(ints(1, 2, 3, 4, 5), 2)));
            List<Group<Boolean, Integer>> groups = toList(groupBy(ints(1, 3, 2, 4, 5),
                    x -> x % 2 == 0));
            assertEquals(List.of(new Group<>(false, List.of(1, 3)), new Group<>(true,
                    List.of(2, 4)), new Group<>(false, List.of(5))), groups);
            List<AsyncIterable<Integer>> copies = tee(ints(1, 2, 3), 2);
            AsyncIterator<Integer> a = copies.get(0).aiter();
            assertEquals(1, a.anext().await());
            assertEquals(List.of(1, 2, 3), toList(copies.get(1)));
            assertEquals(List.of(2, 3), toList(() -> a));
            return null;
        });
    }

    @Test
    void operatorsAreLazy() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncIterable<Integer> pipeline = map(source("src", 3, 0, log), x -> {
                log.add("map " + x);
                return x;
            });
            assertEquals(List.of(), log, "nothing runs before iteration");
            assertEquals(List.of(0, 1, 2), toList(pipeline));
            return null;
        });
        assertEquals(List.of("map 0", "map 1", "map 2", "src closed"), log);
    }

    @Test
    void stoppingEarlyClosesEveryUpstreamGenerator() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            // islice stops by itself: map and the source behind it are closed at once
            assertEquals(List.of(0, 1), toList(islice(map(source("a", 100, 0, log), x -> x), 2)));
            assertEquals(List.of("a closed"), log);
            // takeWhile and zip too
            toList(takeWhile(source("b", 100, 0, log), x -> x < 1));
            toList(zip(source("c", 100, 0, log), source("d", 2, 0, log)));
            // the consumer breaks out of a try-with-resources
            try (var it = Comprehensions.closing(filter(source("e", 100, 0, log), x -> true))) {
                for (int x : it) {
                    if (x == 1) {
                        break;
                    }
                }
            }
            return null;
        });
        assertEquals(List.of("a closed", "b closed", "d closed", "c closed", "e closed"), log);
    }

    @Test
    void anExceptionOrACancellationClosesTheUpstreams() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            assertThrows(IllegalStateException.class, () -> toList(map(source("a", 10, 0, log),
                    x -> {
                        if (x == 2) {
                            throw new IllegalStateException("map failed");
                        }
                        return x;
                    })));
            Task<List<Integer>> consumer = Aio.createTask(() -> toList(map(
                    source("b", 100, 1.0, log), x -> x)));
            Aio.sleep(2.5);
            consumer.cancel();
            assertThrows(CancelledError.class, consumer::await);
            return null;
        });
        assertEquals(List.of("a closed", "b closed"), log);
    }

    @Test
    void perItemTimeoutRaisesAndClosesTheSource() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            AsyncGenerator<Integer, Void> slow = AsyncGenerator.of(y -> {
                try {
                    y.yield(1);
                    Aio.sleep(5);
                    y.yield(2);
                } finally {
                    log.add("slow closed");
                }
            });
            List<Integer> got = new ArrayList<>();
            assertThrows(AsyncTimeoutException.class, () -> {
                for (int x : timeout(slow, 1.0)) {
                    got.add(x);
                }
            });
            assertEquals(List.of(1), got);
            return null;
        });
        assertEquals(List.of("slow closed"), log);
    }

    @Test
    void mergeInterleavesByArrivalAndBoundsConcurrency() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            List<Integer> merged = toList(merge(2, map(source("x", 3, 1.0, log), v -> v * 10),
                    map(source("y", 2, 1.5, log), v -> v * 100)));
            assertEquals(List.of(0, 0, 10, 100, 20), merged);
            int[] running = {0};
            int[] maxRunning = {0};
            List<Integer> flat = toList(flatMap(ints(1, 2, 3, 4, 5), n -> AsyncGenerator.of(y -> {
                running[0]++;
                maxRunning[0] = Math.max(maxRunning[0], running[0]);
                try {
                    Aio.sleep(1.0);
                    y.yield(n);
                } finally {
                    running[0]--;
                }
            }), 2, 4));
            assertEquals(5, flat.size());
            assertEquals(2, maxRunning[0], "at most 2 inner iterables at once");
            return null;
        });
        assertTrue(log.containsAll(List.of("x closed", "y closed")));
    }

    @Test
    void closingAMergeCancelsItsSourcesAndAFailureEndsIt() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            try (var it = Comprehensions.closing(merge(4, source("p", 100, 0.5, log),
                    source("q", 100, 0.5, log)))) {
                int n = 0;
                for (int x : it) {
                    if (++n == 3) {
                        break;
                    }
                }
            }
            assertTrue(log.containsAll(List.of("p closed", "q closed")), log.toString());
            IllegalStateException boom = new IllegalStateException("source failed");
            AsyncGenerator<Integer, Void> failing = AsyncGenerator.of(y -> {
                y.yield(1);
                throw boom;
            });
            assertThrows(IllegalStateException.class,
                    () -> toList(merge(2, failing, source("r", 100, 0.5, log))));
            assertTrue(log.contains("r closed"));
            assertFalse(Aio.allTasks().size() > 1, "no feeding task is left behind");
            return null;
        });
    }

    @Test
    void iteratingOutsideATaskIsAClearErrorEvenForInMemorySources() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            for (int x : map(ints(1, 2), v -> v)) {
                throw new AssertionError("iterated outside a task: " + x);
            }
        });
        assertTrue(e.getMessage().contains("async iteration must be called from a task"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> toList(ints(1)));
    }
}
