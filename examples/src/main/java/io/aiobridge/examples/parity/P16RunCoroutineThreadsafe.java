package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Parity 16: another thread submits coroutines to the loop and waits for their results. */
public final class P16RunCoroutineThreadsafe {
    private P16RunCoroutineThreadsafe() {}

    static int add(int a, int b) {
        Aio.sleep(0.02);
        return a + b;
    }

    static int fail() {
        Aio.sleep(0);
        throw new Py.ValueError("bad input");
    }

    /** Runs on a plain thread: submits to the loop, blocks for the results, then signals. */
    static void worker(EventLoop loop, List<Object> results, AsyncFuture<Void> doneEvent)
            throws Exception {
        CompletableFuture<Integer> fut = Aio.runCoroutineThreadsafe(() -> add(20, 22), loop);
        results.add(fut.get(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> fut2 = Aio.runCoroutineThreadsafe(
                P16RunCoroutineThreadsafe::fail, loop);
        try {
            fut2.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Py.ValueError ve) {
                results.add("ValueError: " + ve.getMessage());
            }
        }
        loop.callSoonThreadsafe(() -> doneEvent.setResult(null));
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            EventLoop loop = Aio.getRunningLoop();
            List<Object> results = Collections.synchronizedList(new ArrayList<>());
            AsyncFuture<Void> doneEvent = loop.createFuture();
            Thread th = new Thread(() -> {
                try {
                    worker(loop, results, doneEvent);
                } catch (Exception e) {
                    results.add(e);
                }
            });
            th.start();
            doneEvent.await();
            Aio.toThread(() -> {
                th.join();
                return null;
            });
            out.println("results [" + results.get(0) + ", '" + results.get(1) + "']");
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
