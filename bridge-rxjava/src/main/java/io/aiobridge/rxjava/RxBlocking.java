package io.aiobridge.rxjava;

import io.aiobridge.Aio;
import io.reactivex.rxjava3.functions.BooleanSupplier;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;

/**
 * RxJava's blocking operators refused on event loops, opt-in, as RxJava refuses them on its own
 * non-blocking schedulers once {@link RxJavaPlugins#setFailOnNonBlockingScheduler} is on. A
 * {@code blockingGet()} in a task stalls every task of its loop, and deadlocks the loop when the
 * source needs it ({@code RxPublish.single(coroutine).blockingGet()} inside a task: the
 * coroutine's task can never start). After {@link #install()}, {@code blockingGet()}, {@code
 * blockingFirst()}, {@code blockingLast()}, {@code blockingAwait()}, {@code blockingSubscribe()}
 * and {@code blockingIterable()} on a source that is not done yet throw RxJava's {@code
 * IllegalStateException} ("Attempt to block on a Scheduler ... that doesn't support blocking
 * operators as they may lead to deadlock") when called by code that holds a loop (a task, a loop
 * callback). Await instead ({@link RxAwait}), or block inside {@code Aio.toThread(...)}.
 *
 * <pre>{@code
 * RxBlocking.install();   // once, at start-up
 * }</pre>
 *
 * <p>RxJava keeps this off by default and has one hook for it, so the bridge does not turn it on by
 * itself (bridge-reactor does, since Reactor refuses {@code block()} on its event loops always).
 * {@code install()} turns RxJava's own switch on, which also makes blocking fail on RxJava's
 * {@code computation()} and {@code single()} threads, as RxJava documents; the {@link
 * RxJavaPlugins#setOnBeforeBlocking} handler already there is kept and asked too. Not available
 * once {@code RxJavaPlugins.lockdown()} has been called.
 */
public final class RxBlocking {
    private RxBlocking() {}

    private static boolean installed;
    private static BooleanSupplier previousHandler;
    private static boolean previousFail;

    /**
     * Makes RxJava's blocking operators fail in code that holds a loop; calling it again does
     * nothing.
     *
     * @throws IllegalStateException if RxJava's plugins are locked down
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        BooleanSupplier before = RxJavaPlugins.getOnBeforeBlocking();
        boolean failBefore = RxJavaPlugins.isFailOnNonBlockingScheduler();
        RxJavaPlugins.setOnBeforeBlocking(() -> Aio.runningLoopOrNull() != null
                || (before != null && before.getAsBoolean()));
        RxJavaPlugins.setFailOnNonBlockingScheduler(true);
        previousHandler = before;
        previousFail = failBefore;
        installed = true;
    }

    /**
     * Puts back RxJava's blocking handler and switch as they were before {@link #install()}.
     *
     * @throws IllegalStateException if RxJava's plugins are locked down
     */
    public static synchronized void uninstall() {
        if (installed) {
            RxJavaPlugins.setOnBeforeBlocking(previousHandler);
            RxJavaPlugins.setFailOnNonBlockingScheduler(previousFail);
            previousHandler = null;
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
}
