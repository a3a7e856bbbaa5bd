package io.aiobridge.examples.webflux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The real server on a random port, called with WebTestClient and with a plain HTTP client. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "quotes.timeout-seconds=0.5", "ticker.interval-seconds=0.02",
        "jobs.workers=1", "jobs.queue-capacity=2"})
@ExtendWith(OutputCaptureExtension.class)
class QuotesApplicationTest {
    @Autowired
    WebTestClient web;

    @Autowired
    TickerController ticker;

    @Autowired
    UpstreamController upstream;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    // ---- GET /quotes/{id} ----------------------------------------------------------------------

    @Test
    void aQuoteAwaitsBothUpstreamsAndCarriesTheRequestId(CapturedOutput logs) {
        web.get().uri("/quotes/7").header(RequestIds.HEADER, "test-req-1").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(RequestIds.HEADER, "test-req-1")
                .expectBody()
                .jsonPath("$.id").isEqualTo("7")
                .jsonPath("$.name").isEqualTo("Instrument 7")
                .jsonPath("$.price").isNotEmpty()
                .jsonPath("$.requestId").isEqualTo("test-req-1");
        // the coroutine's log line has the request id from the MDC (pattern: [%X{requestId}])
        assertTrue(logs.getOut().lines().anyMatch(
                l -> l.contains("[test-req-1]") && l.contains("quote 7 requested")),
                "no log line with the request id:\n" + logs.getOut());
    }

