package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.AioFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap bytes per suspended task: starts N tasks that each await one shared pending future (so
 * every task is parked at an await, its virtual thread's stack on the heap) and prints {@code
 * bytes/task}: the growth of live objects, read from the JVM's class histogram (which runs a full
 * GC first). Unlike "heap used after GC", that total does not depend on the collector's region
 * slack. Usage: {@code MemoryPerTask [N]} (default 100000).
 */
public final class MemoryPerTask {
    private MemoryPerTask() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        // A parked task's stack is much larger while its frames are still interpreted (about
        // 2.7 KB per task with -Xint), so warm the JIT up first, then report the median of three
        // steady-state measurements.
        for (int i = 0; i < 5; i++) {
            measure(Math.max(1, n / 10), mem);
        }
        long[] runs = {measure(n, mem), measure(n, mem), measure(n, mem)};
        java.util.Arrays.sort(runs);
        System.out.printf("tasks=%d bytes_per_task=%d%n", n, runs[1] / n);
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

    /** Live heap bytes: the "Total" line of {@code GC.class_histogram} (a full GC runs first). */
    private static long usedAfterGc(MemoryMXBean mem) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String histogram = (String) server.invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        for (String line : histogram.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] parts = t.split("\\s+");
                return Long.parseLong(parts[2]);
            }
        }
        throw new IllegalStateException("no Total line in the class histogram");
    }
}
