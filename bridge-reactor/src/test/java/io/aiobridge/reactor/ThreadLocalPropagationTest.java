package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.aiobridge.Aio;
import io.micrometer.context.ContextRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/** ThreadLocals (standing in for MDC) across the bridge through Micrometer context-propagation. */
class ThreadLocalPropagationTest {
    static final String KEY = "aiobridge.test.requestId";
    static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    @BeforeAll
    static void register() {
        StepVerifier.setDefaultTimeout(Duration.ofSeconds(10));
        ContextRegistry.getInstance().registerThreadLocalAccessor(KEY, REQUEST_ID);
    }

    @BeforeEach
    void on() {
        Hooks.enableAutomaticContextPropagation();
    }

    @AfterEach
    void off() {
        Hooks.disableAutomaticContextPropagation();
        REQUEST_ID.remove();
    }

    @Test
    void aCoroutineMonoRunsWithTheSubscribersThreadLocals() {
        StepVerifier.create(ReactorPublish.mono(() -> {
                    String before = REQUEST_ID.get();
                    Aio.sleep(0.001); // still set after the task resumes
                    return before + "/" + REQUEST_ID.get();
                }).contextWrite(Context.of(KEY, "r-1")))
                .expectNext("r-1/r-1").verifyComplete();
    }

    @Test
    void aGeneratorFluxBodyRunsWithTheSubscribersThreadLocals() {
        StepVerifier.create(ReactorPublish.<String>flux(y -> {
                    y.yield(REQUEST_ID.get());
                    Aio.sleep(0);
                    y.yield(REQUEST_ID.get());
                }).contextWrite(Context.of(KEY, "r-2")))
                .expectNext("r-2", "r-2").verifyComplete();
    }

    @Test
    void blockCarriesTheCallersThreadLocalIntoTheCoroutine() {
        REQUEST_ID.set("caller");
        // Reactor's block() captures the caller's ThreadLocals into the Context in this mode
        assertEquals("caller", ReactorPublish.mono(REQUEST_ID::get).block(Duration.ofSeconds(10)));
    }

    @Test
    void aTasksThreadLocalsReachReactorOperatorsOnOtherThreads() {
        List<String> seen = Aio.run(() -> {
            REQUEST_ID.set("t-7");
            List<String> out = new ArrayList<>();
            out.add(ReactorAwait.awaitSingle(Mono.just(1)
                    .publishOn(Schedulers.boundedElastic())
                    .map(x -> Thread.currentThread().getName().startsWith("boundedElastic")
                            + ":" + REQUEST_ID.get())));
            for (String s : ReactorIterate.iterate(Flux.range(0, 2)
                    .publishOn(Schedulers.parallel())
                    .map(i -> REQUEST_ID.get() + "#" + i))) {
                out.add(s);
            }
            out.add("task:" + REQUEST_ID.get()); // the task's own value is untouched
            return out;
        });
        assertEquals(List.of("true:t-7", "t-7#0", "t-7#1", "task:t-7"), seen);
    }

    @Test
    void nothingCrossesWhenReactorsPropagationIsOff() {
        Hooks.disableAutomaticContextPropagation();
        StepVerifier.create(ReactorPublish.mono(() -> String.valueOf(REQUEST_ID.get()))
                        .contextWrite(Context.of(KEY, "r-3")))
                .expectNext("null").verifyComplete();
        String upstream = Aio.run(() -> {
            REQUEST_ID.set("t-8");
            return ReactorAwait.awaitSingle(Mono.deferContextual(
                    ctx -> Mono.just(ctx.getOrDefault(KEY, "absent"))));
        });
        assertEquals("absent", upstream);
        assertNull(REQUEST_ID.get());
    }
}
