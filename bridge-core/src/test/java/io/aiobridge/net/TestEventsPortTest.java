package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_events.py}, {@code EventLoopTestsMixin}: the
 * cases with sockets, servers, datagrams and pipes, with real ones. CPython's {@code
 * run_test_server} (an HTTP server on a thread) is {@link TestServer}; {@code os.pipe()} is a
 * FIFO or a NIO {@link Pipe}. The loop's own cases are in {@code io.aiobridge.TestEventsPortTest},
 * the subprocess ones in {@link TestEventsSubprocessPortTest}. Left out: TLS (TlsTest covers it),
 * the mocked multi-host servers, {@code sock=} for datagram endpoints (the API takes addresses),
 * ptys (the JDK cannot open one), and IPv6 dual stack (not every build machine has IPv6).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestEventsPortTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** CPython's MyBaseProto; the state asserts are collected (see MySubprocessProtocol). */
    static class MyBaseProto implements Protocol {
        Transport transport;
        String state = "INITIAL";
        int nbytes;
        final AsyncFuture<Void> connected = Aio.getRunningLoop().createFuture();
        final AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();
        final List<String> violations = new ArrayList<>();

        void expect(String... states) {
            if (!List.of(states).contains(state)) {
                violations.add("callback in state " + state);
            }
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            expect("INITIAL");
            state = "CONNECTED";
            connected.setResult(null);
        }

        @Override
        public void dataReceived(byte[] data) {
            expect("CONNECTED");
            nbytes += data.length;
        }

        @Override
        public boolean eofReceived() {
            expect("CONNECTED");
            state = "EOF";
            return false;
        }

        @Override
        public void connectionLost(Throwable exc) {
            expect("CONNECTED", "EOF");
            state = "CLOSED";
            done.setResult(null);
        }
    }

    /** CPython's MyProto: sends an HTTP request when connected. */
    static class MyProto extends MyBaseProto {
        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            t.write(b("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"));
        }
    }

    /**
     * {@code test_utils.run_test_server()}: answers each connection's request with a small HTTP
     * response and closes it, on a thread of its own.
     */
    static final class TestServer implements AutoCloseable {
        final ServerSocketChannel channel;
        final SocketAddress address;
        private final Thread thread;

        TestServer(SocketAddress bindTo) throws IOException {
            channel = ServerSocketChannel.open(bindTo instanceof UnixDomainSocketAddress
                    ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET).bind(bindTo);
            address = channel.getLocalAddress();
            thread = Thread.ofPlatform().daemon().start(this::serve);
        }

        static TestServer tcp() throws IOException {
            return new TestServer(new InetSocketAddress("127.0.0.1", 0));
        }

        private void serve() {
            while (channel.isOpen()) {
                try (SocketChannel c = channel.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    StringBuilder request = new StringBuilder();
                    while (!request.toString().contains("\r\n\r\n") && c.read(buf) > 0) {
                        request.append(new String(buf.array(), 0, buf.position(),
                                StandardCharsets.ISO_8859_1));
                        buf.clear();
                    }
                    c.write(ByteBuffer.wrap(b("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                            + "\r\nTest message")));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        int port() {
            return ((InetSocketAddress) address).getPort();
        }

        @Override
        public void close() throws Exception {
            channel.close();
            thread.join(10_000);
            if (address instanceof UnixDomainSocketAddress u) {
                Files.deleteIfExists(u.getPath());
            }
        }
    }

    /** {@code test_utils.run_until}: in a task, 1 ms sleeps until {@code pred} holds. */
    private static void runUntil(BooleanSupplier pred) {
        while (!pred.getAsBoolean()) {
            Aio.sleep(0.001);
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    // ---- create_connection ---------------------------------------------------------------------

    private static void basetestCreateConnection(Net.Connection<MyProto> c,
            boolean checkSockname) {
        Transport tr = c.transport();
        MyProto pr = c.protocol();
        assertSame(tr, pr.transport);
        if (checkSockname) {
            assertNotNull(tr.getExtraInfo("sockname"));
        }
        pr.done.await();
        assertTrue(pr.nbytes > 0);
        tr.close();
        assertEquals(List.of(), pr.violations);
    }

    @Test
    void test_create_connection() throws Exception {
        try (TestServer httpd = TestServer.tcp()) {
            Aio.run(() -> {
                basetestCreateConnection(Net.createConnection(MyProto::new, "127.0.0.1",
                        httpd.port()), true);
                return null;
            });
        }
    }

    @Test
    void test_create_unix_connection(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("test.sock");
        try (TestServer httpd = new TestServer(UnixDomainSocketAddress.of(path))) {
            Aio.run(() -> {
                basetestCreateConnection(Net.createUnixConnection(MyProto::new,
                        path.toString()), true);
                return null;
            });
        }
    }

    @Test
    void test_create_connection_local_addr() throws Exception {
        try (TestServer httpd = TestServer.tcp()) {
            int port = unusedPort();
            Aio.run(() -> {
                var c = Net.createConnection(MyProto::new, "127.0.0.1", httpd.port(),
                        ConnectOptions.defaults().withLocalAddress("127.0.0.1", port));
                Object sockname = c.protocol().transport.getExtraInfo("sockname");
                assertEquals(port, ((InetSocketAddress) sockname).getPort());
                c.transport().close();
                return null;
            });
        }
    }

    @Test
    void test_create_connection_local_addr_in_use() throws Exception {
        try (TestServer httpd = TestServer.tcp()) {
            Aio.run(() -> {
                BindException e = assertThrows(BindException.class, () ->
                        Net.createConnection(MyProto::new, "127.0.0.1", httpd.port(),
                                ConnectOptions.defaults().withLocalAddress("127.0.0.1",
                                        httpd.port())));
                // asyncio: errno EADDRINUSE, and the address in the text
                assertTrue(e.getMessage().startsWith("[Errno 98] "), e.getMessage());
                assertTrue(e.getMessage().contains("('127.0.0.1', " + httpd.port() + ")"),
                        e.getMessage());
                return null;
            });
        }
    }

    @Test
    void test_connect_accepted_socket() throws Exception {
        try (ServerSocketChannel lsock = ServerSocketChannel.open().bind(
                new InetSocketAddress("127.0.0.1", 0), 1)) {
            SocketAddress addr = lsock.getLocalAddress();
            byte[] message = b("test data");
            byte[] expectedResponse = b("roger");
            CompletableFuture<byte[]> response = new CompletableFuture<>();
            Thread client = Thread.ofPlatform().daemon().start(() -> {
                try (SocketChannel csock = SocketChannel.open(addr)) {
                    csock.write(ByteBuffer.wrap(message));
                    ByteBuffer buf = ByteBuffer.allocate(99);
                    csock.read(buf);
                    response.complete(java.util.Arrays.copyOf(buf.array(), buf.position()));
                } catch (IOException e) {
                    response.completeExceptionally(e);
                }
            });
            SocketChannel conn = lsock.accept();
            EventLoop loop = EventLoop.newEventLoop();
            MyBaseProto[] proto = new MyBaseProto[1];
            try {
                loop.runUntilComplete(() -> {
                    proto[0] = new MyBaseProto() {
                        @Override
                        public void connectionLost(Throwable exc) {
                            super.connectionLost(exc);
                            loop.callSoon(loop::stop);
                        }

                        @Override
                        public void dataReceived(byte[] data) {
                            super.dataReceived(data);
                            transport.write(expectedResponse);
                        }
                    };
                    Net.connectAcceptedSocket(() -> proto[0], conn);
                    return null;
                });
                loop.runForever();
                proto[0].transport.close();
            } finally {
                loop.close();
            }
            client.join(10_000);
            assertFalse(client.isAlive());
            assertEquals("CLOSED", proto[0].state);
            assertEquals(message.length, proto[0].nbytes);
            assertEquals("roger", new String(response.get(), StandardCharsets.UTF_8));
            assertEquals(List.of(), proto[0].violations);
        }
    }

    // ---- create_server -------------------------------------------------------------------------

    @Test
    void test_create_server() {
        Aio.run(() -> {
            MyProto proto = new MyProto();
            Server server = Net.createServer(() -> proto, "0.0.0.0", 0);
            assertEquals(1, server.sockets().size());
            InetSocketAddress sockname = server.addresses().get(0);
            assertEquals("0.0.0.0", sockname.getAddress().getHostAddress());
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1",
                    sockname.getPort()))) {
                client.write(ByteBuffer.wrap(b("xxx")));
                proto.connected.await();
                assertEquals("CONNECTED", proto.state);
                runUntil(() -> proto.nbytes > 0);
                assertEquals(3, proto.nbytes);
                // extra info is available
                assertNotNull(proto.transport.getExtraInfo("sockname"));
                assertEquals("127.0.0.1", ((InetSocketAddress) proto.transport
                        .getExtraInfo("peername")).getAddress().getHostAddress());
                proto.transport.close();
                proto.done.await();
                assertEquals("CLOSED", proto.state);
            }
            server.close();
            assertEquals(List.of(), proto.violations);
            return null;
        });
    }

    @Test
    void test_create_server_sock() throws Exception {
        // socket.create_server(('0.0.0.0', 0)): an AF_INET socket
        try (ServerSocketChannel sockOb = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            sockOb.bind(new InetSocketAddress("0.0.0.0", 0));
            Aio.run(() -> {
                AsyncFuture<MyProto> proto = Aio.getRunningLoop().createFuture();
                Server server = Net.createServer(() -> new MyProto() {
                    @Override
                    public void connectionMade(Transport t) {
                        super.connectionMade(t);
                        proto.setResult(this);
                    }
                }, sockOb, ServerOptions.defaults());
                assertSame(sockOb, server.sockets().get(0));
                int port = server.addresses().get(0).getPort();
                assertEquals("0.0.0.0", server.addresses().get(0).getAddress()
                        .getHostAddress());
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress(
                        "127.0.0.1", port))) {
                    client.write(ByteBuffer.wrap(b("xxx")));
                    proto.await().transport.close();
                }
                server.close();
                return null;
            });
        }
    }

    @Test
    void test_create_server_addr_in_use() {
        Aio.run(() -> {
            Server server = Net.createServer(MyProto::new, "0.0.0.0", 0);
            int port = server.addresses().get(0).getPort();
            BindException e = assertThrows(BindException.class,
                    () -> Net.createServer(MyProto::new, "0.0.0.0", port));
            assertTrue(e.getMessage().startsWith("[Errno 98] "), e.getMessage());
            server.close();
            return null;
        });
    }

    @Test
    void test_create_server_reuse_port() {
        Aio.run(() -> {
            Server server = Net.createServer(MyProto::new, "0.0.0.0", 0);
            assertFalse(server.sockets().get(0).getOption(StandardSocketOptions.SO_REUSEPORT));
            server.close();
            server = Net.createServer(MyProto::new, "0.0.0.0", 0,
                    ServerOptions.defaults().withReusePort(true));
            assertTrue(server.sockets().get(0).getOption(StandardSocketOptions.SO_REUSEPORT));
            server.close();
            return null;
        });
    }

    @Test
    void test_server_close() {
        int port = Aio.run(() -> {
            Server server = Net.createServer(MyProto::new, "0.0.0.0", 0);
            int p = server.addresses().get(0).getPort();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1",
                    p))) {
                client.write(ByteBuffer.wrap(b("xxx")));
            }
            server.close();
            // refused at once, from inside the loop, without another turn
            assertThrows(ConnectException.class, () -> SocketChannel.open(
                    new InetSocketAddress("127.0.0.1", p)).close());
            return p;
        });
        assertThrows(ConnectException.class, () -> SocketChannel.open(
                new InetSocketAddress("127.0.0.1", port)).close());
    }

    @Test
    void test_create_unix_server(@TempDir Path dir) {
        String path = dir.resolve("s.sock").toString();
        Aio.run(() -> {
            MyProto proto = new MyProto();
            Server server = Net.createUnixServer(() -> proto, path);
            assertEquals(1, server.sockets().size());
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                client.write(ByteBuffer.wrap(b("xxx")));
                proto.connected.await();
                assertEquals("CONNECTED", proto.state);
                runUntil(() -> proto.nbytes > 0);
                assertEquals(3, proto.nbytes);
                proto.transport.close();
                proto.done.await();
                assertEquals("CLOSED", proto.state);
            }
            server.close();
            return null;
        });
    }

    // ---- sock_* --------------------------------------------------------------------------------

    @Test
    void test_sock_client_ops() throws Exception {
        try (TestServer httpd = TestServer.tcp()) {
            Aio.run(() -> {
                EventLoop loop = Aio.getRunningLoop();
                try (SocketChannel sock = SocketChannel.open()) {
                    // a blocking socket is refused (asyncio checks in debug mode; we always do)
                    assertThrows(IllegalArgumentException.class,
                            () -> loop.sockConnect(sock, httpd.address));
                    sock.configureBlocking(false);
                    loop.sockConnect(sock, httpd.address);
                    loop.sockSendall(sock, ByteBuffer.wrap(b("GET / HTTP/1.0\r\n\r\n")));
                    byte[] data = loop.sockRecv(sock, 1024);
                    loop.sockRecv(sock, 1024); // consume the rest
                    assertTrue(new String(data, StandardCharsets.ISO_8859_1)
                            .startsWith("HTTP/1.0 200 OK"));
                }
                return null;
            });
        }
    }

    @Test
    void test_sock_client_fail() throws Exception {
        int port = unusedPort();
        Aio.run(() -> {
            try (SocketChannel sock = SocketChannel.open()) {
                sock.configureBlocking(false);
                assertThrows(ConnectException.class, () -> Aio.getRunningLoop().sockConnect(
                        sock, new InetSocketAddress("127.0.0.1", port)));
            }
            return null;
        });
    }

    @Test
    void test_sock_accept() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.configureBlocking(false);
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                Aio.run(() -> {
                    try (SocketChannel conn = Aio.getRunningLoop().sockAccept(listener)) {
                        assertFalse(conn.isBlocking()); // gettimeout() == 0
                        assertEquals(client.getLocalAddress(), conn.getRemoteAddress());
                        assertEquals(listener.getLocalAddress(), client.getRemoteAddress());
                    }
                    return null;
                });
            }
        }
    }

    // ---- datagrams -----------------------------------------------------------------------------

    /** CPython's MyDatagramProto. */
    static class MyDatagramProto implements DatagramProtocol {
        String state = "INITIAL";
        int nbytes;
        DatagramTransport transport;
        final AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();
        final List<String> violations = new ArrayList<>();

        void expect(String s) {
            if (!state.equals(s)) {
                violations.add("callback in state " + state);
            }
        }

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
            expect("INITIAL");
            state = "INITIALIZED";
        }

        @Override
        public void datagramReceived(byte[] data, InetSocketAddress addr) {
            expect("INITIALIZED");
            nbytes += data.length;
        }

        @Override
        public void errorReceived(Exception exc) {
            expect("INITIALIZED");
        }

        @Override
        public void connectionLost(Throwable exc) {
            expect("INITIALIZED");
            state = "CLOSED";
            done.setResult(null);
        }
    }

    @Test
    void test_create_datagram_endpoint() {
        Aio.run(() -> {
            var s = Net.createDatagramEndpoint(() -> new MyDatagramProto() {
                @Override
                public void datagramReceived(byte[] data, InetSocketAddress addr) {
                    super.datagramReceived(data, addr);
                    transport.sendto(concat(b("resp:"), data), addr);
                }
            }, new InetSocketAddress("127.0.0.1", 0), null);
            MyDatagramProto server = s.protocol();
            InetSocketAddress sockname = (InetSocketAddress) s.transport()
                    .getExtraInfo("sockname");
            assertEquals("INITIALIZED", server.state);
            assertSame(s.transport(), server.transport);

            var c = Net.createDatagramEndpoint(MyDatagramProto::new, null, sockname);
            MyDatagramProto client = c.protocol();
            assertEquals("INITIALIZED", client.state);
            assertSame(c.transport(), client.transport);

            c.transport().send(b("xxx"));
            runUntil(() -> server.nbytes > 0);
            assertEquals(3, server.nbytes);
            runUntil(() -> client.nbytes > 0);
            assertEquals(8, client.nbytes); // received
            assertNotNull(c.transport().getExtraInfo("sockname"));

            c.transport().close();
            client.done.await();
            assertEquals("CLOSED", client.state);
            server.transport.close();
            assertEquals(List.of(), server.violations);
            assertEquals(List.of(), client.violations);
            return null;
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** CPython's Protocol of test_datagram_send_to_non_listening_address. */
    static final class Received implements DatagramProtocol {
        AsyncFuture<byte[]> received;

        @Override
        public void datagramReceived(byte[] data, InetSocketAddress addr) {
            received.setResult(data);
        }

        byte[] waitForDatagramReceived() {
            received = Aio.getRunningLoop().createFuture();
            byte[] r = Aio.waitFor(received, 10.0);
            received = null;
            return r;
        }
    }

    @Test
    void test_datagram_send_to_non_listening_address() {
        Aio.run(() -> {
            InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
            var e1 = Net.createDatagramEndpoint(Received::new, any, null);
            var e2 = Net.createDatagramEndpoint(Received::new, any, null);
            var e3 = Net.createDatagramEndpoint(Received::new, any, null);
            InetSocketAddress addr1 = (InetSocketAddress) e1.transport().getExtraInfo("sockname");
            InetSocketAddress addr2 = (InetSocketAddress) e2.transport().getExtraInfo("sockname");
            InetSocketAddress addr3 = (InetSocketAddress) e3.transport().getExtraInfo("sockname");
            e3.transport().abort(); // an address nobody listens on

            e1.transport().sendto(b("a"), addr2);
            assertEquals("a", new String(e2.protocol().waitForDatagramReceived()));
            e2.transport().sendto(b("b"), addr1);
            assertEquals("b", new String(e1.protocol().waitForDatagramReceived()));
            // to an address that is not listening
            e1.transport().sendto(b("c"), addr3);
            Aio.sleep(0);
            // transport 1 still receives after sending there
            e2.transport().sendto(b("d"), addr1);
            assertEquals("d", new String(e1.protocol().waitForDatagramReceived()));
            e1.transport().close();
            e2.transport().close();
            return null;
        });
    }

    // ---- pipes ---------------------------------------------------------------------------------

    /** CPython's MyReadPipeProto. */
    static final class MyReadPipeProto implements Protocol {
        final List<String> state = new ArrayList<>(List.of("INITIAL"));
        int nbytes;
        Transport transport;
        final AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();
        final List<String> violations = new ArrayList<>();

        void expect(List<String> s) {
            if (!state.equals(s)) {
                violations.add("callback in state " + state);
            }
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            expect(List.of("INITIAL"));
            state.add("CONNECTED");
        }

        @Override
        public void dataReceived(byte[] data) {
            expect(List.of("INITIAL", "CONNECTED"));
            nbytes += data.length;
        }

        @Override
        public boolean eofReceived() {
            expect(List.of("INITIAL", "CONNECTED"));
            state.add("EOF");
            return false;
        }

        @Override
        public void connectionLost(Throwable exc) {
            if (!state.contains("EOF")) {
                state.add("EOF"); // it is okay if EOF is missed
            }
            expect(List.of("INITIAL", "CONNECTED", "EOF"));
            state.add("CLOSED");
            done.setResult(null);
        }
    }

    /** CPython's MyWritePipeProto. */
    static class MyWritePipeProto implements Protocol {
        String state = "INITIAL";
        Transport transport;
        Throwable lostWith;
        final AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            state = "CONNECTED";
        }

        @Override
        public void connectionLost(Throwable exc) {
            state = "CLOSED";
            lostWith = exc;
            done.setResult(null);
        }
    }

    /** {@code os.pipe()}: a FIFO, whose two ends open each other. */
    private static Object[] osPipe(Path dir) throws Exception {
        File fifo = dir.resolve("fifo").toFile();
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.getPath()).start().waitFor());
        CompletableFuture<FileOutputStream> w = CompletableFuture.supplyAsync(() -> {
            try {
                return new FileOutputStream(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        FileInputStream r = new FileInputStream(fifo);
        return new Object[] {r, w.get()};
    }

    @Test
    void test_read_pipe(@TempDir Path dir) throws Exception {
        Object[] p = osPipe(dir);
        InputStream rpipe = (InputStream) p[0];
        OutputStream wpipe = (OutputStream) p[1];
        Aio.run(() -> {
            MyReadPipeProto proto = new MyReadPipeProto();
            var c = Net.connectReadPipe(() -> proto, rpipe);
            assertSame(proto, c.protocol());
            assertSame(c.transport(), proto.transport);
            assertEquals(List.of("INITIAL", "CONNECTED"), proto.state); // connectionMade ran
            assertEquals(0, proto.nbytes);

            wpipe.write(b("1"));
            runUntil(() -> proto.nbytes >= 1);
            assertEquals(1, proto.nbytes);

            wpipe.write(b("2345"));
            runUntil(() -> proto.nbytes >= 5);
            assertEquals(List.of("INITIAL", "CONNECTED"), proto.state);
            assertEquals(5, proto.nbytes);

            wpipe.close();
            proto.done.await();
            assertEquals(List.of("INITIAL", "CONNECTED", "EOF", "CLOSED"), proto.state);
            // extra info is available
            assertSame(rpipe, proto.transport.getExtraInfo("pipe"));
            assertEquals(List.of(), proto.violations);
            return null;
        });
    }

    @Test
    void test_read_pipe_closed_by_its_transport() throws Exception {
        // not in CPython's file: a NIO pipe's stream ends a blocked read at close(), and the
        // protocol hears of it in the next turn
        Pipe p = Pipe.open();
        Aio.run(() -> {
            MyReadPipeProto proto = new MyReadPipeProto();
            Net.connectReadPipe(() -> proto, Channels.newInputStream(p.source()));
            p.sink().write(ByteBuffer.wrap(b("abc")));
            runUntil(() -> proto.nbytes >= 3);
            proto.transport.close();
            assertTrue(proto.transport.isClosing());
            proto.done.await();
            assertEquals(List.of("INITIAL", "CONNECTED", "EOF", "CLOSED"), proto.state);
            return null;
        });
        assertFalse(p.source().isOpen(), "the transport closed the pipe");
    }

    @Test
    void test_unclosed_pipe_transport() throws Exception {
        // CPython: repr() of transports left open must still work after the loop closed. Here
        // the loop closes the pipes it owns, and says so.
        Pipe r = Pipe.open();
        Pipe w = Pipe.open();
        Transport[] t = new Transport[2];
        Aio.run(() -> {
            t[0] = Net.connectReadPipe(MyReadPipeProto::new,
                    Channels.newInputStream(r.source())).transport();
            t[1] = Net.connectWritePipe(MyWritePipeProto::new,
                    Channels.newOutputStream(w.sink())).transport();
            return null;
        });
        assertTrue(t[0].toString().contains("pipe"), t[0].toString());
        assertTrue(t[0].isClosing());
        assertTrue(t[1].isClosing());
        assertFalse(r.source().isOpen(), "nothing outlives its loop");
    }

    @Test
    void test_write_pipe(@TempDir Path dir) throws Exception {
        Object[] p = osPipe(dir);
        InputStream rpipe = (InputStream) p[0];
        OutputStream wpipe = (OutputStream) p[1];
        Aio.run(() -> {
            MyWritePipeProto proto = new MyWritePipeProto();
            var c = Net.connectWritePipe(() -> proto, wpipe);
            Transport transport = c.transport();
            assertSame(proto, c.protocol());
            assertSame(transport, proto.transport);
            assertEquals("CONNECTED", proto.state);

            transport.write(b("1"));
            StringBuilder data = new StringBuilder();
            runUntil(() -> reader(rpipe, data) >= 1);
            assertEquals("1", data.toString());

            transport.write(b("2345"));
            runUntil(() -> reader(rpipe, data) >= 5);
            assertEquals("12345", data.toString());
            assertEquals("CONNECTED", proto.state);

            rpipe.close();
            // extra info is available
            assertSame(wpipe, proto.transport.getExtraInfo("pipe"));
            // close connection
            proto.transport.close();
            proto.done.await();
            assertEquals("CLOSED", proto.state);
            return null;
        });
    }

    private static int reader(InputStream rpipe, StringBuilder data) {
        try {
            int n = rpipe.available();
            if (n > 0) {
                data.append(new String(rpipe.readNBytes(n), StandardCharsets.UTF_8));
            }
            return data.length();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * One difference: asyncio watches a write pipe for its reader going away; the JDK's streams
     * cannot be watched, so the broken pipe is seen at the next write (the port writes once
     * more after the reader closes).
     */
    @Test
    void test_write_pipe_disconnect_on_close() throws Exception {
        Pipe p = Pipe.open();
        Aio.run(() -> {
            MyWritePipeProto proto = new MyWritePipeProto();
            var c = Net.connectWritePipe(() -> proto, Channels.newOutputStream(p.sink()));
            Transport transport = c.transport();
            assertEquals("CONNECTED", proto.state);
            transport.write(b("1"));
            ByteBuffer buf = ByteBuffer.allocate(1024);
            runUntil(() -> read(p.source(), buf) >= 1);
            assertEquals("1", new String(buf.array(), 0, buf.position()));

            p.source().close();
            transport.write(b("2"));
            proto.done.await();
            assertEquals("CLOSED", proto.state);
            assertNotNull(proto.lostWith);
            assertTrue(proto.lostWith.getMessage().startsWith("[Errno 32] Broken pipe"),
                    proto.lostWith.getMessage());
            return null;
        });
    }

    /**
     * uvloop's {@code tests/test_pipes.py} adds this one to asyncio's pipe tests: write 32 KiB at
     * a time until the protocol is paused (the pipe is full and the transport buffers), then close
     * the reading end: the writer learns of it and the connection is lost within a second.
     */
    @Test
    void test_write_buffer_full() throws Exception {
        Pipe p = Pipe.open();
        Aio.run(() -> {
            boolean[] paused = {false};
            MyWritePipeProto proto = new MyWritePipeProto() {
                @Override
                public void pauseWriting() {
                    paused[0] = true;
                }

                @Override
                public void resumeWriting() {
                    paused[0] = false;
                }
            };
            var c = Net.connectWritePipe(() -> proto, Channels.newOutputStream(p.sink()));
            Transport transport = c.transport();
            assertEquals("CONNECTED", proto.state);
            boolean full = false;
            for (int i = 0; i < 32 && !full; i++) {
                transport.write(new byte[32768]);
                if (paused[0]) {
                    transport.write(new byte[32768]);
                    full = true;
                }
            }
            assertTrue(full, "Didn't reach a full buffer");
            p.source().close();
            Aio.waitFor(proto.done, 1.0);
            assertEquals("CLOSED", proto.state);
            return null;
        });
    }

    private static int read(Pipe.SourceChannel ch, ByteBuffer buf) {
        try {
            ch.configureBlocking(false);
            ch.read(buf);
            return buf.position();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void connectingAPipeNeedsARunningLoopAndAStream() {
        assertThrows(IllegalStateException.class, () -> Net.connectReadPipe(
                MyReadPipeProto::new, InputStream.nullInputStream()));
        Aio.run(() -> {
            assertThrows(NullPointerException.class,
                    () -> Net.connectReadPipe(MyReadPipeProto::new, null));
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> Net.connectWritePipe(() -> null, OutputStream.nullOutputStream()));
            assertTrue(e.getMessage().contains("protocol factory returned null"),
                    e.getMessage());
            return null;
        });
    }
}
