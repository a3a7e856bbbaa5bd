package io.aiobridge.spring;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Task;
import io.aiobridge.reactor.ReactorAwait;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/** A WebFlux application whose handlers return the project's types, as a user's would. */
@SpringBootApplication(scanBasePackageClasses = SpringApp.NoScan.class)
@Import(SpringApp.Handlers.class)
public class SpringApp {
    /** Scans nothing: the handlers are imported explicitly. */
    static final class NoScan {}

    /** What the handlers saw, for the tests. */
    static final CopyOnWriteArrayList<String> EVENTS = new CopyOnWriteArrayList<>();
    static final AtomicInteger GENERATORS_CLOSED = new AtomicInteger();
    /** Every buffer the /buffers generator made, to check that each was released. */
    static final CopyOnWriteArrayList<DataBuffer> BUFFERS = new CopyOnWriteArrayList<>();
    static final AtomicInteger BUFFER_GENERATORS_CLOSED = new AtomicInteger();

    /**
     * What Spring Security's filter does: puts the request's principal in the Reactor Context
     * of everything downstream of it, the handler's result included.
     */
    @Bean
    WebFilter principalFilter() {
        return (exchange, chain) -> {
            String user = exchange.getRequest().getHeaders().getFirst("X-User");
            return user == null ? chain.filter(exchange)
                    : chain.filter(exchange).contextWrite(Context.of("principal", user));
        };
    }

    /** A functional route written with {@link AioWebFlux}: where its task runs. */
    @Bean
    RouterFunction<ServerResponse> groupOfRoute(EventLoopGroup group) {
        return RouterFunctions.route().GET("/group-of-route", AioWebFlux.handler(request ->
                ReactorAwait.awaitSingle(ServerResponse.ok().bodyValue(group.name() + " "
                        + group.inGroup())))).build();
    }

    /** A WebSocket on the context's own group: tells which group its body runs on. */
    @Bean
    HandlerMapping groupOfWebSocket(EventLoopGroup group) {
        return new SimpleUrlHandlerMapping(Map.of("/group-of-websocket", AioWebSocket.handler(
                ws -> ws.send(group.name() + " " + group.inGroup()),
                AioWebSocket.DEFAULT_SEND_BUFFER, group)), -1);
    }

    @RestController
    public static class Handlers {
        private final EventLoopGroup group;

        public Handlers(EventLoopGroup group) {
            this.group = group;
        }

        /** A coroutine: runs as a task on the application's loop group. */
        @GetMapping("/hello/{name}")
        public Coroutine<Map<String, Object>> hello(@PathVariable String name) {
            return () -> {
                Aio.sleep(0.01);
                return Map.of("hello", name, "onGroupLoop", group.inGroup());
            };
        }

        /** A null result is an empty body. */
        @GetMapping("/nothing")
        public Coroutine<String> nothing() {
            return () -> null;
        }

        /** A failure is Spring's usual error handling. */
        @GetMapping("/conflict")
        public Coroutine<String> conflict() {
            return () -> {
                Aio.sleep(0);
                throw new ResponseStatusException(HttpStatus.CONFLICT, "already there");
            };
        }

        /** Takes a while: for the disconnect and shutdown tests. */
        @GetMapping("/slow/{seconds}")
        public Coroutine<String> slow(@PathVariable double seconds) {
            return () -> {
                EVENTS.add("slow " + seconds + " started");
                try {
                    Aio.sleep(seconds);
                    EVENTS.add("slow " + seconds + " finished");
                    return "done after " + seconds;
                } catch (CancelledError e) {
                    EVENTS.add("slow " + seconds + " cancelled");
                    throw e;
                }
            };
        }

        /** Where a generator runs: on this application's group, or not. */
        @GetMapping("/group-of-generator")
        public AsyncGenerator<String, Void> groupOfGenerator() {
            return AsyncGenerator.of(y -> y.yield(group.name() + " " + group.inGroup()));
        }

