package io.aiobridge.tck;

import io.aiobridge.EventLoop;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.iter.AsyncIters;

/** The publishers under test: finite, infinite, failing and empty, on a given or default loop. */
final class Sources {
    private Sources() {}

    /** One loop shared by the "explicit loop" suites, running on a daemon thread. */
    static final EventLoop EXPLICIT = startLoop();

    private static EventLoop startLoop() {
        EventLoop loop = EventLoop.newEventLoop();
        Thread.ofPlatform().daemon().name("tck-loop").start(loop::runForever);
        return loop;
    }

    /** 0..elements-1 from a generator; Long.MAX_VALUE elements means endless. */
    static AsyncPublisher<Long> generator(long elements) {
        return AsyncPublisher.fromGenerator(y -> {
            for (long i = 0; i < elements || elements == Long.MAX_VALUE; i++) {
                y.yield(i);
            }
        });
    }

    static AsyncPublisher<Long> failingGenerator() {
        return AsyncPublisher.fromGenerator(y -> {
            throw new IllegalStateException("the generator fails at once (TCK)");
        });
    }

    /** 0..elements-1 through an operator pipeline (one item per anext). */
    static AsyncPublisher<Long> iterable(long elements) {
        return AsyncPublisher.fromIterable(elements == Long.MAX_VALUE ? AsyncIters.count(0, 1)
                : AsyncIters.islice(AsyncIters.count(0, 1), elements));
    }

    static AsyncPublisher<Long> failingIterable() {
        return AsyncPublisher.fromIterable(AsyncIters.map(AsyncIters.count(0, 1), x -> {
            throw new IllegalStateException("the iterable fails at once (TCK)");
        }));
    }

    /** A coroutine's single result (0 or 1 element). */
    static AsyncPublisher<Long> coroutine(long elements) {
        return AsyncPublisher.fromCoroutine(() -> elements == 0 ? null : 0L);
    }

    static AsyncPublisher<Long> failingCoroutine() {
        return AsyncPublisher.fromCoroutine(() -> {
            throw new IllegalStateException("the coroutine fails (TCK)");
        });
    }

    /** A future of the explicit loop, completed with 0 (or null for an empty publisher). */
    static AsyncPublisher<Long> future(long elements) {
        return AsyncPublisher.fromFuture(io.aiobridge.Aio.runCoroutineThreadsafe(() -> {
            io.aiobridge.AioFuture<Long> f = EXPLICIT.createFuture();
            f.setResult(elements == 0 ? null : 0L);
            return f;
        }, EXPLICIT).join());
    }

    static AsyncPublisher<Long> failingFuture() {
        return AsyncPublisher.fromFuture(io.aiobridge.Aio.runCoroutineThreadsafe(() -> {
            io.aiobridge.AioFuture<Long> f = EXPLICIT.createFuture();
            f.setException(new IllegalStateException("the future failed (TCK)"));
            return f;
        }, EXPLICIT).join());
    }

    static <T> AsyncPublisher<T> on(AsyncPublisher<T> p, boolean explicit) {
        return explicit ? p.on(EXPLICIT) : p;
    }
}
