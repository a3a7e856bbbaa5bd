package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.bench.peers.KotlinPeers;
import io.aiobridge.reactor.ReactorAwait;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The fan-out workload: 10,000 tasks each wait on a 10 ms timer, then await a Mono that completes
 * on Reactor's single thread; all gathered. Prints the wall time (median of 7 runs after 5
 * warm-up runs) and the live heap while every task waits on its timer (a separate run, so the
 * full GC does not disturb the timing). The {@code kotlinx} mode runs the same with coroutines on
 * runBlocking's loop and {@code awaitSingle()}; {@code python/asyncio_bench.py} has the CPython
 * counterpart.
 *
 * <p>Usage: {@code FanOut [aiobridge|kotlinx] [tasks]}.
 */
public final class FanOut {
    private FanOut() {}

    static final long TIMER_MILLIS = 10;

    static Mono<Integer> mono(int i) {
        return Mono.just(i).publishOn(Schedulers.single());
    }

    public static void main(String[] args) {
        String who = args.length > 0 ? args[0] : "aiobridge";
        int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        if (!who.equals("aiobridge") && !who.equals("kotlinx")) {
            throw new IllegalArgumentException("mode must be aiobridge or kotlinx, was " + who);
        }
        long expected = (long) tasks * (tasks - 1) / 2;
        for (int i = 0; i < 5; i++) {
            check(run(who, tasks, false), expected);
        }
        long[] nanos = new long[7];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            check(run(who, tasks, false), expected);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        long live = run(who, tasks, true);
        System.out.printf("who=%s tasks=%d wall_ms=%.1f live_bytes=%d%n", who, tasks,
                nanos[nanos.length / 2] / 1e6, live);
    }

    private static void check(long sum, long expected) {
        if (sum != expected) {
            throw new IllegalStateException("fan-out sum " + sum + ", expected " + expected);
        }
    }

    /** The sum of all results; with {@code measure}, the live-heap growth instead. */
    static long run(String who, int tasks, boolean measure) {
        if (who.equals("kotlinx")) {
            return KotlinPeers.fanOut(tasks, TIMER_MILLIS, FanOut::mono,
                    measure ? LiveHeap::bytes : null);
        }
        try (EventLoop loop = EventLoop.newEventLoop()) {
            return loop.runUntilComplete(loop.createTask(() -> {
                long before = measure ? LiveHeap.bytes() : 0;
                List<Task<Integer>> all = new ArrayList<>(tasks);
                for (int i = 0; i < tasks; i++) {
                    int n = i;
                    all.add(Aio.createTask(() -> {
                        Aio.sleep(TIMER_MILLIS / 1000.0);
                        return ReactorAwait.awaitSingle(mono(n));
                    }));
                }
                long grown = 0;
                if (measure) {
                    Aio.sleep(0); // every task now waits on its timer
                    grown = LiveHeap.bytes() - before;
                }
                long sum = 0;
                for (int v : Aio.gather(all).await()) {
                    sum += v;
                }
                return measure ? grown : sum;
            }));
        }
    }
}
