package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.Context;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.LoopResources;
import io.aiobridge.internal.TransportIo;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A TCP connection driven by the loop's selector: CPython's {@code _SelectorSocketTransport}. It
 * reads whenever the socket is readable (up to 256 KiB at a time, into the loop's one read
 * buffer) and hands the bytes to the protocol; it writes straight to the socket and buffers only
 * what the socket cannot take.
 */
final class SocketTransport implements Transport {
    private final EventLoop loop;
    private final SocketChannel channel;
    private Protocol protocol;
    private final Server server;
    private final ByteBuffer readBuffer;
    private final ArrayDeque<ByteBuffer> writeBuffer = new ArrayDeque<>();
    private final WriteFlow flow;
    private int buffered;
    private boolean closing;
    private boolean eof;
    private boolean paused;
    /** Set once connectionLost has been scheduled. */
    private boolean lost;
    /** Set by close() and abort(): writing after it is a bug, not a lost peer. */
    private boolean closedByUser;
    /** While a sendfile runs: what it waits for (the buffer to empty, the socket to drain). */
    private AsyncFuture<Void> sendfileWaiter;
    private boolean sendfileInProgress;
    /** The addresses, as {@code getExtraInfo} gives them; null if the socket could not say. */
    private final Object peername;
    private final Object sockname;
    /** What the loop does with this transport if it is still open when the loop closes. */
    private final AutoCloseable onLoopClose = this::abort;
    /**
     * The context the protocol's callbacks run in: the one the connection was made in, as
     * uvloop does, whichever context the code that makes a callback happen runs in.
     */
    private final Context protocolContext = Context.copyCurrent();

    SocketTransport(EventLoop loop, SocketChannel channel, Protocol protocol, Server server,
            Runnable whenMade) throws IOException {
        this.loop = loop;
        this.channel = channel;
        // as asyncio: read once, so that they stay known after the socket closes
        this.peername = addressOf(channel, true);
        this.sockname = addressOf(channel, false);
        this.protocol = protocol;
        this.server = server;
        this.flow = new WriteFlow(protocol, loop, this, protocolContext);
        channel.configureBlocking(false);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // as asyncio does
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every socket has it
        }
        this.readBuffer = ReadBuffers.of(loop);
        LoopResources.own(loop, onLoopClose);
        TransportIo.claim(loop, channel, this, this::isClosing);
        if (server != null) {
            server.attach(this);
        }
        // as asyncio: connection_made, then start reading, then tell the waiter, each soon
        loop.callSoon(() -> {
            try {
                protocol.connectionMade(this);
            } catch (VirtualMachineError e) {
                throw e; // the loop stops on it
            } catch (Throwable e) {
                // as asyncio's and uvloop's call_soon(protocol.connection_made): a callback's
                // failure, reported; the transport stays open and is handed out all the same
                loop.callExceptionHandler(new ErrorContext("Exception in callback " + protocol
                        + ".connectionMade(" + this + ")", e, null, null, null));
            }
        }, protocolContext);
        loop.callSoon(() -> {
            if (!closing && !paused) {
                TransportIo.addReader(loop, channel, this::readReady, protocolContext);
            }
        });
        if (whenMade != null) {
            loop.callSoon(whenMade);
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    private void readReady() {
        if (lost) {
            return;
        }
        if (protocol instanceof BufferedProtocol bp) {
            readInto(bp);
            return;
        }
        int n = readOrEnd(readBuffer.clear());
        if (n == 0) {
            return;
        }
        byte[] data = new byte[n];
        readBuffer.flip().get(data);
        try {
            protocol.dataReceived(data);
        } catch (Throwable e) {
            fatalError(e, "Fatal error: protocol.dataReceived() call failed.");
        }
    }

    /** asyncio's {@code _read_ready__get_buffer}: the socket is read into the protocol's buffer. */
    private void readInto(BufferedProtocol bp) {
        ByteBuffer buf;
        try {
            buf = lent(bp.getBuffer(-1));
        } catch (Throwable e) {
            fatalError(e, "Fatal error: protocol.get_buffer() call failed.");
            return;
        }
        int n = readOrEnd(buf);
        if (n == 0) {
            return;
        }
        try {
            bp.bufferUpdated(n);
        } catch (Throwable e) {
            fatalError(e, "Fatal error: protocol.buffer_updated() call failed.");
        }
    }

    /**
     * Reads what the socket has into {@code buf}.
     *
     * @return how many bytes; 0 also after a read error or the end of the stream, both of which
     *     it has handled (a fatal error; eofReceived)
     */
    private int readOrEnd(ByteBuffer buf) {
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            fatalError(e, "Fatal read error on socket transport");
            return 0;
        }
        if (n < 0) {
            readEof();
            return 0;
        }
        return n;
    }

