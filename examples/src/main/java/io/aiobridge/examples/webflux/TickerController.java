package io.aiobridge.examples.webflux;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /ticker}: Server-Sent Events from an async generator. Each item waits for the
 * client's demand; when the client goes away, Spring cancels the Flux, which closes the generator,
 * so its {@code finally} runs: here it counts the closed streams, for the tests and for
 * {@code GET /ticker/closed}.
 */
@RestController
public class TickerController {
    private static final Logger LOG = LoggerFactory.getLogger(TickerController.class);

    private final double intervalSeconds;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    public TickerController(@Value("${ticker.interval-seconds:0.2}") double intervalSeconds) {
        this.intervalSeconds = intervalSeconds;
    }

    @GetMapping(path = "/ticker", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    AsyncGenerator<ServerSentEvent<String>, Void> ticker() {
        return AsyncGenerator.of(y -> {
            open.incrementAndGet();
            try {
                for (long i = 0; ; i++) {
                    y.yield(ServerSentEvent.builder("tick " + i).id(Long.toString(i)).build());
                    Aio.sleep(intervalSeconds);
                }
            } finally { // runs when the client disconnects
                open.decrementAndGet();
                closed.incrementAndGet();
                LOG.info("ticker stream closed");
            }
        });
    }

    /** How many ticker streams are open now, and how many have closed. */
    @GetMapping("/ticker/closed")
    Map<String, Integer> streams() {
        return Map.of("open", open.get(), "closed", closed.get());
    }

    int closedStreams() {
        return closed.get();
    }
}
