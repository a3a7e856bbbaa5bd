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
 * cancelled {@code sock_sendall} racing a new one, and a megabyte sent and received at once. The
 * cancelled {@code sock_recv} is in {@link StreamsTest}.
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
}
