package io.aiobridge.internal;

import io.aiobridge.Context;
import io.aiobridge.EventLoop;
import io.aiobridge.Handle;
import java.nio.channels.SelectableChannel;
import java.util.function.BooleanSupplier;

/**
 * A transport's own access to its loop's selector. The loop's public {@code addReader},
 * {@code addWriter}, {@code removeReader}, {@code removeWriter} and {@code sock*} functions
 * refuse a channel a live transport owns (asyncio's {@code _ensure_fd_no_transport}: "File
 * descriptor ... is used by transport ..."), since a callback put there would steal the
 * transport's events; the transports themselves come through here. Installed by the loop class,
 * as {@link LoopResources}.
 */
public final class TransportIo {
    private TransportIo() {}

    /** The runtime's side. */
    public interface Ops {
        /**
         * Adds a reader or writer, without the ownership check.
         *
         * @param loop the loop
         * @param channel the channel
         * @param callback the callback
         * @param reader reader, else writer
         * @param context the context the callback runs in (not a copy), or null for a copy of
         *     the current one
         * @return the handle
         */
        Handle add(Object loop, SelectableChannel channel, Runnable callback, boolean reader,
                Context context);

        /**
         * Runs {@code r} inside {@code context} (see {@link TransportIo#runIn}).
         *
         * @param context the context, or null
         * @param r what to run
         */
        void runIn(Context context, Runnable r);

        /**
         * Removes a reader or writer, without the ownership check.
         *
         * @param loop the loop
         * @param channel the channel
         * @param reader reader, else writer
         * @return whether one was registered
         */
        boolean remove(Object loop, SelectableChannel channel, boolean reader);

        /**
         * Marks {@code channel} as owned by {@code transport} until it closes.
         *
         * @param loop the loop
         * @param channel the channel
         * @param transport the owner, for the refusal's message
         * @param closing whether the owner is closing (a closing transport no longer guards)
         */
        void claim(Object loop, SelectableChannel channel, Object transport,
                BooleanSupplier closing);

        /**
         * Forgets the owner of {@code channel}.
         *
         * @param loop the loop
         * @param channel the channel
         */
        void release(Object loop, SelectableChannel channel);

        /**
         * Refuses a call from a thread other than the one running {@code loop}'s code while it
         * runs (see {@link TransportIo#checkThread}).
         *
         * @param loop the loop
         * @param what the call, for the message
         */
        void checkThread(Object loop, String what);
    }

    /**
     * The threading contract of a loop-confined I/O object (a transport, a stream reader):
     * while its loop runs, only the loop's code may call {@code what}; before the loop runs, one
     * thread may set the object up. The check is the loop's own (one read of who holds it), and
     * its message starts with asyncio's (debug mode).
     *
     * @param loop the object's loop
     * @param what the call, for the message ({@code "StreamReader.feedData()"})
     * @throws WrongThreadException from another thread while the loop runs
     */
    public static void checkThread(EventLoop loop, String what) {
        ops.checkThread(loop, what);
    }

    private static volatile Ops ops;

    /**
     * Installs the runtime's side; called once, by the loop class.
     *
     * @param o the implementation
     */
    public static void install(Ops o) {
        ops = o;
    }

    /**
     * {@code loop._add_reader}, the callback running in the protocol's context.
     *
     * @param loop the loop
     * @param channel the transport's channel
     * @param callback the callback
     * @param context the protocol's context
     * @return the handle
     */
    public static Handle addReader(Object loop, SelectableChannel channel, Runnable callback,
            Context context) {
        return ops.add(loop, channel, callback, true, context);
    }

    /**
     * {@code loop._add_writer}, the callback running in the protocol's context.
     *
     * @param loop the loop
     * @param channel the transport's channel
     * @param callback the callback
     * @param context the protocol's context
     * @return the handle
     */
    public static Handle addWriter(Object loop, SelectableChannel channel, Runnable callback,
            Context context) {
        return ops.add(loop, channel, callback, false, context);
    }

    /**
     * Runs {@code r} inside the protocol's context {@code context}, as uvloop runs every
     * protocol callback in the context the connection was made in: a write that pauses the
     * protocol, a close, a resume, from whatever context the caller is in. At once if that is
     * the current context already or it is entered elsewhere now.
     *
     * @param context the protocol's context, or null (run as is)
     * @param r the protocol's callback
     */
    public static void runIn(Context context, Runnable r) {
        ops.runIn(context, r);
    }

    /**
     * {@code loop._remove_reader}.
     *
     * @param loop the loop
     * @param channel the transport's channel
     * @return whether a reader was registered
     */
    public static boolean removeReader(Object loop, SelectableChannel channel) {
        return ops.remove(loop, channel, true);
    }

    /**
     * {@code loop._remove_writer}.
     *
     * @param loop the loop
     * @param channel the transport's channel
     * @return whether a writer was registered
     */
    public static boolean removeWriter(Object loop, SelectableChannel channel) {
        return ops.remove(loop, channel, false);
    }

    /**
     * Marks {@code channel} as the transport's ({@code loop._transports[fd] = transport}).
     *
     * @param loop the loop
     * @param channel the channel
     * @param transport the transport
     * @param closing whether it is closing
     */
    public static void claim(Object loop, SelectableChannel channel, Object transport,
            BooleanSupplier closing) {
        ops.claim(loop, channel, transport, closing);
    }

    /**
     * The transport closed its channel.
     *
     * @param loop the loop
     * @param channel the channel
     */
    public static void release(Object loop, SelectableChannel channel) {
        ops.release(loop, channel);
    }
}
