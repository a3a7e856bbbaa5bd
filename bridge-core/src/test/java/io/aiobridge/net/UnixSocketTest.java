package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import java.io.IOException;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix domain sockets over real socket files: what CPython's test_unix_events checks of
 * create_unix_server, create_unix_connection, start_unix_server and open_unix_connection (a stale
 * socket file replaced, anything else refused, the server's own file removed when it closes,
 * peername as a path, ssl requiring server_hostname).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnixSocketTest {
    @TempDir
    Path dir;

    private static String line(StreamReader r) throws IOException {
        return new String(r.readline(), StandardCharsets.UTF_8);
    }

    @Test
    void streamsEchoOverAUnixSocketAndClosingTheServerRemovesItsFile() {
        String path = dir.resolve("echo.sock").toString();
        List<String> peers = new ArrayList<>();
        List<String> got = Aio.run(() -> {
            Server server = Streams.startUnixServer((reader, writer) -> {
                peers.add("server sees '" + writer.transport().getExtraInfo("peername") + "'");
                for (byte[] l = reader.readline(); l.length > 0; l = reader.readline()) {
                    writer.write(l);
                    writer.drain();
                }
                writer.close();
            }, path);
            assertTrue(Files.exists(Path.of(path)), "the socket file is there while serving");
            assertEquals(List.of(), server.addresses(), "a Unix server has no inet address");
            Streams.Connection c = Streams.openUnixConnection(path);
            peers.add("client sees " + c.writer().transport().getExtraInfo("peername"));
            List<String> out = new ArrayList<>();
            for (String w : List.of("one\n", "two\n")) {
                c.writer().write(w);
                out.add(line(c.reader()));
            }
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(16)
                    .put("three\n".getBytes(StandardCharsets.UTF_8)).flip();
            c.writer().write(direct); // a stream writer sends from a buffer, too
            c.writer().drain();
            assertEquals(direct.limit(), direct.position(), "consumed");
            out.add(line(c.reader()));
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            assertFalse(Files.exists(Path.of(path)), "closing the server removed its file");
            return out;
        });
        assertEquals(List.of("one\n", "two\n", "three\n"), got);
        assertEquals(List.of("client sees " + path, "server sees ''"), peers);
    }

    @Test
    void aStaleSocketFileIsReplacedButAnyOtherFileIsRefusedAndKept() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale)); // closing it leaves the file behind
        }
        assertTrue(Files.exists(stale));
        Path regular = Files.writeString(dir.resolve("data.txt"), "keep me");
        Aio.run(() -> {
            Server s = Net.createUnixServer(() -> new Protocol() {}, stale.toString());
            assertTrue(s.isServing());
            s.close();
            BindException e = assertThrows(BindException.class,
                    () -> Net.createUnixServer(() -> new Protocol() {}, regular.toString()));
            assertTrue(e.getMessage().startsWith("[Errno 98] Address '" + regular
                    + "' is already in use"), e.getMessage());
            return null;
        });
        assertEquals("keep me", Files.readString(regular));
    }

    @Test
    void aServerLeavesAFileThatReplacedItsSocketAndTheLoopsCloseRemovesItsOwn()
            throws Exception {
        Path replaced = dir.resolve("replaced.sock");
        Path owned = dir.resolve("owned.sock");
        Aio.run(() -> {
            Server s = Net.createUnixServer(() -> new Protocol() {}, replaced.toString());
            Files.delete(replaced);
            Files.writeString(replaced, "someone else's");
            s.close();
            Net.createUnixServer(() -> new Protocol() {}, owned.toString()); // left open
            return null;
        });
        assertEquals("someone else's", Files.readString(replaced));
        assertFalse(Files.exists(owned), "closing the loop closed the server, which removed it");
    }

    @Test
    void protocolsAndBufferedProtocolsConnectOverAUnixSocket() {
        String path = dir.resolve("proto.sock").toString();
        byte[] payload = BufferedProtocolTest.payload(500_000);
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            BufferedProtocolTest.BufferedEcho echo =
                    new BufferedProtocolTest.BufferedEcho(loop, 4096);
            Server server = Net.createUnixServer(() -> echo, path);
            TlsTest.Collect c = new TlsTest.Collect(loop, payload.length);
            Transport t = Net.createUnixConnection(() -> c, path).transport();
            t.write(payload);
            c.done.await();
            assertArrayEquals(payload, c.got.toByteArray());
            t.close();
            server.close();
            return null;
        });
    }

    @Test
    void connectingWhereNothingListensNamesThePath() {
        String path = dir.resolve("nobody.sock").toString();
        Aio.run(() -> {
            NoSuchFileException e = assertThrows(NoSuchFileException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() {}, path));
            assertEquals(path, e.getFile());
            assertTrue(e.getMessage().contains("[Errno 2] No such file or directory"),
                    e.getMessage());
            Path regular = Files.writeString(Path.of(path), "not a socket");
            IOException refused = assertThrows(IOException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() {}, path));
            assertTrue(refused.getMessage().contains(regular.toString()), refused.getMessage());
            return null;
        });
    }

    @Test
    void aUnixServerTakesStartUnixServersKeywordsAsServerOptions() {
        String path = dir.resolve("options.sock").toString();
        List<String> got = Aio.run(() -> {
            Server server = Streams.startUnixServer((reader, writer) -> {
                writer.write(reader.readline());
                writer.close();
            }, path, 64, ServerOptions.defaults().withBacklog(5).withStartServing(false));
            assertFalse(server.isServing(), "start_serving=False");
            server.startServing();
            assertTrue(server.isServing());
            Streams.Connection c = Streams.openUnixConnection(path);
            c.writer().write("hi\n");
            List<String> out = List.of(line(c.reader()));
            c.writer().close();
            server.close();
            server.waitClosed();

            IllegalArgumentException timeoutWithoutTls = assertThrows(
                    IllegalArgumentException.class, () -> Net.createUnixServer(
                            () -> new Protocol() {}, path,
                            ServerOptions.defaults().withSslHandshakeTimeout(5)));
            assertEquals("ssl_handshake_timeout is only meaningful with ssl",
                    timeoutWithoutTls.getMessage());
            IllegalArgumentException reusePort = assertThrows(IllegalArgumentException.class,
                    () -> Streams.startUnixServer((r, w) -> {}, path, 64,
                            ServerOptions.defaults().withReusePort(true)));
            assertTrue(reusePort.getMessage().startsWith("create_unix_server() got an"
                    + " unexpected keyword argument 'reuse_port'"), reusePort.getMessage());
            assertFalse(Files.exists(Path.of(path)), "a refused server left no file");
            assertEquals("options is null", assertThrows(NullPointerException.class,
                    () -> Net.createUnixServer(() -> new Protocol() {}, path, null))
                    .getMessage());
            return out;
        });
        assertEquals(List.of("hi\n"), got);
    }

    @Test
    void tlsOverAUnixSocketNeedsTheServersNameAsInAsyncio() throws Exception {
        String path = dir.resolve("tls.sock").toString();
        javax.net.ssl.SSLContext server = TlsTest.serverContext();
        javax.net.ssl.SSLContext client = TlsTest.clientContext();
        Aio.run(() -> {
            IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() {}, path, client, null));
            assertTrue(noName.getMessage().startsWith(
                    "you have to pass server_hostname when using ssl"), noName.getMessage());
            IllegalArgumentException noSsl = assertThrows(IllegalArgumentException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() {}, path, null, "x"));
            assertEquals("server_hostname is only meaningful with ssl", noSsl.getMessage());

            EventLoop loop = Aio.getRunningLoop();
            Server srv = Net.createUnixServer(TlsTest.Echo::new, path, 100, true, server);
            TlsTest.Collect c = new TlsTest.Collect(loop, 5);
            Transport t = Net.createUnixConnection(() -> c, path, client, "localhost")
                    .transport();
            t.write("hello".getBytes(StandardCharsets.UTF_8));
            c.done.await();
            assertEquals("hello", c.got.toString(StandardCharsets.UTF_8));
            t.close();
            srv.close();
            return null;
        });
    }
}
