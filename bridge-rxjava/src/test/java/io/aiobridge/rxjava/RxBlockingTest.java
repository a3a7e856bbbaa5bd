package io.aiobridge.rxjava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RxBlocking}: RxJava's blocking operators in code that holds a loop, with RxJava's own
 * opt-in switch ({@code failOnNonBlockingScheduler}, which RxJava's {@code
 * RxJavaPluginsTest}/{@code BlockingHelperTest} check for its computation and single threads).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RxBlockingTest {
    private static final String RXJAVAS = "Attempt to block on a Scheduler";

    @AfterEach
    void uninstall() {
        RxBlocking.uninstall();
        RxJavaPlugins.setOnBeforeBlocking(null); // the one test that set a handler of its own
        RxJavaPlugins.setFailOnNonBlockingScheduler(false);
    }

    @Test
    void installedBlockingInATaskFailsWithRxJavasErrorAndAwaitingWorks() {
        RxBlocking.install();
        List<String> seen = Aio.run(() -> {
            Single<String> later = Single.timer(20, TimeUnit.MILLISECONDS).map(n -> "later");
            Flowable<Long> ticks = Flowable.interval(5, TimeUnit.MILLISECONDS).take(3);
            // what is blocked on must not be there yet: RxJava checks only when it would wait,
            // and a 20 ms timer may fire before the check on a cold, busy JVM
            Single<String> notYet = Single.timer(1, TimeUnit.HOURS).map(n -> "never");
            Flowable<Long> noTicksYet = Flowable.interval(1, TimeUnit.HOURS).take(3);
            return List.of(
                    assertThrows(IllegalStateException.class, notYet::blockingGet).getMessage(),
                    assertThrows(IllegalStateException.class, noTicksYet::blockingFirst)
                            .getMessage(),
                    assertThrows(IllegalStateException.class, noTicksYet::blockingLast)
                            .getMessage(),
                    assertThrows(IllegalStateException.class,
                            () -> Completable.timer(1, TimeUnit.HOURS).blockingAwait())
                            .getMessage(),
                    RxAwait.await(later), String.valueOf(RxAwait.awaitList(ticks)),
                    Single.just("done").blockingGet());
        });
        for (String m : seen.subList(0, 4)) {
            assertTrue(m.startsWith(RXJAVAS), m);
        }
        assertEquals(List.of("later", "[0, 1, 2]", "done"), seen.subList(4, 7),
                "awaiting works, and a value already there does not wait");
    }

    @Test
    void installedASourceOfTheSameLoopBlockedOnFailsInsteadOfDeadlocking() {
        RxBlocking.install();
        String m = Aio.run(() -> assertThrows(IllegalStateException.class,
                () -> RxPublish.single(() -> Aio.sleep(0.01, "from the loop")).blockingGet())
                .getMessage());
        assertTrue(m.startsWith(RXJAVAS), m);
    }

    @Test
    void installedOffTheLoopBlockingWorksAndRxJavasOwnRuleHolds() {
        RxBlocking.install();
        assertEquals("off the loop", Aio.run(() -> Aio.toThread(() -> Single.timer(10,
                TimeUnit.MILLISECONDS).map(n -> "off the loop").blockingGet())));
        assertEquals(0L, Single.timer(10, TimeUnit.MILLISECONDS).blockingGet());
        // RxJava's own switch is on: its computation threads refuse too
        Throwable onComputation = Single.fromCallable(() -> Single.timer(10,
                        TimeUnit.MILLISECONDS).blockingGet())
                .subscribeOn(Schedulers.computation()).materialize().blockingGet().getError();
        assertTrue(onComputation instanceof IllegalStateException
                && onComputation.getMessage().startsWith(RXJAVAS), String.valueOf(onComputation));
    }

    @Test
    void theHandlerAlreadyThereIsKeptAndUninstallPutsEverythingBack() {
        Thread marked = Thread.currentThread();
        RxJavaPlugins.setOnBeforeBlocking(() -> Thread.currentThread() == marked);
        var users = RxJavaPlugins.getOnBeforeBlocking();
        RxBlocking.install();
        assertTrue(RxBlocking.isInstalled());
        assertThrows(IllegalStateException.class,
                () -> Single.timer(10, TimeUnit.MILLISECONDS).blockingGet(),
                "the user's handler still refuses its thread");
        RxBlocking.uninstall();
        assertFalse(RxBlocking.isInstalled());
        assertTrue(RxJavaPlugins.getOnBeforeBlocking() == users, "the user's handler is back");
        assertFalse(RxJavaPlugins.isFailOnNonBlockingScheduler(), "RxJava's switch is back off");
    }

    @Test
    void notInstalledNothingChanges() {
        assertEquals("blocked", Aio.run(() -> Single.timer(10, TimeUnit.MILLISECONDS)
                .map(n -> "blocked").blockingGet()), "RxJava's default: blocking is allowed");
    }
}
