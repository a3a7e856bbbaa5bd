package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_streams.py}, the cases over real connections,
 * servers and pipes ({@link TestStreamsPortTest} has the reader's own): open_connection,
 * start_server (a handler that serves, and one that hands the connection to a task of its own),
 * start_tls on both sides, a pipe read through {@link StreamReaderProtocol}, many drains on one
 * paused writer, and the writer's close and wait_closed. {@code test_open_connection_error}
 * calls the private protocol's {@code connection_lost}; the deprecated loop arguments and pickling
 * are Python's.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestStreamsConnectionsPortTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The loop's exception handler collects here; every case expects it to stay empty. */
    private static List<ErrorContext> collectErrors() {
        List<ErrorContext> messages = new ArrayList<>();
        Aio.getRunningLoop().setExceptionHandler((l, c) -> messages.add(c));
        return messages;
    }

    /** Sends the request and reads the status line, and the rest if {@code toTheEnd}. */
    private static void get(Streams.Connection c, boolean toTheEnd) throws IOException {
        c.writer().write(b("GET / HTTP/1.0\r\n\r\n"));
        assertEquals("HTTP/1.0 200 OK\r\n", s(c.reader().readline()));
        if (toTheEnd) {
            assertTrue(s(c.reader().read(-1)).endsWith("\r\n\r\nTest message"));
        }
    }

    private static void basetestOpenConnection(Streams.Connection c, List<ErrorContext> messages)
            throws IOException {
        get(c, true);
        c.writer().close();
        assertEquals(List.of(), messages);
    }

    @Test
    void test_open_connection() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                List<ErrorContext> messages = collectErrors();
                basetestOpenConnection(Streams.openConnection("127.0.0.1", httpd.port()),
                        messages);
                return null;
            });
        }
    }

    @Test
    void test_open_unix_connection(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        try (TestEventsPortTest.TestServer httpd = new TestEventsPortTest.TestServer(
                UnixDomainSocketAddress.of(path))) {
            Aio.run(() -> {
                List<ErrorContext> messages = collectErrors();
                basetestOpenConnection(Streams.openUnixConnection(path.toString()), messages);
                return null;
            });
        }
    }

    /** handle_client: echoes one line, then closes. */
    private static void handleClient(StreamReader r, StreamWriter w) throws IOException {
        byte[] data = r.readline();
        w.write(data);
        w.drain();
        w.close();
        w.waitClosed();
    }

    /** client: sends a line, reads it back. */
    private static String client(Streams.Connection c) throws IOException {
        c.writer().write(b("hello world!\n"));
        byte[] msgback = c.reader().readline();
        c.writer().close();
        c.writer().waitClosed();
        return s(msgback);
    }

    @Test
    void test_start_server() {
        Aio.run(() -> {
            // "coroutine": the handler serves the connection itself
            Server server = Streams.startServer(
                    TestStreamsConnectionsPortTest::handleClient, "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            String msg = client(Streams.openConnection("127.0.0.1", port));
            server.close();
            server.waitClosed();
            assertEquals("hello world!\n", msg);

            // "callback": the handler hands the connection to a task and returns at once; the
            // connection must stay open for that task
            server = Streams.startServer((r, w) -> Aio.createTask(() -> {
                handleClient(r, w);
                return null;
            }), "127.0.0.1", 0);
            port = server.addresses().get(0).getPort();
            msg = client(Streams.openConnection("127.0.0.1", port));
            server.close();
            server.waitClosed();
            assertEquals("hello world!\n", msg);
            return null;
        });
    }

    @Test
    void test_start_unix_server(@TempDir Path dir) {
        Aio.run(() -> {
            String path = dir.resolve("a.sock").toString();
            Server server = Streams.startUnixServer(
                    TestStreamsConnectionsPortTest::handleClient, path);
            String msg = client(Streams.openUnixConnection(path));
            server.close();
            server.waitClosed();
            assertEquals("hello world!\n", msg);

            String path2 = dir.resolve("b.sock").toString();
            server = Streams.startUnixServer((r, w) -> Aio.createTask(() -> {
                handleClient(r, w);
                return null;
            }), path2);
            msg = client(Streams.openUnixConnection(path2));
            server.close();
            server.waitClosed();
            assertEquals("hello world!\n", msg);
            return null;
        });
    }

    @Test
    void test_start_tls() throws Exception {
        SSLContext serverCtx = TlsTest.serverContext();
        SSLContext clientCtx = TlsTest.clientContext();
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                byte[] data1 = r.readline();
                w.write(data1);
                w.drain();
                assertNull(w.getExtraInfo("sslcontext"));
                w.startTls(serverCtx, null);
                assertNotNull(w.getExtraInfo("sslcontext"));
                byte[] data2 = r.readline();
                w.write(data2);
                w.drain();
                w.close();
                w.waitClosed();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1",
                    server.addresses().get(0).getPort());
            c.writer().write(b("hello world 1!\n"));
            c.writer().drain();
            String msgback1 = s(c.reader().readline());
            assertNull(c.writer().getExtraInfo("sslcontext"));
            c.writer().startTls(clientCtx, "localhost");
            assertNotNull(c.writer().getExtraInfo("sslcontext"));
            c.writer().write(b("hello world 2!\n"));
            c.writer().drain();
            String msgback2 = s(c.reader().readline());
            c.writer().close();
            c.writer().waitClosed();
            server.close();
            server.waitClosed();
            assertEquals("hello world 1!\n", msgback1);
            assertEquals("hello world 2!\n", msgback2);
            return null;
        });
    }

    @Test
    void test_read_all_from_pipe_reader(@TempDir Path dir) throws Exception {
        // asyncio issue 168: a reader whose limit is below what the writer sends, on a pipe a
        // child writes to (os.pipe() is a FIFO here; the child opens it by name)
        File fifo = dir.resolve("fifo").toFile();
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.getPath()).start().waitFor());
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            AsyncProcess proc = Subprocess.shell("printf data > '" + fifo + "'").start();
            FileInputStream pipe = Aio.toThread(() -> new FileInputStream(fifo)); // meets it
            StreamReader reader = new StreamReader(loop, 1);
            StreamReaderProtocol protocol = new StreamReaderProtocol(reader);
            Net.connectReadPipe(() -> protocol, pipe);
            assertEquals(0, proc.waitFor());
            assertEquals("data", s(reader.read(-1)));
            return null;
        });
    }

    @Test
    void test_multiple_drain() throws Exception {
        // python/cpython#74116: every drain waiting on a paused writer wakes when it resumes
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                StreamReaderProtocol p = (StreamReaderProtocol) c.writer().transport()
                        .getProtocol();
                p.pauseWriting();
                Aio.getRunningLoop().callLater(0.1, p::resumeWriting);
                int[] drained = {0};
                List<Task<Void>> drainers = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    drainers.add(Aio.createTask(() -> {
                        c.writer().drain();
                        drained[0]++;
                        return null;
                    }));
                }
                Aio.gather(drainers).await();
                assertEquals(10, drained[0]);
                c.writer().close();
                return null;
            });
        }
    }

    @Test
    void test___repr__waiter_and_transport() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                StreamReader r = c.reader();
                assertTrue(r.toString().matches("<StreamReader transport=<.*>>"), r.toString());
                Task<byte[]> reading = Aio.createTask(r::readline);
                Aio.sleep(0);
                assertTrue(r.toString().matches("<StreamReader waiter=<Future pending.*>"
                        + " transport=<.*>>"), r.toString());
                reading.cancel();
                c.writer().close();
                return null;
            });
        }
    }

    @Test
    void test_wait_closed_on_close() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                get(c, true);
                assertFalse(c.writer().isClosing());
                c.writer().close();
                assertTrue(c.writer().isClosing());
                c.writer().waitClosed();
                return null;
            });
        }
    }

    @Test
    void test_wait_closed_on_close_with_unread_data() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                get(c, false);
                c.writer().close();
                c.writer().waitClosed();
                return null;
            });
        }
    }

    @Test
    void test_async_writer_api() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                List<ErrorContext> messages = collectErrors();
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                get(c, true);
                c.writer().close();
                c.writer().waitClosed();
                assertEquals(List.of(), messages);
                return null;
            });
        }
    }

    @Test
    void test_async_writer_api_exception_after_close() throws Exception {
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                List<ErrorContext> messages = collectErrors();
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                get(c, true);
                c.writer().close();
                // asyncio drops the write and drain() raises ConnectionResetError; writing to a
                // transport the caller closed is refused here, at the write (docs/errors.md)
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> c.writer().write(b("data")));
                assertTrue(e.getMessage().startsWith("write() called on a closing transport"));
                assertThrows(ConnectionResetException.class, () -> c.writer().drain());
                assertEquals(List.of(), messages);
                return null;
            });
        }
    }

    @Test
    void test_eof_feed_when_closing_writer() throws Exception {
        // bpo-35065: closing the writer feeds the reader its end
        try (TestEventsPortTest.TestServer httpd = TestEventsPortTest.TestServer.tcp()) {
            Aio.run(() -> {
                List<ErrorContext> messages = collectErrors();
                Streams.Connection c = Streams.openConnection("127.0.0.1", httpd.port());
                c.writer().close();
                c.writer().waitClosed();
                assertTrue(c.reader().atEof());
                assertEquals("", s(c.reader().read(-1)));
                assertEquals(List.of(), messages);
                return null;
            });
        }
    }

    @Test
    void theWholeProtocolIsAStreamReaderProtocol() {
        // the public constructor needs a reader; the protocol feeds it and follows its limit
        assertThrows(NullPointerException.class, () -> new StreamReaderProtocol(null));
        Aio.run(() -> {
            StreamReader r = new StreamReader(Aio.getRunningLoop());
            StreamReaderProtocol p = new StreamReaderProtocol(r);
            p.dataReceived(b("ab"));
            p.eofReceived();
            assertEquals("ab", s(r.read(-1)));
            return null;
        });
    }

}