    /**
     * A buffer that {@link BufferedProtocol#getBuffer} returned, if it can take bytes.
     *
     * @throws IllegalStateException if it is null, full or read-only (asyncio's message first)
     */
    static ByteBuffer lent(ByteBuffer buf) {
        if (buf == null || !buf.hasRemaining()) {
            throw new IllegalStateException("get_buffer() returned an empty buffer (" + buf
                    + "); return a writable buffer with at least one byte remaining");
        }
        if (buf.isReadOnly()) {
            throw new IllegalStateException("get_buffer() returned a read-only buffer (" + buf
                    + "); return a writable one");
        }
        return buf;
    }

    private void readEof() {
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (Throwable e) {
            fatalError(e, "Fatal error: protocol.eofReceived() call failed.");
            return;
        }
        if (keepOpen) {
            // half-closed: stop reading, keep writing
            TransportIo.removeReader(loop, channel);
        } else {
            close();
        }
    }

    @Override
    public void pauseReading() {
        TransportIo.checkThread(loop, "Transport.pauseReading()");
        if (closing || paused) {
            return;
        }
        paused = true;
        TransportIo.removeReader(loop, channel);
    }

    @Override
    public void resumeReading() {
        TransportIo.checkThread(loop, "Transport.resumeReading()");
        if (closing || !paused) {
            return;
        }
        paused = false;
        TransportIo.addReader(loop, channel, this::readReady, protocolContext);
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    // ---- writing -------------------------------------------------------------------------------

    @Override
    public void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    /** Sends straight from {@code data} (no copy unless the socket cannot take it all now). */
    @Override
    public void write(ByteBuffer data) {
        TransportIo.checkThread(loop, "Transport.write()");
        Objects.requireNonNull(data, "data is null");
        if (eof) {
            throw new IllegalStateException("Cannot call write() after write_eof(); the"
                    + " transport's writing side is closed: " + this);
        }
        if (closedByUser) {
            throw new IllegalStateException("write() called on a closing transport: " + this
                    + ": write everything before close()");
        }
        if (sendfileInProgress) {
            throw new IllegalStateException("unable to write; sendfile is in progress on " + this
                    + ": write after Net.sendfile returns");
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (lost) {
            data.position(data.limit()); // as asyncio: the connection is gone; drain() reports it
            return;
        }
        if (writeBuffer.isEmpty()) {
            try {
                channel.write(data);
            } catch (IOException e) {
                data.position(data.limit());
                fatalError(e, "Fatal write error on socket transport");
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            // the socket is full: watch for writability
            TransportIo.addWriter(loop, channel, this::writeReady, protocolContext);
        }
        // buffer a private copy of the rest: the caller may reuse its array or buffer at once
        byte[] rest = new byte[data.remaining()];
        data.get(rest);
        ByteBuffer bb = ByteBuffer.wrap(rest);
        writeBuffer.addLast(bb);
        buffered += bb.remaining();
        flow.afterGrow(buffered);
    }

    private void writeReady() {
        if (lost) {
            return;
        }
        try {
            ByteBuffer[] chunks = writeBuffer.toArray(new ByteBuffer[0]);
            long n = channel.write(chunks);
            buffered -= (int) n;
            while (!writeBuffer.isEmpty() && !writeBuffer.peekFirst().hasRemaining()) {
                writeBuffer.pollFirst();
            }
        } catch (IOException e) {
            TransportIo.removeWriter(loop, channel);
            writeBuffer.clear();
            buffered = 0;
            fatalError(e, "Fatal write error on socket transport");
            return;
        }
        flow.afterShrink(buffered);
        if (writeBuffer.isEmpty()) {
            TransportIo.removeWriter(loop, channel);
            wakeSendfile(null);
            if (closing) {
                scheduleConnectionLost(null);
            } else if (eof) {
                shutdownOutput();
            }
        }
    }

    // ---- sendfile ------------------------------------------------------------------------------

    /**
     * asyncio's {@code _sendfile_native}: waits for the write buffer to empty, then has the
     * kernel copy the file to the socket ({@link FileChannel#transferTo}, sendfile(2) on Linux),
     * waiting for writability whenever the socket is full. Reading pauses meanwhile and
     * {@link #write} is refused.
     *
     * @param count how many bytes, or -1 for up to the end of the file
     * @return how many bytes were sent (fewer than {@code count} only at the end of the file)
     */
    long sendfile(FileChannel file, long offset, long count) throws IOException {
        if (Aio.runningLoopOrNull() != loop) {
            // checked before any state changes, so a refused call leaves the transport as it was
            throw new WrongThreadException("Net.sendfile() was called from thread '"
                    + Thread.currentThread().getName() + "', which does not run " + loop
                    + ", the loop of " + this + ": call it from a task of that loop (from another"
                    + " thread, through Aio.runCoroutineThreadsafe())");
        }
        if (sendfileInProgress) {
            throw new IllegalStateException("sendfile is already in progress on " + this
                    + "; await the first one before starting another");
        }
        boolean resumeReading = isReading();
        long sent = 0;
        sendfileInProgress = true;
        try {
            pauseReading();
            if (!writeBuffer.isEmpty()) {
                awaitSendfile(); // woken by writeReady once the buffer is empty
            }
            long end = count < 0 ? Long.MAX_VALUE : offset + count;
            while (offset + sent < end) {
                if (lost) {
                    throw new ConnectionResetException("Connection is closed by peer");
                }
                long n;
                try {
                    n = file.transferTo(offset + sent, end - offset - sent, channel);
                } catch (IOException e) {
                    fatalError(e, "Fatal write error on socket transport");
                    throw e;
                }
                if (n > 0) {
                    sent += n;
                } else if (offset + sent >= file.size()) {
                    break; // the end of the file
                } else {
                    TransportIo.addWriter(loop, channel, () -> wakeSendfile(null), protocolContext);
                    try {
                        awaitSendfile();
                    } finally {
                        if (!lost) {
                            TransportIo.removeWriter(loop, channel);
                        }
                    }
                }
            }
            return sent;
        } finally {
            sendfileInProgress = false;
            sendfileWaiter = null;
            if (resumeReading) {
                resumeReading(); // does nothing once the transport is closing
            }
            file.position(offset + sent); // as asyncio: the file's offset follows what was sent
        }
    }

    boolean writingPaused() {
        return flow.paused();
    }

    private void awaitSendfile() throws IOException {
        sendfileWaiter = loop.createFuture();
        IoAwait.await(sendfileWaiter);
    }

    private void wakeSendfile(Throwable failure) {
        AsyncFuture<Void> w = sendfileWaiter;
        if (w == null || w.isDone()) {
            return;
        }
        if (failure == null) {
            w.setResult(null);
        } else {
            w.setException(failure);
        }
    }

    @Override
    public void writeEof() {
        TransportIo.checkThread(loop, "Transport.writeEof()");
        if (closing || eof) {
            return;
        }
        eof = true;
        if (writeBuffer.isEmpty()) {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            fatalError(e, "Fatal error on shutting down the socket's writing side");
        }
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    public void setWriteBufferLimits(Integer high, Integer low) {
        TransportIo.checkThread(loop, "Transport.setWriteBufferLimits()");
        flow.setLimits(high, low);
        flow.afterGrow(buffered);
    }

    @Override
    public WriteBufferLimits getWriteBufferLimits() {
        return flow.limits();
    }

    @Override
    public int getWriteBufferSize() {
        return buffered;
    }

    // ---- closing -------------------------------------------------------------------------------

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void close() {
        TransportIo.checkThread(loop, "Transport.close()");
        closedByUser = true;
        if (closing) {
            return;
        }
        closing = true;
        TransportIo.removeReader(loop, channel);
        if (writeBuffer.isEmpty()) {
            scheduleConnectionLost(null);
        }
    }

    @Override
    public void abort() {
        TransportIo.checkThread(loop, "Transport.abort()");
        closedByUser = true;
        forceClose(null);
    }

    /**
     * Drops what is buffered and ends the connection now, handing {@code exc} to the
     * protocol's {@code connectionLost} (asyncio's {@code _force_close}).
     */
    void forceClose(Throwable exc) {
        if (lost) {
            return;
        }
        if (!writeBuffer.isEmpty()) {
            writeBuffer.clear();
            buffered = 0;
            TransportIo.removeWriter(loop, channel);
        }
        if (!closing) {
            closing = true;
            TransportIo.removeReader(loop, channel);
        }
        scheduleConnectionLost(exc);
    }

    /**
     * As asyncio's {@code _fatal_error}: an OS error (a reset, a broken pipe) ends the connection
     * quietly (the protocol gets it in connectionLost); anything else also goes to the loop's
     * exception handler.
     */
    private void fatalError(Throwable exc, String message) {
        if (!(exc instanceof IOException io)) {
            loop.callExceptionHandler(new ErrorContext(message + " (transport " + this + ")", exc,
                    null, null, null));
            forceClose(exc);
            return;
        }
        forceClose(asAsyncio(io));
    }

    private void scheduleConnectionLost(Throwable exc) {
        if (lost) {
            return;
        }
        lost = true;
        wakeSendfile(new ConnectionResetException("Connection is closed by peer"));
        loop.callSoon(() -> {
            try {
                protocol.connectionLost(exc);
            } finally {
                closeChannel();
            }
        }, protocolContext);
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket that failed: nothing more to learn
        }
        LoopResources.disown(loop, onLoopClose);
        TransportIo.release(loop, channel);
        if (server != null) {
            server.detach(this);
        }
    }

    // ---- information ---------------------------------------------------------------------------

    /** The context the protocol's callbacks run in. */
    Context protocolContext() {
        return protocolContext;
    }

    private static Object addressOf(SocketChannel channel, boolean remote) {
        try {
            return pyName(remote ? channel.getRemoteAddress() : channel.getLocalAddress());
        } catch (IOException e) {
            return null; // asyncio's None when getpeername() fails
        }
    }

    @Override
    public Object getExtraInfo(String name) {
        return switch (name) {
            case "peername" -> peername;
            case "sockname" -> sockname;
            case "socket" -> channel;
            default -> null;
        };
    }

    /** A Unix socket's address as asyncio gives it: its path, or "" for an unnamed end. */
    private static Object pyName(SocketAddress address) {
        return address instanceof UnixDomainSocketAddress u ? u.getPath().toString() : address;
    }

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    @Override
    public void setProtocol(Protocol protocol) {
        TransportIo.checkThread(loop, "Transport.setProtocol()");
        this.protocol = Objects.requireNonNull(protocol, "protocol is null");
        flow.setProtocol(protocol);
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        Object peer = getExtraInfo("peername");
        return "<SocketTransport " + (lost ? "closed" : closing ? "closing" : "open")
                + (peer != null && !"".equals(peer) ? " peer=" + peer : "") + " buffered=" + buffered + ">";
    }

    /** A connection reset, as asyncio's {@code ConnectionResetError}. */
    static SocketException connectionLost() {
        return new ConnectionResetException("Connection lost");
    }

    /**
     * The JDK's report of a reset ({@code SocketException: Connection reset} from a read, {@code
     * IOException: Connection reset by peer} from a write) as asyncio's {@code
     * ConnectionResetError}, a {@link ConnectionResetException} whose cause is the JDK's; a
     * broken pipe with asyncio's {@code BrokenPipeError} text, "[Errno 32] Broken pipe"; any other
     * I/O error as it is.
     */
    static IOException asAsyncio(IOException e) {
        String m = e.getMessage();
        if (m != null && m.equals("Broken pipe") && !(e instanceof ConnectionResetException)) {
            return new IOException("[Errno 32] Broken pipe; the peer closed the connection"
                    + " before reading what was written", e);
        }
        if (e instanceof ConnectionResetException || m == null
                || !(m.equals("Connection reset") || m.startsWith("Connection reset by peer"))) {
            return e;
        }
        ConnectionResetException reset = new ConnectionResetException(
                "Connection reset by peer");
        reset.initCause(e);
        return reset;
    }
}