        /** An async generator, streamed as Server-Sent Events with backpressure. */
        @GetMapping(path = "/ticks", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        public AsyncGenerator<String, Void> ticks() {
            return AsyncGenerator.of(y -> {
                try {
                    for (int i = 0; ; i++) {
                        y.yield("tick " + i);
                        Aio.sleep(0.02);
                    }
                } finally {
                    GENERATORS_CLOSED.incrementAndGet(); // the client went away
                }
            });
        }

        /**
         * An endless download of pooled 64 KB buffers, as a file or proxy handler streams them:
         * the generator yields only as fast as the client reads.
         */
        @GetMapping(path = "/buffers", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
        public AsyncGenerator<DataBuffer, Void> buffers() {
            NettyDataBufferFactory pooled =
                    new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);
            return AsyncGenerator.of(y -> {
                try {
                    for (;;) {
                        DataBuffer b = pooled.allocateBuffer(64 * 1024);
                        b.writePosition(64 * 1024);
                        BUFFERS.add(b);
                        y.yield(b);
                    }
                } finally {
                    BUFFER_GENERATORS_CLOSED.incrementAndGet();
                }
            });
        }

        /**
         * Where a request's handler ran: the thread that called this method (Netty's, which read
         * the request) and the platform thread carrying the coroutine's virtual thread before and
         * after it awaits a Mono completed on Reactor's timer thread.
         */
        @GetMapping("/where")
        public Coroutine<Map<String, String>> where() {
            String handler = Thread.currentThread().getName();
            return () -> {
                String before = carrierName();
                ReactorAwait.awaitSingle(Mono.delay(Duration.ofMillis(5)));
                return Map.of("handler", handler, "before", before, "after", carrierName());
            };
        }

        /**
         * Blocks Netty's thread on work handed to the group: fine when the group has threads of
         * its own; refused at once when the group runs on Netty's event loops, which the work
         * would need.
         */
        @GetMapping("/joined")
        public String joined() {
            return group.submit(() -> {
                Aio.sleep(0.01);
                return "joined";
            }).join();
        }

        /** An application's handler of the error a refused join raises. */
        @ExceptionHandler(IllegalStateException.class)
        public ResponseEntity<String> refused(IllegalStateException e) {
            EVENTS.add("refused: " + e.getMessage());
            return ResponseEntity.internalServerError().body(e.getMessage());
        }

        /** The platform thread carrying the current virtual thread (needs java.lang opened). */
        static String carrierName() {
            try {
                Field f = Class.forName("java.lang.VirtualThread").getDeclaredField("carrierThread");
                f.setAccessible(true);
                return ((Thread) f.get(Thread.currentThread())).getName();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return "unknown (" + e.getClass().getSimpleName() + ")";
            }
        }

        /**
         * Reads the principal as a reactive library (Spring Security's
         * ReactiveSecurityContextHolder) would: from the Reactor Context of a Mono it awaits.
         */
        @GetMapping("/whoami")
        public Coroutine<String> whoami() {
            return () -> {
                Aio.sleep(0.001); // resumed on the loop, far from the filter's subscription
                return ReactorAwait.awaitSingleOrNull(Mono.deferContextual(
                        ctx -> Mono.justOrEmpty(ctx.<String>getOrEmpty("principal"))));
            };
        }

        /**
         * A streamed request body taken as an {@code AsyncIterable} (newline-delimited JSON, each
         * line decoded as it arrives), iterated with backpressure; the reply, a {@code
         * ResponseEntity} made by the coroutine, sets the status and a header.
         */
        @PostMapping(path = "/orders", consumes = MediaType.APPLICATION_NDJSON_VALUE)
        public Coroutine<ResponseEntity<Map<String, Object>>> orders(
                @RequestBody AsyncIterable<Map<String, Object>> orders) {
            return () -> {
                int count = 0;
                long total = 0;
                for (Map<String, Object> order : orders) {
                    count++;
                    total += ((Number) order.get("amount")).longValue();
                    Aio.sleep(0); // the loop's other work interleaves with the upload
                }
                return ResponseEntity.status(HttpStatus.CREATED).header("X-Orders", "" + count)
                        .body(Map.of("count", count, "total", total,
                                "onGroupLoop", group.inGroup()));
            };
        }

        /** A request body taken as a {@code Coroutine}: awaited by calling it in the task. */
        @PostMapping("/greeting")
        public Coroutine<String> greeting(@RequestBody Coroutine<Map<String, String>> body) {
            return () -> {
                Map<String, String> who = body.call();
                if (who == null) {
                    throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "no body");
                }
                return "hello " + who.get("name");
            };
        }

        /** A task started on a loop of the group; the response is its outcome. */
        @GetMapping("/task")
        public Task<String> task() throws Exception {
            return group.submit(() -> Aio.createTask(() -> {
                Aio.sleep(0.01);
                return "task done";
            })).join();
        }
    }
}
