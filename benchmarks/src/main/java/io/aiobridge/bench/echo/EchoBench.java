package io.aiobridge.bench.echo;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the TCP echo benchmark: each server in a process of its own (aiobridge protocol and
 * streams, Netty NIO, CPython asyncio and uvloop, protocol and streams), the same load
 * generator ({@link EchoLoad}, this process) against each: 100 connections, 64 B and 4 KiB
 * messages, ping-pong and streaming. Writes {@code echo-SERVER-WORKLOAD.txt} files for
 * report.py. Each server runs on one event loop pinned to core 1; the client, pinned to core 0
 * by run.sh, is one selector thread.
 *
 * <pre>EchoBench OUT_DIR PYTHON SECONDS WARMUP [servers...]</pre>
 */
public final class EchoBench {
    private EchoBench() {}

    static final String[] WORKLOADS = {"pingpong-64", "pingpong-4096", "stream-64",
        "stream-4096"};

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String python = args[1];
        double seconds = Double.parseDouble(args[2]);
        double warmup = Double.parseDouble(args[3]);
        List<String> servers = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            servers.add(args[i]);
        }
        if (servers.isEmpty()) {
            servers = List.of("aiobridge-protocol", "aiobridge-buffered", "aiobridge-streams",
                    "netty", "asyncio-protocol", "asyncio-buffered", "asyncio-streams",
                    "uvloop-protocol", "uvloop-buffered", "uvloop-streams");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // with two cores or more and taskset at hand, the server gets core 1 and this client
        // (started under taskset -c 0 by run.sh) core 0, so neither steals the other's time.
        // The machine's cores, not this JVM's: pinned to core 0, it sees one, and a server it
        // started unpinned would inherit core 0 and share it with this client
        boolean pin = onlineCpus() >= 2
                && new File("/usr/bin/taskset").canExecute()
                && !"0".equals(System.getenv("ECHO_PIN"));
        String cp = System.getProperty("java.class.path");
        Files.createDirectories(out);
        for (String server : servers) {
            List<String> cmd = new ArrayList<>();
            if (pin) {
                cmd.addAll(List.of("taskset", "-c", "1")); // the server on one core
            }
            if (server.startsWith("aiobridge") || server.equals("netty")) {
                cmd.addAll(List.of(java, "-cp", cp, EchoServer.class.getName(), server));
            } else {
                String[] lm = server.split("-");
                cmd.addAll(List.of(python, "benchmarks/python/echo_server.py", "--loop", lm[0],
                        "--mode", lm[1]));
            }
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                        .directory(new File(".")).start();
            } catch (Exception e) {
                System.out.println(server + ": cannot start (" + e + ")");
                continue;
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || !line.startsWith("port=")) {
                System.out.println(server + ": did not start (" + line + ")");
                p.destroyForcibly();
                continue;
            }
            int port = Integer.parseInt(line.substring(5).trim());
            try {
                for (String w : WORKLOADS) {
                    String[] mw = w.split("-");
                    EchoLoad.Result res = EchoLoad.run(port, 100, Integer.parseInt(mw[1]),
                            mw[0].equals("pingpong"), seconds, warmup);
                    String text = res.format();
                    System.out.println(server + " " + w + ": " + text);
                    try (PrintStream ps = new PrintStream(Files.newOutputStream(
                            out.resolve("echo-" + server + "-" + w + ".txt")), true,
                            StandardCharsets.UTF_8)) {
                        ps.println(text);
                    }
                }
            } finally {
                try (OutputStream stdin = p.getOutputStream()) {
                    stdin.write('\n');
                } catch (Exception ignored) {
                    // already gone
                }
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** The machine's online CPUs (Linux), whatever this process is pinned to; else this JVM's. */
    static int onlineCpus() {
        try {
            // "0-1", "0,2-3": count the CPUs in each range
            int n = 0;
            for (String part : Files.readString(Path.of("/sys/devices/system/cpu/online")).trim()
                    .split(",")) {
                String[] ends = part.split("-");
                n += ends.length == 1 ? 1
                        : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return n;
        } catch (Exception e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}
