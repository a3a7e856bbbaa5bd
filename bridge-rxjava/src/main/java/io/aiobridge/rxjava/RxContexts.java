package io.aiobridge.rxjava;

import io.aiobridge.Context;
import io.aiobridge.ContextVar;
import io.reactivex.rxjava3.functions.Function;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;

/**
 * Context variables across RxJava's scheduler hops, opt-in. RxJava has no context of its own, so
 * a value a task sets in a {@link ContextVar} is lost when an operator moves work to one of
 * RxJava's threads ({@code subscribeOn(Schedulers.io())}, {@code observeOn}, {@code delay}). After
 * {@link #install()}, every task scheduled on any RxJava scheduler runs in a copy of the context
 * that was current where it was scheduled, as asyncio's {@code call_soon} does:
 *
 * <pre>{@code
 * RxContexts.install();   // once, at start-up
 * REQUEST_ID.set("r-1");  // in a task
 * String seen = RxAwait.await(Single.fromCallable(REQUEST_ID::get).subscribeOn(Schedulers.io()));  // "r-1"
 * }</pre>
 *
 * <p>It works through {@link RxJavaPlugins#setScheduleHandler}: the handler already installed is
 * kept and runs first. Scheduling from a thread whose context is empty adds nothing. Not
 * available once {@code RxJavaPlugins.lockdown()} has been called.
 */
public final class RxContexts {
    private RxContexts() {}

    private static boolean installed;
    private static Function<? super Runnable, ? extends Runnable> previous;

    /**
     * Makes RxJava's schedulers carry context variables; calling it again does nothing.
     *
     * @throws IllegalStateException if RxJava's plugins are locked down
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Function<? super Runnable, ? extends Runnable> before = RxJavaPlugins.getScheduleHandler();
        RxJavaPlugins.setScheduleHandler(run -> carry(before == null ? run : before.apply(run)));
        previous = before;
        installed = true;
    }

    /**
     * Puts back the schedule handler that was there before {@link #install()}.
     *
     * @throws IllegalStateException if RxJava's plugins are locked down
     */
    public static synchronized void uninstall() {
        if (installed) {
            RxJavaPlugins.setScheduleHandler(previous);
            previous = null;
            installed = false;
        }
    }

    /**
     * Whether {@link #install()} is in effect.
     *
     * @return true if installed
     */
    public static synchronized boolean isInstalled() {
        return installed;
    }

    /**
     * {@code run} bound to a copy of the current context: it runs with the context variables of
     * the code that called this, on whatever thread runs it. For use without {@link #install()}.
     *
     * @param run the work
     * @return the bound work ({@code run} itself if the current context is empty)
     */
    public static Runnable carry(Runnable run) {
        Objects.requireNonNull(run, "run is null");
        Context current = Context.current();
        if (current.size() == 0) {
            return run;
        }
        Context copy = current.copy();
        return () -> copy.run(run);
    }
}
