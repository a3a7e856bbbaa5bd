package io.aiobridge.examples.seeds;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway {@code redis-server} on 127.0.0.1 and a free port, with no persistence, stopped
 * on close. It needs the {@code redis-server} binary (Debian: {@code apt-get install -y
 * redis-server}; the build runs {@code examples/scripts/ensure-redis-server.sh}, which installs
 * it when it can).
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The {@code redis-server} binary: on the PATH, or where Debian puts it. */
    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return "/usr/bin/redis-server";
        }
        throw new IllegalStateException("redis-server is not installed: run"
                + " examples/scripts/ensure-redis-server.sh (or apt-get install -y redis-server)");
    }

    /**
     * Starts a server and waits until it accepts connections.
     *
     * @return the running server
     * @throws IOException if it cannot be started or does not come up within 10 s
     */
    public static RedisServer start() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process p = new ProcessBuilder(List.of(binary(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("redis-server exited with " + p.exitValue()
                        + " on port " + port);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new RedisServer(p, port);
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not accept connections on port " + port);
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The server's address, e.g. {@code redis://127.0.0.1:6390}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
