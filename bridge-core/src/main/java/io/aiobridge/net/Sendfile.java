package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.SendfileRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * {@link Net#sendfile}: the kernel's copy on socket transports; elsewhere (TLS, pipes) asyncio's
 * fallback, which reads the file in chunks off the loop and writes them, waiting while the
 * transport's buffer is over its high-water mark.
 */
final class Sendfile {
    private static final int CHUNK = 256 * 1024;

    private Sendfile() {}

    static long send(Transport transport, FileChannel file, long offset, Long count,
            boolean fallback) throws IOException {
        SendfileRange.check(offset, count);
        if (transport.isClosing()) {
            throw new IllegalStateException("Transport is closing: " + transport);
        }
        if (transport instanceof SocketTransport st) {
            return st.sendfile(file, offset, count == null ? -1 : count);
        }
        if (!fallback) {
            throw new UnsupportedOperationException("fallback is disabled and native sendfile is"
                    + " not supported for transport " + transport + "; pass fallback=true to"
                    + " send the file with write()");
        }
        return viaWrites(transport, file, offset, count);
    }

    /** asyncio's {@code _sendfile_fallback}. */
    private static long viaWrites(Transport transport, FileChannel file, long offset, Long count)
            throws IOException {
        Swapped proto = new Swapped(Aio.getRunningLoop(), transport);
        long sent = 0;
        try {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK,
                    count == null ? CHUNK : count));
            while (count == null || sent < count) {
                buf.clear();
                if (count != null) {
                    buf.limit((int) Math.min(buf.capacity(), count - sent));
                }
                long at = offset + sent;
                // a file read may block: off the loop, as asyncio reads in the default executor
                int n = Aio.toThread(() -> file.read(buf, at));
                if (n <= 0) {
                    break;
                }
                proto.drain();
                transport.write(buf.flip());
                sent += n;
            }
            proto.drain();
            return sent;
        } finally {
            proto.restore();
            file.position(offset + sent);
        }
    }

    /** Whether {@code t}'s protocol was told to pause writing and not yet to resume. */
    static boolean writingPaused(Transport t) {
        if (t instanceof SocketTransport s) {
            return s.writingPaused();
        }
        if (t instanceof SslProtocol.AppTransport a) {
            return a.writingPaused();
        }
        if (t instanceof PipeTransport.Writing w) {
            return w.writingPaused();
        }
        return false;
    }

    /**
     * asyncio's {@code _SendfileFallbackProtocol}: stands in for the transport's protocol while
     * the file is written, so that its pause and resume make {@link #drain()} wait; reading is
     * paused meanwhile.
     */
    private static final class Swapped implements Protocol {
        private final EventLoop loop;
        private final Transport transport;
        private final Protocol original;
        private final boolean resumeReading;
        private final boolean pausedBefore;
        private AsyncFuture<Void> writeReady;

        Swapped(EventLoop loop, Transport transport) {
            this.loop = loop;
            this.transport = transport;
            this.original = transport.getProtocol();
            this.resumeReading = transport.isReading();
            if (resumeReading) {
                transport.pauseReading(); // a write pipe has no reading side to pause
            }
            this.pausedBefore = writingPaused(transport);
            if (pausedBefore) {
                writeReady = loop.createFuture();
            }
            transport.setProtocol(this);
        }

        void drain() throws IOException {
            if (transport.isClosing()) {
                throw new ConnectionResetException("Connection closed by peer");
            }
            if (writeReady != null) {
                IoAwait.await(writeReady);
            }
        }

        @Override
        public void pauseWriting() {
            if (writeReady == null || writeReady.isDone()) {
                writeReady = loop.createFuture();
            }
        }

        @Override
        public void resumeWriting() {
            if (writeReady != null && !writeReady.isDone()) {
                writeReady.setResult(null);
            }
            writeReady = null;
        }

        @Override
        public void dataReceived(byte[] data) {
            throw new IllegalStateException("Invalid state: reading should be paused");
        }

        @Override
        public boolean eofReceived() {
            throw new IllegalStateException("Invalid state: reading should be paused");
        }

        @Override
        public void connectionLost(Throwable exc) {
            if (writeReady != null && !writeReady.isDone()) {
                writeReady.setException(exc != null ? exc
                        : new ConnectionResetException("Connection is closed by peer"));
            }
            original.connectionLost(exc);
        }

        /** Gives the transport back to its protocol, telling it of a pause that changed. */
        void restore() {
            transport.setProtocol(original);
            if (resumeReading && !transport.isClosing()) {
                transport.resumeReading();
            }
            if (writeReady != null && !writeReady.isDone()) {
                writeReady.cancel();
            }
            boolean pausedNow = writingPaused(transport);
            if (pausedBefore && !pausedNow) {
                original.resumeWriting();
            } else if (!pausedBefore && pausedNow) {
                original.pauseWriting();
            }
        }
    }
}
