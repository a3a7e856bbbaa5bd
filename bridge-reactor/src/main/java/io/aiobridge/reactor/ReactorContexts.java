package io.aiobridge.reactor;

import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Context;
import io.aiobridge.ContextVar;
import io.aiobridge.Coroutine;
import java.util.Map;
import reactor.util.context.ContextView;

/**
 * The mapping between Reactor's {@code Context} and aiobridge's {@link ContextVar}s: a {@code
 * ContextVar} is itself the Reactor Context key.
 *
 * <ul>
 *   <li><b>Reactor -> aiobridge.</b> A Mono or Flux made by {@link ReactorPublish} from a
 *       coroutine or generator sets, in its task's context, every {@code ContextVar} key of the
 *       subscriber's Reactor Context to that key's value: {@code
 *       mono.contextWrite(Context.of(REQUEST_ID, "r-1"))} makes {@code REQUEST_ID.get()} return
 *       {@code "r-1"} in the coroutine. The whole Context (Spring Security's, the exchange,
 *       tracing: any key) rides along with the task ({@link #current()}) and is written back
 *       into every Mono or Flux the task awaits or iterates, as kotlinx's {@code mono { }}
 *       does, so {@code ReactiveSecurityContextHolder.getContext()} awaited in a handler's
 *       coroutine finds the request's security context.
 *   <li><b>aiobridge -> Reactor.</b> A Mono or Flux awaited or iterated in a task through {@link
 *       ReactorAwait} or {@link ReactorIterate#iterate} gets the task's context variables written
 *       into its Reactor Context, under the same keys, so operators upstream can read them with
 *       {@code ctx.get(REQUEST_ID)}.
 * </ul>
 *
 * <p><b>ThreadLocals</b> (MDC, tracing) cross too, in both directions, through Micrometer's
 * {@code context-propagation} library, when it is on the class path and Reactor's automatic
 * context propagation is on ({@code Hooks.enableAutomaticContextPropagation()}, or Spring Boot's
 * {@code spring.reactor.context-propagation=auto}): a coroutine or generator body behind a Mono or
 * Flux runs with the ThreadLocals that the subscriber's Reactor Context holds; a Mono or Flux
 * awaited or iterated in a task gets the task thread's ThreadLocals in its Reactor Context, where
 * Reactor restores them in its operators. Since a task is a thread, ThreadLocals set in a task
 * stay set across its awaits.
 */
public final class ReactorContexts {
    private ReactorContexts() {}

    static {
        LoopThreadsNonBlocking.register(); // block() on a loop fails, as on Reactor's event loops
    }

    /**
     * The whole Reactor Context of the subscription whose coroutine or generator the task runs
     * (a child task inherits it, as every context variable): written back, under its own keys,
     * into whatever the task awaits or iterates. Not itself a Reactor Context key.
     */
    private static final ContextVar<ContextView> SUBSCRIBER =
            new ContextVar<>("aiobridge.reactorContext", null);

    /**
     * The Reactor Context of the subscription that runs the current task's coroutine or
     * generator (made by {@link ReactorPublish}), or of the one that started the task's parent,
     * as kotlinx's {@code coroutineContext[ReactorContext]}: what a WebFlux handler's coroutine
     * sees of Spring's entries (the security context, the exchange, tracing), which cross to
     * every Mono or Flux the task awaits or iterates. Empty when no such subscription.
     *
     * @return the subscriber's Context, or an empty one
     */
    public static ContextView current() {
        ContextView view = SUBSCRIBER.get(null);
        return view != null ? view : reactor.util.context.Context.empty();
    }

    /**
     * Sets each ContextVar key of {@code view} in the current (task's) context, and keeps the
     * whole view for what the task awaits or iterates.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void install(ContextView view) {
        SUBSCRIBER.set(view);
        view.stream().forEach(e -> {
            if (e.getKey() instanceof ContextVar var) {
                var.set(e.getValue());
            }
        });
    }

    /**
     * The coroutine, run with the subscriber's context variables installed first, and its
     * ThreadLocals set while it runs.
     */
    static <T> Coroutine<T> withVars(ContextView view, Coroutine<T> coro) {
        if (view.isEmpty()) {
            return coro;
        }
        return () -> {
            install(view);
            try (ThreadLocalContexts.Restored restored = ThreadLocalContexts.restore(view)) {
                return coro.call();
            }
        };
    }

    /**
     * The generator body, run with the subscriber's context variables installed first, and its
     * ThreadLocals set while it runs (the body runs on a thread of its own).
     */
    static <T> AsyncGenerator.Body<T, Void> withVars(ContextView view,
            AsyncGenerator.Body<T, Void> body) {
        if (view.isEmpty()) {
            return body;
        }
        return y -> {
            install(view);
            try (ThreadLocalContexts.Restored restored = ThreadLocalContexts.restore(view)) {
                body.run(y);
            }
        };
    }

    /**
     * The iterable, iterated with the subscriber's context variables installed first in the task
     * that iterates it (the publisher's driver, which calls {@code aiter()}), and its ThreadLocals
     * set on that task's thread, its own for the rest of the iteration. A generator's body runs as
     * part of that task, so it sees the variables too.
     */
    static <T> AsyncIterable<T> withVars(ContextView view, AsyncIterable<T> iterable) {
        if (view.isEmpty()) {
            return iterable;
        }
        return () -> {
            install(view);
            ThreadLocalContexts.restore(view); // the driver's thread: nothing to give back
            return iterable.aiter();
        };
    }

    /**
     * The Reactor Context of the subscription behind the current task ({@link #current()}), then
     * the task's context variables (so a variable the task changed wins over the value it was
     * given), and the current thread's ThreadLocals when propagation is on, as a Reactor Context
     * modification. Runs at subscription, on the subscribing task's thread.
     */
    static reactor.util.context.Context writeTaskVars(reactor.util.context.Context ctx) {
        ContextView subscriber = SUBSCRIBER.get(null);
        if (subscriber != null && !subscriber.isEmpty()) {
            ctx = ctx.putAll(subscriber);
        }
        Map<ContextVar<?>, Object> vars = Context.current().snapshot();
        for (Map.Entry<ContextVar<?>, Object> e : vars.entrySet()) {
            if (e.getValue() != null && e.getKey() != SUBSCRIBER) { // values are never null
                ctx = ctx.put(e.getKey(), e.getValue());
            }
        }
        return ThreadLocalContexts.capture(ctx);
    }
}