    @Test
    void aSlowUpstreamIsA504WithAClearBody() {
        long t0 = System.nanoTime();
        web.get().uri("/quotes/slow-1").exchange()
                .expectStatus().isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
                .expectBody()
                .jsonPath("$.error").isEqualTo("upstream timeout")
                .jsonPath("$.detail").value(d -> assertTrue(d.toString().contains("0.5 s"), d.toString()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 3, "answered after the 0.5 s timeout, not the upstream's 5 s: " + seconds);
    }

    @Test
    void theTimeoutCancelsBothUpstreamRequests() throws Exception {
        int before = upstream.abandoned();
        web.get().uri("/quotes/slow-3").exchange().expectStatus().isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
        // task cancelled -> Mono cancelled -> WebClient closes the request -> the upstream sees it
        long deadline = System.nanoTime() + 4_000_000_000L; // before the upstream's own 5 s
        while (upstream.abandoned() < before + 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 2, upstream.abandoned(), "both upstream calls were abandoned");
    }

    // ---- GET /prices/{id}: a functional route and filter (AioWebFlux) -------------------------

    @Test
    void aFunctionalRouteAwaitsTheUpstreamAndItsFilterLogsTheAnswer(CapturedOutput logs) {
        web.get().uri("/prices/7").header(RequestIds.HEADER, "test-req-fn").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.id").isEqualTo("7")
                .jsonPath("$.price").isNotEmpty()
                .jsonPath("$.requestId").isEqualTo("test-req-fn");
        long t0 = System.nanoTime();
        web.get().uri("/prices/slow-2").exchange()
                .expectStatus().isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
                .expectBody().jsonPath("$.error").isEqualTo("upstream timeout");
        assertTrue((System.nanoTime() - t0) / 1e9 < 3, "answered after the 0.5 s timeout");
        // the filter's task logs after its handler's task answered, with the request's MDC
        assertTrue(logs.getOut().lines().anyMatch(l -> l.contains("[test-req-fn]")
                && l.contains("/prices/7 answered 200 in")), logs.getOut());
        assertTrue(logs.getOut().lines().anyMatch(l -> l.contains("/prices/slow-2 answered 504")),
                logs.getOut());
    }

    @Test
    void aPlainHttpClientGetsTheSameAnswers() throws Exception {
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri("/quotes/42")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("\"name\":\"Instrument 42\""), ok.body());
        assertTrue(ok.headers().firstValue(RequestIds.HEADER).orElse("").startsWith("req-"),
                "an id is made up when the client sends none");
        HttpResponse<String> slow = http.send(HttpRequest.newBuilder(uri("/quotes/slow-2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(504, slow.statusCode());
        assertTrue(slow.body().contains("upstream timeout"), slow.body());
    }

    // ---- ws://.../ws/prices: a WebSocket (AioWebSocket) ----------------------------------------

    @Test
    void theWebSocketAnswersEachIdInOrderTimesOutSlowOnesAndSaysBye() {
        List<String> replies = new CopyOnWriteArrayList<>();
        new ReactorNettyWebSocketClient().execute(
                URI.create("ws://127.0.0.1:" + port + "/ws/prices"),
                session -> session.send(Flux.just("7", "slow-2", "bye").map(session::textMessage))
                        .and(session.receive().map(WebSocketMessage::getPayloadAsText)
                                .doOnNext(replies::add)))
                .block(Duration.ofSeconds(10)); // ends when the server closes after "bye"
        assertEquals(3, replies.size(), replies.toString());
        assertTrue(replies.get(0).matches("7: \\d+\\.\\d\\d"), replies.get(0));
        assertEquals(List.of("slow-2: upstream timeout", "bye"), replies.subList(1, 3));
    }

    // ---- GET /ticker ---------------------------------------------------------------------------

    private void awaitClosedStreams(int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ticker.closedStreams() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(ticker.closedStreams() >= atLeast,
                "the generator's finally did not run: " + ticker.closedStreams() + " closed");
    }

    @Test
    void aDisconnectingSseClientClosesTheGenerator() throws Exception {
        int before = ticker.closedStreams();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri("/ticker"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        List<String> data = new ArrayList<>();
        try (InputStream body = response.body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while (data.size() < 3 && (line = lines.readLine()) != null) {
                if (line.startsWith("data:")) {
                    data.add(line.substring(5));
                }
            }
        } // closing the body drops the connection: the client has gone
        assertEquals(List.of("tick 0", "tick 1", "tick 2"), data);
        awaitClosedStreams(before + 1);
    }

    @Test
    void webTestClientReadsTheTickerAndCancels() throws Exception {
        int before = ticker.closedStreams();
        var body = web.get().uri("/ticker").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(String.class).getResponseBody();
        StepVerifier.create(body.take(4))
                .expectNext("tick 0", "tick 1", "tick 2", "tick 3")
                .verifyComplete();
        awaitClosedStreams(before + 1);
    }

    // ---- POST /jobs, GET /jobs/{id} ------------------------------------------------------------

    private static final ParameterizedTypeReference<Map<String, Object>> JSON =
            new ParameterizedTypeReference<>() {};

    @Test
    void aJobRunsOnAWorkerAndItsResultCanBeFetched() throws Exception {
        Map<String, Object> accepted = web.post().uri("/jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("n", 100, "seconds", 0.01)).exchange()
                .expectStatus().isAccepted().expectBody(JSON).returnResult().getResponseBody();
        Map<String, Object> job = awaitDone(accepted.get("id"));
        assertEquals(5050, ((Number) job.get("result")).intValue());
        web.get().uri("/jobs/999999").exchange().expectStatus().isNotFound();
        web.post().uri("/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("n", -1, "seconds", 0)).exchange().expectStatus().isBadRequest();
    }

    @Test
    void aFullQueueAnswers429() throws Exception {
        // one worker, two places in the queue: slow jobs fill them, then the queue refuses.
        // Every test leaves the queue empty (this one waits for its jobs below), so the count
        // does not depend on the order the tests run in.
        List<Object> ids = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\": 1, \"seconds\": 0.5}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 202) {
                ids.add(r.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
            } else {
                refused = r;
            }
        }
        assertTrue(refused != null, "the queue never refused a job");
        assertEquals(429, refused.statusCode());
        assertTrue(refused.body().contains("queue full"), refused.body());
        assertTrue(ids.size() >= 2 && ids.size() <= 3, "accepted " + ids.size()
                + ": the queue's 2 places, plus the job the worker took");
        for (Object id : ids) { // leave the queue empty for the other tests
            awaitDone(id);
        }
    }

    private Map<String, Object> awaitDone(Object id) throws InterruptedException {
        Map<String, Object> job = Map.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"done".equals(job.get("status")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            job = web.get().uri("/jobs/" + id).exchange().expectStatus().isOk()
                    .expectBody(JSON).returnResult().getResponseBody();
        }
        assertEquals("done", job.get("status"), job.toString());
        return job;
    }
}
