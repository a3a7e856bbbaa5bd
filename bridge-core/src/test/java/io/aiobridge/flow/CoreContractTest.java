package io.aiobridge.flow;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.testing.AdapterContract;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;

/**
 * The shared adapter contract, run against the core's own {@link AsyncPublisher}, {@link
 * FlowAwait} and {@link FlowIterate}: what Reactor and RxJava users get is what the core does.
 * The core has no global dropped-error hook (errors it cannot deliver go to the loop's exception
 * handler), so each publisher here carries one that forwards to the contract's.
 */
class CoreContractTest extends AdapterContract {
    private volatile Consumer<Throwable> hook = e -> { };

    private <T> AsyncPublisher<T> hooked(AsyncPublisher<T> p) {
        return p.onErrorDropped(e -> hook.accept(e));
    }

    @Override
    protected <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body) {
        return hooked(AsyncPublisher.fromGenerator(body));
    }

    @Override
    protected <T> Publisher<T> generator(AsyncGenerator.Body<T, Void> body, EventLoop loop) {
        return hooked(AsyncPublisher.fromGenerator(body)).on(loop);
    }

    @Override
    protected <T> Publisher<T> coroutine(Coroutine<T> coro) {
        return hooked(AsyncPublisher.fromCoroutine(coro));
    }

    @Override
    protected <T> Publisher<T> future(AsyncFuture<T> future) {
        return hooked(AsyncPublisher.fromFuture(future));
    }

    @Override
    protected <T> T awaitSingle(Publisher<T> source) {
        return FlowAwait.awaitSingle(source);
    }

    @Override
    protected <T> AsyncIterable<T> iterate(Publisher<T> source, int prefetch) {
        return FlowIterate.toAsyncIterable(source, prefetch, FlowIterate.DEFAULT_REPLENISH);
    }

    @Override
    protected void installDroppedHook(Consumer<Throwable> hook) {
        this.hook = hook;
    }

    @Override
    protected void resetDroppedHook() {
        this.hook = e -> { };
    }
}
