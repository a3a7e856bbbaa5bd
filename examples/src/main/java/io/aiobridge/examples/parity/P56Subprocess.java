package io.aiobridge.examples.parity;

import static io.aiobridge.examples.parity.Py.bytes;
import static io.aiobridge.net.Subprocess.Redirect.PIPE;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.EventLoop;
import io.aiobridge.net.AsyncProcess;
import io.aiobridge.net.Subprocess;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Parity 56: subprocesses with pipes: communicate, exit codes, streaming stdout line by line,
 * stderr, a timeout then kill, and a missing program.
 */
public final class P56Subprocess {
    private P56Subprocess() {}

    static String pyOrNone(byte[] b) {
        return b == null ? "None" : bytes(b);
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            AsyncProcess proc = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            AsyncProcess.Output r = proc.communicate(
                    "hello through cat".getBytes(StandardCharsets.US_ASCII));
            out.println("cat: " + pyOrNone(r.stdout()) + " " + pyOrNone(r.stderr()) + " "
                    + proc.returncode());

            proc = Subprocess.shell("echo out; echo err 1>&2; exit 3").stdout(PIPE).stderr(PIPE)
                    .start();
            r = proc.communicate(null);
            out.println("shell: " + pyOrNone(r.stdout()) + " " + pyOrNone(r.stderr()) + " "
                    + proc.returncode());

            proc = Subprocess.exec("seq", "1", "5").stdout(PIPE).start();
            int total = 0;
            for (byte[] line : proc.stdout()) {
                total += Integer.parseInt(new String(line, StandardCharsets.US_ASCII).trim());
                out.println("line: " + bytes(line));
            }
            out.println("seq total: " + total + " rc: " + proc.waitFor());

            AsyncProcess sleeper = Subprocess.exec("sleep", "10").start();
            try {
                Aio.waitFor(sleeper::waitFor, 0.1);
            } catch (AsyncTimeoutException e) {
                out.println("sleep timed out, returncode "
                        + (sleeper.returncode() == null ? "None" : sleeper.returncode()));
            }
            sleeper.kill();
            out.println("killed: " + sleeper.waitFor());

            List<Integer> ticks = new ArrayList<>();
            AsyncProcess shortSleep = Subprocess.exec("sleep", "0.2").start();
            Aio.gather(shortSleep::waitFor, () -> {
                for (int i = 0; i < 3; i++) {
                    ticks.add(i);
                    Aio.sleep(0.02);
                }
                return null;
            }).await();
            out.println("loop ran while waiting: " + ticks + " rc " + shortSleep.returncode());

            try {
                Subprocess.exec("/nonexistent/program").start();
            } catch (FileNotFoundException e) {
                out.println("missing program: FileNotFoundError");
            }
            return null;
        });
    }
}
