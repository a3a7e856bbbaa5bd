package io.aiobridge.net;

import static io.aiobridge.net.StreamsTest.port;
import static io.aiobridge.net.StreamsTest.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS over real loopback sockets with the JDK's SSLEngine: what CPython's test_sslproto and
 * test_streams check of ssl=, server_hostname= and start_tls, end to end. The certificate is a
 * self-signed one for localhost and 127.0.0.1 (tls/localhost.p12, made with keytool).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsTest {
    static final char[] PASSWORD = "changeit".toCharArray();

    static KeyStore keyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsTest.class.getResourceAsStream("/tls/localhost.p12")) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** The server's context: the certificate and its key. */
    static SSLContext serverContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A client's context that trusts the test certificate. */
    static SSLContext clientContext() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Echoes in dataReceived; records what happened, in order. */
    static final class Echo implements Protocol {
        final List<String> events = new CopyOnWriteArrayList<>();
        Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            events.add("made");
        }

        @Override
        public void dataReceived(byte[] data) {
            transport.write(data);
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return false;
        }

        @Override
        public void connectionLost(Throwable exc) {
            events.add("lost " + exc);
        }
    }

    /** Collects what it receives; completes {@code done} when {@code expected} bytes came. */
    static class Collect implements Protocol {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final List<String> events = new CopyOnWriteArrayList<>();
        final AsyncFuture<Void> done;
        final AsyncFuture<Void> lost;
        final int expected;

        Collect(EventLoop loop, int expected) {
            this.done = loop.createFuture();
            this.lost = loop.createFuture();
            this.expected = expected;
        }

        @Override
        public void connectionMade(Transport t) {
            events.add("made");
        }

        @Override
        public void dataReceived(byte[] data) {
            got.writeBytes(data);
            if (got.size() >= expected && !done.isDone()) {
                done.setResult(null);
            }
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return false;
        }

        @Override
        public void connectionLost(Throwable exc) {
            events.add("lost " + exc);
            lost.setResult(null);
        }
    }

    @Test
    void protocolsEchoOverTlsAndTheTransportDescribesTheSession() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        byte[] payload = new byte[300_000]; // many TLS records, both ways
        new Random(17).nextBytes(payload);
        Aio.run(() -> {
            Echo echo = new Echo();
            Server srv = Net.createServer(() -> echo, "127.0.0.1", 0, 100, true, server);
            EventLoop loop = Aio.getRunningLoop();
            Collect c = new Collect(loop, payload.length);
            Net.Connection<Collect> conn = Net.createConnection(() -> c, "127.0.0.1", port(srv),
                    client, null);
            Transport t = conn.transport();
            assertEquals(List.of("made"), c.events, "connectionMade ran before it returned");
            for (int off = 0; off < payload.length; off += 7_000) {
                t.write(Arrays.copyOfRange(payload, off,
                        Math.min(payload.length, off + 7_000)));
            }
            c.done.await();
            assertArrayEquals(payload, c.got.toByteArray(), "every byte, in order");

            assertFalse(t.canWriteEof(), "TLS has no half-close");
            UnsupportedOperationException noEof = assertThrows(
                    UnsupportedOperationException.class, t::writeEof);
            assertEquals("SSL doesn't support half-closes", noEof.getMessage());
            assertTrue(t.getExtraInfo("sslcontext") == client);
            assertNotNull(t.getExtraInfo("cipher"));
            X509Certificate cert = (X509Certificate) t.getExtraInfo("peercert");
            assertTrue(cert.getSubjectX500Principal().getName().contains("CN=localhost"));
            assertNotNull(t.getExtraInfo("peername"), "the socket's own keys pass through");

            t.close(); // close_notify; the server answers with its own, then both sockets close
            c.lost.await();
            assertEquals(List.of("made", "lost null"), c.events);
            srv.close();
            srv.waitClosed();
            assertEquals(List.of("made", "eof", "lost null"), echo.events,
                    "the server saw close_notify as EOF, then a clean close");
            return null;
        });
    }

    @Test
    void streamsOverTlsWithAHandlerPerConnection() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        Aio.run(() -> {
            Server srv = Streams.startServer((r, w) -> {
                for (byte[] line = r.readline(); line.length > 0; line = r.readline()) {
                    w.write(s(line).toUpperCase());
                    w.drain();
                }
                w.close();
                w.waitClosed();
            }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT, server);
            List<String> answers = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                Streams.Connection c = Streams.openConnection("localhost", port(srv),
                        StreamReader.DEFAULT_LIMIT, client, null);
                c.writer().write("hello " + i + "\n");
                c.writer().write("bye\n");
                answers.add(s(c.reader().readline()).trim());
                answers.add(s(c.reader().readline()).trim());
                c.writer().close();
                c.writer().waitClosed();
                assertEquals(0, c.reader().read(10).length, "EOF after close");
            }
            assertEquals(List.of("HELLO 0", "BYE", "HELLO 1", "BYE", "HELLO 2", "BYE"), answers);
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void anUntrustedCertificateFailsTheHandshakeAndTheServerServesOn() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        SSLContext jdkDefault = SSLContext.getInstance("TLS");
        jdkDefault.init(null, null, null); // trusts the JDK's CAs only
        Aio.run(() -> {
            Server srv = Streams.startServer((r, w) -> {
                w.write(r.readline());
                w.close();
            }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT, server);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                    () -> Streams.openConnection("127.0.0.1", port(srv),
                            StreamReader.DEFAULT_LIMIT, jdkDefault, null));
            assertTrue(e.getMessage().contains("PKIX") || e.getMessage().contains("certif"),
                    e.getMessage());

            Streams.Connection ok = Streams.openConnection("127.0.0.1", port(srv),
                    StreamReader.DEFAULT_LIMIT, client, null);
            ok.writer().write("still here\n");
            assertEquals("still here\n", s(ok.reader().readline()));
            ok.writer().close();
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void theCertificateMustNameTheServer() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        Aio.run(() -> {
            Server srv = Net.createServer(Echo::new, "127.0.0.1", 0, 100, true, server);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                    () -> Net.createConnection(Echo::new, "127.0.0.1", port(srv), client,
                            "example.org"));
            assertTrue(e.getMessage().contains("example.org"), e.getMessage());
            // the empty name skips the check, as asyncio's server_hostname=''
            Net.Connection<Echo> c = Net.createConnection(Echo::new, "127.0.0.1", port(srv),
                    client, "");
            c.transport().close();
            IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                    () -> Net.createConnection(Echo::new, "127.0.0.1", port(srv), null,
                            "localhost"));
            assertEquals("server_hostname is only meaningful with ssl", plain.getMessage());
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void aPlainClientAtATlsServerGetsClosedAndLosesNothingElse() throws Exception {
        SSLContext server = serverContext();
        Aio.run(() -> {
            List<String> handled = new CopyOnWriteArrayList<>();
            Server srv = Streams.startServer((r, w) -> handled.add("handler ran"), "127.0.0.1",
                    0, StreamReader.DEFAULT_LIMIT, server);
            Streams.Connection plain = Streams.openConnection("127.0.0.1", port(srv));
            plain.writer().write("GET / HTTP/1.0\r\n\r\n");
            byte[] rest = plain.reader().read(-1); // an alert at most, then EOF
            assertTrue(rest.length < 100, "no application data: " + rest.length);
            plain.writer().close();
            assertEquals(List.of(), handled, "the handler never runs without a handshake");
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void aHandshakeThatNeverEndsIsCancelledByATimeoutAndItsSocketClosed() throws Exception {
        SSLContext client = clientContext();
        Aio.run(() -> {
            // a plain server that accepts and says nothing: the client's handshake waits
            AsyncFuture<Throwable> serverSideLost = Aio.getRunningLoop().createFuture();
            Server mute = Net.createServer(() -> new Protocol() {
                @Override
                public void connectionLost(Throwable exc) {
                    serverSideLost.setResult(exc);
                }
            }, "127.0.0.1", 0);
            assertThrows(AsyncTimeoutException.class, () -> Aio.waitFor(
                    () -> Net.createConnection(Echo::new, "127.0.0.1", port(mute), client, null),
                    0.2));
            // the client's socket was closed, so the server's end sees it go
            assertNull(Aio.waitFor(serverSideLost, 5.0), "a plain EOF at the server");
            mute.close();
            mute.waitClosed();
            return null;
        });
    }

    @Test
    void aServerThatHangsUpDuringTheHandshakeIsAConnectionReset() throws Exception {
        // CPython's test_sslproto (test_eof_received_waiter, test_connection_lost): an EOF or a
        // lost connection during the handshake fails the waiter with ConnectionResetError
        SSLContext client = clientContext();
        Aio.run(() -> {
            Server rude = Net.createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.close();
                }
            }, "127.0.0.1", 0);
            IOException e = assertThrows(IOException.class, () -> Net.createConnection(Echo::new,
                    "127.0.0.1", port(rude), client, null));
            // an EOF and a reset both give asyncio's ConnectionResetError
            assertInstanceOf(ConnectionResetException.class, e, e.toString());
            assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("reset"),
                    e.toString());
            rude.close();
            rude.waitClosed();
            return null;
        });
    }

    @Test
    void aProtocolWhoseConnectionMadeThrowsIsReportedAndClosedAsAsyncioDoesOverTls() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, ctx) -> reported.add(ctx.exception()));
            Server srv = Net.createServer(Echo::new, "127.0.0.1", 0, 100, true, server);
            IllegalStateException boom = new IllegalStateException("boom in connectionMade");
            Collect failing = new Collect(Aio.getRunningLoop(), 1) {
                @Override
                public void connectionMade(Transport t) {
                    throw boom;
                }
            };
            Net.Connection<Collect> c = Net.createConnection(() -> failing, "127.0.0.1",
                    port(srv), client, null); // returns (it used to hang); TLS closes it
            assertTrue(c.transport().isClosing());
            failing.lost.await();
            assertEquals(List.of(boom), reported);
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void startTlsUpgradesAPlainConnectionInTheMiddle() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        Aio.run(() -> {
            List<String> serverSaw = new CopyOnWriteArrayList<>();
            Server srv = Streams.startServer((r, w) -> {
                serverSaw.add(s(r.readline()).trim()); // STARTTLS, in the clear
                w.write("OK\n");
                w.startTls(server, null);
                serverSaw.add("tls " + (w.getExtraInfo("cipher") != null));
                serverSaw.add(s(r.readline()).trim()); // over TLS
                w.write("secret received\n");
                w.drain();
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(srv));
            assertNull(c.writer().getExtraInfo("sslcontext"), "plain at first");
            c.writer().write("STARTTLS\n");
            assertEquals("OK\n", s(c.reader().readline()));
            c.writer().startTls(client, null);
            assertTrue(c.writer().getExtraInfo("sslcontext") == client);
            c.writer().write("the secret\n");
            assertEquals("secret received\n", s(c.reader().readline()));
            assertEquals(0, c.reader().read(10).length);
            c.writer().close();
            assertEquals(List.of("STARTTLS", "tls true", "the secret"), serverSaw);
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void drainWaitsForASlowTlsPeerAndEveryByteArrives() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        int total = 4 << 20;
        Aio.run(() -> {
            AsyncFuture<byte[]> digest = Aio.getRunningLoop().createFuture();
            Server srv = Streams.startServer((r, w) -> {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                int n = 0;
                while (n < total) {
                    byte[] chunk = r.read(16_384);
                    if (chunk.length == 0) {
                        break;
                    }
                    md.update(chunk);
                    n += chunk.length;
                    if (n % (1 << 20) < 16_384) {
                        Aio.sleep(0.01); // a slow reader now and then
                    }
                }
                digest.setResult(md.digest());
                w.close();
            }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT, server);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(srv),
                    StreamReader.DEFAULT_LIMIT, client, null);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Random random = new Random(5);
            int maxBuffered = 0;
            for (int sent = 0; sent < total; sent += 65_536) {
                byte[] chunk = new byte[65_536];
                random.nextBytes(chunk);
                md.update(chunk);
                c.writer().write(chunk);
                maxBuffered = Math.max(maxBuffered, c.writer().transport().getWriteBufferSize());
                c.writer().drain();
            }
            assertArrayEquals(md.digest(), digest.await(), "4 MiB through TLS, intact");
            assertTrue(maxBuffered > 0, "the socket pushed back at some point");
            c.writer().close();
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void closingTheLoopClosesItsTlsConnections() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        Collect[] lost = new Collect[1];
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                Server srv = Net.createServer(Echo::new, "127.0.0.1", 0, 100, true, server);
                lost[0] = new Collect(Aio.getRunningLoop(), 1);
                Net.createConnection(() -> lost[0], "127.0.0.1", port(srv), client, null);
                return null;
            });
        }
        assertTrue(lost[0].events.get(lost[0].events.size() - 1).startsWith("lost"),
                lost[0].events.toString());
    }

    @Test
    void startTlsRefusesATransportItCannotUpgrade() throws Exception {
        SSLContext client = clientContext();
        Aio.run(() -> {
            AsyncProcess p = Subprocess.exec("cat").stdin(Subprocess.Redirect.PIPE).start();
            Transport pipe = p.stdin().transport();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Net.startTls(pipe, pipe.getProtocol(), client, false, null));
            assertTrue(e.getMessage().contains("is not supported by start_tls()"),
                    e.getMessage());
            IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                    () -> Net.startTls(pipe, pipe.getProtocol(), client, false, null, -1.0,
                            Double.NaN));
            assertEquals("ssl_handshake_timeout should be a positive number, got -1.0",
                    timeout.getMessage());
            p.stdin().close();
            assertEquals(0, p.waitFor());
            return null;
        });
    }

    /**
     * asyncio's {@code _app_reading_paused}: a pause stops delivery at once, even of records
     * that arrived in the same read, and a resume delivers them in a later turn.
     */
    @Test
    void pausingReadingStopsDeliveryOfRecordsAlreadyReceived() throws Exception {
        SSLContext server = serverContext();
        SSLContext client = clientContext();
        Aio.run(() -> {
            Server srv = Net.createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    t.write("first".getBytes()); // two records, most likely in one segment
                    t.write("second".getBytes());
                }
            }, "127.0.0.1", 0, 100, true, server);
            List<String> got = new CopyOnWriteArrayList<>();
            Net.Connection<Protocol> c = Net.createConnection(() -> new Protocol() {
                Transport transport;

                @Override
                public void connectionMade(Transport t) {
                    transport = t;
                }

                @Override
                public void dataReceived(byte[] data) {
                    got.add(new String(data));
                    transport.pauseReading();
                }
            }, "127.0.0.1", port(srv), client, null);
            Aio.sleep(0.2);
            assertEquals(List.of("first"), got, "nothing after the pause");
            assertFalse(c.transport().isReading());
            c.transport().resumeReading();
            assertTrue(c.transport().isReading());
            assertEquals(List.of("first"), got, "delivered in a later turn, not inside resume");
            Aio.sleep(0.2);
            assertEquals(List.of("first", "second"), got);
            c.transport().close();
            srv.close();
            srv.waitClosed();
            return null;
        });
    }
}
