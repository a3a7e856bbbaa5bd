package io.aiobridge.bench;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Closing a loop with N suspended tasks: each task awaits a future of its own that never
 * completes, and {@code loop.close()} cancels them all and runs them to their end (their
 * {@code finally} blocks run), as {@code asyncio.run}'s shutdown cancels and gathers whatever is
 * left. Prints {@code close_s}, the seconds {@code close()} took.
 *
 * <p>Two JVM states, because a suspended task's frames stay in the code that was compiled when
 * it parked (docs/performance.md, "Closing a loop with many suspended tasks"): {@code cold}
 * closes the first loop of a fresh JVM, where no task has ever been cancelled before; {@code
 * warm} first closes {@code rounds} loops of N / 5 tasks, as a service that has cancelled tasks
 * before (timeouts, disconnects) would have.
 *
 * <p>Usage: {@code CloseAtScale N cold|warm [rounds]} (rounds: default 4). The CPython peer is
 * {@code python/asyncio_bench.py --close-tasks N}.
 */
public final class CloseAtScale {
    private CloseAtScale() {}

    public static void main(String[] args) {
        if (args.length < 2 || !(args[1].equals("cold") || args[1].equals("warm"))) {
            throw new IllegalArgumentException("usage: CloseAtScale N cold|warm [rounds]");
        }
        int n = Integer.parseInt(args[0]);
        boolean warm = args[1].equals("warm");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        if (warm) {
            for (int i = 0; i < rounds; i++) {
                closeSeconds(Math.max(1, n / 5));
            }
        }
        double s = closeSeconds(n);
        System.out.printf("who=aiobridge tasks=%d jvm=%s warm_rounds=%d close_s=%.2f%n", n,
                args[1], warm ? rounds : 0, s);
    }

    /** Parks {@code n} tasks, each on its own pending future, then times {@code close()}. */
    static double closeSeconds(int n) {
        EventLoop loop = EventLoop.newEventLoop();
        List<Task<Void>> tasks = new ArrayList<>(n);
        int[] finallies = {0};
        loop.runUntilComplete(loop.createTask(() -> {
            for (int i = 0; i < n; i++) {
                AsyncFuture<Void> never = Aio.getRunningLoop().createFuture();
                tasks.add(Aio.createTask(() -> {
                    try {
                        return never.await();
                    } finally {
                        finallies[0]++; // on the loop: no race
                    }
                }));
            }
            Aio.sleep(0); // every task runs to its await and parks
            return null;
        }));
        long t0 = System.nanoTime();
        loop.close();
        long nanos = System.nanoTime() - t0;
        if (finallies[0] != n || !tasks.stream().allMatch(Task::isCancelled)) {
            throw new IllegalStateException("close() left tasks unfinished: " + finallies[0]
                    + " of " + n + " finally blocks ran");
        }
        return nanos / 1e9;
    }
}
