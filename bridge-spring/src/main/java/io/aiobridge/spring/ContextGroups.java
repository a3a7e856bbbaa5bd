package io.aiobridge.spring;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.reactor.ReactorPublish;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.springframework.context.ApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where work converted or started for a Spring context runs: on that context's loop group,
 * even while another live context's group is the JVM's default (docs/design.md, "A context's
 * controllers run on its own group").
 */
final class ContextGroups {
    private ContextGroups() {}

    /** Each context's group, looked up once; weak, so closed contexts are not kept. */
    private static final Map<ApplicationContext, Optional<EventLoopGroup>> GROUPS =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The context looked up last, with its group: a server has one context, and every request
     * of {@code AioWebFlux} asks, so the usual answer takes no lock shared by all event loops.
     */
    private static volatile Last last;

    /**
     * A context and its group, both held weakly: while the context lives, so does its group (a
     * bean of it), and neither is kept after the context is gone. A null group: none.
     */
    private record Last(WeakReference<ApplicationContext> context,
            WeakReference<EventLoopGroup> group) {}

    /** The unique loop group bean of {@code context}, or null (no context, none, several). */
    static EventLoopGroup groupOf(ApplicationContext context) {
        if (context == null) {
            return null;
        }
        Last l = last;
        if (l != null && l.context().get() == context) {
            return l.group().get();
        }
        EventLoopGroup g = GROUPS.computeIfAbsent(context, c -> Optional.ofNullable(
                c.getBeanProvider(EventLoopGroup.class).getIfUnique())).orElse(null);
        last = new Last(new WeakReference<>(context), new WeakReference<>(g));
        return g;
    }

    /**
     * The loop a subscription for {@code g} runs on, or null for the default choice (the
     * subscribing task's loop, else the default group's next). Null too when {@code g} is null
     * or the default group, so the usual single context takes the usual path.
     */
    static EventLoop loopOf(EventLoopGroup g) {
        if (g == null || Aio.runningLoopOrNull() != null || g == EventLoopGroup.defaultGroup()) {
            return null;
        }
        return g.next();
    }

    /**
     * The loop a publisher subscribed here would run on by default: the running loop, else the
     * next of the JVM's default group.
     */
    static EventLoop defaultLoop() {
        EventLoop running = Aio.runningLoopOrNull();
        if (running != null) {
            return running;
        }
        try {
            return EventLoopGroup.defaultGroup().next();
        } catch (IllegalStateException shutDownMeanwhile) {
            // the default group closed between the lookup and the choice (a context stopping):
            // the next lookup gives the group that is the default now
            return EventLoopGroup.defaultGroup().next();
        }
    }

    /** {@code coro} as a Mono whose task runs on {@code loop}; null: the default choice. */
    static <T> Mono<T> mono(Coroutine<T> coro, EventLoop loop) {
        return loop == null ? ReactorPublish.mono(coro) : ReactorPublish.mono(coro, loop);
    }

    /** {@code iterable} as a Flux iterated on {@code loop}; null: the default choice. */
    static <T> Flux<T> flux(AsyncIterable<T> iterable, EventLoop loop) {
        return loop == null ? ReactorPublish.flux(iterable) : ReactorPublish.flux(iterable, loop);
    }
}
