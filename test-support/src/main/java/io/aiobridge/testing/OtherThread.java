package io.aiobridge.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls made from a thread that is not the loop's, for the threading-contract tests: a
 * loop-confined call must refuse such a thread with {@link WrongThreadException} before it
 * touches anything.
 */
public final class OtherThread {
    /** The name of the thread {@link #call} runs on; refusals name it. */
    public static final String NAME = "not-the-loop";

    private OtherThread() {}

    /**
     * Runs {@code call} on a fresh platform thread named {@link #NAME} and waits for it (5 s at
     * most).
     *
     * @param call what to run
     * @return what {@code call} threw, or null if it returned
     * @throws Exception if it did not end within 5 s
     */
    public static Throwable call(Runnable call) throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread.ofPlatform().name(NAME).start(() -> {
            try {
                call.run();
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        return thrown.get(5, TimeUnit.SECONDS);
    }

    /**
     * Asserts that {@code thrown} is the loop's refusal of {@code what} from {@link #call}'s
     * thread: a {@link WrongThreadException} whose message starts with asyncio's.
     *
     * @param thrown what the call threw
     * @param what the call's name in the message, such as {@code "Transport.write()"}
     */
    public static void assertRefused(Throwable thrown, String what) {
        WrongThreadException refused = assertInstanceOf(WrongThreadException.class, thrown);
        assertTrue(refused.getMessage().startsWith("Non-thread-safe operation invoked on an event"
                + " loop other than the current one; " + what + " was called from thread '"
                + NAME + "'"), refused.getMessage());
    }
}
