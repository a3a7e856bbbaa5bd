package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_sendfile.py}: {@code SockSendfileMixin}
 * ({@code loop.sock_sendfile}, {@link EventLoop#sockSendfile}) and the {@code SendfileMixin} cases
 * {@code SendfileTest} does not already cover. The cases that patch {@code _sendfile_native} to
 * force the fallback have no counterpart: the JDK's {@code transferTo} is always there. UDP is
 * refused by the types ({@code Net.sendfile} takes a stream {@link Transport}).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestSendfilePortTest {
    /** 256 KiB plus a small unaligned tail, as CPython's DATA. */
    private static final byte[] DATA = new byte[1024 * 256 + 1];
    /** Small socket buffers, to test on small data. */
    private static final int BUF_SIZE = 4 * 1024;

    static {
        Arrays.fill(DATA, (byte) 'x');
    }

    @TempDir
    Path dir;

    private FileChannel file() throws IOException {
        Path p = dir.resolve("data");
        if (!Files.exists(p)) {
            Files.write(p, DATA);
        }
        return FileChannel.open(p, StandardOpenOption.READ);
    }

    /** CPython's MyProto of the sock_sendfile cases: collects what arrives until closed. */
    static final class MyProto implements Protocol {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final AsyncFuture<Void> fut = Aio.getRunningLoop().createFuture();
        Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] d) {
            data.writeBytes(d);
        }

        @Override
        public void connectionLost(Throwable exc) {
            fut.setResult(null);
        }
    }

    /** prepare_socksendfile: a server with a small receive buffer, a connected raw socket. */
    private static Object[] prepareSocksendfile() throws IOException {
        MyProto proto = new MyProto();
        Server server = Net.createServer(() -> proto, "127.0.0.1", 0);
        server.sockets().get(0).setOption(StandardSocketOptions.SO_RCVBUF, BUF_SIZE);
        SocketChannel sock = SocketChannel.open();
        sock.configureBlocking(false);
        Aio.getRunningLoop().sockConnect(sock, new InetSocketAddress("127.0.0.1",
                server.addresses().get(0).getPort()));
        sock.setOption(StandardSocketOptions.SO_SNDBUF, BUF_SIZE);
        return new Object[] {sock, proto, server};
    }

    private static void closeAndWait(Object[] prepared) throws IOException {
        ((SocketChannel) prepared[0]).close();
        MyProto proto = (MyProto) prepared[1];
        proto.fut.await();
        ((Server) prepared[2]).close();
    }

    @Test
    void test_sock_sendfile_success() {
        Aio.run(() -> {
            Object[] p = prepareSocksendfile();
            try (FileChannel f = file()) {
                long ret = Aio.getRunningLoop().sockSendfile((SocketChannel) p[0], f);
                closeAndWait(p);
                assertEquals(DATA.length, ret);
                assertArrayEquals(DATA, ((MyProto) p[1]).data.toByteArray());
                assertEquals(DATA.length, f.position());
            }
            return null;
        });
    }

    @Test
    void test_sock_sendfile_with_offset_and_count() {
        Aio.run(() -> {
            Object[] p = prepareSocksendfile();
            try (FileChannel f = file()) {
                long ret = Aio.getRunningLoop().sockSendfile((SocketChannel) p[0], f, 1000,
                        2000L);
                closeAndWait(p);
                assertArrayEquals(Arrays.copyOfRange(DATA, 1000, 3000),
                        ((MyProto) p[1]).data.toByteArray());
                assertEquals(3000, f.position());
                assertEquals(2000, ret);
            }
            return null;
        });
    }

    @Test
    void test_sock_sendfile_zero_size() {
        Aio.run(() -> {
            Object[] p = prepareSocksendfile();
            Path empty = Files.createTempFile(dir, "empty", "");
            try (FileChannel f = FileChannel.open(empty)) {
                long ret = Aio.getRunningLoop().sockSendfile((SocketChannel) p[0], f, 0, null);
                closeAndWait(p);
                assertEquals(0, ret);
                assertEquals(0, f.position());
            }
            return null;
        });
    }

    @Test
    void test_sock_sendfile_mix_with_regular_send() {
        Aio.run(() -> {
            byte[] buf = "mix_regular_send".repeat(4 * 1024).getBytes(); // 64 KiB
            Object[] p = prepareSocksendfile();
            SocketChannel sock = (SocketChannel) p[0];
            EventLoop loop = Aio.getRunningLoop();
            try (FileChannel f = file()) {
                loop.sockSendall(sock, ByteBuffer.wrap(buf));
                long ret = loop.sockSendfile(sock, f);
                loop.sockSendall(sock, ByteBuffer.wrap(buf));
                closeAndWait(p);
                assertEquals(DATA.length, ret);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                expected.writeBytes(buf);
                expected.writeBytes(DATA);
                expected.writeBytes(buf);
                assertArrayEquals(expected.toByteArray(), ((MyProto) p[1]).data.toByteArray());
                assertEquals(DATA.length, f.position());
            }
            return null;
        });
    }

    @Test
    void sockSendfileRefusesWhatAsyncioRefuses() {
        Aio.run(() -> {
            Object[] p = prepareSocksendfile();
            SocketChannel sock = (SocketChannel) p[0];
            EventLoop loop = Aio.getRunningLoop();
            try (FileChannel f = file()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop.sockSendfile(sock, f, -1, null));
                assertTrue(e.getMessage().startsWith("offset must be a non-negative integer"
                        + " (got -1)"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> loop.sockSendfile(sock, f, 0, 0L));
                assertTrue(e.getMessage().startsWith("count must be a positive integer"
                        + " (got 0)"), e.getMessage());
                try (SocketChannel blocking = SocketChannel.open()) {
                    e = assertThrows(IllegalArgumentException.class,
                            () -> loop.sockSendfile(blocking, f));
                    assertTrue(e.getMessage().startsWith("the socket must be non-blocking"));
                }
                assertEquals(0, f.position(), "nothing was sent");
                // a count past the end of the file sends up to the end
                assertEquals(DATA.length - 10, loop.sockSendfile(sock, f, 10, 1L << 40));
                closeAndWait(p);
                assertEquals(DATA.length - 10, ((MyProto) p[1]).data.size());
            }
            return null;
        });
    }

    // ---- SendfileMixin: the cases SendfileTest does not have ----

    /** CPython's MySendfileProto: counts what arrives, closing after close_after bytes. */
    static final class MySendfileProto implements Protocol {
        final int closeAfter;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();
        Transport transport;

        MySendfileProto(int closeAfter) {
            this.closeAfter = closeAfter;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] d) {
            data.writeBytes(d);
            if (closeAfter > 0 && data.size() >= closeAfter) {
                transport.close();
            }
        }

        @Override
        public void connectionLost(Throwable exc) {
            done.setResult(null);
        }
    }

    private static MySendfileProto[] prepareSendfile(int closeAfter) throws IOException {
        MySendfileProto srv = new MySendfileProto(closeAfter);
        Server server = Net.createServer(() -> srv, "127.0.0.1", 0);
        server.sockets().get(0).setOption(StandardSocketOptions.SO_RCVBUF, BUF_SIZE);
        MySendfileProto cli = new MySendfileProto(0);
        Net.createConnection(() -> cli, "127.0.0.1", server.addresses().get(0).getPort());
        cli.transport.setWriteBufferLimits(BUF_SIZE, null);
        while (srv.transport == null) { // accepted: closing the server now cannot reset it
            Aio.sleep(0.001);
        }
        server.close();
        return new MySendfileProto[] {srv, cli};
    }

    @Test
    void test_sendfile_partial() {
        Aio.run(() -> {
            MySendfileProto[] p = prepareSendfile(0);
            try (FileChannel f = file()) {
                long ret = Net.sendfile(p[1].transport, f, 1000, 100L, true);
                p[1].transport.close();
                p[0].done.await();
                assertEquals(100, ret);
                assertArrayEquals(Arrays.copyOfRange(DATA, 1000, 1100), p[0].data.toByteArray());
                assertEquals(1100, f.position());
            }
            return null;
        });
    }

    @Test
    void test_sendfile_close_peer_after_receiving() {
        Aio.run(() -> {
            MySendfileProto[] p = prepareSendfile(DATA.length);
            try (FileChannel f = file()) {
                long ret = Net.sendfile(p[1].transport, f);
                p[1].transport.close();
                p[0].done.await();
                assertEquals(DATA.length, ret);
                assertArrayEquals(DATA, p[0].data.toByteArray());
                assertEquals(DATA.length, f.position());
            }
            return null;
        });
    }
}
