package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.bools;
import static io.aiobridge.examples.parity.Py.names;
import static io.aiobridge.examples.parity.Py.typeName;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.ReturnWhen;
import io.aiobridge.Task;
import io.aiobridge.WaitResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Parity 05: {@code asyncio.wait} with each return condition and with a timeout. */
public final class P05WaitModes {
    private P05WaitModes() {}

    record Spec(String name, double delay, boolean fail) {}

    static String job(String name, double delay, boolean fail) {
        Aio.sleep(delay);
        if (fail) {
            throw new Py.ValueError(name + " failed");
        }
        return name;
    }

    static List<Task<String>> start(List<Spec> specs) {
        List<Task<String>> ts = new ArrayList<>();
        for (Spec s : specs) {
            ts.add(Aio.createTask(() -> job(s.name(), s.delay(), s.fail()), s.name()));
        }
        return ts;
    }

    /** Cancels what is left and waits for everything, failures included. */
    static void settle(List<Task<String>> ts) {
        for (Task<String> t : ts) {
            t.cancel(); // no-op for finished tasks
        }
        Aio.gatherSettled(ts).await();
    }

    static List<Boolean> pendingCancelled(List<Task<String>> ts, WaitResult<Task<String>> r) {
        return ts.stream().filter(t -> r.pending().contains(t)).map(Task::isCancelled).toList();
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            List<Spec> specs = List.of(new Spec("a", 0.02, false), new Spec("b", 0.14, true),
                    new Spec("c", 0.22, false));
            List<Task<String>> ts = start(specs);
            WaitResult<Task<String>> r = Aio.wait(ts);
            out.println("ALL_COMPLETED done " + names(r.done()) + " pending " + names(r.pending()));
            for (Task<String> t : ts) {
                Throwable e = t.exception();
                out.println("  " + t.getName() + " "
                        + (e != null ? typeName(e) + ": " + e.getMessage() : t.result()));
            }

            ts = start(specs);
            r = Aio.wait(ts, ReturnWhen.FIRST_COMPLETED);
            out.println("FIRST_COMPLETED done " + names(r.done()) + " pending "
                    + names(r.pending()));
            settle(ts);

            ts = start(specs);
            r = Aio.wait(ts, ReturnWhen.FIRST_EXCEPTION);
            out.println("FIRST_EXCEPTION done " + names(r.done()) + " pending "
                    + names(r.pending()));
            out.println("  pending cancelled? " + bools(pendingCancelled(ts, r)));
            settle(ts);

            ts = start(specs);
            r = Aio.wait(ts, ReturnWhen.ALL_COMPLETED, 0.08);
            out.println("timeout done " + names(r.done()) + " pending " + names(r.pending()));
            out.println("  pending cancelled? " + bools(pendingCancelled(ts, r)));
            Aio.wait(ts);
            out.println("after full wait " + bools(ts.stream().map(Task::isDone).toList())
                    + " b: " + typeName(ts.get(1).exception()));

            ts = start(List.of(new Spec("x", 0.02, true), new Spec("y", 0.10, false)));
            r = Aio.wait(ts, ReturnWhen.FIRST_EXCEPTION);
            out.println("FIRST_EXCEPTION early done " + names(r.done()) + " pending "
                    + names(r.pending()));
            settle(ts);

            ts = start(List.of(new Spec("p", 0.02, false), new Spec("q", 0.06, false)));
            r = Aio.wait(ts, ReturnWhen.FIRST_EXCEPTION);
            out.println("FIRST_EXCEPTION no error done " + names(r.done()) + " pending "
                    + names(r.pending()));
            try {
                Aio.wait(List.<Task<String>>of());
            } catch (IllegalArgumentException e) {
                out.println("ValueError: " + e.getMessage());
            }
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
