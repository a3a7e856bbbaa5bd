package io.aiobridge.parity;

import io.aiobridge.Aio;
import io.aiobridge.AsyncContextManager;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Port of parity program 09: __aenter__/__aexit__ order, exception info, suppression. */
class ContextManagerParityTest {

    static final class LookupError extends RuntimeException {
        LookupError(String m) {
            super(m);
        }
    }

    static final class ValueError extends RuntimeException {
        ValueError(String m) {
            super(m);
        }
    }

    static final class RuntimeError extends RuntimeException {
        RuntimeError(String m) {
            super(m);
        }
    }

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
                    + " " + (e == null ? "None" : e.getMessage()) + " "
                    + (e != null ? "True" : "False"));
            Aio.sleep(0);
            return suppress;
        }
    }

    @Test
    void p09AsyncContextManager() {
        IterParityTest.assertParity("09_async_context_manager", out -> IterParityTest.run(() -> {
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
                    throw new LookupError("k");
                });
            } catch (LookupError e) {
                out.println("propagated LookupError " + e.getMessage());
            }
            AsyncContextManager.with(new Res(out, "c", true), v -> {
                throw new ValueError("boom");
            });
            out.println("after suppressed block");
            try {
                AsyncContextManager.with(new Res(out, "d", true),
                        v -> AsyncContextManager.with(new Res(out, "e"), w -> {
                            throw new RuntimeError("deep");
                        }));
            } catch (RuntimeError e) {
                out.println("not reached");
            }
            out.println("end");
            return null;
        }));
    }
}
