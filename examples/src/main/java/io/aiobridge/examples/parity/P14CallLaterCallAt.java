package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.EventLoop;
import io.aiobridge.TimerHandle;
import java.io.PrintStream;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Parity 14: timers by delay and by deadline, a cancelled one, and run_forever until stop. */
public final class P14CallLaterCallAt {
    private P14CallLaterCallAt() {}

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        EventLoop loop = loops.get();
        Consumer<String> cb = tag -> out.println("timer " + tag);
        double t0 = loop.time();
        loop.callLater(0.08, () -> cb.accept("later 0.08"));
        loop.callAt(t0 + 0.04, () -> cb.accept("at +0.04"));
        loop.callLater(0.02, () -> cb.accept("later 0.02"));
        TimerHandle h = loop.callLater(0.06, () -> cb.accept("later 0.06 (cancelled)"));
        loop.callAt(t0 + 0.10, () -> cb.accept("at +0.10"));
        loop.callLater(0, () -> cb.accept("later 0"));
        loop.callSoon(() -> cb.accept("soon"));
        loop.callLater(-1, () -> cb.accept("later -1"));
        h.cancel();
        loop.callLater(0.12, loop::stop);
        Object when = h.when();
        out.println("timer handle when() is float: " + py(when instanceof Double));
        loop.runForever();
        loop.close();
        out.println("loop closed");
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
