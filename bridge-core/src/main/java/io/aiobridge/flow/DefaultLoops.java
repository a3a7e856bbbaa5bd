package io.aiobridge.flow;

import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;

/**
 * Where a publisher subscribed from outside any loop runs: the next loop of {@link
 * EventLoopGroup#defaultGroup()}, chosen round-robin; each subscription stays on that loop.
 */
final class DefaultLoops {
    private DefaultLoops() {}

    /** The loop for the next subscription. */
    static EventLoop next() {
        try {
            return EventLoopGroup.defaultGroup().next();
        } catch (IllegalStateException shutDownMeanwhile) {
            // closed between the lookup and the choice: the next lookup makes a new default
            return EventLoopGroup.defaultGroup().next();
        }
    }
}
