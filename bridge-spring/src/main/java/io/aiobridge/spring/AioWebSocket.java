package io.aiobridge.spring;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.Task;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.flow.IteratorSubscriber;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.queue.QueueShutDownException;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.reactor.ReactorPublish;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
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
 *   <li><b>Receiving</b> ({@link #receiveText()}, {@link #receiveBytes()}): a reader task beside
 *       the body reads the connection into a buffer of 16 messages (websockets' {@code
 *       max_queue}) and stops reading while it is full, so a slow body slows the client down;
 *       each message's payload is copied out while the server still holds its pooled buffer, so
 *       nothing is released too early or leaked. An iteration ends when the client closes.
 *   <li><b>Sending</b> ({@link #send(String)}, {@link #send(byte[])}): the message is queued for
 *       the connection, and {@code send} waits while {@code sendBuffer} messages are queued
 *       (a slow client slows the task down instead of growing a buffer). {@link #ping(byte[])}
 *       queues a ping the same way and returns its pong waiter, which the reader completes with
 *       the round trip, as websockets' {@code await ws.ping()}; pings and pongs from the client
 *       never appear among the received messages (the server answers a ping itself).
 *   <li><b>The end.</b> When the body returns, the queued messages are sent and the session
 *       closes normally; when it throws, the session ends with the error, which Spring logs.
 *       When the client goes away, a body waiting for its next message gets every message the
 *       client sent before it left, then the end of the iteration (a send after that throws,
 *       and the handler ends quietly with it); a body doing anything else (sending, sleeping,
 *       awaiting other work, a pong included) is cancelled ({@code finally} blocks run), as a
 *       client leaving cancels a controller's coroutine, and pong waiters still pending fail;
 *       the server's shutdown cancels the body too. If the
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
    /**
     * Data messages read ahead of the body before the connection stops reading (websockets'
     * {@code max_queue}); Reactor Netty holds a few more in flight.
     */
    private static final int RECEIVE_BUFFER = 16;
    /** Messages the reader asks Reactor Netty for ahead of the buffer. */
    private static final int RECEIVE_PREFETCH = 4;

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
    /**
     * The data messages read and not yet taken (a {@code String}, a {@code byte[]}, or a {@link
     * Failure} last); the reader task fills it, the iterations drain it.
     */
    private final AsyncQueue<Object> inbound = new AsyncQueue<>(RECEIVE_BUFFER);
    /** The pings whose pong has not come, in the order they were queued (loop-confined). */
    private final List<PongWaiter> pings = new ArrayList<>();

    /** The connection's messages, subscribed when the handler was called. */
    private final IteratorSubscriber<Object> received;

    private AioWebSocket(WebSocketSession session, int sendBuffer,
            IteratorSubscriber<Object> received) {
        this.session = session;
        this.outbound = new AsyncQueue<>(sendBuffer);
        this.received = received;
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
            EventLoop loop = group != null ? group.next() : ContextGroups.defaultLoop();
            // subscribed now, on the server's thread, as a plain handler's receive() is: frames
            // that come before the body's task starts are held, not lost to an early close
            IteratorSubscriber<Object> received = FlowIterate.subscriber(loop, RECEIVE_PREFETCH,
                    FlowIterate.DEFAULT_REPLENISH);
            session.receive().mapNotNull(AioWebSocket::copyOut).subscribe(received);
            AioWebSocket ws = new AioWebSocket(session, sendBuffer, received);
            Coroutine<Void> serve = () -> {
                ws.serve(body);
                return null;
            };
            return ReactorPublish.mono(serve, loop)
                    .onErrorResume(e -> e instanceof CancellationException
                            || e instanceof SessionClosedException,
                            e -> !ws.peerGone ? Mono.error(e)
                            : ws.sendFailure != null ? Mono.error(ws.sendFailure) // a real failure
                            : Mono.empty()); // the client left
        };
    }

    /**
     * Runs the body with the outbound stream subscribed and a reader task beside it; runs in the
     * task.
     */
    private void serve(Body body) throws Exception {
        Task<?> self = Aio.currentTask();
        this.bodyTask = self;
        EventLoop loop = Aio.getRunningLoop();
        AsyncFuture<Void> sending = ReactorAwait.future(session.send(ReactorPublish.<
                WebSocketMessage>flux(y -> {
            for (;;) {
                Object next;
                try {
                    next = outbound.get();
                } catch (QueueShutDownException end) {
                    return; // the body is done and everything queued was sent
                }
                if (next instanceof PongWaiter ping) {
                    ping.sentAt = loop.time(); // a pong counts from here
                    y.yield(session.pingMessage(f -> f.wrap(ping.data)));
                } else {
                    y.yield(next instanceof String text ? session.textMessage(text)
                            : session.binaryMessage(f -> f.wrap((byte[]) next)));
                }
            }
        }, loop).doOnDiscard(WebSocketMessage.class,
                m -> DataBufferUtils.release(m.getPayload()))));
        Task<Void> reader = Aio.createTask(() -> {
            read();
            return null;
        });
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
                pongsEnded(); // here, not when reading ends: a body awaiting one is cancelled
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
        } finally {
            reader.cancel(); // the session ends with the body: so does its reading
            inbound.shutdown(true); // also when the reader was cancelled before it started
            pongsEnded();
        }
    }

    /**
     * The reader task: reads the connection for the body, answering pong waiters at once and
     * queueing data messages, and waits while {@link #RECEIVE_BUFFER} of them are not taken.
     */
    private void read() {
        try {
            for (Object m : received) {
                if (m instanceof Pong pong) {
                    ponged(pong.data);
                } else {
                    inbound.put(m);
                }
            }
            inbound.shutdown(); // the client closed: what was read is still taken, then the end
        } catch (CancelledError e) {
            inbound.shutdown(true);
            throw e;
        } catch (QueueShutDownException e) {
            // the body is gone: nobody takes the rest
        } catch (Throwable e) {
            try {
                inbound.put(new Failure(e)); // after the messages read before it
                inbound.shutdown();
            } catch (QueueShutDownException ended) {
                // the body is gone: nobody takes it
            }
        }
    }

    /**
     * A received message's content, copied out while Reactor Netty still holds its pooled
     * buffer: a {@code String}, a {@code byte[]} or a {@link Pong}; null for a ping (Reactor
     * Netty answers it).
     */
    private static Object copyOut(WebSocketMessage m) {
        return switch (m.getType()) {
            case TEXT -> m.getPayloadAsText();
            case BINARY -> bytes(m);
            case PONG -> new Pong(bytes(m));
            case PING -> null;
        };
    }

    private static byte[] bytes(WebSocketMessage m) {
        byte[] bytes = new byte[m.getPayload().readableByteCount()];
        m.getPayload().read(bytes);
        return bytes;
    }

    /** A pong received. */
    private record Pong(byte[] data) {}

    /** How the connection failed, queued after the messages read before. */
    private record Failure(Throwable error) {
        /** Thrown as an await rethrows: itself when unchecked, else wrapped. */
        RuntimeException thrown() {
            if (error instanceof Error e) {
                throw e;
            }
            return error instanceof RuntimeException e ? e : new CompletionException(error);
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
     * closes. Every iteration, of this or of {@link #receiveBytes()}, takes the next messages: one
     * left early leaves the rest to the next.
     *
     * @return the messages
     */
    public AsyncIterable<String> receiveText() {
        return received(AioWebSocket::asText);
    }

    /**
     * The next message as text (a binary message decoded as UTF-8), as websockets' {@code await
     * ws.recv()}: waits for it, taking it from the same messages the iterations take.
     *
     * @return the message
     * @throws IllegalStateException if the client closed and every message it sent was taken
     *     (websockets' {@code ConnectionClosed}); a body that lets it propagate ends quietly
     */
    public String nextText() {
        return nextMessage(AioWebSocket::asText);
    }

    /**
     * The next message as bytes (a text message encoded as UTF-8), as websockets' {@code await
     * ws.recv()}; see {@link #nextText()}.
     *
     * @return the message
     * @throws IllegalStateException if the client closed and every message it sent was taken
     */
    public byte[] nextBytes() {
        return nextMessage(AioWebSocket::asBytes);
    }

    private static String asText(Object m) {
        return m instanceof String text ? text : new String((byte[]) m, StandardCharsets.UTF_8);
    }

    private static byte[] asBytes(Object m) {
        return m instanceof byte[] bytes ? bytes : ((String) m).getBytes(StandardCharsets.UTF_8);
    }

    private <T> T nextMessage(Function<Object, T> as) {
        try {
            return take(as);
        } catch (StopAsyncIteration end) {
            throw new SessionClosedException("the WebSocket session " + session.getId()
                    + " is closed and every message it received was taken; nothing more will"
                    + " come", null);
        }
    }

    /** The next message, noting while the body waits for it; StopAsyncIteration at the end. */
    private <T> T take(Function<Object, T> as) {
        Object m;
        try {
            m = awaitingPeer(inbound::get);
        } catch (QueueShutDownException end) {
            throw new StopAsyncIteration();
        }
        if (m instanceof Failure failure) {
            throw failure.thrown();
        }
        return as.apply(m);
    }

    /**
     * The messages received, as bytes (a text message encoded as UTF-8), until the client
     * closes. Every iteration, of this or of {@link #receiveText()}, takes the next messages: one
     * left early leaves the rest to the next.
     *
     * @return the messages
     */
    public AsyncIterable<byte[]> receiveBytes() {
        return received(AioWebSocket::asBytes);
    }

    /** The messages taken from {@link #inbound}, as an iteration. */
    private <T> AsyncIterable<T> received(Function<Object, T> as) {
        return () -> new AsyncIterator<>() {
            @Override
            public Awaitable<T> anext() {
                return () -> take(as);
            }

            @Override
            public void aclose() {
                // the messages not taken stay for the next iteration
            }
        };
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
     * frame); waits while the send buffer is full. Returns the pong waiter, as websockets' {@code
     * await ws.ping(data)} does: it completes with the round trip in seconds, from the ping's
     * going out to the client's pong, when a pong with the same payload arrives (a pong answers
     * the pings sent before it too, as websockets has it). If the client leaves first, the
     * waiter fails with an {@code IllegalStateException}, and a body awaiting it is cancelled.
     * Pongs never appear among the messages received, and neither do the client's pings, which
     * the server answers itself. Pongs are read while the body does anything else, unless {@link
     * #receiveText()}'s buffer is full: then the connection waits for the body to take a message.
     *
     * @param payload the ping's application data, possibly empty
     * @return the pong waiter: its result is the latency in seconds
     * @throws IllegalArgumentException if {@code payload} is longer than 125 bytes
     * @throws IllegalStateException if a ping with the same payload still waits for its pong
     *     (websockets' "already waiting for a pong with the same data"), if the session ended, or
     *     if the body returned
     */
    public AsyncFuture<Double> ping(byte[] payload) {
        Objects.requireNonNull(payload, "payload is null");
        if (payload.length > 125) {
            throw new IllegalArgumentException("a ping's payload is at most 125 bytes (RFC 6455,"
                    + " section 5.5), got " + payload.length);
        }
        if (waiting(payload)) {
            throw new IllegalStateException("already waiting for a pong with the same data: give"
                    + " each ping in flight its own payload, or use ping(), which picks one");
        }
        PongWaiter ping = new PongWaiter(payload.clone(),
                Aio.getRunningLoop().<Double>createFuture());
        pings.add(ping);
        try {
            put(ping);
        } catch (RuntimeException e) {
            pings.remove(ping); // never sent: nothing waits for it
            throw e;
        }
        return ping.pong;
    }

    /**
     * Queues a ping with a payload of four random bytes that no ping in flight has, as
     * websockets' {@code ping()} without data does; see {@link #ping(byte[])}.
     *
     * @return the pong waiter: its result is the latency in seconds
     * @throws IllegalStateException if the session ended or the body returned
     */
    public AsyncFuture<Double> ping() {
        byte[] payload = new byte[4];
        do {
            ThreadLocalRandom.current().nextBytes(payload);
        } while (waiting(payload));
        return ping(payload);
    }

    /** Whether a ping with {@code payload} waits for its pong. */
    private boolean waiting(byte[] payload) {
        for (PongWaiter p : pings) {
            if (!p.pong.isDone() && Arrays.equals(p.data, payload)) {
                return true;
            }
        }
        return false;
    }

    /** A pong came: it answers the sent ping with its payload and every ping sent before. */
    private void ponged(byte[] payload) {
        int answered = -1;
        for (int i = 0; i < pings.size(); i++) {
            PongWaiter p = pings.get(i);
            if (!Double.isNaN(p.sentAt) && Arrays.equals(p.data, payload)) {
                answered = i;
                break;
            }
        }
        if (answered < 0) {
            return; // unsolicited: a heartbeat (RFC 6455, section 5.5.3)
        }
        double now = Aio.getRunningLoop().time();
        List<PongWaiter> answeredPings = pings.subList(0, answered + 1);
        for (PongWaiter p : answeredPings) { // all sent: the stream keeps the queue's order
            if (!p.pong.isDone()) {
                p.pong.setResult(now - p.sentAt);
            }
        }
        answeredPings.clear();
    }

    /** The session ended: the pings still waiting fail. */
    private void pongsEnded() {
        for (PongWaiter p : pings) {
            if (!p.pong.isDone()) {
                p.pong.setException(new SessionClosedException("the WebSocket session "
                        + session.getId() + " ended before a pong answered the ping", null));
                // a ping nobody awaited is not an error to report (websockets' abort_pings)
                p.pong.exception();
            }
        }
        pings.clear();
    }

    /** A ping queued for the outbound stream, and its pong's waiter. */
    private static final class PongWaiter {
        final byte[] data;
        final AsyncFuture<Double> pong;
        /** The loop's time when the ping went out; NaN while it is queued. */
        double sentAt = Double.NaN;

        PongWaiter(byte[] data, AsyncFuture<Double> pong) {
            this.data = data;
            this.pong = pong;
        }
    }

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
