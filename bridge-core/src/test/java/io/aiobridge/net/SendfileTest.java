package io.aiobridge.net;

import static io.aiobridge.net.StreamsTest.port;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Net#sendfile} over real sockets and files: what CPython's test_sendfile checks of
 * loop.sendfile (the whole file, an offset and a count, the file's position afterwards, writes
 * refused while it runs, bytes written before it go first, the fallback over TLS, the argument
 * errors).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SendfileTest {
    @TempDir
    Path dir;

    private Path file(byte[] content) throws Exception {
        return Files.write(dir.resolve("data.bin"), content);
    }

    /** A server whose protocol collects into {@code c}; its reading paused until resumed. */
    private static final class PausedServer implements Protocol {
        final TlsTest.Collect c;
        Transport transport;

        PausedServer(TlsTest.Collect c) {
            this.c = c;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            t.pauseReading();
            smallBuffers(t);
        }

        @Override
        public void dataReceived(byte[] data) {
            c.dataReceived(data);
        }
    }

    /** Small kernel buffers, so that what a paused peer does not read stays in the transport. */
    static void smallBuffers(Transport t) {
        try {
            java.nio.channels.SocketChannel ch =
                    (java.nio.channels.SocketChannel) t.getExtraInfo("socket");
            ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theWholeFileThenASliceGoOutAndThePositionFollowsWhatWasSent() throws Exception {
        byte[] content = BufferedProtocolTest.payload(4_000_000);
        Path path = file(content);
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            TlsTest.Collect c = new TlsTest.Collect(loop, content.length + 5_000);
            Server srv = Net.createServer(() -> c, "127.0.0.1", 0);
            Transport t = Net.createConnection(() -> new Protocol() {}, "127.0.0.1", port(srv))
                    .transport();
            try (FileChannel f = FileChannel.open(path)) {
                assertEquals(content.length, Net.sendfile(t, f));
                assertEquals(content.length, f.position());
                assertEquals(5_000, Net.sendfile(t, f, 1_000, 5_000L, false));
                assertEquals(6_000, f.position());
                assertEquals(10, Net.sendfile(t, f, content.length - 10, 100L, false),
                        "fewer than count at the end of the file");
            }
            c.done.await();
            byte[] want = new byte[content.length + 5_000 + 10];
            System.arraycopy(content, 0, want, 0, content.length);
            System.arraycopy(content, 1_000, want, content.length, 5_000);
            System.arraycopy(content, content.length - 10, want, content.length + 5_000, 10);
            while (c.got.size() < want.length) {
                Aio.sleep(0.001);
            }
            assertArrayEquals(want, c.got.toByteArray());
            t.close();
            srv.close();
            return null;
        });
    }

    @Test
    void bytesWrittenBeforeGoFirstAndWritesAreRefusedWhileItRuns() throws Exception {
        byte[] content = BufferedProtocolTest.payload(6_000_000); // more than the sockets hold
        byte[] header = "HEADER".repeat(400_000).getBytes(); // buffered: the server is paused
        Path path = file(content);
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            TlsTest.Collect c = new TlsTest.Collect(loop, header.length + content.length);
            PausedServer server = new PausedServer(c);
            Server srv = Net.createServer(() -> server, "127.0.0.1", 0);
            Transport t = Net.createConnection(() -> new Protocol() {}, "127.0.0.1", port(srv))
                    .transport();
            smallBuffers(t);
            t.write(header);
            assertTrue(t.getWriteBufferSize() > 0, "the header waits in the buffer");
            Task<Long> send = Aio.createTask(() -> {
                try (FileChannel f = FileChannel.open(path)) {
                    return Net.sendfile(t, f);
                }
            });
            Aio.sleep(0.01);
            assertTrue(!send.isDone());
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> t.write(new byte[1]));
            assertTrue(refused.getMessage().startsWith(
                    "unable to write; sendfile is in progress"), refused.getMessage());
            while (server.transport == null) {
                Aio.sleep(0.001);
            }
            server.transport.resumeReading();
            assertEquals(content.length, send.await());
            c.done.await();
            byte[] want = Arrays.copyOf(header, header.length + content.length);
            System.arraycopy(content, 0, want, header.length, content.length);
            assertArrayEquals(want, c.got.toByteArray());
            t.write("after".getBytes()); // writing works again
            t.close();
            srv.close();
            return null;
        });
    }

    @Test
    void overTlsTheFileGoesByWritesUnlessTheFallbackIsRefused() throws Exception {
        byte[] content = BufferedProtocolTest.payload(1_500_000);
        Path path = file(content);
        javax.net.ssl.SSLContext server = TlsTest.serverContext();
        javax.net.ssl.SSLContext client = TlsTest.clientContext();
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            TlsTest.Collect c = new TlsTest.Collect(loop, content.length);
            Server srv = Net.createServer(() -> c, "127.0.0.1", 0, 100, true, server);
            TlsTest.Collect mine = new TlsTest.Collect(loop, 1);
            Transport t = Net.createConnection(() -> mine, "127.0.0.1", port(srv), client, null)
                    .transport();
            try (FileChannel f = FileChannel.open(path)) {
                UnsupportedOperationException no = assertThrows(
                        UnsupportedOperationException.class,
                        () -> Net.sendfile(t, f, 0, null, false));
                assertTrue(no.getMessage().startsWith("fallback is disabled and native sendfile"
                        + " is not supported for transport"), no.getMessage());
                assertEquals(content.length, Net.sendfile(t, f));
                assertEquals(content.length, f.position());
            }
            assertSame(mine, t.getProtocol(), "the protocol is given back");
            assertTrue(t.isReading(), "and reading resumed");
            c.done.await();
            assertArrayEquals(content, c.got.toByteArray());
            t.close();
            srv.close();
            return null;
        });
    }

    @Test
    void overAUnixSocketTheKernelCopiesTheFileToo() throws Exception {
        byte[] content = BufferedProtocolTest.payload(2_000_000);
        Path path = file(content);
        String sock = dir.resolve("s.sock").toString();
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            TlsTest.Collect c = new TlsTest.Collect(loop, content.length);
            Server srv = Net.createUnixServer(() -> c, sock);
            Transport t = Net.createUnixConnection(() -> new Protocol() {}, sock).transport();
            try (FileChannel f = FileChannel.open(path)) {
                assertEquals(content.length, Net.sendfile(t, f, 0, null, false));
            }
            c.done.await();
            assertArrayEquals(content, c.got.toByteArray());
            t.close();
            srv.close();
            return null;
        });
    }

    @Test
    void badArgumentsAndAClosingTransportAreRefusedWithAsyncioMessagesFirst() throws Exception {
        Path path = file(new byte[10]);
        Aio.run(() -> {
            Server srv = Net.createServer(() -> new Protocol() {}, "127.0.0.1", 0);
            Transport t = Net.createConnection(() -> new Protocol() {}, "127.0.0.1", port(srv))
                    .transport();
            try (FileChannel f = FileChannel.open(path, StandardOpenOption.READ)) {
                for (Object[] bad : List.of(new Object[] {-1L, null,
                        "offset must be a non-negative integer (got -1)"},
                        new Object[] {0L, 0L, "count must be a positive integer (got 0)"})) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> Net.sendfile(t, f, (Long) bad[0], (Long) bad[1], true));
                    assertTrue(e.getMessage().startsWith((String) bad[2]), e.getMessage());
                }
                assertThrows(NullPointerException.class, () -> Net.sendfile(t, null));
                Throwable[] fromElsewhere = new Throwable[1];
                Thread other = new Thread(() -> {
                    try {
                        Net.sendfile(t, f);
                    } catch (Throwable e) {
                        fromElsewhere[0] = e;
                    }
                });
                other.start();
                Aio.toThread(() -> {
                    other.join();
                    return null;
                });
                assertTrue(fromElsewhere[0] instanceof WrongThreadException
                        && fromElsewhere[0].getMessage().contains("call it from a task of that"
                        + " loop"), String.valueOf(fromElsewhere[0]));
                t.write(new byte[1]); // the refused call left the transport as it was
                assertTrue(t.isReading());
                assertEquals(10, Net.sendfile(t, f, 0, null, false));
                t.close();
                IllegalStateException closing = assertThrows(IllegalStateException.class,
                        () -> Net.sendfile(t, f));
                assertTrue(closing.getMessage().startsWith("Transport is closing"));
            }
            srv.close();
            return null;
        });
    }

    @Test
    void aPeerThatGoesAwayMidFileFailsTheCallAndEndsTheConnection() throws Exception {
        byte[] content = BufferedProtocolTest.payload(6_000_000);
        Path path = file(content);
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            PausedServer server = new PausedServer(new TlsTest.Collect(loop, 1));
            Server srv = Net.createServer(() -> server, "127.0.0.1", 0);
            TlsTest.Collect mine = new TlsTest.Collect(loop, 1);
            Transport t = Net.createConnection(() -> mine, "127.0.0.1", port(srv)).transport();
            smallBuffers(t);
            Task<Long> send = Aio.createTask(() -> {
                try (FileChannel f = FileChannel.open(path)) {
                    return Net.sendfile(t, f);
                }
            });
            Aio.sleep(0.01);
            assertTrue(!send.isDone(), "waiting for the paused peer");
            server.transport.abort();
            // a checked failure crosses an await wrapped (docs/design.md); the task keeps it
            assertThrows(java.util.concurrent.CompletionException.class, send::await);
            assertTrue(send.exception() instanceof java.io.IOException,
                    String.valueOf(send.exception()));
            mine.lost.await(); // the protocol heard the end
            assertTrue(t.isClosing());
            srv.close();
            return null;
        });
    }

    @Test
    void aProcesssStdinPipeTakesTheFileByWrites() throws Exception {
        byte[] content = BufferedProtocolTest.payload(3_000_000); // far over the high-water mark
        Path path = file(content);
        String counted = Aio.run(() -> {
            AsyncProcess p = Subprocess.exec("wc", "-c").stdin(Subprocess.Redirect.PIPE)
                    .stdout(Subprocess.Redirect.PIPE).start();
            try (FileChannel f = FileChannel.open(path)) {
                assertEquals(content.length, Net.sendfile(p.stdin().transport(), f));
            }
            p.stdin().close();
            byte[] out = p.stdout().read(-1);
            assertEquals(0, p.waitFor());
            return new String(out, java.nio.charset.StandardCharsets.UTF_8).trim();
        });
        assertEquals(String.valueOf(content.length), counted);
    }
}
