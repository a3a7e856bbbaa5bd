package io.aiobridge.rxjava;

import io.aiobridge.testing.BadArguments;
import io.aiobridge.testing.PublicApi;
import io.aiobridge.testing.SweepValues;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

/**
 * Every public member of bridge-rxjava, called with null or -1 in one parameter at a time (it
 * has no floating-point parameters), and from a thread with no loop
 * (as bridge-core's {@code BadArgumentsTest}): each rejects it up front, naming it.
 */
class BadArgumentsTest {

    /** Where null is a documented value. */
    static final Set<String> ALLOWED = Set.of( // a null default: returned for an empty source
            "RxAwait.awaitFirstOrDefault(Flowable,Object)#1",
            "RxAwait.awaitFirstOrDefault(Observable,Object)#1",
            "RxAwait.awaitOrDefault(Maybe,Object)#1");

    @Test
    void everyPublicMemberRejectsABadArgumentClearlyOrDocumentsIt() throws Exception {
        try (SweepValues core = new SweepValues()) {
            Function<Class<?>, Object> values =
                    type -> type == Flowable.class || type == Publisher.class ? Flowable.just("x")
                            : type == Observable.class ? Observable.just("x")
                            : type == Single.class ? Single.just("x")
                            : type == Maybe.class ? Maybe.just("x")
                            : type == Completable.class ? Completable.complete()
                            : type == Scheduler.class ? Schedulers.trampoline()
                            : core.apply(type);
            BadArguments.assertClean(BadArguments.sweep(classes(), values, ALLOWED), ALLOWED, 20);
            BadArguments.assertClean(BadArguments.sweepNegative(classes(), values, Set.of()),
                    Set.of(), 1);
            // from a thread with no loop, as an independent misuse suite calls them: each
            // member returns (it subscribes lazily, or needs no loop) or refuses with a message
            BadArguments.assertClean(BadArguments.sweepOffLoop(classes(), values, Set.of(),
                    Set.of()), Set.of(), 20);
        } finally {
            // the sweep called install() too: leave RxJava's hooks as the next test class
            // expects them
            RxContexts.uninstall();
            RxBlocking.uninstall();
            RxJavaPlugins.reset();
        }
    }

    private static List<Class<?>> classes() throws IOException {
        return PublicApi.classes(Path.of("target/classes"));
    }
}
