package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_sock_lowlevel.py}, case by case, over real
 * loopback sockets: the {@code loop.sock_*} functions, their refusal of a blocking socket, a
 * cancelled {@code sock_sendall}, {@code sock_recv} and {@code sock_connect} racing new ones, a
 * megabyte sent and received at once, and the datagram functions of 3.11 ({@code sock_recvfrom},
 * {@code sock_recvfrom_into}, {@code sock_sendto}). {@code test_sock_client_fail} and {@code
 * test_sock_accept} are in {@link TestEventsPortTest}, which has them too; {@code
 * test_sendto_blocking} mocks {@code sendto}, and the proactor's cases are Windows'.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestSockLowlevelPortTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void test_sock_client_ops_refuse_a_blocking_socket() {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            try (SocketChannel blocking = SocketChannel.open();
                    ServerSocketChannel server = ServerSocketChannel.open()) {
                InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 0);
                for (Task<?> op : new Task<?>[] {
                    Aio.createTask(() -> {
                        loop.sockConnect(blocking, addr);
                        return null;
                    }),
                    Aio.createTask(() -> {
                        loop.sockSendall(blocking, ByteBuffer.wrap(b("GET / HTTP/1.0\r\n\r\n")));
                        return null;
                    }),
                    Aio.createTask(() -> loop.sockRecv(blocking, 1024)),
                    Aio.createTask(() -> loop.sockRecvInto(blocking, ByteBuffer.allocate(8))),
                    Aio.createTask(() -> loop.sockAccept(server))}) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            op::await);
                    assertTrue(e.getMessage().startsWith("the socket must be non-blocking"),
                            e.getMessage());
                }
            }
            return null;
        });
    }

    @Test
    void test_sock_send_racing() throws Exception {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            try (ServerSocketChannel listener = ServerSocketChannel.open();
                    SocketChannel sock = SocketChannel.open()) {
                listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
                listener.configureBlocking(false);
                sock.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1024);
                sock.configureBlocking(false);
                Task<SocketChannel> accepting = Aio.createTask(() -> loop.sockAccept(listener));
                loop.sockConnect(sock, listener.getLocalAddress());
                try (SocketChannel server = accepting.await()) {
                    // fill the buffers until a write of a few bytes would block
                    for (int size = 8192; size >= 4; size /= 2) {
                        ByteBuffer spaces = ByteBuffer.wrap(" ".repeat(size).getBytes());
                        while (sock.write(spaces.rewind()) > 0) {
                            // keep filling
                        }
                    }
                    // cancel a blocked sock_sendall
                    Task<Void> blocked = Aio.createTask(() -> {
                        loop.sockSendall(sock, ByteBuffer.wrap(b("hello")));
                        return null;
                    });
                    Aio.sleep(0);
                    blocked.cancel();
                    // receive everything that is not a space
                    Task<String> recvAll = Aio.createTask(() -> {
                        StringBuilder rv = new StringBuilder();
                        while (true) {
                            byte[] buf = loop.sockRecv(server, 8192);
                            if (buf.length == 0) {
                                return rv.toString();
                            }
                            rv.append(new String(buf, StandardCharsets.UTF_8).strip());
                        }
                    });
                    // at once, another sock_sendall
                    loop.sockSendall(sock, ByteBuffer.wrap(b("world")));
                    sock.shutdownOutput();
                    String data = recvAll.await();
                    assertTrue(data.endsWith("world"), data);
                }
            }
            return null;
        });
    }

    @Test
    void test_huge_content() throws Exception {
        // a megabyte sent to an echo peer while the same task's loop receives the echo
        int dataSize = 1_000_000;
        byte[] chunk = new byte[dataSize];
        for (int i = 0; i < dataSize; i++) {
            chunk[i] = (byte) ('0' + i % 10);
        }
        try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = echo.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[65536];
                    int total = 0;
                    while (total < dataSize) {
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        out.write(buf, 0, n);
                        total += n;
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] received = Aio.run(() -> {
                EventLoop loop = Aio.getRunningLoop();
                try (SocketChannel sock = SocketChannel.open()) {
                    sock.configureBlocking(false);
                    loop.sockConnect(sock, echo.getLocalSocketAddress());
                    Task<Void> sending = Aio.createTask(() -> {
                        loop.sockSendall(sock, ByteBuffer.wrap(chunk));
                        return null;
                    });
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    ByteBuffer into = ByteBuffer.allocate(dataSize);
                    while (got.size() < dataSize) {
                        into.clear();
                        int n = loop.sockRecvInto(sock, into);
                        if (n == 0) {
                            break;
                        }
                        got.write(into.array(), 0, n);
                    }
                    sending.await();
                    return got.toByteArray();
                }
            });
            peer.get();
            assertEquals(dataSize, received.length);
            assertTrue(java.util.Arrays.equals(chunk, received), "every byte, in order");
        }
    }

    // ---- the rest of BaseSockTestsMixin ----

    /** _basetest_sock_client_ops and _basetest_sock_recv_into, on a non-blocking socket. */
    private static void sockClientOps(java.net.SocketAddress address, SocketChannel sock,
            boolean recvInto) throws java.io.IOException {
        EventLoop loop = Aio.getRunningLoop();
        sock.configureBlocking(false);
        loop.sockConnect(sock, address);
        loop.sockSendall(sock, ByteBuffer.wrap(b("GET / HTTP/1.0\r\n\r\n")));
        String data;
        if (recvInto) {
            ByteBuffer buf = ByteBuffer.allocate(1024);
            loop.sockRecvInto(sock, buf.limit(1024));
            loop.sockRecvInto(sock, buf); // consume the rest
            data = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        } else {
            data = new String(loop.sockRecv(sock, 1024), StandardCharsets.ISO_8859_1);
            loop.sockRecv(sock, 1024); // consume the rest
        }
        sock.close();
        assertTrue(data.startsWith("HTTP/1.0 200 OK"), data);
    }

    @Test
    void test_sock_client_ops() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                sockClientOps(httpd.address, SocketChannel.open(), false);
                sockClientOps(httpd.address, SocketChannel.open(), true);
                return null;
            });
        }
    }

    @Test
    void test_unix_sock_client_ops(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.net.UnixDomainSocketAddress path = java.net.UnixDomainSocketAddress.of(
                dir.resolve("s.sock"));
        try (TestEventsPortTest.TestServer httpd = new TestEventsPortTest.TestServer(path)) {
            Aio.run(() -> {
                sockClientOps(path, SocketChannel.open(java.net.StandardProtocolFamily.UNIX),
                        false);
                sockClientOps(path, SocketChannel.open(java.net.StandardProtocolFamily.UNIX),
                        true);
                return null;
            });
        }
    }

    @Test
    void test_sock_client_racing() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            for (boolean recvInto : new boolean[] {false, true}) {
                Aio.run(() -> Aio.waitFor(Aio.createTask(() -> {
                    // _basetest_sock_recv_racing / _basetest_sock_recv_into_racing
                    EventLoop loop = Aio.getRunningLoop();
                    try (SocketChannel sock = SocketChannel.open()) {
                        sock.configureBlocking(false);
                        loop.sockConnect(sock, httpd.address);
                        ByteBuffer buf = ByteBuffer.allocate(1024);
                        Task<?> task = Aio.createTask(() -> recvInto
                                ? loop.sockRecvInto(sock, buf) : loop.sockRecv(sock, 1024));
                        Aio.sleep(0);
                        task.cancel();
                        Task<Void> send = Aio.createTask(() -> {
                            loop.sockSendall(sock, ByteBuffer.wrap(b("GET / HTTP/1.0\r\n\r\n")));
                            return null;
                        });
                        String data;
                        if (recvInto) {
                            int n = loop.sockRecvInto(sock, buf);
                            loop.sockRecvInto(sock, buf); // consume the rest
                            data = new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1);
                        } else {
                            data = new String(loop.sockRecv(sock, 1024),
                                    StandardCharsets.ISO_8859_1);
                            loop.sockRecv(sock, 1024);
                        }
                        assertTrue(data.startsWith("HTTP/1.0 200 OK"), data);
                        send.await();
                    }
                    return null;
                }), 10.0));
            }
        }
    }

    /**
     * A cancelled {@code sock_connect} leaves the socket connecting; the next one waits for that
     * attempt (asyncio: {@code connect()} meets EALREADY) instead of failing. CPython's case has
     * the listener listen only after the cancel, and retries a refused socket; the JDK closes a
     * channel whose connect failed, so the port checks the two outcomes apart: the attempt
     * succeeds once the listener listens, and a refused attempt is reported as itself.
     */
    @Test
    void test_sock_client_connect_racing() throws Exception {
        for (boolean listening : new boolean[] {true, false}) {
            try (ServerSocketChannel listener = ServerSocketChannel.open();
                    SocketChannel sock = SocketChannel.open()) {
                listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
                java.net.SocketAddress addr = listener.getLocalAddress();
                if (!listening) {
                    listener.close(); // nobody there: the pending connect is refused
                }
                Aio.run(() -> Aio.waitFor(Aio.createTask(() -> {
                    EventLoop loop = Aio.getRunningLoop();
                    sock.configureBlocking(false);
                    Task<Void> task = Aio.createTask(() -> {
                        loop.sockConnect(sock, addr);
                        return null;
                    });
                    Aio.sleep(0);
                    task.cancel();
                    if (listening) {
                        loop.sockConnect(sock, addr);
                        assertTrue(sock.isConnected());
                    } else {
                        java.net.ConnectException e = assertThrows(
                                java.net.ConnectException.class,
                                () -> loop.sockConnect(sock, addr));
                        assertTrue(e.getMessage().contains("Connect call failed"),
                                e.getMessage());
                    }
                    return null;
                }), 10.0));
            }
        }
    }

    @Test
    void test_cancel_sock_accept() throws Exception {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            java.net.SocketAddress sockaddr;
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                listener.configureBlocking(false);
                listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
                sockaddr = listener.getLocalAddress();
                assertThrows(io.aiobridge.AsyncTimeoutException.class, () -> Aio.waitFor(
                        Aio.createTask(() -> loop.sockAccept(listener)), 0.1));
            }
            try (SocketChannel client = SocketChannel.open()) {
                client.configureBlocking(false);
                assertThrows(java.net.ConnectException.class,
                        () -> loop.sockConnect(client, sockaddr));
            }
            return null;
        });
    }

    @Test
    void test_create_connection_sock() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                SocketChannel sock = SocketChannel.open();
                sock.configureBlocking(false);
                Aio.getRunningLoop().sockConnect(sock, httpd.address);
                var c = Net.createConnection(TestEventsPortTest.MyProto::new, sock);
                c.protocol().done.await();
                assertTrue(c.protocol().nbytes > 0);
                c.transport().close();
                return null;
            });
        }
    }

    /** test_utils.run_udp_echo_server: echoes each datagram to its sender, on a thread. */
    private static final class UdpEcho implements AutoCloseable {
        final java.net.DatagramSocket socket;
        final Thread thread;

        UdpEcho() throws java.io.IOException {
            socket = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            thread = Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[65536];
                while (!socket.isClosed()) {
                    java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                        socket.send(new java.net.DatagramPacket(p.getData(), p.getLength(),
                                p.getSocketAddress()));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
        }

        java.net.SocketAddress address() {
            return socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(10_000);
        }
    }

    @Test
    void test_recvfrom() throws Exception {
        try (UdpEcho server = new UdpEcho()) {
            Aio.run(() -> {
                EventLoop loop = Aio.getRunningLoop();
                byte[] data = new byte[4096];
                java.util.Arrays.fill(data, (byte) 1);
                try (java.nio.channels.DatagramChannel sock =
                        java.nio.channels.DatagramChannel.open()) {
                    sock.configureBlocking(false);
                    assertEquals(4096, loop.sockSendto(sock, ByteBuffer.wrap(data),
                            server.address()));
                    EventLoop.Received r = loop.sockRecvfrom(sock, 4096);
                    assertTrue(java.util.Arrays.equals(data, r.data()));
                    assertEquals(server.address(), r.address());
                }
                return null;
            });
        }
    }

    @Test
    void test_recvfrom_into() throws Exception {
        try (UdpEcho server = new UdpEcho()) {
            Aio.run(() -> {
                EventLoop loop = Aio.getRunningLoop();
                byte[] data = new byte[4096];
                java.util.Arrays.fill(data, (byte) 1);
                try (java.nio.channels.DatagramChannel sock =
                        java.nio.channels.DatagramChannel.open()) {
                    sock.configureBlocking(false);
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    loop.sockSendto(sock, ByteBuffer.wrap(data), server.address());
                    EventLoop.ReceivedInto r = loop.sockRecvfromInto(sock, buf);
                    assertEquals(4096, r.nbytes());
                    assertTrue(java.util.Arrays.equals(data, buf.array()));
                    assertEquals(server.address(), r.address());

                    // nbytes=4096 into a larger buffer: its limit says how many
                    ByteBuffer big = ByteBuffer.allocate(8192).limit(4096);
                    loop.sockSendto(sock, ByteBuffer.wrap(data), server.address());
                    r = loop.sockRecvfromInto(sock, big);
                    assertEquals(4096, r.nbytes());
                    assertTrue(java.util.Arrays.equals(data, 0, 4096, big.array(), 0, 4096));
                    assertEquals(server.address(), r.address());
                }
                return null;
            });
        }
    }

    @Test
    void sockRecvfromWaitsForADatagramAndTheLoopRunsMeanwhile() throws Exception {
        // not in CPython's file: the receive suspends only its task, and a datagram cut to the
        // size asked for loses its tail as recvfrom does
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            try (java.nio.channels.DatagramChannel a = java.nio.channels.DatagramChannel.open();
                    java.nio.channels.DatagramChannel bch =
                            java.nio.channels.DatagramChannel.open()) {
                a.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
                bch.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
                Task<EventLoop.Received> waiting = Aio.createTask(() -> loop.sockRecvfrom(a, 3));
                Aio.sleep(0.05);
                assertTrue(!waiting.isDone(), "nothing came yet");
                loop.sockSendto(bch, ByteBuffer.wrap(b("hello")), a.getLocalAddress());
                EventLoop.Received r = waiting.await();
                assertEquals("hel", new String(r.data(), StandardCharsets.UTF_8));
                assertEquals(bch.getLocalAddress(), r.address());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop.sockRecvfrom(a, 0));
                assertTrue(e.getMessage().startsWith("bufsize must be at least 1"));
            }
            return null;
        });
    }
}
