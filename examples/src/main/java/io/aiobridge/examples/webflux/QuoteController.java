package io.aiobridge.examples.webflux;

import static io.aiobridge.examples.webflux.RequestIds.REQUEST_ID;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.Coroutine;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /quotes/{id}}: two upstream calls at once, under a timeout, as a coroutine. */
@RestController
public class QuoteController {
    private static final Logger LOG = LoggerFactory.getLogger(QuoteController.class);

    private final Upstream upstream;
    private final double timeoutSeconds;

    public QuoteController(Upstream upstream,
            @Value("${quotes.timeout-seconds:1.0}") double timeoutSeconds) {
        this.upstream = upstream;
        this.timeoutSeconds = timeoutSeconds;
    }

    private String fetch(String path) {
        return upstream.get(path);
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
