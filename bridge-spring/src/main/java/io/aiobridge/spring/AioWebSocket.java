package io.aiobridge.spring;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.queue.QueueShutDownException;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.reactor.ReactorIterate;
import io.aiobridge.reactor.ReactorPublish;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.DisconnectedClientHelper;
import reactor.core.publisher.Mono;

/**
 * A WebFlux WebSocket handler written asyncio-style, as with Python's {@code websockets}: the
 * body runs as a task of the application's loop group, iterates the messages it receives and
 * sends its own, awaiting where the connection makes it wait.
 *
 * <pre>{@code
 * @Bean
 * HandlerMapping sockets() {
 *     return new SimpleUrlHandlerMapping(Map.of("/echo", AioWebSocket.handler(ws -> {
 *         for (String text : ws.receiveText()) {      // async for message in websocket
 *             ws.send("echo: " + text);              // await websocket.send(...)
 *         }
 *     })), -1);
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Receiving</b> ({@link #receiveText()}, {@link #receiveBytes()}): with backpressure; each
 *       message's payload is copied out while the server still holds its pooled buffer, so
 *       nothing is released too early or leaked. The iteration ends when the client closes.
 *   <li><b>Sending</b> ({@link #send(String)}, {@link #send(byte[])}): the message is queued for
 *       the connection, and {@code send} waits while {@code sendBuffer} messages are queued
 *       (a slow client slows the task down instead of growing a buffer).
 *   <li><b>The end.</b> When the body returns, the queued messages are sent and the session
 *       closes normally; when it throws, the session ends with the error, which Spring logs. A
 *       client that goes away while the body only sends cancels the body's task ({@code
 *       finally} blocks run), as a client leaving cancels a controller's coroutine, and so does
 *       the server's shutdown; if the connection failed otherwise, the handler ends with that
 *       failure, which Spring logs.
 * </ul>
 *
 * <p>A session is confined to the body's task: {@code send} and the iterations are for it and
 * for tasks on its loop, as asyncio's transports are.
 */
public final class AioWebSocket {
    /** Messages {@link #send} queues before it waits, by default. */
    public static final int DEFAULT_SEND_BUFFER = 16;

    private final WebSocketSession session;
    private final AsyncQueue<Object> outbound;
    private volatile boolean peerGone;
    /** Why the outbound stream failed while the body ran, unless the client just went away. */
    private volatile Throwable sendFailure;
    /** The outbound stream's end, once the body's task subscribed it. */
    private AsyncFuture<Void> sending;

    private AioWebSocket(WebSocketSession session, int sendBuffer) {
        this.session = session;
        this.outbound = new AsyncQueue<>(sendBuffer);
    }

    /**
     * The body of a handler: runs as a task per connection.
     */
    @FunctionalInterface
    public interface Body {
        /**
         * Serves one connection.
         *
         * @param ws the connection
         * @throws Exception anything, which ends the session with that error
         */
        void run(AioWebSocket ws) throws Exception;
    }

    /**
     * A WebSocket handler running {@code body} as a task per connection, with a send buffer of
     * {@link #DEFAULT_SEND_BUFFER} messages.
     *
     * @param body the body
     * @return the handler, for a {@code HandlerMapping}
     */
    public static WebSocketHandler handler(Body body) {
        return handler(body, DEFAULT_SEND_BUFFER);
    }

    /**
     * A WebSocket handler running {@code body} as a task per connection.
     *
     * @param body the body
     * @param sendBuffer how many messages {@link #send} queues before it waits, at least 1
     * @return the handler, for a {@code HandlerMapping}
     * @throws IllegalArgumentException if {@code sendBuffer} is less than 1
     */
    public static WebSocketHandler handler(Body body, int sendBuffer) {
        Objects.requireNonNull(body, "body is null");
        if (sendBuffer < 1) {
            throw new IllegalArgumentException("sendBuffer must be at least 1, got " + sendBuffer);
        }
        return session -> {
            AioWebSocket ws = new AioWebSocket(session, sendBuffer);
            return ReactorPublish.<Void>mono(() -> {
                ws.serve(body);
                return null;
            }).onErrorResume(CancellationException.class, e -> !ws.peerGone ? Mono.error(e)
                    : ws.sendFailure != null ? Mono.error(ws.sendFailure) // a real failure
                    : Mono.empty()); // the client left
        };
    }

