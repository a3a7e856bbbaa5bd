package io.aiobridge.tck;

import io.aiobridge.reactor.ReactorPublish;

/** The Reactor module's Flux and Mono under the Reactive Streams TCK: one line per suite. */
final class ReactorTcks {
    private ReactorTcks() {}

    public static class GeneratorFluxTck extends PublisherTck { public GeneratorFluxTck() { super(n -> ReactorPublish.flux(Sources.generatorBody(n)), () -> ReactorPublish.flux(Sources.failingGeneratorBody())); } }
    public static class CoroutineMonoTck extends PublisherTck { public CoroutineMonoTck() { super(n -> ReactorPublish.mono(Sources.coroutineBody(n)), () -> ReactorPublish.mono(Sources.failingCoroutineBody()), 1); } }
}
