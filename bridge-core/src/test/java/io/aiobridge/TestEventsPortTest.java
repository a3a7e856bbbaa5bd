package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_events.py}: the loop's own cases of {@code
 * EventLoopTestsMixin} (run, stop, close, call_soon and its thread-safe handles, executors, fd
 * callbacks), and of {@code HandleTests} and {@code TimerTests} the ones that do not mock the
 * loop. CPython's {@code socket.socketpair()} is a NIO {@link Pipe} or a loopback pair here. The
 * socket, server, datagram, pipe and subprocess cases are in {@code io.aiobridge.net}. The signal
 * cases send SIGWINCH, not SIGINT or SIGALRM: a JVM started in the background by a
 * non-interactive shell ignores SIGINT and cannot handle it, and SIGWINCH's default is to be
 * ignored, so a stray one cannot end the test JVM.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestEventsPortTest {
    /** test_utils.CLOCK_RES */
    private static final double CLOCK_RES = 0.020;

    private EventLoop loop;

    @BeforeEach
    void setUp() {
        loop = EventLoop.newEventLoop();
    }

    @AfterEach
    void tearDown() {
        if (!loop.isClosed()) {
            loop.close();
        }
    }

    @Test
    void test_run_until_complete_nesting() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.runUntilComplete(() -> {
                    assertTrue(loop.isRunning());
                    loop.runUntilComplete(() -> {
                        Aio.sleep(0);
                        return null;
                    });
                    return null;
                }));
        assertTrue(e.getMessage().startsWith("This event loop is already running"),
                e.getMessage());
    }

    @Test
    void test_run_until_complete() {
        double delay = 0.100;
        double t0 = loop.time();
        loop.runUntilComplete(() -> {
            Aio.sleep(delay);
            return null;
        });
        double dt = loop.time() - t0;
        assertTrue(dt >= delay - CLOCK_RES, "slept " + dt);
    }

    @Test
    void test_run_until_complete_stopped() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.runUntilComplete(() -> {
                    loop.stop();
                    Aio.sleep(0.1);
                    return null;
                }));
        assertTrue(e.getMessage().startsWith("Event loop stopped before Future completed."),
                e.getMessage());
    }

    @Test
    void test_call_later() {
        List<String> results = new ArrayList<>();
        loop.callLater(0.1, () -> {
            results.add("hello world");
            loop.stop();
        });
        loop.runForever();
        assertEquals(List.of("hello world"), results);
    }

    @Test
    void test_call_soon() {
        List<String> results = new ArrayList<>();
        loop.callSoon(() -> {
            results.add("hello, world");
            loop.stop();
        });
        loop.runForever();
        assertEquals(List.of("hello, world"), results);
    }

    private Runnable appendAndStopAtTwo(List<String> results, String arg) {
        return () -> {
            results.add(arg);
            if (results.size() >= 2) {
                loop.stop();
            }
        };
    }

    @Test
    void test_call_soon_threadsafe() throws Exception {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Semaphore lock = new Semaphore(0);
        Thread t = new Thread(() -> {
            loop.callSoonThreadsafe(appendAndStopAtTwo(results, "hello"));
            lock.release();
        });
        t.start();
        lock.acquire();
        loop.callSoon(appendAndStopAtTwo(results, "world"));
        loop.runForever();
        t.join();
        assertEquals(List.of("hello", "world"), results);
    }

    /** CPython sleeps 1 s in these callbacks; 0.2 s shows the same. */
    private static final long CALLBACK_MILLIS = 200;

    /** What the thread-safe handle cases share: what ran, what went wrong, two latches. */
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch callbackStarted = new CountDownLatch(1);
    private final CountDownLatch callbackFinished = new CountDownLatch(1);

    /** The callback of the "block" cases: records "hello", then holds the loop a while. */
    private void slowHello() {
        callbackStarted.countDown();
        ran.add("hello");
        sleep(CALLBACK_MILLIS);
        callbackFinished.countDown();
    }

    /** Fails the case (after the fact) if the callback had not finished by now. */
    private void expectFinished(String what) {
        if (callbackFinished.getCount() != 0) {
            failures.add(what + " returned while the callback ran");
        }
    }

    /** Runs {@code body} on a thread of its own while the loop runs until stopped. */
    private void runWithThread(Runnable body) throws InterruptedException {
        Thread t = new Thread(() -> {
            body.run();
            loop.callSoonThreadsafe(loop::stop);
        });
        t.start();
        loop.runForever();
        t.join();
        assertEquals(List.of(), failures);
    }

    @Test
    void test_call_soon_threadsafe_handle_block_check_cancelled() throws Exception {
        runWithThread(() -> {
            Handle handle = loop.callSoonThreadsafe(this::slowHello);
            await(callbackStarted);
            // the callback started, so checking for cancellation waits until it finishes
            if (handle.isCancelled()) {
                failures.add("cancelled() was true");
            }
            expectFinished("cancelled()");
        });
        assertEquals(List.of("hello"), ran);
    }

    @Test
    void test_call_soon_threadsafe_handle_block_cancellation() throws Exception {
        runWithThread(() -> {
            Handle handle = loop.callSoonThreadsafe(this::slowHello);
            await(callbackStarted);
            // the callback started, so it cannot be cancelled from another thread until it ends
            handle.cancel();
            expectFinished("cancel()");
        });
        assertEquals(List.of("hello"), ran);
    }

    @Test
    void test_call_soon_threadsafe_handle_cancel_same_thread() throws Exception {
        CompletableFuture<Handle> fut = new CompletableFuture<>();
        runWithThread(() -> {
            Handle handle = loop.callSoonThreadsafe(() -> {
                callbackStarted.countDown();
                fut.join().cancel(); // the callback cancels itself: it runs on to its end
                ran.add("hello");
                callbackFinished.countDown();
                loop.stop();
            });
            fut.complete(handle);
            await(callbackStarted);
            if (!handle.isCancelled()) {
                failures.add("cancelled() was false");
            }
            expectFinished("cancelled()");
        });
        assertEquals(List.of("hello"), ran);
    }

    @Test
    void test_call_soon_threadsafe_handle_cancel_other_thread() throws Exception {
        CountDownLatch ev = new CountDownLatch(1);
        // block the loop until the callback is added and cancelled in the other thread
        loop.callSoon(() -> await(ev));
        runWithThread(() -> {
            Handle handle = loop.callSoonThreadsafe(() -> {
                ran.add("hello");
                callbackFinished.countDown();
                loop.stop();
            });
            // a handle can be cancelled from another thread if it has not started
            handle.cancel();
            if (!handle.isCancelled()) {
                failures.add("cancelled() was false");
            }
            ev.countDown();
        });
        assertEquals(List.of(), ran);
        assertEquals(1, callbackFinished.getCount());
    }

    @Test
    void test_call_soon_threadsafe_same_thread() {
        List<String> results = new ArrayList<>();
        loop.callSoonThreadsafe(appendAndStopAtTwo(results, "hello"));
        loop.callSoon(appendAndStopAtTwo(results, "world"));
        loop.runForever();
        assertEquals(List.of("hello", "world"), results);
    }

    @Test
    void test_run_in_executor() {
        Thread here = Thread.currentThread();
        AsyncFuture<Object[]> f2 = loop.runInExecutor(null,
                () -> new Object[] {"yo", Thread.currentThread()});
        Object[] r = loop.runUntilComplete(f2);
        assertEquals("yo", r[0]);
        assertNotEquals(here, r[1]);
    }

    @Test
    void test_run_in_executor_cancel() throws Exception {
        List<ErrorContext> errors = Collections.synchronizedList(new ArrayList<>());
        loop.setExceptionHandler((l, c) -> errors.add(c));
        AsyncFuture<Void> f2 = loop.runInExecutor(null, () -> {
            Thread.sleep(50);
            return null;
        });
        f2.cancel();
        loop.runUntilComplete(loop.shutdownDefaultExecutor());
        loop.close();
        Thread.sleep(400);
        // the job ended before the close; nothing tried to reach the closed loop
        assertEquals(List.of(), errors);
        assertTrue(f2.isCancelled());
    }

    @Test
    void test_reader_callback() throws IOException {
        Pipe p = Pipe.open();
        Pipe.SourceChannel r = p.source();
        Pipe.SinkChannel w = p.sink();
        r.configureBlocking(false);
        StringBuilder bytesRead = new StringBuilder();
        loop.addReader(r, () -> {
            ByteBuffer buf = ByteBuffer.allocate(1024);
            int n;
            try {
                n = r.read(buf);
                if (n < 0) {
                    assertTrue(loop.removeReader(r));
                    r.close();
                    return;
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            bytesRead.append(new String(buf.array(), 0, n)); // 0: a spurious wake-up
        });
        loop.callSoon(() -> send(w, "abc"));
        Ports.runUntil(loop, () -> bytesRead.length() >= 3);
        loop.callSoon(() -> send(w, "def"));
        Ports.runUntil(loop, () -> bytesRead.length() >= 6);
        loop.callSoon(() -> close(w));
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals("abcdef", bytesRead.toString());
        Ports.runUntil(loop, () -> !r.isOpen());
    }

    @Test
    void test_writer_callback() throws IOException {
        Pipe p = Pipe.open();
        Pipe.SinkChannel w = p.sink();
        w.configureBlocking(false);
        String data = "x".repeat(1024);
        loop.addWriter(w, () -> {
            send(w, data);
            loop.stop();
        });
        loop.runForever();
        assertTrue(loop.removeWriter(w));
        assertFalse(loop.removeWriter(w));
        w.close();
        ByteBuffer read = ByteBuffer.allocate(2048);
        while (p.source().read(read) >= 0) {
            // to the end
        }
        assertEquals(data, new String(read.array(), 0, read.position()));
    }

    @Test
    void test_prompt_cancellation() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(
                new InetSocketAddress("127.0.0.1", 0));
                SocketChannel w = SocketChannel.open(server.getLocalAddress());
                SocketChannel r = server.accept()) {
            r.configureBlocking(false);
            Task<byte[]> f = loop.createTask(() -> loop.sockRecv(r, 1));
            Task<String> t = loop.createTask(() -> {
                try {
                    loop.callSoon(f::cancel);
                    f.await();
                    return null;
                } catch (CancelledError e) {
                    return "cancelled";
                } finally {
                    loop.stop();
                }
            });
            loop.runForever();
            assertEquals("cancelled", t.result());
            assertThrows(CancelledError.class, f::result);
            assertNotNull(w);
        }
    }

    @Test
    void test_remove_fds_after_closing() throws IOException {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        EventLoop l = EventLoop.newEventLoop();
        l.addReader(p.source(), () -> { });
        l.addWriter(p.sink(), () -> { });
        l.close();
        assertFalse(l.removeReader(p.source()));
        assertFalse(l.removeWriter(p.sink()));
    }

    @Test
    void test_add_fds_after_closing() throws IOException {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        EventLoop l = EventLoop.newEventLoop();
        l.close();
        assertThrows(IllegalStateException.class, () -> l.addReader(p.source(), () -> { }));
        assertThrows(IllegalStateException.class, () -> l.addWriter(p.sink(), () -> { }));
    }

    @Test
    void test_close_running_event_loop() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.runUntilComplete(() -> {
                    loop.close();
                    return null;
                }));
        assertTrue(e.getMessage().startsWith("Cannot close a running event loop"),
                e.getMessage());
    }

    @Test
    void test_close() {
        loop.close();
        Runnable func = () -> { };
        // operations are refused once the loop is closed
        assertThrows(IllegalStateException.class, loop::runForever);
        assertThrows(IllegalStateException.class, () -> {
            AsyncFuture<Object> fut = loop.createFuture();
            loop.runUntilComplete(fut);
        });
        assertThrows(IllegalStateException.class, () -> loop.callSoon(func));
        assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(func));
        assertThrows(IllegalStateException.class, () -> loop.callLater(1.0, func));
        assertThrows(IllegalStateException.class, () -> loop.callAt(loop.time() + .0, func));
        assertThrows(IllegalStateException.class, () -> loop.createTask(() -> null));
        assertThrows(IllegalStateException.class, () -> loop.runInExecutor(null, () -> null));
    }

    // ---- HandleTests and TimerTests: the cases that do not mock the loop ----

    @Test
    void test_handle() {
        Handle h = loop.callSoon(() -> { });
        assertFalse(h.isCancelled());
        h.cancel();
        assertTrue(h.isCancelled());
    }

    @Test
    void test_callback_with_exception() {
        List<ErrorContext> contexts = new ArrayList<>();
        loop.setExceptionHandler((l, c) -> contexts.add(c));
        IllegalArgumentException boom = new IllegalArgumentException();
        Handle h = loop.callSoon(() -> {
            throw boom;
        });
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(1, contexts.size());
        ErrorContext c = contexts.get(0);
        assertTrue(c.message().matches("Exception in callback.*"), c.message());
        assertSame(boom, c.exception());
        assertSame(h, c.handle());
    }

    @Test
    void test_handle_repr() {
        Handle h = loop.callSoon(() -> { });
        assertTrue(h.toString().startsWith("<Handle "), h.toString());
        h.cancel();
        assertEquals("<Handle cancelled>", h.toString());
    }

    @Test
    void test_handle_repr_debug() {
        loop.setDebug(true);
        Handle h = loop.callSoon(() -> { });
        h.cancel();
        // in debug mode a cancelled handle keeps saying what it was
        assertTrue(h.toString().startsWith("<Handle cancelled "), h.toString());
        assertNotEquals("<Handle cancelled>", h.toString());
    }

    @Test
    void test_when() {
        double when = loop.time() + 10;
        TimerHandle h = loop.callAt(when, () -> { });
        assertEquals(when, h.when());
    }

    @Test
    void test_timer_repr() {
        TimerHandle h = loop.callAt(123, () -> { });
        assertTrue(h.toString().startsWith("<TimerHandle when=123"), h.toString());
        h.cancel();
        assertEquals("<TimerHandle cancelled when=123.0>", h.toString()); // a double: 123.0, as call_at(123.0)
    }

    private static void send(Pipe.SinkChannel w, String s) {
        try {
            w.write(ByteBuffer.wrap(s.getBytes()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void close(Pipe.SinkChannel w) {
        try {
            w.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
    // ---- signals (UnixEventLoopTestsMixin) ---------------------------------------------------

    /** {@code os.kill(os.getpid(), sig)}: a real signal to this JVM. */
    private static void kill(String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig,
                Long.toString(ProcessHandle.current().pid())).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + sig);
    }

    @Test
    void test_add_signal_handler() throws Exception {
        int[] caught = new int[1];
        Runnable myHandler = () -> caught[0]++;
        // the error behaviour first
        assertThrows(IllegalArgumentException.class, () -> loop.addSignalHandler("boom", myHandler));
        assertThrows(IllegalArgumentException.class, () -> loop.removeSignalHandler("boom"));
        assertThrows(NullPointerException.class, () -> loop.addSignalHandler(null, myHandler));
        IllegalStateException kill = assertThrows(IllegalStateException.class,
                () -> loop.addSignalHandler("SIGKILL", myHandler));
        assertTrue(kill.getMessage().startsWith("sig SIGKILL cannot be caught"),
                kill.getMessage());
        // removing SIGKILL does not raise: it was never set
        assertFalse(loop.removeSignalHandler("SIGKILL"));
        // now set a handler and handle it
        loop.addSignalHandler("SIGWINCH", myHandler);
        kill("WINCH");
        Ports.runUntil(loop, () -> caught[0] > 0);
        assertEquals(1, caught[0]);
        // removing it restores the handler before it; removing again returns false
        assertTrue(loop.removeSignalHandler("SIGWINCH"));
        assertFalse(loop.removeSignalHandler("WINCH"));
        kill("WINCH");
        loop.runUntilComplete(() -> Aio.<Void>sleep(0.05, null));
        assertEquals(1, caught[0], "nothing after the removal");
    }

    @Test
    void test_signal_handling_while_selecting() throws Exception {
        // the signal arrives while the loop waits for I/O (a pending call_later)
        int[] caught = new int[1];
        loop.addSignalHandler("SIGWINCH", () -> {
            caught[0]++;
            loop.stop();
        });
        loop.callLater(60, loop::stop);
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(10);
                kill("WINCH");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        loop.runForever();
        sender.join();
        assertEquals(1, caught[0]);
        loop.removeSignalHandler("SIGWINCH");
    }

    /** Closing the loop removes its handlers, as asyncio's close() does. */
    @Test
    void test_close_removes_signal_handlers() throws Exception {
        int[] caught = new int[1];
        loop.addSignalHandler("SIGWINCH", () -> caught[0]++);
        loop.close();
        assertFalse(loop.removeSignalHandler("SIGWINCH"), "already removed by close()");
        kill("WINCH"); // default: ignored
        Thread.sleep(50);
        assertEquals(0, caught[0]);
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> loop.addSignalHandler("SIGWINCH", () -> { }));
        assertTrue(closed.getMessage().startsWith("Event loop is closed"), closed.getMessage());
    }

    /** One handler per signal in the process: the last loop to add one has it. */
    @Test
    void test_signal_handler_of_another_loop() throws Exception {
        EventLoop other = EventLoop.newEventLoop();
        try {
            List<String> caught = Collections.synchronizedList(new ArrayList<>());
            loop.addSignalHandler("SIGWINCH", () -> caught.add("first"));
            other.addSignalHandler("SIGWINCH", () -> caught.add("second"));
            assertFalse(loop.removeSignalHandler("SIGWINCH"), "the second loop has it now");
            kill("WINCH");
            Ports.runUntil(other, () -> !caught.isEmpty());
            loop.runUntilComplete(() -> Aio.<Void>sleep(0.01, null));
            assertEquals(List.of("second"), caught);
            assertTrue(other.removeSignalHandler("SIGWINCH"));
        } finally {
            other.close();
        }
    }
    /**
     * Not CPython's (it installs a handler whatever the process ignored): the JVM leaves a
     * shutdown signal the process ignores ignored, so the loop refuses it and says why. A child
     * JVM started with SIGHUP ignored, as nohup does, tries; this JVM, which handles SIGHUP,
     * checks its answer.
     */
    @Test
    void a_signal_the_process_ignores_is_refused_with_the_reason() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("aiobridge-signal");
        java.nio.file.Path probe = dir.resolve("Probe.java");
        java.nio.file.Files.writeString(probe, """
                public class Probe {
                    public static void main(String[] args) {
                        io.aiobridge.EventLoop loop = io.aiobridge.EventLoop.newEventLoop();
                        try {
                            loop.addSignalHandler("SIGHUP", () -> { });
                            System.out.println("installed");
                        } catch (IllegalStateException e) {
                            System.out.println(e.getMessage());
                        } finally {
                            loop.close();
                        }
                    }
                }
                """);
        String classPath = java.nio.file.Path.of(EventLoop.class.getProtectionDomain()
                .getCodeSource().getLocation().toURI()) + java.io.File.pathSeparator
                + java.nio.file.Path.of(org.reactivestreams.Publisher.class
                        .getProtectionDomain().getCodeSource().getLocation().toURI());
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder("sh", "-c", "trap '' HUP; exec \"$0\" -cp \"$1\" \"$2\"",
                javaBin, classPath, probe.toString()).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes()).trim();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            java.nio.file.Files.delete(probe);
            java.nio.file.Files.delete(dir);
        }
        assertTrue(out.startsWith("sig SIGHUP cannot be caught: this process ignores it"), out);
    }
}
