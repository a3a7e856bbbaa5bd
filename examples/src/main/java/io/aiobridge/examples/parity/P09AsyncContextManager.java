package io.aiobridge.examples.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncContextManager;
import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.function.Supplier;

/** Parity 09: {@code __aenter__}/{@code __aexit__} order, exception info and suppression. */
public final class P09AsyncContextManager {
    private P09AsyncContextManager() {}

    /** A resource that says when it is entered and exited, and may suppress the exception. */
    record Res(PrintStream out, String name, boolean suppress) implements AsyncContextManager<String> {
        Res(PrintStream out, String name) {
            this(out, name, false);
        }

        @Override
        public String aenter() {
            out.println(name + ": aenter start");
            Aio.sleep(0);
            out.println(name + ": aenter end");
            return name.toUpperCase();
        }

        @Override
        public boolean aexit(Throwable e) {
            out.println(name + ": aexit " + (e == null ? "None" : e.getClass().getSimpleName())
                    + " " + (e == null ? "None" : e.getMessage()) + " " + Py.py(e != null));
            Aio.sleep(0);
            return suppress;
        }
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            AsyncContextManager.with(new Res(out, "a"), v -> {
                out.println("body a, value " + v);
                return null;
            });
            AsyncContextManager.with(new Res(out, "outer"), new Res(out, "inner"), (o, i) -> {
                out.println("body " + o + " " + i);
                return null;
            });
            try {
                AsyncContextManager.with(new Res(out, "b"), v -> {
                    throw new Py.LookupError("k");
                });
            } catch (Py.LookupError e) {
                out.println("propagated LookupError " + e.getMessage());
            }
            AsyncContextManager.with(new Res(out, "c", true), v -> {
                throw new Py.ValueError("boom");
            });
            out.println("after suppressed block");
            try {
                AsyncContextManager.with(new Res(out, "d", true),
                        v -> AsyncContextManager.with(new Res(out, "e"), w -> {
                            throw new Py.RuntimeError("deep");
                        }));
            } catch (Py.RuntimeError e) {
                out.println("not reached");
            }
            out.println("end");
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
