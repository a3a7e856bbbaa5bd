package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_unix_events.py}, the {@code
 * SelectorEventLoopUnixSocketTests} that run real Unix sockets, case by case. The rest of that
 * file mocks {@code os}, {@code signal} and the pipes' file objects (the signal handlers' real
 * behaviour is in {@code TestEventsPortTest}); {@code ssl=True} and {@code sock=object()} are
 * type errors Java's signatures rule out.
 */
@Timeout(30)
class TestUnixEventsPortTest {
    private Path dir;
    private String path;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("unix-events");
        path = dir.resolve("sock").toString(); // test_utils.unix_socket_path()
    }

    @AfterEach
    void tearDown() throws IOException {
        Files.deleteIfExists(Path.of(path));
        Files.deleteIfExists(dir);
    }

    @Test
    void test_create_unix_server_existing_path_sock() throws Exception {
        // a socket file left by a closed server is replaced
        try (ServerSocketChannel sock = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            sock.bind(UnixDomainSocketAddress.of(path), 1);
        }
        Aio.run(() -> {
            Server srv = Net.createUnixServer(() -> new Protocol() { }, path);
            srv.close();
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void test_create_unix_connection_pathlib() {
        Aio.run(() -> {
            // FileNotFoundError: nothing listens there
            IOException e = assertThrows(IOException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() { }, path));
            assertTrue(e.getMessage().contains(path), e.getMessage());
            return null;
        });
    }

    @Test
    void test_create_unix_server_existing_path_nonsock() throws Exception {
        Files.writeString(Path.of(path), "not a socket");
        Aio.run(() -> {
            IOException e = assertThrows(IOException.class,
                    () -> Net.createUnixServer(() -> new Protocol() { }, path));
            assertTrue(e.getMessage().matches("(?s).*Address.*is already in use.*"),
                    e.getMessage());
            return null;
        });
        assertEquals("not a socket", Files.readString(Path.of(path)), "left as it was");
    }

    @Test
    void test_create_unix_server_ssl_timeout_with_plain_sock() {
        Aio.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Net.createUnixServer(() -> new Protocol() { }, path,
                            ServerOptions.defaults().withSslHandshakeTimeout(1)));
            assertEquals("ssl_handshake_timeout is only meaningful with ssl", e.getMessage());
            return null;
        });
    }

    @Test
    void test_create_unix_connection_nossl_serverhost() {
        Aio.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() { }, "/dev/null", null,
                            "spam"));
            assertTrue(e.getMessage().startsWith("server_hostname is only meaningful"),
                    e.getMessage());
            return null;
        });
    }

    @Test
    void test_create_unix_connection_ssl_noserverhost() throws Exception {
        javax.net.ssl.SSLContext ctx = TlsTest.clientContext();
        Aio.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Net.createUnixConnection(() -> new Protocol() { }, "/dev/null", ctx,
                            null));
            assertTrue(e.getMessage().startsWith("you have to pass server_hostname when using"
                    + " ssl"), e.getMessage());
            return null;
        });
    }
}
