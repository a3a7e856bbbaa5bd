package io.aiobridge.examples.seeds;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A local web server for the crawler to fetch from, on 127.0.0.1 and a free port, so the example
 * needs no network: {@code GET /page/N} answers after N x 20 ms with a page of N x 100 characters.
 * It counts the requests in flight, so a test can see the crawler's concurrency limit at work.
 */
public final class LocalPages implements AutoCloseable {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final DisposableServer server;

    public LocalPages() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/page/{n}", (request, response) -> {
                    int n = Integer.parseInt(request.param("n"));
                    // a request counts from its subscription until its body is produced, which
                    // is before the client can read it: counting until the server's own
                    // completion (doFinally, after the flush) let a client that had already
                    // released its semaphore start the next request inside that window
                    AtomicBoolean counted = new AtomicBoolean(true);
                    Runnable uncount = () -> {
                        if (counted.compareAndSet(true, false)) {
                            inFlight.decrementAndGet();
                        }
                    };
                    return response.sendString(Mono.just("x".repeat(n * 100))
                            .delayElement(Duration.ofMillis(20L * n))
                            .doOnSubscribe(s -> maxInFlight.accumulateAndGet(
                                    inFlight.incrementAndGet(), Math::max))
                            .doOnNext(body -> uncount.run())
                            .doFinally(s -> uncount.run()));
                }))
                .bindNow();
    }

    /** The URL of page {@code n}. */
    public String url(int n) {
        return "http://127.0.0.1:" + server.port() + "/page/" + n;
    }

    /** The most requests this server had in flight at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
