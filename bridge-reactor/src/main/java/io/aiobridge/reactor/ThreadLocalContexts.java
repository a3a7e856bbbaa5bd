package io.aiobridge.reactor;

import io.micrometer.context.ContextSnapshotFactory;
import reactor.core.publisher.Hooks;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * ThreadLocal values (MDC, tracing) across the bridge, through Micrometer's {@code
 * context-propagation} library, under the same switch as Reactor's own automatic context
 * propagation: active when the library is on the class path and {@link
 * Hooks#enableAutomaticContextPropagation()} has been called (Spring Boot calls it for {@code
 * spring.reactor.context-propagation=auto}). Otherwise every method here is a no-op, and the
 * library need not be present: only {@link Micrometer} names its types.
 *
 * <p>A task is a thread, so ThreadLocals set in a task stay set across its awaits; nothing has to
 * restore them at each resumption, as Reactor has to at each operator.
 */
final class ThreadLocalContexts {
    private ThreadLocalContexts() {}

    private static final boolean PRESENT = present();

    private static boolean present() {
        try {
            Class.forName("io.micrometer.context.ContextSnapshotFactory", false,
                    ThreadLocalContexts.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static boolean active() {
        return PRESENT && Hooks.isAutomaticContextPropagationEnabled();
    }

    /**
     * Task to Reactor: the current thread's registered ThreadLocal values written into {@code
     * ctx} (a value already in the Context under the same key is replaced, as by Reactor's {@code
     * contextCapture()}).
     */
    static Context capture(Context ctx) {
        return active() ? Micrometer.capture(ctx) : ctx;
    }

    /** The undo of {@link #restore}. */
    interface Restored extends AutoCloseable {
        @Override
        void close();
    }

    private static final Restored NOTHING = () -> {};

    /**
     * Reactor to task: sets the current thread's registered ThreadLocals from {@code view}'s
     * entries; closing the result puts back the previous values.
     */
    static Restored restore(ContextView view) {
        return active() && !view.isEmpty() ? Micrometer.restore(view) : NOTHING;
    }

    /** The only class here that names the library's types; loaded only when it is present. */
    private static final class Micrometer {
        private static final ContextSnapshotFactory FACTORY = ContextSnapshotFactory.builder().build();

        static Context capture(Context ctx) {
            return FACTORY.captureAll().updateContext(ctx);
        }

        static Restored restore(ContextView view) {
            return FACTORY.setThreadLocalsFrom(view)::close;
        }
    }
}
