package io.aiobridge.internal;

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

    /**
     * Installs the runtime's side; called once, by the loop class.
     *
     * @param ownFn registers a resource with a loop
     * @param disownFn forgets it
     */
    public static void install(BiConsumer<Object, AutoCloseable> ownFn,
            BiConsumer<Object, AutoCloseable> disownFn) {
        own = ownFn;
        disown = disownFn;
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
