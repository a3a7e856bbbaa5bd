package io.aiobridge.internal;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the Reactive Streams bridge needs from an async generator beyond its public API: draining
 * it in demand-sized batches with one item of lookahead, and its failure exactly as thrown. The
 * runtime installs the one implementation when {@code AsyncGenerator} is initialized (the JDK's
 * "shared secrets" pattern, without reflection: the bridge creates a generator before it asks
 * for its drain); nothing outside this module sees it.
 *
 * @param <T> the item type
 */
public interface Drain<T> {
    /** Runs the body to its next yield, holding that item, if nothing is waiting. */
    void prime();

    /**
     * Hands up to {@code max} items to {@code sink}; the body runs ahead by the demand plus one
     * item of lookahead.
     *
     * @param max the most items to hand over now
     * @param sink receives the items; false stops
     * @return how many were handed over
     */
    int drain(int max, Predicate<? super T> sink);

    /**
     * Whether the body has ended and every item went out.
     *
     * @return true once exhausted
     */
    boolean exhausted();

    /**
     * Once exhausted: what the body threw, unwrapped, or null.
     *
     * @return the failure or null
     */
    Throwable failure();

    /**
     * Hands the items the body yielded but nobody took (the lookahead and the rest of a batch)
     * to {@code sink}, in order, and forgets them: for a bridge whose subscriber cancelled, so
     * its library's discard hook can release them.
     *
     * @param sink receives each item not handed over
     */
    void discardBuffered(Consumer<? super T> sink);

    /**
     * Claims the generator for one publisher subscription. A generator is one run of its body:
     * a second subscription would share what the first consumes, or find it spent (a retry after
     * a failure would then complete empty, and the failure would be lost), so only the first
     * claim succeeds, from any thread.
     *
     * @return true for the first claim, false for every later one
     */
    boolean claim();

    /** The runtime's side: how a drain is obtained for a generator. */
    final class Access {
        private Access() {}

        private static volatile Function<Object, Drain<?>> maker;

        /**
         * Installs the runtime's implementation; called once, by {@code AsyncGenerator}.
         *
         * @param m makes a drain for a generator
         */
        public static void install(Function<Object, Drain<?>> m) {
            maker = m;
        }

        /**
         * The drain of {@code generator}, an {@code AsyncGenerator} or its batched view (so its
         * class, which installs the implementation, is initialized).
         *
         * @param generator the generator
         * @param <T> the item type
         * @return its drain
         */
        @SuppressWarnings("unchecked")
        public static <T> Drain<T> of(Object generator) {
            return (Drain<T>) maker.apply(generator);
        }
    }
}
