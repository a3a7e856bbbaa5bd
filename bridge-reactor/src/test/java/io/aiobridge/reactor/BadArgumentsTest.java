package io.aiobridge.reactor;

import io.aiobridge.testing.BadArguments;
import io.aiobridge.testing.PublicApi;
import io.aiobridge.testing.SweepValues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every public member of bridge-reactor, called with null or -1 in one parameter at a time (it
 * has no floating-point parameters), and from a thread with no loop
 * (as bridge-core's {@code BadArgumentsTest}): each rejects it up front, naming it.
 */
class BadArgumentsTest {

    /** Where null is a documented value. */
    static final Set<String> ALLOWED = Set.of(
            "ReactorAwait.awaitFirstOrDefault(Flux,Object)#1"); // a null default

    @Test
    void everyPublicMemberRejectsABadArgumentClearlyOrDocumentsIt() throws Exception {
        try (SweepValues core = new SweepValues()) {
            Function<Class<?>, Object> values =
                    type -> type == Flux.class ? Flux.just("x")
                            : type == Mono.class ? Mono.just("x")
                            : type == Publisher.class ? Flux.just("x")
                            : type == reactor.core.scheduler.Scheduler.class
                                    ? Schedulers.immediate()
                            : core.apply(type);
            BadArguments.assertClean(BadArguments.sweep(classes(), values, ALLOWED), ALLOWED, 20);
            BadArguments.assertClean(BadArguments.sweepNegative(classes(), values, Set.of()),
                    Set.of(), 1);
            // from a thread with no loop, as an independent misuse suite calls them: each
            // member returns (it subscribes lazily, or needs no loop) or refuses with a message
            BadArguments.assertClean(BadArguments.sweepOffLoop(classes(), values, Set.of(),
                    Set.of()), Set.of(), 20);
        }
    }

    private static List<Class<?>> classes() throws IOException {
        return PublicApi.classes(Path.of("target/classes"));
    }
}
