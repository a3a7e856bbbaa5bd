package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Handle;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 13: {@code call_soon} callbacks run FIFO, one loop iteration at a time. */
public final class P13CallSoonFifo {
    private P13CallSoonFifo() {}

    static void cb(PrintStream out, Object tag, EventLoop loop, String spawn) {
        out.println("cb " + tag);
        if (spawn != null) {
            loop.callSoon(() -> cb(out, spawn, null, null));
        }
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            EventLoop loop = Aio.getRunningLoop();
            loop.callSoon(() -> cb(out, 1, loop, "1-child"));
            loop.callSoon(() -> cb(out, 2, null, null));
            Handle h = loop.callSoon(() -> cb(out, "cancelled", null, null));
            loop.callSoon(() -> cb(out, 3, loop, "3-child"));
            h.cancel();
            out.println("handle cancelled: " + py(h.isCancelled()));
            out.println("main before sleep(0)");
            Aio.sleep(0);
            out.println("main after sleep(0) #1");
            Aio.sleep(0);
            out.println("main after sleep(0) #2");
            AsyncFuture<String> done = loop.createFuture();
            loop.callSoon(() -> cb(out, "A", null, null));
            loop.callSoon(() -> done.setResult("fut-set"));
            loop.callSoon(() -> cb(out, "B", null, null));
            out.println("awaited " + done.await());
            out.println("end");
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
