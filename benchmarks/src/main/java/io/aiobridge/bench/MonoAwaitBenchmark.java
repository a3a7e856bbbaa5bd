package io.aiobridge.bench;

import io.aiobridge.TimerHandle;
import io.aiobridge.bench.peers.KotlinPeers;
import io.aiobridge.reactor.ReactorAwait;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Round-trip latency of awaiting a Mono that completes on another thread (Reactor's single
 * thread), 10,000 awaits in a row (ns per await): a task with {@code ReactorAwait.awaitSingle};
 * kotlinx's {@code awaitSingle()} in runBlocking; Reactor's {@code block()} on a virtual thread.
 */
public class MonoAwaitBenchmark extends LoopBenchmark {
    static final int AWAITS = 10_000;

    private static final Mono<Integer> ELSEWHERE = Mono.just(1).publishOn(Schedulers.single());

    @Benchmark
    @OperationsPerInvocation(AWAITS)
    public long taskAwaitSingle() {
        return loop.runUntilComplete(loop.createTask(() -> {
            long sum = 0;
            for (int i = 0; i < AWAITS; i++) {
                sum += ReactorAwait.awaitSingle(ELSEWHERE);
            }
            return sum;
        }));
    }

    /**
     * The same while the loop has a timer pending (as a server's per-request timeouts keep one
     * pending): the loop's idle waits then have a deadline.
     */
    @Benchmark
    @OperationsPerInvocation(AWAITS)
    public long taskAwaitSingleWithTimerPending() {
        TimerHandle far = loop.callLater(3600, () -> { });
        try {
            return taskAwaitSingle();
        } finally {
            far.cancel();
        }
    }

    @Benchmark
    @OperationsPerInvocation(AWAITS)
    public long kotlinxAwaitSingle() {
        return KotlinPeers.awaitSingleRepeatedly(ELSEWHERE, AWAITS);
    }

    @Benchmark
    @OperationsPerInvocation(AWAITS)
    public long reactorBlockOnVirtualThread() throws InterruptedException {
        long[] sum = new long[1];
        Thread t = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < AWAITS; i++) {
                sum[0] += ELSEWHERE.block();
            }
        });
        t.join();
        return sum[0];
    }
}
