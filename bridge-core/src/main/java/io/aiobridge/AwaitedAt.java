package io.aiobridge;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a failure was awaited: the runtime adds one to a failure (as a {@linkplain
 * Throwable#getSuppressed() suppressed exception}) each time a task awaits it, so the failure's
 * stack trace shows the chain of awaits that carried it, not only the frames where it was thrown
 * (which, for a Mono completed on a Netty thread or a task on another loop, say nothing about the
 * caller). The failure keeps its identity and type; only its suppressed list grows, as Reactor's
 * {@code checkpoint()} and kotlinx's stack-trace recovery do it. It costs one stack walk per
 * failed await and nothing on success.
 *
 * <pre>
 * java.io.IOException: upstream refused
 *     at ...UpstreamClient.lambda$fetch$0(UpstreamClient.java:31)      (where it was thrown)
 *     Suppressed: io.aiobridge.AwaitedAt: awaited by task 'quote-7'
 *         at ...QuoteService.quote(QuoteService.java:52)               (where it was awaited)
 *         at ...QuoteController.lambda$get$1(QuoteController.java:40)
 * </pre>
 *
 * <p>A failure records at most {@value #MAX_PER_FAILURE} awaits (a failure awaited by a thousand
 * gathers stays small). Cancellations are not failures and are never marked. Turn it off with
 * {@code -Daiobridge.asyncStackTraces=false}.
 */
public final class AwaitedAt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The most awaits recorded on one failure. */
    public static final int MAX_PER_FAILURE = 8;

    static final boolean ENABLED = !"false".equalsIgnoreCase(
            System.getProperty("aiobridge.asyncStackTraces", "true"));

    private AwaitedAt(String message) {
        super(message, null, false, true);
    }

    /** Adds where {@code task} awaits {@code failure}; called on the task's thread. */
    static void mark(Throwable failure, Task<?> task) {
        if (!ENABLED || failure instanceof CancelledError) {
            return;
        }
        Throwable[] already = failure.getSuppressed();
        int count = 0;
        for (Throwable s : already) {
            if (s instanceof AwaitedAt) {
                count++;
            }
        }
        if (count >= MAX_PER_FAILURE) {
            return;
        }
        AwaitedAt here = new AwaitedAt("awaited by task '" + task.getName() + "'");
        here.setStackTrace(userFrames(here.getStackTrace()));
        failure.addSuppressed(here); // no-op for a failure made without suppression
    }

    /** Drops the runtime's own frames above the first frame of the caller's code. */
    private static StackTraceElement[] userFrames(StackTraceElement[] frames) {
        int first = 0;
        while (first < frames.length && isRuntime(frames[first])) {
            first++;
        }
        List<StackTraceElement> kept = new ArrayList<>(frames.length - first);
        for (int i = first; i < frames.length; i++) {
            kept.add(frames[i]);
        }
        return kept.toArray(new StackTraceElement[0]);
    }

    /** The classes an await passes through before it reaches the caller's code. */
    private static final List<String> AWAIT_PATH = List.of("io.aiobridge.AwaitedAt",
            "io.aiobridge.Task", "io.aiobridge.AsyncFuture", "io.aiobridge.Aio",
            "io.aiobridge.Awaitable", "io.aiobridge.Sleep", "io.aiobridge.flow.FlowAwait",
            "io.aiobridge.reactor.ReactorAwait", "io.aiobridge.rxjava.RxAwait");

    private static boolean isRuntime(StackTraceElement e) {
        String c = e.getClassName();
        for (String p : AWAIT_PATH) {
            if (c.equals(p) || c.startsWith(p) && c.charAt(p.length()) == '$') {
                return true;
            }
        }
        return false;
    }
}
