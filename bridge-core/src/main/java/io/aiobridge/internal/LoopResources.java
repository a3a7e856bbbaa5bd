package io.aiobridge.internal;

import java.nio.channels.SelectableChannel;
import java.util.function.BiConsumer;

/**
 * What the I/O packages need from a loop beyond its public API: registering a resource (a server,
 * a transport, a subprocess) that the loop closes when it closes, as asyncio's loop owns its
 * transports. The runtime installs the implementation when its loop class initializes (the JDK's
 * "shared secrets" pattern); a loop exists before anything asks, so it is always installed.
 */
public final class LoopResources {
    private LoopResources() {}

    private static volatile BiConsumer<Object, AutoCloseable> own;
    private static volatile BiConsumer<Object, AutoCloseable> disown;
    private static volatile BiConsumer<Object, SelectableChannel> closeNow;

    /**
     * Installs the runtime's side; called once, by the loop class.
     *
     * @param ownFn registers a resource with a loop
     * @param disownFn forgets it
     * @param closeNowFn closes a channel registered with the loop's selector at once
     */
    public static void install(BiConsumer<Object, AutoCloseable> ownFn,
            BiConsumer<Object, AutoCloseable> disownFn,
            BiConsumer<Object, SelectableChannel> closeNowFn) {
        own = ownFn;
        disown = disownFn;
        closeNow = closeNowFn;
    }

    /**
     * Closes {@code channel} now, as asyncio closes a socket: NIO defers closing a channel that is
     * (or was) registered with a selector until that selector's next select, and a listening
     * socket goes on queueing connections meanwhile, which are then reset. Call on the loop.
     *
     * @param loop an event loop
     * @param channel the channel
     */
    public static void closeNow(Object loop, SelectableChannel channel) {
        closeNow.accept(loop, channel);
    }

    /**
     * Makes {@code loop} close {@code resource} when the loop closes. Call on the loop.
     *
     * @param loop an event loop
     * @param resource the resource
     */
    public static void own(Object loop, AutoCloseable resource) {
        own.accept(loop, resource);
    }

    /**
     * Forgets {@code resource} (it closed by itself). Call on the loop.
     *
     * @param loop an event loop
     * @param resource the resource
     */
    public static void disown(Object loop, AutoCloseable resource) {
        disown.accept(loop, resource);
    }
}
