package io.aiobridge;

import io.aiobridge.internal.Addresses;
import io.aiobridge.internal.Failures;
import io.aiobridge.internal.SendfileRange;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * asyncio's {@code loop.sock_*} functions: try the operation at once; if the socket is not ready,
 * register a reader or writer that retries it on the loop, and suspend the task on a future until
 * it succeeds or fails. Cancelling the task removes the registration.
 */
final class SockOps {
    private SockOps() {}

    /** One non-blocking attempt: the result, or null if the socket is not ready yet. */
    @FunctionalInterface
    interface Attempt<T> {
        T tryOnce() throws IOException;
    }

    static <T> T await(BaseEventLoop loop, SelectableChannel ch, boolean read, String what,
            Attempt<T> attempt) throws IOException {
        Task<?> task = Task.currentOrThrow(what);
        if (task.loop != loop) {
            throw new IllegalStateException(what + " of " + loop + " called from a task of "
                    + task.loop + ": use the loop the task runs on");
        }
        if (ch.isBlocking()) {
            // a channel's default: its first attempt would block the loop until data came.
            // asyncio checks in debug mode only; the check is one field read, so always here
            throw new IllegalArgumentException("the socket must be non-blocking; call"
                    + " configureBlocking(false) on " + ch + " before " + what);
        }
        T now = attempt.tryOnce();
        if (now != null) {
            return now;
        }
        AsyncFuture<T> f = new AsyncFuture<>(loop);
        Handle[] reg = new Handle[1];
        reg[0] = loop.io.add(ch, () -> {
            if (f.isDone()) {
                loop.io.remove(ch, read, reg[0]);
                return;
            }
            try {
                T v = attempt.tryOnce();
                if (v != null) {
                    loop.io.remove(ch, read, reg[0]);
                    f.setResult(v);
                }
            } catch (IOException | RuntimeException e) {
                loop.io.remove(ch, read, reg[0]);
                f.setException(e);
            }
        }, read);
        try {
            return Failures.awaitIo(() -> task.awaitFuture(f));
        } finally {
            loop.io.remove(ch, read, reg[0]); // cancelled, or done: either way, not watched now
        }
    }

