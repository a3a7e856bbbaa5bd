package io.aiobridge.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.aiobridge.Aio;
import io.aiobridge.AioFuture;
import io.aiobridge.Coroutine;
import io.aiobridge.ContextVar;
import io.aiobridge.EventLoop;
import io.aiobridge.Handle;
import io.aiobridge.ReturnWhen;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import io.aiobridge.TimerHandle;
import io.aiobridge.WaitResult;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.Awaitable;
import io.aiobridge.CancelledError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Java ports of the parity corpus: each prints exactly the lines CPython printed for the
 * original program (resources {@code parity/NN_*.out}). Timed programs run on a virtual-time loop,
 * so their order is exact and they take milliseconds; a few also run on the real clock, where the
 * gaps between their timers (20 ms or more) keep the order.
 */
class ParityTest {

    // ---- helpers -------------------------------------------------------------------------------

    static final class ValueError extends RuntimeException {
        ValueError(String m) {
            super(m);
        }
    }

    static final class ZeroDivisionError extends ArithmeticException {
        ZeroDivisionError(String m) {
            super(m);
        }
    }

    static String py(boolean b) {
        return b ? "True" : "False";
    }

    static String pyNames(Collection<? extends Task<?>> tasks) {
        return tasks.stream().map(Task::getName).sorted().map(n -> "'" + n + "'")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    static String pyBools(List<Boolean> bs) {
        return bs.stream().map(ParityTest::py).collect(Collectors.joining(", ", "[", "]"));
    }

    static String typeName(Throwable e) {
        return e.getClass().getSimpleName();
    }

    private static void assertParity(String program, Consumer<PrintStream> port) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        port.accept(out);
        List<String> actual = buf.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> expected = expected(program);
        assertEquals(String.join("\n", expected), String.join("\n", actual),
                "output of the Java port of " + program + " differs from CPython's");
    }

