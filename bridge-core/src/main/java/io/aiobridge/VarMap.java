package io.aiobridge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable map from context variables to values, by identity. Contexts hold a handful of
 * variables, so a flat array with copy-on-write is smaller and faster than a hash trie here.
 */
final class VarMap {
    static final Object ABSENT = new Object();
    static final VarMap EMPTY = new VarMap(new Object[0]);

    /** keys at even indexes, values at odd ones. */
    private final Object[] entries;
    /** {@link #toMap()}, once made (values may be null, so no {@code Map.of}). */
    private Map<ContextVar<?>, Object> asMap;

    private VarMap(Object[] entries) {
        this.entries = entries;
    }

    Object get(ContextVar<?> key) {
        Object[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i] == key) {
                return e[i + 1];
            }
        }
        return ABSENT;
    }

    /** A map with {@code key} bound to {@code value}, or unbound when value is ABSENT. */
    VarMap with(ContextVar<?> key, Object value) {
        Object[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i] == key) {
                if (value == ABSENT) {
                    Object[] n = new Object[e.length - 2];
                    System.arraycopy(e, 0, n, 0, i);
                    System.arraycopy(e, i + 2, n, i, e.length - i - 2);
                    return n.length == 0 ? EMPTY : new VarMap(n);
                }
                Object[] n = e.clone();
                n[i + 1] = value;
                return new VarMap(n);
            }
        }
        if (value == ABSENT) {
            return this;
        }
        Object[] n = new Object[e.length + 2];
        System.arraycopy(e, 0, n, 0, e.length);
        n[e.length] = key;
        n[e.length + 1] = value;
        return new VarMap(n);
    }

    int size() {
        return entries.length / 2;
    }

    /**
     * The entries as an unmodifiable map in insertion order, made once per map: a bridge copies a
     * task's variables into every publisher the task awaits.
     */
    Map<ContextVar<?>, Object> toMap() {
        Map<ContextVar<?>, Object> m = asMap;
        if (m == null) {
            m = switch (entries.length) {
                case 0 -> Collections.emptyMap();
                case 2 -> Collections.singletonMap((ContextVar<?>) entries[0], entries[1]);
                default -> {
                    Map<ContextVar<?>, Object> all = new LinkedHashMap<>(entries.length);
                    for (int i = 0; i < entries.length; i += 2) {
                        all.put((ContextVar<?>) entries[i], entries[i + 1]);
                    }
                    yield Collections.unmodifiableMap(all);
                }
            };
            asMap = m; // immutable and equal whichever thread makes it: a race only repeats work
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < entries.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(((ContextVar<?>) entries[i]).name()).append('=').append(entries[i + 1]);
        }
        return sb.append('}').toString();
    }
}
