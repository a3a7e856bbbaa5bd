package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio's {@code create_server} arguments beyond host and port: {@code reuse_port}, {@code
 * sock}, and the server side's TLS timeouts, over real sockets.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerOptionsTest {

    private static final Streams.Handler ECHO_LINE = (r, w) -> {
        w.write(r.readline());
        w.close();
    };

    private static String ask(int port) throws Exception {
        Streams.Connection c = Streams.openConnection("127.0.0.1", port);
        c.writer().write("hi\n");
        String got = new String(c.reader().readline(), StandardCharsets.UTF_8);
        c.writer().close();
        return got;
    }

    @Test
    void reusePortLetsTwoServersListenOnOnePort() {
        Aio.run(() -> {
            ServerOptions shared = ServerOptions.defaults().withReusePort(true);
            Server first = Streams.startServer(ECHO_LINE, "127.0.0.1", 0, 65536, shared);
            int port = first.addresses().get(0).getPort();
            Server second = Streams.startServer(ECHO_LINE, "127.0.0.1", port, 65536, shared);
            for (int i = 0; i < 4; i++) {
                assertEquals("hi\n", ask(port));
            }
            first.close();
            assertEquals("hi\n", ask(port), "the second one still listens");
            second.close();

            Server alone = Streams.startServer(ECHO_LINE, "127.0.0.1", 0, 65536,
                    ServerOptions.defaults());
            int taken = alone.addresses().get(0).getPort();
            BindException inUse = assertThrows(BindException.class, () -> Streams.startServer(
                    ECHO_LINE, "127.0.0.1", taken, 65536, shared));
            assertTrue(inUse.getMessage().startsWith("[Errno 98] error while attempting to bind"
                    + " on address ('127.0.0.1', " + taken + "): address already in use"),
                    inUse.getMessage());
            alone.close();
            return null;
        });
    }

    /**
     * server.close() closes the listening socket at once, as asyncio does. NIO closed it at the
     * loop's next select, and a connection made meanwhile was queued and then reset.
     */
    @Test
    void aClosedServerRefusesConnectionsAtOnce() {
        Aio.run(() -> {
            Server server = Streams.startServer(ECHO_LINE, "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            server.close();
            ConnectException refused = assertThrows(ConnectException.class,
                    () -> Streams.openConnection("127.0.0.1", port));
            assertTrue(refused.getMessage().startsWith("[Errno 111] Connect call failed"),
                    refused.getMessage());
            return null;
        });
    }

    @Test
    void aListeningSocketMadeElsewhereIsServedAndClosedWithTheServer() throws Exception {
        ServerSocketChannel own = ServerSocketChannel.open();
        own.bind(new InetSocketAddress("127.0.0.1", 0), 8);
        int port = ((InetSocketAddress) own.getLocalAddress()).getPort();
        Aio.run(() -> {
            Server server = Streams.startServer(ECHO_LINE, own, 65536, ServerOptions.defaults());
            assertEquals("hi\n", ask(port));
            server.close();
            server.waitClosed();
            return null;
        });
        assertFalse(own.isOpen(), "the server owns the socket it was given");
        try (ServerSocketChannel unbound = ServerSocketChannel.open()) {
            Aio.run(() -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Net.createServer(TlsTest.Echo::new, unbound,
                                ServerOptions.defaults()));
                assertTrue(e.getMessage().startsWith("A bound stream socket was expected")
                        && e.getMessage().endsWith(": bind it first"), e.getMessage());
                return null;
            });
        }
    }

    /**
     * A client that connects and never starts the handshake is cut off after the timeout (0.2
     * s here; with the default 60 s, the read below would time out first). As in asyncio, the
     * abort is a connection error, which is not reported to the exception handler.
     */
    @Test
    void aTlsServerAbortsAHandshakeThatOutlastsItsTimeout() {
        String end = Aio.run(() -> {
            Server server = Net.createServer(TlsTest.Echo::new, "127.0.0.1", 0,
                    ServerOptions.defaults().withSsl(TlsTest.serverContext())
                            .withSslHandshakeTimeout(0.2));
            Streams.Connection idle = Streams.openConnection("127.0.0.1",
                    server.addresses().get(0).getPort());
            // read(-1): to the end; the server may send its TLS alert first
            Aio.timeout(10, () -> idle.reader().read(-1));
            boolean eof = idle.reader().atEof();
            server.close();
            return eof ? "eof" : "open";
        });
        assertEquals("eof", end, "the server closed the idle connection");
    }

    @Test
    void badOptionsAreRefusedWithAsynciosWords() {
        assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.defaults().withBacklog(0));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.defaults().withSslHandshakeTimeout(-1));
        assertEquals("ssl_handshake_timeout should be a positive number, got -1.0",
                negative.getMessage());
        Aio.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Net.createServer(TlsTest.Echo::new, "127.0.0.1", 0,
                            ServerOptions.defaults().withSslShutdownTimeout(5)));
            assertEquals("ssl_shutdown_timeout is only meaningful with ssl", e.getMessage());
            assertThrows(NullPointerException.class, () -> Net.createServer(TlsTest.Echo::new,
                    "127.0.0.1", 0, (ServerOptions) null));
            return null;
        });
    }
}
