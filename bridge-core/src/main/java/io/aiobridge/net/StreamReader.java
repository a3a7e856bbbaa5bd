package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Awaitable;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import io.aiobridge.internal.Failures;
import io.aiobridge.internal.TransportIo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Buffered reading from a connection or a pipe: asyncio's {@code StreamReader}. Loop-confined;
 * the read methods are called from a task and suspend it until enough bytes are there.
 *
 * <p>A read that is cancelled (a timeout around it, say) loses nothing: the bytes stay in the
 * buffer for the next read. Only one task may wait for data at a time; a second gets asyncio's
 * error. When more than twice the limit is buffered, the transport stops reading until the
 * buffer drains to the limit (backpressure towards the peer).
 *
 * <p>Iterating it ({@code for (byte[] line : reader)}, in a task) yields lines until end of
 * stream, as {@code async for line in reader}.
 */
public final class StreamReader implements AsyncIterable<byte[]> {
    /** asyncio's default limit: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    private final EventLoop loop;
    private final int limit;
    private byte[] buf = new byte[256];
    private int start;
    private int end;
    private boolean eof;
    private Throwable exception;
    private AsyncFuture<Void> waiter;
    private Transport transport;
    private boolean paused;

    /**
     * A reader for the running loop with asyncio's default limit.
     *
     * @param loop the loop its data arrives on
     */
    public StreamReader(EventLoop loop) {
        this(loop, DEFAULT_LIMIT);
    }

    /**
     * A reader with a buffer limit: the longest line or separated chunk it accepts, and the
     * backpressure threshold.
     *
     * @param loop the loop its data arrives on
     * @param limit at least 1
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public StreamReader(EventLoop loop, int limit) {
        this.loop = Objects.requireNonNull(loop, "loop is null");
        if (limit <= 0) {
            throw new IllegalArgumentException("Limit cannot be <= 0; got " + limit);
        }
        this.limit = limit;
    }

    // ---- the transport's side ------------------------------------------------------------------

    /**
     * The transport to pause and resume (set by the protocol that feeds this reader).
     *
     * @param transport the transport
     */
    public void setTransport(Transport transport) {
        TransportIo.checkThread(loop, "StreamReader.setTransport()");
        Objects.requireNonNull(transport, "transport is null");
        if (this.transport != null) {
            throw new IllegalStateException("Transport already set");
        }
        this.transport = transport;
    }

    /**
     * Adds bytes that arrived.
     *
     * @param data the bytes
     */
    public void feedData(byte[] data) {
        TransportIo.checkThread(loop, "StreamReader.feedData()");
        Objects.requireNonNull(data, "data is null");
        if (eof) {
            throw new IllegalStateException("feed_data after feed_eof; " + this
                    + " has had its end: feed nothing after feedEof()");
        }
        if (data.length == 0) {
            return;
        }
        ensure(data.length);
        System.arraycopy(data, 0, buf, end, data.length);
        end += data.length;
        wakeup(null);
        if (transport != null && !paused && size() > 2 * limit) {
            try {
                transport.pauseReading();
                paused = true;
            } catch (UnsupportedOperationException notPausable) {
                // a transport that cannot pause: the buffer grows
            }
        }
    }

    /** The stream has ended: reads return what is buffered, then nothing. */
    public void feedEof() {
        TransportIo.checkThread(loop, "StreamReader.feedEof()");
        eof = true;
        wakeup(null);
    }

    /**
     * The stream failed: the next read (after nothing, not after the buffered bytes) raises it.
     *
     * @param exc the failure
     */
    public void setException(Throwable exc) {
        TransportIo.checkThread(loop, "StreamReader.setException()");
        exception = Objects.requireNonNull(exc, "exc is null");
        wakeup(exc);
    }

    /**
     * The failure set by {@link #setException}, or null.
     *
     * @return the failure
     */
    public Throwable exception() {
        return exception;
    }

