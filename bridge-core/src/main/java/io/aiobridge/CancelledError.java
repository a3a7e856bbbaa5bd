package io.aiobridge;

/**
 * Raised inside a task at its current {@code await} when the task is cancelled, and by awaiting
 * a cancelled future. The counterpart of {@code asyncio.CancelledError}.
 *
 * <p><b>Why an {@link Error}.</b> Since Python 3.8, {@code CancelledError} derives from {@code
 * BaseException} so that a broad {@code except Exception} does not swallow a cancellation by
 * accident. The Java equivalent of that split is {@code Exception} versus {@code Error}: a careless
 * {@code catch (Exception e)} or {@code catch (RuntimeException e)} lets this pass through, and the
 * task is cancelled as its caller asked. Code that wants to clean up on cancellation catches it by
 * name, does its work and rethrows, exactly as in asyncio:
 *
 * <pre>{@code
 * try {
 *     Aio.sleep(10);
 * } catch (CancelledError e) {
 *     releaseResources();
 *     throw e;
 * }
 * }</pre>
 *
 * <p>A task whose code lets a {@code CancelledError} escape ends cancelled; a task that catches it
 * and returns normally ends with its result, as in asyncio (and {@link Task#uncancel()} lets it say
 * that it has dealt with the request). When an aiobridge future is seen through a {@link
 * java.util.concurrent.CompletableFuture}, cancellation is mapped to the JDK's {@link
 * java.util.concurrent.CancellationException} in both directions.
 *
 * <p><b>Stack traces.</b> The cancellations the runtime raises at an {@code await} carry no
 * stack trace unless the loop is in debug mode ({@link EventLoop#setDebug(boolean)}): filling one
 * in walks the task's whole virtual-thread stack, and closing a loop of a million tasks raises a
 * million of them (kotlinx-coroutines' {@code JobCancellationException} makes the same choice).
 * The message says which task was cancelled and why; in debug mode the trace shows where.
 */
public class CancelledError extends Error {
    private static final long serialVersionUID = 1L;

    /** Creates a cancellation with no message. */
    public CancelledError() {
        super();
    }

    /**
     * Creates a cancellation with the message passed to {@code cancel(msg)}.
     *
     * @param message the cancellation message, may be null
     */
    public CancelledError(String message) {
        super(message);
    }

    /**
     * Creates a cancellation with a message and the cancellation that caused this one.
     *
     * @param message the cancellation message, may be null
     * @param cause the earlier cancellation, may be null
     */
    public CancelledError(String message, Throwable cause) {
        super(message, cause);
    }

    /** A cancellation raised by the runtime: with a stack trace only when asked (debug mode). */
    CancelledError(String message, Throwable cause, boolean withStackTrace) {
        super(message, cause, true, withStackTrace);
    }
}
