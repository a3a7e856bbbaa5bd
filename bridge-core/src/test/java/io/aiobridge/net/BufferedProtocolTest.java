package io.aiobridge.net;

import static io.aiobridge.net.StreamsTest.port;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BufferedProtocol} and {@link Transport#write(ByteBuffer)} over real loopback sockets (and
 * TLS): what CPython's test_buffered_proto and test_sock_lowlevel check of get_buffer and
 * buffer_updated, and the fatal errors asyncio reports when they fail.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferedProtocolTest {

    /** Echoes from a small direct buffer of its own; records its calls, in order. */
    static final class BufferedEcho implements BufferedProtocol {
        final ByteBuffer buf;
        final List<String> calls = new ArrayList<>();
        final AsyncFuture<Throwable> lost;
        Transport transport;
        int received;

        BufferedEcho(EventLoop loop, int size) {
            buf = ByteBuffer.allocateDirect(size);
            lost = loop.createFuture();
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            calls.add("made");
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            calls.add("get");
            return buf.clear();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            calls.add("updated");
            assertEquals(nbytes, buf.position(), "the position moved past what was read");
            received += nbytes;
            transport.write(buf.flip());
            assertEquals(buf.limit(), buf.position(), "write(ByteBuffer) consumed the buffer");
        }

        @Override
        public boolean eofReceived() {
            calls.add("eof");
            return false;
        }

        @Override
        public void connectionLost(Throwable exc) {
            calls.add("lost");
            lost.setResult(exc);
        }
    }

    static byte[] payload(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void aBufferedEchoReturnsEveryByteInOrderWithGetAndUpdateInPairs() {
        byte[] payload = payload(3_000_000); // many reads of a 1,000-byte buffer, writes that fill
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            BufferedEcho echo = new BufferedEcho(loop, 1_000);
            Server srv = Net.createServer(() -> echo, "127.0.0.1", 0);
            TlsTest.Collect c = new TlsTest.Collect(loop, payload.length);
            Transport t = Net.createConnection(() -> c, "127.0.0.1", port(srv)).transport();
            for (int off = 0; off < payload.length; off += 64 * 1024) {
                t.write(Arrays.copyOfRange(payload, off, Math.min(payload.length, off + 65536)));
            }
            c.done.await();
            t.writeEof();
            assertEquals(null, echo.lost.await());
            c.lost.await();
            assertArrayEquals(payload, c.got.toByteArray(), "every byte, in order");
            assertEquals(payload.length, echo.received);

            List<String> calls = echo.calls;
            assertEquals("made", calls.get(0));
            assertEquals(List.of("eof", "lost"), calls.subList(calls.size() - 2, calls.size()));
            List<String> middle = calls.subList(1, calls.size() - 2);
            assertTrue(middle.size() >= 2 * 3_000, "at least one read per 1,000 bytes");
            for (int i = 0; i < middle.size(); i++) {
                assertEquals(i % 2 == 0 ? "get" : "updated", middle.get(i), "call " + i);
            }
            srv.close();
            return null;
        });
    }

    /** A server whose protocol fails in get_buffer or buffer_updated as {@code kind} says. */
    private static void failingServer(String kind, Function<ErrorContext, Void> check) {
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            AsyncFuture<ErrorContext> reported = loop.createFuture();
            loop.setExceptionHandler((l, ctx) -> {
                if (!reported.isDone()) {
                    reported.setResult(ctx);
                }
            });
            AsyncFuture<Throwable> lost = loop.createFuture();
            IllegalStateException boom = new IllegalStateException("boom");
            Server srv = Net.createServer(() -> new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return switch (kind) {
                        case "throws" -> throw boom;
                        case "empty" -> ByteBuffer.allocate(0);
                        case "read-only" -> ByteBuffer.allocate(16).asReadOnlyBuffer();
                        default -> ByteBuffer.allocate(16);
                    };
                }

                @Override
                public void bufferUpdated(int nbytes) {
                    throw boom;
                }

                @Override
                public void connectionLost(Throwable exc) {
                    lost.setResult(exc);
                }
            }, "127.0.0.1", 0);
            TlsTest.Collect c = new TlsTest.Collect(loop, 1);
            Transport t = Net.createConnection(() -> c, "127.0.0.1", port(srv)).transport();
            t.write("hello".getBytes());
            ErrorContext ctx = reported.await();
            assertSame(ctx.exception(), lost.await(), "connectionLost hears the same error");
            c.lost.await(); // the server closed the connection
            check.apply(ctx);
            srv.close();
            return null;
        });
    }

    @Test
    void aGetBufferThatThrowsIsAFatalErrorThatClosesTheConnection() {
        failingServer("throws", ctx -> {
            assertTrue(ctx.message().startsWith("Fatal error: protocol.get_buffer() call failed."), ctx.message());
            assertEquals("boom", ctx.exception().getMessage());
            return null;
        });
    }

    @Test
    void anEmptyOrReadOnlyBufferIsAFatalErrorWithAsyncioMessageFirst() {
        failingServer("empty", ctx -> {
            assertTrue(ctx.message().startsWith("Fatal error: protocol.get_buffer() call failed."), ctx.message());
            assertInstanceOf(IllegalStateException.class, ctx.exception());
            assertTrue(ctx.exception().getMessage().startsWith(
                    "get_buffer() returned an empty buffer"), ctx.exception().getMessage());
            return null;
        });
        failingServer("read-only", ctx -> {
            assertTrue(ctx.message().startsWith("Fatal error: protocol.get_buffer() call failed."), ctx.message());
            assertTrue(ctx.exception().getMessage().startsWith(
                    "get_buffer() returned a read-only buffer"), ctx.exception().getMessage());
            return null;
        });
    }

    @Test
    void aBufferUpdatedThatThrowsIsAFatalErrorThatClosesTheConnection() {
        failingServer("ok", ctx -> {
            assertTrue(ctx.message().startsWith("Fatal error: protocol.buffer_updated() call failed."), ctx.message());
            return null;
        });
    }

    @Test
    void overTlsTheDecryptedBytesAreFedThroughTheProtocolsBuffers() throws Exception {
        javax.net.ssl.SSLContext server = TlsTest.serverContext();
        javax.net.ssl.SSLContext client = TlsTest.clientContext();
        byte[] payload = payload(200_000);
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            BufferedEcho echo = new BufferedEcho(loop, 777); // smaller than a TLS record
            Server srv = Net.createServer(() -> echo, "127.0.0.1", 0, 100, true, server);
            TlsTest.Collect c = new TlsTest.Collect(loop, payload.length);
            Transport t = Net.createConnection(() -> c, "127.0.0.1", port(srv), client, null)
                    .transport();
            t.write(ByteBuffer.wrap(payload)); // the default write(ByteBuffer): a copy, then write
            c.done.await();
            assertArrayEquals(payload, c.got.toByteArray());
            assertTrue(echo.calls.size() > 2 * (payload.length / 777), "fed in 777-byte rounds");
            t.close();
            srv.close();
            return null;
        });
    }

    @Test
    void writeOfAByteBufferSendsWhatTheSocketTakesAndKeepsACopyOfTheRest() {
        byte[] payload = payload(8_000_000); // far more than the socket buffers hold
        Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            TlsTest.Collect c = new TlsTest.Collect(loop, payload.length);
            Transport[] serverSide = new Transport[1];
            Server srv = Net.createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    serverSide[0] = t;
                    t.pauseReading(); // nothing is read until the client's write returned
                }

                @Override
                public void dataReceived(byte[] data) {
                    c.dataReceived(data);
                }
            }, "127.0.0.1", 0);
            Transport t = Net.createConnection(() -> new Protocol() {}, "127.0.0.1", port(srv))
                    .transport();
            ByteBuffer direct = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
            t.write(direct);
            assertEquals(direct.limit(), direct.position(), "consumed");
            assertTrue(t.getWriteBufferSize() > 0, "the socket could not take it all");
            direct.clear().put(new byte[payload.length]); // reused at once: the rest was copied
            while (serverSide[0] == null) {
                Aio.sleep(0.001);
            }
            serverSide[0].resumeReading();
            c.done.await();
            assertArrayEquals(payload, c.got.toByteArray(), "every byte, as it was when written");
            assertThrows(NullPointerException.class, () -> t.write((ByteBuffer) null));
            t.close();
            srv.close();
            return null;
        });
    }

    @Test
    void dataReceivedFeedsArraysThroughTheBuffersAndRefusesAnEmptyOne() {
        List<String> chunks = new ArrayList<>();
        ByteBuffer small = ByteBuffer.allocate(4);
        BufferedProtocol p = new BufferedProtocol() {
            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                chunks.add("hint " + sizeHint);
                return small.clear();
            }

            @Override
            public void bufferUpdated(int nbytes) {
                chunks.add(new String(small.array(), 0, nbytes));
            }
        };
        p.dataReceived("hello world".getBytes());
        assertEquals(List.of("hint 11", "hell", "hint 7", "o wo", "hint 3", "rld"), chunks);

        BufferedProtocol empty = new BufferedProtocol() {
            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                return ByteBuffer.allocate(0);
            }

            @Override
            public void bufferUpdated(int nbytes) {}
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> empty.dataReceived(new byte[1]));
        assertTrue(e.getMessage().startsWith("get_buffer() returned an empty buffer"));
    }
}