    private static List<String> expected(String program) {
        try (InputStream in = ParityTest.class.getResourceAsStream("/parity/" + program + ".out")) {
            assertNotNull(in, "missing resource parity/" + program + ".out");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> T runVirtual(Coroutine<T> main) {
        try (Runner r = new Runner(EventLoop::newVirtualTimeEventLoop, null)) {
            return r.run(main);
        }
    }

    // ---- 01 ------------------------------------------------------------------------------------

    static void sayAfter01(PrintStream out, double delay, String what) {
        Aio.sleep(delay);
        out.println(what);
    }

    static Coroutine<Void> main01(PrintStream out) {
        return () -> {
            out.println("started");
            sayAfter01(out, 0.04, "hello");
            sayAfter01(out, 0.02, "world");
            out.println("finished");
            return null;
        };
    }

    @Test
    void p01SayAfterSequential() {
        assertParity("01_say_after_sequential", out -> runVirtual(main01(out)));
        assertParity("01_say_after_sequential", out -> Aio.run(main01(out)));
    }

    // ---- 02 ------------------------------------------------------------------------------------

    static String sayAfter02(PrintStream out, double delay, String what) {
        out.println("start " + what);
        Aio.sleep(delay);
        out.println(what);
        return what.toUpperCase();
    }

    static Coroutine<Void> main02(PrintStream out) {
        return () -> {
            Task<String> task1 = Aio.createTask(() -> sayAfter02(out, 0.10, "hello"), "t1");
            Task<String> task2 = Aio.createTask(() -> sayAfter02(out, 0.02, "world"), "t2");
            out.println("started");
            String r1 = task1.await();
            out.println("awaited t1 " + r1 + " t2 done: " + py(task2.isDone()));
            String r2 = task2.await();
            out.println("awaited t2 " + r2);
            out.println("finished");
            return null;
        };
    }

    @Test
    void p02SayAfterConcurrent() {
        assertParity("02_say_after_concurrent", out -> runVirtual(main02(out)));
        assertParity("02_say_after_concurrent", out -> Aio.run(main02(out)));
    }

    // ---- 03 ------------------------------------------------------------------------------------

    static int nested03(PrintStream out) {
        out.println("nested running");
        return 42;
    }

    @Test
    void p03NestedCoroutine() {
        assertParity("03_nested_coroutine", out -> runVirtual(() -> {
            Coroutine<Integer> coro = () -> nested03(out); // creating it does not run it
            out.println("coroutine created");
            out.println("direct await -> " + coro.call());
            Task<Integer> task = Aio.createTask(() -> nested03(out), "nested-task");
            out.println("task created, done: " + py(task.isDone()));
            out.println("task await -> " + task.await());
            out.println("task done: " + py(task.isDone()) + " result: " + task.result());
            return null;
        }));
    }

    // ---- 04 ------------------------------------------------------------------------------------

    static int factorial04(PrintStream out, String name, int number) {
        int f = 1;
        for (int i = 2; i <= number; i++) {
            out.println("Task " + name + ": Compute factorial(" + number + "), currently i=" + i
                    + "...");
            Aio.sleep(0.02);
            f *= i;
        }
        out.println("Task " + name + ": factorial(" + number + ") = " + f);
        return f;
    }

    static Coroutine<Void> main04(PrintStream out) {
        return () -> {
            List<Integer> l = Aio.gather(
                    () -> factorial04(out, "A", 2),
                    () -> factorial04(out, "B", 3),
                    () -> factorial04(out, "C", 4)).await();
            out.println(l);
            return null;
        };
    }

    @Test
    void p04GatherFactorial() {
        assertParity("04_gather_factorial", out -> runVirtual(main04(out)));
        assertParity("04_gather_factorial", out -> Aio.run(main04(out)));
    }

    // ---- 05 ------------------------------------------------------------------------------------

    record Spec(String name, double delay, boolean fail) {}

    static String job05(String name, double delay, boolean fail) {
        Aio.sleep(delay);
        if (fail) {
            throw new ValueError(name + " failed");
        }
        return name;
    }

    static List<Task<String>> mk05(List<Spec> specs) {
        List<Task<String>> ts = new ArrayList<>();
        for (Spec s : specs) {
            ts.add(Aio.createTask(() -> job05(s.name, s.delay, s.fail), s.name));
        }
        return ts;
    }

    static void settle05(List<Task<String>> ts) {
        for (Task<String> t : ts) {
            t.cancel(); // no-op for finished tasks
        }
        Aio.gatherSettled(ts).await();
    }

    @Test
    void p05WaitModes() {
        assertParity("05_wait_modes", out -> runVirtual(() -> {
            List<Spec> specs = List.of(new Spec("a", 0.02, false), new Spec("b", 0.14, true),
                    new Spec("c", 0.22, false));
            List<Task<String>> ts = mk05(specs);
            WaitResult<Task<String>> r = Aio.wait(ts);
            out.println("ALL_COMPLETED done " + pyNames(r.done()) + " pending "
                    + pyNames(r.pending()));
            for (Task<String> t : ts) {
                Throwable e = t.exception();
                out.println("  " + t.getName() + " "
                        + (e != null ? typeName(e) + ": " + e.getMessage() : t.result()));
            }

            ts = mk05(specs);
            r = Aio.wait(ts, ReturnWhen.FIRST_COMPLETED);
            out.println("FIRST_COMPLETED done " + pyNames(r.done()) + " pending "
                    + pyNames(r.pending()));
            settle05(ts);

            ts = mk05(specs);
            r = Aio.wait(ts, ReturnWhen.FIRST_EXCEPTION);
            out.println("FIRST_EXCEPTION done " + pyNames(r.done()) + " pending "
                    + pyNames(r.pending()));
            WaitResult<Task<String>> r3 = r;
            out.println("  pending cancelled? " + pyBools(ts.stream()
                    .filter(t -> r3.pending().contains(t)).map(Task::isCancelled).toList()));
            settle05(ts);

            ts = mk05(specs);
            r = Aio.wait(ts, ReturnWhen.ALL_COMPLETED, 0.08);
            out.println("timeout done " + pyNames(r.done()) + " pending " + pyNames(r.pending()));
            WaitResult<Task<String>> r4 = r;
            out.println("  pending cancelled? " + pyBools(ts.stream()
                    .filter(t -> r4.pending().contains(t)).map(Task::isCancelled).toList()));
            Aio.wait(ts);
            out.println("after full wait " + pyBools(ts.stream().map(Task::isDone).toList())
                    + " b: " + typeName(ts.get(1).exception()));

            ts = mk05(List.of(new Spec("x", 0.02, true), new Spec("y", 0.10, false)));
            r = Aio.wait(ts, ReturnWhen.FIRST_EXCEPTION);
            out.println("FIRST_EXCEPTION early done " + pyNames(r.done()) + " pending "
                    + pyNames(r.pending()));
            settle05(ts);

            ts = mk05(List.of(new Spec("p", 0.02, false), new Spec("q", 0.06, false)));
            r = Aio.wait(ts, ReturnWhen.FIRST_EXCEPTION);
            out.println("FIRST_EXCEPTION no error done " + pyNames(r.done()) + " pending "
                    + pyNames(r.pending()));
            try {
                Aio.wait(List.<Task<String>>of());
            } catch (IllegalArgumentException e) {
                out.println("ValueError: " + e.getMessage());
            }
            return null;
        }));
    }

    // ---- 06 ------------------------------------------------------------------------------------

    static String job06(PrintStream out, String name, double delay) {
        Aio.sleep(delay);
        out.println(name + " finishing");
        return name;
    }

    @Test
    void p06AsCompleted() {
        assertParity("06_as_completed", out -> runVirtual(() -> {
            List<String> order = new ArrayList<>();
            for (Awaitable<String> fut : Aio.asCompleted(null,
                    () -> job06(out, "slow", 0.18),
                    () -> job06(out, "fast", 0.02),
                    () -> job06(out, "mid", 0.10))) {
                String r = fut.await();
                out.println("got " + r);
                order.add(r);
            }
            out.println(order.stream().map(s -> "'" + s + "'")
                    .collect(Collectors.joining(", ", "[", "]")));
            try {
                for (Awaitable<String> fut : Aio.asCompleted(0.10,
                        () -> job06(out, "p", 0.02),
                        () -> job06(out, "q", 0.20))) {
                    out.println("got " + fut.await());
                }
            } catch (AsyncTimeoutException e) {
                out.println("caught TimeoutError");
            }
            Aio.sleep(0.20);
            out.println("end");
            return null;
        }));
    }

    // ---- 07 ------------------------------------------------------------------------------------

    static String inner07(PrintStream out, String name, double delay) {
        out.println(name + ": start");
        try {
            Aio.sleep(delay);
            out.println(name + ": completed");
            return name + "-result";
        } catch (CancelledError e) {
            out.println(name + ": caught CancelledError");
            throw e;
        } finally {
            out.println(name + ": finally");
        }
    }

    @Test
    void p07WaitForTimeout() {
        assertParity("07_wait_for_timeout", out -> runVirtual(() -> {
            out.println("ok -> " + Aio.waitFor(() -> inner07(out, "fast", 0.02), 0.10));
            Task<String> task = Aio.createTask(() -> inner07(out, "slow", 0.2), "slow");
            try {
                Aio.waitFor(task, 0.06);
            } catch (AsyncTimeoutException e) {
                out.println("caught TimeoutError");
            }
            out.println("slow cancelled: " + py(task.isCancelled()) + " done: "
                    + py(task.isDone()));
            try {
                Aio.waitFor(() -> inner07(out, "zero", 0.02), 0.0);
            } catch (AsyncTimeoutException e) {
                out.println("timeout=0 caught TimeoutError");
            }
            out.println("none timeout -> " + Aio.waitFor(() -> inner07(out, "none", 0.02), null));
            return null;
        }));
    }

    // ---- 13 ------------------------------------------------------------------------------------

    static void cb13(PrintStream out, Object tag, EventLoop loop, String spawn) {
        out.println("cb " + tag);
        if (spawn != null) {
            loop.callSoon(() -> cb13(out, spawn, null, null));
        }
    }

    @Test
    void p13CallSoonFifo() {
        assertParity("13_call_soon_fifo", out -> Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            loop.callSoon(() -> cb13(out, 1, loop, "1-child"));
            loop.callSoon(() -> cb13(out, 2, null, null));
            Handle h = loop.callSoon(() -> cb13(out, "cancelled", null, null));
            loop.callSoon(() -> cb13(out, 3, loop, "3-child"));
            h.cancel();
            out.println("handle cancelled: " + py(h.isCancelled()));
            out.println("main before sleep(0)");
            Aio.sleep(0);
            out.println("main after sleep(0) #1");
            Aio.sleep(0);
            out.println("main after sleep(0) #2");
            AioFuture<String> done = loop.createFuture();
            loop.callSoon(() -> cb13(out, "A", null, null));
            loop.callSoon(() -> done.setResult("fut-set"));
            loop.callSoon(() -> cb13(out, "B", null, null));
            out.println("awaited " + done.await());
            out.println("end");
            return null;
        }));
    }

