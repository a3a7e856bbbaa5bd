package io.aiobridge.examples.webflux;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring WebFlux service whose handlers are written asyncio-style through aiobridge:
 *
 * <ul>
 *   <li>{@code GET /quotes/{id}} ({@link QuoteController}): a coroutine awaits two upstream
 *       calls at once ({@code gather}) under a {@code timeout}; a slow upstream is a 504 with a
 *       body that says so;
 *   <li>{@code GET /prices/{id}} ({@link PriceRoutes}): a functional route and a filter, each a
 *       task per request through {@code AioWebFlux};
 *   <li>{@code ws://.../ws/prices} ({@link PriceSocket}): a WebSocket answering each id it
 *       receives with its price, a task per connection through {@code AioWebSocket};
 *   <li>{@code GET /ticker} ({@link TickerController}): Server-Sent Events from an async
 *       generator; a client that disconnects closes the generator (its {@code finally} runs);
 *   <li>{@code POST /jobs}, {@code GET /jobs/{id}} ({@link JobController}): work queued on an
 *       aiobridge queue, served by a TaskGroup of worker tasks; a full queue is a 429;
 *   <li>every request's id ({@code X-Request-Id}) reaches the coroutines as a context variable and
 *       in the logging MDC ({@link RequestIdFilter}).
 * </ul>
 *
 * <p>Run it with {@code ./mvnw -q -Pdemo -pl examples -am package -DskipTests
 * -Ddemo.main=io.aiobridge.examples.webflux.QuotesApplication}, then {@code curl
 * localhost:8080/quotes/7}.
 */
@SpringBootApplication
public class QuotesApplication {
    public static void main(String[] args) {
        SpringApplication.run(QuotesApplication.class, args);
    }
}
