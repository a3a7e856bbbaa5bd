package io.aiobridge.flow;

/**
 * A source got more items ahead of the task iterating it than the buffer it was given holds,
 * with {@link Overflow#ERROR}: the counterpart of Reactor's overflow error and RxJava's {@code
 * MissingBackpressureException}.
 */
public class OverflowException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which limit was passed and what to do instead
     */
    public OverflowException(String message) {
        super(message);
    }
}