    static byte[] recv(BaseEventLoop loop, SocketChannel ch, int n) throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        if (n <= 0) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        ByteBuffer buf = ByteBuffer.allocate(n);
        return await(loop, ch, true, "sockRecv()", () -> {
            int r = ch.read(buf);
            if (r == 0) {
                return null;
            }
            return r < 0 ? new byte[0] : Arrays.copyOf(buf.array(), r);
        });
    }

    static int recvInto(BaseEventLoop loop, SocketChannel ch, ByteBuffer buffer)
            throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(buffer, "buffer is null");
        if (!buffer.hasRemaining()) {
            return 0;
        }
        return await(loop, ch, true, "sockRecvInto()", () -> {
            int r = ch.read(buffer);
            return r == 0 ? null : Math.max(r, 0);
        });
    }

    static void sendall(BaseEventLoop loop, SocketChannel ch, ByteBuffer data)
            throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(data, "data is null");
        await(loop, ch, false, "sockSendall()", () -> {
            while (data.hasRemaining()) {
                if (ch.write(data) == 0) {
                    return null;
                }
            }
            return Boolean.TRUE;
        });
    }

    static EventLoop.Received recvfrom(BaseEventLoop loop, DatagramChannel ch, int bufsize)
            throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        if (bufsize <= 0) {
            throw new IllegalArgumentException("bufsize must be at least 1, got " + bufsize);
        }
        ByteBuffer buf = ByteBuffer.allocate(bufsize);
        return await(loop, ch, true, "sockRecvfrom()", () -> {
            SocketAddress from = ch.receive(buf);
            return from == null ? null
                    : new EventLoop.Received(Arrays.copyOf(buf.array(), buf.position()), from);
        });
    }

    static EventLoop.ReceivedInto recvfromInto(BaseEventLoop loop, DatagramChannel ch,
            ByteBuffer buffer) throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(buffer, "buffer is null");
        return await(loop, ch, true, "sockRecvfromInto()", () -> {
            int before = buffer.position();
            SocketAddress from = ch.receive(buffer);
            return from == null ? null
                    : new EventLoop.ReceivedInto(buffer.position() - before, from);
        });
    }

    static int sendto(BaseEventLoop loop, DatagramChannel ch, ByteBuffer data,
            SocketAddress address) throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(data, "data is null");
        Objects.requireNonNull(address, "address is null");
        int size = data.remaining();
        return await(loop, ch, false, "sockSendto()", () -> {
            // a datagram goes whole or not at all: 0 means no room yet
            return ch.send(data, address) == 0 && size > 0 ? null : size;
        });
    }

    /** asyncio's {@code _sock_sendfile_native}: the kernel copies, the task waits when full. */
    static long sendfile(BaseEventLoop loop, SocketChannel ch, FileChannel file, long offset,
            Long count) throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(file, "file is null");
        SendfileRange.check(offset, count);
        long limit = count == null ? Long.MAX_VALUE : count;
        long[] sent = {0};
        try {
            await(loop, ch, false, "sockSendfile()", () -> {
                while (sent[0] < limit) {
                    long n = file.transferTo(offset + sent[0], limit - sent[0], ch);
                    if (n == 0) {
                        // the end of the file, or a full socket
                        return offset + sent[0] >= file.size() ? Boolean.TRUE : null;
                    }
                    sent[0] += n;
                }
                return Boolean.TRUE;
            });
        } finally {
            if (sent[0] > 0) {
                file.position(offset + sent[0]); // as asyncio: after the last byte sent
            }
        }
        return sent[0];
    }

    static void connect(BaseEventLoop loop, SocketChannel ch, SocketAddress address)
            throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(address, "address is null");
        boolean[] started = {false};
        try {
            await(loop, ch, false, "sockConnect()", () -> {
                if (!started[0]) {
                    started[0] = true;
                    if (ch.isConnectionPending()) {
                        // a cancelled sockConnect left it connecting: as asyncio's connect()
                        // meeting EALREADY, wait for that attempt instead of failing
                        return ch.finishConnect() ? Boolean.TRUE : null;
                    }
                    return ch.connect(address) ? Boolean.TRUE : null;
                }
                return ch.finishConnect() ? Boolean.TRUE : null;
            });
        } catch (IOException e) {
            throw connectFailed(e, address);
        }
    }

    /** asyncio's message first: "[Errno 111] Connect call failed ('127.0.0.1', 1)". */
    static IOException connectFailed(IOException cause, SocketAddress address) {
        if (cause instanceof ConnectException) {
            ConnectException ce = new ConnectException("[Errno 111] Connect call failed "
                    + pyAddress(address) + "; " + cause.getMessage() + ": nothing listens there,"
                    + " or a firewall refused it");
            ce.initCause(cause);
            return ce;
        }
        if (address instanceof UnixDomainSocketAddress u
                && String.valueOf(cause.getMessage()).contains("No such file")) {
            // asyncio raises FileNotFoundError; Java's file-not-found IOException is this one
            NoSuchFileException nf = new NoSuchFileException(u.getPath().toString(), null,
                    "[Errno 2] No such file or directory: no server has made this socket file");
            nf.initCause(cause);
            return nf;
        }
        return new IOException("connecting to " + pyAddress(address) + " failed: " + cause,
                cause);
    }

    /** An address as Python prints a socket address: {@code ('127.0.0.1', 8080)}. */
    static String pyAddress(SocketAddress address) {
        if (address instanceof InetSocketAddress a) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress()
                    : a.getHostString();
            return "('" + host + "', " + a.getPort() + ")";
        }
        return String.valueOf(address);
    }

    static SocketChannel accept(BaseEventLoop loop, ServerSocketChannel ch) throws IOException {
        Objects.requireNonNull(ch, "channel is null");
        return await(loop, ch, true, "sockAccept()", () -> {
            SocketChannel c = ch.accept();
            if (c != null) {
                c.configureBlocking(false);
            }
            return c;
        });
    }

    static List<InetSocketAddress> getaddrinfo(BaseEventLoop loop, String host, int port)
            throws IOException {
        Objects.requireNonNull(host, "host is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (Addresses.isLiteral(host)) {
            // a literal address needs no resolver: as asyncio's _ipaddr_info, answer at once
            return List.of(new InetSocketAddress(InetAddress.getByName(host), port));
        }
        AsyncFuture<List<InetSocketAddress>> f = loop.runInExecutor(null, () -> {
            List<InetSocketAddress> out = new ArrayList<>();
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    out.add(new InetSocketAddress(a, port));
                }
            } catch (UnknownHostException e) {
                UnknownHostException named = new UnknownHostException("[Errno -2] Name or"
                        + " service not known: '" + host + "'");
                named.initCause(e);
                throw named;
            }
            return out;
        });
        return Failures.awaitIo(f::await);
    }

}
