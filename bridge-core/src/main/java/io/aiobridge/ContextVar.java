package io.aiobridge;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A context variable: the counterpart of {@code contextvars.ContextVar}. Its value lives in the
 * current {@link Context}, so each task sees its own value (copied from its creator at creation).
 *
 * <pre>{@code
 * static final ContextVar<String> REQUEST_ID = new ContextVar<>("request_id");
 * ...
 * ContextVar.Token<String> token = REQUEST_ID.set("r-42");
 * try { handle(); } finally { REQUEST_ID.reset(token); }
 * }</pre>
 *
 * <p><b>Threading:</b> {@code get}, {@code set} and {@code reset} act on the calling thread's
 * current context. Null is a legal value.
 *
 * @param <T> the value type
 */
public final class ContextVar<T> {
    private final String name;
    private final Object defaultValue;

    /**
     * A variable with no default: {@link #get()} fails until it is set.
     *
     * @param name the variable's name, shown in errors and {@code toString}
     */
    public ContextVar(String name) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.defaultValue = VarMap.ABSENT;
    }

    /**
     * A variable with a default value.
     *
     * @param name the variable's name
     * @param defaultValue what {@link #get()} returns while the variable is not set, may be null
     */
    public ContextVar(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.defaultValue = defaultValue;
    }

    /**
     * The variable's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The value in the current context, else the default.
     *
     * @return the value
     * @throws NoSuchElementException if the variable is not set and has no default
     */
    public T get() {
        Object v = Context.current().data.get(this);
        if (v == VarMap.ABSENT) {
            v = defaultValue;
            if (v == VarMap.ABSENT) {
                throw new NoSuchElementException(this + "; it is not set in the current context"
                        + " and has no default: set it first or use get(defaultValue)");
            }
        }
        return cast(v);
    }

    /**
     * The value in the current context, else {@code fallback} (not the variable's default).
     *
     * @param fallback the value to return when unset
     * @return the value or {@code fallback}
     */
    public T get(T fallback) {
        Object v = Context.current().data.get(this);
        return v == VarMap.ABSENT ? fallback : cast(v);
    }

    /**
     * The value in a given context, else the default, else {@code null}.
     *
     * @param context the context to read
     * @return the value
     */
    public T getIn(Context context) {
        Objects.requireNonNull(context, "context is null");
        Object v = context.data.get(this);
        if (v == VarMap.ABSENT) {
            return defaultValue == VarMap.ABSENT ? null : cast(defaultValue);
        }
        return cast(v);
    }

    /**
     * Sets the value in the current context.
     *
     * @param value the new value, may be null
     * @return a token that {@link #reset} uses to restore the previous value
     */
    public Token<T> set(T value) {
        Context ctx = Context.current();
        VarMap before = ctx.data;
        Object old = before.get(this);
        ctx.data = before.with(this, value);
        return new Token<>(this, ctx, old);
    }

    /**
     * Restores the value the variable had before the {@link #set} that returned {@code token}.
     *
     * @param token the token from {@code set}
     * @throws IllegalStateException if the token was already used
     * @throws IllegalArgumentException if the token belongs to another variable or was created in
     *     another context
     */
    public void reset(Token<T> token) {
        Objects.requireNonNull(token, "token is null");
        if (token.var != this) {
            throw new IllegalArgumentException(
                    token + " was created by a different ContextVar; it belongs to " + token.var
                            + ", not " + this);
        }
        Context ctx = Context.current();
        if (token.context != ctx) {
            throw new IllegalArgumentException(
                    token + " was created in a different Context; reset it in the task or context"
                            + " where set() was called");
        }
        if (token.used) {
            throw new IllegalStateException(token + " has already been used once; each set()"
                    + " is undone by one reset()");
        }
        token.used = true;
        ctx.data = ctx.data.with(this, token.oldValue);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object v) {
        return (T) v;
    }

    @Override
    public String toString() {
        return "<ContextVar name='" + name + "'"
                + (defaultValue == VarMap.ABSENT ? "" : " default=" + defaultValue) + ">";
    }

    /**
     * What {@link ContextVar#set} returns: enough to undo that set once.
     *
     * @param <T> the variable's value type
     */
    public static final class Token<T> implements AutoCloseable {
        final ContextVar<T> var;
        final Context context;
        final Object oldValue;
        boolean used;

        Token(ContextVar<T> var, Context context, Object oldValue) {
            this.var = var;
            this.context = context;
            this.oldValue = oldValue;
        }

        /**
         * The variable this token belongs to.
         *
         * @return the variable
         */
        public ContextVar<T> var() {
            return var;
        }

        /**
         * Whether the variable had a value before the set.
         *
         * @return false if it was unset
         */
        public boolean hadOldValue() {
            return oldValue != VarMap.ABSENT;
        }

        /**
         * The value the variable had before the set ({@code Token.old_value}).
         *
         * @return the old value
         * @throws NoSuchElementException if the variable was unset ({@code Token.MISSING}); see
         *     {@link #hadOldValue()}
         */
        @SuppressWarnings("unchecked")
        public T oldValue() {
            if (oldValue == VarMap.ABSENT) {
                throw new NoSuchElementException("Token.MISSING: " + var + " had no value before"
                        + " the set; check hadOldValue() first");
            }
            return (T) oldValue;
        }

        /**
         * Resets the variable, as {@link ContextVar#reset}: so {@code try (var t = v.set(x)) {
         * ... }} restores the old value at the end of the block, as Python 3.14's {@code with
         * v.set(x):}.
         *
         * @throws IllegalStateException if the token was already used
         * @throws IllegalArgumentException if the current context is not the one of the set
         */
        @Override
        public void close() {
            var.reset(this);
        }

        @Override
        public String toString() {
            return "<Token" + (used ? " used" : "") + " var=" + var + ">";
        }
    }
}
