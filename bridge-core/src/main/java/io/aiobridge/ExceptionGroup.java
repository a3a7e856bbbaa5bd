package io.aiobridge;

import java.util.List;
import java.util.Objects;

/**
 * Several exceptions raised together, as Python's {@code ExceptionGroup}: {@link TaskGroup} raises
 * one that carries every child failure (and the body's own failure, last).
 *
 * <p>Each carried exception is also attached as a {@linkplain #getSuppressed() suppressed}
 * exception, so a printed stack trace shows them all.
 */
public class ExceptionGroup extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<Throwable> exceptions;

    /**
     * Creates a group.
     *
     * @param message what the group is about
     * @param exceptions the exceptions, at least one, none null
     * @throws IllegalArgumentException if {@code exceptions} is empty
     */
    public ExceptionGroup(String message, List<? extends Throwable> exceptions) {
        super(message + " (" + Objects.requireNonNull(exceptions, "exceptions is null").size()
                + (exceptions.size() == 1 ? " sub-exception)" : " sub-exceptions)"));
        if (exceptions.isEmpty()) {
            throw new IllegalArgumentException("an ExceptionGroup needs at least one exception");
        }
        this.exceptions = List.copyOf(exceptions);
        for (Throwable t : this.exceptions) {
            addSuppressed(t);
        }
    }

    /**
     * The exceptions of this group, in the order they happened.
     *
     * @return an unmodifiable list
     */
    public List<Throwable> exceptions() {
        return exceptions;
    }
}
