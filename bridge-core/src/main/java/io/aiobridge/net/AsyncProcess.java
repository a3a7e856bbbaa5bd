package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import io.aiobridge.internal.LoopResources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

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
    private final EventLoop loop;
    private final Process process;
    private final String description;
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;
    private final List<AsyncFuture<Integer>> exitWaiters = new ArrayList<>();
    private final List<PipeTransport> pipes = new ArrayList<>();
    private final AutoCloseable onLoopClose = this::killIfRunning;
    private Integer returncode;
    /** The last signal we sent: a death by it is reported as -signal, as Python does. */
    private int signalSent;

    /**
     * What {@link #communicate} gathered.
     *
     * @param stdout the whole output, or null if stdout was not a pipe
     * @param stderr the whole error output, or null if stderr was not a pipe
     */
    public record Output(byte[] stdout, byte[] stderr) {}

    AsyncProcess(EventLoop loop, Process process, String description, boolean pipeIn,
            boolean pipeOut, boolean pipeErr, int limit) {
        this.loop = loop;
        this.process = process;
        this.description = description;
        if (pipeIn) {
            StreamReaderProtocol p = new StreamReaderProtocol(loop, null, null);
            PipeTransport.Writing t = new PipeTransport.Writing(loop, p, process.getOutputStream(),
                    "stdin of " + description);
            pipes.add(t);
            stdin = new StreamWriter(t, p, null, loop);
        } else {
            stdin = null;
        }
        stdout = pipeOut ? reader(process.getInputStream(), "stdout", limit) : null;
        stderr = pipeErr ? reader(process.getErrorStream(), "stderr", limit) : null;
        LoopResources.own(loop, onLoopClose);
        process.onExit().thenAccept(p -> {
            try {
                loop.callSoonThreadsafe(() -> exited(p.exitValue()));
            } catch (IllegalStateException loopClosed) {
                // nobody is waiting any more
            }
        });
    }

    private StreamReader reader(java.io.InputStream in, String which, int limit) {
        StreamReader r = new StreamReader(loop, limit);
        StreamReaderProtocol p = new StreamReaderProtocol(loop, r, null);
        pipes.add(new PipeTransport.Reading(loop, p, in, which + " of " + description));
        return r;
    }

    private void exited(int exitValue) {
        int sig = exitValue - 128;
        returncode = signalSent != 0 && sig == signalSent ? -sig : exitValue;
        LoopResources.disown(loop, onLoopClose);
        for (AsyncFuture<Integer> w : List.copyOf(exitWaiters)) {
            if (!w.isDone()) {
                w.setResult(returncode);
            }
        }
        exitWaiters.clear();
    }

    /**
     * The process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * The exit code, or null while the process runs; a process killed by a signal this object
     * sent has {@code -signal}, as in Python.
     *
     * @return the code or null
     */
    public Integer returncode() {
        return returncode;
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
        if (returncode != null) {
            return returncode;
        }
        AsyncFuture<Integer> w = loop.createFuture();
        exitWaiters.add(w);
        try {
            return w.await();
        } finally {
            exitWaiters.remove(w);
        }
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
     * signals with the system's {@code kill} command.
     *
     * @param signal the signal number
     * @throws IllegalStateException (asyncio's ProcessLookupError) if the process has exited
     */
    public void sendSignal(int signal) {
        if (returncode != null || !process.isAlive()) {
            throw new IllegalStateException("ProcessLookupError: " + this + " has already"
                    + " exited");
        }
        signalSent = signal;
        switch (signal) {
            case 15 -> process.destroy();
            case 9 -> process.destroyForcibly();
            default -> {
                try {
                    Process k = new ProcessBuilder("kill", "-s", String.valueOf(signal),
                            String.valueOf(process.pid())).start();
                    k.waitFor();
                } catch (IOException | InterruptedException e) {
                    throw new UnsupportedOperationException("cannot send signal " + signal
                            + " to " + this + ": the JDK sends only SIGTERM and SIGKILL, and the"
                            + " kill command failed: " + e, e);
                }
            }
        }
    }

    /** Sends SIGTERM. */
    public void terminate() {
        sendSignal(15);
    }

    /** Sends SIGKILL. */
    public void kill() {
        sendSignal(9);
    }

    /** The loop closes while the process runs: kill it, so nothing outlives its owner. */
    private void killIfRunning() {
        if (process.isAlive()) {
            signalSent = 9;
            process.destroyForcibly();
        }
        for (PipeTransport p : pipes) {
            p.abort();
        }
    }

    @Override
    public String toString() {
        return "<Process " + process.pid() + " " + description + (returncode == null ? " running"
                : " returncode=" + returncode) + ">";
    }
}
