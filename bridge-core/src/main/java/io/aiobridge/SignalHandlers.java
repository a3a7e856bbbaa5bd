package io.aiobridge;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * asyncio's {@code loop.add_signal_handler}: a process signal runs a callback on a loop. One
 * handler per signal in the process, as in asyncio (the last loop to add one has it); removing
 * it, or closing the loop, gives the signal back the handler the JVM had before (for SIGINT,
 * SIGTERM and SIGHUP that is the JVM's own: the shutdown hooks run again).
 *
 * <p>The JVM's signal API ({@code sun.misc.Signal}, in {@code jdk.unsupported}) takes names; so
 * does this class ("SIGINT" or "INT"). Signals the JVM keeps for itself (SIGQUIT for thread dumps,
 * SIGKILL and SIGSTOP which nobody can catch) are refused with asyncio's message.
 */
final class SignalHandlers {
    private SignalHandlers() {}

    /** One signal's registration: the loop that owns it and what the JVM had before. */
    private record Owner(BaseEventLoop loop, SignalHandler original) { }

    /** Guarded by the class: the signals a loop handles now. */
    private static final Map<String, Owner> OWNERS = new HashMap<>();

    /**
     * "SIGINT" or "int" to "INT", as {@code sun.misc.Signal} names it.
     *
     * @throws IllegalArgumentException for a name the JVM does not know
     */
    static Signal signal(String sig) {
        Objects.requireNonNull(sig, "sig is null; pass a signal name such as \"SIGINT\"");
        String name = sig.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        try {
            return new Signal(name);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException("sig " + sig + " is not a signal this platform"
                    + " knows; pass a name such as \"SIGINT\", \"SIGTERM\" or \"SIGHUP\"",
                    unknown);
        }
    }

    static void add(BaseEventLoop loop, String sig, Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        Signal signal = signal(sig);
        String key = signal.getName();
        SignalHandler ours = s -> deliver(key, loop, callback);
        synchronized (SignalHandlers.class) {
            SignalHandler previous;
            try {
                previous = Signal.handle(signal, ours);
            } catch (IllegalArgumentException used) {
                throw new IllegalStateException("sig SIG" + key + " cannot be caught: the JVM"
                        + " keeps it for itself (" + used.getMessage() + ")", used);
            }
            // the JVM leaves a shutdown signal that the process ignores (started with nohup,
            // or in the background by a non-interactive shell) ignored, without saying so
            if (Signal.handle(signal, ours) != ours) {
                Signal.handle(signal, previous);
                throw new IllegalStateException("sig SIG" + key + " cannot be caught: this"
                        + " process ignores it (started with nohup, or in the background by a"
                        + " non-interactive shell), and the JVM will not handle an ignored"
                        + " SIG" + key + "; start the JVM in the foreground, or use another"
                        + " signal");
            }
            Owner before = OWNERS.get(key);
            OWNERS.put(key, new Owner(loop, before != null ? before.original() : previous));
        }
    }

    private static void deliver(String key, BaseEventLoop loop, Runnable callback) {
        synchronized (SignalHandlers.class) {
            Owner o = OWNERS.get(key);
            if (o == null || o.loop() != loop) {
                return; // removed, or another loop took the signal, as the signal arrived
            }
        }
        try {
            loop.callSoonThreadsafe(callback);
        } catch (IllegalStateException closed) {
            // the loop closed as the signal arrived: its handlers are being removed
        }
    }

    static boolean remove(BaseEventLoop loop, String sig) {
        Signal signal = signal(sig);
        synchronized (SignalHandlers.class) {
            Owner o = OWNERS.get(signal.getName());
            if (o == null || o.loop() != loop) {
                return false;
            }
            OWNERS.remove(signal.getName());
            Signal.handle(signal, o.original());
            return true;
        }
    }

    /** Closing a loop removes its handlers, as asyncio's {@code close()} does. */
    static void removeAll(BaseEventLoop loop) {
        synchronized (SignalHandlers.class) {
            for (String key : List.copyOf(OWNERS.keySet())) {
                if (OWNERS.get(key).loop() == loop) {
                    remove(loop, key);
                }
            }
        }
    }
}
