package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.py;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 15: {@code stop()} ends run_forever after the current iteration; the loop reruns. */
public final class P15LoopStop {
    private P15LoopStop() {}

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        EventLoop loop = loops.get();
        Runnable c = () -> {
            out.println("c: scheduled by a, stopping again");
            loop.stop();
        };
        Runnable a = () -> {
            out.println("a: calling stop");
            loop.stop();
            loop.callSoon(c);
        };
        loop.callSoon(a);
        loop.callSoon(() -> out.println("b: runs in same iteration"));
        loop.runForever();
        out.println("run_forever #1 returned, running: " + py(loop.isRunning()));
        loop.runForever();
        out.println("run_forever #2 returned");

        loop.callSoon(() -> {
            out.println("x: schedules z");
            loop.callSoon(() -> out.println("z: ran in the next run_forever"));
        });
        loop.stop();
        loop.callSoon(() -> out.println("y"));
        loop.runForever();
        out.println("run_forever #3 returned");

        Task<String> t = loop.createTask(() -> {
            out.println("coro step 1");
            loop.stop();
            Aio.sleep(0);
            out.println("coro step 2");
            return "coro-done";
        }, "c");
        loop.runForever();
        out.println("after stop inside task, task done: " + py(t.isDone()));
        out.println("run_until_complete -> " + loop.runUntilComplete(t));
        out.println("is_closed: " + py(loop.isClosed()));
        loop.close();
        out.println("is_closed: " + py(loop.isClosed()));
        try {
            loop.runForever();
        } catch (IllegalStateException e) {
            out.println("RuntimeError: " + e.getMessage().split("; ")[0]); // asyncio's text
        }
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
