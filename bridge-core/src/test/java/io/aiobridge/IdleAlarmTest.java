package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task thread that waits for the loop's next timer parks without a timeout while the loop's
 * {@link IdleAlarm} covers the deadline. These run on the real clock: the alarm is a real-time
 * device (virtual-time loops jump their clock instead of waiting). Each wait here is a task's
 * thread driving the loop while idle, the path the alarm is on.
 * A loop that misses its alarm hangs: the class timeout turns that into a failure. It runs each
 * test on a thread of its own: JUnit's same-thread timeout interrupts the loop's thread, and the
 * loop acts on an interrupt through its own wake-up, which is what a broken alarm may have lost.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IdleAlarmTest {

    /** Seconds since {@code t0} on the loop's clock. */
    private static double since(EventLoop loop, double t0) {
        return loop.time() - t0;
    }

    @Test
    void anEarlierDeadlineThanTheArmedAlarmStillWakesTheLoopOnTime() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            loop.callLater(3600, () -> { }); // the first idle wait arms an alarm an hour away
            double t0 = loop.time();
            double slept = loop.runUntilComplete(loop.createTask(() -> {
                Aio.sleep(0.05); // idle, an hour's alarm pending
                double start = loop.time();
                Aio.sleep(0.05); // the timer wanted is earlier than the alarm armed
                return loop.time() - start;
            }));
            assertTrue(slept >= 0.05 && slept < 2, "woke after " + slept + " s");
            assertTrue(since(loop, t0) < 3, "took " + since(loop, t0) + " s");
        }
    }

    @Test
    void anAlarmWhoseTimerWasCancelledWakesTheLoopEarlyAndItWaitsAgain() {
        try (EventLoop loop = EventLoop.newEventLoop()) {
            List<String> seen = new ArrayList<>();
            double t0 = loop.time();
            TimerHandle gone = loop.callLater(0.05, () -> seen.add("cancelled timer ran"));
            loop.callLater(0.3, () -> seen.add("at 0.3"));
            double woke = loop.runUntilComplete(loop.createTask(() -> {
                AsyncFuture<String> fromOutside = loop.createFuture();
                Thread.ofPlatform().start(() -> {
                    sleepQuietly(20);
                    loop.callSoonThreadsafe(() -> {
                        gone.cancel(); // its alarm, armed for 0.05, stays and rings early
                        fromOutside.setResult("outside");
                    });
                });
                fromOutside.await();
                Aio.sleep(0.35); // covered by the 0.05 alarm: woken early, waits again
                return since(loop, t0);
            }));
            assertEquals(List.of("at 0.3"), seen);
            assertTrue(woke >= 0.35 && woke < 3, "woke at " + woke + " s");
        }
    }

    @Test
    void aPendingAlarmDoesNotKeepAClosedLoopReachable() throws InterruptedException {
        WeakReference<EventLoop> ref = runAndCloseWithAnAlarmAnHourAway();
        for (int i = 0; i < 100 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the closed loop is still reachable");
    }

    private static WeakReference<EventLoop> runAndCloseWithAnAlarmAnHourAway() {
        EventLoop loop = EventLoop.newEventLoop();
        loop.callLater(3600, () -> { });
        AsyncFuture<String> f = loop.createFuture();
        loop.runUntilComplete(loop.createTask(() -> {
            Thread.ofPlatform().start(() -> {
                sleepQuietly(20);
                loop.callSoonThreadsafe(() -> f.setResult("outside"));
            });
            return f.await(); // the task's thread waits idle: the alarm is armed
        }));
        loop.close();
        return new WeakReference<>(loop);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
