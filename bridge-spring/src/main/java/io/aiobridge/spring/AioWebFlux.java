package io.aiobridge.spring;

import io.aiobridge.Coroutine;
import io.aiobridge.reactor.ReactorAwait;
import java.util.Objects;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * WebFlux's functional endpoints and filters written asyncio-style, as Kotlin's {@code coRouter
 * { }} and {@code CoWebFilter} let a {@code suspend} function be one: each is plain sequential
 * code that runs as a task per request, awaits Monos and Fluxes, and returns its result.
 *
 * <pre>{@code
 * RouterFunction<ServerResponse> routes = RouterFunctions.route()
 *         .GET("/users/{id}", AioWebFlux.handler(request -> {
 *             User user = ReactorAwait.awaitSingle(users.find(request.pathVariable("id")));
 *             return ReactorAwait.awaitSingle(ServerResponse.ok().bodyValue(user));
 *         }))
 *         .filter(AioWebFlux.filter((request, next) -> {
 *             long t0 = System.nanoTime();
 *             try {
 *                 return next.handle(request);      // awaits the handler
 *             } finally {
 *                 timings.record(System.nanoTime() - t0);
 *             }
 *         }))
 *         .build();
 * }</pre>
 *
 * <p>The task runs on a loop of the application's loop group, as a controller's {@code Coroutine}
 * does (on the Netty event loop that read the request when {@code aiobridge.netty-carriers} is
 * on), sees the Reactor Context of the request in its context variables and in {@link
 * io.aiobridge.reactor.ReactorContexts#current()}, and is cancelled when the client goes away. A
 * context variable that a filter's task sets before it awaits the rest of the chain reaches the
 * handler's task, through the Reactor Context of the Mono it awaits. A pooled {@code DataBuffer}
 * that a task received and did not use (a request body it awaited to its end and ignored) is
 * released.
 */
public final class AioWebFlux {
    private AioWebFlux() {}

    /**
     * A handler function body: runs in a task, may await.
     *
     * @param <T> the response type
     */
    @FunctionalInterface
    public interface Handler<T extends ServerResponse> {
        /**
         * Handles {@code request}.
         *
         * @param request the request
         * @return the response, never null
         * @throws Exception anything, which Spring handles as a failed handler's error
         */
        T handle(ServerRequest request) throws Exception;
    }

    /**
     * A handler filter body: runs in a task, may await, and calls {@code next} (which awaits the
     * handler it wraps) or answers itself.
     *
     * @param <T> the response type of the handler it wraps
     * @param <R> the response type it returns
     */
    @FunctionalInterface
    public interface HandlerFilter<T extends ServerResponse, R extends ServerResponse> {
        /**
         * Filters {@code request}.
         *
         * @param request the request
         * @param next the wrapped handler; calling it awaits that handler's response
         * @return the response, never null
         * @throws Exception anything, which Spring handles as a failed handler's error
         */
        R filter(ServerRequest request, Handler<T> next) throws Exception;
    }

    /** A web filter body: runs in a task, may await, and calls {@code chain} or answers itself. */
    @FunctionalInterface
    public interface Filter {
        /**
         * Filters {@code exchange}.
         *
         * @param exchange the exchange
         * @param chain the rest of the chain; calling it awaits the rest
         * @throws Exception anything, which Spring handles as a failed filter's error
         */
        void filter(ServerWebExchange exchange, Chain chain) throws Exception;
    }

    /** The rest of a web filter chain, awaited from the filter's task. */
    @FunctionalInterface
    public interface Chain {
        /**
         * Runs the rest of the chain (the next filters and the handler) for {@code exchange}
         * and waits until it has finished, as {@code chain.filter(exchange)} does for a reactive
         * filter. Call it from the filter's task.
         *
         * @param exchange the exchange, or a mutated one
         */
        void filter(ServerWebExchange exchange);
    }

    /**
     * A {@link HandlerFunction} whose body is plain sequential code, run as a task per request
     * ({@code coRouter}'s handlers, in Kotlin). A null response is an error naming the route.
     *
     * @param body the handler
     * @param <T> the response type
     * @return the handler function, for {@code RouterFunctions.route()}
     */
    public static <T extends ServerResponse> HandlerFunction<T> handler(Handler<T> body) {
        Objects.requireNonNull(body, "body is null");
        return request -> inTask(request.exchange(),
                () -> nonNull(body.handle(request), request, "handler"));
    }

    /**
     * A {@link HandlerFilterFunction} whose body is plain sequential code, run as a task per
     * request; {@code next.handle(request)} in it awaits the wrapped handler's response. A null
     * response, or an empty one from the wrapped handler, is an error naming the route.
     *
     * @param body the filter
     * @param <T> the response type of the handler it wraps
     * @param <R> the response type it returns
     * @return the filter function, for {@code RouterFunction.filter}
     */
    public static <T extends ServerResponse, R extends ServerResponse> HandlerFilterFunction<T, R>
            filter(HandlerFilter<T, R> body) {
        Objects.requireNonNull(body, "body is null");
        return (request, next) -> inTask(request.exchange(), () -> nonNull(body.filter(request,
                r -> nonNull(ReactorAwait.awaitSingleOrNull(next.handle(r)), r,
                        "handler the filter wraps")), request, "filter"));
    }

    /**
     * A {@link WebFilter} whose body is plain sequential code, run as a task per request
     * (Kotlin's {@code CoWebFilter}); {@code chain.filter(exchange)} in it awaits the rest of
     * the chain. A context variable the body sets before that call is seen by the tasks of the
     * filters and handlers after it.
     *
     * @param body the filter
     * @return the web filter, to declare as a bean
     */
    public static WebFilter webFilter(Filter body) {
        Objects.requireNonNull(body, "body is null");
        return (exchange, chain) -> inTask(exchange, () -> {
            body.filter(exchange, e -> ReactorAwait.awaitSingleOrNull(chain.filter(e)));
            return null;
        });
    }

    /**
     * One task per subscription, on the group of the exchange's application context; pooled
     * buffers the task drops go back to their pool.
     */
    private static <T> Mono<T> inTask(ServerWebExchange exchange, Coroutine<T> body) {
        return Mono.defer(() -> ContextGroups.mono(body, ContextGroups.loopOf(
                ContextGroups.groupOf(exchange.getApplicationContext()))))
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    }

    private static <T> T nonNull(T response, ServerRequest request, String what) {
        if (response == null) {
            throw new IllegalStateException("the " + what + " for " + request.method() + " "
                    + request.path() + " gave no response: return a ServerResponse (for none, "
                    + "ReactorAwait.awaitSingle(ServerResponse.noContent().build()))");
        }
        return response;
    }
}
