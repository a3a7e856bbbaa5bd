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

    /** A bytes object as Python prints it: {@code b'echo alpha\n'}. */
    public static String bytes(byte[] data) {
        boolean single = false;
        boolean dbl = false;
        for (byte b : data) {
            single |= b == '\'';
            dbl |= b == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        StringBuilder sb = new StringBuilder("b").append(quote);
        for (byte b : data) {
            int c = b & 0xff;
            if (c == quote || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.append(quote).toString();
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
