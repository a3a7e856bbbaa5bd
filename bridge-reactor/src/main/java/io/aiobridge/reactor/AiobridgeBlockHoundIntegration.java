package io.aiobridge.reactor;

import io.aiobridge.Aio;
import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound for asyncio-style code: a blocking call made while holding a loop (in a task or a
 * loop callback) is reported where it is made, while the runtime's own suspensions pass.
 *
 * <p>Found by BlockHound's service loader when {@code BlockHound.install()} runs with this jar on
 * the class path. A task is a virtual thread, and on JDK 19+ a virtual thread that blocks parks in
 * {@code VirtualThread.park}/{@code parkNanos} rather than in the native calls BlockHound watches
 * on platform threads, so those two are marked as blocking; a suspension of our own
 * ({@code await}, {@code sleep}, a queue's {@code get}) parks inside the baton hand-off or the
 * loop's idle wait, which are allowed. So {@code Thread.sleep}, a pending {@code
 * CompletableFuture.get()}, a JDBC read or a {@code synchronized} wait inside a task fail with
 * BlockHound's {@code BlockingOperationError}, and {@code Aio.toThread(...)} is the way out: its
 * job runs on a thread that holds no loop. ({@code Mono.block()} there fails earlier, with
 * Reactor's own error: the bridge registers a loop's threads as non-blocking with Reactor.)
 *
 * <p>Needs the JVM flags BlockHound needs on JDK 13+ ({@code
 * -XX:+AllowRedefinitionToAddDeleteMethods}, and on JDK 21+ {@code -XX:+EnableDynamicAgentLoading}).
 */
public final class AiobridgeBlockHoundIntegration implements BlockHoundIntegration {

    /** Made by BlockHound's service loader. */
    public AiobridgeBlockHoundIntegration() {}

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // any thread may start running a loop (runForever on a main thread) and stop again, so
        // whether it holds one is asked at each blocking call, not once per thread
        builder.addDynamicThreadPredicate(t -> true);
        builder.nonBlockingThreadPredicate(p -> p.or(t -> Aio.runningLoopOrNull() != null));
        builder.markAsBlocking("java.lang.VirtualThread", "park", "()V");
        builder.markAsBlocking("java.lang.VirtualThread", "parkNanos", "(J)V");
        // the runtime's own waits: a task handing the loop on, the loop waiting for work
        builder.allowBlockingCallsInside("io.aiobridge.Baton", "awaitTurn");
        builder.allowBlockingCallsInside("io.aiobridge.BaseEventLoop", "waitForEvents");
        builder.allowBlockingCallsInside("io.aiobridge.BaseEventLoop", "pollIo");
        // a library's first use inside a task reads its service files once (Micrometer's
        // context-propagation, for one): one-time start-up, not blocking I/O on the loop
        builder.allowBlockingCallsInside("java.util.ServiceLoader$LazyClassPathLookupIterator",
                "parse");
    }
}
