package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.bench.peers.KotlinPeers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Heap bytes per suspended task: starts N tasks that each await one shared pending future (so
 * every task is parked at an await, its virtual thread's stack on the heap) and prints {@code
 * bytes_per_task}: the growth of live objects ({@link LiveHeap}). The {@code kotlinx} mode does the
 * same with N coroutines suspended on one {@code CompletableDeferred}.
 *
 * <p>Usage: {@code MemoryPerTask [aiobridge|kotlinx] [N] [--once]} (default aiobridge 100000).
 * {@code --once} is the scale mode ({@code benchmarks/run.sh} does not run it): one measurement
 * of N tasks with no warm-up, printing the time to park and to release them and the classes that
 * hold the heap, e.g. {@code java -Xmx12g -cp benchmarks.jar io.aiobridge.bench.MemoryPerTask
 * aiobridge 10000000 --once} for the claim that 10 million suspended tasks fit in 12 GB.
 */
public final class MemoryPerTask {
    private MemoryPerTask() {}

    public static void main(String[] args) {
        String who = args.length > 0 ? args[0] : "aiobridge";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        if (!who.equals("aiobridge") && !who.equals("kotlinx")) {
            throw new IllegalArgumentException("mode must be aiobridge or kotlinx, was " + who);
        }
        if (args.length > 2 && args[2].equals("--once")) {
            if (!who.equals("aiobridge")) {
                throw new IllegalArgumentException("--once measures aiobridge's tasks only");
            }
            once(n);
            return;
        }
        // A parked task's stack is much larger while its frames are still interpreted (about
        // 2.7 KB per task with -Xint), so warm the JIT up first, then report the median of three
        // steady-state measurements.
        for (int i = 0; i < 5; i++) {
            measure(who, Math.max(1, n / 10));
        }
        long[] runs = {measure(who, n), measure(who, n), measure(who, n)};
        Arrays.sort(runs);
        System.out.printf("who=%s tasks=%d bytes_per_task=%d%n", who, n, runs[1] / n);
    }

    private static long measure(String who, int n) {
        return who.equals("kotlinx") ? KotlinPeers.suspendedBytes(n, LiveHeap::bytes)
                : measureTasks(n);
    }

    /** One measurement at scale, with timings and the heaviest classes. */
    private static void once(int n) {
        long start = System.nanoTime();
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Void> gate = loop.createFuture();
            List<Task<Void>> tasks = new ArrayList<>(n);
            long before = LiveHeap.bytes();
            long t0 = System.nanoTime();
            park(loop, gate, tasks, n);
            long parked = System.nanoTime() - t0;
            String histogram = LiveHeap.histogram();
            long after = LiveHeap.total(histogram);
            long t1 = System.nanoTime();
            List<Void> done = loop.runUntilComplete(loop.createTask(() -> {
                gate.setResult(null);
                return Aio.gather(tasks).await();
            }));
            long released = System.nanoTime() - t1;
            System.out.printf("who=aiobridge tasks=%d parked_s=%.1f live_heap_gb=%.2f"
                    + " bytes_per_task=%d released_s=%.1f finished=%d max_heap_gb=%.1f%n",
                    n, parked / 1e9, after / 1e9, (after - before) / n, released / 1e9,
                    done.size(), Runtime.getRuntime().maxMemory() / 1e9);
            histogram.lines().limit(13).forEach(System.out::println);
        }
        System.out.printf("total_s=%.1f%n", (System.nanoTime() - start) / 1e9);
    }

    /** Starts {@code n} tasks that each await {@code gate}, and runs them all to that await. */
    private static void park(EventLoop loop, AsyncFuture<Void> gate, List<Task<Void>> tasks,
            int n) {
        for (int i = 0; i < n; i++) {
            tasks.add(loop.createTask(() -> {
                gate.await();
                return null;
            }));
        }
        loop.runUntilComplete(loop.createTask(() -> {
            Aio.sleep(0); // every task runs to its await and parks
            return null;
        }));
    }

    private static long measureTasks(int n) {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Void> gate = loop.createFuture();
            List<Task<Void>> tasks = new ArrayList<>(n);
            long before = LiveHeap.bytes();
            park(loop, gate, tasks, n);
            long after = LiveHeap.bytes();
            if (tasks.stream().anyMatch(Task::isDone)) {
                throw new IllegalStateException("a task finished early");
            }
            loop.runUntilComplete(loop.createTask(() -> {
                gate.setResult(null);
                return Aio.gather(tasks).await();
            }));
            return after - before;
        }
    }
}
