package io.aiobridge.net;

import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How {@link Net#createConnection(java.util.function.Supplier, String, int, ConnectOptions)} and
 * {@link Streams#openConnection(String, int, int, ConnectOptions)} connect: asyncio's keyword
 * arguments of {@code create_connection} beyond the host and port. Immutable; each {@code with}
 * method returns a copy.
 *
 * <pre>{@code
 * ConnectOptions o = ConnectOptions.defaults()
 *         .withHappyEyeballsDelay(0.25)          // RFC 8305's recommended delay
 *         .withLocalAddress("0.0.0.0", 0);
 * }</pre>
 */
public final class ConnectOptions {
    private static final ConnectOptions DEFAULTS =
            new ConnectOptions(null, null, null, 0, Double.NaN, 0, Double.NaN, Double.NaN, false,
                    null);

    private final SSLContext ssl;
    private final String serverHostname;
    private final String localHost;
    private final int localPort;
    private final double happyEyeballsDelay;
    private final int interleave;
    private final double sslHandshakeTimeout;
    private final double sslShutdownTimeout;
    private final boolean allErrors;
    private final ProtocolFamily family;

    private ConnectOptions(SSLContext ssl, String serverHostname, String localHost,
            int localPort, double happyEyeballsDelay, int interleave, double sslHandshakeTimeout,
            double sslShutdownTimeout, boolean allErrors, ProtocolFamily family) {
        this.ssl = ssl;
        this.serverHostname = serverHostname;
        this.localHost = localHost;
        this.localPort = localPort;
        this.happyEyeballsDelay = happyEyeballsDelay;
        this.interleave = interleave;
        this.sslHandshakeTimeout = sslHandshakeTimeout;
        this.sslShutdownTimeout = sslShutdownTimeout;
        this.allErrors = allErrors;
        this.family = family;
    }

    /**
     * Plain TCP, addresses tried one after another in the resolver's order, any local address.
     *
     * @return the defaults
     */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Connects over TLS ({@code ssl=}): the call returns once the handshake is done.
     *
     * @param ssl the TLS context (its trust managers decide which certificates are trusted), or
     *     null for plain TCP
     * @return a copy with it
     */
    public ConnectOptions withSsl(SSLContext ssl) {
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, happyEyeballsDelay,
                interleave, sslHandshakeTimeout, sslShutdownTimeout, allErrors, family);
    }

    /**
     * The name the server's certificate must carry ({@code server_hostname=}); meaningful only
     * with {@link #withSsl}.
     *
     * @param name the name: null for the host connected to, the empty string to skip the check
     * @return a copy with it
     */
    public ConnectOptions withServerHostname(String name) {
        return new ConnectOptions(ssl, name, localHost, localPort, happyEyeballsDelay,
                interleave, sslHandshakeTimeout, sslShutdownTimeout, allErrors, family);
    }

    /**
     * Binds the socket to this local address before connecting ({@code local_addr=(host,
     * port)}). The host is resolved too; each address tried is bound to a local address of its
     * own family.
     *
     * @param host a local name or literal address
     * @param port the local port, or 0 for any
     * @return a copy with it
     * @throws IllegalArgumentException if the port is out of range
     */
    public ConnectOptions withLocalAddress(String host, int port) {
        Objects.requireNonNull(host, "host is null");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        return new ConnectOptions(ssl, serverHostname, host, port, happyEyeballsDelay,
                interleave, sslHandshakeTimeout, sslShutdownTimeout, allErrors, family);
    }

    /**
     * Happy Eyeballs (RFC 8305, {@code happy_eyeballs_delay=}): the addresses are tried in a
     * staggered race. The next attempt starts when the one before fails or after this delay,
     * whichever comes first, while earlier attempts go on; the first to connect wins and the
     * others are cancelled. Setting it also interleaves the addresses by family (see {@link
     * #withInterleave}) unless that was set.
     *
     * @param seconds the delay, zero or more (0.25 is RFC 8305's recommendation)
     * @return a copy with it
     * @throws IllegalArgumentException if the delay is negative, NaN or infinite
     */
    public ConnectOptions withHappyEyeballsDelay(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException(
                    "happy_eyeballs_delay must be a finite number of seconds >= 0, got " + seconds);
        }
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, seconds, interleave,
                sslHandshakeTimeout, sslShutdownTimeout, allErrors, family);
    }

    /**
     * Reorders the resolved addresses by family ({@code interleave=}): this many of the first
     * family, then one of the other, then alternating.
     *
     * @param firstFamilyCount how many addresses of the first family come first, at least 1
     * @return a copy with it
     * @throws IllegalArgumentException if the count is less than 1
     */
    public ConnectOptions withInterleave(int firstFamilyCount) {
        if (firstFamilyCount < 1) {
            throw new IllegalArgumentException("interleave must be at least 1, got "
                    + firstFamilyCount);
        }
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, happyEyeballsDelay,
                firstFamilyCount, sslHandshakeTimeout, sslShutdownTimeout, allErrors, family);
    }

    /**
     * How long the TLS handshake may take ({@code ssl_handshake_timeout=}); the connection is
     * aborted after that. asyncio's default is 60 seconds.
     *
     * @param seconds the timeout, more than zero
     * @return a copy with it
     * @throws IllegalArgumentException if it is not a positive number
     */
    public ConnectOptions withSslHandshakeTimeout(double seconds) {
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, happyEyeballsDelay,
                interleave, ServerOptions.positive("ssl_handshake_timeout", seconds),
                sslShutdownTimeout, allErrors, family);
    }

    /**
     * How long closing waits for the peer's {@code close_notify} before it aborts ({@code
     * ssl_shutdown_timeout=}). asyncio's default is 30 seconds.
     *
     * @param seconds the timeout, more than zero
     * @return a copy with it
     * @throws IllegalArgumentException if it is not a positive number
     */
    public ConnectOptions withSslShutdownTimeout(double seconds) {
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, happyEyeballsDelay,
                interleave, sslHandshakeTimeout,
                ServerOptions.positive("ssl_shutdown_timeout", seconds), allErrors, family);
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

    /**
     * The TLS context.
     *
     * @return the context, or null for plain TCP
     */
    public SSLContext ssl() {
        return ssl;
    }

    /**
     * The name the certificate must carry.
     *
     * @return the name, or null for the host connected to
     */
    public String serverHostname() {
        return serverHostname;
    }

    /**
     * The local host to bind to.
     *
     * @return the host, or null for none
     */
    public String localHost() {
        return localHost;
    }

    /**
     * The local port to bind to.
     *
     * @return the port (0: any)
     */
    public int localPort() {
        return localPort;
    }

    /**
     * The Happy Eyeballs delay.
     *
     * @return seconds, or NaN when the addresses are tried one after another
     */
    public double happyEyeballsDelay() {
        return happyEyeballsDelay;
    }

    /**
     * How many addresses of the first family come first.
     *
     * @return the count, or 0 for the resolver's order (1 with Happy Eyeballs)
     */
    public int interleave() {
        return interleave;
    }

    /**
     * Resolves the host to addresses of this family only ({@code family=socket.AF_INET} or
     * {@code AF_INET6}): a name with none of them fails as asyncio's resolver does ({@code
     * [Errno -2] Name or service not known}, or {@code [Errno -9] Address family for hostname
     * not supported} for a literal address of the other family).
     *
     * @param family {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6},
     *     or null for both
     * @return a copy with it
     * @throws IllegalArgumentException for {@code UNIX}: use {@code createUnixConnection}
     */
    public ConnectOptions withFamily(ProtocolFamily family) {
        if (family != null && family != StandardProtocolFamily.INET
                && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("family must be INET or INET6, got " + family
                    + "; a Unix socket is Net.createUnixConnection/Streams.openUnixConnection");
        }
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, happyEyeballsDelay,
                interleave, sslHandshakeTimeout, sslShutdownTimeout, allErrors, family);
    }

    /**
     * When every address fails, raises all their errors ({@code all_errors=True}, Python
     * 3.12): an {@link io.aiobridge.ExceptionGroup} "create_connection failed" holding each
     * attempt's error in address order, even if there is only one. Without it one error stands
     * for them all, as asyncio's default: the only one, the first if they all say the same, else
     * one listing each ("Multiple exceptions: ...").
     *
     * @param all whether to raise every error
     * @return a copy with it
     */
    public ConnectOptions withAllErrors(boolean all) {
        return new ConnectOptions(ssl, serverHostname, localHost, localPort, happyEyeballsDelay,
                interleave, sslHandshakeTimeout, sslShutdownTimeout, all, family);
    }

    /**
     * The address family the host is resolved to.
     *
     * @return INET or INET6, or null for both
     */
    public ProtocolFamily family() {
        return family;
    }

    /**
     * Whether every address's error is raised when all fail.
     *
     * @return true for an exception group of them all
     */
    public boolean allErrors() {
        return allErrors;
    }

    /** asyncio's check: the TLS arguments need TLS. */
    void checkTls() {
        ServerOptions.requireTls(ssl, serverHostname, sslHandshakeTimeout, sslShutdownTimeout);
    }

    @Override
    public String toString() {
        return "ConnectOptions[ssl=" + ssl + ", serverHostname=" + serverHostname
                + ", localAddress=" + (localHost == null ? null : localHost + ":" + localPort)
                + ", happyEyeballsDelay=" + happyEyeballsDelay + ", interleave=" + interleave
                + ", sslHandshakeTimeout=" + sslHandshakeTimeout + ", sslShutdownTimeout="
                + sslShutdownTimeout + ", allErrors=" + allErrors + ", family=" + family + "]";
    }
}
