package io.aiobridge.testing;

import io.aiobridge.Aio;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An event loop running on a platform thread of its own, for tests that drive it from the test's
 * thread as a Reactor or RxJava subscriber would: try-with-resources stops it, waits for its
 * thread and closes it (its tasks are cancelled and finished).
 *
 * <pre>{@code
 * try (BackgroundLoop bg = BackgroundLoop.start()) {
 *     publisher.on(bg.loop()).subscribe(recorder);
 *     bg.sync();                       // everything posted so far has run
 * }
 * }</pre>
 */
public final class BackgroundLoop implements AutoCloseable {
    private final EventLoop loop;
    private final Thread thread;

    private BackgroundLoop(EventLoop loop) {
        this.loop = loop;
        this.thread = Thread.ofPlatform().daemon().name("test-loop").start(loop::runForever);
    }

    /**
     * A new real-clock loop, running.
     *
     * @return the running loop
     */
    public static BackgroundLoop start() {
        return new BackgroundLoop(EventLoop.newEventLoop());
    }

    /**
     * {@code loop}, running on a thread of its own.
     *
     * @param loop an idle loop
     * @return the running loop
     */
    public static BackgroundLoop start(EventLoop loop) {
        return new BackgroundLoop(loop);
    }

    /**
     * The loop.
     *
     * @return the loop
     */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Runs {@code coro} on the loop and waits (10 s at most) for its result.
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return its result
     * @throws Exception its failure, or a timeout
     */
    public <T> T run(Coroutine<T> coro) throws Exception {
        return Aio.runCoroutineThreadsafe(coro, loop).get(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until the loop has run everything posted to it before this call, and the callbacks
     * those scheduled in turn (two iterations).
     *
     * @throws Exception if that takes more than 10 s
     */
    public void sync() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> loop.callSoon(done::countDown));
        if (!done.await(10, TimeUnit.SECONDS)) {
            throw new TimeoutException(loop + " did not get to the end of its queue in 10 s");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!loop.isClosed()) {
            try {
                loop.callSoonThreadsafe(loop::stop);
            } catch (IllegalStateException alreadyClosed) {
                return;
            }
            thread.join(10_000);
            if (thread.isAlive()) {
                throw new IllegalStateException(loop + " did not stop within 10 s");
            }
            loop.close();
        }
    }
}
