package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.internal.Args;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starting child processes: asyncio's {@code create_subprocess_exec} and {@code
 * create_subprocess_shell}, as a small builder. Call {@link Spec#start()} from a task; the
 * process runs while the loop goes on.
 *
 * <pre>{@code
 * AsyncProcess cat = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
 * AsyncProcess.Output r = cat.communicate("hello".getBytes());
 *
 * AsyncProcess sh = Subprocess.shell("echo out; echo err 1>&2; exit 3")
 *         .stdout(PIPE).stderr(PIPE).start();
 * }</pre>
 *
 * <p>Each stream is inherited from this JVM unless redirected ({@code None} in asyncio).
 */
public final class Subprocess {
    private Subprocess() {}

    /** Where a child's standard stream goes: asyncio's {@code PIPE}, {@code DEVNULL}, {@code STDOUT}. */
    public enum Redirect {
        /** Shared with this JVM (asyncio's {@code None}). */
        INHERIT,
        /** A pipe the parent reads or writes through a stream. */
        PIPE,
        /** The null device. */
        DEVNULL,
        /** stderr only: into the same pipe or file as stdout. */
        STDOUT
    }

    /**
     * A process running {@code program} with {@code args}, not through a shell.
     *
     * @param program the program (a path, or a name looked up on PATH)
     * @param args its arguments
     * @return the spec, to configure and start
     */
    public static Spec exec(String program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Objects.requireNonNull(program, "program is null"));
        cmd.addAll(Args.nonNullElements(args, "args"));
        return new Spec(cmd, program);
    }

    /**
     * A process running {@code command} through {@code /bin/sh -c}.
     *
     * @param command the shell command line
     * @return the spec, to configure and start
     */
    public static Spec shell(String command) {
        Objects.requireNonNull(command, "command is null");
        return new Spec(List.of("/bin/sh", "-c", command), command);
    }

    /**
     * {@code asyncio.create_subprocess_exec(program, *args, stdin=, stdout=, stderr=)}.
     *
     * @param command the program and its arguments
     * @param stdin where stdin comes from
     * @param stdout where stdout goes
     * @param stderr where stderr goes
     * @return the running process
     * @throws IOException if the program cannot be started
     */
    public static AsyncProcess createSubprocessExec(List<String> command, Redirect stdin,
            Redirect stdout, Redirect stderr) throws IOException {
        return exec(command).stdin(stdin).stdout(stdout).stderr(stderr).start();
    }

    /**
     * {@code asyncio.create_subprocess_shell(command, stdin=, stdout=, stderr=)}.
     *
     * @param command the shell command line
     * @param stdin where stdin comes from
     * @param stdout where stdout goes
     * @param stderr where stderr goes
     * @return the running process
     * @throws IOException if the shell cannot be started
     */
    public static AsyncProcess createSubprocessShell(String command, Redirect stdin,
            Redirect stdout, Redirect stderr) throws IOException {
        return shell(command).stdin(stdin).stdout(stdout).stderr(stderr).start();
    }

    /**
     * A child started at the protocol level, with its transport and protocol: asyncio's {@code
     * (transport, protocol)} pair.
     *
     * @param transport the child's transport
     * @param protocol the protocol the factory made
     * @param <P> the protocol's type
     */
    public record Connection<P extends SubprocessProtocol>(SubprocessTransport transport,
            P protocol) {}

    /**
     * {@code loop.subprocess_exec(protocol_factory, program, *args)}: starts {@code command}
     * with its stdin, stdout and stderr as pipes (asyncio's defaults here) and reports to the
     * protocol. Call from a task; returns once the protocol's {@code connectionMade} has run.
     * For other redirections use {@link
     * #exec} and {@link Spec#start(Supplier)}.
     *
     * @param protocolFactory makes the protocol
     * @param command the program and its arguments
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the program cannot be started
     */
    public static <P extends SubprocessProtocol> Connection<P> subprocessExec(
            Supplier<? extends P> protocolFactory, List<String> command) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        return exec(command).allPipes().start(protocolFactory);
    }

    /**
     * {@code loop.subprocess_shell(protocol_factory, cmd)}: as {@link #subprocessExec}, through
     * {@code /bin/sh -c}.
     *
     * @param protocolFactory makes the protocol
     * @param command the shell command line
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the shell cannot be started
     */
    public static <P extends SubprocessProtocol> Connection<P> subprocessShell(
            Supplier<? extends P> protocolFactory, String command) throws IOException {
        Objects.requireNonNull(protocolFactory, "protocolFactory is null");
        return shell(command).allPipes().start(protocolFactory);
    }

    /** The program and its arguments as one list, as the asyncio-named functions take them. */
    private static Spec exec(List<String> command) {
        if (Objects.requireNonNull(command, "command is null").isEmpty()) {
            throw new IllegalArgumentException("program is missing: the command is empty");
        }
        return exec(command.get(0), command.subList(1, command.size()).toArray(new String[0]));
    }

    private static final Pattern ERRNO = Pattern.compile("error[=:] ?(\\d+)");

    /** What to start, and how. */
    public static final class Spec {
        private final List<String> command;
        private final String description;
        private Redirect stdin = Redirect.INHERIT;
        private Redirect stdout = Redirect.INHERIT;
        private Redirect stderr = Redirect.INHERIT;
        private File cwd;
        private Map<String, String> env;
        private int limit = StreamReader.DEFAULT_LIMIT;

        private Spec(List<String> command, String description) {
            this.command = command;
            this.description = description;
        }

        /**
         * Where stdin comes from.
         *
         * @param r INHERIT, PIPE or DEVNULL
         * @return this
         */
        public Spec stdin(Redirect r) {
            if (Objects.requireNonNull(r, "stdin is null") == Redirect.STDOUT) {
                throw new IllegalArgumentException("STDOUT can only be used for stderr");
            }
            this.stdin = r;
            return this;
        }

        /**
         * Where stdout goes.
         *
         * @param r INHERIT, PIPE or DEVNULL
         * @return this
         */
        public Spec stdout(Redirect r) {
            if (Objects.requireNonNull(r, "stdout is null") == Redirect.STDOUT) {
                throw new IllegalArgumentException("STDOUT can only be used for stderr");
            }
            this.stdout = r;
            return this;
        }

        /**
         * Where stderr goes.
         *
         * @param r INHERIT, PIPE, DEVNULL or STDOUT
         * @return this
         */
        public Spec stderr(Redirect r) {
            this.stderr = Objects.requireNonNull(r, "stderr is null");
            return this;
        }

        /**
         * The working directory (default: this JVM's).
         *
         * @param dir the directory
         * @return this
         */
        public Spec cwd(File dir) {
            this.cwd = Objects.requireNonNull(dir, "dir is null");
            return this;
        }

        /**
         * The environment, replacing this JVM's (default: inherited).
         *
         * @param environment the variables
         * @return this
         */
        public Spec env(Map<String, String> environment) {
            this.env = new HashMap<>(Objects.requireNonNull(environment, "environment is null"));
            return this;
        }

        /**
         * The buffer limit of the stdout and stderr readers.
         *
         * @param bytes at least 1
         * @return this
         */
        public Spec limit(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("Limit cannot be <= 0; got " + bytes);
            }
            this.limit = bytes;
            return this;
        }

        /**
         * Starts the process on the running loop. Call from a task.
         *
         * @return the running process
         * @throws FileNotFoundException (asyncio's FileNotFoundError) if the program does not
         *     exist
         * @throws AccessDeniedException (PermissionError) if it may not be run
         * @throws IOException if it cannot be started otherwise
         */
        public AsyncProcess start() throws IOException {
            EventLoop loop = Aio.getRunningLoop();
            return new AsyncProcess(loop, launch(), description, stdin == Redirect.PIPE,
                    stdout == Redirect.PIPE, stderr == Redirect.PIPE, limit);
        }

        /**
         * Starts the process on the running loop at the protocol level ({@code
         * loop.subprocess_exec}): the child's output and exit go to the protocol {@code
         * protocolFactory} makes. Call from a task; returns once the protocol's {@code
         * connectionMade} has run. Only the streams set to {@code PIPE} have a pipe transport.
         *
         * @param protocolFactory makes the protocol
         * @param <P> the protocol's type
         * @return the transport and the protocol
         * @throws FileNotFoundException if the program does not exist
         * @throws AccessDeniedException if it may not be run
         * @throws IOException if it cannot be started otherwise
         */
        public <P extends SubprocessProtocol> Connection<P> start(
                Supplier<? extends P> protocolFactory) throws IOException {
            EventLoop loop = Aio.getRunningLoop();
            P protocol = Net.newProtocol(protocolFactory);
            SubprocessTransport t = new SubprocessTransport(loop, launch(), description,
                    stdin == Redirect.PIPE, stdout == Redirect.PIPE, stderr == Redirect.PIPE,
                    protocol);
            Net.awaitConnectionMade(loop, t::close);
            return new Connection<>(t, protocol);
        }

        private Spec allPipes() {
            stdin = stdout = stderr = Redirect.PIPE;
            return this;
        }

        private Process launch() throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.redirectInput(in(stdin));
            pb.redirectOutput(out(stdout));
            if (stderr == Redirect.STDOUT) {
                pb.redirectErrorStream(true);
            } else {
                pb.redirectError(out(stderr));
            }
            if (cwd != null) {
                pb.directory(cwd);
            }
            if (env != null) {
                pb.environment().clear();
                pb.environment().putAll(env);
            }
            try {
                return pb.start();
            } catch (IOException e) {
                throw startFailed(e);
            }
        }

        private IOException startFailed(IOException e) {
            // "error=2, No such file..." (fork) or "Exec failed, error: 2 (...)" (spawn helper)
            Matcher m = ERRNO.matcher(String.valueOf(e.getMessage()));
            String errno = m.find() ? m.group(1) : "";
            IOException named;
            if (errno.equals("2")) {
                named = new FileNotFoundException("[Errno 2] No such file or directory: '"
                        + command.get(0) + "'");
            } else if (errno.equals("13")) {
                named = new AccessDeniedException(command.get(0), null,
                        "[Errno 13] Permission denied: '" + command.get(0) + "'");
            } else {
                return e;
            }
            named.initCause(e);
            return named;
        }

        private static ProcessBuilder.Redirect in(Redirect r) {
            return switch (r) {
                case PIPE -> ProcessBuilder.Redirect.PIPE;
                case DEVNULL -> ProcessBuilder.Redirect.from(new File(nullDevice()));
                default -> ProcessBuilder.Redirect.INHERIT;
            };
        }

        private static ProcessBuilder.Redirect out(Redirect r) {
            return switch (r) {
                case PIPE -> ProcessBuilder.Redirect.PIPE;
                case DEVNULL -> ProcessBuilder.Redirect.DISCARD;
                default -> ProcessBuilder.Redirect.INHERIT;
            };
        }

        private static String nullDevice() {
            return System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null";
        }
    }
}
