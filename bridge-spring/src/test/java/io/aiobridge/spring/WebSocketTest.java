package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoopGroup;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/** WebSocket handlers written with {@link AioWebSocket}, against a real server and client. */
@SpringBootTest(classes = WebSocketTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"aiobridge.loops=2", "aiobridge.name=ws"})
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(OutputCaptureExtension.class)
class WebSocketTest {
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    @SpringBootApplication(scanBasePackageClasses = App.NoScan.class)
    static class App {
        static final class NoScan {}

        @Bean
        HandlerMapping sockets(EventLoopGroup group) {
            return new SimpleUrlHandlerMapping(Map.of(
                    "/echo", AioWebSocket.handler(ws -> {
                        EVENTS.add("echo on group " + group.inGroup());
                        for (String text : ws.receiveText()) {
                            ws.send("echo: " + text);
                        }
                        EVENTS.add("echo: the client closed");
                    }),
                    "/bytes", AioWebSocket.handler(ws -> {
                        for (byte[] bytes : ws.receiveBytes()) {
                            ws.send(new byte[] {(byte) bytes.length});
                        }
                    }),
                    "/ticker", AioWebSocket.handler(ws -> {
                        try {
                            for (int i = 0; ; i++) {
                                ws.send("tick " + i);
                                Aio.sleep(0.005);
                            }
                        } catch (CancelledError e) {
                            EVENTS.add("ticker cancelled");
                            throw e;
                        } finally {
                            EVENTS.add("ticker finally");
                        }
                    }),
                    "/bye", AioWebSocket.handler(ws -> {
                        for (int i = 0; i < 3; i++) {
                            ws.send("last words " + i);
                        }
                        ws.close(CloseStatus.GOING_AWAY);
                        EVENTS.add("bye closed with " + ws.waitClosed().getCode());
                        try {
                            ws.send("too late");
                        } catch (IllegalStateException e) {
                            EVENTS.add("bye: " + e.getMessage().replaceAll("session \\S+", "session"));
                        }
                    }, 1),
                    "/status", AioWebSocket.handler(ws -> {
                        ws.send("ready"); // goes out once the body waits for its first message
                        for (String text : ws.receiveText()) {
                            EVENTS.add("status got " + text);
                        }
                        CloseStatus status = ws.waitClosed();
                        EVENTS.add("status: " + status.getCode() + " " + status.getReason());
                    }),
                    "/split", AioWebSocket.handler(ws -> {
                        Aio.createTask(() -> { // another task of the loop reads
                            try {
                                for (String text : ws.receiveText()) {
                                    EVENTS.add("split got " + text);
                                }
                            } finally {
                                EVENTS.add("split: the reader ended");
                            }
                            return null;
                        });
                        Aio.createTask(() -> EVENTS.add("split: closed with "
                                + ws.waitClosed().getCode()));
                        try {
                            Aio.sleep(3600);
                        } catch (CancelledError e) {
                            EVENTS.add("split: the body cancelled");
                            throw e;
                        }
                    }),
                    "/ping", AioWebSocket.handler(ws -> {
                        try {
                            ws.ping(new byte[126]); // longer than a control frame may be
                        } catch (IllegalArgumentException e) {
                            EVENTS.add("ping: " + e.getMessage());
                        }
                        ws.ping("hi".getBytes(StandardCharsets.UTF_8));
                        for (String text : ws.receiveText()) {
                            ws.send("echo: " + text);
                        }
                    }),
                    "/pong", AioWebSocket.handler(ws -> {
                        byte[] one = "one".getBytes(StandardCharsets.UTF_8);
                        AsyncFuture<Double> first = ws.ping(one);
                        try {
                            ws.ping(one);
                        } catch (IllegalStateException e) {
                            EVENTS.add("pong: " + e.getMessage());
                        }
                        // the body reads nothing: the reader task sees the pong
                        double latency = first.await();
                        EVENTS.add("pong: " + (latency > 0 && latency < 10));
                        ws.ping(one).await(); // answered: its payload is free again
                        AsyncFuture<Double> a = ws.ping();
                        AsyncFuture<Double> b = ws.ping();
                        EVENTS.add("pong: " + (b.await() > 0) + " " + a.isDone());
                        ws.send("done");
                    }),
                    "/lastpong", AioWebSocket.handler(ws -> {
                        AsyncFuture<Double> a = ws.ping("a".getBytes(StandardCharsets.UTF_8));
                        AsyncFuture<Double> b = ws.ping("b".getBytes(StandardCharsets.UTF_8));
                        double latencyB = b.await();
                        // a went out first, so the pong to b answers it with a longer round trip
                        EVENTS.add("lastpong: a " + a.isDone() + " " + (a.result() >= latencyB));
                        AsyncFuture<Double> c = ws.ping("c".getBytes(StandardCharsets.UTF_8));
                        Aio.createTask(() -> {
                            try {
                                return c.await();
                            } catch (IllegalStateException e) {
                                EVENTS.add("lastpong: " + e.getMessage()
                                        .replaceAll("session \\S+", "session"));
                                return null;
                            }
                        });
                        try {
                            c.await(); // the client leaves instead of answering
                        } catch (CancelledError e) {
                            EVENTS.add("lastpong: the body cancelled");
                            throw e;
                        }
                    }),
                    "/again", AioWebSocket.handler(ws -> {
                        for (String text : ws.receiveText()) {
                            EVENTS.add("again: first " + text);
                            break;
                        }
                        for (byte[] bytes : ws.receiveBytes()) {
                            EVENTS.add("again: then " + new String(bytes, StandardCharsets.UTF_8));
                        }
                        EVENTS.add("again: the end");
                    })), -1);
        }

