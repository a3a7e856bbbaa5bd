package io.aiobridge.examples.webflux;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Stand-ins for the two services a quote is made from, so the example runs on its own. An id
 * starting with {@code slow} answers after five seconds, past the quote's timeout.
 */
@RestController
public class UpstreamController {
    private final AtomicInteger abandoned =
            new AtomicInteger();

    /** Upstream answers the client gave up on (the connection closed before the answer). */
    int abandoned() {
        return abandoned.get();
    }

    static Duration delayFor(String id) {
        return id.startsWith("slow") ? Duration.ofSeconds(5) : Duration.ofMillis(20);
    }

    @GetMapping("/upstream/price/{id}")
    Mono<String> price(@PathVariable String id) {
        return Mono.just(String.format("%d.%02d", 10 + Math.abs(id.hashCode()) % 90,
                Math.abs(id.hashCode()) % 100)).delayElement(delayFor(id))
                .doOnCancel(abandoned::incrementAndGet);
    }

    @GetMapping("/upstream/name/{id}")
    Mono<String> name(@PathVariable String id) {
        return Mono.just("Instrument " + id.toUpperCase()).delayElement(delayFor(id))
                .doOnCancel(abandoned::incrementAndGet);
    }
}
