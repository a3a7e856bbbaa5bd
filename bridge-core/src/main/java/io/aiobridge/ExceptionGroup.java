package io.aiobridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Several exceptions raised together, as Python's {@code ExceptionGroup}: {@link TaskGroup} raises
 * one that carries every child failure (and the body's own failure, last).
 *
 * <p>Each carried exception is also attached as a {@linkplain #getSuppressed() suppressed}
 * exception, so a printed stack trace shows them all. {@link #split} and {@link #subgroup} are
 * what Python's {@code except*} does, for handling one kind of failure and re-raising the rest:
 *
 * <pre>{@code
 * try {
 *     TaskGroup.run(tg -> { ... });
 * } catch (ExceptionGroup eg) {
 *     ExceptionGroup.Split s = eg.split(IOException.class);   // except* IOException:
 *     if (s.match() != null) { retry(); }
 *     if (s.rest() != null) { throw s.rest(); }              // the others go on
 * }
 * }</pre>
 */
public class ExceptionGroup extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The group's own message, without the count of sub-exceptions. */
    private final String message;
    /** The sub-exceptions, in order. */
    private final List<Throwable> exceptions;

    /**
     * Creates a group.
     *
     * @param message what the group is about
     * @param exceptions the exceptions, at least one, none null
     * @throws IllegalArgumentException if {@code exceptions} is empty
     */
    public ExceptionGroup(String message, List<? extends Throwable> exceptions) {
        super(requireMessage(message) + " (" + requireNonEmpty(exceptions).size()
                + (exceptions.size() == 1 ? " sub-exception)" : " sub-exceptions)"));
        this.message = message;
        this.exceptions = List.copyOf(exceptions);
        for (Throwable t : this.exceptions) {
            addSuppressed(t);
        }
    }

    private static String requireMessage(String message) {
        if (message == null) {
            throw new NullPointerException("argument 1 must be str, not None; an ExceptionGroup"
                    + " needs a message");
        }
        return message;
    }

    private static List<? extends Throwable> requireNonEmpty(List<? extends Throwable> excs) {
        Objects.requireNonNull(excs, "exceptions is null");
        if (excs.isEmpty()) {
            throw new IllegalArgumentException("second argument (exceptions) must be a non-empty"
                    + " sequence; an ExceptionGroup needs at least one exception");
        }
        for (int i = 0; i < excs.size(); i++) {
            Objects.requireNonNull(excs.get(i), "exceptions[" + i + "] is null");
        }
        return excs;
    }

    /**
     * The exceptions of this group, in the order they happened.
     *
     * @return an unmodifiable list
     */
    public List<Throwable> exceptions() {
        return exceptions;
    }

    /**
     * The message the group was created with, without the sub-exception count ({@code
     * eg.message}).
     *
     * @return the message
     */
    public String message() {
        return message;
    }

    /**
     * The two halves of a {@link #split}: either may be null.
     *
     * @param match the sub-exceptions that matched, or null if none did
     * @param rest the others, or null if all matched
     */
    public record Split(ExceptionGroup match, ExceptionGroup rest) {}

    /**
     * The exceptions that satisfy {@code condition}, and the others, each as a group with this
     * group's message, nested groups split alike: Python's {@code eg.split(condition)}. A group
     * that satisfies the condition as a whole goes to {@code match} unchanged.
     *
     * @param condition which exceptions (or nested groups) match
     * @return the matching and the remaining parts; a part with nothing in it is null
     */
    public Split split(Predicate<? super Throwable> condition) {
        Objects.requireNonNull(condition, "condition is null");
        if (condition.test(this)) {
            return new Split(this, null);
        }
        List<Throwable> match = new ArrayList<>();
        List<Throwable> rest = new ArrayList<>();
        for (Throwable e : exceptions) {
            if (e instanceof ExceptionGroup g) {
                Split s = g.split(condition);
                if (s.match() != null) {
                    match.add(s.match());
                }
                if (s.rest() != null) {
                    rest.add(s.rest());
                }
            } else if (condition.test(e)) {
                match.add(e);
            } else {
                rest.add(e);
            }
        }
        return new Split(match.isEmpty() ? null : derived(match),
                rest.isEmpty() ? null : derived(rest));
    }

    /**
     * {@link #split(Predicate)} by type: {@code except* IOException}.
     *
     * @param type the exception type that matches
     * @return the matching and the remaining parts
     */
    public Split split(Class<? extends Throwable> type) {
        Objects.requireNonNull(type, "type is null");
        return split(type::isInstance);
    }

    /**
     * Only the exceptions that satisfy {@code condition}: Python's {@code eg.subgroup}; this
     * group itself if all do.
     *
     * @param condition which exceptions match
     * @return the group of matching exceptions, or null if none matches
     */
    public ExceptionGroup subgroup(Predicate<? super Throwable> condition) {
        Objects.requireNonNull(condition, "condition is null");
        if (condition.test(this)) {
            return this;
        }
        List<Throwable> kept = new ArrayList<>();
        boolean modified = false;
        for (Throwable e : exceptions) {
            if (e instanceof ExceptionGroup g) {
                ExceptionGroup sub = g.subgroup(condition);
                modified |= sub != g;
                if (sub != null) {
                    kept.add(sub);
                }
            } else if (condition.test(e)) {
                kept.add(e);
            } else {
                modified = true;
            }
        }
        if (!modified) {
            return this;
        }
        return kept.isEmpty() ? null : derived(kept);
    }

    /**
     * {@link #subgroup(Predicate)} by type.
     *
     * @param type the exception type that matches
     * @return the group of matching exceptions, or null if none matches
     */
    public ExceptionGroup subgroup(Class<? extends Throwable> type) {
        Objects.requireNonNull(type, "type is null");
        return subgroup(type::isInstance);
    }

    /**
     * A group like this one (its message, cause and stack trace) with other exceptions: Python's
     * {@code derive}. Subclasses override it to keep their type through {@link #split}.
     *
     * @param excs the exceptions of the new group
     * @return the new group
     */
    protected ExceptionGroup derive(List<Throwable> excs) {
        return new ExceptionGroup(message, excs);
    }

    private ExceptionGroup derived(List<Throwable> excs) {
        ExceptionGroup g = derive(excs);
        g.setStackTrace(getStackTrace());
        if (getCause() != null && g.getCause() == null) {
            g.initCause(getCause());
        }
        return g;
    }
}
