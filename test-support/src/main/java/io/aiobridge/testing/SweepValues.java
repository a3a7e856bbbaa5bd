package io.aiobridge.testing;

import io.aiobridge.Aio;
import io.aiobridge.AsyncExitStack;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.AsyncIterator;
import io.aiobridge.Context;
import io.aiobridge.ContextVar;
import io.aiobridge.ErrorContext;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.ExceptionGroup;
import io.aiobridge.Handle;
import io.aiobridge.LoopBound;
import io.aiobridge.Task;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.iter.Itertools;
import io.aiobridge.net.ConnectOptions;
import io.aiobridge.net.ServerOptions;
import io.aiobridge.net.StreamReader;
import io.aiobridge.net.Subprocess;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.sync.AsyncCondition;
import io.aiobridge.sync.AsyncEvent;
import io.aiobridge.sync.AsyncLock;
import io.aiobridge.sync.AsyncSemaphore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Ordinary values of bridge-core's types for {@link BadArguments}, made in the sweep's task (a
 * done future, an empty publisher, an unconnected socket, an idle loop group). Closing it closes
 * the channels and files it opened and the group it started. A module with types of its own
 * answers those first and asks this for the rest.
 */
public final class SweepValues implements Function<Class<?>, Object>, AutoCloseable {
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    private final Supplier<EventLoopGroup> group = new Supplier<>() {
        private EventLoopGroup made;

        @Override
        public synchronized EventLoopGroup get() {
            if (made == null) {
                made = opened(EventLoopGroup.create(1));
            }
            return made;
        }
    };

    /** Values made on demand. */
    public SweepValues() {}

    @Override
    public Object apply(Class<?> type) {
        try {
            return make(type);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a " + type, e);
        }
    }

    private Object make(Class<?> type) throws Exception {
        EventLoop loop = Aio.getRunningLoop();
        if (type == EventLoop.class) {
            return loop;
        }
        if (type == AsyncFuture.class) {
            AsyncFuture<Object> done = loop.createFuture();
            done.setResult("done");
            return done;
        }
        if (type == Task.class) {
            return loop.createTask(() -> null);
        }
        if (type == AsyncIterable.class || type == AsyncIterator.class) {
            AsyncIterable<Object> empty = Itertools.fromIterable(List.of());
            return type == AsyncIterable.class ? empty : empty.aiter();
        }
        if (type == AsyncGenerator.class) {
            return AsyncGenerator.of(y -> { });
        }
        if (type == AsyncPublisher.class || type == org.reactivestreams.Publisher.class) {
            return AsyncPublisher.fromGenerator(y -> { });
        }
        if (type == Flow.Publisher.class) {
            return AsyncPublisher.fromGenerator(y -> { }).toFlow();
        }
        if (type == ContextVar.class) {
            return new ContextVar<>("sweep");
        }
        if (type == Context.class) {
            return Context.copyCurrent();
        }
        if (type == AsyncQueue.class) {
            return new AsyncQueue<>();
        }
        if (type == AsyncLock.class) {
            return new AsyncLock();
        }
        if (type == AsyncEvent.class) {
            return new AsyncEvent();
        }
        if (type == AsyncSemaphore.class) {
            return new AsyncSemaphore();
        }
        if (type == AsyncCondition.class) {
            return new AsyncCondition();
        }
        if (type == AsyncExitStack.class) {
            return new AsyncExitStack();
        }
        if (type == ErrorContext.class) {
            return ErrorContext.of("sweep", null);
        }
        if (type == ByteBuffer.class) {
            return ByteBuffer.allocate(1);
        }
        if (type == SocketAddress.class || type == InetSocketAddress.class) {
            return new InetSocketAddress("127.0.0.1", 9);
        }
        if (type == SSLContext.class) {
            return SSLContext.getDefault();
        }
        if (type == SocketChannel.class || type == SelectableChannel.class) {
            return opened(SocketChannel.open());
        }
        if (type == DatagramChannel.class) {
            return opened(DatagramChannel.open());
        }
        if (type == ServerSocketChannel.class) {
            return opened(ServerSocketChannel.open());
        }
        if (type == FileChannel.class) {
            Path file = Files.createTempFile("null-sweep", ".txt");
            file.toFile().deleteOnExit();
            return opened(FileChannel.open(file));
        }
        if (type == InputStream.class) {
            return new ByteArrayInputStream(new byte[0]);
        }
        if (type == OutputStream.class) {
            return new ByteArrayOutputStream();
        }
        if (type == ConnectOptions.class) {
            return ConnectOptions.defaults();
        }
        if (type == ServerOptions.class) {
            return ServerOptions.defaults();
        }
        if (type == StreamReader.class) {
            StreamReader reader = new StreamReader(loop);
            reader.feedEof(); // so that reading to the end returns
            return reader;
        }
        if (type == Subprocess.Spec.class) {
            return Subprocess.exec("true");
        }
        if (type == ExceptionGroup.class) {
            return new ExceptionGroup("sweep", List.of(new IllegalStateException("one")));
        }
        if (type == Handle.class) {
            return loop.callSoon(() -> { });
        }
        if (type == EventLoopGroup.class) {
            return group.get();
        }
        if (type == EventLoopGroup.Builder.class) {
            return EventLoopGroup.builder();
        }
        if (type == LoopBound.class) {
            return new LoopBound("sweep", null);
        }
        if (type == Executor.class) {
            // an executor of the sweep's own, shut down at the end: a loop made on it
            // (EventLoop.newEventLoopOn) marks its threads as carriers, which must not leak
            // into the JVM's shared pools and the tests that run after
            ExecutorService pool = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().daemon().name("sweep-executor").factory());
            opened.add(pool::shutdownNow);
            return pool;
        }
        if (type == Path.class) {
            return Path.of("null-sweep-does-not-exist");
        }
        return null;
    }

    private <C extends AutoCloseable> C opened(C c) {
        opened.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }
}
