package io.aiobridge.examples.webflux;

import static io.aiobridge.examples.webflux.RequestIds.REQUEST_ID;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.spring.AioWebFlux;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /prices/{id}}: a functional endpoint, with a filter that logs each answer, both
 * written as sequential code through {@link AioWebFlux} (what Kotlin's {@code coRouter} is).
 */
@Configuration(proxyBeanMethods = false)
public class PriceRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(PriceRoutes.class);

    // tag::functional-route[]
    @Bean
    RouterFunction<ServerResponse> priceRoute(Upstream upstream,
            @Value("${quotes.timeout-seconds:1.0}") double timeoutSeconds) {
        return RouterFunctions.route()
                .GET("/prices/{id}", AioWebFlux.handler(request -> { // a task per request
                    String id = request.pathVariable("id");
                    try {
                        String price = Aio.timeout(timeoutSeconds,
                                () -> upstream.get("/upstream/price/" + id));
                        return ReactorAwait.awaitSingle(ServerResponse.ok().bodyValue(
                                Map.of("id", id, "price", price, "requestId", REQUEST_ID.get())));
                    } catch (AsyncTimeoutException e) {
                        return ReactorAwait.awaitSingle(ServerResponse
                                .status(HttpStatus.GATEWAY_TIMEOUT)
                                .bodyValue(Map.of("error", "upstream timeout")));
                    }
                }))
                .filter(AioWebFlux.filter((request, next) -> {
                    long started = System.nanoTime();
                    ServerResponse response = next.handle(request); // awaits the handler
                    LOG.info("{} answered {} in {} ms", request.path(),
                            response.statusCode().value(), (System.nanoTime() - started) / 1e6);
                    return response;
                }))
                .build();
    }
    // end::functional-route[]
}
