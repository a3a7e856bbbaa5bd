package io.aiobridge.spring;

import io.aiobridge.Aio;
import io.aiobridge.CallGraph;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Task;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code aiobridge}: every loop of the group and, for each, the tasks not
 * yet done, with where each one's code is now. What {@code /actuator/threaddump} is for threads,
 * and what CPython 3.14's {@code python -m asyncio ps} is for a Python process's tasks: the
 * answer to "what are my coroutines waiting for?", and, as its {@code pstree}, which tasks wait
 * for each one ({@link CallGraph}). Exposed like any actuator endpoint
 * ({@code management.endpoints.web.exposure.include=aiobridge}).
 *
 * <p>Each loop's tasks are read from the actuator's thread without stopping the loop ({@link
 * Aio#allTasks(EventLoop)}); each task's stack is its virtual thread's, as a thread dump reads
 * it. A task that ends while the report is made is shown as it was when its loop was read, or
 * with an empty stack. A loop with more than {@value #MAX_TASKS} live tasks reports its oldest
 * {@value #MAX_TASKS} and the count of all; a stack deeper than {@value #MAX_FRAMES} frames is
 * cut there: reading a stack costs tens of microseconds, and a report of a million tasks would
 * be gigabytes.
 *
 * <p>Who waits for a task is read on its loop's thread (the futures' callbacks belong to the
 * loop): the endpoint hands each running loop one short job and waits for it at most {@value
 * #AWAITERS_WAIT_MS} ms. A loop that does not answer in that time (one busy in a long step) is
 * reported without it ({@code awaitedBy} null), never stalled.
 */
@Endpoint(id = "aiobridge")
public class LoopGroupEndpoint {
    /** The most tasks reported per loop, oldest first. */
    public static final int MAX_TASKS = 1000;
    /** The most frames reported per task, innermost first. */
    public static final int MAX_FRAMES = 100;
    /** How long the endpoint waits for a loop to say who waits for its tasks, in ms. */
    public static final long AWAITERS_WAIT_MS = 1000;

    private final EventLoopGroup group;

    /**
     * An endpoint reporting {@code group}.
     *
     * @param group the loop group
     */
    public LoopGroupEndpoint(EventLoopGroup group) {
        this.group = Objects.requireNonNull(group, "group is null");
    }

    /**
     * The report: the group, its loops, their tasks.
     *
     * @param group the group's name
     * @param shutdown whether the group is shutting down or shut down
     * @param loops each loop, in the group's order
     */
    public record GroupReport(String group, boolean shutdown, List<LoopReport> loops) {}

    /**
     * One loop.
     *
     * @param index its place in the group
     * @param loop the loop's description ({@code toString}: its engine, state and debug flag)
     * @param running whether it is running
     * @param closed whether it is closed
     * @param taskCount how many of its tasks are not done yet
     * @param tasks those tasks, oldest first, at most {@value #MAX_TASKS}
     */
    public record LoopReport(int index, String loop, boolean running, boolean closed,
            int taskCount, List<TaskReport> tasks) {}

    /**
     * One task.
     *
     * @param name the task's name
     * @param task the task's description, as asyncio's repr: its state, what it waits for
     *     ({@code wait_for=}) and, in debug mode, where it was created
     * @param cancelling the cancellation requests not yet withdrawn ({@code Task.cancelling()})
     * @param stack where its code is now, innermost frame first, without the runtime's frames,
     *     at most {@value #MAX_FRAMES}
     * @param awaitedBy the names of the tasks waiting for it, directly or through a gather,
     *     shield, wait or task group ({@link CallGraph#awaitedBy()}); null when its loop did not
     *     answer within {@value #AWAITERS_WAIT_MS} ms or does not run
     */
    public record TaskReport(String name, String task, int cancelling, List<String> stack,
            List<String> awaitedBy) {}

    /**
     * Reads every loop's tasks now.
     *
     * @return the report
     */
    @ReadOperation
    public GroupReport tasks() {
        List<LoopReport> loops = new ArrayList<>();
        List<EventLoop> members = group.loops();
        for (int i = 0; i < members.size(); i++) {
            EventLoop loop = members.get(i);
            List<TaskReport> tasks = new ArrayList<>();
            int count = 0;
            if (!loop.isClosed()) {
                Set<Task<?>> live = Aio.allTasks(loop);
                count = live.size();
                List<Task<?>> shown = live.stream().limit(MAX_TASKS).toList();
                Map<Task<?>, List<String>> awaiters = awaitersOf(loop, shown);
                for (Task<?> t : shown) {
                    tasks.add(report(t, awaiters.get(t)));
                }
            }
            loops.add(new LoopReport(i, loop.toString(), loop.isRunning(), loop.isClosed(),
                    count, tasks));
        }
        return new GroupReport(group.name(), group.isShutdown(), loops);
    }

    /** Who waits for each of {@code tasks}, read on their loop's thread; empty if it is late. */
    private static Map<Task<?>, List<String>> awaitersOf(EventLoop loop, List<Task<?>> tasks) {
        if (!loop.isRunning() || tasks.isEmpty()) {
            return Map.of();
        }
        if (Aio.runningLoopOrNull() == loop) {
            return readAwaiters(tasks); // called from the loop's own code: read them here
        }
        CompletableFuture<Map<Task<?>, List<String>>> answer = new CompletableFuture<>();
        try {
            loop.callSoonThreadsafe(() -> {
                try {
                    answer.complete(readAwaiters(tasks));
                } catch (RuntimeException | Error e) {
                    answer.completeExceptionally(e);
                }
            });
            return answer.get(AWAITERS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (IllegalStateException | TimeoutException | ExecutionException closedOrLate) {
            return Map.of(); // the loop closed meanwhile, or did not answer in time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** Runs on the tasks' loop: the names of who waits for each (no stacks are read). */
    private static Map<Task<?>, List<String>> readAwaiters(List<Task<?>> tasks) {
        Map<Task<?>, List<String>> byTask = new IdentityHashMap<>();
        for (Task<?> t : tasks) {
            List<String> names = new ArrayList<>();
            for (CallGraph by : CallGraph.capture(t, 1, 0).awaitedBy()) {
                names.add(((Task<?>) by.future()).getName());
            }
            byTask.put(t, names);
        }
        return byTask;
    }

    private static TaskReport report(Task<?> t, List<String> awaitedBy) {
        List<String> stack = new ArrayList<>();
        for (StackTraceElement e : t.getStack()) {
            if (stack.size() == MAX_FRAMES) {
                break;
            }
            stack.add(e.toString());
        }
        return new TaskReport(t.getName(), t.toString(), t.cancelling(), stack, awaitedBy);
    }
}
