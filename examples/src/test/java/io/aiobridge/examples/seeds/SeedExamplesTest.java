package io.aiobridge.examples.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The seed documents' larger examples, against real servers started on 127.0.0.1. */
class SeedExamplesTest {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

    List<String> lines() {
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void theCrawlerFetchesEveryPageAtMostTwoAtATime() {
        try (LocalPages pages = new LocalPages()) {
            List<String> urls = IntStream.rangeClosed(1, 6).mapToObj(pages::url).toList();
            Map<String, Integer> lengths = Aio.run(() -> Crawler.crawl(urls, 2, out));
            assertEquals(List.of(100, 200, 300, 400, 500, 600), List.copyOf(lengths.values()));
            assertEquals(2, pages.maxInFlight(), "the semaphore allows two, and two ran at once");
        }
        assertTrue(lines().contains("6 done, 0 pending"), lines().toString());
        assertEquals(6, lines().stream().filter(l -> l.startsWith("got: ")).count());
    }

    @Test
    void twoRedisSessionsRunConcurrentlyAgainstARealServer() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            RedisClient client = RedisClient.create();
            try {
                RedisURI address = RedisURI.create(server.uri());
                List<Map<String, String>> results = Aio.run(() -> Aio.gather(
                        () -> RedisExample.execute(client, address, "car", out),
                        () -> RedisExample.execute(client, address, "truck", out)).await());
                Map<String, String> expected = Map.of("key1", "1", "key2", "2", "key3", "3");
                assertEquals(List.of(expected, expected), results);
            } finally {
                client.shutdown();
            }
        }
        // the second session started while the first one waited for its connection
        assertEquals(List.of("start car", "start truck"), lines().subList(0, 2));
        assertEquals(6, lines().size(), lines().toString());
    }

    @Test
    void theRespClientOnStreamsRunsTheSameSessionsAgainstARealServer() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            List<Map<String, String>> results = Aio.run(() -> Aio.gather(
                    () -> RespRedis.execute(server.port(), "car", out),
                    () -> RespRedis.execute(server.port(), "truck", out)).await());
            Map<String, String> expected = Map.of("key1", "1", "key2", "2", "key3", "3");
            assertEquals(List.of(expected, expected), results);
            // the second session started while the first one waited for its connection
            assertEquals(List.of("start car", "start truck"), lines().subList(0, 2));
            assertEquals(6, lines().size(), lines().toString());

            Aio.run(() -> {
                try (RespRedis redis = RespRedis.connect("127.0.0.1", server.port())) {
                    // a 1 MB value arrives in many reads; readexactly puts it together
                    String big = "v".repeat(1 << 20);
                    assertEquals("OK", redis.call("SET", "big", big));
                    assertEquals(big, redis.call("GET", "big"));
                    assertEquals(null, redis.call("GET", "no-such-key"));
                    assertEquals(1L, redis.call("INCR", "counter"));
                    RespRedis.RedisError wrong = assertThrows(RespRedis.RedisError.class,
                            () -> redis.call("INCR", "car"));
                    assertTrue(wrong.getMessage().startsWith("WRONGTYPE"), wrong.getMessage());
                    assertEquals("PONG", redis.call("PING"), "the connection survives an error");
                }
                return null;
            });
        }
    }

    @Test
    void twoSqlSessionsOverR2dbcH2() {
        ConnectionFactory db = ConnectionFactories.get("r2dbc:h2:mem:///seedtest;DB_CLOSE_DELAY=-1");
        List<List<String>> results = Aio.run(() -> {
            SqlExample.createSchema(db);
            return Aio.gather(() -> SqlExample.execute(db, "first", out),
                    () -> SqlExample.execute(db, "second", out)).await();
        });
        List<String> rows = List.of("% app", "localhost root");
        assertEquals(List.of(rows, rows), results);
        assertEquals(List.of("start first", "start second"), lines().subList(0, 2));
    }

    @Test
    void thePipelineLosesNothingAndBatchesWithReactor() {
        List<List<Integer>> batches = Aio.run(() -> Pipeline.run(30, out));
        Set<Integer> expected = IntStream.rangeClosed(1, 30).filter(i -> i % 7 + 1 >= 4)
                .boxed().collect(Collectors.toSet());
        List<Integer> all = batches.stream().flatMap(List::stream).toList();
        assertEquals(expected.size(), all.size(), "no order lost or repeated: " + all);
        assertEquals(expected, Set.copyOf(all));
        for (int i = 0; i < batches.size() - 1; i++) {
            assertEquals(5, batches.get(i).size());
        }
    }
}
