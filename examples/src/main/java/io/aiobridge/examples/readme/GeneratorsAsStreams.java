package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.reactor.ReactorPublish;
import io.aiobridge.rxjava.RxPublish;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The README's "Generators as Flux and Flowable" section, compiled and run. */
public final class GeneratorsAsStreams {
    private GeneratorsAsStreams() {}

    // tag::generators[]
    /** An async generator as a Flux: each yield waits for the subscriber's demand. */
    static Flux<String> countdown(int from) {
        return ReactorPublish.flux(y -> {
            try {
                for (int i = from; i > 0; i--) {
                    y.yield(i + "...");
                    Aio.sleep(0.01);             // awaits between items
                }
                y.yield("liftoff");
            } finally {
                System.out.println("generator closed"); // also when the subscriber cancels
            }
        });
    }

    /** The same as a Flowable, for RxJava code. */
    static Flowable<Integer> squares(int n) {
        return RxPublish.flowable(y -> {
            for (int i = 1; i <= n; i++) {
                y.yield(i * i);
            }
        });
    }

    /** A coroutine as a Mono or a Single: lazy, one run per subscription. */
    static Mono<String> greeting(String name) {
        return ReactorPublish.mono(() -> Aio.sleep(0.01, "hello " + name));
    }

    static Single<Integer> answer() {
        return RxPublish.single(() -> 42);
    }
    // end::generators[]

    public static void main(String[] args) {
        System.out.println(countdown(3).collectList().block());              // [3..., 2..., 1..., liftoff]
        System.out.println(countdown(1000).take(2).collectList().block());   // cancels: closed
        System.out.println(squares(5).toList().blockingGet());              // [1, 4, 9, 16, 25]
        System.out.println(greeting("ada").block() + " " + answer().blockingGet());
    }
}
