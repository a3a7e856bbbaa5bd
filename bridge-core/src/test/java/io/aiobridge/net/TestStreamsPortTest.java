package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import io.aiobridge.testing.Loops;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_streams.py}: the {@link StreamReader} cases
 * (fed with {@code feedData}, as CPython's are), 3.13's separators tuple, and the cases over
 * real sockets that {@link StreamsTest} does not already cover. CPython reads the private
 * {@code _buffer}; the port reads its size from the repr and its bytes by reading on.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestStreamsPortTest {

    private static final byte[] DATA = b("line1\nline2\nline3\n");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static StreamReader reader() {
        return new StreamReader(Aio.getRunningLoop());
    }

    private static StreamReader reader(int limit) {
        return new StreamReader(Aio.getRunningLoop(), limit);
    }

    /** What is left in the buffer, read out after the end of the stream. */
    private static String rest(StreamReader stream) throws IOException {
        stream.feedEof();
        return s(stream.read(-1));
    }

    @Test
    void test_read_zero_line_breaks_and_limit() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            stream.feedData(DATA);
            assertEquals("", s(stream.read(0)));
            assertEquals(s(DATA), rest(stream));

            StreamReader breaks = reader();
            breaks.feedData(b("line1"));
            breaks.feedData(b("line2"));
            assertEquals("line1", s(breaks.read(5)));
            assertEquals("line2", rest(breaks));

            StreamReader limited = reader(3);
            limited.feedData(b("chunk"));
            assertEquals("chunk", s(limited.read(5)), "read() is not bound by the limit");
            assertEquals("", rest(limited));
            return null;
        });
    }

    @Test
    void test_read_eof_until_eof_and_exception() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            Aio.getRunningLoop().callSoon(stream::feedEof);
            assertEquals("", s(stream.read(1024)));

            StreamReader all = reader();
            Aio.getRunningLoop().callSoon(() -> {
                all.feedData(b("chunk1\n"));
                all.feedData(b("chunk2"));
                all.feedEof();
            });
            assertEquals("chunk1\nchunk2", s(all.read(-1)));

            StreamReader failing = reader();
            failing.feedData(b("line\n"));
            assertEquals("li", s(failing.read(2)));
            IllegalArgumentException exc = new IllegalArgumentException();
            failing.setException(exc);
            assertSame(exc, assertThrows(IllegalArgumentException.class,
                    () -> failing.read(2)));
            assertSame(exc, failing.exception());
            return null;
        });
    }

    @Test
    void test_invalid_limit() {
        Loops.virtual(() -> {
            for (int limit : new int[] {0, -1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> reader(limit));
                assertTrue(e.getMessage().contains("imit"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    void test_readline() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            stream.feedData(b("chunk1 "));
            Task<byte[]> readTask = Aio.createTask(stream::readline);
            Aio.getRunningLoop().callSoon(() -> {
                stream.feedData(b("chunk2 "));
                stream.feedData(b("chunk3 "));
                stream.feedData(b("\n chunk4"));
            });
            assertEquals("chunk1 chunk2 chunk3 \n", s(readTask.await()));
            assertEquals(" chunk4", rest(stream));
            return null;
        });
    }

    @Test
    void test_readline_limit_with_existing_data() {
        Loops.virtual(() -> {
            StreamReader stream = reader(3);
            stream.feedData(b("li"));
            stream.feedData(b("ne1\nline2\n"));
            assertThrows(IllegalArgumentException.class, stream::readline);
            assertEquals("line2\n", rest(stream), "the rest after the over-long line stays");

            StreamReader noNewline = reader(3);
            noNewline.feedData(b("li"));
            noNewline.feedData(b("ne1"));
            noNewline.feedData(b("li"));
            assertThrows(IllegalArgumentException.class, noNewline::readline);
            assertEquals("", rest(noNewline), "all of it was consumed");
            return null;
        });
    }

    @Test
    void test_at_eof() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            assertFalse(stream.atEof());
            stream.feedData(b("some data\n"));
            assertFalse(stream.atEof());
            stream.readline();
            assertFalse(stream.atEof());
            stream.feedData(b("some data\n"));
            stream.feedEof();
            stream.readline();
            assertTrue(stream.atEof());
            return null;
        });
    }

    @Test
    void test_readline_limit() {
        Loops.virtual(() -> {
            StreamReader stream = reader(7);
            Aio.getRunningLoop().callSoon(() -> {
                stream.feedData(b("chunk1"));
                stream.feedData(b("chunk2"));
                stream.feedData(b("chunk3\n"));
                stream.feedEof();
            });
            assertThrows(IllegalArgumentException.class, stream::readline);
            assertEquals("", rest(stream), "the one line was dropped");

            StreamReader two = reader(7);
            Aio.getRunningLoop().callSoon(() -> {
                two.feedData(b("chunk1"));
                two.feedData(b("chunk2\n"));
                two.feedData(b("chunk3\n"));
                two.feedEof();
            });
            assertThrows(IllegalArgumentException.class, two::readline);
            assertEquals("chunk3\n", rest(two));

            // the limit is strict
            StreamReader strict = reader(7);
            strict.feedData(b("1234567\n"));
            assertEquals("1234567\n", s(strict.readline()));
            strict.feedData(b("12345678\n"));
            assertThrows(IllegalArgumentException.class, strict::readline);
            strict.feedData(b("12345678"));
            assertThrows(IllegalArgumentException.class, strict::readline);
            assertEquals("", rest(strict));
            return null;
        });
    }

    @Test
    void test_readline_nolimit_nowait_eof_and_byte_count() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            stream.feedData(java.util.Arrays.copyOfRange(DATA, 0, 6));
            stream.feedData(java.util.Arrays.copyOfRange(DATA, 6, DATA.length));
            assertEquals("line1\n", s(stream.readline()));
            assertEquals("line2\nl", s(stream.read(7)));
            assertEquals("ine3\n", rest(stream));

            StreamReader eof = reader();
            eof.feedData(b("some data"));
            eof.feedEof();
            assertEquals("some data", s(eof.readline()));

            StreamReader empty = reader();
            empty.feedEof();
            assertEquals("", s(empty.readline()));
            return null;
        });
    }

    @Test
    void test_readuntil_separator_and_multi_chunks() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> stream.readuntil(new byte[0]));
            assertTrue(e.getMessage().startsWith("Separator should be"), e.getMessage());

            stream.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(stream.readuntil(b("AAA"))));
            stream.feedData(b("lineAAAxxx"));
            assertEquals("lineAAA", s(stream.readuntil(b("AAA"))));
            assertEquals("xxx", s(stream.read(3)));

            StreamReader chunks = reader();
            chunks.feedData(b("QWEaa"));
            chunks.feedData(b("XYaa"));
            chunks.feedData(b("a"));
            assertEquals("QWEaaXYaaa", s(chunks.readuntil(b("aaa"))));
            chunks.feedData(b("XXX"));
            chunks.feedData(b("a"));
            chunks.feedData(b("a"));
            chunks.feedData(b("a"));
            assertEquals("XXXaaa", s(chunks.readuntil(b("aaa"))));
            assertEquals("", rest(chunks));
            return null;
        });
    }

    @Test
    void test_readuntil_eof_and_limit_found_sep() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            stream.feedData(b("some dataAA"));
            stream.feedEof();
            IncompleteReadException e = assertThrows(IncompleteReadException.class,
                    () -> stream.readuntil(b("AAA")));
            assertTrue(e.getMessage().contains("undefined expected bytes"), e.getMessage());
            assertEquals("some dataAA", s(e.partial()));
            assertNull(e.expected());

            StreamReader limited = reader(3);
            limited.feedData(b("some dataAA"));
            LimitOverrunException notFound = assertThrows(LimitOverrunException.class,
                    () -> limited.readuntil(b("AAA")));
            assertTrue(notFound.getMessage().contains("not found"), notFound.getMessage());
            assertTrue(limited.toString().contains("11 bytes"), "nothing taken: " + limited);
            limited.feedData(b("A"));
            LimitOverrunException found = assertThrows(LimitOverrunException.class,
                    () -> limited.readuntil(b("AAA")));
            assertTrue(found.getMessage().contains("is found"), found.getMessage());
            assertEquals("some dataAAA", rest(limited));
            return null;
        });
    }

    @Test
    void test_readuntil_multiple_separators() {
        // 3.13: a tuple of separators; the shortest chunk ending with any of them wins
        Loops.virtual(() -> {
            StreamReader stream = reader();
            stream.feedData(b("line1\r\nline2\nline3"));
            List<byte[]> eol = List.of(b("\r\n"), b("\n"));
            assertEquals("line1\r\n", s(stream.readuntil(eol)));
            assertEquals("line2\n", s(stream.readuntil(eol)));
            stream.feedData(b("AB"));
            assertEquals("line3A", s(stream.readuntil(List.of(b("AB"), b("A")))),
                    "the one that ends first, whatever the order given");

            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> stream.readuntil(List.<byte[]>of()));
            assertEquals("Separator should contain at least one element", none.getMessage());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                    () -> stream.readuntil(List.of(b("A"), new byte[0])));
            assertEquals("Separator should be at least one-byte string", empty.getMessage());

            // a separator split across chunks, the longer one still arriving
            StreamReader split = reader();
            Task<byte[]> t = Aio.createTask(() -> split.readuntil(List.of(b("XYZ"), b("Q"))));
            Aio.getRunningLoop().callSoon(() -> split.feedData(b("abcXY")));
            Aio.getRunningLoop().callSoon(() -> split.feedData(b("Zrest")));
            assertEquals("abcXYZ", s(t.await()));
            assertEquals("rest", rest(split));

            // the limit counts up to where the matching separator starts
            StreamReader limited = reader(3);
            limited.feedData(b("abcdXYZ"));
            assertThrows(LimitOverrunException.class,
                    () -> limited.readuntil(List.of(b("XYZ"), b("Q"))));
            assertEquals("abcdXYZ", rest(limited), "nothing taken");
            return null;
        });
    }

    @Test
    void test_readexactly() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            stream.feedData(DATA);
            assertEquals("", s(stream.readexactly(0)));
            IllegalArgumentException less = assertThrows(IllegalArgumentException.class,
                    () -> stream.readexactly(-1));
            assertTrue(less.getMessage().contains("less than zero"), less.getMessage());
            assertEquals(s(DATA), rest(stream));

            StreamReader wait = reader();
            int n = 2 * DATA.length;
            Task<byte[]> readTask = Aio.createTask(() -> wait.readexactly(n));
            Aio.getRunningLoop().callSoon(() -> {
                wait.feedData(DATA);
                wait.feedData(DATA);
                wait.feedData(DATA);
            });
            assertEquals(s(DATA) + s(DATA), s(readTask.await()));
            assertEquals(s(DATA), rest(wait));

            StreamReader limited = reader(3);
            limited.feedData(b("chunk"));
            assertEquals("chunk", s(limited.readexactly(5)));

            StreamReader eof = reader();
            Task<byte[]> eofTask = Aio.createTask(() -> eof.readexactly(n));
            Aio.getRunningLoop().callSoon(() -> {
                eof.feedData(DATA);
                eof.feedEof();
            });
            // a task's checked exception reaches an awaiting task wrapped, as the library's rule
            CompletionException wrapped = assertThrows(CompletionException.class, eofTask::await);
            IncompleteReadException e = assertInstanceOf(IncompleteReadException.class,
                    wrapped.getCause());
            assertArrayEquals(DATA, e.partial());
            assertEquals(n, e.expected());
            assertEquals("18 bytes read on a total of 36 expected bytes", e.getMessage());
            return null;
        });
    }

    @Test
    void test_exception_waiter_and_cancel() {
        Loops.virtual(() -> {
            StreamReader stream = reader();
            assertNull(stream.exception());
            Task<byte[]> t1 = Aio.createTask(stream::readline);
            Task<Void> t2 = Aio.createTask(() -> {
                stream.setException(new IllegalArgumentException());
                return null;
            });
            Aio.wait(List.of(t1, t2));
            assertThrows(IllegalArgumentException.class, t1::result);

            StreamReader cancelled = reader();
            Task<byte[]> t = Aio.createTask(cancelled::readline);
            Aio.sleep(0);
            t.cancel();
            Aio.sleep(0);
            // must not fail on the cancelled waiter
            cancelled.setException(new IllegalStateException("message"));
            Aio.sleep(0);
            assertFalse(cancelled.toString().contains("waiter"), cancelled.toString());
            return null;
        });
    }

    @Test
    void test___repr__() {
        Loops.virtual(() -> {
            assertEquals("<StreamReader>", reader().toString());
            assertEquals("<StreamReader limit=123>", reader(123).toString());
            StreamReader eof = reader();
            eof.feedEof();
            assertEquals("<StreamReader eof>", eof.toString());
            StreamReader data = reader();
            data.feedData(b("data"));
            assertEquals("<StreamReader 4 bytes>", data.toString());
            return null;
        });
    }

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
