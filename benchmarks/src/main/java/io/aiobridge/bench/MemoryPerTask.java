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
 * <p>Usage: {@code MemoryPerTask [aiobridge|kotlinx] [N]} (default aiobridge 100000).
 */
public final class MemoryPerTask {
    private MemoryPerTask() {}

    public static void main(String[] args) {
        String who = args.length > 0 ? args[0] : "aiobridge";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        if (!who.equals("aiobridge") && !who.equals("kotlinx")) {
            throw new IllegalArgumentException("mode must be aiobridge or kotlinx, was " + who);
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

    private static long measureTasks(int n) {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Void> gate = loop.createFuture();
            List<Task<Void>> tasks = new ArrayList<>(n);
            long before = LiveHeap.bytes();
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
