package io.aiobridge.examples.webflux;

import io.aiobridge.ContextVar;
import io.micrometer.context.ContextRegistry;
import org.slf4j.MDC;

/**
 * The request id, two ways: as an aiobridge {@link ContextVar} (it is also its own Reactor
 * Context key), and as the logging MDC entry {@value #MDC_KEY}, which Micrometer's
 * context-propagation carries between the Reactor Context and the thread running a coroutine
 * (Spring Boot's {@code spring.reactor.context-propagation=auto} turns that on).
 */
public final class RequestIds {
    private RequestIds() {}

    /** The current request's id, in every task serving the request. */
    public static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id", "none");

    /** The MDC entry (and Reactor Context key) for the log pattern's {@code %X{requestId}}. */
    public static final String MDC_KEY = "requestId";

    /** The request header that carries the id; one is made up when it is missing. */
    public static final String HEADER = "X-Request-Id";

    static {
        ContextRegistry.getInstance().registerThreadLocalAccessor(MDC_KEY,
                () -> MDC.get(MDC_KEY), v -> MDC.put(MDC_KEY, v), () -> MDC.remove(MDC_KEY));
    }

    /** Loads the class, registering the MDC accessor once. */
    static void register() {}
}
