package io.aiobridge.examples.webflux;

import static io.aiobridge.examples.webflux.RequestIds.REQUEST_ID;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.Coroutine;
import io.aiobridge.reactor.ReactorAwait;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

/** {@code GET /quotes/{id}}: two upstream calls at once, under a timeout, as a coroutine. */
@RestController
public class QuoteController {
    private static final Logger LOG = LoggerFactory.getLogger(QuoteController.class);

    private final WebClient.Builder clients;
    private final double timeoutSeconds;
    private final String configuredUpstream;
    private volatile WebClient upstream;

    public QuoteController(WebClient.Builder clients,
            @Value("${quotes.timeout-seconds:1.0}") double timeoutSeconds,
            @Value("${quotes.upstream-url:}") String configuredUpstream) {
        this.clients = clients;
        this.timeoutSeconds = timeoutSeconds;
        this.configuredUpstream = configuredUpstream;
    }

    /** Without a configured upstream, the stand-ins in this application are the upstream. */
    @EventListener
    void serverStarted(ReactiveWebServerInitializedEvent event) {
        String base = configuredUpstream.isBlank()
                ? "http://127.0.0.1:" + event.getWebServer().getPort() : configuredUpstream;
        upstream = clients.baseUrl(base).build();
    }

    private String fetch(String path) {
        return ReactorAwait.awaitSingle(upstream.get().uri(path).retrieve().bodyToMono(String.class));
    }

    // tag::quote-handler[]
    @GetMapping("/quotes/{id}")
    Coroutine<ResponseEntity<Map<String, Object>>> quote(@PathVariable String id) {
        return () -> {      // bridge-spring runs it as a task per request on the loop group
            LOG.info("quote {} requested", id); // the log line carries the request id (MDC)
            try {
                List<String> priceAndName = Aio.timeout(timeoutSeconds, () -> Aio.gather(
                        () -> fetch("/upstream/price/" + id),
                        () -> fetch("/upstream/name/" + id)).await());
                return ResponseEntity.ok(Map.of("id", id, "price", priceAndName.get(0),
                        "name", priceAndName.get(1), "requestId", REQUEST_ID.get()));
            } catch (AsyncTimeoutException e) {
                // leaving the timeout cancelled both calls (and their HTTP requests)
                LOG.warn("quote {} timed out after {} s", id, timeoutSeconds);
                return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(Map.of(
                        "error", "upstream timeout",
                        "detail", "the price and name services did not both answer within "
                                + timeoutSeconds + " s",
                        "requestId", REQUEST_ID.get()));
            }
        };
    }
    // end::quote-handler[]
}