        @Bean
        HandlerMapping moreSockets() { // Map.of takes ten pairs at most
            return new SimpleUrlHandlerMapping(Map.of(
                    "/recv", AioWebSocket.handler(ws -> {
                        String first = ws.nextText();
                        byte[] second = ws.nextBytes(); // a binary message
                        EVENTS.add("recv: " + first + " " + second.length);
                        for (String text : ws.receiveText()) {
                            EVENTS.add("recv: then " + text);
                        }
                        try {
                            ws.nextText();
                        } catch (IllegalStateException e) {
                            EVENTS.add("recv: " + e.getMessage().replaceAll("session \\S+",
                                    "session"));
                        }
                    })), -1);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    EventLoopGroup group;

    private final ReactorNettyWebSocketClient client = new ReactorNettyWebSocketClient();

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    @Test
    void aBodyIteratesWhatItReceivesAndSendsInOrderOnTheGroup() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        client.execute(uri("/echo"), session -> session.send(Flux.just("a", "b", "c")
                        .map(session::textMessage))
                .thenMany(session.receive().map(WebSocketMessage::getPayloadAsText).take(3))
                .doOnNext(received::add).then())
                .block(Duration.ofSeconds(10));
        assertEquals(List.of("echo: a", "echo: b", "echo: c"), received);
        waitFor("echo: the client closed");
        assertEquals(List.of("echo on group true", "echo: the client closed"), EVENTS);
    }

    @Test
    void binaryMessagesArriveAsBytes() {
        List<Integer> lengths = new CopyOnWriteArrayList<>();
        client.execute(uri("/bytes"), session -> session.send(Flux.just(1, 5, 200)
                        .map(n -> session.binaryMessage(f -> f.wrap(new byte[n]))))
                .thenMany(session.receive().map(m -> m.getPayload().read() & 0xff).take(3))
                .doOnNext(lengths::add).then())
                .block(Duration.ofSeconds(10));
        assertEquals(List.of(1, 5, 200), lengths);
    }

    @Test
    void aClientThatLeavesCancelsASendingBodyWithoutAnError(CapturedOutput output)
            throws Exception {
        List<String> ticks = new CopyOnWriteArrayList<>();
        client.execute(uri("/ticker"), session -> session.receive()
                        .map(WebSocketMessage::getPayloadAsText).take(3)
                        .doOnNext(ticks::add).then())
                .block(Duration.ofSeconds(10));
        assertEquals(List.of("tick 0", "tick 1", "tick 2"), ticks);
        waitFor("ticker finally");
        assertEquals(List.of("ticker cancelled", "ticker finally"), EVENTS);
        Thread.sleep(100); // anything Spring would log about the handler comes by now
        assertFalse(output.getAll().contains("CancellationException"), output.getAll());
    }

    @Test
    void closeSendsWhatIsQueuedThenClosesWithItsStatusAndLaterSendsFail() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        AtomicReference<CloseStatus> status = new AtomicReference<>();
        client.execute(uri("/bye"), session -> session.receive()
                        .map(WebSocketMessage::getPayloadAsText).doOnNext(received::add)
                        .then(session.closeStatus()).doOnNext(status::set).then())
                .block(Duration.ofSeconds(10));
        assertEquals(List.of("last words 0", "last words 1", "last words 2"), received);
        assertEquals(CloseStatus.GOING_AWAY.getCode(), status.get().getCode());
        waitFor("bye: ");
        assertEquals(List.of("bye closed with 1001", "bye: the WebSocket session is closed;"
                + " nothing more can be sent on it"), EVENTS);
    }

    @Test
    void waitClosedReturnsTheCodeAndReasonTheClientClosedWith() throws Exception {
        // the client sends and closes at once: the body, waiting for a message, still gets
        // "x" and then the end, rather than being cancelled because the client left
        client.execute(uri("/status"), session -> session.receive() // only "ready" comes
                        .concatMap(ready -> session.send(Flux.just("x", "y")
                                .map(session::textMessage))
                                .then(session.close(new CloseStatus(4000, "done"))))
                        .then())
                .block(Duration.ofSeconds(10));
        waitFor("status: ");
        assertEquals(List.of("status got x", "status got y", "status: 4000 done"), EVENTS);
    }