    // ---- 14 ------------------------------------------------------------------------------------

    static void port14(PrintStream out, EventLoop loop) {
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

    @Test
    void p14CallLaterCallAt() {
        assertParity("14_call_later_call_at",
                out -> port14(out, EventLoop.newVirtualTimeEventLoop()));
        assertParity("14_call_later_call_at", out -> port14(out, EventLoop.newEventLoop()));
    }

    // ---- 15 ------------------------------------------------------------------------------------

    static void port15(PrintStream out, EventLoop loop) {
        Runnable c = () -> {
            out.println("c: scheduled by a, stopping again");
            loop.stop();
        };
        Runnable a = () -> {
            out.println("a: calling stop");
            loop.stop();
            loop.callSoon(c);
        };
        Runnable b = () -> out.println("b: runs in same iteration");
        loop.callSoon(a);
        loop.callSoon(b);
        loop.runForever();
        out.println("run_forever #1 returned, running: " + py(loop.isRunning()));
        loop.runForever();
        out.println("run_forever #2 returned");

        Runnable x = () -> {
            out.println("x: schedules z");
            loop.callSoon(() -> out.println("z: ran in the next run_forever"));
        };
        loop.callSoon(x);
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
            out.println("RuntimeError: " + e.getMessage().replaceAll(":.*", ""));
        }
    }

