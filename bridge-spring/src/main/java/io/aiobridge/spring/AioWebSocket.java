package io.aiobridge.spring;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoopGroup;
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
import reactor.core.publisher.Flux;
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
 *       (a slow client slows the task down instead of growing a buffer). {@link #ping(byte[])}
 *       queues a ping the same way; pings and pongs from the client never appear among the
 *       received messages (the server answers a ping itself).
 *   <li><b>The end.</b> When the body returns, the queued messages are sent and the session
 *       closes normally; when it throws, the session ends with the error, which Spring logs.
 *       When the client goes away, a body waiting for its next message gets every message the
 *       client sent before it left, then the end of the iteration (a send after that throws,
 *       and the handler ends quietly with it); a body doing anything else (sending, sleeping,
 *       awaiting other work) is cancelled ({@code finally} blocks run), as a client leaving
 *       cancels a controller's coroutine; the server's shutdown cancels it too. If the
 *       connection failed otherwise, the handler ends with that failure, which Spring logs.
 *       {@link #waitClosed()} waits for the close and tells its code and reason, as websockets'
 *       {@code wait_closed()}, {@code close_code} and {@code close_reason} do.
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
    /**
     * True while the body's own task waits for its next message or the close (loop-confined:
     * set by that task, read by a done callback on its loop).
     */
    private boolean awaitingPeer;
    /** The body's task, once it runs. */
    private Task<?> bodyTask;
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
        return onGroup(body, sendBuffer, null);
    }

    /**
     * A WebSocket handler running {@code body} as a task per connection on a loop of {@code
     * group}: for an application that keeps two contexts alive at once (Spring's test-context
     * cache does), whose handlers would otherwise all run on the JVM's default group, the
     * context started last. Pass the context's own {@code EventLoopGroup} bean.
     *
     * @param body the body
     * @param sendBuffer how many messages {@link #send} queues before it waits, at least 1
     * @param group the group whose loops run the bodies ({@link EventLoopGroup#next()} per
     *     connection: on Netty's carriers, the loop of the thread that accepted it)
     * @return the handler, for a {@code HandlerMapping}
     * @throws IllegalArgumentException if {@code sendBuffer} is less than 1
     */
    public static WebSocketHandler handler(Body body, int sendBuffer, EventLoopGroup group) {
        return onGroup(body, sendBuffer, Objects.requireNonNull(group, "group is null; pass the"
                + " context's EventLoopGroup bean, or use handler(body, sendBuffer) for the"
                + " default group"));
    }

    /** The handler; {@code group} null: the JVM's default group. */
    private static WebSocketHandler onGroup(Body body, int sendBuffer, EventLoopGroup group) {
        Objects.requireNonNull(body, "body is null");
        if (sendBuffer < 1) {
            throw new IllegalArgumentException("sendBuffer must be at least 1, got " + sendBuffer);
        }
        return session -> {
            AioWebSocket ws = new AioWebSocket(session, sendBuffer);
            Coroutine<Void> serve = () -> {
                ws.serve(body);
                return null;
            };
            return ContextGroups.mono(serve, group == null ? null : group.next())
                    .onErrorResume(e -> e instanceof CancellationException
                            || e instanceof SessionClosedException,
                            e -> !ws.peerGone ? Mono.error(e)
                            : ws.sendFailure != null ? Mono.error(ws.sendFailure) // a real failure
                            : Mono.empty()); // the client left
        };
    }

    /** Runs the body with the outbound stream subscribed beside it; runs in the task. */
    private void serve(Body body) throws Exception {
        Task<?> self = Aio.currentTask();
        this.bodyTask = self;
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
                        : next instanceof Ping ping ? session.pingMessage(f -> f.wrap(ping.data))
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
                if (!awaitingPeer) {
                    self.cancel(); // one waiting for a message gets the rest, then the end
                }
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
        return received(ReactorIterate.iterate(data().map(WebSocketMessage::getPayloadAsText)));
    }

    /** {@code messages}, noting while the body waits for the next one. */
    private <T> AsyncIterable<T> received(AsyncIterable<T> messages) {
        return () -> {
            AsyncIterator<T> it = messages.aiter();
            return new AsyncIterator<>() {
                @Override
                public Awaitable<T> anext() {
                    Awaitable<T> next = it.anext();
                    return () -> awaitingPeer(next);
                }

                @Override
                public void aclose() {
                    it.aclose();
                }
            };
        };
    }

    /** The data messages received: pings and pongs are the connection's, not the body's. */
    private Flux<WebSocketMessage> data() {
        return session.receive().filter(m -> m.getType() == WebSocketMessage.Type.TEXT
                || m.getType() == WebSocketMessage.Type.BINARY);
    }

    /**
     * The messages received, as bytes, until the client closes. The session's messages can be
     * iterated once, by this or {@link #receiveText()}.
     *
     * @return the messages
     */
    public AsyncIterable<byte[]> receiveBytes() {
        return received(ReactorIterate.iterate(data().map(m -> {
            byte[] bytes = new byte[m.getPayload().readableByteCount()];
            m.getPayload().read(bytes);
            return bytes;
        })));
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

    /**
     * Queues a ping frame with {@code payload} (at most 125 bytes, as RFC 6455 allows a control
     * frame); waits while the send buffer is full. The client answers with a pong, which the
     * iterations of {@link #receiveText()} and {@link #receiveBytes()} skip, as they skip every
     * ping and pong: a ping from the client is answered by the server without the body.
     *
     * @param payload the ping's application data, possibly empty
     * @throws IllegalArgumentException if {@code payload} is longer than 125 bytes
     * @throws IllegalStateException if the session ended or the body returned
     */
    public void ping(byte[] payload) {
        Objects.requireNonNull(payload, "payload is null");
        if (payload.length > 125) {
            throw new IllegalArgumentException("a ping's payload is at most 125 bytes (RFC 6455,"
                    + " section 5.5), got " + payload.length);
        }
        put(new Ping(payload.clone()));
    }

    /** A ping queued for the outbound stream. */
    private record Ping(byte[] data) {}

    /**
     * Waits until the session is closed, by either side, and returns its close status: the
     * counterpart of websockets' {@code await ws.wait_closed()} followed by {@code
     * ws.close_code} and {@code ws.close_reason}. After the client closed (its messages' iteration
     * ended), this is the code and reason the client sent.
     *
     * @return the status, or null when the server does not report one (a connection that ended
     *     without a close frame, on a server that reports none then)
     */
    public CloseStatus waitClosed() {
        return awaitingPeer(() -> ReactorAwait.awaitSingleOrNull(session.closeStatus()));
    }

    /**
     * Awaits what only the client ends (a message, the close): the client leaving ends such a
     * wait of the body's own task rather than cancelling the task. Another task's wait does not
     * count: the body itself may be doing anything then.
     */
    private <T> T awaitingPeer(Awaitable<T> wait) {
        if (Aio.currentTask() != bodyTask) {
            return wait.await();
        }
        awaitingPeer = true;
        try {
            return wait.await();
        } finally {
            awaitingPeer = false;
        }
    }

    private void put(Object message) {
        try {
            outbound.put(message);
        } catch (QueueShutDownException e) {
            throw new SessionClosedException("the WebSocket session " + session.getId()
                    + " is closed; nothing more can be sent on it", e);
        }
    }

    /** A send after the end: when the client left, the handler ends quietly with it. */
    private static final class SessionClosedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        SessionClosedException(String message, Throwable cause) {
            super(message, cause);
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
