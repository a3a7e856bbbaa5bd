package io.aiobridge;

/**
 * Raised inside an async generator's body at its {@code yield} when the generator is closed
 * ({@link AsyncGenerator#aclose()}), as Python's {@code GeneratorExit}, so its {@code finally}
 * blocks run. Like {@link io.aiobridge.CancelledError} it is an {@link Error}, so a careless
 * {@code catch (Exception e)} in the body does not swallow it. A body that catches it must not
 * yield again.
 */
public class GeneratorExit extends Error {
    private static final long serialVersionUID = 1L;

    /** Creates the signal. */
    public GeneratorExit() {
        super("GeneratorExit", null, false, false);
    }
}
