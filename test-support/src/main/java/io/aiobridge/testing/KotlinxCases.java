package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.aiobridge.Aio;
import io.aiobridge.AsyncIterable;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What {@link KotlinxOneValueCases} and {@link KotlinxStreamCases} share: the adapter's global
 * hook for errors nobody can take, recorded around each test, and the helpers their cases use.
 */
public abstract class KotlinxCases {
    /**
     * An adapter's global hook for errors nobody can take ({@code Hooks.onErrorDropped}, {@code
     * RxJavaPlugins.setErrorHandler}).
     *
     * @param install installs a hook that gets each error unwrapped from the library's own
     *     wrapper (an error not wrapped as the library wraps must reach it as an {@link
     *     AssertionError} naming it)
     * @param reset removes it
     * @param takesFatal whether a fatal error (LinkageError) a subscriber throws reaches it.
     *     RxJava's does (wrapped). Reactor's {@code Operators.onOperatorError} rethrows fatal
     *     errors as they are, so they never reach its hooks; the loop's exception handler gets
     *     them.
     */
    public record GlobalHook(Consumer<Consumer<Throwable>> install, Runnable reset,
            boolean takesFatal) { }

    /** Errors the adapter's global hook received, unwrapped. */
    protected final List<Throwable> dropped = new CopyOnWriteArrayList<>();

    /**
     * The adapter's global hook.
     *
     * @return it
     */
    protected abstract GlobalHook hook();

    @BeforeEach
    void recordDropped() {
        hook().install().accept(dropped::add);
    }

    @AfterEach
    void resetDropped() {
        hook().reset().run();
    }

    /** Fails if anything reached the adapter's global hook. */
    protected final void nothingDropped() {
        assertEquals(List.of(), dropped, "errors that reached the adapter's global hook");
    }

    /**
     * Hands what reaches the global hook to {@code h} instead of recording it, for this test.
     *
     * @param h the test's own hook
     */
    protected final void onDropped(Consumer<Throwable> h) {
        hook().reset().run();
        hook().install().accept(h);
    }

    /**
     * kotlinx's PublisherCompletionStressTest and ObservableCompletionStressTest: 10,000 (times
     * {@code -Dstress.scale}) sources of 0 to 4 items (seeded by {@code -Dstress.seed}), each
     * iterated in a task of one running loop, in full and in order, each within 5 s.
     *
     * @param rangeOf the module's source of {@code 1..count}, as the iteration it offers
     */
    public static void completionStress(IntFunction<AsyncIterable<Integer>> rangeOf) {
        int repeats = 10_000 * Integer.getInteger("stress.scale", 1);
        Random rnd = new Random(Long.getLong("stress.seed", 1));
        Aio.run(() -> {
            for (int i = 0; i < repeats; i++) {
                int count = rnd.nextInt(5);
                AsyncIterable<Integer> range = rangeOf.apply(count);
                int received = Aio.waitFor(Aio.createTask(() -> {
                    int[] n = {0};
                    range.forEach(x -> assertEquals(++n[0], x, "in order"));
                    return n[0];
                }), 5.0);
                assertEquals(count, received, "every item, then the end");
            }
            return null;
        });
    }

    /**
     * Waits for an outcome a callback gives: on a loop, without blocking it.
     *
     * @param f the outcome
     * @param <T> its type
     * @return its value
     * @throws Exception if it failed or took over 10 s
     */
    public static <T> T settle(CompletableFuture<T> f) throws Exception {
        if (Aio.runningLoopOrNull() != null) {
            return Aio.waitFor(Aio.ensureFuture(f), 10.0);
        }
        return f.get(10, TimeUnit.SECONDS);
    }

    /**
     * Runs {@code subscribe} in a task and checks that the LinkageError its subscriber throws
     * reaches the adapter's hook or, where the adapter refuses fatal errors there, the loop's
     * exception handler; once, and not the other.
     *
     * @param subscribe subscribes a subscriber that throws LinkageError
     * @throws Exception if it went elsewhere
     */
    protected final void fatalFromTheSubscriberIsReported(Runnable subscribe) throws Exception {
        boolean toHook = hook().takesFatal();
        CompletableFuture<Throwable> hooked = new CompletableFuture<>();
        CompletableFuture<Throwable> handler = new CompletableFuture<>();
        onDropped(hooked::complete);
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> handler.complete(c.exception()));
            subscribe.run();
            assertInstanceOf(LinkageError.class, settle(toHook ? hooked : handler));
            Aio.sleep(0.01);
            assertEquals(false, (toHook ? handler : hooked).isDone(),
                    "reported twice: " + (toHook ? handler : hooked));
            return null;
        });
    }

    /** A test's own failure, distinct from anything the library throws. */
    public static final class TestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message its message
         */
        public TestException(String message) {
            super(message);
        }
    }
}
