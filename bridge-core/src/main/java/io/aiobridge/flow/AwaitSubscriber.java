package io.aiobridge.flow;

import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
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
 * <p><b>Nothing is lost.</b> Every item received and not returned goes to the discard hook, as
 * Reactor's {@code then()}, {@code single()} and {@code last()} hand theirs to {@code
 * doOnDiscard}: each item of an awaited completion, each item an {@code awaitLast} replaced, both
 * items of a second-item error, the held item at an error or a cancel, an item whose awaiting
 * task was cancelled before the loop could hand it over, and the items of a rule violation.
 *
 * <p><b>Invariant:</b> signals are serial (rule 1.3), so the signal-side fields need no lock;
 * {@code result} is settled at most once, on the loop. The held item ({@code value}) is the one
 * field three parties touch: the signal side stores it, and the loop (settling the result) or
 * the cancel takes it, each with an atomic swap, so whichever swaps it out owns it and delivers
 * or discards it once.
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
    /** Where the items not returned go; null to drop them. */
    private final Consumer<? super T> onDiscard;
    private final SerialSubscription upstream = new SerialSubscription();
    /** Set by {@link #cancel()}; the signal side then gives up what it holds. */
    private volatile boolean cancelled;
    /** The item the loop set as the result (loop side), until the awaiting task takes it. */
    private T delivered;
    // signal side (serial)
    private boolean terminated;
    private boolean settled;
    private boolean seen;
    /** The held item of the SINGLE and LAST modes; swapped atomically ({@link #VALUE}). */
    @SuppressWarnings("unused") // through VALUE
    private T value;

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(AwaitSubscriber.class, "value",
                    Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    AwaitSubscriber(EventLoop loop, AsyncFuture<T> result, Mode mode, T defaultValue,
            String operation, Consumer<? super T> onDiscard) {
        this.loop = loop;
        this.result = result;
        this.mode = mode;
        this.defaultValue = defaultValue;
        this.operation = operation;
        this.onDiscard = onDiscard;
    }

    @Override
    public AsyncFuture<T> result() {
        return result;
    }

    @Override
    public void cancel() {
        cancelled = true;
        upstream.cancel();
        discard(takeValue()); // the signal side re-checks after each store
    }

    /**
     * The awaiting task was cancelled: cancels the subscription, and discards the item the
     * result already held if the cancel came after the loop set it but before the task resumed
     * (the task then raises CancelledError, as asyncio's does, and the item would be lost).
     * Called on the loop.
     */
    void abandon() {
        cancel();
        T item = delivered;
        delivered = null;
        discard(item);
    }

    @SuppressWarnings("unchecked")
    private T takeValue() {
        return (T) VALUE.getAndSet(this, null);
    }

    /** Holds {@code item} in place of the one held before, which is discarded. */
    @SuppressWarnings("unchecked")
    private void hold(T item) {
        discard((T) VALUE.getAndSet(this, item));
        if (cancelled) {
            discard(takeValue()); // the cancel may have looked before the store
        }
    }

    private void discard(T item) {
        if (item != null) {
            Violations.discard(loop, onDiscard, item, name());
        }
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
            settle(npe);
            upstream.cancel();
            throw npe; // §2.13: a null parameter is thrown back to the caller
        }
        if (!upstream.isSet()) {
            violation("§1.9 violated: onNext was called before onSubscribe; the item is ignored");
            discard(item);
            return;
        }
        if (terminated) {
            violation("§1.7 violated: onNext was called after the publisher had already"
                    + " signalled its terminal state");
            discard(item);
            return;
        }
        if (firstMode()) {
            if (seen) {
                violation("§1.1 violated: only one item was requested by " + name()
                        + ", but the publisher provided more");
                discard(item);
                return;
            }
            seen = true;
            hold(item);
            settleItem();
            // settled first: the cancel reaches a publisher inside its request at once, and
            // what it signals back (rule 3.6 lets it) must find the item already taken
            upstream.cancel();
            return;
        }
        if (mode == Mode.COMPLETION || settled) {
            // ignored, as Reactor's then() discards it; or on its way after a second item's
            // cancel (the publisher may still be inside the request that cancelled)
            seen = true;
            discard(item);
            return;
        }
        if (seen && mode != Mode.LAST) {
            // SINGLE modes: both items go, as Reactor's single() discards both
            discard(item); // in single()'s order: the second item, then the held one
            discard(takeValue());
            settle(new IllegalArgumentException(
                    name() + ": the publisher emitted more than one item"));
            upstream.cancel(); // after settling, as above
            return;
        }
        seen = true;
        hold(item);
    }

    @Override
    public void onError(Throwable t) {
        Objects.requireNonNull(t, "§2.13 violated: onError(null)");
        if (enterTerminal("onError")) {
            if (!settled) {
                discard(takeValue()); // once settled, the held item is the settlement's
            }
            settle(t);
        }
    }

    @Override
    public void onComplete() {
        if (!enterTerminal("onComplete")) {
            return;
        }
        if (cancelled) {
            discard(takeValue()); // the awaiting side has gone: nothing to settle
            return;
        }
        switch (mode) {
            case COMPLETION -> settleDefault();
            case FIRST_OR_DEFAULT -> {
                if (!seen) {
                    settleDefault();
                } // else the item settled the result when it came
            }
            case SINGLE_OR_DEFAULT -> {
                if (seen) {
                    settleItem();
                } else {
                    settleDefault();
                }
            }
            default -> {
                if (seen) {
                    settleItem(); // FIRST settled already: this is a no-op
                } else {
                    settle(new NoSuchElementException(
                            name() + ": the publisher completed empty"));
                }
            }
        }
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

    /** Settles with the held item, which stays held until the loop takes it. */
    private void settleItem() {
        settle(null, null, true);
    }

    /** Settles with the default value (null in COMPLETION mode). */
    private void settleDefault() {
        settle(defaultValue, null, false);
    }

    private void settle(Throwable error) {
        settle(null, error, false);
    }

    /**
     * Posts the outcome to the loop, once. The held item is taken there, not here: until the
     * loop takes it, a cancel of the awaiting task takes it instead and discards it, so it is
     * never lost in a callback that a closing loop clears without running.
     */
    private void settle(T defaultOrNull, Throwable error, boolean heldItem) {
        if (settled) {
            if (error != null) {
                Violations.dropped(loop, error); // after awaitFirst's item and cancel
            }
            return;
        }
        settled = true;
        Runnable r = () -> {
            T v = heldItem ? takeValue() : defaultOrNull;
            if (result.isDone()) {
                if (error != null) {
                    Violations.dropped(loop, error); // the awaiting task was cancelled
                } else if (heldItem) {
                    discard(v); // null if the cancel took it first
                }
                return;
            }
            if (error != null) {
                result.setException(error);
            } else if (!heldItem) {
                result.setResult(v);
            } else if (v != null) {
                delivered = v;
                result.setResult(v);
            } // else a hand-made subscriber's cancel took the item: the result stays pending
        };
        try {
            loop.callSoonThreadsafe(r);
        } catch (IllegalStateException closed) {
            // the awaiting loop is gone, and its task with it
            if (heldItem) {
                discard(takeValue());
            }
        }
    }

    private void violation(String message) {
        Violations.report(loop, new IllegalStateException(message));
    }
}
