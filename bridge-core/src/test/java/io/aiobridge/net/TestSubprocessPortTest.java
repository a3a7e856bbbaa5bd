package io.aiobridge.net;

import static io.aiobridge.net.Subprocess.Redirect.DEVNULL;
import static io.aiobridge.net.Subprocess.Redirect.PIPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.CancelledError;
import io.aiobridge.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_subprocess.py} ({@code SubprocessMixin}),
 * case by case, with real child processes. CPython's children are Python one-liners; these are
 * the shell's equivalents ({@code cat}, {@code printf}, {@code head}), so the tests need nothing
 * beyond a POSIX system. The cases that mock {@code Popen} or the child watchers have no
 * counterpart.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestSubprocessPortTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void test_stdin_stdout() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            proc.stdin().write(b("some data"));
            proc.stdin().drain();
            proc.stdin().close();
            byte[] data = proc.stdout().read(-1);
            assertEquals(0, proc.waitFor());
            assertEquals("some data", s(data));
            return null;
        });
    }

    @Test
    void test_communicate_and_none_input() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            assertEquals("some data", s(proc.communicate(b("some data")).stdout()));
            assertEquals(0, proc.returncode());
            AsyncProcess none = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            assertEquals("", s(none.communicate(null).stdout()));
            assertEquals(0, none.returncode());
            return null;
        });
    }

    @Test
    void test_shell() {
        Aio.run(() -> {
            assertEquals(7, Subprocess.shell("exit 7").start().waitFor());
            return null;
        });
    }

    @Test
    void test_kill_and_terminate() {
        Aio.run(() -> {
            AsyncProcess k = Subprocess.exec("sleep", "3600").start();
            k.kill();
            assertEquals(-9, k.waitFor());
            AsyncProcess t = Subprocess.exec("sleep", "3600").start();
            t.terminate();
            assertEquals(-15, t.waitFor());
            return null;
        });
    }

    @Test
    void test_kill_issue43884() {
        // the shell's child keeps the stdout pipe open after the shell is killed: wait() must
        // still return the shell's exit status
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.shell("sleep 1; sleep 1").stdout(PIPE).start();
            Aio.sleep(0.2);
            proc.kill();
            assertEquals(-9, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_send_signal() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.shell("echo sleeping; exec sleep 3600").stdout(PIPE)
                    .start();
            // wait until the program sleeps
            assertEquals("sleeping\n", s(proc.stdout().readline()));
            proc.sendSignal(1); // SIGHUP
            assertEquals(-1, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_stdin_broken_pipe() {
        // the program ends before its stdin can be fed: drain() raises, as BrokenPipeError or
        // ConnectionResetError
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("true").stdin(PIPE).start();
            byte[] large = new byte[8 * 1024 * 1024];
            IOException e = assertThrows(IOException.class, () -> {
                proc.stdin().write(large);
                proc.stdin().drain();
            });
            assertTrue(e.getMessage().startsWith("[Errno 32] Broken pipe; stdin of "),
                    e.getMessage());
            assertEquals(0, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_communicate_ignore_broken_pipe() {
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, c) -> { });
            AsyncProcess proc = Subprocess.exec("true").stdin(PIPE).start();
            // communicate() ignores the broken pipe while it feeds stdin
            proc.communicate(new byte[8 * 1024 * 1024]);
            assertEquals(0, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_pause_reading() {
        // a child that writes more than twice the limit: every byte still arrives
        int limit = 10;
        int size = limit * 2 + 1;
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.shell("head -c " + size + " /dev/zero | tr '\\0' x")
                    .stdin(PIPE).stdout(PIPE).limit(limit).start();
            assertEquals("x".repeat(size), s(proc.communicate(null).stdout()));
            return null;
        });
    }

    @Test
    void test_stdin_not_inheritable_and_empty_input() {
        Aio.run(() -> {
            for (String message : new String[] {"abc", ""}) {
                AsyncProcess proc = Subprocess.shell("wc -c").stdin(PIPE).stdout(PIPE)
                        .stderr(PIPE).start();
                AsyncProcess.Output out = proc.communicate(b(message));
                assertEquals(String.valueOf(message.length()), s(out.stdout()).trim());
                assertEquals(0, proc.waitFor());
            }
            return null;
        });
    }

    @Test
    void test_devnull_input_output_error() {
        Aio.run(() -> {
            AsyncProcess in = Subprocess.shell("wc -c").stdin(DEVNULL).stdout(PIPE)
                    .stderr(PIPE).start();
            assertEquals("0", s(in.communicate(null).stdout()).trim());
            assertEquals(0, in.waitFor());

            AsyncProcess out = Subprocess.shell("wc -c").stdin(PIPE).stdout(DEVNULL)
                    .stderr(PIPE).start();
            assertNull(out.communicate(b("abc")).stdout());
            assertEquals(0, out.waitFor());

            AsyncProcess err = Subprocess.shell("wc -c").stdin(PIPE).stdout(PIPE)
                    .stderr(DEVNULL).start();
            assertNull(err.communicate(b("abc")).stderr());
            assertEquals(0, err.waitFor());
            return null;
        });
    }

    @Test
    void test_devstdin_input() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.shell("wc -c < /dev/stdin").stdin(PIPE).stdout(PIPE)
                    .stderr(PIPE).start();
            assertEquals("3", s(proc.communicate(b("abc")).stdout()).trim());
            assertEquals(0, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_cancel_process_wait() {
        // Issue #23140: cancelling Process.wait()
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("sleep", "3600").start();
            Task<Integer> task = Aio.createTask(proc::waitFor);
            Aio.getRunningLoop().callSoon(task::cancel);
            try {
                task.await();
            } catch (CancelledError e) {
                // expected
            }
            task.cancel();
            proc.kill();
            assertEquals(-9, proc.waitFor(), "a cancelled wait leaves the next one working");
            return null;
        });
    }

    @Test
    void test_cancel_make_subprocess_transport_exec() {
        // cancelling the task that starts a process ends that process; nothing is left running
        List<Long> pids = new ArrayList<>();
        Aio.run(() -> {
            Task<AsyncProcess> task = Aio.createTask(() -> {
                AsyncProcess p = Subprocess.exec("sleep", "3600").start();
                pids.add(p.pid());
                return p;
            });
            Aio.getRunningLoop().callSoon(task::cancel);
            try {
                AsyncProcess p = task.await();
                p.kill(); // it started before the cancel arrived: ours to end
                p.waitFor();
            } catch (CancelledError e) {
                // cancelled before or while it started
            }
            return null;
        });
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "process " + pid + " outlived its loop");
        }
    }

    @Test
    void test_read_stdout_after_process_exit() {
        Aio.run(() -> {
            AsyncProcess process = Subprocess.shell("head -c 262144 /dev/zero; exit 1")
                    .stdout(PIPE).start();
            long total = 0;
            while (true) {
                byte[] data = process.stdout().read(65536);
                if (data.length == 0) {
                    break;
                }
                total += data.length;
                Aio.sleep(0.3);
            }
            assertEquals(262144, total);
            assertEquals(1, process.waitFor());
            return null;
        });
    }

    @Test
    void test_create_subprocess_env_shell_and_exec() {
        Aio.run(() -> {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("FOO", "bar");
            checkStdoutOutput(Subprocess.shell("printf %s \"$FOO\"").env(env).stdout(PIPE)
                    .start(), "bar");
            env.put("FOO", "baz");
            checkStdoutOutput(Subprocess.exec("sh", "-c", "printf %s \"$FOO\"").env(env)
                    .stdout(PIPE).start(), "baz");
            return null;
        });
    }

    private static void checkStdoutOutput(AsyncProcess proc, String output) throws IOException {
        assertEquals(output, s(proc.communicate(null).stdout()));
        assertEquals(0, proc.returncode());
        Task<Integer> task = Aio.createTask(proc::waitFor);
        Aio.sleep(0);
        assertEquals(proc.returncode(), task.result(), "wait() of an ended process: at once");
    }

    @Test
    void test_subprocess_concurrent_wait() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("cat").stdin(PIPE).stdout(PIPE).start();
            assertEquals("some data", s(proc.communicate(b("some data")).stdout()));
            assertEquals(0, proc.returncode());
            List<Task<Integer>> waits = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                waits.add(Aio.createTask(proc::waitFor));
            }
            assertEquals(java.util.Collections.nCopies(10, 0), Aio.gather(waits).await());
            return null;
        });
    }

    @Test
    void test_subprocess_communicate_stdout() {
        // python/cpython#100133: ten at once, each its own output
        Aio.run(() -> {
            List<Task<String>> runs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String out = "foo" + i;
                outputs.add(out);
                runs.add(Aio.createTask(() -> s(Subprocess.exec("echo", out).stdout(PIPE)
                        .start().communicate(null).stdout()).trim()));
            }
            assertEquals(outputs, Aio.gather(runs).await());
            return null;
        });
    }
}
