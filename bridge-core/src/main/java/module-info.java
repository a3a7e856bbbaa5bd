/**
 * aiobridge core: Python's asyncio programming model on virtual threads.
 *
 * <p>{@code io.aiobridge} holds the runtime (loop, futures, tasks, timeouts, task groups, context
 * variables); {@code io.aiobridge.sync} the synchronization primitives; {@code io.aiobridge.queue}
 * the queues. Implementation classes are package-private, and {@code io.aiobridge.internal} (not
 * exported) holds runtime pieces shared by several packages.
 */
module io.aiobridge.core {
    requires transitive org.reactivestreams;
    requires jdk.unsupported; // sun.misc.Signal, for addSignalHandler

    exports io.aiobridge;
    exports io.aiobridge.sync;
    exports io.aiobridge.queue;
    exports io.aiobridge.iter;
    exports io.aiobridge.flow;
    exports io.aiobridge.net;
}
