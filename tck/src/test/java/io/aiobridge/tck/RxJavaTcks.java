package io.aiobridge.tck;

import io.aiobridge.rxjava.RxPublish;

/** The RxJava module's Flowables (and a Maybe seen as one) under the TCK: one line per suite. */
final class RxJavaTcks {
    private RxJavaTcks() {}

    public static class GeneratorFlowableTck extends PublisherTck { public GeneratorFlowableTck() { super(n -> RxPublish.flowable(Sources.generatorBody(n)), () -> RxPublish.flowable(Sources.failingGeneratorBody())); } }
    public static class IterableFlowableTck extends PublisherTck { public IterableFlowableTck() { super(n -> RxPublish.flowable(Sources.iterableSource(n)), () -> RxPublish.flowable(Sources.failingIterableSource())); } }
    public static class CoroutineMaybeFlowableTck extends PublisherTck { public CoroutineMaybeFlowableTck() { super(n -> RxPublish.maybe(Sources.coroutineBody(n)).toFlowable(), () -> RxPublish.maybe(Sources.failingCoroutineBody()).toFlowable(), 1); } }
}
