package io.aiobridge.examples.webflux;

import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Puts each request's id into the Reactor Context (and the response), for the coroutines. */
@Component
public class RequestIdFilter implements WebFilter {
    private final AtomicLong next = new AtomicLong();

    public RequestIdFilter() {
        RequestIds.register();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String given = exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER);
        String id = given != null && !given.isBlank() ? given : "req-" + next.incrementAndGet();
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
        return chain.filter(exchange).contextWrite(ctx -> ctx
                .put(RequestIds.REQUEST_ID, id)   // read in a coroutine with REQUEST_ID.get()
                .put(RequestIds.MDC_KEY, id));    // restored into the MDC on the task's thread
    }
}