    @Test
    void p15LoopStop() {
        assertParity("15_loop_stop", out -> port15(out, EventLoop.newEventLoop()));
        assertParity("15_loop_stop", out -> port15(out, EventLoop.newVirtualTimeEventLoop()));
    }

    // ---- 16 ------------------------------------------------------------------------------------

    static int add16(int a, int b) {
        Aio.sleep(0.02);
        return a + b;
    }

    static int fail16() {
        Aio.sleep(0);
        throw new ValueError("bad input");
    }

    static void worker16(EventLoop loop, List<Object> results, AioFuture<Void> doneEvent)
            throws Exception {
        CompletableFuture<Integer> fut = Aio.runCoroutineThreadsafe(() -> add16(20, 22), loop);
        results.add(fut.get(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> fut2 = Aio.runCoroutineThreadsafe(ParityTest::fail16, loop);
        try {
            fut2.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ValueError ve) {
                results.add("ValueError: " + ve.getMessage());
            }
        }
        loop.callSoonThreadsafe(() -> doneEvent.setResult(null));
    }

    static Coroutine<Void> main16(PrintStream out) {
        return () -> {
            EventLoop loop = Aio.getRunningLoop();
            List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
            AioFuture<Void> doneEvent = loop.createFuture();
            Thread th = new Thread(() -> {
                try {
                    worker16(loop, results, doneEvent);
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
        };
    }

    @Test
    void p16RunCoroutineThreadsafe() {
        assertParity("16_run_coroutine_threadsafe", out -> Aio.run(main16(out)));
        assertParity("16_run_coroutine_threadsafe", out -> runVirtual(main16(out)));
    }

    // ---- 17 ------------------------------------------------------------------------------------

    static final ContextVar<String> VAR17 = new ContextVar<>("var", "unset");

    static int blocking17(int x, int scale) {
        return x * x * scale;
    }

    @Test
    void p17ExecutorToThread() {
        assertParity("17_executor_to_thread", out -> Aio.run(() -> {
            EventLoop loop = Aio.getRunningLoop();
            out.println("default executor: " + loop.runInExecutor(null, () -> blocking17(7, 1))
                    .await());
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                List<AioFuture<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    fs.add(loop.runInExecutor(pool, () -> blocking17(n, 1)));
                }
                out.println("pool gather: " + Aio.gather(fs).await());
            }
            out.println("to_thread kwargs: " + Aio.toThread(() -> blocking17(3, 10)));
            try {
                Aio.toThread(() -> {
                    throw new ZeroDivisionError("division by zero in thread");
                });
            } catch (ZeroDivisionError e) {
                out.println("caught ZeroDivisionError: " + e.getMessage());
            }
            VAR17.set("main-value");
            out.println("to_thread sees var: " + Aio.toThread(VAR17::get));
            out.println("run_in_executor sees var: " + loop.runInExecutor(null, VAR17::get)
                    .await());
            return null;
        }));
    }

    // ---- 19 ------------------------------------------------------------------------------------

    static String work19(PrintStream out, String name, double delay) {
        out.println(name + " start");
        Aio.sleep(delay);
        out.println(name + " end");
        return name.repeat(2);
    }

    static Coroutine<Void> main19(PrintStream out) {
        return () -> {
            List<Task<String>> ts = new ArrayList<>();
            TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> work19(out, "slow", 0.10), "slow"));
                ts.add(tg.createTask(() -> work19(out, "fast", 0.02), "fast"));
                out.println("body end, tasks done? " + py(ts.get(0).isDone()) + " "
                        + py(ts.get(1).isDone()));
                return null;
            });
            out.println("after group: " + ts.get(0).result() + " " + ts.get(1).result());
            TaskGroup.run(tg -> {
                out.println("empty group body");
                return null;
            });
            out.println("empty group exited");
            TaskGroup.run(tg -> {
                ts.add(tg.createTask(() -> work19(out, "x", 0.02), "x"));
                Aio.sleep(0.08);
                out.println("body after sleep, x done? " + py(ts.get(2).isDone()));
                ts.add(tg.createTask(() -> work19(out, "y", 0.02), "y"));
                return null;
            });
            out.println("after group 3: " + ts.get(2).result() + " " + ts.get(3).result());
            return null;
        };
    }

    @Test
    void p19TaskGroupBasic() {
        assertParity("19_taskgroup_basic", out -> runVirtual(main19(out)));
        assertParity("19_taskgroup_basic", out -> Aio.run(main19(out)));
    }
}
