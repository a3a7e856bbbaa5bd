package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * asyncio's transports-and-protocols entry points, on the running loop: {@code
 * loop.create_connection} and {@code loop.create_server}, and their Unix domain socket forms
 * {@code create_unix_connection} and {@code create_unix_server}; and {@code loop.sendfile}. Call them from a task; they suspend it
 * until the connection is made or the server listens. For the higher-level streams API see
 * {@link Streams}.
 *
 * <pre>{@code
 * Connection<EchoClient> c = Net.createConnection(EchoClient::new, "127.0.0.1", port);
 * c.transport().write("hello".getBytes());
 * }</pre>
 */
public final class Net {
    private Net() {}

    /** asyncio's default listen backlog. */
    public static final int DEFAULT_BACKLOG = 100;

    /**
     * A transport and the protocol it drives, as asyncio's {@code (transport, protocol)} pair.
     *
     * @param transport the transport
     * @param protocol the protocol
     * @param <P> the protocol type
     */
    public record Connection<P extends Protocol>(Transport transport, P protocol) {}

    /**
     * Opens a TCP connection to {@code host:port} and wires a new protocol to it; returns once
     * the protocol's {@code connectionMade} has run. Each address {@code host} resolves to is
     * tried in order.
     *
     * @param protocolFactory makes the protocol
     * @param host a name or literal address
     * @param port the port
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws java.net.ConnectException naming the address if the connection is refused
     * @throws java.net.UnknownHostException naming the host if it does not resolve
     * @throws IOException if connecting fails otherwise
     */
    public static <P extends Protocol> Connection<P> createConnection(
            Supplier<? extends P> protocolFactory, String host, int port) throws IOException {
        return createConnection(protocolFactory, host, port, null, null);
    }

    /**
     * As {@link #createConnection(Supplier, String, int)}, over TLS when {@code ssl} is given:
     * returns once the handshake is done and the protocol's {@code connectionMade} has run, with
     * a transport that encrypts what the protocol writes. As asyncio's default context, the
     * server's certificate must name {@code serverHostname} (SNI is sent for a name).
     *
     * @param protocolFactory makes the protocol
     * @param host a name or literal address
     * @param port the port
     * @param ssl the TLS context (its trust managers decide which certificates are trusted), or
     *     null for plain TCP
     * @param serverHostname the name the certificate must carry: null for {@code host}, the
     *     empty string to skip the hostname check
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails (an untrusted
     *     certificate, a name mismatch, no common protocol)
     * @throws IOException if connecting fails
     */
    public static <P extends Protocol> Connection<P> createConnection(
            Supplier<? extends P> protocolFactory, String host, int port, SSLContext ssl,
            String serverHostname) throws IOException {
        return createConnection(protocolFactory, host, port,
                ConnectOptions.defaults().withSsl(ssl).withServerHostname(serverHostname));
    }

