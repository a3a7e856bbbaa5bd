package io.aiobridge;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code asyncio.gather}: a future of all children's outcomes, in argument order.
 *
 * <p>Without {@code returnExceptions}, the first child failure (or cancellation, as a {@link
 * CancelledError}) becomes the gather's exception and the other children keep running. Cancelling
 * the gather cancels every child still running; a child cancelled on its own does not cancel the
 * gather (with {@code returnExceptions} it is reported as a failure in its place).
 */
final class Gather {
    private Gather() {}

    /** asyncio's ValueError for a future of another loop; the caller adds which one. */
    static final String DIFFERENT_LOOP =
            "The future belongs to a different loop than the one specified as the loop argument; ";

    /** The gathering future: cancelling it cancels the children. */
    static final class GatheringFuture<R> extends AsyncFuture<R> {
        private final List<AsyncFuture<?>> children;
        boolean cancelRequested;

        GatheringFuture(BaseEventLoop loop, List<AsyncFuture<?>> children) {
            super(loop);
            this.children = children;
        }

        @Override
        public boolean cancel(String message) {
            loop.checkThread("cancel()");
            if (isDone()) {
                return false;
            }
            boolean any = false;
            for (AsyncFuture<?> child : children) {
                if (child.cancel(message)) {
                    any = true;
                }
            }
            if (any) {
                // the last child's callback will end the gather with a CancelledError
                cancelRequested = true;
            }
            return any;
        }

        @Override
        public String toString() {
            return "<GatheringFuture " + stateName() + " children=" + children.size() + ">";
        }
    }

    static <R> AsyncFuture<R> gather(BaseEventLoop loop, List<? extends AsyncFuture<?>> args,
            boolean returnExceptions, Function<List<Outcome<Object>>, R> finisher) {
        if (args.isEmpty()) {
            AsyncFuture<R> outer = new AsyncFuture<>(loop);
            outer.doSetResult(finisher.apply(List.of()));
            return outer;
        }
        Map<AsyncFuture<?>, Boolean> seen = new IdentityHashMap<>();
        List<AsyncFuture<?>> children = new ArrayList<>(args.size());
        List<AsyncFuture<?>> distinct = new ArrayList<>(args.size());
        for (AsyncFuture<?> f : args) {
            if (f.loop != loop) {
                throw new IllegalArgumentException(DIFFERENT_LOOP + f + " belongs to another"
                        + " loop than the other awaitables");
            }
            if (seen.put(f, Boolean.TRUE) == null) {
                distinct.add(f);
            }
            children.add(f);
        }
        GatheringFuture<R> outer = new GatheringFuture<>(loop, children);
        int total = distinct.size();
        int[] finished = {0};
        Consumer<AsyncFuture<?>> onChildDone = fut -> {
            finished[0]++;
            if (outer.isDone()) {
                if (!fut.isCancelled()) {
                    fut.exception(); // mark retrieved: the gather has already reported
                }
                return;
            }
            if (!returnExceptions) {
                if (fut.isCancelled()) {
                    outer.doSetException(fut.newCancelledError());
                    return;
                }
                Throwable e = fut.exception();
                if (e != null) {
                    outer.doSetException(e);
                    return;
                }
            }
            if (finished[0] == total) {
                List<Outcome<Object>> results = new ArrayList<>(children.size());
                for (AsyncFuture<?> child : children) {
                    @SuppressWarnings("unchecked")
                    Outcome<Object> o = (Outcome<Object>) outcomeOf(child);
                    results.add(o);
                }
                if (outer.cancelRequested) {
                    outer.doSetException(fut.newCancelledError());
                } else {
                    outer.doSetResult(finisher.apply(results));
                }
            }
        };
        // Children already done count at once (3.12+): a gather of tasks that finished in their
        // eager step is done when it returns, so awaiting it does not suspend. 3.11 scheduled a
        // callback for them too, which cost the caller one turn of the loop.
        List<AsyncFuture<?>> doneFuts = new ArrayList<>();
        for (AsyncFuture<?> f : distinct) {
            if (f.isDone()) {
                doneFuts.add(f);
            } else {
                f.addDoneCallbackInternal(onChildDone, outer);
            }
        }
        for (AsyncFuture<?> f : doneFuts) {
            onChildDone.accept(f);
        }
        return outer;
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> values(List<Outcome<Object>> outcomes) {
        List<T> values = new ArrayList<>(outcomes.size());
        for (Outcome<Object> o : outcomes) {
            values.add((T) ((Outcome.Success<Object>) o).value());
        }
        return values;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> List<Outcome<T>> outcomes(List<Outcome<Object>> outcomes) {
        return (List) List.copyOf(outcomes);
    }

    /** The outcome of a done future (an interface's static method would be public API). */
    private static <T> Outcome<T> outcomeOf(AsyncFuture<T> f) {
        if (f.isCancelled()) {
            return new Outcome.Failure<>(f.newCancelledError());
        }
        Throwable e = f.exception();
        return e != null ? new Outcome.Failure<>(e) : new Outcome.Success<>(f.result());
    }
}
