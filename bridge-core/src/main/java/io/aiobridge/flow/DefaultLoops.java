package io.aiobridge.flow;

import io.aiobridge.EventLoop;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared default group of event loops for publishers subscribed from outside any loop: one
 * loop per core, each running forever on a daemon thread named {@code aiobridge-default-loop-N},
 * started lazily on first use. Each subscription is pinned to one loop, chosen round-robin.
 */
final class DefaultLoops {
    private DefaultLoops() {}

    private static final class Holder {
        static final EventLoop[] LOOPS = start(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    private static final AtomicInteger NEXT = new AtomicInteger();

    private static EventLoop[] start(int n) {
        EventLoop[] loops = new EventLoop[n];
        for (int i = 0; i < n; i++) {
            EventLoop loop = EventLoop.newEventLoop();
            loops[i] = loop;
            Thread.ofPlatform().daemon().name("aiobridge-default-loop-" + i).start(loop::runForever);
        }
        return loops;
    }

    /** The loop for the next subscription. */
    static EventLoop next() {
        EventLoop[] loops = Holder.LOOPS;
        return loops[Math.floorMod(NEXT.getAndIncrement(), loops.length)];
    }
}
