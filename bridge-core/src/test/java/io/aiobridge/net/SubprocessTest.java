package io.aiobridge.net;

import static io.aiobridge.net.Subprocess.Redirect.DEVNULL;
import static io.aiobridge.net.Subprocess.Redirect.PIPE;
import static io.aiobridge.net.Subprocess.Redirect.STDOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.Runner;
import io.aiobridge.Task;
import io.aiobridge.sync.AsyncEvent;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real child processes, as CPython's test_subprocess checks of asyncio's: pipes both ways with
 * backpressure, exit codes and signals, the loop running meanwhile, a loop that closes while a
 * process runs, and clear errors.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SubprocessTest {

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void megabytesThroughCatBothWaysWithBackpressure() {
        int size = 16 * 1024 * 1024;
        byte[] input = new byte[size];
        for (int i = 0; i < size; i++) {
            input[i] = (byte) (i * 31 + (i >>> 11));
        }
        byte[] out = Aio.run(() -> {
            AsyncProcess cat = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            return cat.communicate(input).stdout();
        });
        assertArrayEquals(input, out, "every byte, in order");
    }

    @Test
    void stderrIntoStdoutAndDevnull() {
        Aio.run(() -> {
            AsyncProcess merged = Subprocess.shell("echo out; echo err 1>&2").stdout(PIPE)
                    .stderr(STDOUT).start();
            AsyncProcess.Output r = merged.communicate(null);
            assertEquals("out\nerr\n", s(r.stdout()));
            assertNull(r.stderr());
            AsyncProcess quiet = Subprocess.shell("echo lost; read x; echo $x").stdin(DEVNULL)
                    .stdout(DEVNULL).start();
            assertEquals(0, quiet.waitFor());
            assertNull(quiet.stdout());
            return null;
        });
    }

    @Test
    void signalsGiveNegativeReturnCodesAsInPython() {
        Aio.run(() -> {
            AsyncProcess t = Subprocess.exec("sleep", "30").start();
            assertNull(t.returncode(), "running");
            t.terminate();
            assertEquals(-15, t.waitFor());
            AsyncProcess i = Subprocess.exec("sleep", "30").start();
            // SIGUSR1, through the kill command (not SIGINT: a JVM started in the background
            // by a shell ignores SIGINT, and its children inherit that)
            i.sendSignal(10);
            assertEquals(-10, i.waitFor());
            AsyncProcess exits = Subprocess.shell("exit 137").start();
            assertEquals(137, exits.waitFor(), "a plain exit code is not taken for a signal");
            IllegalStateException gone = assertThrows(IllegalStateException.class, exits::kill);
            assertTrue(gone.getMessage().startsWith("ProcessLookupError"), gone.getMessage());
            return null;
        });
    }

    @Test
    void theLoopRunsWhileAProcessWaits() {
        List<String> steps = new ArrayList<>();
        Aio.run(() -> {
            // prints a line, then waits for ours: only a free loop can answer it
            AsyncProcess p = Subprocess.shell("echo 1; read x; echo $x").stdin(PIPE).stdout(PIPE)
                    .start();
            AsyncEvent first = new AsyncEvent();
            Task<Void> reader = Aio.createTask(() -> {
                for (byte[] line : p.stdout()) {
                    steps.add("line " + s(line).trim());
                    first.set();
                }
                return null;
            });
            first.await();
            steps.add("loop free");
            p.stdin().write("2\n".getBytes(StandardCharsets.UTF_8));
            p.stdin().drain();
            reader.await();
            steps.add("rc " + p.waitFor());
            return null;
        });
        assertEquals(List.of("line 1", "loop free", "line 2", "rc 0"), steps);
    }

    @Test
    void closingTheLoopKillsARunningProcess() throws Exception {
        long[] pid = new long[1];
        try (Runner r = new Runner()) {
            r.run(() -> {
                AsyncProcess p = Subprocess.exec("sleep", "60").stdout(PIPE).start();
                pid[0] = p.pid();
                return null; // left running: the loop's close must end it
            });
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid[0]);
        if (h.isPresent()) {
            h.get().onExit().get(5, TimeUnit.SECONDS);
        }
        assertFalse(ProcessHandle.of(pid[0]).map(ProcessHandle::isAlive).orElse(false),
                "the process outlived its loop");
    }

    @Test
    void startFailuresNameTheProgram() {
        Aio.run(() -> {
            FileNotFoundException missing = assertThrows(FileNotFoundException.class,
                    () -> Subprocess.exec("/nonexistent/program").start());
            assertEquals("[Errno 2] No such file or directory: '/nonexistent/program'",
                    missing.getMessage());
            IllegalArgumentException stdout = assertThrows(IllegalArgumentException.class,
                    () -> Subprocess.exec("cat").stdout(STDOUT));
            assertTrue(stdout.getMessage().contains("only be used for stderr"));
            AsyncProcess noPipe = Subprocess.exec("true").start();
            assertThrows(IllegalStateException.class, () -> noPipe.communicate(new byte[1]));
            noPipe.waitFor();
            return null;
        });
    }
}
