package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idle loop's spin-then-park policy ({@link IdleSpin}): when it spins, how it stops spinning
 * when replies are slow, and how it notices that they are fast again. The policy is fed wait
 * durations directly, so these need no clock; the last two run real loops.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IdleSpinTest {
    private static final long WINDOW = 50_000;

    @Test
    void itSpinsOnlyWhileACoreIsLeftThatNoLoopSpinsOn() {
        IdleSpin oneCpu = new IdleSpin(WINDOW, 1);
        assertEquals(0, oneCpu.spinFor(-1, 1), "one CPU: the reply needs the core we spin on");
        IdleSpin twoCpus = new IdleSpin(WINDOW, 2);
        assertEquals(WINDOW, twoCpus.spinFor(-1, 1), "one loop on two CPUs");
        assertEquals(0, twoCpus.spinFor(-1, 2), "a loop per core: a spinner would hold a carrier");
        assertEquals(0, twoCpus.spinFor(-1, 5));
    }

    @Test
    void aZeroWindowNeverSpins() {
        assertEquals(0, IdleSpin.windowNanos(0), "aiobridge.idleSpinMicros=0 turns it off");
        assertEquals(0, IdleSpin.windowNanos(-5));
        assertEquals(50_000, IdleSpin.windowNanos(50));
        IdleSpin off = new IdleSpin(0, 8);
        for (int i = 0; i < 3 * IdleSpin.PROBE_EVERY; i++) {
            assertEquals(0, off.spinFor(-1, 1), "wait " + i);
            off.waited(1_000, true);
        }
    }

    @Test
    void aSpinIsCutToTheWaitsOwnTimeout() {
        IdleSpin spin = new IdleSpin(WINDOW, 4);
        assertEquals(WINDOW, spin.spinFor(-1, 1), "no timeout: the whole window");
        assertEquals(WINDOW, spin.spinFor(10 * WINDOW, 1));
        assertEquals(7_000, spin.spinFor(7_000, 1), "a timer due sooner ends the spin");
    }

    @Test
    void slowRepliesStopTheSpinningAndOneProbeInSixteenWaitsTriesAgain() {
        IdleSpin spin = new IdleSpin(WINDOW, 4);
        List<Integer> credits = new ArrayList<>();
        for (int wait = 0; wait < 10 && spin.credit() > 0; wait++) {
            assertEquals(WINDOW, spin.spinFor(-1, 1));
            spin.waited(3 * WINDOW, true); // the reply came after the window: the spin was wasted
            credits.add(spin.credit());
        }
        assertEquals(List.of(4, 2, 1, 0), credits, "each wasted spin halves the credit");

        List<Integer> spinsAt = new ArrayList<>();
        for (int wait = 1; wait <= 3 * IdleSpin.PROBE_EVERY; wait++) {
            if (spin.spinFor(-1, 1) > 0) {
                spinsAt.add(wait);
            }
            spin.waited(3 * WINDOW, true);
        }
        assertEquals(List.of(16, 32, 48), spinsAt, "only the probes spin while replies are slow");
    }

    @Test
    void fastRepliesEarnTheSpinningBack() {
        IdleSpin spin = new IdleSpin(WINDOW, 4);
        for (int i = 0; i < 4; i++) {
            spin.waited(3 * WINDOW, true);
        }
        assertEquals(0, spin.credit());
        // parked (no spin), but woken within the window: a spin would have caught the reply
        spin.waited(WINDOW / 2, true);
        assertEquals(1, spin.credit());
        assertEquals(WINDOW, spin.spinFor(-1, 1), "one credit is enough to spin the next wait");
        for (int i = 0; i < 20; i++) {
            spin.waited(WINDOW / 10, true);
        }
        assertEquals(IdleSpin.MAX_CREDIT, spin.credit(), "capped, so slow replies stop it soon");
    }

    @Test
    void aWaitThatEndsWithoutWorkWithinTheWindowTeachesNothing() {
        IdleSpin spin = new IdleSpin(WINDOW, 4);
        spin.waited(3 * WINDOW, true);
        spin.waited(3 * WINDOW, true);
        assertEquals(2, spin.credit());
        spin.waited(WINDOW / 2, false); // a timer due within the window, or a spurious wake-up
        assertEquals(2, spin.credit());
        spin.waited(2 * WINDOW, false); // a timer far off: the spin found nothing
        assertEquals(1, spin.credit());
    }

    /**
     * A real loop whose replies come from another thread, quickly and then slowly: every reply
     * arrives, in order, whether the loop was spinning or parked when it came, and the loop's
     * policy ends with no credit after the slow ones (it parks at once).
     */
    @Test
    void repliesFromAnotherThreadArriveWhetherTheLoopSpinsOrParks() throws Exception {
        IdleSpin policy = new IdleSpin(WINDOW, 1_000);
        try (EventLoop loop = loopWith(policy)) {
            List<Integer> got = loop.runUntilComplete(loop.createTask(() -> {
                List<Integer> seen = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    long delayMillis = i < 20 ? 0 : 5; // fast replies, then ones past the window
                    AsyncFuture<Integer> reply = loop.createFuture();
                    Thread.ofPlatform().start(() -> {
                        sleepQuietly(delayMillis);
                        loop.callSoonThreadsafe(() -> reply.setResult(n));
                    });
                    seen.add(reply.await());
                }
                return seen;
            }));
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                expected.add(i);
            }
            assertEquals(expected, got);
            assertTrue(policy.spins() >= 1, "no wait spun");
            assertTrue(policy.credit() <= 1,
                    "20 replies 5 ms late should leave no credit, at most a probe's: "
                            + policy.credit());
        }
    }

    /**
     * With no task suspended the loop only waits for new work (a group's next submission, a
     * server's next request): it parks at once, even when that work comes quickly.
     */
    @Test
    void aLoopWithNoTaskSuspendedDoesNotSpin() throws Exception {
        IdleSpin policy = new IdleSpin(WINDOW, 1_000);
        try (EventLoop loop = loopWith(policy)) {
            List<Integer> got = new ArrayList<>();
            Thread poster = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    sleepQuietly(1);
                    loop.callSoonThreadsafe(() -> got.add(n));
                }
                loop.callSoonThreadsafe(loop::stop);
            });
            loop.runForever(); // idle between posts, with callbacks only: no task exists
            poster.join();
            assertEquals(20, got.size());
            assertEquals(0, policy.spins(), "spun with no task");
            assertEquals(IdleSpin.MAX_CREDIT, policy.credit(), "learnt from waits for new work");

            // the task suspends on a future that another thread completes well after: the loop
            // surely waits with it suspended (a 2 ms timer could be due before the loop got
            // idle on a loaded machine, and then it never waited: a flaky failure in CI)
            CountDownLatch suspending = new CountDownLatch(1);
            AsyncFuture<Void> reply = loop.createFuture();
            Thread replier = Thread.ofPlatform().start(() -> {
                try {
                    suspending.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sleepQuietly(20);
                loop.callSoonThreadsafe(() -> reply.setResult(null));
            });
            loop.runUntilComplete(loop.createTask(() -> {
                suspending.countDown();
                reply.await();
                return null;
            }));
            replier.join();
            assertTrue(policy.spins() >= 1, "a task is suspended: the loop spins before parking");
        }
    }

    /**
     * A real-clock loop with {@code policy}, which is given as many CPUs as it takes: other loops
     * of this JVM (the default group's) must not turn the spin off.
     */
    private static EventLoop loopWith(IdleSpin policy) {
        EventLoop loop = EventLoop.newEventLoop();
        ((BaseEventLoop) loop).idleSpin(policy);
        return loop;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
