package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.IOException;

/**
 * A child process with streams to its pipes: asyncio's {@code asyncio.subprocess.Process}, made
 * by {@link Subprocess}. Loop-confined. The loop keeps running while the process does: its pipes
 * are read and written on virtual threads of their own, and its exit is reported to the loop.
 *
 * <pre>{@code
 * AsyncProcess p = Subprocess.exec("seq", "1", "5").stdout(Subprocess.Redirect.PIPE).start();
 * for (byte[] line : p.stdout()) { ... }     // async for line in proc.stdout
 * int rc = p.waitFor();                       // await proc.wait()
 * }</pre>
 *
 * <p>{@code wait()} is {@link #waitFor()} here, as in {@link Process}: {@code Object.wait()} is
 * final in Java.
 */
public final class AsyncProcess {
    private final SubprocessTransport transport;
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;

    /**
     * What {@link #communicate} gathered.
     *
     * @param stdout the whole output, or null if stdout was not a pipe
     * @param stderr the whole error output, or null if stderr was not a pipe
     */
    public record Output(byte[] stdout, byte[] stderr) {}

    AsyncProcess(EventLoop loop, Process process, String description, boolean pipeIn,
            boolean pipeOut, boolean pipeErr, int limit) {
        StreamReaderProtocol[] ends = new StreamReaderProtocol[3];
        if (pipeIn) {
            ends[0] = new StreamReaderProtocol(loop, null, null);
        }
        stdout = pipeOut ? reader(loop, limit, ends, 1) : null;
        stderr = pipeErr ? reader(loop, limit, ends, 2) : null;
        transport = new SubprocessTransport(loop, process, description, pipeIn, pipeOut, pipeErr,
                new StreamsProtocol(ends));
        stdin = pipeIn ? new StreamWriter(transport.getPipeTransport(0), ends[0], null, loop)
                : null;
    }

    private static StreamReader reader(EventLoop loop, int limit, StreamReaderProtocol[] ends,
            int fd) {
        StreamReader r = new StreamReader(loop, limit);
        ends[fd] = new StreamReaderProtocol(loop, r, null);
        return r;
    }

    /**
     * asyncio's {@code SubprocessStreamProtocol}: each pipe's events go to the stream protocol
     * of that pipe, which feeds its reader or paces its writer.
     */
    private record StreamsProtocol(StreamReaderProtocol[] ends) implements SubprocessProtocol {
        @Override
        public void connectionMade(SubprocessTransport t) {
            for (int fd = 0; fd < 3; fd++) {
                if (ends[fd] != null) {
                    ends[fd].connectionMade(t.getPipeTransport(fd));
                }
            }
        }

        @Override
        public void pipeDataReceived(int fd, byte[] data) {
            ends[fd].dataReceived(data);
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable exc) {
            ends[fd].connectionLost(exc);
        }

        @Override
        public void pauseWriting() {
            ends[0].pauseWriting();
        }

        @Override
        public void resumeWriting() {
            ends[0].resumeWriting();
        }
    }

    /**
     * The process id.
     *
     * @return the pid
     */
    public long pid() {
        return transport.getPid();
    }

    /**
     * The exit code, or null while the process runs; a process killed by a signal this object
     * sent has {@code -signal}, as in Python.
     *
     * @return the code or null
     */
    public Integer returncode() {
        return transport.getReturncode();
    }

    /**
     * The writer to the process's stdin, if it is a pipe.
     *
     * @return the writer, or null
     */
    public StreamWriter stdin() {
        return stdin;
    }

    /**
     * The reader of the process's stdout, if it is a pipe.
     *
     * @return the reader, or null
     */
    public StreamReader stdout() {
        return stdout;
    }

    /**
     * The reader of the process's stderr, if it is a pipe.
     *
     * @return the reader, or null
     */
    public StreamReader stderr() {
        return stderr;
    }

    /**
     * Waits for the process to exit ({@code await proc.wait()}). Call from a task. With stdout
     * or stderr piped, read them meanwhile (or use {@link #communicate}): a process whose pipe
     * is full waits for its reader.
     *
     * @return the exit code
     */
    public int waitFor() {
        return transport.awaitExit();
    }

    /**
     * Sends {@code input} (if not null) to stdin and closes it, reads stdout and stderr to their
     * end, and waits for the exit: {@code await proc.communicate(input)}. Call from a task.
     *
     * @param input bytes for stdin, or null
     * @return what stdout and stderr gave (null for those that are not pipes)
     * @throws IOException if reading the output fails
     */
    public Output communicate(byte[] input) throws IOException {
        if (input != null && stdin == null) {
            throw new IllegalStateException("communicate(input) needs stdin=PIPE: " + this);
        }
        Task<byte[]> out = stdout == null ? null : Aio.createTask(() -> stdout.read(-1));
        Task<byte[]> err = stderr == null ? null : Aio.createTask(() -> stderr.read(-1));
        if (stdin != null) {
            try {
                if (input != null) {
                    stdin.write(input);
                }
                stdin.drain();
            } catch (IOException brokenPipe) {
                // as asyncio: the process may exit without reading its input
            }
            stdin.close();
        }
        byte[] o = out == null ? null : await(out);
        byte[] e = err == null ? null : await(err);
        waitFor();
        return new Output(o, e);
    }

    private static byte[] await(Task<byte[]> t) throws IOException {
        return IoAwait.await(t);
    }

    /**
     * Sends {@code signal} to the process: SIGTERM (15) and SIGKILL (9) through the JDK, other
     * signals with the system's {@code kill} command, which the call waits for (a few
     * milliseconds). Callable from any thread (a watchdog's, a
     * shutdown hook's).
     *
     * @param signal the signal number
     * @throws IllegalStateException (asyncio's ProcessLookupError) if the process has exited
     */
    public void sendSignal(int signal) {
        if (transport.getReturncode() != null || !transport.process().isAlive()) {
            throw new IllegalStateException("ProcessLookupError: " + this + " has already"
                    + " exited");
        }
        transport.sendSignal(signal);
    }

    /** Sends SIGTERM. */
    public void terminate() {
        sendSignal(15);
    }

    /** Sends SIGKILL. */
    public void kill() {
        sendSignal(9);
    }

    /**
     * The transport under this process, as asyncio's {@code Process._transport}: its pipes, and
     * {@link SubprocessTransport#close()} to kill the child and close the pipes at once.
     *
     * @return the transport
     */
    public SubprocessTransport transport() {
        return transport;
    }

    @Override
    public String toString() {
        Integer rc = transport.getReturncode();
        return "<Process " + transport.getPid() + " " + transport.description() + (rc == null
                ? " running" : " returncode=" + rc) + ">";
    }
}
