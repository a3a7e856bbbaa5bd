package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.NullArguments;
import io.aiobridge.testing.PublicApi;
import io.aiobridge.testing.SweepValues;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

/**
 * Every public member of bridge-rxjava, called with null in one reference parameter at a time
 * (as bridge-core's {@code NullArgumentsTest}): each rejects it up front, naming it.
 */
class NullArgumentsTest {

    /** Where null is a documented value. */
    static final Set<String> ALLOWED = Set.of( // a null default: returned for an empty source
            "RxAwait.awaitFirstOrDefault(Flowable,Object)#1",
            "RxAwait.awaitFirstOrDefault(Observable,Object)#1",
            "RxAwait.awaitOrDefault(Maybe,Object)#1");

    @Test
    void everyPublicMemberRejectsANullArgumentClearlyOrDocumentsIt() throws Exception {
        NullArguments.Report report;
        try (SweepValues core = new SweepValues()) {
            report = NullArguments.sweep(PublicApi.classes(Path.of("target/classes")),
                    type -> type == Flowable.class || type == Publisher.class ? Flowable.just("x")
                            : type == Observable.class ? Observable.just("x")
                            : type == Single.class ? Single.just("x")
                            : type == Maybe.class ? Maybe.just("x")
                            : type == Completable.class ? Completable.complete()
                            : type == Scheduler.class ? Schedulers.trampoline()
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
