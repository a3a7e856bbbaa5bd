package io.aiobridge;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the loop's exception handler is told about an error nobody else could receive: the
 * counterpart of the context dict of {@code loop.call_exception_handler}. As in asyncio, callers
 * may add keys of their own, which handlers read and the default handler prints:
 *
 * <pre>{@code
 * loop.callExceptionHandler(ErrorContext.of("pool exhausted", e).with("pool", pool.name()));
 * // handler: ctx.get("pool")
 * }</pre>
 *
 * @param message what happened, never null
 * @param exception the error, may be null
 * @param future the future or task concerned, may be null
 * @param handle the callback's handle, may be null
 * @param source a description of the object concerned when it no longer exists (a collected
 *     future), may be null
 * @param extra the caller's own keys, sorted; never null
 */
public record ErrorContext(
        String message, Throwable exception, AsyncFuture<?> future, Handle handle, String source,
        Map<String, Object> extra) {

    /** The keys asyncio's context dict has of its own; {@link #with} refuses them. */
    private static final Set<String> RESERVED =
            Set.of("message", "exception", "future", "task", "handle", "source");

    /**
     * Creates a context; {@code extra} is copied (sorted by key).
     *
     * @param message what happened
     * @param exception the error, may be null
     * @param future the future or task, may be null
     * @param handle the callback's handle, may be null
     * @param source a description of an object that no longer exists, may be null
     * @param extra the caller's own keys, may be null
     */
    public ErrorContext {
        Objects.requireNonNull(message, "message is null");
        extra = extra == null || extra.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(extra));
    }

    /**
     * A context without extra keys.
     *
     * @param message what happened
     * @param exception the error, may be null
     * @param future the future or task, may be null
     * @param handle the callback's handle, may be null
     * @param source a description of an object that no longer exists, may be null
     */
    public ErrorContext(String message, Throwable exception, AsyncFuture<?> future, Handle handle,
            String source) {
        this(message, exception, future, handle, source, null);
    }

    /**
     * A context with a message and an exception only.
     *
     * @param message what happened
     * @param exception the error, may be null
     * @return the context
     */
    public static ErrorContext of(String message, Throwable exception) {
        return new ErrorContext(message, exception, null, null, null);
    }

    /**
     * This context with one more key of the caller's own: {@code context["key"] = value}.
     *
     * @param key the key; not one of asyncio's own keys
     * @param value the value, may be null
     * @return a new context
     * @throws IllegalArgumentException for {@code message}, {@code exception}, {@code future},
     *     {@code task}, {@code handle} or {@code source}
     */
    public ErrorContext with(String key, Object value) {
        Objects.requireNonNull(key, "key is null");
        if (RESERVED.contains(key)) {
            throw new IllegalArgumentException("'" + key + "' is one of the context's own keys;"
                    + " give it through the constructor, or choose another name");
        }
        TreeMap<String, Object> m = new TreeMap<>(extra);
        m.put(key, value);
        return new ErrorContext(message, exception, future, handle, source, m);
    }

    /**
     * A value by key, as asyncio's handlers read the dict: {@code message}, {@code exception},
     * {@code future} (or {@code task}, for a task), {@code handle}, or a key of the caller's own.
     *
     * @param key the key
     * @return the value, or null if the context has none under that key
     */
    public Object get(String key) {
        return switch (Objects.requireNonNull(key, "key is null")) {
            case "message" -> message;
            case "exception" -> exception;
            case "future" -> future instanceof Task<?> ? null : future;
            case "task" -> future instanceof Task<?> ? future : null;
            case "handle" -> handle;
            case "source" -> source;
            default -> extra.get(key);
        };
    }

    /**
     * The text asyncio's default handler logs: the message, then one {@code key: value} line per
     * other key, sorted by key.
     *
     * @return the description
     */
    public String describe() {
        TreeMap<String, String> lines = new TreeMap<>();
        if (future != null) {
            lines.put(future instanceof Task ? "task" : "future", String.valueOf(future));
        }
        if (handle != null) {
            lines.put("handle", String.valueOf(handle));
        }
        extra.forEach((k, v) -> lines.put(k, repr(v)));
        StringBuilder sb = new StringBuilder(message);
        lines.forEach((k, v) -> sb.append('\n').append(k).append(": ").append(v));
        if (source != null) {
            sb.append('\n').append(source);
        }
        return sb.toString();
    }

    /** Python's repr for the common cases: strings quoted, the rest as toString. */
    private static String repr(Object v) {
        return v instanceof CharSequence s ? "'" + s + "'" : String.valueOf(v);
    }
}
