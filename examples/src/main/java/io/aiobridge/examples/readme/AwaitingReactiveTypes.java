package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.flow.Overflow;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.reactor.ReactorIterate;
import io.aiobridge.rxjava.RxAwait;
import io.aiobridge.rxjava.RxIterate;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The README's "Awaiting Mono, Flux, Single ..." section, compiled and run. */
public final class AwaitingReactiveTypes {
    private AwaitingReactiveTypes() {}

    /** Reactor from a task; returns what it saw. */
    static List<Object> reactor() {
        List<Object> seen = new ArrayList<>();
        // tag::reactor[]
        // a Mono completing on another thread: the task suspends, its loop runs other tasks
        String user = ReactorAwait.awaitSingle(Mono.fromCallable(() -> "ada")
                .subscribeOn(Schedulers.boundedElastic()));
        Optional<String> none = ReactorAwait.awaitOptional(Mono.empty()); // empty is explicit
        List<Integer> all = ReactorAwait.awaitList(Flux.range(1, 5));     // awaitFirst, awaitLast, ...
        // several Monos at once: each is a future of the loop, with no task per Mono
        List<String> both = Aio.gather(
                ReactorAwait.future(Mono.delay(Duration.ofMillis(5)).map(t -> "price")),
                ReactorAwait.future(Mono.delay(Duration.ofMillis(5)).map(t -> "name"))).await();
        long sum = 0;
        for (int i : ReactorIterate.iterate(Flux.range(1, 100), 16)) {   // 16 requested at a time
            sum += i;
        }
        // Flux.interval cannot slow down: at most 8 ticks wait, the oldest are dropped beyond
        List<Long> ticks = new ArrayList<>();
        for (long tick : ReactorIterate.iterate(Flux.interval(Duration.ofMillis(10)), 8,
                Overflow.DROP_OLDEST)) {
            ticks.add(tick);
            if (ticks.size() == 3) {
                break;                    // the subscription ends when this task does
            }
        }
        // end::reactor[]
        seen.add(user);
        seen.add(none);
        seen.add(all);
        seen.add(both);
        seen.add(sum);
        seen.add(ticks.size());
        return seen;
    }

    /** RxJava from a task; returns what it saw. */
    static List<Object> rxjava() {
        List<Object> seen = new ArrayList<>();
        // tag::rxjava[]
        int answer = RxAwait.await(Single.timer(10, TimeUnit.MILLISECONDS).map(x -> 42));
        Optional<String> maybe = RxAwait.awaitOptional(Maybe.<String>empty());
        RxAwait.await(Completable.complete());
        for (int i : RxIterate.iterate(Flowable.range(0, 1_000), 64)) {   // backpressured
            if (i == 999) {
                seen.add("flowable done");
            }
        }
        // an Observable cannot be slowed down: hold at most 16 items, drop the oldest beyond
        for (int i : RxIterate.iterate(Observable.range(0, 100), 16, Overflow.DROP_OLDEST)) {
            seen.add(i);
        }
        // end::rxjava[]
        seen.add(0, maybe);
        seen.add(0, answer);
        return seen;
    }

    public static void main(String[] args) {
        System.out.println(Aio.run(AwaitingReactiveTypes::reactor));
        System.out.println(Aio.run(AwaitingReactiveTypes::rxjava));
    }
}