    private void wakeup(Throwable exc) {
        AsyncFuture<Void> w = waiter;
        if (w != null) {
            waiter = null;
            if (!w.isDone()) {
                if (exc == null) {
                    w.setResult(null);
                } else {
                    w.setException(exc);
                }
            }
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    /**
     * Whether the stream has ended and every byte was read.
     *
     * @return true at end of stream with an empty buffer
     */
    public boolean atEof() {
        return eof && size() == 0;
    }

    /**
     * Up to {@code n} bytes (n &lt; 0: everything until end of stream); an empty array at end
     * of stream. Suspends until at least one byte is there.
     *
     * @param n the most bytes, or -1 for all
     * @return the bytes
     * @throws IOException the stream's failure
     */
    public byte[] read(int n) throws IOException {
        TransportIo.checkThread(loop, "StreamReader.read()");
        rethrow();
        if (n == 0) {
            return new byte[0];
        }
        if (n < 0) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (;;) {
                byte[] block = read(limit);
                if (block.length == 0) {
                    return all.toByteArray();
                }
                all.writeBytes(block);
            }
        }
        if (size() == 0 && !eof) {
            waitForData("read");
        }
        int k = Math.min(n, size());
        byte[] out = take(k);
        maybeResumeTransport();
        return out;
    }

    /**
     * One line, with its {@code \n}; at end of stream, what is left (possibly nothing).
     *
     * @return the line
     * @throws IllegalArgumentException (asyncio's ValueError) if the line is longer than the
     *     limit; the line is dropped
     * @throws IOException the stream's failure
     */
    public byte[] readline() throws IOException {
        TransportIo.checkThread(loop, "StreamReader.readline()");
        try {
            return readuntil(new byte[] {'\n'});
        } catch (IncompleteReadException e) {
            return e.partial();
        } catch (LimitOverrunException e) {
            if (startsWith(new byte[] {'\n'}, e.consumed())) {
                take(e.consumed() + 1);
            } else {
                start = end = 0;
            }
            maybeResumeTransport();
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Bytes up to and including {@code separator}.
     *
     * @param separator at least one byte
     * @return the chunk
     * @throws IncompleteReadException if the stream ends first (with what was there, taken)
     * @throws LimitOverrunException if the chunk would be longer than the limit (nothing taken)
     * @throws IOException the stream's failure
     */
    public byte[] readuntil(byte[] separator) throws IOException {
        Objects.requireNonNull(separator, "separator is null");
        if (separator.length == 0) {
            throw new IllegalArgumentException("Separator should be at least one-byte string");
        }
        return readuntilSorted(new byte[][] {separator});
    }

    /**
     * Bytes up to and including the first of {@code separators} to end: asyncio 3.13's {@code
     * readuntil((sep1, sep2, ...))}. The chunk is the shortest that ends with any of them (so the
     * separators CR LF and LF read a line ended either way); for the limit, the separator that
     * matched counts.
     *
     * @param separators at least one; each at least one byte
     * @return the chunk
     * @throws IncompleteReadException if the stream ends first (with what was there, taken)
     * @throws LimitOverrunException if the chunk would be longer than the limit (nothing taken)
     * @throws IOException the stream's failure
     */
    public byte[] readuntil(List<byte[]> separators) throws IOException {
        TransportIo.checkThread(loop, "StreamReader.readuntil()");
        Objects.requireNonNull(separators, "separators is null");
        List<byte[]> seps = new ArrayList<>(separators);
        if (seps.isEmpty()) {
            throw new IllegalArgumentException("Separator should contain at least one element");
        }
        for (byte[] sep : seps) {
            Objects.requireNonNull(sep, "separators contains null");
        }
        seps.sort(Comparator.comparingInt(sep -> sep.length)); // the shortest wins a tie
        if (seps.get(0).length == 0) {
            throw new IllegalArgumentException("Separator should be at least one-byte string");
        }
        return readuntilSorted(seps.toArray(new byte[0][]));
    }

    /** readuntil with separators sorted by length, none empty. */
    private byte[] readuntilSorted(byte[][] seps) throws IOException {
        int minSeplen = seps[0].length;
        int maxSeplen = seps[seps.length - 1].length;
        rethrow();
        int offset = 0;
        int matchStart = -1;
        int matchEnd = -1;
        for (;;) {
            int buflen = size();
            if (buflen - offset >= minSeplen) {
                for (byte[] sep : seps) {
                    int isep = indexOf(sep, offset);
                    if (isep != -1 && (matchEnd == -1 || isep + sep.length < matchEnd)) {
                        matchStart = isep;
                        matchEnd = isep + sep.length;
                    }
                }
                if (matchEnd != -1) {
                    break;
                }
                // the last maxSeplen - 1 bytes may begin a separator not yet complete
                offset = Math.max(0, buflen + 1 - maxSeplen);
                if (offset > limit) {
                    throw new LimitOverrunException("Separator is not found, and chunk exceed the"
                            + " limit", offset);
                }
            }
            // a chunk that ends with a separator may be there even after the EOF: checked first
            if (eof) {
                byte[] chunk = take(size());
                throw new IncompleteReadException(chunk, null);
            }
            waitForData("readuntil");
            rethrow();
        }
        if (matchStart > limit) {
            throw new LimitOverrunException("Separator is found, but chunk is longer than limit",
                    matchStart);
        }
        byte[] chunk = take(matchEnd);
        maybeResumeTransport();
        return chunk;
    }

    /**
     * Exactly {@code n} bytes.
     *
     * @param n how many, at least 0
     * @return the bytes
     * @throws IncompleteReadException if the stream ends first (with what was there, taken)
     * @throws IOException the stream's failure
     */
    public byte[] readexactly(int n) throws IOException {
        TransportIo.checkThread(loop, "StreamReader.readexactly()");
        if (n < 0) {
            throw new IllegalArgumentException("readexactly size can not be less than zero");
        }
        rethrow();
        if (n == 0) {
            return new byte[0];
        }
        while (size() < n) {
            if (eof) {
                byte[] partial = take(size());
                throw new IncompleteReadException(partial, n);
            }
            waitForData("readexactly");
            rethrow();
        }
        byte[] out = take(n);
        maybeResumeTransport();
        return out;
    }

    private void waitForData(String funcName) throws IOException {
        if (waiter != null) {
            throw new IllegalStateException(funcName + "() called while another coroutine is"
                    + " already waiting for incoming data; read a stream from one task at a time");
        }
        if (eof) {
            throw new IllegalStateException("waitForData after EOF");
        }
        if (paused) {
            paused = false;
            transport.resumeReading();
        }
        AsyncFuture<Void> w = loop.createFuture();
        waiter = w;
        try {
            IoAwait.await(w);
        } finally {
            if (waiter == w) {
                waiter = null; // cancelled: the buffer keeps whatever arrives meanwhile
            }
        }
    }

    private void rethrow() throws IOException {
        Throwable e = exception;
        if (e != null) {
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IOException(e);
        }
    }

    private void maybeResumeTransport() {
        if (paused && size() <= limit) {
            paused = false;
            transport.resumeReading();
        }
    }

    // ---- the buffer ----------------------------------------------------------------------------

    private int size() {
        return end - start;
    }

    private void ensure(int more) {
        if (end + more <= buf.length) {
            return;
        }
        int size = size();
        if (size + more <= buf.length && start > 0) {
            System.arraycopy(buf, start, buf, 0, size);
        } else {
            buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, size + more));
        }
        start = 0;
        end = size;
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        start += n;
        if (start == end) {
            start = end = 0;
        }
        return out;
    }

    private int indexOf(byte[] sep, int from) {
        outer:
        for (int i = start + from; i <= end - sep.length; i++) {
            for (int j = 0; j < sep.length; j++) {
                if (buf[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i - start;
        }
        return -1;
    }

    private boolean startsWith(byte[] sep, int at) {
        if (size() < at + sep.length) {
            return false;
        }
        for (int j = 0; j < sep.length; j++) {
            if (buf[start + at + j] != sep[j]) {
                return false;
            }
        }
        return true;
    }

    // ---- async iteration over lines --------------------------------------------------------------

    @Override
    public AsyncIterator<byte[]> aiter() {
        return new AsyncIterator<>() {
            @Override
            public Awaitable<byte[]> anext() {
                return () -> {
                    byte[] line;
                    try {
                        line = readline();
                    } catch (IOException e) {
                        throw Failures.rethrowable(e); // as thrown: the caller's for-each sees it
                    }
                    if (line.length == 0) {
                        throw new StopAsyncIteration();
                    }
                    return line;
                };
            }
        };
    }

    EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "<StreamReader" + (size() > 0 ? " " + size() + " bytes" : "") + (eof ? " eof" : "")
                + (limit != DEFAULT_LIMIT ? " limit=" + limit : "")
                + (waiter != null ? " waiter=" + waiter : "") + (exception != null
                ? " exception=" + exception : "") + (transport != null ? " transport="
                + transport : "") + (paused ? " paused" : "") + ">";
    }
}
