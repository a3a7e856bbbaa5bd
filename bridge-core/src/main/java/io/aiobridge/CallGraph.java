package io.aiobridge;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who is waiting for what: asyncio 3.14's call graph ({@code asyncio.capture_call_graph}, {@code
 * format_call_graph}, {@code print_call_graph}). A graph is a future or task, where its code is
 * now ({@link #callStack()}, innermost frame first; empty for a plain future), and a graph for
 * each task that waits for it ({@link #awaitedBy()}), down to the tasks nobody awaits.
 *
 * <pre>{@code
 * CallGraph.print(stuckTask, System.err);
 * // * Task(name='fetch-7', id=0x1b6d3586)
 * //   + Call stack:
 * //   |   File 'Client.java', line 41, in com.example.Client.fetch()
 * //   + Awaited by:
 * //       * Task(name='Task-1', id=0x4554617c)
 * //         + Call stack:
 * //         |   File 'Main.java', line 12, in com.example.Main.main()
 * }</pre>
 *
 * <p>A task waits for a future when it awaits it, or awaits a {@link Aio#gather gather}, {@link
 * Aio#shield shield}, {@link Aio#wait wait} or timed {@link Aio#waitFor waitFor} that waits for
 * it; the parent task of a {@link TaskGroup} waits for each of the group's tasks, as in asyncio.
 * A task's frames are read from its virtual thread (and, while it runs an async generator's body,
 * from the body's thread first), without the runtime's own frames. Nothing is recorded while the
 * program runs: the graph is read from the loop's state when asked, so awaiting costs nothing
 * extra.
 *
 * <p><b>Threading:</b> call it from the loop's thread (a task or a callback), or while the loop
 * does not run; from another thread while the loop runs it throws {@link WrongThreadException}.
 *
 * @param future the future or task
 * @param callStack where its code is now, innermost frame first
 * @param awaitedBy a graph for each task that waits for it
 */
public record CallGraph(AsyncFuture<?> future, List<StackTraceElement> callStack,
        List<CallGraph> awaitedBy) {

    /**
     * A graph as it was captured.
     *
     * @param future the future or task
     * @param callStack where its code is now, innermost frame first
     * @param awaitedBy a graph for each task that waits for it
     */
    public CallGraph {
        Objects.requireNonNull(future, "future is null");
        callStack = List.copyOf(Objects.requireNonNull(callStack, "callStack is null"));
        awaitedBy = List.copyOf(Objects.requireNonNull(awaitedBy, "awaitedBy is null"));
    }

    /**
     * The graph of the current task: {@code capture_call_graph()}.
     *
     * @return the graph, or null when the loop's thread runs a callback, not a task
     * @throws IllegalStateException outside a running loop
     */
    public static CallGraph capture() {
        return capture(null, 1, null);
    }

    /**
     * The graph of {@code future}: {@code capture_call_graph(future)}.
     *
     * @param future the future or task; null for the current task
     * @return the graph, or null when {@code future} is null and no task runs
     * @throws IllegalStateException if {@code future} is null outside a running loop
     */
    public static CallGraph capture(AsyncFuture<?> future) {
        return capture(future, 1, null);
    }

    /**
     * The graph of {@code future}: {@code capture_call_graph(future, depth=, limit=)}.
     *
     * @param future the future or task; null for the current task
     * @param depth for the current task: how many frames to start from, 1 being the caller's
     * @param limit null for every frame; a positive {@code n} keeps the {@code n} outermost
     *     frames of each task, a negative {@code -n} the {@code n} innermost, 0 none, and then
     *     no stack is read at all (asyncio's convention, applied to every task in the graph)
     * @return the graph, or null when {@code future} is null and no task runs
     * @throws IllegalStateException if {@code future} is null outside a running loop
     * @throws IllegalArgumentException if {@code depth} is below 1
     */
    public static CallGraph capture(AsyncFuture<?> future, int depth, Integer limit) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1 (the caller's frame),"
                    + " got " + depth);
        }
        BaseEventLoop running = BaseEventLoop.ofCurrentThread();
        Task<?> current = Baton.taskOfCurrentThread();
        if (future == null) {
            if (running == null) {
                throw new IllegalStateException("capture_call_graph() is called outside of a"
                        + " running event loop and no *future* to introspect was provided; call"
                        + " it from a task, or pass the future or task to look at");
            }
            if (current == null) {
                return null;
            }
            future = current;
        }
        future.loop.checkThread("CallGraph.capture()");
        List<StackTraceElement> stack;
        if (future == current && !Objects.equals(limit, 0)) {
            // the caller's frames, skipping depth - 1 of them (the runtime's are already out)
            List<StackTraceElement> all = current.callStack();
            stack = all.subList(Math.min(depth - 1, all.size()), all.size());
        } else {
            stack = stackOf(future, limit);
        }
        return build(future, stack, limit, new ArrayList<>());
    }

    /** A task's frames; none for a future, or when limit 0 asks for none (nothing is read). */
    private static List<StackTraceElement> stackOf(AsyncFuture<?> f, Integer limit) {
        return f instanceof Task<?> t && !Objects.equals(limit, 0) ? t.callStack() : List.of();
    }

    private static CallGraph build(AsyncFuture<?> f, List<StackTraceElement> stack, Integer limit,
            List<AsyncFuture<?>> path) {
        path.add(f);
        List<CallGraph> by = new ArrayList<>();
        for (Task<?> t : f.awaitedBy()) {
            if (!path.contains(t)) { // tasks that await each other: show the cycle once
                by.add(build(t, stackOf(t, limit), limit, path));
            }
        }
        path.remove(path.size() - 1);
        return new CallGraph(f, trim(stack, limit), by);
    }

    /** asyncio's limit: n > 0 keeps the n outermost frames, n < 0 the -n innermost. */
    private static List<StackTraceElement> trim(List<StackTraceElement> stack, Integer limit) {
        if (limit == null) {
            return stack;
        }
        int n = Math.min(Math.abs(limit), stack.size());
        return limit >= 0 ? stack.subList(stack.size() - n, stack.size()) : stack.subList(0, n);
    }

    /**
     * The graph of {@code future} as text: {@code format_call_graph(future)}.
     *
     * @param future the future or task; null for the current task
     * @return the text, or "" when {@code future} is null and no task runs
     * @throws IllegalStateException if {@code future} is null outside a running loop
     */
    public static String format(AsyncFuture<?> future) {
        return format(future, 1, null);
    }

    /**
     * The graph of {@code future} as text: {@code format_call_graph(future, depth=, limit=)}.
     *
     * @param future the future or task; null for the current task
     * @param depth as in {@link #capture(AsyncFuture, int, Integer)}
     * @param limit as in {@link #capture(AsyncFuture, int, Integer)}
     * @return the text, or "" when {@code future} is null and no task runs
     * @throws IllegalStateException if {@code future} is null outside a running loop
     */
    public static String format(AsyncFuture<?> future, int depth, Integer limit) {
        CallGraph g = capture(future, depth, limit);
        return g == null ? "" : g.render();
    }

    /**
     * Prints the graph of {@code future}: {@code print_call_graph(future, file=)}.
     *
     * @param future the future or task; null for the current task
     * @param out where to print; null prints to {@code System.out}, as {@code file=None} prints
     *     to {@code sys.stdout}
     * @throws IllegalStateException if {@code future} is null outside a running loop
     */
    public static void print(AsyncFuture<?> future, PrintStream out) {
        (out == null ? System.out : out).println(format(future, 1, null));
    }

    /**
     * This graph as text, in asyncio's layout: a line per future or task, its call stack, then
     * the graphs of its awaiters, each level indented by four spaces.
     *
     * @return the text, without a trailing newline
     */
    public String render() {
        List<String> lines = new ArrayList<>();
        render(this, lines, 0);
        return String.join("\n", lines);
    }

    private static void render(CallGraph g, List<String> lines, int level) {
        String indent = "    ".repeat(level);
        String id = "id=0x" + Integer.toHexString(System.identityHashCode(g.future));
        lines.add(indent + (g.future instanceof Task<?> t
                ? "* Task(name='" + t.getName() + "', " + id + ")"
                : "* Future(" + id + ")"));
        if (!g.callStack.isEmpty()) {
            lines.add(indent + "  + Call stack:");
            for (StackTraceElement e : g.callStack) {
                lines.add(indent + "  |   File '" + e.getFileName() + "', line "
                        + e.getLineNumber() + ", in " + e.getClassName() + "."
                        + e.getMethodName() + "()");
            }
        }
        if (!g.awaitedBy.isEmpty()) {
            lines.add(indent + "  + Awaited by:");
            for (CallGraph by : g.awaitedBy) {
                render(by, lines, level + 1);
            }
        }
    }
}
