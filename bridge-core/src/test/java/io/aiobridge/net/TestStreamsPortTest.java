package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_streams.py}: the cases over real sockets that
 * {@link StreamsTest} does not already cover.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestStreamsPortTest {

    @Test
    void test_drain_raises() throws Exception {
        // python/cpython#69627 (bpo-25441): drain() must give up the loop and raise once the
        // peer, a plain socket on another thread, has closed; it must not spin for ever
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (Socket client = server.accept()) {
                    // closed at once
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Aio.run(() -> {
                Streams.Connection c = Streams.openConnection("127.0.0.1", server.getLocalPort());
                IOException e = assertThrows(IOException.class, () -> {
                    while (true) {
                        c.writer().write("foo\n".getBytes(StandardCharsets.UTF_8));
                        c.writer().drain();
                    }
                });
                String m = String.valueOf(e.getMessage());
                assertTrue(m.startsWith("[Errno 32] Broken pipe")
                        || m.startsWith("Connection reset by peer")
                        || m.startsWith("Connection lost"), m);
                c.writer().close();
                return null;
            });
            accepted.get();
        }
    }
}
