package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The protocol between a transport and a {@link StreamReader}/{@link StreamWriter} pair (either
 * may be absent: a process's stdin has only a writer, its stdout only a reader):
 * asyncio's {@code StreamReaderProtocol} with its flow-control mixin. On a server it starts the
 * connection's handler as a task of its own; a handler that fails closes its connection and its
 * error goes to the loop's exception handler.
 *
 * <p>Public for asyncio's idiom of reading a pipe (or any transport) as a stream:
 *
 * <pre>{@code
 * StreamReader reader = new StreamReader(loop);
 * Net.connectReadPipe(() -> new StreamReaderProtocol(reader), pipe);
 * byte[] all = reader.read(-1);
 * }</pre>
 */
public final class StreamReaderProtocol implements Protocol {
    private final EventLoop loop;
    private final StreamReader reader;
    private final Streams.Handler handler;
    private final AsyncFuture<Void> closed;
    private final List<AsyncFuture<Void>> drainWaiters = new ArrayList<>();
    private Transport transport;
    private StreamWriter writer;
    private boolean paused;
    private boolean connectionLost;
    private Task<Void> task;

    /**
     * asyncio's {@code StreamReaderProtocol(reader)}: what its transport receives feeds {@code
     * reader}, whose buffer limit pauses the transport's reading.
     *
     * @param reader the reader to feed
     */
    public StreamReaderProtocol(StreamReader reader) {
        this(Objects.requireNonNull(reader, "reader is null").loop(), reader, null);
    }

    StreamReaderProtocol(EventLoop loop, StreamReader reader, Streams.Handler handler) {
        this.loop = loop;
        this.reader = reader;
        this.handler = handler;
        this.closed = loop.createFuture();
    }

    StreamReader reader() {
        return reader;
    }

    @Override
    public void connectionMade(Transport t) {
        this.transport = t;
        if (reader != null) {
            reader.setTransport(t);
        }
        if (handler != null) {
            writer = writerFor(t);
            task = loop.createTask(() -> {
                handler.handle(reader, writer);
                return null;
            }, "stream handler for " + t.getExtraInfo("peername"), null);
            task.addDoneCallback(f -> {
                if (!f.isCancelled() && f.exception() != null) {
                    loop.callExceptionHandler(new ErrorContext("Unhandled exception in"
                            + " client_connected_cb (transport " + t + ")", f.exception(), f,
                            null, null));
                    t.close();
                }
            });
        }
    }

    @Override
    public void connectionLost(Throwable exc) {
        if (reader != null) {
            if (exc == null) {
                reader.feedEof();
            } else {
                reader.setException(exc);
            }
        }
        if (!closed.isDone()) {
            if (exc == null) {
                closed.setResult(null);
            } else {
                closed.setException(exc);
                closed.exception(); // retrieved: waitClosed() may never be called
            }
        }
        connectionLost = true;
        // as asyncio's flow control: wake the drains, which then raise
        for (AsyncFuture<Void> w : List.copyOf(drainWaiters)) {
            if (!w.isDone()) {
                w.setException(exc != null ? exc : SocketTransport.connectionLost());
                w.exception();
            }
        }
        drainWaiters.clear();
        transport = null;
    }

    @Override
    public void dataReceived(byte[] data) {
        reader.feedData(data);
    }

    @Override
    public boolean eofReceived() {
        if (reader != null) {
            reader.feedEof();
        }
        return true; // keep the writing side open: the handler may still answer
    }

    @Override
    public void pauseWriting() {
        paused = true;
    }

    @Override
    public void resumeWriting() {
        paused = false;
        for (AsyncFuture<Void> w : List.copyOf(drainWaiters)) {
            if (!w.isDone()) {
                w.setResult(null);
            }
        }
        drainWaiters.clear();
    }

    /** Suspends while the transport's buffer is over its high-water mark. */
    void drainHelper() throws IOException {
        if (connectionLost) {
            throw SocketTransport.connectionLost();
        }
        if (!paused) {
            return;
        }
        AsyncFuture<Void> w = loop.createFuture();
        drainWaiters.add(w);
        try {
            IoAwait.await(w);
        } finally {
            drainWaiters.remove(w);
        }
    }

    /** The writer of a client's connection, or of the server's handler. */
    StreamWriter writerFor(Transport t) {
        return new StreamWriter(t, this, reader, loop);
    }

    /** Whether this is a server's connection (TLS upgrades then take the server's side). */
    boolean serverSide() {
        return handler != null;
    }

    /**
     * After startTls: the TLS transport replaces the TCP one. The reader keeps the TCP
     * transport, which pauses and resumes the same socket.
     */
    void replaceTransport(Transport t) {
        transport = t;
    }

    AsyncFuture<Void> closed() {
        return closed;
    }
}
