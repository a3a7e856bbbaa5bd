package io.aiobridge;

import java.util.Objects;

/**
 * How an awaitable ended: with a value or with an exception. {@link Aio#gatherSettled} returns one
 * per child, as {@code gather(..., return_exceptions=True)} returns values and exceptions side by
 * side, but typed:
 *
 * <pre>{@code
 * for (Outcome<String> o : Aio.gatherSettled(a, b).await()) {
 *     switch (o) {
 *         case Outcome.Success<String>(var value) -> System.out.println(value);
 *         case Outcome.Failure<String>(var error) -> System.out.println("failed: " + error);
 *     }
 * }
 * }</pre>
 *
 * @param <T> the value type
 */
public sealed interface Outcome<T> permits Outcome.Success, Outcome.Failure {

    /**
     * A value.
     *
     * @param value the value, may be null
     * @param <T> the value type
     */
    record Success<T>(T value) implements Outcome<T> {}

    /**
     * An exception; a cancelled child is a failure with a {@link CancelledError}.
     *
     * @param error the exception
     * @param <T> the value type
     */
    record Failure<T>(Throwable error) implements Outcome<T> {
        /**
         * Checks the exception.
         *
         * @throws NullPointerException if {@code error} is null
         */
        public Failure {
            Objects.requireNonNull(error, "error is null: a failure needs its exception");
        }
    }

    /**
     * Whether this is a {@link Success}.
     *
     * @return true for a value
     */
    default boolean isSuccess() {
        return this instanceof Success;
    }

    /**
     * The value, or the exception rethrown (checked ones wrapped in {@link
     * java.util.concurrent.CompletionException}).
     *
     * @return the value
     */
    default T getOrThrow() {
        if (this instanceof Success<T> s) {
            return s.value();
        }
        throw AsyncFuture.rethrowable(((Failure<T>) this).error());
    }
}
