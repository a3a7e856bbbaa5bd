package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.ExceptionGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio's {@code create_connection} arguments beyond host and port: {@code local_addr}, {@code
 * happy_eyeballs_delay} and {@code interleave}, over real loopback sockets. The messages are
 * CPython 3.11's, checked on this machine.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectOptionsTest {

    private static InetSocketAddress addr(String literal, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    /** A port on 127.0.0.1 where nothing listens. */
    private static int closedPort() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    @Test
    void aLocalAddressIsBoundBeforeConnectingAndItsFailuresAreAsynciosErrors() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> { }, "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            Streams.Connection c = Streams.openConnection("127.0.0.1", port, 65536,
                    ConnectOptions.defaults().withLocalAddress("127.0.0.1", 0));
            InetSocketAddress local = (InetSocketAddress) c.writer().getExtraInfo("sockname");
            assertEquals("127.0.0.1", local.getAddress().getHostAddress());

            BindException inUse = assertThrows(BindException.class,
                    () -> Streams.openConnection("127.0.0.1", port, 65536, ConnectOptions
                            .defaults().withLocalAddress("127.0.0.1", local.getPort())));
            assertTrue(inUse.getMessage().startsWith("[Errno 98] error while attempting to bind"
                    + " on address ('127.0.0.1', " + local.getPort() + "): address already in"
                    + " use"), inUse.getMessage());

            IOException noFamily = assertThrows(IOException.class,
                    () -> Streams.openConnection("127.0.0.1", port, 65536,
                            ConnectOptions.defaults().withLocalAddress("::1", 0)));
            assertTrue(noFamily.getMessage().startsWith("no matching local address with"
                    + " family=<AddressFamily.AF_INET: 2> found"), noFamily.getMessage());
            c.writer().close();
            server.close();
            return null;
        });
    }

    /**
     * The first address never answers: a listener whose accept queue is full drops the SYN, so
     * a connect to it hangs for the kernel's SYN retries. Tried one after another, the connection
     * would wait for them; in the staggered race the second address starts after the delay and
     * wins, and the hanging attempt is cancelled.
     */
    @Test
    void happyEyeballsWinsWithTheSecondAddressWhileTheFirstHangs() throws Exception {
        try (ServerSocketChannel full = ServerSocketChannel.open()) {
            full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            InetSocketAddress silent = (InetSocketAddress) full.getLocalAddress();
            List<SocketChannel> fillers = fillAcceptQueue(silent);
            try {
                int[] ports = Aio.run(() -> {
                    Server good = Streams.startServer((r, w) -> { }, "127.0.0.1", 0);
                    int goodPort = good.addresses().get(0).getPort();
                    try (SocketChannel ch = Connector.connect(Aio.getRunningLoop(),
                            List.of(silent, addr("127.0.0.1", goodPort)),
                            ConnectOptions.defaults().withHappyEyeballsDelay(0.05))) {
                        return new int[] {goodPort,
                                ((InetSocketAddress) ch.getRemoteAddress()).getPort()};
                    } finally {
                        good.close();
                    }
                });
                assertEquals(ports[0], ports[1], "the answering address won");
            } finally {
                for (SocketChannel f : fillers) {
                    f.close();
                }
            }
        }
    }

    /** Connects until the listener's accept queue is full, so the next connect hangs. */
    private static List<SocketChannel> fillAcceptQueue(InetSocketAddress at) throws Exception {
        List<SocketChannel> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            fillers.add(ch);
            ch.connect(at);
            boolean done = false;
            for (int spin = 0; spin < 50 && !done; spin++) {
                done = ch.finishConnect();
                if (!done) {
                    Thread.sleep(10);
                }
            }
            if (!done) {
                return fillers; // this one hangs: so will the next
            }
        }
        throw new IllegalStateException("the accept queue never filled; cannot make a silent"
                + " address on this system");
    }

    /**
     * all_errors=True (Python 3.12): an ExceptionGroup "create_connection failed" of each
     * attempt's error, in address order, one after another or in the race, even for one address.
     */
    @Test
    void allErrorsRaisesAnExceptionGroupOfEveryAttempt() {
        Aio.run(() -> {
            int p1 = closedPort();
            int p2 = closedPort();
            for (ConnectOptions o : List.of(ConnectOptions.defaults().withAllErrors(true),
                    ConnectOptions.defaults().withAllErrors(true).withHappyEyeballsDelay(0.25))) {
                ExceptionGroup group = assertThrows(ExceptionGroup.class,
                        () -> Connector.connect(Aio.getRunningLoop(),
                                List.of(addr("127.0.0.1", p1), addr("127.0.0.1", p2)), o));
                assertEquals("create_connection failed (2 sub-exceptions)", group.getMessage());
                List<Throwable> each = group.exceptions();
                assertEquals(2, each.size(), o.toString());
                assertTrue(each.get(0).getMessage().startsWith(
                        "[Errno 111] Connect call failed ('127.0.0.1', " + p1 + ")"), o.toString());
                assertTrue(each.get(1).getMessage().startsWith(
                        "[Errno 111] Connect call failed ('127.0.0.1', " + p2 + ")"), o.toString());
            }
            ExceptionGroup one = assertThrows(ExceptionGroup.class, () -> Streams.openConnection(
                    "127.0.0.1", p1, 1024, ConnectOptions.defaults().withAllErrors(true)));
            assertEquals(1, one.exceptions().size());
            assertTrue(one.exceptions().get(0) instanceof ConnectException);
            return null;
        });
    }

    /** family=AF_INET/AF_INET6: only addresses of that family are tried. */
    @Test
    void aFamilyKeepsOnlyItsAddressesAndSaysSoWhenThereAreNone() {
        Aio.run(() -> {
            Server v4 = Streams.startServer((r, w) -> w.close(), "127.0.0.1", 0);
            int port = v4.addresses().get(0).getPort();
            Streams.Connection c = Streams.openConnection("127.0.0.1", port, 1024,
                    ConnectOptions.defaults().withFamily(StandardProtocolFamily.INET));
            assertEquals("127.0.0.1", ((InetSocketAddress) c.writer().transport()
                    .getExtraInfo("peername")).getAddress().getHostAddress());
            c.writer().close();
            // a name: only its addresses of the family are tried
            Streams.Connection named = Streams.openConnection("localhost", port, 1024,
                    ConnectOptions.defaults().withFamily(StandardProtocolFamily.INET));
            assertTrue(((InetSocketAddress) named.writer().transport().getExtraInfo("peername"))
                    .getAddress() instanceof java.net.Inet4Address);
            named.writer().close();
            boolean localhostHasV6 = java.util.Arrays.stream(
                    InetAddress.getAllByName("localhost"))
                    .anyMatch(a -> a instanceof java.net.Inet6Address);
            IOException noV6 = assertThrows(IOException.class,
                    () -> Streams.openConnection("localhost", port, 1024,
                            ConnectOptions.defaults().withFamily(StandardProtocolFamily.INET6)));
            if (localhostHasV6) { // ::1 is tried, and nothing listens there
                assertInstanceOf(ConnectException.class, noV6, noV6.toString());
            } else { // CPython: getaddrinfo('localhost', port, AF_INET6) finds nothing
                assertInstanceOf(UnknownHostException.class, noV6);
                assertTrue(noV6.getMessage().startsWith("[Errno -2] Name or service not known"),
                        noV6.getMessage());
            }
            UnknownHostException literal = assertThrows(UnknownHostException.class,
                    () -> Streams.openConnection("127.0.0.1", port, 1024,
                            ConnectOptions.defaults().withFamily(StandardProtocolFamily.INET6)));
            assertEquals("[Errno -9] Address family for hostname not supported",
                    literal.getMessage());
            v4.close();
            return null;
        });
        IllegalArgumentException unix = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withFamily(StandardProtocolFamily.UNIX));
        assertTrue(unix.getMessage().startsWith("family must be INET or INET6, got UNIX"),
                unix.getMessage());
    }

    @Test
    void everyAttemptFailingInTheRaceGivesEachFailureInAddressOrder() {
        Aio.run(() -> {
            int p1 = closedPort();
            int p2 = closedPort();
            IOException all = assertThrows(IOException.class,
                    () -> Connector.connect(Aio.getRunningLoop(),
                            List.of(addr("127.0.0.1", p1), addr("127.0.0.1", p2)),
                            ConnectOptions.defaults().withHappyEyeballsDelay(0.25)));
            assertTrue(all.getMessage().startsWith("Multiple exceptions: [Errno 111] Connect"
                    + " call failed ('127.0.0.1', " + p1 + ")"), all.getMessage());
            assertTrue(all.getMessage().contains(", [Errno 111] Connect call failed"
                    + " ('127.0.0.1', " + p2 + ")"), all.getMessage());
            assertEquals(2, all.getSuppressed().length);
            assertTrue(all.getSuppressed()[0] instanceof ConnectException);

            // a refused address is followed at once by the next, race or not
            Server good = Streams.startServer((r, w) -> { }, "127.0.0.1", 0);
            int port = good.addresses().get(0).getPort();
            for (ConnectOptions o : List.of(ConnectOptions.defaults(),
                    ConnectOptions.defaults().withHappyEyeballsDelay(60))) {
                try (SocketChannel ch = Connector.connect(Aio.getRunningLoop(),
                        List.of(addr("127.0.0.1", p1), addr("127.0.0.1", port)), o)) {
                    assertEquals(port, ((InetSocketAddress) ch.getRemoteAddress()).getPort());
                }
            }
            good.close();
            return null;
        });
    }

    /** A server that takes the connection and never answers the TLS handshake. */
    @Test
    void aTlsHandshakeThatTakesTooLongIsAbortedAfterTheGivenTimeout() {
        Aio.run(() -> {
            Server silent = Streams.startServer((r, w) -> Aio.sleep(30), "127.0.0.1", 0);
            int port = silent.addresses().get(0).getPort();
            IOException e = assertThrows(IOException.class,
                    () -> Streams.openConnection("127.0.0.1", port, 65536, ConnectOptions
                            .defaults().withSsl(SSLContext.getDefault())
                            .withSslHandshakeTimeout(0.2)));
            assertEquals("SSL handshake is taking longer than 0.2 seconds: aborting the"
                    + " connection", e.getMessage());
            silent.close();
            return null;
        });
    }

    /** asyncio's _interleave_addrinfos, checked against CPython's on the same lists. */
    @Test
    void interleavingAlternatesFamiliesAfterTheFirstCount() throws IOException {
        InetSocketAddress v6a = addr("::1", 1);
        InetSocketAddress v6b = addr("::2", 1);
        InetSocketAddress v6c = addr("::3", 1);
        InetSocketAddress v4a = addr("127.0.0.1", 1);
        InetSocketAddress v4b = addr("127.0.0.2", 1);
        List<InetSocketAddress> resolved = List.of(v6a, v6b, v6c, v4a, v4b);
        assertEquals(List.of(v6a, v4a, v6b, v4b, v6c), Connector.interleave(resolved, 1));
        assertEquals(List.of(v6a, v6b, v4a, v6c, v4b), Connector.interleave(resolved, 2));
        assertEquals(resolved, Connector.interleave(resolved, 5));
    }

    @Test
    void badOptionsAreRefusedWithTheirName() {
        assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withHappyEyeballsDelay(-1));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withHappyEyeballsDelay(Double.NaN));
        assertTrue(nan.getMessage().startsWith("happy_eyeballs_delay must be"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withInterleave(0));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withSslShutdownTimeout(0));
        assertEquals("ssl_shutdown_timeout should be a positive number, got 0.0",
                zero.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.defaults().withLocalAddress("127.0.0.1", 70000));
        Aio.run(() -> {
            assertThrows(NullPointerException.class,
                    () -> Net.createConnection(() -> new Protocol() { }, "127.0.0.1", 1,
                            (ConnectOptions) null));
            IllegalArgumentException hostname = assertThrows(IllegalArgumentException.class,
                    () -> Net.createConnection(() -> new Protocol() { }, "127.0.0.1", 1,
                            ConnectOptions.defaults().withServerHostname("x")));
            assertEquals("server_hostname is only meaningful with ssl", hostname.getMessage());
            IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                    () -> Net.createConnection(() -> new Protocol() { }, "127.0.0.1", 1,
                            ConnectOptions.defaults().withSslHandshakeTimeout(5)));
            assertEquals("ssl_handshake_timeout is only meaningful with ssl",
                    timeout.getMessage());
            return null;
        });
    }
}
