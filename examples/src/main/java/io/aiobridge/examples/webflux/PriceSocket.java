package io.aiobridge.examples.webflux;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.spring.AioWebSocket;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

/**
 * {@code ws://.../ws/prices}: a WebSocket written as sequential code through {@link
 * AioWebSocket}. The client sends ids, one per message; the server answers each with its price
 * from the upstream, under the same timeout as the HTTP routes, and says "bye" to "bye".
 */
@Configuration(proxyBeanMethods = false)
public class PriceSocket {

    // tag::websocket[]
    @Bean
    HandlerMapping priceSocketMapping(Upstream upstream,
            @Value("${quotes.timeout-seconds:1.0}") double timeoutSeconds) {
        return new SimpleUrlHandlerMapping(Map.of("/ws/prices", AioWebSocket.handler(ws -> {
            for (String id : ws.receiveText()) {              // async for id in websocket
                if (id.equals("bye")) {
                    ws.send("bye");
                    return;                                   // flushes, then closes
                }
                try {
                    ws.send(id + ": " + Aio.timeout(timeoutSeconds,
                            () -> upstream.get("/upstream/price/" + id)));
                } catch (AsyncTimeoutException e) {
                    ws.send(id + ": upstream timeout");
                }
            }
        })), -1);
    }
    // end::websocket[]
}
