package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.channel.AbortedException;

/**
 * {@link AioWebSocket} against a session whose connection the test drives: how much a body can
 * send while the connection asks for nothing.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AioWebSocketTest {

    /** A session whose outbound demand the test gives by hand, and which records what it sent. */
    static final class HandDrivenSession extends AbstractWebSocketSession<Object> {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final CompletableFuture<Subscription> outbound = new CompletableFuture<>();
        final CompletableFuture<MonoSink<Void>> sendResult = new CompletableFuture<>();

        HandDrivenSession() {
            super(new Object(), "hand-driven", new HandshakeInfo(URI.create("ws://test/"),
                    new HttpHeaders(), Mono.empty(), null), DefaultDataBufferFactory.sharedInstance);
        }

        @Override
        public Flux<WebSocketMessage> receive() {
            return Flux.never();
        }

        @Override
        public Mono<Void> send(Publisher<WebSocketMessage> messages) {
            return Mono.create(sink -> {
                sendResult.complete(sink); // the test may end the send itself
                messages.subscribe(new BaseSubscriber<WebSocketMessage>() {
                    @Override
                    protected void hookOnSubscribe(Subscription s) {
                        outbound.complete(s); // no demand until the test gives it
                    }

                    @Override
                    protected void hookOnNext(WebSocketMessage m) {
                        sent.add(m.getPayloadAsText(StandardCharsets.UTF_8));
                        DataBufferUtils.release(m.getPayload());
                    }

                    @Override
                    protected void hookOnComplete() {
                        sink.success();
                    }

                    @Override
                    protected void hookOnError(Throwable e) {
                        sink.error(e);
                    }
                });
            });
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public Mono<Void> close(CloseStatus status) {
            return Mono.empty();
        }

        @Override
        public Mono<CloseStatus> closeStatus() {
            return Mono.never();
        }
    }

    @Test
    void sendWaitsWhileTheConnectionAsksForNothingThenEverythingGoesOutInOrder()
            throws Exception {
        HandDrivenSession session = new HandDrivenSession();
        List<Integer> queued = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> served = AioWebSocket.handler(ws -> {
            for (int i = 0; i < 10; i++) {
                ws.send("m" + i);
                queued.add(i);
            }
        }, 2).handle(session).toFuture();

        Subscription outbound = session.outbound.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queued.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(200); // time for the body to run on, were it not held back
        // two in the buffer and one taken by the stream, waiting for demand at its yield
        assertEquals(List.of(0, 1, 2), queued, "sends went through without demand");
        assertEquals(List.of(), session.sent);

        outbound.request(1);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queued.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        Thread.sleep(100);
        assertEquals(List.of("m0"), session.sent);
        assertEquals(List.of(0, 1, 2, 3), queued, "one message out, one more send");

        outbound.request(Long.MAX_VALUE);
        served.get(10, TimeUnit.SECONDS); // the body returned, what was queued went out
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"),
                session.sent);
        assertTrue(served.isDone() && !served.isCompletedExceptionally());
    }

    /** The connection fails while the body sends: {@code failure} ends the outbound stream. */
    private static CompletableFuture<Void> failWhileSending(Throwable failure,
            List<String> events) throws Exception {
        HandDrivenSession session = new HandDrivenSession();
        CompletableFuture<Void> served = AioWebSocket.handler(ws -> {
            try {
                for (int i = 0; ; i++) {
                    ws.send("m" + i);
                }
            } finally {
                events.add("body ended");
            }
        }, 2).handle(session).toFuture();
        session.outbound.get(10, TimeUnit.SECONDS).cancel();
        session.sendResult.get(10, TimeUnit.SECONDS).error(failure);
        return served;
    }

    @Test
    void aClientThatWentAwayEndsTheBodyQuietly() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> served = failWhileSending(
                new AbortedException("Connection has been closed"), events);
        served.get(10, TimeUnit.SECONDS); // completes: not an error of the handler
        assertEquals(List.of("body ended"), events);
    }

    @Test
    void aConnectionThatFailsOtherwiseFailsTheHandlerWithThatError() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        IllegalStateException broken = new IllegalStateException("the codec broke");
        CompletableFuture<Void> served = failWhileSending(broken, events);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> served.get(10, TimeUnit.SECONDS));
        assertSame(broken, e.getCause(), "the handler's error is the connection's");
        assertEquals(List.of("body ended"), events);
    }
}
