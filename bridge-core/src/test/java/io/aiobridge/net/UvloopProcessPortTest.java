package io.aiobridge.net;

import static io.aiobridge.net.StreamsTest.b;
import static io.aiobridge.net.StreamsTest.s;
import static io.aiobridge.net.Subprocess.Redirect.DEVNULL;
import static io.aiobridge.net.Subprocess.Redirect.PIPE;
import static io.aiobridge.net.Subprocess.Redirect.STDOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * uvloop's {@code tests/test_process.py} ({@code _TestProcess} and the uvloop-only {@code
 * Test_UV_Process_Delayed}), case by case, with real children. uvloop's programs are Python; here
 * they are the same programs in {@code sh}, so the suite needs no Python.
 *
 * <p>The cases its {@code _AsyncioTests} shares with CPython's {@code test_subprocess.py} are in
 * {@link TestSubprocessPortTest}. Left out, because the JDK's {@code ProcessBuilder} cannot do
 * them: {@code preexec_fn}, {@code executable=} (a separate {@code argv[0]}), {@code pass_fds},
 * {@code start_new_session}, and {@code test_process_streams_redirect}, which redirects Python's
 * {@code sys.stdout} object (Java's {@code System.setOut} does not move the JVM's file
 * descriptor 1 either, so a child that inherits it writes where the JVM's fd 1 goes).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UvloopProcessPortTest {

    @Test
    void test_process_env_1() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.shell("echo $FOO$BAR")
                    .env(Map.of("FOO", "sp", "BAR", "am")).stdout(PIPE).stderr(PIPE).start();
            AsyncProcess.Output out = proc.communicate(null);
            assertEquals("spam\n", s(out.stdout()));
            assertEquals(0, proc.returncode());
            return null;
        });
    }

    @Test
    void test_process_cwd_1() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.shell("pwd").cwd(new File("/")).env(Map.of())
                    .stdout(PIPE).stderr(PIPE).start();
            AsyncProcess.Output out = proc.communicate(null);
            assertEquals("/\n", s(out.stdout()));
            assertEquals(0, proc.returncode());
            return null;
        });
    }

    @Test
    void test_process_pid_1() {
        Aio.run(() -> {
            // the shell's own pid, $$, is the child's
            AsyncProcess proc = Subprocess.exec("sh", "-c", "echo $$").stdin(PIPE).stdout(PIPE)
                    .start();
            long pid = proc.pid();
            AsyncProcess.Output out = proc.communicate(null);
            assertEquals(pid + "\n", s(out.stdout()));
            return null;
        });
    }

    @Test
    void test_process_send_signal_1() {
        // SIGUSR1 is not one the JDK sends: it goes through the system's kill command
        String prog = "trap 'echo WORLD' USR1\n"
                + "read a; echo \"$a\"\n"
                + "until read a; do :; done\n" // a read the signal interrupted is read again
                + "echo \"$a\"; exit 11\n";
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("sh", "-c", prog).stdin(PIPE).stdout(PIPE)
                    .stderr(PIPE).start();
            proc.stdin().write(b("HELLO\n"));
            proc.stdin().drain();
            assertEquals("HELLO\n", s(proc.stdout().readline()));
            proc.sendSignal(10); // SIGUSR1 on Linux
            proc.stdin().write(b("!\n"));
            proc.stdin().drain();
            assertEquals("WORLD\n", s(proc.stdout().readline()));
            assertEquals("!\n", s(proc.stdout().readline()));
            assertEquals(11, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_process_streams_basic_1() {
        String prog = "while read a; do\n"
                + "  if [ \"$a\" = stop ]; then exit 20\n"
                + "  elif [ \"$a\" = stderr ]; then echo OUCH >&2\n"
                + "  else echo \">$a<\"; fi\n"
                + "done\n";
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("sh", "-c", prog).stdin(PIPE).stdout(PIPE)
                    .stderr(PIPE).start();
            assertTrue(proc.pid() > 0);
            assertNull(proc.returncode());
            SubprocessTransport transp = proc.transport();
            // stdin is a write transport, stdout a read transport
            assertThrows(UnsupportedOperationException.class,
                    () -> transp.getPipeTransport(0).pauseReading());
            assertThrows(UnsupportedOperationException.class,
                    () -> transp.getPipeTransport(1).write(b("wat")));

            proc.stdin().write(b("foobar\n"));
            proc.stdin().drain();
            assertEquals(">foobar<\n", s(proc.stdout().readline()));

            proc.stdin().write(b("stderr\n"));
            proc.stdin().drain();
            assertEquals("OUCH\n", s(proc.stderr().readline()));

            proc.stdin().write(b("stop\n"));
            proc.stdin().drain();
            assertEquals(20, proc.waitFor());
            return null;
        });
    }

    @Test
    void test_process_streams_stderr_to_stdout() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("sh", "-c", "echo out; echo err >&2")
                    .stdout(PIPE).stderr(STDOUT).start();
            AsyncProcess.Output out = proc.communicate(null);
            assertNull(out.stderr());
            assertEquals("out\nerr\n", s(out.stdout()));
            return null;
        });
    }

    @Test
    void test_process_streams_devnull() {
        Aio.run(() -> {
            AsyncProcess proc = Subprocess.exec("sh", "-c", "echo out; echo err >&2")
                    .stdin(DEVNULL).stdout(DEVNULL).stderr(DEVNULL).start();
            AsyncProcess.Output out = proc.communicate(null);
            assertNull(out.stderr());
            assertNull(out.stdout());
            assertEquals(0, proc.returncode());
            return null;
        });
    }

    @Test
    void test_cancel_post_init() {
        EventLoop loop = EventLoop.newEventLoop();
        List<SubprocessTransport> made = new ArrayList<>();
        try {
            loop.runUntilComplete(() -> {
                Task<?> task = Aio.createTask(() -> Subprocess.subprocessExec(
                        () -> new SubprocessProtocol() {
                            @Override
                            public void connectionMade(SubprocessTransport t) {
                                made.add(t);
                            }
                        }, List.of("sleep", "3600")));
                Aio.getRunningLoop().callSoon(task::cancel);
                try {
                    task.await();
                } catch (CancelledError expected) {
                    // as uvloop's test: cancelled, or done before the cancel came
                }
                return null;
            });
        } finally {
            loop.close();
        }
        for (SubprocessTransport t : made) {
            Process p = (Process) t.getExtraInfo("subprocess");
            assertTrue(p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                    .handle((done, timedOut) -> timedOut == null).join(),
                    "the child does not outlive its loop");
        }
    }

    /** uvloop's {@code Test_UV_Process_Delayed.TestProto}: what the protocol hears, in order. */
    private static final class Stages implements SubprocessProtocol {
        final List<String> stages = new ArrayList<>();
        final AsyncFuture<Void> lost = Aio.getRunningLoop().createFuture();
        int lostCount;

        @Override
        public void connectionMade(SubprocessTransport transport) {
            stages.add("CM");
        }

        @Override
        public void pipeDataReceived(int fd, byte[] data) {
            if (fd == 1) {
                stages.add("STDOUT " + s(data).strip());
            }
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable exc) {
            if (fd == 1) {
                stages.add("STDOUT LOST");
            }
        }

        @Override
        public void processExited() {
            stages.add("PROC_EXIT");
        }

        @Override
        public void connectionLost(Throwable exc) {
            stages.add("CL " + lostCount++ + " " + exc);
            lost.setResult(null);
        }
    }

    private static void checkDelayedStdio(Subprocess.Redirect stdin) {
        Aio.run(() -> {
            Subprocess.Connection<Stages> c = Subprocess.shell("echo 1").stdin(stdin)
                    .stdout(PIPE).stderr(PIPE).start(Stages::new);
            assertEquals(0, c.transport().awaitExit());
            c.protocol().lost.await();
            List<String> stages = c.protocol().stages;
            // uvloop compares sets; the order is also fixed at both ends
            assertEquals(List.of("CL 0 null", "CM", "PROC_EXIT", "STDOUT 1", "STDOUT LOST"),
                    stages.stream().sorted().toList(),
                    "every stage once: " + stages);
            assertEquals("CM", stages.get(0));
            assertEquals("CL 0 null", stages.get(stages.size() - 1));
            assertTrue(stages.indexOf("STDOUT 1") < stages.indexOf("STDOUT LOST"),
                    stages::toString);
            assertEquals(0, c.transport().getReturncode());
            return null;
        });
    }

    @Test
    void test_process_delayed_stdio__paused__stdin_pipe() {
        checkDelayedStdio(PIPE);
    }

    @Test
    void test_process_delayed_stdio__not_paused__no_stdin() {
        checkDelayedStdio(Subprocess.Redirect.INHERIT);
    }
}
