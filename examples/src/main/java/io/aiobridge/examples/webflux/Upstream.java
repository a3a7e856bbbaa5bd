package io.aiobridge.examples.webflux;

import io.aiobridge.reactor.ReactorAwait;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The price and name services, called from a task: {@code quotes.upstream-url}, or the
 * stand-ins of {@link UpstreamController} in this application when none is configured.
 */
@Component
public class Upstream {
    private final WebClient.Builder clients;
    private final String configuredUrl;
    private volatile WebClient client;

    public Upstream(WebClient.Builder clients,
            @Value("${quotes.upstream-url:}") String configuredUrl) {
        this.clients = clients;
        this.configuredUrl = configuredUrl;
    }

    /** Without a configured upstream, the stand-ins in this application are the upstream. */
    @EventListener
    void serverStarted(ReactiveWebServerInitializedEvent event) {
        String base = configuredUrl.isBlank()
                ? "http://127.0.0.1:" + event.getWebServer().getPort() : configuredUrl;
        client = clients.baseUrl(base).build();
    }

    /**
     * GETs {@code path} and awaits the body; a cancel of the awaiting task cancels the request.
     *
     * @param path the path on the upstream
     * @return the body
     */
    public String get(String path) {
        return ReactorAwait.awaitSingle(client.get().uri(path).retrieve().bodyToMono(String.class));
    }
}