    /** Runs the body with the outbound stream subscribed beside it; runs in the task. */
    private void serve(Body body) throws Exception {
        Task<?> self = Aio.currentTask();
        AsyncFuture<Void> sending = ReactorAwait.future(session.send(ReactorPublish.<
                WebSocketMessage>flux(y -> {
            for (;;) {
                Object next;
                try {
                    next = outbound.get();
                } catch (QueueShutDownException end) {
                    return; // the body is done and everything queued was sent
                }
                y.yield(next instanceof String text ? session.textMessage(text)
                        : session.binaryMessage(f -> f.wrap((byte[]) next)));
            }
        }, Aio.getRunningLoop()).doOnDiscard(WebSocketMessage.class,
                m -> DataBufferUtils.release(m.getPayload()))));
        this.sending = sending;
        sending.addDoneCallback(f -> {
            if (!self.isDone() && !outbound.isShutDown()) {
                Throwable failure = f.isCancelled() ? null : f.exception();
                if (failure != null
                        && !DisconnectedClientHelper.isClientDisconnectedException(failure)) {
                    sendFailure = failure; // the handler fails with it, as Spring's would
                }
                peerGone = true; // the connection ended while the body still runs
                outbound.shutdown(true);
                self.cancel();
            }
        });
        boolean returned = false;
        try {
            body.run(this);
            returned = true;
        } finally {
            if (returned) {
                outbound.shutdown(); // what is queued goes out, then the stream completes
            } else {
                outbound.shutdown(true);
                sending.cancel();
            }
        }
        try {
            sending.await(); // flushed
        } catch (CancelledError e) {
            sending.cancel();
            throw e;
        }
    }

    /**
     * The Spring session: its id, handshake info and attributes.
     *
     * @return the session
     */
    public WebSocketSession session() {
        return session;
    }

    /**
     * The messages received, as text (a binary message decoded as UTF-8), until the client
     * closes. The session's messages can be iterated once, by this or {@link #receiveBytes()}.
     *
     * @return the messages
     */
    public AsyncIterable<String> receiveText() {
        return ReactorIterate.iterate(session.receive().map(WebSocketMessage::getPayloadAsText));
    }

    /**
     * The messages received, as bytes, until the client closes. The session's messages can be
     * iterated once, by this or {@link #receiveText()}.
     *
     * @return the messages
     */
    public AsyncIterable<byte[]> receiveBytes() {
        return ReactorIterate.iterate(session.receive().map(m -> {
            byte[] bytes = new byte[m.getPayload().readableByteCount()];
            m.getPayload().read(bytes);
            return bytes;
        }));
    }

    /**
     * Queues a text message; waits while the send buffer is full.
     *
     * @param text the message
     * @throws IllegalStateException if the session ended or the body returned
     */
    public void send(String text) {
        put(Objects.requireNonNull(text, "text is null"));
    }

    /**
     * Queues a binary message; waits while the send buffer is full. The array is sent as it is
     * then, not copied: do not change it afterwards.
     *
     * @param bytes the message
     * @throws IllegalStateException if the session ended or the body returned
     */
    public void send(byte[] bytes) {
        put(Objects.requireNonNull(bytes, "bytes is null"));
    }

    private void put(Object message) {
        try {
            outbound.put(message);
        } catch (QueueShutDownException e) {
            throw new IllegalStateException("the WebSocket session " + session.getId()
                    + " is closed; nothing more can be sent on it", e);
        }
    }

    /**
     * Sends what is queued, then closes the session with {@code status}; waits until it is
     * closed. Later sends fail; the body may go on (to finish iterating, say).
     *
     * @param status the close status, such as {@code CloseStatus.NORMAL}
     */
    public void close(CloseStatus status) {
        Objects.requireNonNull(status, "status is null");
        outbound.shutdown();
        sending.await(); // what was queued is sent
        ReactorAwait.awaitCompletion(session.close(status));
    }
}
