package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.ContextVar;
import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** Parity 17: blocking work in executors and {@code to_thread}, context variables included. */
public final class P17ExecutorToThread {
    private P17ExecutorToThread() {}

    static final ContextVar<String> VAR = new ContextVar<>("var", "unset");

    static int blocking(int x, int scale) {
        return x * x * scale;
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            EventLoop loop = Aio.getRunningLoop();
            out.println("default executor: " + loop.runInExecutor(null, () -> blocking(7, 1))
                    .await());
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                List<AsyncFuture<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    fs.add(loop.runInExecutor(pool, () -> blocking(n, 1)));
                }
                out.println("pool gather: " + Aio.gather(fs).await());
            }
            out.println("to_thread kwargs: " + Aio.toThread(() -> blocking(3, 10)));
            try {
                Aio.toThread(() -> {
                    throw new Py.ZeroDivisionError("division by zero in thread");
                });
            } catch (Py.ZeroDivisionError e) {
                out.println("caught ZeroDivisionError: " + e.getMessage());
            }
            VAR.set("main-value");
            out.println("to_thread sees var: " + Aio.toThread(VAR::get));
            out.println("run_in_executor sees var: " + loop.runInExecutor(null, VAR::get).await());
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
