package io.aiobridge.spring;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.flow.FlowIterate;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.reactor.ReactorIterate;
import io.aiobridge.reactor.ReactorPublish;
import java.util.Objects;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.ReactiveTypeDescriptor;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Teaches Spring the project's types, as it knows Kotlin's {@code Deferred} and Mutiny's {@code
 * Uni}: a WebFlux controller may return
 *
 * <ul>
 *   <li>a {@link Coroutine}: it runs as a task of the context's loop group for each
 *       subscription (one per request), a null result is an empty body; the client going away
 *       cancels the task;
 *   <li>an {@link AsyncIterable} or {@link AsyncGenerator}: streamed with backpressure (JSON
 *       lines, Server-Sent Events); the client going away closes the generator, so its {@code
 *       finally} runs;
 *   <li>an {@link AsyncFuture} or {@code Task}: its outcome; the client going away cancels it.
 * </ul>
 *
 * <p>And a {@code Coroutine} or {@code AsyncIterable} may be taken where Spring hands over a
 * publisher (a request body, say). Registered into every {@link ReactiveAdapterRegistry} bean
 * (WebFlux has its own) and into the shared instance.
 *
 * <p>A pooled {@code DataBuffer} that never reaches the response (the one a generator yielded
 * ahead when the client left) or that a handler never reads (prefetched from a request body it
 * stopped iterating) is released, as Spring releases those of a {@code Mono} body: on the
 * {@code Flux} path Spring's response writer installs no discard hook upstream, so the bridge
 * installs one.
 */
public class AiobridgeReactiveTypes implements BeanPostProcessor {
    /** The context's group, for its own registries; null: the default group's. */
    private final Supplier<EventLoopGroup> group;

    /**
     * Registers into the shared registry too; the context's registries run on the default group.
     */
    public AiobridgeReactiveTypes() {
        this(() -> null);
    }

    /**
     * Registers into the shared registry too; what the context's own registries (WebFlux's)
     * convert runs on {@code group}'s loops, even while another context's group is the JVM's
     * default: two live contexts (Spring's test-context cache keeps several) each serve their
     * controllers on their own group. The shared registry, which every context sees, uses the
     * default group.
     *
     * @param group the context's group, asked for at conversions until it gives one (so it may
     *     look the bean up lazily), which is kept; null from it: the default group
     */
    public AiobridgeReactiveTypes(Supplier<EventLoopGroup> group) {
        Objects.requireNonNull(group, "group is null");
        this.group = new Supplier<>() {
            private volatile EventLoopGroup found;

            @Override
            public EventLoopGroup get() {
                EventLoopGroup g = found;
                if (g == null) {
                    g = group.get();
                    found = g;
                }
                return g;
            }
        };
        register(ReactiveAdapterRegistry.getSharedInstance());
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof ReactiveAdapterRegistry registry) {
            register(registry, group);
        }
        return bean;
    }

    /**
     * Registers the adapters into {@code registry}, running on the default group; registering
     * twice is harmless.
     *
     * @param registry the registry
     */
    public static void register(ReactiveAdapterRegistry registry) {
        register(registry, () -> null);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register(ReactiveAdapterRegistry registry,
            Supplier<EventLoopGroup> groups) {
        Objects.requireNonNull(registry, "registry is null");
        if (registry.getAdapter(Coroutine.class) != null) {
            return; // registered already
        }
        registry.registerReactiveType(
                ReactiveTypeDescriptor.singleOptionalValue(Coroutine.class,
                        () -> (Coroutine<Object>) () -> null),
                source -> Mono.defer(() -> ContextGroups.mono((Coroutine<Object>) source,
                        ContextGroups.loopOf(groups.get())))
                        .doOnDiscard(DataBuffer.class, DataBufferUtils::release),
                publisher -> {
                    Mono<Object> single = atMostOne((Publisher<Object>) publisher);
                    return (Coroutine<Object>) () -> ReactorAwait.awaitSingleOrNull(single);
                });
        registry.registerReactiveType(
                ReactiveTypeDescriptor.multiValue(AsyncIterable.class,
                        () -> FlowIterate.toAsyncIterable(Mono.empty())),
                source -> Flux.defer(() -> ContextGroups.flux((AsyncIterable<Object>) source,
                        ContextGroups.loopOf(groups.get())))
                        .doOnDiscard(DataBuffer.class, DataBufferUtils::release),
                publisher -> ReactorIterate.iterate((Publisher<Object>) publisher,
                        FlowIterate.DEFAULT_PREFETCH, AiobridgeReactiveTypes::releaseBuffer));
        registry.registerReactiveType(
                ReactiveTypeDescriptor.singleOptionalValue(AsyncFuture.class, null),
                source -> ReactorPublish.mono((AsyncFuture<Object>) source)
                        .doOnDiscard(DataBuffer.class, DataBufferUtils::release),
                publisher -> {
                    throw new UnsupportedOperationException("an AsyncFuture belongs to a loop, so"
                            + " Spring cannot make one from a publisher; take a Mono or a"
                            + " Coroutine parameter and await it in the handler, and return a"
                            + " Coroutine (which runs when awaited) from a method Spring wraps"
                            + " (@Transactional, @Cacheable)");
                });
    }

    /**
     * The publisher as a Mono that waits for its end: its one value, empty, or an error if it
     * emits a second. Not {@code Mono.from}, which cancels a Flux after its first value: Spring
     * hands a Coroutine's adapter a Flux wherever it wraps a method (a {@code @Transactional}
     * one, say), and cancelling that Flux after the value would take its cancel path, a rollback,
     * instead of its commit.
     */
    @SuppressWarnings("unchecked")
    static Mono<Object> atMostOne(Publisher<Object> publisher) {
        return publisher instanceof Mono<?> mono ? (Mono<Object>) mono
                : Flux.from(publisher).singleOrEmpty();
    }

    /** A pooled buffer that will never be read or written goes back to its pool. */
    private static void releaseBuffer(Object item) {
        if (item instanceof DataBuffer buffer) {
            DataBufferUtils.release(buffer);
        }
    }
}
