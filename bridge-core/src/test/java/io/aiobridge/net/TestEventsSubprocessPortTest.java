package io.aiobridge.net;

import static io.aiobridge.net.Subprocess.Redirect.PIPE;
import static io.aiobridge.net.Subprocess.Redirect.STDOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.sync.AsyncEvent;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_events.py}, {@code SubprocessTestsMixin}:
 * {@code loop.subprocess_exec}/{@code subprocess_shell} with a {@code SubprocessProtocol}, case
 * by case, with real children. CPython's {@code echo.py}, {@code echo2.py} and {@code echo3.py}
 * are Python programs; here {@code cat} and small {@code sh} scripts that do the same ({@code dd
 * count=1} is one {@code os.read}). The invalid-argument cases test Python keyword arguments
 * ({@code universal_newlines}, {@code bufsize}) that have no counterpart.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestEventsSubprocessPortTest {

    /** echo2.py: one read of stdin, to stdout and to stderr. */
    private static final String ECHO2 = "x=$(dd bs=1024 count=1 2>/dev/null);"
            + " printf 'OUT:%s' \"$x\"; printf 'ERR:%s' \"$x\" >&2";
    /** echo3.py: echoes each read to stdout; a broken stdout is reported on stderr. */
    private static final String ECHO3 = "trap '' PIPE;"
            + " while x=$(dd bs=1024 count=1 2>/dev/null); [ -n \"$x\" ]; do"
            + " printf 'OUT:%s' \"$x\" 2>/dev/null || printf 'ERR:BrokenPipeError' >&2; done";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * CPython's {@code MySubprocessProtocol}. Its state asserts run inside the loop's callbacks,
     * where a failure would only reach the exception handler, so they are collected in {@code
     * violations} and checked by {@link #assertClean}.
     */
    static class MySubprocessProtocol implements SubprocessProtocol {
        String state = "INITIAL";
        SubprocessTransport transport;
        final AsyncFuture<Void> connected = Aio.getRunningLoop().createFuture();
        final AsyncFuture<Void> completed = Aio.getRunningLoop().createFuture();
        final List<AsyncFuture<Throwable>> disconnects = List.of(Aio.getRunningLoop()
                .createFuture(), Aio.getRunningLoop().createFuture(), Aio.getRunningLoop()
                .createFuture());
        final ByteArrayOutputStream[] data = {null, new ByteArrayOutputStream(),
            new ByteArrayOutputStream()};
        final AsyncEvent[] gotData = {null, new AsyncEvent(), new AsyncEvent()};
        final List<String> events = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        Integer returncode;

        private void assertState(String expected, String callback) {
            if (!state.equals(expected)) {
                violations.add(callback + " in state " + state);
            }
        }

        @Override
        public void connectionMade(SubprocessTransport t) {
            events.add("connection_made");
            transport = t;
            assertState("INITIAL", "connection_made");
            state = "CONNECTED";
            connected.setResult(null);
        }

        @Override
        public void connectionLost(Throwable exc) {
            events.add("connection_lost");
            assertState("CONNECTED", "connection_lost");
            state = "CLOSED";
            completed.setResult(null);
        }

        @Override
        public void pipeDataReceived(int fd, byte[] bytes) {
            assertState("CONNECTED", "pipe_data_received");
            data[fd].writeBytes(bytes);
            gotData[fd].set();
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable exc) {
            events.add("pipe_connection_lost " + fd);
            assertState("CONNECTED", "pipe_connection_lost");
            if (exc != null) {
                disconnects.get(fd).setException(exc);
            } else {
                disconnects.get(fd).setResult(null);
            }
        }

        @Override
        public void processExited() {
            events.add("process_exited");
            assertState("CONNECTED", "process_exited");
            returncode = transport.getReturncode();
        }

        String out(int fd) {
            return data[fd].toString(StandardCharsets.UTF_8);
        }

        void assertClean() {
            assertEquals(List.of(), violations, "callbacks out of order");
        }
    }

    private static Subprocess.Connection<MySubprocessProtocol> echo() throws Exception {
        return Subprocess.subprocessExec(MySubprocessProtocol::new, List.of("cat"));
    }

    private static void checkKilled(Integer returncode) {
        assertEquals(-9, returncode);
    }

    @Test
    void test_subprocess_exec() {
        Aio.run(() -> {
            var c = echo();
            MySubprocessProtocol proto = c.protocol();
            SubprocessTransport transp = c.transport();
            assertInstanceOf(MySubprocessProtocol.class, proto);
            proto.connected.await();
            assertEquals("CONNECTED", proto.state);

            Transport stdin = transp.getPipeTransport(0);
            stdin.write(b("Python The Winner"));
            proto.gotData[1].await();
            transp.close();
            proto.completed.await();
            checkKilled(proto.returncode);
            assertEquals("Python The Winner", proto.out(1));
            proto.assertClean();
            return null;
        });
    }

    @Test
    void test_subprocess_interactive() {
        Aio.run(() -> {
            var c = echo();
            MySubprocessProtocol proto = c.protocol();
            SubprocessTransport transp = c.transport();
            proto.connected.await();
            assertEquals("CONNECTED", proto.state);

            Transport stdin = transp.getPipeTransport(0);
            stdin.write(b("Python "));
            proto.gotData[1].await();
            proto.gotData[1].clear();
            assertEquals("Python ", proto.out(1));

            stdin.write(b("The Winner"));
            proto.gotData[1].await();
            assertEquals("Python The Winner", proto.out(1));

            transp.close();
            proto.completed.await();
            checkKilled(proto.returncode);
            proto.assertClean();
            return null;
        });
    }

    @Test
    void test_subprocess_shell() {
        Aio.run(() -> {
            var c = Subprocess.subprocessShell(MySubprocessProtocol::new, "echo Python");
            MySubprocessProtocol proto = c.protocol();
            SubprocessTransport transp = c.transport();
            proto.connected.await();

            transp.getPipeTransport(0).close();
            proto.completed.await();
            assertEquals(0, proto.returncode);
            assertTrue(proto.disconnects.stream().allMatch(AsyncFuture::isDone));
            assertEquals("Python", proto.out(1).stripTrailing());
            assertEquals("", proto.out(2));
            transp.close();
            proto.assertClean();
            return null;
        });
    }

    @Test
    void test_subprocess_exitcode() {
        Aio.run(() -> {
            // stdin, stdout and stderr None: inherited
            var c = Subprocess.shell("exit 7").start(MySubprocessProtocol::new);
            MySubprocessProtocol proto = c.protocol();
            proto.completed.await();
            assertEquals(7, proto.returncode);
            c.transport().close();
            return null;
        });
    }

    @Test
    void test_subprocess_close_after_finish() {
        Aio.run(() -> {
            var c = Subprocess.shell("exit 7").start(MySubprocessProtocol::new);
            MySubprocessProtocol proto = c.protocol();
            SubprocessTransport transp = c.transport();
            assertNull(transp.getPipeTransport(0));
            assertNull(transp.getPipeTransport(1));
            assertNull(transp.getPipeTransport(2));
            proto.completed.await();
            assertEquals(7, proto.returncode);
            transp.close(); // returns nothing and raises nothing
            assertTrue(transp.isClosing());
            return null;
        });
    }

    /** The kill, terminate and send_signal cases: {@code signal} ends cat with {@code rc}. */
    private static void endEchoWith(java.util.function.Consumer<SubprocessTransport> signal,
            int rc) {
        Aio.run(() -> {
            var c = echo();
            MySubprocessProtocol proto = c.protocol();
            proto.connected.await();
            signal.accept(c.transport());
            proto.completed.await();
            assertEquals(rc, proto.returncode);
            c.transport().close();
            proto.assertClean();
            return null;
        });
    }

    @Test
    void test_subprocess_kill() {
        endEchoWith(SubprocessTransport::kill, -9);
    }

    @Test
    void test_subprocess_terminate() {
        endEchoWith(SubprocessTransport::terminate, -15);
    }

    @Test
    void test_subprocess_send_signal() {
        endEchoWith(t -> t.sendSignal(1), -1); // SIGHUP: the default handler ends the child
    }

    @Test
    void test_subprocess_stderr() {
        Aio.run(() -> {
            var c = Subprocess.subprocessShell(MySubprocessProtocol::new, ECHO2);
            MySubprocessProtocol proto = c.protocol();
            proto.connected.await();
            c.transport().getPipeTransport(0).write(b("test"));
            proto.completed.await();
            c.transport().close();
            assertEquals("OUT:test", proto.out(1));
            assertTrue(proto.out(2).startsWith("ERR:test"), proto.out(2));
            assertEquals(0, proto.returncode);
            proto.assertClean();
            return null;
        });
    }

    @Test
    void test_subprocess_stderr_redirect_to_stdout() {
        Aio.run(() -> {
            var c = Subprocess.shell(ECHO2).stdin(PIPE).stdout(PIPE).stderr(STDOUT)
                    .start(MySubprocessProtocol::new);
            MySubprocessProtocol proto = c.protocol();
            SubprocessTransport transp = c.transport();
            proto.connected.await();
            Transport stdin = transp.getPipeTransport(0);
            assertNotNull(transp.getPipeTransport(1));
            assertNull(transp.getPipeTransport(2));
            stdin.write(b("test"));
            proto.completed.await();
            assertTrue(proto.out(1).startsWith("OUT:testERR:test"), proto.out(1));
            assertEquals("", proto.out(2));
            transp.close();
            assertEquals(0, proto.returncode);
            return null;
        });
    }

    /**
     * One difference: a read blocked on a process pipe cannot be interrupted in the JDK, so the
     * first chunk the child writes after the close is taken by it and dropped; the child sees
     * the broken pipe at its next write. The port writes until it does; CPython writes once.
     */
    @Test
    void test_subprocess_close_client_stream() {
        Aio.run(() -> {
            var c = Subprocess.subprocessShell(MySubprocessProtocol::new, ECHO3);
            MySubprocessProtocol proto = c.protocol();
            SubprocessTransport transp = c.transport();
            proto.connected.await();

            Transport stdin = transp.getPipeTransport(0);
            Transport stdout = transp.getPipeTransport(1);
            stdin.write(b("test"));
            proto.gotData[1].await();
            assertEquals("OUT:test", proto.out(1));

            stdout.close();
            proto.disconnects.get(1).await();
            while (!proto.gotData[2].isSet()) { // the first is dropped; one write may not do
                stdin.write(b("xxx"));
                Aio.sleep(0.05);
            }
            assertEquals("ERR:BrokenPipeError", proto.out(2));
            assertEquals("OUT:test", proto.out(1), "nothing is delivered after close()");
            transp.close();
            proto.completed.await();
            checkKilled(proto.returncode);
            proto.assertClean();
            return null;
        });
    }

    @Test
    void test_subprocess_wait_no_same_group() {
        // CPython starts the child in a new session; setsid(1) does that here
        Aio.run(() -> {
            var c = Subprocess.exec("setsid", "sh", "-c", "exit 7")
                    .start(MySubprocessProtocol::new);
            MySubprocessProtocol proto = c.protocol();
            proto.completed.await();
            assertEquals(7, proto.returncode);
            c.transport().close();
            return null;
        });
    }

    // ---- beyond CPython's file: the order of the callbacks, and the ends ----

    @Test
    void callbacksComeInAsyncioOrderAndConnectionLostComesLast() {
        Aio.run(() -> {
            var c = Subprocess.subprocessShell(MySubprocessProtocol::new,
                    "printf out; printf err >&2");
            MySubprocessProtocol proto = c.protocol();
            proto.completed.await();
            List<String> events = proto.events;
            assertEquals("connection_made", events.get(0));
            assertEquals("connection_lost", events.get(events.size() - 1));
            assertEquals(List.of("connection_lost", "connection_made", "pipe_connection_lost 0",
                    "pipe_connection_lost 1", "pipe_connection_lost 2", "process_exited"),
                    events.stream().sorted().toList(), "each callback once: " + events);
            assertEquals("out", proto.out(1));
            assertEquals("err", proto.out(2));
            proto.assertClean();
            // after connection_lost the process is gone for good
            IllegalStateException gone = assertThrows(IllegalStateException.class,
                    () -> c.transport().sendSignal(15));
            assertTrue(gone.getMessage().startsWith("ProcessLookupError"), gone.getMessage());
            return null;
        });
    }

    @Test
    void aSignalToAChildThatHasExitedIsIgnoredAsPopenDoes() {
        Aio.run(() -> {
            List<String> signalled = new ArrayList<>();
            var c = Subprocess.subprocessShell(() -> new MySubprocessProtocol() {
                @Override
                public void processExited() {
                    super.processExited();
                    transport.terminate(); // exited, connection_lost still to come: a no-op
                    signalled.add("terminate() returned");
                }
            }, "exit 3");
            c.protocol().completed.await();
            assertEquals(List.of("terminate() returned"), signalled);
            assertEquals(3, c.protocol().returncode);
            c.protocol().assertClean();
            return null;
        });
    }

    @Test
    void closingTheLoopKillsAChildThatStillRuns() throws Exception {
        ProcessHandle child = Aio.run(() -> {
            var c = Subprocess.exec("sleep", "3600").start(MySubprocessProtocol::new);
            return ((Process) c.transport().getExtraInfo("subprocess")).toHandle();
        });
        child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(child.isAlive());
    }

    @Test
    void aMissingProgramRaisesFileNotFoundErrorAndMakesNoProtocol() {
        Aio.run(() -> {
            int[] made = new int[1];
            FileNotFoundException e = assertThrows(FileNotFoundException.class, () ->
                    Subprocess.subprocessExec(() -> {
                        made[0]++;
                        return new SubprocessProtocol() {};
                    }, List.of("/no/such/program")));
            assertEquals("[Errno 2] No such file or directory: '/no/such/program'",
                    e.getMessage());
            assertEquals(1, made[0], "asyncio makes the protocol before the process");
            return null;
        });
    }

    @Test
    void transportReprNamesPidStateAndPipes() {
        Aio.run(() -> {
            var c = echo();
            String r = c.transport().toString();
            assertTrue(r.matches("<SubprocessTransport pid=\\d+ running stdin=<.*> stdout=<.*>"
                    + " stderr=<.*>>"), r);
            c.transport().close();
            c.protocol().completed.await();
            assertTrue(c.transport().toString().startsWith("<SubprocessTransport closed pid="),
                    c.transport().toString());
            assertTrue(c.transport().toString().contains("returncode=-9"));
            return null;
        });
    }
}
