package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A real WebFlux server on a random port, handlers returning the project's types. */
@SpringBootTest(classes = SpringApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"aiobridge.loops=2", "aiobridge.name=web",
            "management.endpoints.web.exposure.include=metrics,aiobridge",
            "aiobridge.metrics-interval=50ms"})
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SpringIntegrationTest {
    @LocalServerPort
    int port;

    @Autowired
    EventLoopGroup group;

    WebClient client() {
        return WebClient.create("http://127.0.0.1:" + port);
    }

    @Test
    void theGroupIsTheConfiguredDefault() {
        assertEquals("web", group.name());
        if (EventLoop.carriersAvailable()) {
            // aiobridge.netty-carriers: one loop per Reactor Netty server event loop instead
            assertTrue(group.loops().stream().allMatch(l -> l.toString().contains(
                    "engine=executor(")), group.loops().toString());
        } else {
            assertEquals(2, group.size());
        }
        assertTrue(EventLoopGroup.defaultGroup() == group, "the context's group is the default");
    }

    @Test
    void aCoroutineHandlerRunsAsATaskOnTheGroup() {
        Map<String, Object> body = client().get().uri("/hello/ada").retrieve()
                .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                .block(Duration.ofSeconds(10));
        assertEquals(Map.of("hello", "ada", "onGroupLoop", true), body);
    }

    @Test
    void aCoroutineHandlerSeesTheReactorContextAFilterWrote() {
        // Spring Security's filter writes the security context into the Reactor Context; a
        // coroutine handler awaiting ReactiveSecurityContextHolder.getContext() must find it
        String who = client().get().uri("/whoami").header("X-User", "grace").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10));
        assertEquals("grace", who);
        var anonymous = client().get().uri("/whoami").retrieve().toEntity(String.class)
                .block(Duration.ofSeconds(10));
        assertEquals(null, anonymous.getBody(), "no principal: an empty body");
    }

    @Test
    void nullIsAnEmptyBodyAndFailuresAreSpringsErrors() {
        var nothing = client().get().uri("/nothing").retrieve().toEntity(String.class)
                .block(Duration.ofSeconds(10));
        assertEquals(200, nothing.getStatusCode().value());
        assertEquals(null, nothing.getBody());
        var conflict = client().get().uri("/conflict").exchangeToMono(r -> r.toEntity(String.class))
                .block(Duration.ofSeconds(10));
        assertEquals(409, conflict.getStatusCode().value());
    }

    @Test
    void aStreamedRequestBodyIsIteratedAndTheCoroutinesResponseEntitySetsStatusAndHeaders() {
        // 2,000 orders as newline-delimited JSON, sent as the client produces them
        Flux<Map<String, Object>> orders = Flux.range(1, 2_000)
                .map(i -> Map.<String, Object>of("id", i, "amount", i));
        var reply = client().post().uri("/orders").contentType(MediaType.APPLICATION_NDJSON)
                .body(orders, new ParameterizedTypeReference<Map<String, Object>>() {})
                .retrieve().toEntity(new ParameterizedTypeReference<Map<String, Object>>() {})
                .block(Duration.ofSeconds(20));
        assertEquals(201, reply.getStatusCode().value());
        assertEquals("2000", reply.getHeaders().getFirst("X-Orders"));
        assertEquals(Map.of("count", 2_000, "total", 2_001_000, "onGroupLoop", true),
                reply.getBody());
    }

    @Test
    void aRequestBodyTakenAsACoroutineIsAwaitedInTheHandlersTask() {
        String hello = client().post().uri("/greeting").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "ada")).retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
        assertEquals("hello ada", hello);
        var empty = client().post().uri("/greeting").contentType(MediaType.APPLICATION_JSON)
                .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(10));
        assertEquals(400, empty.getStatusCode().value(), String.valueOf(empty));
    }

    @Test
    void aTaskIsItsOutcome() {
        var reply = client().get().uri("/task").exchangeToMono(r -> r.toEntity(String.class))
                .block(Duration.ofSeconds(10));
        if (EventLoop.carriersAvailable()) {
            // the handler joins on the group's work on Netty's thread, which carries a loop of
            // the group: refused at once (NettyCarriersTest has the details), not a hang
            assertEquals(500, reply.getStatusCode().value(), String.valueOf(reply));
            assertTrue(reply.getBody().contains("would deadlock"), reply.getBody());
        } else {
            assertEquals("task done", reply.getBody());
        }
    }

    @Test
    void aGeneratorStreamsServerSentEventsAndClosesWhenTheClientLeaves() throws Exception {
        int before = SpringApp.GENERATORS_CLOSED.get();
        List<String> first = client().get().uri("/ticks").accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(String.class).take(3).collectList()
                .block(Duration.ofSeconds(10));
        assertEquals(List.of("tick 0", "tick 1", "tick 2"), first);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (SpringApp.GENERATORS_CLOSED.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 1, SpringApp.GENERATORS_CLOSED.get(),
                "the disconnect closed the generator: its finally ran");
    }

    /**
     * A client that stops reading a download, then leaves: the generator, parked at its yield
     * by backpressure, holds a buffer Netty never asked for. The bridge hands it to Reactor
     * Netty's discard hook, which releases it; every buffer made ends released, none leaked.
     */
    @Test
    void aDownloadThatTheClientLeavesReleasesEveryPooledBuffer() throws Exception {
        SpringApp.BUFFERS.clear();
        int before = SpringApp.BUFFER_GENERATORS_CLOSED.get();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET /buffers HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[16 * 1024];
            for (int read = 0, n = 0; read < 512 * 1024 && n >= 0; read += n) {
                n = in.read(chunk);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            int made = -1;
            while (made != SpringApp.BUFFERS.size() && System.nanoTime() < deadline) {
                made = SpringApp.BUFFERS.size(); // until the socket buffers are full
                Thread.sleep(200);
            }
        } // the client leaves
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (SpringApp.BUFFER_GENERATORS_CLOSED.get() == before
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 1, SpringApp.BUFFER_GENERATORS_CLOSED.get(), "closed by the leave");
        List<DataBuffer> made = List.copyOf(SpringApp.BUFFERS);
        assertTrue(made.size() > 8, "the download ran: " + made.size() + " buffers");
        List<Integer> held = List.of();
        while (System.nanoTime() < deadline) {
            held = IntStream.range(0, made.size()).filter(i ->
                    ((NettyDataBuffer) made.get(i)).getNativeBuffer().refCnt() != 0)
                    .boxed().toList();
            if (held.isEmpty()) {
                break;
            }
            Thread.sleep(20);
        }
        assertEquals(List.of(), held, "the indexes of buffers never released, of " + made.size());
    }

    @Test
    void aClientThatDisconnectsCancelsTheTask() throws Exception {
        SpringApp.EVENTS.clear();
        client().get().uri("/slow/5").retrieve().bodyToMono(String.class)
                .timeout(Duration.ofMillis(300), Mono.empty())
                .block(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!SpringApp.EVENTS.contains("slow 5.0 cancelled") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("slow 5.0 started", "slow 5.0 cancelled"), SpringApp.EVENTS.stream()
                .filter(e -> e.startsWith("slow 5.0")).toList());
    }

    @Test
    void theActuatorEndpointListsEachLoopsTasksAndWhereTheyWait() throws Exception {
        // a handler suspended in Aio.sleep: its task must be listed, with the handler's frame
        Disposable inFlight = client().get().uri("/slow/31").retrieve().bodyToMono(String.class)
                .subscribe();
        Map<String, Object> report = null;
        Map<?, ?> slow = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        try {
            while (slow == null && System.nanoTime() < deadline) {
                report = client().get().uri("/actuator/aiobridge").retrieve()
                        .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                        .block(Duration.ofSeconds(10));
                for (Object loop : (List<?>) report.get("loops")) {
                    for (Object task : (List<?>) ((Map<?, ?>) loop).get("tasks")) {
                        if (((List<?>) ((Map<?, ?>) task).get("stack")).stream()
                                .anyMatch(f -> f.toString().contains("lambda$slow$"))) {
                            slow = (Map<?, ?>) task;
                        }
                    }
                }
                Thread.sleep(20);
            }
        } finally {
            inFlight.dispose();
        }
        assertTrue(slow != null, "the suspended handler's task is listed: " + report);
        assertEquals("web", report.get("group"));
        assertEquals(group.size(), ((List<?>) report.get("loops")).size());
        Map<?, ?> firstLoop = (Map<?, ?>) ((List<?>) report.get("loops")).get(0);
        assertEquals(0, firstLoop.get("index"));
        assertEquals(true, firstLoop.get("running"), firstLoop.toString());
        for (Object loop : (List<?>) report.get("loops")) {
            Map<?, ?> l = (Map<?, ?>) loop;
            assertEquals(((List<?>) l.get("tasks")).size(), l.get("taskCount"), l.toString());
        }
        assertTrue(slow.get("task").toString().startsWith("<Task pending name='"), slow.toString());
        assertTrue(slow.get("task").toString().contains("wait_for=<Future pending"),
                "what it waits for, as asyncio's repr says it: " + slow);
        assertEquals(0, slow.get("cancelling"));
        assertEquals(List.of(), slow.get("awaitedBy"), "no task awaits a handler: Spring's"
                + " subscriber does, and the report says who waits for it, read on its loop");
        String top = ((List<?>) slow.get("stack")).get(0).toString();
        assertTrue(top.contains("lambda$slow$"), "innermost frame first, the runtime's own"
                + " frames (Aio.sleep and below) left out: " + slow.get("stack"));
    }

    @Test
    void loopMetricsAreVisibleAtTheActuatorEndpoint() throws Exception {
        // a few tasks in flight until the gauge has shown them: they must outlast the first,
        // cold, actuator request (once, on a loaded machine, 0.4 s tasks had ended before it)
        Disposable inFlight = Flux.range(0, 4).flatMap(i -> client().get().uri("/slow/30")
                .retrieve().bodyToMono(String.class)).subscribe();
        Map<String, Object> metric = null;
        double tasks = 0;
        long deadline = System.nanoTime() + 20_000_000_000L;
        try {
            while (tasks < 1 && System.nanoTime() < deadline) {
                metric = client().get().uri("/actuator/metrics/aiobridge.loop.tasks").retrieve()
                        .bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                        .block(Duration.ofSeconds(10));
                List<?> measurements = (List<?>) metric.get("measurements");
                tasks = ((Number) ((Map<?, ?>) measurements.get(0)).get("value")).doubleValue();
                Thread.sleep(20);
            }
        } finally {
            inFlight.dispose(); // the client disconnects: the server cancels the handlers
        }
        assertTrue(tasks >= 1, "live tasks seen by the gauge: " + metric);
        assertTrue(metric.get("availableTags").toString().contains("loop"), metric.toString());
        for (String name : List.of("aiobridge.loop.ready", "aiobridge.loop.lag",
                "aiobridge.loop.timers", "aiobridge.loop.slow.steps")) {
            Map<?, ?> m = client().get().uri("/actuator/metrics/" + name).retrieve()
                    .bodyToMono(Map.class).block(Duration.ofSeconds(10));
            assertFalse(((List<?>) m.get("measurements")).isEmpty(), name);
        }
    }
}
