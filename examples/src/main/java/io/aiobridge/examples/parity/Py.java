package io.aiobridge.examples.parity;

import io.aiobridge.Coroutine;
import io.aiobridge.EventLoop;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the ports share: printing values the way Python prints them, Python's exception names,
 * and running a port's main coroutine on a loop of the caller's choosing (a real-clock loop from
 * {@code main}, a virtual-time loop in the tests).
 */
public final class Py {
    private Py() {}

    /** Python's {@code ValueError}. */
    public static final class ValueError extends RuntimeException {
        public ValueError(String message) {
            super(message);
        }
    }

    /** Python's {@code ZeroDivisionError}. */
    public static final class ZeroDivisionError extends ArithmeticException {
        public ZeroDivisionError(String message) {
            super(message);
        }
    }

    /** Python's {@code LookupError}. */
    public static final class LookupError extends RuntimeException {
        public LookupError(String message) {
            super(message);
        }
    }

    /** Python's {@code RuntimeError}. */
    public static final class RuntimeError extends RuntimeException {
        public RuntimeError(String message) {
            super(message);
        }
    }

    /** {@code True} / {@code False}. */
    public static String py(boolean b) {
        return b ? "True" : "False";
    }

    /** A list of strings as Python prints it: {@code ['a', 'b']}. */
    public static String strs(Collection<String> items) {
        return items.stream().map(s -> "'" + s + "'").collect(Collectors.joining(", ", "[", "]"));
    }

    /** The sorted names of tasks, as Python prints {@code sorted(t.get_name() for t in ts)}. */
    public static String names(Collection<? extends Task<?>> tasks) {
        return strs(tasks.stream().map(Task::getName).sorted().toList());
    }

    /** A list of booleans as Python prints it. */
    public static String bools(List<Boolean> bs) {
        return bs.stream().map(Py::py).collect(Collectors.joining(", ", "[", "]"));
    }

    /** {@code type(e).__name__}. */
    public static String typeName(Throwable e) {
        return e.getClass().getSimpleName();
    }

    /** {@code asyncio.run(main)} on a loop from {@code loops}. */
    public static <T> T run(Supplier<EventLoop> loops, Coroutine<T> main) {
        try (Runner r = new Runner(loops, null)) {
            return r.run(main);
        }
    }
}
