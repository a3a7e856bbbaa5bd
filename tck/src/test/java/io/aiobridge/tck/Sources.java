package io.aiobridge.tck;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.flow.AsyncPublisher;
import io.aiobridge.iter.Itertools;

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

    /** 0..elements-1; Long.MAX_VALUE elements means endless. */
    static AsyncGenerator.Body<Long, Void> generatorBody(long elements) {
        return y -> {
            for (long i = 0; i < elements || elements == Long.MAX_VALUE; i++) {
                y.yield(i);
            }
        };
    }

    static AsyncGenerator.Body<Long, Void> failingGeneratorBody() {
        return y -> {
            throw new IllegalStateException("the generator fails at once (TCK)");
        };
    }

    /** 0..elements-1 through an operator pipeline (one item per anext). */
    static AsyncIterable<Long> iterableSource(long elements) {
        return elements == Long.MAX_VALUE ? Itertools.count(0, 1)
                : Itertools.islice(Itertools.count(0, 1), elements);
    }

    static AsyncIterable<Long> failingIterableSource() {
        return Itertools.map(Itertools.count(0, 1), x -> {
            throw new IllegalStateException("the iterable fails at once (TCK)");
        });
    }

    /** A coroutine's single result (0 or 1 element). */
    static Coroutine<Long> coroutineBody(long elements) {
        return () -> elements == 0 ? null : 0L;
    }

    static Coroutine<Long> failingCoroutineBody() {
        return () -> {
            throw new IllegalStateException("the coroutine fails (TCK)");
        };
    }

    static AsyncPublisher<Long> generator(long elements) {
        return AsyncPublisher.fromGenerator(generatorBody(elements));
    }

    static AsyncPublisher<Long> failingGenerator() {
        return AsyncPublisher.fromGenerator(failingGeneratorBody());
    }

    static AsyncPublisher<Long> iterable(long elements) {
        return AsyncPublisher.fromIterable(iterableSource(elements));
    }

    static AsyncPublisher<Long> failingIterable() {
        return AsyncPublisher.fromIterable(failingIterableSource());
    }

    static AsyncPublisher<Long> coroutine(long elements) {
        return AsyncPublisher.fromCoroutine(coroutineBody(elements));
    }

    static AsyncPublisher<Long> failingCoroutine() {
        return AsyncPublisher.fromCoroutine(failingCoroutineBody());
    }

    /** A future of the explicit loop, already completed with 0 (or null: an empty publisher). */
    static AsyncPublisher<Long> future(long elements) {
        return AsyncPublisher.fromFuture(Aio.runCoroutineThreadsafe(() -> {
            AsyncFuture<Long> f = EXPLICIT.createFuture();
            f.setResult(elements == 0 ? null : 0L);
            return f;
        }, EXPLICIT).join());
    }

    static AsyncPublisher<Long> failingFuture() {
        return AsyncPublisher.fromFuture(Aio.runCoroutineThreadsafe(() -> {
            AsyncFuture<Long> f = EXPLICIT.createFuture();
            f.setException(new IllegalStateException("the future failed (TCK)"));
            return f;
        }, EXPLICIT).join());
    }

    /** A future of the explicit loop that completes a millisecond after subscription's setup. */
    static AsyncPublisher<Long> pendingFuture(long elements) {
        return AsyncPublisher.fromFuture(Aio.runCoroutineThreadsafe(() -> {
            AsyncFuture<Long> f = EXPLICIT.createFuture();
            EXPLICIT.callLater(0.001, () -> f.setResult(elements == 0 ? null : 0L));
            return f;
        }, EXPLICIT).join());
    }

    static AsyncPublisher<Long> pendingFailingFuture() {
        return AsyncPublisher.fromFuture(Aio.runCoroutineThreadsafe(() -> {
            AsyncFuture<Long> f = EXPLICIT.createFuture();
            EXPLICIT.callLater(0.001, () -> f.setException(
                    new IllegalStateException("the future failed (TCK)")));
            return f;
        }, EXPLICIT).join());
    }

    /** {@code p} pinned to the explicit loop. */
    static <T> AsyncPublisher<T> on(AsyncPublisher<T> p) {
        return p.on(EXPLICIT);
    }
}
