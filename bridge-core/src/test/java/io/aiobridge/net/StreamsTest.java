package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio's streams over real loopback sockets: what CPython's test_streams checks of
 * start_server/open_connection, plus the semantics the issue names (a cancelled read loses
 * nothing, a failing handler closes only its own connection, drain waits for a slow peer, the
 * loop closes what it owns).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamsTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static int port(Server server) {
        return server.addresses().get(0).getPort();
    }

    @Test
    void aReadCancelledByATimeoutLosesNoData() {
        Aio.run(() -> {
            AsyncFuture<Void> sendRest = Aio.getRunningLoop().createFuture();
            Server server = Streams.startServer((r, w) -> {
                w.write(b("hel"));
                w.drain();
                sendRest.await();
                w.write(b("lo\nworld\n"));
                w.drain();
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            assertThrows(AsyncTimeoutException.class,
                    () -> Aio.waitFor(() -> c.reader().readline(), 0.05));
            sendRest.setResult(null);
            assertEquals("hello\n", s(c.reader().readline()), "the first part was kept");
            assertEquals("world\n", s(c.reader().readline()));
            assertEquals(0, c.reader().readline().length);
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    @Test
    void nullDataIsRefusedNamingItAndTheStreamGoesOn() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                w.write(r.readline());
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            StreamWriter w = c.writer();
            assertEquals("data is null", assertThrows(NullPointerException.class,
                    () -> w.write((byte[]) null)).getMessage());
            assertEquals("data is null", assertThrows(NullPointerException.class,
                    () -> w.write((ByteBuffer) null)).getMessage());
            assertEquals("text is null", assertThrows(NullPointerException.class,
                    () -> w.write((String) null)).getMessage());
            assertEquals("data[1] is null", assertThrows(NullPointerException.class,
                    () -> w.writelines(java.util.Arrays.asList(b("a"), null))).getMessage());
            assertEquals("data is null", assertThrows(NullPointerException.class,
                    () -> new StreamReader(Aio.getRunningLoop()).feedData(null)).getMessage());
            w.writelines(List.of(b("still "), b("open\n"))); // nothing of the refused went out
            assertEquals("still open\n", s(c.reader().readline()));
            w.close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    @Test
    void twoTasksReadingOneStreamAtOnceGetAsyncioError() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                r.read(-1);
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            Task<byte[]> first = Aio.createTask(() -> c.reader().readline());
            Aio.sleep(0.01);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> c.reader().readline());
            assertTrue(e.getMessage().startsWith("readuntil() called while another coroutine is"
                    + " already waiting for incoming data"), e.getMessage());
            first.cancel();
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    @Test
    void aFailingHandlerClosesOnlyItsOwnConnectionAndIsReported() {
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, ctx) -> reported.add(ctx));
            Server server = Streams.startServer((r, w) -> {
                byte[] line = r.readline();
                if (s(line).startsWith("boom")) {
                    throw new IllegalStateException("handler failed");
                }
                w.write(line);
                w.drain();
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection bad = Streams.openConnection("127.0.0.1", port(server));
            Streams.Connection good = Streams.openConnection("127.0.0.1", port(server));
            bad.writer().write(b("boom\n"));
            assertEquals(0, bad.reader().read(10).length, "the failing handler's connection ends");
            good.writer().write(b("fine\n"));
            assertEquals("fine\n", s(good.reader().readline()), "the other connection is served");
            bad.writer().close();
            good.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
        assertEquals(1, reported.size(), reported.toString());
        assertTrue(reported.get(0).message().startsWith("Unhandled exception in"
                + " client_connected_cb"), reported.get(0).message());
        assertEquals("handler failed", reported.get(0).exception().getMessage());
    }

    @Test
    void drainWaitsWhileThePeerIsSlow() {
        List<String> steps = new CopyOnWriteArrayList<>();
        int total = 8 * 1024 * 1024;
        Aio.run(() -> {
            AsyncFuture<Void> startReading = Aio.getRunningLoop().createFuture();
            Server server = Streams.startServer((r, w) -> {
                w.write(new byte[total]);
                steps.add("buffered " + (w.transport().getWriteBufferSize() > 64 * 1024));
                startReading.setResult(null);
                w.drain();
                steps.add("drain returned");
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            startReading.await();
            Aio.sleep(0.05); // the server's drain is waiting: the client has read nothing yet
            steps.add("client reads");
            int got = c.reader().read(-1).length;
            steps.add("client got " + got);
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
        assertEquals(List.of("buffered true", "client reads", "drain returned",
                "client got " + total), steps);
    }

    @Test
    void closingTheLoopClosesItsServersAndConnections() {
        List<String> lost = new CopyOnWriteArrayList<>();
        List<SocketChannel> channels = new ArrayList<>();
        Server[] server = new Server[1];
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                server[0] = Net.createServer(() -> new Protocol() {
                    @Override
                    public void connectionMade(Transport t) {
                        channels.add((SocketChannel) t.getExtraInfo("socket"));
                    }

                    @Override
                    public void connectionLost(Throwable exc) {
                        lost.add("server side");
                    }
                }, "127.0.0.1", 0);
                Net.Connection<Protocol> c = Net.createConnection(() -> new Protocol() {
                    @Override
                    public void connectionLost(Throwable exc) {
                        lost.add("client side");
                    }
                }, "127.0.0.1", port(server[0]));
                channels.add((SocketChannel) c.transport().getExtraInfo("socket"));
                Aio.sleep(0.05);
                return null; // nothing closed: the loop's close must do it
            });
        }
        assertEquals(2, channels.size());
        for (SocketChannel ch : channels) {
            assertFalse(ch.isOpen(), ch + " left open");
        }
        assertTrue(server[0].sockets().isEmpty());
        assertFalse(server[0].isServing());
        assertEquals(2, lost.size(), "each protocol heard the end: " + lost);
    }

    @Test
    void aResetByThePeerFailsTheReadWithTheReset() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                r.readline();
                SocketChannel ch = (SocketChannel) w.getExtraInfo("socket");
                ch.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
                w.transport().abort();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            c.writer().write(b("go\n"));
            c.writer().drain();
            // asyncio: ConnectionResetError: [Errno 104] Connection reset by peer
            ConnectionResetException e = assertThrows(ConnectionResetException.class,
                    () -> c.reader().read(-1));
            assertEquals("Connection reset by peer", e.getMessage());
            assertInstanceOf(SocketException.class, e.getCause(), "the JDK's report is the cause");
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 3; i++) {
                    c.writer().write(b("more\n"));
                    c.writer().drain(); // the lost connection surfaces here
                    Aio.sleep(0.01);
                }
            });
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    @Test
    void linesIterateUntilEndOfStream() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                w.write(b("a\nbb\nccc"));
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            List<String> lines = new ArrayList<>();
            for (byte[] line : c.reader()) {
                lines.add(s(line));
            }
            assertEquals(List.of("a\n", "bb\n", "ccc"), lines);
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /**
     * asyncio's create_connection when every address fails: the one error, the first when all
     * say the same, else one error listing each. The summary used to be Java's list toString, and
     * identical failures were summarised too.
     */
    @Test
    void everyAddressFailingGivesAsynciosSummary() {
        ConnectException v6 = new ConnectException(
                "[Errno 111] Connect call failed ('::1', 1, 0, 0)");
        ConnectException v4 = new ConnectException(
                "[Errno 111] Connect call failed ('127.0.0.1', 1)");
        IOException both = Connector.connectFailures(List.of(v6, v4));
        assertEquals("Multiple exceptions: [Errno 111] Connect call failed ('::1', 1, 0, 0),"
                + " [Errno 111] Connect call failed ('127.0.0.1', 1)", both.getMessage());
        assertArrayEquals(new Throwable[] {v6, v4}, both.getSuppressed(), "each one is kept");
        assertSame(v4, Connector.connectFailures(List.of(v4, new ConnectException(v4.getMessage()))));
        assertSame(v4, Connector.connectFailures(List.of(v4)));
    }

    @Test
    void badInputAndFailuresGiveClearErrors() {
        Aio.run(() -> {
            ConnectException refused = assertThrows(ConnectException.class,
                    () -> Streams.openConnection("127.0.0.1", 1));
            assertTrue(refused.getMessage().startsWith("[Errno 111] Connect call failed"
                    + " ('127.0.0.1', 1)"), refused.getMessage());

            Server server = Streams.startServer((r, w) -> w.close(), "127.0.0.1", 0);
            BindException inUse = assertThrows(BindException.class,
                    () -> Streams.startServer((r, w) -> { }, "127.0.0.1", port(server)));
            assertTrue(inUse.getMessage().contains("('127.0.0.1', " + port(server) + ")")
                    && inUse.getMessage().contains("address already in use"), inUse.getMessage());

            UnknownHostException unknown = assertThrows(UnknownHostException.class,
                    () -> Streams.openConnection("no-such-host.invalid", 80));
            assertTrue(unknown.getMessage().contains("'no-such-host.invalid'"),
                    unknown.getMessage());

            IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
                    () -> Streams.openConnection("127.0.0.1", port(server), 0));
            assertTrue(limit.getMessage().startsWith("Limit cannot be <= 0"), limit.getMessage());

            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            c.writer().close();
            IllegalStateException afterClose = assertThrows(IllegalStateException.class,
                    () -> c.writer().write(b("late")));
            assertTrue(afterClose.getMessage().contains("closing transport"),
                    afterClose.getMessage());
            Streams.Connection d = Streams.openConnection("127.0.0.1", port(server));
            d.writer().writeEof();
            assertThrows(IllegalStateException.class, () -> d.writer().write(b("x")));
            d.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
        IllegalStateException outside = assertThrows(IllegalStateException.class,
                () -> Streams.openConnection("127.0.0.1", 1));
        assertTrue(outside.getMessage().startsWith("no running event loop"),
                outside.getMessage());
    }

    @Test
    void aProtocolSeesMadeDataEofLostInOrder() {
        List<String> steps = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                w.write(b("hi"));
                w.writeEof();
                r.read(-1);
                w.close();
            }, "127.0.0.1", 0);
            AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();
            Net.Connection<Protocol> c = Net.createConnection(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    steps.add("made " + (t.getExtraInfo("peername") instanceof InetSocketAddress));
                }

                @Override
                public void dataReceived(byte[] data) {
                    steps.add("data " + s(data));
                }

                @Override
                public boolean eofReceived() {
                    steps.add("eof");
                    return false; // close
                }

                @Override
                public void connectionLost(Throwable exc) {
                    steps.add("lost " + exc);
                    done.setResult(null);
                }
            }, "127.0.0.1", port(server));
            steps.add("createConnection returned");
            done.await();
            assertTrue(c.transport().isClosing());
            server.close();
            server.waitClosed();
            return null;
        });
        assertEquals(List.of("made true", "createConnection returned", "data hi", "eof",
                "lost null"), steps);
    }

    @Test
    void sockFunctionsWorkOnRawChannelsAndCancelCleanly() {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            ServerSocketChannel listen = ServerSocketChannel.open();
            listen.bind(new InetSocketAddress("127.0.0.1", 0));
            listen.configureBlocking(false);
            Task<SocketChannel> accepting = Aio.createTask(() -> loop.sockAccept(listen));
            SocketChannel client = SocketChannel.open();
            client.configureBlocking(false);
            loop.sockConnect(client, listen.getLocalAddress());
            SocketChannel served = accepting.await();
            assertNotNull(served);
            loop.sockSendall(client, ByteBuffer.wrap(b("ping")));
            assertArrayEquals(b("ping"), loop.sockRecv(served, 100));
            // a receive that is cancelled leaves no reader behind
            Task<byte[]> waiting = Aio.createTask(() -> loop.sockRecv(served, 100));
            Aio.sleep(0.01);
            waiting.cancel();
            Aio.sleep(0.01);
            assertFalse(loop.removeReader(served), "the cancelled receive removed its reader");
            loop.sockSendall(client, ByteBuffer.wrap(b("pong")));
            assertArrayEquals(b("pong"), loop.sockRecv(served, 100), "nothing was lost");
            client.close();
            assertEquals(0, loop.sockRecv(served, 100).length, "end of stream");
            served.close();
            listen.close();
            try (SocketChannel inBlockingMode = SocketChannel.open()) {
                IllegalArgumentException blocking = assertThrows(IllegalArgumentException.class,
                        () -> loop.addReader(inBlockingMode, () -> { }));
                assertTrue(blocking.getMessage().contains("configureBlocking(false)"));
            }
            return null;
        });
    }

    @Test
    void readingPausedAndResumedInOneCallbackGoesOnReading() {
        // the selector key of a channel whose last interest is removed must stay usable: a
        // cancelled key would refuse the reader added back before the next select
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            TlsTest.Collect c = new TlsTest.Collect(loop, 10);
            Server srv = Net.createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.pauseReading();
                    t.resumeReading();
                    t.pauseReading();
                    t.resumeReading();
                }

                @Override
                public void dataReceived(byte[] data) {
                    c.dataReceived(data);
                }
            }, "127.0.0.1", 0);
            Transport t = Net.createConnection(() -> new Protocol() {}, "127.0.0.1", port(srv))
                    .transport();
            t.pauseReading();
            t.resumeReading(); // was: "the channel is closed"
            assertTrue(t.isReading());
            t.write("0123456789".getBytes(StandardCharsets.UTF_8));
            c.done.await();
            assertEquals("0123456789", c.got.toString(StandardCharsets.UTF_8));
            t.close();
            srv.close();
            return null;
        });
    }
}
