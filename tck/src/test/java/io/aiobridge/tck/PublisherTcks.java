package io.aiobridge.tck;

import static io.aiobridge.tck.Sources.coroutine;
import static io.aiobridge.tck.Sources.failingCoroutine;
import static io.aiobridge.tck.Sources.failingGenerator;
import static io.aiobridge.tck.Sources.failingIterable;
import static io.aiobridge.tck.Sources.generator;
import static io.aiobridge.tck.Sources.iterable;
import static io.aiobridge.tck.Sources.on;

/**
 * The core bridge's publishers under the Reactive Streams TCK, in both flavours, on an explicit
 * loop and on the shared default loops: one line per suite.
 */
final class PublisherTcks {
    private PublisherTcks() {}

    public static class GeneratorExplicitLoopTck extends PublisherTck { public GeneratorExplicitLoopTck() { super(n -> on(generator(n)), () -> on(failingGenerator())); } }
    public static class GeneratorDefaultLoopTck extends PublisherTck { public GeneratorDefaultLoopTck() { super(Sources::generator, Sources::failingGenerator); } }
    public static class GeneratorFlowExplicitLoopTck extends PublisherTck.Flavour { public GeneratorFlowExplicitLoopTck() { super(n -> on(generator(n)), () -> on(failingGenerator())); } }
    public static class GeneratorFlowDefaultLoopTck extends PublisherTck.Flavour { public GeneratorFlowDefaultLoopTck() { super(Sources::generator, Sources::failingGenerator); } }

    public static class IterableExplicitLoopTck extends PublisherTck { public IterableExplicitLoopTck() { super(n -> on(iterable(n)), () -> on(failingIterable())); } }
    public static class IterableFlowDefaultLoopTck extends PublisherTck.Flavour { public IterableFlowDefaultLoopTck() { super(Sources::iterable, Sources::failingIterable); } }

    // coroutines and futures: 0 or 1 element; a future's publisher always runs on its loop
    public static class CoroutineExplicitLoopTck extends PublisherTck { public CoroutineExplicitLoopTck() { super(n -> on(coroutine(n)), () -> on(failingCoroutine()), 1); } }
    public static class CoroutineFlowDefaultLoopTck extends PublisherTck.Flavour { public CoroutineFlowDefaultLoopTck() { super(Sources::coroutine, Sources::failingCoroutine, 1); } }
    public static class FutureTck extends PublisherTck { public FutureTck() { super(Sources::future, Sources::failingFuture, 1); } }
    public static class FutureFlowTck extends PublisherTck.Flavour { public FutureFlowTck() { super(Sources::future, Sources::failingFuture, 1); } }
    public static class PendingFutureTck extends PublisherTck { public PendingFutureTck() { super(Sources::pendingFuture, Sources::pendingFailingFuture, 1); } }
}
