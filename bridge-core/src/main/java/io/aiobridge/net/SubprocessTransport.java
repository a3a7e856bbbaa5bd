package io.aiobridge.net;

import io.aiobridge.AsyncFuture;
import io.aiobridge.Context;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.LoopResources;
import io.aiobridge.internal.TransportIo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A child process at the protocol level: asyncio's {@code SubprocessTransport}, made by {@link
 * Subprocess#subprocessExec}, {@link Subprocess#subprocessShell} or {@link
 * Subprocess.Spec#start(java.util.function.Supplier)}. Its pipes are {@link
 * Transport}s ({@link #getPipeTransport}); what the child writes and its exit reach the {@link
 * SubprocessProtocol}. {@link AsyncProcess}, the streams-level process, is built on it, as
 * asyncio's {@code Process} is.
 *
 * <p>Nothing outlives its owner: {@link #close()} closes the pipes and kills a child that still
 * runs, and a loop that closes does the same for every transport it made.
 *
 * <p>Loop-confined, except for the signals: while its loop runs, {@link #close()} and {@link
 * #setProtocol} throw {@link WrongThreadException} when called from another thread, before they
 * change anything (use {@code loop.callSoonThreadsafe(transport::close)}). {@link #sendSignal},
 * {@link #terminate()} and {@link #kill()} may be called from any thread, as the JDK's {@link
 * Process#destroy()} may: a watchdog or a shutdown hook can end the child, and the loop reports
 * the exit as usual.
 */
public final class SubprocessTransport {
    private static final String[] FD_NAMES = {"stdin", "stdout", "stderr"};

    private final EventLoop loop;
    private final Process process;
    private final String description;
    private final PipeTransport[] pipes = new PipeTransport[3];
    private final boolean[] pipeOpen = new boolean[3];
    private final List<AsyncFuture<Integer>> exitWaiters = new ArrayList<>();
    private final AutoCloseable onLoopClose = this::loopClosing;
    /** The context the protocol's callbacks run in: the creator's, as uvloop. */
    private final Context protocolContext = Context.copyCurrent();
    private SubprocessProtocol protocol;
    private Integer returncode;
    /** The last signal we sent: a death by it is reported as -signal, as Python does. */
    private volatile int signalSent; // written by any thread that sends a signal
    private boolean closed;
    /** connectionLost is scheduled: the process has exited and every pipe is closed. */
    private boolean finished;
    /** connectionLost has run: the process is gone for good (asyncio's {@code _proc = None}). */
    private boolean lost;

    SubprocessTransport(EventLoop loop, Process process, String description, boolean pipeIn,
            boolean pipeOut, boolean pipeErr, SubprocessProtocol protocol) {
        this.loop = loop;
        this.process = process;
        this.description = description;
        this.protocol = protocol;
        if (pipeIn) {
            pipes[0] = new PipeTransport.Writing(loop, new PipeEnd(0), process.getOutputStream(),
                    "stdin of " + description);
        }
        if (pipeOut) {
            pipes[1] = new PipeTransport.Reading(loop, new PipeEnd(1), process.getInputStream(),
                    "stdout of " + description);
        }
        if (pipeErr) {
            pipes[2] = new PipeTransport.Reading(loop, new PipeEnd(2), process.getErrorStream(),
                    "stderr of " + description);
        }
        for (int fd = 0; fd < 3; fd++) {
            pipeOpen[fd] = pipes[fd] != null;
        }
        LoopResources.own(loop, onLoopClose);
        // before any pipe's data or the exit: both reach the loop through later handles
        loop.callSoon(() -> this.protocol.connectionMade(this), protocolContext);
        process.onExit().thenAccept(p -> {
            try {
                loop.callSoonThreadsafe(() -> TransportIo.runIn(protocolContext,
                        () -> exited(p.exitValue())));
            } catch (IllegalStateException loopClosed) {
                // the loop has closed and killed the child: nobody is waiting any more
            }
        });
    }

    /** What a pipe's transport tells its protocol, handed on with the pipe's number. */
    private final class PipeEnd implements Protocol {
        private final int fd;

        PipeEnd(int fd) {
            this.fd = fd;
        }

        @Override
        public void dataReceived(byte[] data) {
            protocol.pipeDataReceived(fd, data);
        }

        @Override
        public void connectionLost(Throwable exc) {
            pipeOpen[fd] = false;
            try {
                protocol.pipeConnectionLost(fd, exc);
            } finally {
                tryFinish();
            }
        }

        @Override
        public void pauseWriting() {
            protocol.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            protocol.resumeWriting();
        }
    }

    private void exited(int exitValue) {
        int sig = exitValue - 128;
        returncode = signalSent != 0 && sig == signalSent ? -sig : exitValue;
        LoopResources.disown(loop, onLoopClose);
        if (pipes[0] != null) {
            ((PipeTransport.Writing) pipes[0]).processExited();
        }
        try {
            protocol.processExited();
        } finally {
            tryFinish();
            // as 3.11's transport: wait() returns at the exit, not after the pipes close
            for (AsyncFuture<Integer> w : List.copyOf(exitWaiters)) {
                if (!w.isDone()) {
                    w.setResult(returncode);
                }
            }
            exitWaiters.clear();
        }
    }

    private void tryFinish() {
        if (finished || returncode == null) {
            return;
        }
        for (boolean open : pipeOpen) {
            if (open) {
                return;
            }
        }
        finished = true;
        loop.callSoon(() -> {
            lost = true;
            protocol.connectionLost(null);
        }, protocolContext);
    }

    /** asyncio's {@code transport._wait()}: the exit code, once the child has exited. */
    int awaitExit() {
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
     * The child's process id.
     *
     * @return the pid
     */
    public long getPid() {
        return process.pid();
    }

    /**
     * The exit code, or null while the child runs. A child killed by a signal this transport
     * sent has {@code -signal}, as in Python.
     *
     * @return the code or null
     */
    public Integer getReturncode() {
        return returncode;
    }

    /**
     * The transport of one of the child's pipes: 0 writes to its stdin, 1 and 2 read its stdout
     * and stderr (their data reaches {@link SubprocessProtocol#pipeDataReceived}).
     *
     * @param fd 0, 1 or 2
     * @return the pipe's transport, or null if that stream is not a pipe (as asyncio's None)
     */
    public Transport getPipeTransport(int fd) {
        return fd >= 0 && fd < 3 ? pipes[fd] : null;
    }

    /**
     * Sends {@code signal} to the child: SIGTERM (15) and SIGKILL (9) through the JDK, other
     * signals with the system's {@code kill} command, which the call waits for (a few
     * milliseconds), so the signal is delivered when it returns, as {@code os.kill}'s is. A child
     * that has exited is left alone, as Python's {@code Popen.send_signal} does. Callable from
     * any thread.
     *
     * @param signal the signal number
     * @throws IllegalStateException (asyncio's ProcessLookupError) once the transport has
     *     reported {@link SubprocessProtocol#connectionLost}
     */
    public void sendSignal(int signal) {
        if (lost) {
            throw new IllegalStateException("ProcessLookupError: " + this + " has exited and"
                    + " its pipes are closed");
        }
        if (returncode != null || !process.isAlive()) {
            return;
        }
        signalSent = signal;
        signal(process, signal, this);
    }

    static void signal(Process process, int signal, Object who) {
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
                            + " to " + who + ": the JDK sends only SIGTERM and SIGKILL, and the"
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

    /**
     * Closes the pipes and kills the child if it still runs, as asyncio's {@code close()}. The
     * protocol still hears the exit and, last, {@link SubprocessProtocol#connectionLost}.
     * Idempotent.
     */
    public void close() {
        TransportIo.checkThread(loop, "SubprocessTransport.close()");
        if (closed) {
            return;
        }
        closed = true;
        // asyncio closes the pipes first; killing first means a child that would have ended at
        // the end of its input cannot exit 0 in between, so close() always ends it the same way
        killIfRunning();
        for (PipeTransport p : pipes) {
            if (p != null) {
                p.close();
            }
        }
    }

    private void killIfRunning() {
        if (returncode == null && process.isAlive()) {
            signalSent = 9;
            process.destroyForcibly();
        }
    }

    /** The loop closes while the child runs: kill it and drop its pipes. */
    private void loopClosing() {
        killIfRunning();
        for (PipeTransport p : pipes) {
            if (p != null) {
                p.abort();
            }
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closing
     */
    public boolean isClosing() {
        return closed;
    }

    /**
     * asyncio's {@code get_extra_info}: {@code "subprocess"} is the JDK's {@link Process}.
     *
     * @param key the name
     * @return the value, or null
     */
    public Object getExtraInfo(String key) {
        return "subprocess".equals(key) ? process : null;
    }

    /**
     * The protocol.
     *
     * @return the protocol
     */
    public SubprocessProtocol getProtocol() {
        return protocol;
    }

    /**
     * Replaces the protocol; later callbacks go to {@code protocol}.
     *
     * @param protocol the new protocol
     */
    public void setProtocol(SubprocessProtocol protocol) {
        TransportIo.checkThread(loop, "SubprocessTransport.setProtocol()");
        this.protocol = Objects.requireNonNull(protocol, "protocol is null");
    }

    String description() {
        return description;
    }

    Process process() {
        return process;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("<SubprocessTransport");
        if (closed) {
            s.append(" closed");
        }
        s.append(" pid=").append(process.pid());
        s.append(returncode != null ? " returncode=" + returncode : " running");
        for (int fd = 0; fd < 3; fd++) {
            if (pipes[fd] != null) {
                s.append(' ').append(FD_NAMES[fd]).append('=').append(pipes[fd]);
            }
        }
        return s.append('>').toString();
    }
}
