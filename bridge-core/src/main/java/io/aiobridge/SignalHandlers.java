package io.aiobridge;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * asyncio's {@code loop.add_signal_handler}: a process signal runs a callback on a loop. One
 * handler per signal in the process, as in asyncio (the last loop to add one has it); removing
 * it, or closing the loop, gives the signal back the handler the JVM had before (for SIGINT,
 * SIGTERM and SIGHUP that is the JVM's own: the shutdown hooks run again).
 *
 * <p>The JVM's signal API ({@code sun.misc.Signal}, in {@code jdk.unsupported}) takes names; so
 * does this class ("SIGINT" or "INT"). Signals the JVM keeps for itself (SIGQUIT for thread dumps,
 * SIGKILL and SIGSTOP which nobody can catch) are refused with asyncio's message. It is reached
 * through method handles, not named in the source: compiled for a release, every use of it is a
 * warning that nothing can silence, and the build fails on warnings.
 */
final class SignalHandlers {
    private SignalHandlers() {}

    /** One signal's registration: the loop that owns it and the JVM's handler before it. */
    private record Owner(BaseEventLoop loop, Object original) { }

    private static final Class<?> SIGNAL_HANDLER;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle GET_NAME;
    private static final MethodHandle HANDLE;
    private static final Throwable UNAVAILABLE;

    static {
        Class<?> handler = null;
        MethodHandle newSignal = null;
        MethodHandle getName = null;
        MethodHandle handle = null;
        Throwable unavailable = null;
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            handler = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            newSignal = l.findConstructor(signal, MethodType.methodType(void.class, String.class));
            getName = l.findVirtual(signal, "getName", MethodType.methodType(String.class));
            handle = l.findStatic(signal, "handle",
                    MethodType.methodType(handler, signal, handler));
        } catch (ReflectiveOperationException | LinkageError e) {
            unavailable = e;
        }
        SIGNAL_HANDLER = handler;
        NEW_SIGNAL = newSignal;
        GET_NAME = getName;
        HANDLE = handle;
        UNAVAILABLE = unavailable;
    }

    /** Calls {@code sun.misc} through {@code h}, rethrowing what it throws as it is. */
    private static Object invoke(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code sun.misc.Signal.handle(signal, handler)}: the handler before. */
    private static Object handle(Object signal, Object handler) {
        return invoke(HANDLE, signal, handler);
    }

    /** A {@code sun.misc.SignalHandler} that runs {@code onSignal}. */
    private static Object handler(Runnable onSignal) {
        return Proxy.newProxyInstance(SignalHandlers.class.getClassLoader(),
                new Class<?>[] {SIGNAL_HANDLER}, (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        onSignal.run();
                        yield null;
                    }
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "aiobridge signal handler";
                });
    }

    /** Guarded by the class: the signals a loop handles now. */
    private static final Map<String, Owner> OWNERS = new HashMap<>();

    /**
     * "SIGINT" or "int" to the JVM's {@code Signal} "INT".
     *
     * @throws IllegalArgumentException for a name the JVM does not know
     * @throws UnsupportedOperationException without the JDK module {@code jdk.unsupported}
     */
    static Object signal(String sig) {
        Objects.requireNonNull(sig, "sig is null; pass a signal name such as \"SIGINT\"");
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException("signal handlers need the JDK's module"
                    + " jdk.unsupported (sun.misc.Signal), which this runtime lacks: add it"
                    + " to the image (jlink --add-modules jdk.unsupported)", UNAVAILABLE);
        }
        String name = sig.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        try {
            return invoke(NEW_SIGNAL, name);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException("sig " + sig + " is not a signal this platform"
                    + " knows; pass a name such as \"SIGINT\", \"SIGTERM\" or \"SIGHUP\"",
                    unknown);
        }
    }

    static void add(BaseEventLoop loop, String sig, Runnable callback) {
        Objects.requireNonNull(callback, "callback is null");
        Object signal = signal(sig);
        String key = (String) invoke(GET_NAME, signal);
        Object ours = handler(() -> deliver(key, loop, callback));
        synchronized (SignalHandlers.class) {
            Object previous;
            try {
                previous = handle(signal, ours);
            } catch (IllegalArgumentException used) {
                throw new IllegalStateException("sig SIG" + key + " cannot be caught: the JVM"
                        + " keeps it for itself (" + used.getMessage() + ")", used);
            }
            // the JVM leaves a shutdown signal that the process ignores (started with nohup,
            // or in the background by a non-interactive shell) ignored, without saying so
            if (handle(signal, ours) != ours) {
                handle(signal, previous);
                throw new IllegalStateException("sig SIG" + key + " cannot be caught: this"
                        + " process ignores it (started with nohup, or in the background by a"
                        + " non-interactive shell), and the JVM will not handle an ignored"
                        + " SIG" + key + "; start the JVM in the foreground, or use another"
                        + " signal");
            }
            Owner before = OWNERS.get(key);
            OWNERS.put(key, new Owner(loop, before != null ? before.original() : previous));
            if (loop.isClosed()) {
                // closed while this call ran: its close() may have removed its handlers first
                remove(loop, key);
                loop.checkOpen();
            }
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
        Object signal = signal(sig);
        String key = (String) invoke(GET_NAME, signal);
        synchronized (SignalHandlers.class) {
            Owner o = OWNERS.get(key);
            if (o == null || o.loop() != loop) {
                return false;
            }
            OWNERS.remove(key);
            handle(signal, o.original());
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
