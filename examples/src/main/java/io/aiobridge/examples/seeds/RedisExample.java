package io.aiobridge.examples.seeds;

import io.aiobridge.Aio;
import io.aiobridge.reactor.ReactorAwait;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import reactor.core.publisher.Mono;

/**
 * The seed's aioredis example with Lettuce's reactive client: connect, set a hash, read it back,
 * close; two of these run concurrently, as the seed's {@code asyncio.wait} of two {@code
 * execute} coroutines does. Every network step is an await: while one task waits for Redis, the
 * other runs.
 *
 * <p>{@code main} starts its own {@code redis-server} on 127.0.0.1 ({@link RedisServer}).
 */
public final class RedisExample {
    private RedisExample() {}

    /** {@code execute(address)} of the seed: returns what {@code hgetall} read. */
    static Map<String, String> execute(RedisClient client, RedisURI address, String key,
            PrintStream out) {
        out.println("start " + key);
        StatefulRedisConnection<String, String> connection = ReactorAwait.awaitSingle(Mono.fromFuture(
                client.connectAsync(StringCodec.UTF8, address).toCompletableFuture()));
        try {
            RedisReactiveCommands<String, String> redis = connection.reactive();
            Map<String, String> car = new LinkedHashMap<>();
            car.put("key1", "1");
            car.put("key2", "2");
            car.put("key3", "3");
            ReactorAwait.awaitSingle(redis.hset(key, car));            // await redis.hmset_dict(...)
            List<KeyValue<String, String>> entries =
                    ReactorAwait.awaitList(redis.hgetall(key));        // await redis.hgetall(...)
            Map<String, String> result = new TreeMap<>();
            for (KeyValue<String, String> kv : entries) {
                result.put(kv.getKey(), kv.getValue());
            }
            out.println(key + " -> " + result);
            return result;
        } finally {
            ReactorAwait.awaitSingleOrNull(Mono.fromFuture(connection.closeAsync())); // wait_closed()
            out.println("end " + key);
        }
    }

    public static void main(String[] args) throws Exception {
        try (RedisServer server = RedisServer.start()) {
            RedisClient client = RedisClient.create();
            RedisURI address = RedisURI.create(server.uri());
            try {
                Aio.run(() -> Aio.gather(
                        () -> execute(client, address, "car", System.out),
                        () -> execute(client, address, "truck", System.out)).await());
            } finally {
                client.shutdown();
            }
        }
    }
}
