package io.aiobridge.net;

import javax.net.ssl.SSLContext;

/**
 * How {@link Net#createServer(java.util.function.Supplier, String, int, ServerOptions)} and
 * {@link Streams#startServer(Streams.Handler, String, int, int, ServerOptions)} listen: asyncio's
 * keyword arguments of {@code create_server} beyond the host and port. Immutable; each {@code
 * with} method returns a copy.
 *
 * <pre>{@code
 * // one listening socket per loop on the same port; the kernel spreads the connections
 * ServerOptions o = ServerOptions.defaults().withReusePort(true);
 * }</pre>
 */
public final class ServerOptions {
    private static final ServerOptions DEFAULTS = new ServerOptions(Net.DEFAULT_BACKLOG, true,
            null, true, false, Double.NaN, Double.NaN);

    private final int backlog;
    private final boolean startServing;
    private final SSLContext ssl;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final double sslHandshakeTimeout;
    private final double sslShutdownTimeout;

    private ServerOptions(int backlog, boolean startServing, SSLContext ssl, boolean reuseAddress,
            boolean reusePort, double sslHandshakeTimeout, double sslShutdownTimeout) {
        this.backlog = backlog;
        this.startServing = startServing;
        this.ssl = ssl;
        this.reuseAddress = reuseAddress;
        this.reusePort = reusePort;
        this.sslHandshakeTimeout = sslHandshakeTimeout;
        this.sslShutdownTimeout = sslShutdownTimeout;
    }

    /**
     * asyncio's defaults: a backlog of 100, serving at once, plain TCP, {@code SO_REUSEADDR} on
     * (as on POSIX), {@code SO_REUSEPORT} off.
     *
     * @return the defaults
     */
    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The listen backlog ({@code backlog=}).
     *
     * @param backlog at least 1
     * @return a copy with it
     * @throws IllegalArgumentException if it is less than 1
     */
    public ServerOptions withBacklog(int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        return new ServerOptions(backlog, startServing, ssl, reuseAddress, reusePort,
                sslHandshakeTimeout, sslShutdownTimeout);
    }

    /**
     * Whether the server accepts at once ({@code start_serving=}); if not, {@link
     * Server#startServing} or {@link Server#serveForever} starts it.
     *
     * @param start true to accept at once
     * @return a copy with it
     */
    public ServerOptions withStartServing(boolean start) {
        return new ServerOptions(backlog, start, ssl, reuseAddress, reusePort,
                sslHandshakeTimeout, sslShutdownTimeout);
    }

    /**
     * Serves TLS ({@code ssl=}): each connection's protocol hears {@code connectionMade} once
     * its handshake is done.
     *
     * @param ssl the server's TLS context (its key managers hold the certificate), or null
     * @return a copy with it
     */
    public ServerOptions withSsl(SSLContext ssl) {
        return new ServerOptions(backlog, startServing, ssl, reuseAddress, reusePort,
                sslHandshakeTimeout, sslShutdownTimeout);
    }

    /**
     * {@code SO_REUSEADDR} on the listening sockets ({@code reuse_address=}; on by default, as
     * asyncio on POSIX), so a restarted server can bind while old connections linger.
     *
     * @param reuse whether to set it
     * @return a copy with it
     */
    public ServerOptions withReuseAddress(boolean reuse) {
        return new ServerOptions(backlog, startServing, ssl, reuse, reusePort,
                sslHandshakeTimeout, sslShutdownTimeout);
    }

    /**
     * {@code SO_REUSEPORT} on the listening sockets ({@code reuse_port=}): several sockets, in
     * this process or others, listen on the same port and the kernel spreads the connections
     * among them, so each loop of a group can accept on a socket of its own.
     *
     * @param reuse whether to set it
     * @return a copy with it
     */
    public ServerOptions withReusePort(boolean reuse) {
        return new ServerOptions(backlog, startServing, ssl, reuseAddress, reuse,
                sslHandshakeTimeout, sslShutdownTimeout);
    }

    /**
     * How long each connection's TLS handshake may take ({@code ssl_handshake_timeout=}; 60
     * seconds by default); a connection that outlasts it is aborted.
     *
     * @param seconds more than zero
     * @return a copy with it
     * @throws IllegalArgumentException if it is not a positive number
     */
    public ServerOptions withSslHandshakeTimeout(double seconds) {
        return new ServerOptions(backlog, startServing, ssl, reuseAddress, reusePort,
                positive("ssl_handshake_timeout", seconds), sslShutdownTimeout);
    }

    /**
     * How long closing a TLS connection waits for the peer's {@code close_notify} ({@code
     * ssl_shutdown_timeout=}; 30 seconds by default).
     *
     * @param seconds more than zero
     * @return a copy with it
     * @throws IllegalArgumentException if it is not a positive number
     */
    public ServerOptions withSslShutdownTimeout(double seconds) {
        return new ServerOptions(backlog, startServing, ssl, reuseAddress, reusePort,
                sslHandshakeTimeout, positive("ssl_shutdown_timeout", seconds));
    }

    static double positive(String name, double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException(name + " should be a positive number, got "
                    + seconds);
        }
        return seconds;
    }

    /**
     * The listen backlog.
     *
     * @return the backlog
     */
    public int backlog() {
        return backlog;
    }

    /**
     * Whether the server accepts at once.
     *
     * @return true if it does
     */
    public boolean startServing() {
        return startServing;
    }

    /**
     * The TLS context.
     *
     * @return the context, or null for plain TCP
     */
    public SSLContext ssl() {
        return ssl;
    }

    /**
     * Whether {@code SO_REUSEADDR} is set.
     *
     * @return true if it is
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * Whether {@code SO_REUSEPORT} is set.
     *
     * @return true if it is
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * The TLS handshake's timeout.
     *
     * @return seconds, or NaN for asyncio's default (60)
     */
    public double sslHandshakeTimeout() {
        return sslHandshakeTimeout;
    }

    /**
     * The TLS shutdown's timeout.
     *
     * @return seconds, or NaN for asyncio's default (30)
     */
    public double sslShutdownTimeout() {
        return sslShutdownTimeout;
    }

    /** asyncio's check: the TLS timeouts need TLS. */
    void checkTls() {
        requireTls(ssl, null, sslHandshakeTimeout, sslShutdownTimeout);
    }

    /**
     * asyncio's check of {@code create_connection} and {@code create_server}: TLS arguments
     * without TLS are refused, each by its name.
     */
    static void requireTls(SSLContext ssl, String serverHostname, double handshakeTimeout,
            double shutdownTimeout) {
        if (ssl != null) {
            return;
        }
        String what = serverHostname != null ? "server_hostname"
                : !Double.isNaN(handshakeTimeout) ? "ssl_handshake_timeout"
                : !Double.isNaN(shutdownTimeout) ? "ssl_shutdown_timeout" : null;
        if (what != null) {
            throw new IllegalArgumentException(what + " is only meaningful with ssl");
        }
    }

    @Override
    public String toString() {
        return "ServerOptions[backlog=" + backlog + ", startServing=" + startServing + ", ssl="
                + ssl + ", reuseAddress=" + reuseAddress + ", reusePort=" + reusePort
                + ", sslHandshakeTimeout=" + sslHandshakeTimeout + ", sslShutdownTimeout="
                + sslShutdownTimeout + "]";
    }
}