    @Test
    void aBodyThatWaitsForOtherWorkIsCancelledWhileAnotherTaskReads() throws Exception {
        client.execute(uri("/split"), session -> session.send(Mono.just(
                        session.textMessage("x"))).then(session.close()))
                .block(Duration.ofSeconds(10));
        waitFor("split: the body cancelled");
        waitFor("split: closed with ");
        waitFor("split: the reader ended"); // the session ends with the body: so does its reader
        assertTrue(EVENTS.contains("split: closed with 1000"), EVENTS.toString());
    }

    @Test
    void theServersPingReachesTheClientAndPongsAreNotMessages() {
        ReactorNettyWebSocketClient pinged = new ReactorNettyWebSocketClient(
                HttpClient.create(), () -> WebsocketClientSpec.builder().handlePing(true));
        List<String> received = new CopyOnWriteArrayList<>();
        pinged.execute(uri("/ping"), session -> session.send(Flux.just(
                                // an unsolicited pong is a heartbeat (RFC 6455, 5.5.3): no message
                                session.pongMessage(f -> f.wrap("beat".getBytes(
                                        StandardCharsets.UTF_8))),
                                session.textMessage("a")))
                .thenMany(session.receive().map(m -> m.getType() + " "
                        + m.getPayloadAsText()).take(2))
                .doOnNext(received::add).then())
                .block(Duration.ofSeconds(10));
        assertEquals(List.of("PING hi", "TEXT echo: a"), received);
        assertEquals(List.of("ping: a ping's payload is at most 125 bytes (RFC 6455, section"
                + " 5.5), got 126"), EVENTS);
    }

    @Test
    void aPingsWaiterCompletesWithTheRoundTripWhileTheBodyReadsNothing() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        client.execute(uri("/pong"), session -> session.receive() // Reactor Netty answers pings
                        .map(WebSocketMessage::getPayloadAsText).take(1)
                        .doOnNext(received::add).then())
                .block(Duration.ofSeconds(10));
        assertEquals(List.of("done"), received);
        assertEquals(List.of("pong: already waiting for a pong with the same data: give each ping"
                + " in flight its own payload, or use ping(), which picks one", "pong: true",
                "pong: true true"), EVENTS);
    }

    @Test
    void aPongAnswersEarlierPingsAndALeavingClientFailsTheRest() throws Exception {
        ReactorNettyWebSocketClient pinged = new ReactorNettyWebSocketClient(
                HttpClient.create(), () -> WebsocketClientSpec.builder().handlePing(true));
        pinged.execute(uri("/lastpong"), session -> session.send(session.receive()
                        .map(m -> m.getPayloadAsText())
                        .takeUntil(text -> text.equals("c")) // leaves at the third ping
                        .filter(text -> !text.equals("a"))   // answers b only
                        .concatMap(text -> Flux.just(
                                // unsolicited, with c's payload before c went out: a heartbeat
                                session.pongMessage(f -> f.wrap("c".getBytes(
                                        StandardCharsets.UTF_8))),
                                session.pongMessage(f -> f.wrap(text.getBytes(
                                        StandardCharsets.UTF_8))))
                                .take(text.equals("b") ? 2 : 0))))
                .block(Duration.ofSeconds(10));
        waitFor("lastpong: the body cancelled");
        waitFor("lastpong: the WebSocket");
        assertEquals(List.of("lastpong: a true true", "lastpong: the WebSocket session ended"
                + " before a pong answered the ping"), EVENTS.stream()
                .filter(e -> !e.equals("lastpong: the body cancelled")).toList());
    }

    @Test
    void anIterationLeftEarlyLeavesTheRestToTheNext() throws Exception {
        client.execute(uri("/again"), session -> session.send(Flux.just("x", "y", "z")
                        .map(session::textMessage)).then(session.close()))
                .block(Duration.ofSeconds(10));
        waitFor("again: the end");
        assertEquals(List.of("again: first x", "again: then y", "again: then z",
                "again: the end"), EVENTS);
    }

    @Test
    void nextTakesOneMessageFromTheSameMessagesAsTheIterations() throws Exception {
        client.execute(uri("/recv"), session -> session.send(Flux.just(
                        session.textMessage("a"),
                        session.binaryMessage(f -> f.wrap(new byte[] {1, 2, 3})),
                        session.textMessage("c"))).then(session.close()))
                .block(Duration.ofSeconds(10));
        waitFor("recv: the WebSocket");
        assertEquals(List.of("recv: a 3", "recv: then c", "recv: the WebSocket session is"
                + " closed and every message it received was taken; nothing more will come"),
                EVENTS);
    }

    @Test
    void aBadSendBufferIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AioWebSocket.handler(ws -> { }, 0));
    }

    private static void waitFor(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (EVENTS.stream().noneMatch(e -> e.startsWith(prefix))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + prefix + ": " + EVENTS);
            }
            Thread.sleep(5);
        }
    }
}
