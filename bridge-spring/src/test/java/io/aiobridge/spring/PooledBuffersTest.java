package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.reactor.ReactorAwait;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pooled buffers crossing the Spring adapters are never leaked: what a handler stops reading of
 * a request body, a body it awaits to its end without reading, and a value a cancelled handler
 * still returned, go back to the pool. (A
 * generator's buffer yielded ahead when the client leaves: {@code SpringIntegrationTest}, on a
 * real server.)
 */
class PooledBuffersTest {
    private final NettyDataBufferFactory pooled =
            new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);

    private static ReactiveAdapter adapter(Class<?> type) {
        ReactiveAdapterRegistry registry = new ReactiveAdapterRegistry();
        AiobridgeReactiveTypes.register(registry);
        return registry.getAdapter(type);
    }

    private List<DataBuffer> buffers(int n) {
        List<DataBuffer> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            made.add(pooled.allocateBuffer(1024).write((byte) i));
        }
        return made;
    }

    private static List<Integer> held(List<DataBuffer> buffers) {
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < buffers.size(); i++) {
            if (((NettyDataBuffer) buffers.get(i)).getNativeBuffer().refCnt() != 0) {
                held.add(i);
            }
        }
        return held;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRequestBodyTheHandlerStopsReadingGivesBackWhatWasPrefetched() {
        List<DataBuffer> body = buffers(10);
        AsyncIterable<DataBuffer> asIterable = (AsyncIterable<DataBuffer>)
                adapter(AsyncIterable.class).fromPublisher(Flux.fromIterable(body));
        Aio.run(() -> Aio.createTask(() -> {
            for (DataBuffer first : asIterable) {
                DataBufferUtils.release(first); // the handler's own: it read this one
                break;
            }
            return null;
        }).await()); // the iteration ends with its task
        assertEquals(List.of(), held(body), "the nine prefetched and never read");
    }

    @Test
    void aBodyAHandlerAwaitsToItsEndGoesBackBufferByBuffer() {
        // as Reactor's then() discards each item: a handler that only waits for the upload
        List<DataBuffer> body = buffers(10);
        Coroutine<String> handler = () -> {
            ReactorAwait.awaitCompletion(Flux.fromIterable(body));
            return "stored";
        };
        Mono<Object> reply = Mono.from(adapter(Coroutine.class).toPublisher(handler));
        assertEquals("stored", reply.block(Duration.ofSeconds(5)));
        assertEquals(List.of(), held(body), "every buffer of the awaited body");
    }

    @Test
    void aBufferACancelledHandlerStillReturnedGoesBack() throws Exception {
        List<DataBuffer> reply = buffers(1);
        CountDownLatch sleeping = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        Coroutine<DataBuffer> handler = () -> {
            try {
                sleeping.countDown();
                Aio.sleep(30);
                return null;
            } catch (CancelledError e) {
                returned.countDown();
                return reply.get(0); // returned although cancelled: never delivered
            }
        };
        Mono<Object> mono = Mono.from(adapter(Coroutine.class).toPublisher(handler));
        Disposable client = mono.subscribe();
        assertEquals(true, sleeping.await(5, TimeUnit.SECONDS));
        client.dispose(); // the client goes away
        assertEquals(true, returned.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!held(reply).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), held(reply));
    }
}