    /**
     * As {@link #createConnection(Supplier, String, int)}, with asyncio's other arguments of
     * {@code create_connection}: TLS, a local address to bind to, Happy Eyeballs (a
     * staggered race between the resolved addresses, so that one that does not answer costs
     * only the delay, not the connect timeout), the address family, and all_errors.
     *
     * @param protocolFactory makes the protocol
     * @param host a name or literal address
     * @param port the port
     * @param options how to connect
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws java.net.ConnectException naming the address if the connection is refused
     * @throws BindException naming the local address if it cannot be bound
     * @throws IOException if connecting fails otherwise; when every address failed, the one
     *     error, or one listing each ("Multiple exceptions: ...") as asyncio does
     * @throws io.aiobridge.ExceptionGroup when every address failed and {@link
     *     ConnectOptions#withAllErrors} asked for each error
     */
    public static <P extends Protocol> Connection<P> createConnection(
            Supplier<? extends P> protocolFactory, String host, int port, ConnectOptions options)
            throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(options, "options is null");
        options.checkTls();
        EventLoop loop = Aio.getRunningLoop();
        SocketChannel ch = Connector.connect(loop, host, port, options);
        return wire(loop, ch, protocolFactory, options.ssl(),
                options.serverHostname() != null ? options.serverHostname() : host, port,
                options);
    }

    /**
     * Opens a connection to the Unix domain socket at {@code path} and wires a new protocol to
     * it: {@code loop.create_unix_connection(factory, path)}. Returns once the protocol's {@code
     * connectionMade} has run.
     *
     * @param protocolFactory makes the protocol
     * @param path the socket's file
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws java.net.ConnectException naming the path if nothing listens there
     * @throws IOException if connecting fails otherwise
     */
    public static <P extends Protocol> Connection<P> createUnixConnection(
            Supplier<? extends P> protocolFactory, String path) throws IOException {
        return createUnixConnection(protocolFactory, path, null, null);
    }

    /**
     * As {@link #createUnixConnection(Supplier, String)}, over TLS when {@code ssl} is given. A
     * Unix socket has no host name, so the name the server's certificate must carry is required
     * with {@code ssl}, as in asyncio.
     *
     * @param protocolFactory makes the protocol
     * @param path the socket's file
     * @param ssl the TLS context, or null
     * @param serverHostname the name the certificate must carry (the empty string: no check);
     *     required with {@code ssl}, refused without it
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws IOException if connecting or the handshake fails
     */
    public static <P extends Protocol> Connection<P> createUnixConnection(
            Supplier<? extends P> protocolFactory, String path, SSLContext ssl,
            String serverHostname) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        Objects.requireNonNull(path, "path is null");
        if (ssl != null && serverHostname == null) {
            throw new IllegalArgumentException("you have to pass server_hostname when using ssl;"
                    + " a Unix socket has no host name to check the certificate against");
        }
        if (ssl == null && serverHostname != null) {
            throw new IllegalArgumentException("server_hostname is only meaningful with ssl");
        }
        EventLoop loop = Aio.getRunningLoop();
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
            loop.sockConnect(ch, UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            throw e;
        }
        return wire(loop, ch, protocolFactory, ssl, serverHostname, -1,
                ConnectOptions.defaults());
    }

    /** Makes the protocol and the transport of a connected socket; waits for connectionMade. */
    private static <P extends Protocol> Connection<P> wire(EventLoop loop, SocketChannel ch,
            Supplier<? extends P> protocolFactory, SSLContext ssl, String serverHostname,
            int port, ConnectOptions options) throws IOException {
        return wire(loop, ch, protocolFactory, ssl, false, serverHostname, port, options);
    }

    private static <P extends Protocol> Connection<P> wire(EventLoop loop, SocketChannel ch,
            Supplier<? extends P> protocolFactory, SSLContext ssl, boolean serverSide,
            String serverHostname, int port, ConnectOptions options) throws IOException {
        P protocol;
        try {
            protocol = Objects.requireNonNull(protocolFactory.get(),
                    "the protocol factory returned null");
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        AsyncFuture<Void> made = loop.createFuture();
        SslProtocol tls = ssl == null ? null : new SslProtocol(loop, ssl, serverSide,
                serverHostname, port, protocol, true, made).timeouts(
                        options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        Transport t;
        try {
            t = new SocketTransport(loop, ch, tls != null ? tls : protocol, null,
                    tls != null ? null : () -> {
                        if (!made.isDone()) {
                            made.setResult(null);
                        }
                    });
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        try {
            IoAwait.await(made);
        } catch (IOException | RuntimeException | Error e) {
            t.abort(); // as asyncio: cancelled (a timeout, say) before it was handed out
            throw e;
        }
        return new Connection<>(tls != null ? tls.appTransport() : t, protocol);
    }

    /**
     * Wires a new protocol to a connection accepted elsewhere ({@code
     * loop.connect_accepted_socket(factory, sock)}): a socket from {@code
     * System.inheritedChannel()} (systemd socket activation, inetd), or one another library
     * accepted. The loop owns the channel from now on: it is made non-blocking and is closed
     * with the transport. Returns once the protocol's {@code connectionMade} has run.
     *
     * @param protocolFactory makes the protocol
     * @param channel a connected socket
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws IllegalArgumentException if the channel is not connected
     * @throws IOException if the channel cannot be used
     */
    public static <P extends Protocol> Connection<P> connectAcceptedSocket(
            Supplier<? extends P> protocolFactory, SocketChannel channel) throws IOException {
        return connectAcceptedSocket(protocolFactory, channel, null);
    }

    /**
     * As {@link #connectAcceptedSocket(Supplier, SocketChannel)}, as the server side of TLS when
     * {@code ssl} is given: returns once the handshake is done.
     *
     * @param protocolFactory makes the protocol
     * @param channel a connected socket
     * @param ssl the server's TLS context (its key managers hold the certificate), or null
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws IllegalArgumentException if the channel is not connected
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails
     * @throws IOException if the channel cannot be used
     */
    public static <P extends Protocol> Connection<P> connectAcceptedSocket(
            Supplier<? extends P> protocolFactory, SocketChannel channel, SSLContext ssl)
            throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        EventLoop loop = Aio.getRunningLoop();
        adopt(channel);
        return wire(loop, channel, protocolFactory, ssl, true, null, 0,
                ConnectOptions.defaults());
    }

    /**
     * As {@link #createConnection(Supplier, String, int)}, on a socket already connected ({@code
     * create_connection(factory, sock=sock)}); the loop owns the channel from now on.
     *
     * @param protocolFactory makes the protocol
     * @param channel a connected socket
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws IllegalArgumentException if the channel is not connected
     * @throws IOException if the channel cannot be used
     */
    public static <P extends Protocol> Connection<P> createConnection(
            Supplier<? extends P> protocolFactory, SocketChannel channel) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        EventLoop loop = Aio.getRunningLoop();
        adopt(channel);
        return wire(loop, channel, protocolFactory, null, false, null, 0,
                ConnectOptions.defaults());
    }

    /**
     * As {@link #createConnection(Supplier, SocketChannel)}, with the options that apply to a
     * socket already connected: {@code create_connection(factory, sock=sock, ssl=ctx,
     * server_hostname=name, ...)}. TLS needs the name the certificate must carry, since there
     * is no host to take it from (the empty string skips the check). The options that choose
     * how to connect (Happy Eyeballs, interleave, family, all errors) have nothing to do here
     * and are ignored, as asyncio ignores them with {@code sock}; a local address is refused.
     *
     * @param protocolFactory makes the protocol
     * @param channel a connected socket
     * @param options TLS and its timeouts
     * @param <P> the protocol type
     * @return the transport and the protocol
     * @throws IllegalArgumentException if the channel is not connected, TLS has no server
     *     name, or a local address is given
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails
     * @throws IOException if the channel cannot be used
     */
    public static <P extends Protocol> Connection<P> createConnection(
            Supplier<? extends P> protocolFactory, SocketChannel channel, ConnectOptions options)
            throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        Objects.requireNonNull(options, "options is null");
        options.checkTls();
        if (options.ssl() != null && options.serverHostname() == null) {
            throw new IllegalArgumentException("You must set server_hostname when using ssl"
                    + " without a host: withServerHostname(name), or \"\" to skip the check");
        }
        if (options.localHost() != null) {
            throw new IllegalArgumentException("local_addr cannot be used with sock: the"
                    + " socket is connected already; bind it before connecting it");
        }
        EventLoop loop = Aio.getRunningLoop();
        adopt(channel);
        int port = channel.getRemoteAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
        return wire(loop, channel, protocolFactory, options.ssl(), options.serverHostname(),
                port, options);
    }

    /** A socket handed in by the caller: connected, and non-blocking from now on. */
    private static void adopt(SocketChannel channel) throws IOException {
        Objects.requireNonNull(channel, "channel is null");
        if (!channel.isOpen() || !channel.isConnected()) {
            throw new IllegalArgumentException("A connected stream socket was expected, got "
                    + channel + (channel.isOpen() ? ": connect it first, or let createConnection"
                    + " connect" : ": it is closed"));
        }
        channel.configureBlocking(false);
    }

    /**
     * Wires a protocol to the reading end of a pipe ({@code loop.connect_read_pipe(factory,
     * pipe)}): what arrives reaches {@link Protocol#dataReceived}, the end of the stream {@link
     * Protocol#eofReceived} and then {@link Protocol#connectionLost}. Call from a task; returns
     * once the protocol's {@code connectionMade} has run.
     *
     * <p>The JDK's pipes are blocking streams no selector can watch (a process's pipes, a FIFO
     * opened as a file, {@code Channels.newInputStream(pipe.source())}), so a virtual thread of
     * the transport's own reads them, as the process pipes of {@link Subprocess} are read. The
     * loop owns the pipe from now on: the transport's {@code close()}, or the loop's, closes it.
     * Closing a stream over a channel ends a read in progress; a {@code FileInputStream} cannot
     * be interrupted, so its thread ends at the next data or end of stream.
     *
     * @param protocolFactory makes the protocol
     * @param pipe the reading end
     * @param <P> the protocol type
     * @return the transport and the protocol
     */
    public static <P extends Protocol> Connection<P> connectReadPipe(
            Supplier<? extends P> protocolFactory, InputStream pipe) {
        Objects.requireNonNull(pipe, "pipe is null");
        EventLoop loop = Aio.getRunningLoop();
        P protocol = newProtocol(protocolFactory);
        return connectedPipe(loop, new PipeTransport.Reading(loop, protocol, pipe, "pipe " + pipe),
                protocol);
    }

    /**
     * Wires a protocol to the writing end of a pipe ({@code loop.connect_write_pipe(factory,
     * pipe)}): {@link Transport#write} queues, a virtual thread writes in order, and the write
     * buffer's high- and low-water marks pace the protocol as a socket's do. Call from a task;
     * returns once the protocol's {@code connectionMade} has run. {@code close()} closes the
     * pipe after the queued data; a reader that went away is seen at the next write, as a
     * broken pipe ({@code connectionLost} with "[Errno 32] Broken pipe").
     *
     * @param protocolFactory makes the protocol
     * @param pipe the writing end
     * @param <P> the protocol type
     * @return the transport and the protocol
     */
    public static <P extends Protocol> Connection<P> connectWritePipe(
            Supplier<? extends P> protocolFactory, OutputStream pipe) {
        Objects.requireNonNull(pipe, "pipe is null");
        EventLoop loop = Aio.getRunningLoop();
        P protocol = newProtocol(protocolFactory);
        return connectedPipe(loop, new PipeTransport.Writing(loop, protocol, pipe, "pipe " + pipe),
                protocol);
    }

    static <P> P newProtocol(Supplier<? extends P> protocolFactory) {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        return Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
    }

    private static <P extends Protocol> Connection<P> connectedPipe(EventLoop loop,
            PipeTransport t, P protocol) {
        t.ownedByLoop();
        awaitConnectionMade(loop, t::close);
        return new Connection<>(t, protocol);
    }

    /**
     * Waits one turn, after the {@code connectionMade} a new transport scheduled, as asyncio's
     * connect functions wait for their waiter; a cancelled wait closes the transport.
     */
    static void awaitConnectionMade(EventLoop loop, Runnable close) {
        AsyncFuture<Void> made = loop.createFuture();
        loop.callSoon(() -> {
            if (!made.isDone()) {
                made.setResult(null);
            }
        });
        try {
            made.await();
        } catch (RuntimeException | Error e) {
            close.run();
            throw e;
        }
    }

    /**
     * Upgrades an open connection to TLS ({@code loop.start_tls}): the protocol stays, the
     * returned transport encrypts; the old transport must not be used any more. Returns once the
     * handshake is done. Await {@code drain()} (streams) or let the writes flush first: bytes
     * written before are sent in the clear.
     *
     * @param transport a TCP transport from this package, or a TLS one (TLS inside TLS, as
     *     asyncio allows)
     * @param protocol the protocol the transport drives
     * @param ssl the TLS context
     * @param serverSide whether this end is the TLS server
     * @param serverHostname for a client, the name the certificate must carry (empty: no check);
     *     ignored for a server
     * @return the TLS transport
     * @throws IOException if the handshake fails; the connection is closed then
     */
    public static Transport startTls(Transport transport, Protocol protocol, SSLContext ssl,
            boolean serverSide, String serverHostname) throws IOException {
        return startTls(transport, protocol, ssl, serverSide, serverHostname, Double.NaN,
                Double.NaN);
    }

    /**
     * As {@link #startTls(Transport, Protocol, SSLContext, boolean, String)}, with asyncio's
     * {@code ssl_handshake_timeout} and {@code ssl_shutdown_timeout} (NaN: the defaults, 60 and
     * 30 seconds). A handshake that outlasts its timeout aborts the connection with
     * "SSL handshake is taking longer than ... seconds: aborting the connection".
     *
     * @param transport a TCP or TLS transport from this package
     * @param protocol the protocol the transport drives
     * @param ssl the TLS context
     * @param serverSide whether this end is the TLS server
     * @param serverHostname for a client, the name the certificate must carry
     * @param sslHandshakeTimeout seconds, more than zero, or NaN
     * @param sslShutdownTimeout seconds, more than zero, or NaN
     * @return the TLS transport
     * @throws IllegalArgumentException if a timeout is not a positive number, or the transport
     *     cannot be upgraded
     * @throws IOException if the handshake fails; the connection is closed then
     */
    public static Transport startTls(Transport transport, Protocol protocol, SSLContext ssl,
            boolean serverSide, String serverHostname, double sslHandshakeTimeout,
            double sslShutdownTimeout) throws IOException {
        Objects.requireNonNull(transport, "transport is null");
        Objects.requireNonNull(protocol, "protocol is null");
        Objects.requireNonNull(ssl, "ssl is null: pass the SSLContext to upgrade with");
        if (!Double.isNaN(sslHandshakeTimeout)) {
            ServerOptions.positive("ssl_handshake_timeout", sslHandshakeTimeout);
        }
        if (!Double.isNaN(sslShutdownTimeout)) {
            ServerOptions.positive("ssl_shutdown_timeout", sslShutdownTimeout);
        }
        if (!(transport instanceof SocketTransport
                || transport instanceof SslProtocol.AppTransport)) {
            throw new IllegalArgumentException("transport " + transport + " is not supported by"
                    + " start_tls(); only TCP and TLS transports made by Net or Streams are");
        }
        EventLoop loop = Aio.getRunningLoop();
        Object peer = transport.getExtraInfo("peername");
        int port = peer instanceof InetSocketAddress a ? a.getPort() : -1;
        AsyncFuture<Void> done = loop.createFuture();
        SslProtocol tls = new SslProtocol(loop, ssl, serverSide, serverSide ? null
                : serverHostname, port, protocol, false, done).timeouts(sslHandshakeTimeout,
                        sslShutdownTimeout);
        // as asyncio: stop reading, switch protocols, start the handshake, read again
        transport.pauseReading();
        transport.setProtocol(tls);
        loop.callSoon(() -> tls.connectionMade(transport));
        loop.callSoon(transport::resumeReading);
        try {
            IoAwait.await(done);
        } catch (IOException | RuntimeException | Error e) {
            transport.close();
            throw e;
        }
        return tls.appTransport();
    }

    /**
     * Sends a whole file over {@code transport}: {@code await loop.sendfile(transport, file)}.
     *
     * @param transport a connected transport
     * @param file the file, readable
     * @return how many bytes were sent
     * @throws IOException if reading the file or writing the connection fails
     * @see #sendfile(Transport, FileChannel, long, Long, boolean)
     */
    public static long sendfile(Transport transport, FileChannel file) throws IOException {
        return sendfile(transport, file, 0, null, true);
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} over {@code transport}:
     * {@code await loop.sendfile(transport, file, offset, count, fallback=...)}. Bytes written
     * before are sent first. On a TCP or Unix socket transport the kernel copies the file to the
     * socket ({@code sendfile(2)}, no copy through Java), the transport's reading pauses meanwhile
     * and {@link Transport#write} is refused with asyncio's "unable to write; sendfile is in
     * progress". Other transports (TLS, pipes) have no such path: with {@code fallback} the file
     * is read in chunks off the loop and written, waiting while the transport's buffer is over
     * its high-water mark; without it the call is refused. Either way, when it returns the
     * file's position is {@code offset} plus what was sent, as asyncio leaves it.
     *
     * @param transport a connected transport
     * @param file the file, readable
     * @param offset where to start, at least 0
     * @param count how many bytes, at least 1, or null for up to the end of the file
     * @param fallback whether a transport without a native path may send the file by writes
     * @return how many bytes were sent (fewer than {@code count} only at the end of the file)
     * @throws IllegalArgumentException for a negative offset or a count below 1
     * @throws IllegalStateException if the transport is closing, or a write is refused
     * @throws UnsupportedOperationException without {@code fallback} on a transport with no
     *     native path (asyncio's {@code SendfileNotAvailableError})
     * @throws IOException if reading the file or writing the connection fails; a write failure
     *     also ends the connection
     */
    public static long sendfile(Transport transport, FileChannel file, long offset, Long count,
            boolean fallback) throws IOException {
        Objects.requireNonNull(transport, "transport is null");
        Objects.requireNonNull(file, "file is null");
        return Sendfile.send(transport, file, offset, count, fallback);
    }

    /**
     * Listens on {@code host:port} (port 0: any free port; host null: every interface) and gives
     * each accepted connection a new protocol; starts serving at once. {@code await
     * loop.create_server(factory, host, port)}.
     *
     * @param protocolFactory makes one protocol per connection
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @return the server
     * @throws BindException naming the address if it is in use
     * @throws IOException if listening fails otherwise
     */
    public static Server createServer(Supplier<? extends Protocol> protocolFactory, String host,
            int port) throws IOException {
        return createServer(protocolFactory, host, port, DEFAULT_BACKLOG, true, null);
    }

    /**
     * As {@link #createServer(Supplier, String, int)}, with a listen backlog and whether to
     * start serving now (else: {@link Server#startServing()} or {@link Server#serveForever()}).
     *
     * @param protocolFactory makes one protocol per connection
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @param backlog the listen backlog, at least 1
     * @param startServing whether to accept connections at once
     * @return the server
     * @throws IOException if listening fails
     */
    public static Server createServer(Supplier<? extends Protocol> protocolFactory, String host,
            int port, int backlog, boolean startServing) throws IOException {
        return createServer(protocolFactory, host, port, backlog, startServing, null);
    }

    /**
     * As {@link #createServer(Supplier, String, int, int, boolean)}, serving TLS when {@code ssl}
     * is given: each connection's protocol sees {@code connectionMade} once its handshake is
     * done; a connection whose handshake fails is closed (and, in debug mode, reported to the
     * loop's exception handler).
     *
     * @param protocolFactory makes one protocol per connection
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @param backlog the listen backlog, at least 1
     * @param startServing whether to accept connections at once
     * @param ssl the server's TLS context (its key manager holds the certificate), or null for
     *     plain TCP
     * @return the server
     * @throws IOException if listening fails
     */
    public static Server createServer(Supplier<? extends Protocol> protocolFactory, String host,
            int port, int backlog, boolean startServing, SSLContext ssl) throws IOException {
        return createServer(protocolFactory, host, port, ServerOptions.defaults()
                .withBacklog(backlog).withStartServing(startServing).withSsl(ssl));
    }

    /**
     * As {@link #createServer(Supplier, String, int)}, with asyncio's other arguments of {@code
     * create_server}: backlog, start_serving, TLS and its timeouts, {@code SO_REUSEADDR} and
     * {@code SO_REUSEPORT} ({@link ServerOptions}).
     *
     * @param protocolFactory makes one protocol per connection
     * @param host the interface, or null for all
     * @param port the port, or 0
     * @param options how to listen
     * @return the server
     * @throws BindException naming the address if it is in use
     * @throws IllegalArgumentException if {@code SO_REUSEPORT} is asked for where the platform
     *     has none, or TLS timeouts without TLS
     * @throws IOException if listening fails otherwise
     */
    public static Server createServer(Supplier<? extends Protocol> protocolFactory, String host,
            int port, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        Objects.requireNonNull(options, "options is null");
        options.checkTls();
        int backlog = options.backlog();
        EventLoop loop = Aio.getRunningLoop();
        List<InetSocketAddress> addrs = host == null ? List.of(new InetSocketAddress(port))
                : loop.getaddrinfo(host, port);
        List<ServerSocketChannel> sockets = new ArrayList<>();
        try {
            for (InetSocketAddress a : addrs) {
                // the address's own family, as asyncio's socket per getaddrinfo entry: the JDK's
                // default is a dual-stack IPv6 socket, which turns "0.0.0.0" into "::"
                ServerSocketChannel s = host == null ? ServerSocketChannel.open()
                        : ServerSocketChannel.open(a.getAddress() instanceof Inet4Address
                                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                sockets.add(s);
                s.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                if (options.reusePort()) {
                    if (!s.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                        throw new IllegalArgumentException("reuse_port not supported by socket"
                                + " module: this platform has no SO_REUSEPORT");
                    }
                    s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                s.configureBlocking(false);
                try {
                    s.bind(a, backlog);
                } catch (BindException e) {
                    BindException named = new BindException("[Errno 98] error while attempting"
                            + " to bind on address " + pyAddress(a) + ": address already in use"
                            + " (" + e.getMessage() + "); choose another port, or 0 for any");
                    named.initCause(e);
                    throw named;
                }
            }
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel s : sockets) {
                s.close();
            }
            throw e;
        }
        return serve(loop, sockets, protocolFactory, options, null);
    }

    /**
     * Serves on a listening socket made elsewhere ({@code create_server(factory, sock=sock)}):
     * one from {@code System.inheritedChannel()} under systemd socket activation, or bound with
     * options of the caller's own. The server owns the socket from now on (non-blocking, closed
     * with the server); its backlog is the one it was bound with, and the options' socket
     * options and backlog do not apply.
     *
     * @param protocolFactory makes one protocol per connection
     * @param socket a bound server socket
     * @param options start_serving, TLS and its timeouts
     * @return the server
     * @throws IllegalArgumentException if the socket is not bound
     * @throws IOException if the socket cannot be used
     */
    public static Server createServer(Supplier<? extends Protocol> protocolFactory,
            ServerSocketChannel socket, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        Objects.requireNonNull(socket, "socket is null");
        Objects.requireNonNull(options, "options is null");
        options.checkTls();
        if (!socket.isOpen() || socket.getLocalAddress() == null) {
            throw new IllegalArgumentException("A bound stream socket was expected, got " + socket
                    + (socket.isOpen() ? ": bind it first" : ": it is closed"));
        }
        EventLoop loop = Aio.getRunningLoop();
        socket.configureBlocking(false);
        return serve(loop, new ArrayList<>(List.of(socket)), protocolFactory, options, null);
    }

    /**
     * Listens on a Unix domain socket at {@code path}: {@code loop.create_unix_server(factory,
     * path)}. A socket file left at {@code path} by an earlier server is removed first, as
     * asyncio does; closing the server removes its file (asyncio 3.13's {@code cleanup_socket}).
     *
     * @param protocolFactory makes one protocol per connection
     * @param path the socket's file
     * @return the server, serving
     * @throws BindException naming the path if something else than a socket is there, or it is in
     *     use
     * @throws IOException if listening fails otherwise
     */
    public static Server createUnixServer(Supplier<? extends Protocol> protocolFactory,
            String path) throws IOException {
        return createUnixServer(protocolFactory, path, DEFAULT_BACKLOG, true, null);
    }

    /**
     * As {@link #createUnixServer(Supplier, String)}, with a listen backlog, whether to start
     * serving now, and TLS when {@code ssl} is given.
     *
     * @param protocolFactory makes one protocol per connection
     * @param path the socket's file
     * @param backlog the listen backlog, at least 1
     * @param startServing whether to accept connections at once
     * @param ssl the server's TLS context, or null
     * @return the server
     * @throws IOException if listening fails
     */
    public static Server createUnixServer(Supplier<? extends Protocol> protocolFactory,
            String path, int backlog, boolean startServing, SSLContext ssl) throws IOException {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        return createUnixServer(protocolFactory, path, ServerOptions.defaults()
                .withBacklog(backlog).withStartServing(startServing).withSsl(ssl));
    }

    /**
     * As {@link #createUnixServer(Supplier, String)}, with asyncio's other arguments of {@code
     * create_unix_server} ({@link ServerOptions}: backlog, start_serving, TLS and its
     * timeouts). {@code SO_REUSEADDR} does not apply to a Unix socket and is ignored, as
     * asyncio has no such argument there.
     *
     * @param protocolFactory makes one protocol per connection
     * @param path the socket's file
     * @param options how to listen
     * @return the server
     * @throws IllegalArgumentException if {@code SO_REUSEPORT} is asked for, or TLS timeouts
     *     without TLS
     * @throws BindException naming the path if something else than a socket is there, or it is in
     *     use
     * @throws IOException if listening fails otherwise
     */
    public static Server createUnixServer(Supplier<? extends Protocol> protocolFactory,
            String path, ServerOptions options) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(options, "options is null");
        options.checkTls();
        if (options.reusePort()) {
            throw new IllegalArgumentException("create_unix_server() got an unexpected keyword"
                    + " argument 'reuse_port': SO_REUSEPORT does not apply to a Unix socket;"
                    + " leave ServerOptions.withReusePort unset");
        }
        int backlog = options.backlog();
        EventLoop loop = Aio.getRunningLoop();
        Path file = Path.of(path);
        UnixSockets.removeStale(file);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Object fileKey;
        try {
            s.configureBlocking(false);
            try {
                s.bind(UnixDomainSocketAddress.of(file), backlog);
            } catch (BindException e) {
                BindException named = new BindException("[Errno 98] Address '" + path
                        + "' is already in use (" + e.getMessage() + "); remove what is there"
                        + " or choose another path");
                named.initCause(e);
                throw named;
            }
            fileKey = UnixSockets.fileKey(file);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return serve(loop, new ArrayList<>(List.of(s)), protocolFactory, options,
                () -> UnixSockets.removeIfSame(file, fileKey));
    }

    /** Makes the server of bound sockets; starts serving if asked. */
    private static Server serve(EventLoop loop, List<ServerSocketChannel> sockets,
            Supplier<? extends Protocol> protocolFactory, ServerOptions options,
            Runnable onClose) throws IOException {
        SSLContext ssl = options.ssl();
        Supplier<? extends Protocol> factory = ssl == null ? protocolFactory
                : () -> new SslProtocol(loop, ssl, true, null, 0, Objects.requireNonNull(
                        protocolFactory.get(), "the protocol factory returned null"), true, null)
                        .timeouts(options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        Server server = new Server(loop, sockets, factory, options.backlog(), onClose);
        if (options.startServing()) {
            server.startServing();
            Aio.sleep(0); // as asyncio: let the server start accepting before returning
        }
        return server;
    }

    /**
     * A datagram endpoint and the protocol it drives.
     *
     * @param transport the endpoint
     * @param protocol the protocol
     * @param <P> the protocol type
     */
    public record Endpoint<P extends DatagramProtocol>(DatagramTransport transport, P protocol) {}

    /**
     * A UDP endpoint: {@code loop.create_datagram_endpoint(factory, local_addr, remote_addr)}.
     * With a remote address the endpoint is connected: it sends there by default and receives
     * only from there. Returns once the protocol's {@code connectionMade} has run.
     *
     * @param protocolFactory makes the protocol
     * @param local where to bind (port 0: any), or null for any address and port
     * @param remote where to connect, or null
     * @param <P> the protocol type
     * @return the endpoint and its protocol
     * @throws IOException if binding or connecting fails
     */
    public static <P extends DatagramProtocol> Endpoint<P> createDatagramEndpoint(
            Supplier<? extends P> protocolFactory, InetSocketAddress local,
            InetSocketAddress remote) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        if (local == null && remote == null) {
            throw new IllegalArgumentException("unexpected address family: give a local or a"
                    + " remote address");
        }
        EventLoop loop = Aio.getRunningLoop();
        InetSocketAddress to = remote == null || !remote.isUnresolved() ? remote
                : loop.getaddrinfo(remote.getHostString(), remote.getPort()).get(0);
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.configureBlocking(false);
            if (local != null) {
                ch.bind(local.isUnresolved() ? loop.getaddrinfo(local.getHostString(),
                        local.getPort()).get(0) : local);
            }
            if (to != null) {
                ch.connect(to);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        P protocol = Objects.requireNonNull(protocolFactory.get(),
                "the protocol factory returned null");
        DatagramTransport t = new DatagramTransport(loop, ch, protocol, to);
        Aio.sleep(0); // the callbacks scheduled before this step run first: connectionMade
        return new Endpoint<>(t, protocol);
    }

    static String pyAddress(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return "('" + host + "', " + a.getPort() + ")";
    }
}
