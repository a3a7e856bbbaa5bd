package io.aiobridge.net;

import io.aiobridge.Context;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.LoopResources;
import io.aiobridge.internal.TaskThreads;
import io.aiobridge.internal.TransportIo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a process pipe. The JDK's process pipes are blocking streams that no selector can
 * watch, so each has a virtual thread of its own (as CPython's proactor loop does on Windows): a
 * reading end's thread reads chunks and posts them to the loop in order; a writing end's thread
 * writes what the loop queued. The protocol's callbacks run on the loop, like a socket's.
 */
abstract class PipeTransport implements Transport {
    static final int CHUNK = 64 * 1024;

    final EventLoop loop;
    /** Read and changed on the loop only. */
    Protocol protocol;
    final String name;
    volatile boolean closing;
    boolean lost;
    private AutoCloseable owner;
    /**
     * The context the protocol's callbacks run in: the creator's, as uvloop; the pipe's thread
     * posts its events into it (posted from a thread of its own, they would see none).
     */
    final Context protocolContext = Context.copyCurrent();

    PipeTransport(EventLoop loop, Protocol protocol, String name) {
        this.loop = loop;
        this.protocol = protocol;
        this.name = name;
    }

    /** Posts {@code r} to the loop; false if the loop has closed (the pipe is then moot). */
    boolean post(Runnable r) {
        try {
            loop.callSoonThreadsafe(() -> TransportIo.runIn(protocolContext, r));
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    /**
     * A pipe the caller handed in ({@link Net#connectReadPipe}): the loop aborts it when the loop
     * closes, so its thread ends with its owner.
     */
    void ownedByLoop() {
        owner = this::abort;
        LoopResources.own(loop, owner);
    }

    void lose(Throwable exc) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        if (owner != null) {
            LoopResources.disown(loop, owner);
        }
        protocol.connectionLost(exc);
    }

    /** The stream this end reads or writes. */
    abstract Object pipe();

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public Object getExtraInfo(String key) {
        return "pipe".equals(key) ? pipe() : null;
    }

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    @Override
    public void setProtocol(Protocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol is null");
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " " + name + (lost ? " closed" : closing
                ? " closing" : "") + ">";
    }

    // ---- a process's stdout or stderr --------------------------------------------------------

    /** Reads a process's output on a virtual thread and feeds the protocol on the loop. */
    static final class Reading extends PipeTransport {
        private final InputStream in;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition resumed = lock.newCondition();
        private boolean paused; // guarded by lock
        private final Thread thread;

        Reading(EventLoop loop, Protocol protocol, InputStream in, String name) {
            super(loop, protocol, name);
            this.in = in;
            loop.callSoon(() -> protocol.connectionMade(this), protocolContext);
            this.thread = TaskThreads.offLoop().name("aiobridge-pipe " + name).unstarted(this::pump);
            loop.callSoon(thread::start); // after connectionMade, as a socket starts reading
        }

        private void pump() {
            byte[] chunk = new byte[CHUNK];
            try {
                for (;;) {
                    awaitResumed();
                    int n = in.read(chunk);
                    if (n < 0) {
                        post(() -> {
                            if (!lost) {
                                protocol.eofReceived();
                                lose(null);
                            }
                        });
                        return;
                    }
                    byte[] data = Arrays.copyOf(chunk, n);
                    if (!post(() -> {
                        if (!lost && !closing) { // nothing is delivered after close()
                            protocol.dataReceived(data);
                        }
                    })) {
                        return;
                    }
                }
            } catch (IOException e) {
                post(() -> lose(closing ? null : e)); // closed by us: a normal end
            } catch (InterruptedException e) {
                post(() -> lose(null));
            } finally {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // nothing more to read either way
                }
            }
        }

        private void awaitResumed() throws InterruptedException {
            lock.lock();
            try {
                while (paused && !closing) {
                    resumed.await();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        Object pipe() {
            return in;
        }

        @Override
        public void pauseReading() {
            TransportIo.checkThread(loop, "Transport.pauseReading()");
            lock.lock();
            try {
                paused = true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void resumeReading() {
            TransportIo.checkThread(loop, "Transport.resumeReading()");
            lock.lock();
            try {
                paused = false;
                resumed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isReading() {
            lock.lock();
            try {
                return !paused && !closing;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            TransportIo.checkThread(loop, "Transport.close()");
            if (closing) {
                return;
            }
            lock.lock();
            try {
                closing = true;
                resumed.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                in.close(); // unblocks a selectable channel's stream; see below for the rest
            } catch (IOException ignored) {
                // closing a pipe we no longer read
            }
            // As asyncio: the protocol hears of the close in the next turn. A read the thread is
            // blocked in on a process pipe does not end at close (the JDK cannot interrupt it):
            // it takes the next chunk the writer sends, which is then dropped, and only then
            // does the writer see the broken pipe.
            post(() -> lose(null));
        }

        @Override
        public void abort() {
            TransportIo.checkThread(loop, "Transport.abort()");
            close();
        }

        @Override
        public void write(byte[] data) {
            TransportIo.checkThread(loop, "Transport.write()");
            throw new UnsupportedOperationException("a read pipe cannot be written: " + this);
        }

        @Override
        public void writeEof() {
            TransportIo.checkThread(loop, "Transport.writeEof()");
            throw new UnsupportedOperationException("a read pipe has no writing side: " + this);
        }

        @Override
        public boolean canWriteEof() {
            return false;
        }

        @Override
        public void setWriteBufferLimits(Integer high, Integer low) {
            TransportIo.checkThread(loop, "Transport.setWriteBufferLimits()");
            throw new UnsupportedOperationException("a read pipe has no write buffer: " + this);
        }

        @Override
        public WriteBufferLimits getWriteBufferLimits() {
            throw new UnsupportedOperationException("a read pipe has no write buffer: " + this);
        }

        @Override
        public int getWriteBufferSize() {
            return 0;
        }
    }

    // ---- a process's stdin -----------------------------------------------------------------------

    /**
     * Writes to a process's stdin on a virtual thread. {@link #write} queues; the thread writes in
     * order and reports each chunk done to the loop, which keeps the buffer size for flow control.
     */
    static final class Writing extends PipeTransport {
        private final OutputStream out;
        private final WriteFlow flow;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition more = lock.newCondition();
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>(); // guarded by lock
        private boolean endQueued; // guarded by lock
        /** Loop-confined: bytes queued or being written. */
        private int buffered;
        private boolean eof;

        Writing(EventLoop loop, Protocol protocol, OutputStream out, String name) {
            super(loop, protocol, name);
            this.out = out;
            this.flow = new WriteFlow(protocol, loop, this, protocolContext);
            loop.callSoon(() -> protocol.connectionMade(this), protocolContext);
            TaskThreads.offLoop().name("aiobridge-pipe " + name).start(this::pump);
        }

        @Override
        public void setProtocol(Protocol protocol) {
            super.setProtocol(protocol);
            flow.setProtocol(protocol);
        }

        @Override
        Object pipe() {
            return out;
        }

        boolean writingPaused() {
            return flow.paused();
        }

        private void pump() {
            try {
                for (;;) {
                    byte[] next;
                    lock.lock();
                    try {
                        while (queue.isEmpty() && !endQueued) {
                            more.await();
                        }
                        next = queue.pollFirst();
                        if (next == null) {
                            break; // the end, after everything queued
                        }
                    } finally {
                        lock.unlock();
                    }
                    out.write(next);
                    out.flush();
                    int n = next.length;
                    post(() -> written(n));
                }
                out.close();
                post(() -> lose(null));
            } catch (IOException e) {
                closeQuietly();
                IOException broken = brokenPipe(e);
                post(() -> lose(broken)); // the process has gone
            } catch (InterruptedException e) {
                closeQuietly();
                post(() -> lose(null));
            }
        }

        /**
         * asyncio's {@code BrokenPipeError} text for a write the process can no longer take: the
         * JDK says "Broken pipe" when the write meets the closed pipe, and "Stream closed" when
         * its reaper closed our end first, at the process's exit. The JDK's is the cause.
         */
        private IOException brokenPipe(IOException e) {
            return new IOException("[Errno 32] Broken pipe; " + name + " has ended or closed"
                    + " its input, so the data written to it was not read", e);
        }

        private void closeQuietly() {
            try {
                out.close();
            } catch (IOException ignored) {
                // already broken
            }
        }

        private void written(int n) {
            buffered -= n;
            flow.afterShrink(buffered);
        }

        @Override
        public void write(byte[] data) {
            TransportIo.checkThread(loop, "Transport.write()");
            if (lost) {
                return; // as asyncio: the process has gone; drain() reports it
            }
            if (eof || closing) {
                throw new IllegalStateException("write() on a closed pipe: " + this
                        + ": write everything before close() or writeEof()");
            }
            if (data.length == 0) {
                return;
            }
            byte[] copy = data.clone();
            buffered += copy.length;
            lock.lock();
            try {
                queue.addLast(copy);
                more.signal();
            } finally {
                lock.unlock();
            }
            flow.afterGrow(buffered);
        }

        /**
         * The process has exited, and the JDK has closed its stdin: the pipe ends now, as
         * asyncio's write pipe ends when its reader goes, with a broken pipe if data was still
         * waiting to be written.
         */
        void processExited() {
            if (lost) {
                return;
            }
            lock.lock();
            try {
                queue.clear();
                endQueued = true;
                more.signal();
            } finally {
                lock.unlock();
            }
            lose(buffered > 0 ? brokenPipe(null) : null);
        }

        private void end() {
            lock.lock();
            try {
                endQueued = true;
                more.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void writeEof() {
            TransportIo.checkThread(loop, "Transport.writeEof()");
            if (eof || closing) {
                return;
            }
            eof = true;
            end();
        }

        @Override
        public boolean canWriteEof() {
            return true;
        }

        @Override
        public void close() {
            TransportIo.checkThread(loop, "Transport.close()");
            if (closing) {
                return;
            }
            closing = true;
            end(); // after the queued data, the pipe closes: the process sees end of input
        }

        @Override
        public void abort() {
            TransportIo.checkThread(loop, "Transport.abort()");
            lock.lock();
            try {
                queue.clear();
            } finally {
                lock.unlock();
            }
            buffered = 0;
            close();
        }

        @Override
        public void pauseReading() {
            TransportIo.checkThread(loop, "Transport.pauseReading()");
            throw new UnsupportedOperationException("a write pipe does not read: " + this);
        }

        @Override
        public void resumeReading() {
            TransportIo.checkThread(loop, "Transport.resumeReading()");
            throw new UnsupportedOperationException("a write pipe does not read: " + this);
        }

        @Override
        public boolean isReading() {
            return false;
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
    }
}
