package io.aiobridge.net;

/**
 * The callbacks of a child process started at the protocol level: asyncio's {@code
 * SubprocessProtocol}, for {@link Subprocess#subprocessExec} and {@link Subprocess.Spec#start(java.util.function.Supplier)}.
 * Every callback runs on the loop, in this order: {@link #connectionMade} first; then {@link
 * #pipeDataReceived} and {@link #pipeConnectionLost} for each pipe and {@link #processExited}
 * once, in the order they happen; {@link #connectionLost} last, once the process has exited and
 * every pipe is closed.
 *
 * <p>File descriptors are numbered as in the child: 0 stdin, 1 stdout, 2 stderr.
 *
 * @see SubprocessTransport
 */
public interface SubprocessProtocol {
    /**
     * The process has started and its pipes are connected.
     *
     * @param transport the process's transport: its pipes, its return code, signals
     */
    default void connectionMade(SubprocessTransport transport) {}

    /**
     * The child wrote {@code data} to its stdout (1) or stderr (2).
     *
     * @param fd 1 or 2
     * @param data the bytes (this array is the protocol's to keep)
     */
    default void pipeDataReceived(int fd, byte[] data) {}

    /**
     * One of the child's pipes closed.
     *
     * @param fd 0, 1 or 2
     * @param exc null for a normal end; otherwise what broke the pipe
     */
    default void pipeConnectionLost(int fd, Throwable exc) {}

    /** The child exited; {@link SubprocessTransport#getReturncode()} has its code. */
    default void processExited() {}

    /**
     * The last callback: the process has exited and all its pipes are closed.
     *
     * @param exc null (asyncio passes None here too)
     */
    default void connectionLost(Throwable exc) {}

    /** The stdin pipe's buffer went over its high-water mark: stop writing for now. */
    default void pauseWriting() {}

    /** The stdin pipe's buffer drained to its low-water mark: writing may go on. */
    default void resumeWriting() {}
}
