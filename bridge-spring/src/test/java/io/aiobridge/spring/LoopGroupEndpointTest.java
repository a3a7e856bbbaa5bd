package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The actuator endpoint's report of who waits for each task (asyncio 3.14's {@code pstree}),
 * read on each loop's thread, and its fallback when a loop does not answer in time.
 */
class LoopGroupEndpointTest {

    private static LoopGroupEndpoint.TaskReport find(LoopGroupEndpoint.GroupReport report,
            String name) {
        return report.loops().stream().flatMap(l -> l.tasks().stream())
                .filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no task " + name + " in " + report));
    }

    @Test
    void eachTaskListsTheTasksWaitingForIt() throws Exception {
        try (EventLoopGroup group = EventLoopGroup.create(1)) {
            CountDownLatch waiting = new CountDownLatch(2);
            CompletableFuture<Void> parent = group.submit(() -> {
                Aio.currentTask().setName("parent");
                AsyncFuture<Void> never = Aio.getRunningLoop().createFuture();
                return TaskGroup.run(tg -> {
                    Task<Void> worker = tg.createTask(() -> {
                        waiting.countDown();
                        return never.await();
                    }, "worker");
                    tg.createTask(() -> {
                        waiting.countDown();
                        return worker.await();
                    }, "watcher");
                    return null;
                });
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            LoopGroupEndpoint.GroupReport report = null;
            // the watcher's await is registered once its step suspends: read until it shows
            for (int i = 0; i < 100; i++) {
                report = new LoopGroupEndpoint(group).tasks();
                if (find(report, "worker").awaitedBy().size() == 2) {
                    break;
                }
                Thread.sleep(10);
            }
            assertEquals(List.of("parent", "watcher"), find(report, "worker").awaitedBy()
                    .stream().sorted().toList(), "its group's parent and the task awaiting it");
            assertEquals(List.of("parent"), find(report, "watcher").awaitedBy());
            assertEquals(List.of(), find(report, "parent").awaitedBy(), "nobody awaits it");
            parent.cancel(true);
        }
    }

    @Test
    void aLoopThatDoesNotAnswerInTimeIsReportedWithoutAwaiters() throws Exception {
        try (EventLoopGroup group = EventLoopGroup.create(1)) {
            EventLoop loop = group.loops().get(0);
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            group.submit(() -> {
                Aio.currentTask().setName("stuck");
                blocking.countDown();
                release.await(); // a step that blocks its loop: the misuse being reported
                return null;
            });
            assertTrue(blocking.await(5, TimeUnit.SECONDS));
            try {
                long start = System.nanoTime();
                LoopGroupEndpoint.TaskReport stuck = find(new LoopGroupEndpoint(group).tasks(),
                        "stuck");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertNull(stuck.awaitedBy(), "unknown: " + loop + " did not answer");
                assertTrue(ms < LoopGroupEndpoint.AWAITERS_WAIT_MS + 4000, ms + " ms");
                assertTrue(stuck.stack().stream()
                        .anyMatch(f -> f.contains("LoopGroupEndpointTest")),
                        "its stack is still read, from the endpoint's thread: " + stuck.stack());
            } finally {
                release.countDown();
            }
        }
    }
}
