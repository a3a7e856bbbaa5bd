package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.LoopResources;
import io.aiobridge.internal.TransportIo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A listening server: asyncio's {@code Server}, made by {@link Net#createServer} or {@link
 * Streams#startServer}. Each accepted connection gets a fresh protocol from the factory and a
 * transport of its own. Closing the loop closes the server and its connections.
 *
 * <p>Loop-confined: while its loop runs, {@link #startServing()}, {@link #close()}, {@link
 * #closeClients()} and {@link #abortClients()} throw {@link WrongThreadException} when called from
 * another thread, before they change anything; from another thread (a shutdown hook, say) use
 * {@code loop.callSoonThreadsafe(server::close)}. The queries are not checked; from another thread
 * they see a snapshot that may already be stale.
 *
 * <pre>{@code
 * Server server = Streams.startServer((reader, writer) -> { ... }, "127.0.0.1", 0);
 * int port = server.addresses().get(0).getPort();
 * ...
 * server.close();
 * server.waitClosed();   // the listening sockets are closed and every connection has ended
 * }</pre>
 */
public final class Server implements AutoCloseable {
    private static final double ACCEPT_RETRY_DELAY = 1.0;

    private final EventLoop loop;
    private final Supplier<? extends Protocol> protocolFactory;
    private final int backlog;
    private List<ServerSocketChannel> sockets;
    private final List<InetSocketAddress> addresses;
    private final Set<SocketTransport> clients = new LinkedHashSet<>();
    private final List<AsyncFuture<Void>> waiters = new ArrayList<>();
    private boolean serving;
    private AsyncFuture<Void> servingForever;
    /** What closing does after the sockets are closed (a Unix server removes its file), or null. */
    private final Runnable onClose;

    Server(EventLoop loop, List<ServerSocketChannel> sockets,
            Supplier<? extends Protocol> protocolFactory, int backlog, Runnable onClose)
            throws IOException {
        this.loop = loop;
        this.sockets = sockets;
        this.protocolFactory = protocolFactory;
        this.backlog = backlog;
        this.onClose = onClose;
        List<InetSocketAddress> addrs = new ArrayList<>();
        for (ServerSocketChannel s : sockets) {
            if (s.getLocalAddress() instanceof InetSocketAddress a) {
                addrs.add(a); // a Unix socket's address is its path: see sockets()
            }
        }
        this.addresses = List.copyOf(addrs);
        LoopResources.own(loop, this);
    }

    /**
     * The loop the server runs on.
     *
     * @return the loop
     */
    public EventLoop getLoop() {
        return loop;
    }

    /**
     * The listening sockets ({@code server.sockets}); empty once closed.
     *
     * @return the channels
     */
    public List<ServerSocketChannel> sockets() {
        return sockets == null ? List.of() : List.copyOf(sockets);
    }

    /**
     * The addresses the server is bound to (with the actual port when 0 was asked), also after
     * it closed. Empty for a Unix domain socket server, whose address is the path it was given.
     *
     * @return the addresses
     */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /**
     * Whether the server accepts connections.
     *
     * @return true while serving
     */
    public boolean isServing() {
        return serving;
    }

    /** Starts accepting (a no-op if it already does). */
    public void startServing() {
        TransportIo.checkThread(loop, "Server.startServing()");
        if (serving || sockets == null) {
            return;
        }
        serving = true;
        for (ServerSocketChannel s : sockets) {
            loop.addReader(s, () -> acceptReady(s));
        }
    }

    /**
     * Accepts connections until the task is cancelled; then closes the server and waits for it.
     * {@code await server.serve_forever()}. Call from a task.
     *
     * @throws IllegalStateException if the server is closed or already serving forever
     */
    public void serveForever() {
        if (servingForever != null) {
            throw new IllegalStateException("server " + this + " is already being awaited on"
                    + " serve_forever()");
        }
        if (sockets == null) {
            throw new IllegalStateException("server " + this + " is closed");
        }
        startServing();
        servingForever = loop.createFuture();
        try {
            servingForever.await();
        } catch (CancelledError e) {
            try {
                close();
                waitClosed();
            } finally {
                throw e;
            }
        } finally {
            servingForever = null;
        }
    }

    private void acceptReady(ServerSocketChannel s) {
        for (int i = 0; i < backlog; i++) {
            SocketChannel conn;
            try {
                conn = s.accept();
            } catch (IOException e) {
                // out of file descriptors, say: report, stop accepting for a while, retry
                loop.callExceptionHandler(new ErrorContext("socket.accept() out of system"
                        + " resource (" + e.getMessage() + "); accepting again in "
                        + ACCEPT_RETRY_DELAY + " s", e, null, null, null));
                loop.removeReader(s);
                loop.callLater(ACCEPT_RETRY_DELAY, () -> {
                    if (serving && sockets != null) {
                        loop.addReader(s, () -> acceptReady(s));
                    }
                });
                return;
            }
            if (conn == null) {
                return;
            }
            accepted(conn);
        }
    }

    private void accepted(SocketChannel conn) {
        Protocol protocol;
        try {
            protocol = protocolFactory.get();
            if (protocol == null) {
                throw new NullPointerException("the protocol factory returned null");
            }
        } catch (Throwable e) {
            closeQuietly(conn);
            loop.callExceptionHandler(new ErrorContext("Error on transport creation for incoming"
                    + " connection", e, null, null, null));
            return;
        }
        try {
            new SocketTransport(loop, conn, protocol, this, null);
        } catch (IOException e) {
            closeQuietly(conn);
            loop.callExceptionHandler(new ErrorContext("Error on transport creation for incoming"
                    + " connection", e, null, null, null));
        }
    }

    void attach(SocketTransport t) {
        clients.add(t);
    }

    void detach(SocketTransport t) {
        clients.remove(t);
        wakeupIfClosed();
    }

    /**
     * Stops listening and closes the listening sockets; connections already accepted stay open
     * (close them with {@link #closeClients()}). Idempotent.
     */
    @Override
    public void close() {
        TransportIo.checkThread(loop, "Server.close()");
        if (sockets == null) {
            return;
        }
        List<ServerSocketChannel> ss = sockets;
        sockets = null;
        if (serving) {
            for (ServerSocketChannel s : ss) {
                loop.removeReader(s);
            }
        }
        serving = false;
        for (ServerSocketChannel s : ss) {
            // at once, as asyncio: a socket left to the next select queues and resets connections
            LoopResources.closeNow(loop, s);
        }
        if (onClose != null) {
            onClose.run();
        }
        if (servingForever != null && !servingForever.isDone()) {
            servingForever.cancel();
        }
        LoopResources.disown(loop, this);
        wakeupIfClosed();
    }

    /** Closes every accepted connection (each once its buffered data is sent). */
    public void closeClients() {
        TransportIo.checkThread(loop, "Server.closeClients()");
        for (SocketTransport t : new ArrayList<>(clients)) {
            t.close();
        }
    }

    /** Aborts every accepted connection at once. */
    public void abortClients() {
        TransportIo.checkThread(loop, "Server.abortClients()");
        for (SocketTransport t : new ArrayList<>(clients)) {
            t.abort();
        }
    }

    /**
     * Waits until the server is closed and every connection it accepted has ended, as asyncio
     * 3.12's {@code wait_closed()}. Call from a task.
     */
    public void waitClosed() {
        if (sockets == null && clients.isEmpty()) {
            return;
        }
        AsyncFuture<Void> w = loop.createFuture();
        waiters.add(w);
        try {
            w.await();
        } finally {
            waiters.remove(w);
        }
    }

    private void wakeupIfClosed() {
        if (sockets == null && clients.isEmpty()) {
            for (AsyncFuture<Void> w : List.copyOf(waiters)) {
                if (!w.isDone()) {
                    w.setResult(null);
                }
            }
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // it never became a connection
        }
    }

    @Override
    public String toString() {
        return "<Server " + addresses + (serving ? " serving" : sockets == null ? " closed" : "")
                + " connections=" + clients.size() + ">";
    }
}
