package io.aiobridge.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.NullArguments;
import io.aiobridge.testing.PublicApi;
import io.aiobridge.testing.SweepValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every public member of bridge-reactor, called with null in one reference parameter at a time
 * (as bridge-core's {@code NullArgumentsTest}): each rejects it up front, naming it.
 */
class NullArgumentsTest {

    /** Where null is a documented value. */
    static final Set<String> ALLOWED = Set.of(
            "ReactorAwait.awaitFirstOrDefault(Flux,Object)#1"); // a null default

    @Test
    void everyPublicMemberRejectsANullArgumentClearlyOrDocumentsIt() throws Exception {
        NullArguments.Report report;
        try (SweepValues core = new SweepValues()) {
            report = NullArguments.sweep(PublicApi.classes(Path.of("target/classes")),
                    type -> type == Flux.class ? Flux.just("x")
                            : type == Mono.class ? Mono.just("x")
                            : type == Publisher.class ? Flux.just("x")
                            : type == reactor.core.scheduler.Scheduler.class
                                    ? Schedulers.immediate()
                            : core.apply(type),
                    ALLOWED);
        }
        report.findings().forEach(f -> System.out.println("  FINDING " + f));
        report.skipped().forEach(s -> System.out.println("  skipped " + s));
        assertTrue(report.calls() > 20, "the sweep reached the API: " + report.calls());
        assertEquals(List.of(), report.findings());
        assertTrue(report.called().containsAll(ALLOWED), "every allowed member was swept");
    }
}
