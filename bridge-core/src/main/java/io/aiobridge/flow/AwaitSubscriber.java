package io.aiobridge.flow;

import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.reactivestreams.Subscription;

/**
 * The subscriber behind the {@code await*} functions: settles a future of its loop as its {@link
 * AwaitingSubscriber.Mode} says, from signals that may arrive on any thread.
 *
 * <p><b>Contract</b> (kotlinx's {@code awaitOne}): FIRST modes request one item and cancel after
 * it; every other mode requests everything and settles only at the terminal signal, so a {@code
 * Mono}, {@code Single} or {@code Maybe} is never cancelled after its value (its {@code
 * usingWhen} or transaction commits, as with {@code block()}). {@code request} and {@code
 * cancel} are serial (rule 2.7, through {@link SerialSubscription}). A publisher that breaks the
 * rules is reported to the loop's exception handler, naming the rule: a signal before {@code
 * onSubscribe} (1.9), more items than requested (1.1), a signal after the terminal one (1.7).
 *
 * <p><b>Invariant:</b> signals are serial (rule 1.3), so the signal-side fields need no lock;
 * {@code result} is settled at most once, on the loop.
 *
 * @param <T> the item type
 */
final class AwaitSubscriber<T> implements AwaitingSubscriber<T> {
    private final EventLoop loop;
    private final AsyncFuture<T> result;
    private final Mode mode;
    private final T defaultValue;
    /** The operation that messages name, or null for the await function of {@code mode}. */
    private final String operation;
    private final SerialSubscription upstream = new SerialSubscription();
    // signal side (serial)
    private boolean terminated;
    private boolean settled;
    private boolean seen;
    private T value;

    AwaitSubscriber(EventLoop loop, AsyncFuture<T> result, Mode mode, T defaultValue) {
        this(loop, result, mode, defaultValue, null);
    }

    AwaitSubscriber(EventLoop loop, AsyncFuture<T> result, Mode mode, T defaultValue,
            String operation) {
        this.loop = loop;
        this.result = result;
        this.mode = mode;
        this.defaultValue = defaultValue;
        this.operation = operation;
    }

    @Override
    public AsyncFuture<T> result() {
        return result;
    }

    @Override
    public void cancel() {
        upstream.cancel();
    }

    private String name() {
        if (operation != null) {
            return operation;
        }
        return switch (mode) {
            case FIRST -> "awaitFirst()";
            case FIRST_OR_DEFAULT -> "awaitFirstOrDefault()";
            case SINGLE -> "awaitSingle()";
            case SINGLE_OR_DEFAULT -> "awaitSingleOrDefault()";
            case LAST -> "awaitLast()";
            case COMPLETION -> "awaitCompletion()";
        };
    }

    private boolean firstMode() {
        return mode == Mode.FIRST || mode == Mode.FIRST_OR_DEFAULT;
    }

    @Override
    public void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "§2.13 violated: onSubscribe(null)");
        if (upstream.set(s)) {
            upstream.request(firstMode() ? 1 : Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(T item) {
        if (item == null) {
            NullPointerException npe = new NullPointerException("§2.13 violated: onNext(null)");
            upstream.cancel();
            settle(null, npe);
            throw npe; // §2.13: a null parameter is thrown back to the caller
        }
        if (!upstream.isSet()) {
            violation("§1.9 violated: onNext was called before onSubscribe; the item is ignored");
            return;
        }
        if (terminated) {
            violation("§1.7 violated: onNext was called after the publisher had already"
                    + " signalled its terminal state");
            return;
        }
        if (firstMode()) {
            if (seen) {
                violation("§1.1 violated: only one item was requested by " + name()
                        + ", but the publisher provided more");
                return;
            }
            seen = true;
            upstream.cancel();
            settle(item, null);
            return;
        }
        if (seen && (mode == Mode.SINGLE || mode == Mode.SINGLE_OR_DEFAULT)) {
            upstream.cancel();
            settle(null, new IllegalArgumentException(
                    name() + ": the publisher emitted more than one item"));
            return;
        }
        seen = true;
        value = item;
    }

    @Override
    public void onError(Throwable t) {
        Objects.requireNonNull(t, "§2.13 violated: onError(null)");
        if (enterTerminal("onError")) {
            settle(null, t);
        }
    }

    @Override
    public void onComplete() {
        if (!enterTerminal("onComplete")) {
            return;
        }
        switch (mode) {
            case COMPLETION -> settle(null, null);
            case FIRST_OR_DEFAULT, SINGLE_OR_DEFAULT -> settle(seen ? value : defaultValue, null);
            default -> {
                if (seen) {
                    settle(value, null);
                } else {
                    settle(null, new NoSuchElementException(
                            name() + ": the publisher completed empty"));
                }
            }
        }
        value = null;
    }

    /** Rule 2.4: a publisher is done after its terminal signal; a second one is a violation. */
    private boolean enterTerminal(String signal) {
        if (!upstream.isSet()) {
            violation("§1.9 violated: " + signal + " was called before onSubscribe");
        }
        if (terminated) {
            violation("§1.7 violated: " + signal + " was called after the publisher had already"
                    + " signalled its terminal state");
            return false;
        }
        terminated = true;
        return true;
    }

    private void settle(T v, Throwable error) {
        if (settled) {
            if (error != null) {
                Violations.dropped(loop, error); // after awaitFirst's item and cancel
            }
            return;
        }
        settled = true;
        Runnable r = () -> {
            if (result.isDone()) {
                if (error != null) {
                    Violations.dropped(loop, error); // the awaiting task was cancelled
                }
                return;
            }
            if (error != null) {
                result.setException(error);
            } else {
                result.setResult(v);
            }
        };
        try {
            loop.callSoonThreadsafe(r);
        } catch (IllegalStateException closed) {
            // the awaiting loop is gone, and its task with it
        }
    }

    private void violation(String message) {
        Violations.report(loop, new IllegalStateException(message));
    }
}
