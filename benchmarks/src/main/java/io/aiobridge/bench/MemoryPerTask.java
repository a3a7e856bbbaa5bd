package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.AioFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap bytes per suspended task: starts N tasks that each await one shared pending future (so
 * every task is parked at an await, its virtual thread's stack on the heap), measures the heap
 * after full GCs, and prints {@code bytes/task}. Usage: {@code MemoryPerTask [N]} (default
 * 100000).
 */
public final class MemoryPerTask {
    private MemoryPerTask() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        // warm up the classes and the JIT on a smaller run, then measure
        measure(Math.max(1, n / 10), mem);
        long bytes = measure(n, mem);
        System.out.printf("tasks=%d bytes_per_task=%d%n", n, bytes / n);
    }

    private static long measure(int n, MemoryMXBean mem) throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AioFuture<Void> gate = loop.createFuture();
            List<Task<Void>> tasks = new ArrayList<>(n);
            long before = usedAfterGc(mem);
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
            long after = usedAfterGc(mem);
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

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
