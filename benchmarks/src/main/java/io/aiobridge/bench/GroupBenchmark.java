package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Task;
import io.aiobridge.bench.peers.KotlinPeers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kotlinx.coroutines.ExecutorCoroutineDispatcher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Many cores: a fan-out of short tasks over a loop group of 1, 2 or one-per-core loops. Each
 * invocation hands {@value #CHUNKS} coroutines to the group (round-robin, from the benchmark's
 * thread), each creating its share of {@value #TASKS} tasks that suspend once ({@code sleep(0)})
 * and return, all awaited. The work per invocation is the same for every loop count, so the time
 * per task shows how the group scales. kotlinx's peer runs the same shape on a fixed pool of as
 * many threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class GroupBenchmark {
    static final int TASKS = 8_000;
    static final int CHUNKS = 16;

    /** How many loops (or threads): a number, or {@code cores} for one per available processor. */
    @Param({"1", "2", "cores"})
    public String loops;

    private EventLoopGroup group;
    private ExecutorCoroutineDispatcher kotlinxPool;

    private int count() {
        return "cores".equals(loops) ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(loops);
    }

    @Setup(Level.Trial)
    public void setUp() {
        group = EventLoopGroup.builder().name("bench").loops(count()).build();
        kotlinxPool = KotlinPeers.fixedDispatcher(count());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        group.close();
        kotlinxPool.close();
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long fanOut() {
        List<CompletableFuture<Long>> chunks = new ArrayList<>(CHUNKS);
        for (int c = 0; c < CHUNKS; c++) {
            chunks.add(group.submit(() -> chunk(TASKS / CHUNKS)));
        }
        long sum = 0;
        for (CompletableFuture<Long> f : chunks) {
            sum += f.join();
        }
        return sum;
    }

    private static long chunk(int n) {
        List<Task<Long>> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long v = i;
            tasks.add(Aio.createTask(() -> {
                Aio.sleep(0);
                return v;
            }));
        }
        long sum = 0;
        for (Task<Long> t : tasks) {
            sum += t.await();
        }
        return sum;
    }

    /** kotlinx: the same fan-out on a fixed pool of as many threads. */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long kotlinxFanOut() {
        return KotlinPeers.fanOut(kotlinxPool, CHUNKS, TASKS);
    }
}
