/**
 * aiobridge core: Python's asyncio programming model on virtual threads.
 *
 * <p>{@code io.aiobridge} holds the public API; the implementation classes are package-private in
 * the same package, and {@code io.aiobridge.internal} (not exported) is reserved for runtime pieces
 * shared by several packages.
 */
module io.aiobridge.core {
    exports io.aiobridge;
}
