package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.Context;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.TimerHandle;
import io.aiobridge.internal.Addresses;
import io.aiobridge.internal.TransportIo;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * TLS over a byte transport, as asyncio's {@code sslproto.SSLProtocol}: this protocol sits on
 * the TCP transport and runs the JDK's {@link SSLEngine} on the loop; the application's protocol
 * sees plain bytes through an {@link AppTransport}. The handshake's delegated tasks run inline
 * (they are CPU work, as CPython's {@code do_handshake} is).
 *
 * <p>Closing sends {@code close_notify} and then waits (at most {@link #SHUTDOWN_TIMEOUT}
 * seconds) for the peer's before closing the socket, as asyncio does, so a peer still sending is
 * not reset. A peer's {@code close_notify} reaches the application as {@code eofReceived}, and
 * the connection then closes: TLS here has no half-close. A peer that ends TCP without one gets
 * none back. The application's pause holds back records already received, as asyncio's {@code
 * _app_reading_paused}; a TLS error ends the connection with that error in the application's
 * {@code connectionLost}. The transport under it is TCP, or another TLS transport.
 */
final class SslProtocol implements Protocol {
    /** asyncio's {@code SSL_HANDSHAKE_TIMEOUT}, seconds. */
    static final double HANDSHAKE_TIMEOUT = 60.0;
    /** asyncio's {@code SSL_SHUTDOWN_TIMEOUT}, seconds. */
    static final double SHUTDOWN_TIMEOUT = 30.0;
    private double handshakeTimeout = HANDSHAKE_TIMEOUT;
    private double shutdownTimeout = SHUTDOWN_TIMEOUT;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final EventLoop loop;
    private final SSLContext context;
    private final SSLEngine engine;
    private final AsyncFuture<Void> waiter;
    private final AppTransport appTransport = new AppTransport();
    /** Application writes made before the handshake finished, sent when it does. */
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private int pendingBytes;
    private Protocol app;
    private Transport raw;
    /** Bytes from the peer not yet unwrapped (write mode). */
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private TimerHandle handshakeTimer;
    private TimerHandle shutdownTimer;
    private boolean handshakeDone;
    /** The application's connectionMade has run (or, for startTls, was never due). */
    private boolean appMade;
    /** The application closed (or aborted) its transport. */
    private boolean appClosing;
    private boolean peerClosed;
    /** The peer ended TCP (a FIN), with or without its close_notify first. */
    private boolean tcpEof;
    /** close_notify has been sent (or the handshake aborted). */
    private boolean shutdownStarted;
    private boolean lost;
    private boolean inPump;
    /**
     * The application paused reading: records already received stay undecrypted until it
     * resumes, as asyncio's {@code _app_reading_paused}, so that a protocol switched meanwhile
     * ({@code start_tls} over this transport) gets them.
     */
    private boolean appReadingPaused;

    /**
     * @param app the application's protocol
     * @param callConnectionMade whether to call the application's connectionMade once the
     *     handshake is done (not for startTls: it already ran)
     * @param waiter completed when the handshake is done, or failed with why it failed; may be
     *     null (a server's connection: a failed handshake is logged and the socket closed)
     */
    SslProtocol(EventLoop loop, SSLContext context, boolean serverSide, String serverHostname,
            int port, Protocol app, boolean callConnectionMade, AsyncFuture<Void> waiter) {
        this.loop = loop;
        this.context = context;
        this.app = app;
        this.waiter = waiter;
        this.appMade = !callConnectionMade; // startTls: the application is connected already
        if (serverSide) {
            engine = context.createSSLEngine();
            engine.setUseClientMode(false);
        } else {
            boolean named = serverHostname != null && !serverHostname.isEmpty();
            engine = named ? context.createSSLEngine(serverHostname, port)
                    : context.createSSLEngine();
            engine.setUseClientMode(true);
            if (named) {
                // as asyncio's default context: the certificate must name the host
                SSLParameters p = engine.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!Addresses.isLiteral(serverHostname)) {
                    p.setServerNames(List.of(new SNIHostName(serverHostname)));
                }
                engine.setSSLParameters(p);
            }
        }
        int packet = engine.getSession().getPacketBufferSize();
        netIn = ByteBuffer.allocate(packet);
        netOut = ByteBuffer.allocate(packet);
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    /**
     * Sets the handshake's and the shutdown's timeouts (NaN keeps asyncio's defaults); before
     * the connection is made.
     */
    SslProtocol timeouts(double handshake, double shutdown) {
        if (!Double.isNaN(handshake)) {
            handshakeTimeout = handshake;
        }
        if (!Double.isNaN(shutdown)) {
            shutdownTimeout = shutdown;
        }
        return this;
    }

    /** The transport the application writes to. */
    Transport appTransport() {
        return appTransport;
    }

    // ---- the raw transport's protocol ----------------------------------------------------------

    @Override
    public void connectionMade(Transport transport) {
        this.raw = transport;
        handshakeTimer = loop.callLater(handshakeTimeout, () -> failHandshake(new SocketException(
                "SSL handshake is taking longer than " + handshakeTimeout + " seconds: aborting"
                        + " the connection")));
        try {
            engine.beginHandshake();
            pump();
        } catch (SSLException e) {
            failHandshake(e);
        }
    }

    @Override
    public void dataReceived(byte[] data) {
        if (lost) {
            return;
        }
        if (netIn.remaining() < data.length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(netIn.capacity() * 2,
                    netIn.position() + data.length));
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        netIn.put(data);
        pumpReceived();
    }

    /** Runs the engine over what has arrived; a TLS error fails the handshake or the link. */
    private void pumpReceived() {
        try {
            pump();
        } catch (SSLException e) {
            if (!handshakeDone) {
                failHandshake(e);
            } else {
                fatal(e, "SSL error in data received");
            }
        }
    }

    @Override
    public boolean eofReceived() {
        // the peer closed TCP without close_notify, or after it
        if (!handshakeDone) {
            failHandshake(new ConnectionResetException("Connection reset by peer during the SSL"
                    + " handshake (EOF)"));
            return false;
        }
        tcpEof = true; // as asyncio's _eof_received: no close_notify goes to a closed peer
        if (!peerClosed) {
            peerClosed = true;
            appEof();
        }
        return false; // the raw transport closes; connectionLost follows
    }

    @Override
    public void connectionLost(Throwable exc) {
        lost = true;
        cancelTimers();
        if (!handshakeDone) {
            completeWaiter(exc != null ? exc : new ConnectionResetException("Connection lost"
                    + " during the SSL handshake"));
        }
        if (appMade) {
            appMade = false;
            app.connectionLost(exc);
        }
    }

    @Override
    public void pauseWriting() {
        if (appMade) {
            app.pauseWriting();
        }
    }

    @Override
    public void resumeWriting() {
        if (appMade) {
            app.resumeWriting();
        }
    }

    // ---- the engine ----------------------------------------------------------------------------

    /** Runs the engine as far as the bytes at hand let it: handshake, reading, replies. */
    private void pump() throws SSLException {
        if (inPump) {
            return; // reentered from the application's callback: the running pump goes on
        }
        inPump = true;
        try {
            while (!lost) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    for (Runnable r; (r = engine.getDelegatedTask()) != null;) {
                        r.run();
                    }
                } else if (hs == HandshakeStatus.NEED_WRAP) {
                    SSLEngineResult r = wrap(EMPTY);
                    flushNetOut();
                    afterResult(r);
                    if (r.getStatus() == Status.CLOSED && r.bytesProduced() == 0) {
                        break;
                    }
                } else if (!unwrapOnce()) {
                    break;
                }
            }
        } finally {
            inPump = false;
        }
        if (handshakeDone && !pending.isEmpty() && !lost) {
            flushPending();
        }
    }

    /** Decrypts and delivers the records kept while the application's reading was paused. */
    private void pumpKept() {
        if (!lost && !appReadingPaused) {
            pumpReceived();
        }
    }

    /** @return whether to go on (the engine moved) */
    private boolean unwrapOnce() throws SSLException {
        if (peerClosed && engine.isInboundDone()) {
            return false;
        }
        if (handshakeDone && appReadingPaused && !appClosing) {
            return false; // kept for when the application resumes
        }
        netIn.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                int need = engine.getSession().getPacketBufferSize();
                if (netIn.capacity() < need) {
                    ByteBuffer bigger = ByteBuffer.allocate(need);
                    netIn.flip();
                    bigger.put(netIn);
                    netIn = bigger;
                }
                return false; // wait for more bytes
            }
            case BUFFER_OVERFLOW -> {
                deliver();
                int need = engine.getSession().getApplicationBufferSize();
                if (appIn.capacity() < need) {
                    appIn = ByteBuffer.allocate(need);
                }
                return true;
            }
            case CLOSED -> {
                deliver();
                afterResult(r);
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    afterResult(wrap(EMPTY)); // our close_notify in reply (TLS 1.2)
                    flushNetOut();
                }
                if (!peerClosed) {
                    peerClosed = true;
                    if (appClosing) {
                        raw.close(); // the reply to our close_notify: done
                    } else {
                        appEof();
                    }
                }
                return false;
            }
            default -> {
                deliver();
                afterResult(r);
                HandshakeStatus hs = r.getHandshakeStatus();
                return r.bytesConsumed() > 0 || r.bytesProduced() > 0
                        || hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP;
            }
        }
    }

    /** Wraps {@code src} into {@link #netOut}, sending what fills it. */
    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        while (true) {
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() != Status.BUFFER_OVERFLOW) {
                return r;
            }
            if (netOut.position() > 0) {
                flushNetOut();
            } else {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2,
                        engine.getSession().getPacketBufferSize()));
            }
        }
    }

    private void flushNetOut() {
        if (netOut.position() == 0) {
            return;
        }
        netOut.flip();
        byte[] b = new byte[netOut.remaining()];
        netOut.get(b);
        netOut.clear();
        if (!raw.isClosing()) {
            raw.write(b);
        }
    }

    private void afterResult(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) {
            handshakeDone = true;
            if (handshakeTimer != null) {
                handshakeTimer.cancel();
            }
            boolean announce = !appMade;
            appMade = true;
            if (announce) {
                try {
                    app.connectionMade(appTransport);
                } catch (Throwable e) {
                    // as a plain TCP connection: reported, closed, and still handed out
                    fatal(e, "Fatal error: protocol.connectionMade() call failed.");
                }
            }
            completeWaiter(null);
        }
    }

    /** Hands the plain bytes unwrapped so far to the application. */
    private void deliver() {
        if (appIn.position() == 0) {
            return;
        }
        appIn.flip();
        byte[] data = new byte[appIn.remaining()];
        appIn.get(data);
        appIn.clear();
        if (!appMade || appClosing) {
            return; // as asyncio: data after the application closed is dropped
        }
        try {
            app.dataReceived(data);
        } catch (Throwable e) {
            fatal(e, "Fatal error: protocol.dataReceived() call failed.");
        }
    }

    private void appEof() {
        if (appMade && !appClosing) {
            try {
                app.eofReceived(); // keeping the connection half-open has no effect over TLS
            } catch (Throwable e) {
                fatal(e, "Fatal error: protocol.eofReceived() call failed.");
                return;
            }
        }
        appClose();
    }

    // ---- the application's side ----------------------------------------------------------------

    private void appWrite(byte[] data) {
        if (appClosing) {
            throw new IllegalStateException("write() called on a closing transport: "
                    + appTransport + ": write everything before close()");
        }
        if (data.length == 0 || lost) {
            return;
        }
        if (!handshakeDone || !pending.isEmpty()) {
            pending.addLast(data.clone());
            pendingBytes += data.length;
            return;
        }
        send(data);
    }

    /** Wraps the application's bytes and hands the records to the socket. */
    private void send(byte[] data) {
        try {
            ByteBuffer src = ByteBuffer.wrap(data);
            while (src.hasRemaining()) {
                SSLEngineResult r = wrap(src);
                if (r.getStatus() == Status.CLOSED) {
                    break;
                }
            }
            flushNetOut();
            if (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
                pump(); // a key update
            }
        } catch (SSLException e) {
            fatal(e, "SSL error while writing");
        }
    }

    /** Sends what the application wrote during the handshake (or before close()). */
    private void flushPending() {
        while (!pending.isEmpty() && !lost) {
            byte[] b = pending.pollFirst();
            pendingBytes -= b.length;
            send(b);
        }
    }

    private void appClose() {
        appClosing = true;
        if (shutdownStarted || lost) {
            return;
        }
        shutdownStarted = true;
        if (!handshakeDone) {
            raw.abort(); // as asyncio: closing during the handshake aborts
            return;
        }
        flushPending();
        if (appReadingPaused) {
            appReadingPaused = false;
            raw.resumeReading(); // the peer's close_notify must be read to finish
        }
        if (tcpEof) {
            raw.close(); // the peer is gone: what was written is flushed, then the socket closes
            return;
        }
        engine.closeOutbound();
        try {
            wrap(EMPTY);
        } catch (SSLException ignored) {
            // no close_notify then: the socket closes all the same
        }
        flushNetOut();
        if (peerClosed) {
            raw.close();
        } else {
            shutdownTimer = loop.callLater(shutdownTimeout, () -> forceClose(raw,
                    new AsyncTimeoutException("TLS shutdown timed out", null)));
        }
    }

    // ---- failures ------------------------------------------------------------------------------

    private void failHandshake(IOException exc) {
        if (handshakeDone || lost) {
            return;
        }
        cancelTimers();
        completeWaiter(exc);
        if (waiter == null && loop.getDebug()) {
            loop.callExceptionHandler(new ErrorContext("SSL handshake failed on a server's"
                    + " connection (transport " + raw + ")", exc, null, null, null));
        }
        // send the engine's alert, if it made one, so the peer learns why
        try {
            engine.closeOutbound();
            wrap(EMPTY);
            flushNetOut();
        } catch (SSLException | RuntimeException ignored) {
            // no alert then
        }
        raw.close();
    }

    private void fatal(Throwable exc, String message) {
        if (!(exc instanceof IOException)) {
            loop.callExceptionHandler(new ErrorContext(message + " (transport " + appTransport
                    + ")", exc, null, null, null));
        }
        appClosing = true;
        forceClose(raw, exc); // the application's connectionLost gets exc, as in asyncio
    }

    /** The context the callbacks of the transport under this protocol run in, or null. */
    static Context contextOf(Transport raw) {
        if (raw instanceof SocketTransport socket) {
            return socket.protocolContext();
        }
        return raw instanceof AppTransport outer ? outer.protocolContext() : null;
    }

    /** asyncio's {@code transport._force_close(exc)} on the transport under this protocol. */
    private static void forceClose(Transport raw, Throwable exc) {
        if (raw instanceof SocketTransport socket) {
            socket.forceClose(exc);
        } else if (raw instanceof AppTransport outer) {
            outer.forceClose(exc); // TLS inside TLS: the outer connection ends with exc too
        } else {
            raw.abort();
        }
    }

    private void completeWaiter(Throwable exc) {
        if (waiter == null || waiter.isDone()) {
            return;
        }
        if (exc == null) {
            waiter.setResult(null);
        } else {
            waiter.setException(exc);
        }
    }

    private void cancelTimers() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (shutdownTimer != null) {
            shutdownTimer.cancel();
        }
    }

    /** What the application writes to: plain bytes in, TLS records out. */
    final class AppTransport implements Transport {
        /** The raw transport's pause, which this protocol passes on to the application's. */
        boolean writingPaused() {
            return Sendfile.writingPaused(raw);
        }

        @Override
        public void write(byte[] data) {
            TransportIo.checkThread(loop, "Transport.write()");
            appWrite(data);
        }

        @Override
        public void writeEof() {
            TransportIo.checkThread(loop, "Transport.writeEof()");
            throw new UnsupportedOperationException("SSL doesn't support half-closes");
        }

        @Override
        public boolean canWriteEof() {
            return false;
        }

        @Override
        public void close() {
            TransportIo.checkThread(loop, "Transport.close()");
            appClose();
        }

        @Override
        public void abort() {
            TransportIo.checkThread(loop, "Transport.abort()");
            appClosing = true;
            raw.abort();
        }

        /** The context the application's callbacks run in: the socket's. */
        Context protocolContext() {
            return contextOf(raw);
        }

        /** Ends the connection now; the application's connectionLost gets {@code exc}. */
        void forceClose(Throwable exc) {
            appClosing = true;
            SslProtocol.forceClose(raw, exc);
        }

        @Override
        public boolean isClosing() {
            return appClosing || raw.isClosing();
        }

        @Override
        public void pauseReading() {
            TransportIo.checkThread(loop, "Transport.pauseReading()");
            appReadingPaused = true;
            raw.pauseReading();
        }

        @Override
        public void resumeReading() {
            TransportIo.checkThread(loop, "Transport.resumeReading()");
            if (!appReadingPaused) {
                return;
            }
            appReadingPaused = false;
            raw.resumeReading();
            // what arrived while paused, in the context the protocol's callbacks run in
            loop.callSoon(SslProtocol.this::pumpKept, contextOf(raw));
        }

        @Override
        public boolean isReading() {
            return !appReadingPaused && raw.isReading();
        }

        @Override
        public Object getExtraInfo(String name) {
            return switch (name) {
                case "sslcontext" -> context;
                case "ssl_object" -> engine;
                case "cipher" -> engine.getSession().getCipherSuite();
                case "peercert" -> peerCertificate();
                default -> raw.getExtraInfo(name);
            };
        }

        private Certificate peerCertificate() {
            try {
                Certificate[] chain = engine.getSession().getPeerCertificates();
                return chain.length > 0 ? chain[0] : null;
            } catch (SSLPeerUnverifiedException e) {
                return null;
            }
        }

        @Override
        public void setWriteBufferLimits(Integer high, Integer low) {
            TransportIo.checkThread(loop, "Transport.setWriteBufferLimits()");
            raw.setWriteBufferLimits(high, low);
        }

        @Override
        public WriteBufferLimits getWriteBufferLimits() {
            return raw.getWriteBufferLimits();
        }

        @Override
        public int getWriteBufferSize() {
            return raw.getWriteBufferSize() + pendingBytes;
        }

        @Override
        public Protocol getProtocol() {
            return app;
        }

        @Override
        public void setProtocol(Protocol protocol) {
            TransportIo.checkThread(loop, "Transport.setProtocol()");
            app = Objects.requireNonNull(protocol, "protocol is null");
        }

        @Override
        public String toString() {
            return "<SSL transport over " + raw + ">";
        }
    }
}
