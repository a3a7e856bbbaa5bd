package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncTimeoutException;
import io.aiobridge.CancelledError;
import io.aiobridge.ErrorContext;
import io.aiobridge.Task;
import io.aiobridge.sync.AsyncSemaphore;
import io.aiobridge.sync.Held;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded storm: 1,000 connections to one echo server, at most 100 at a time, each sending a
 * random number of random-length lines; some read every echo, some are cancelled by a timeout at
 * a random point, some drop the connection half-way. Every echo that is read matches what was
 * sent, in order; nothing but the expected reports reaches the loop's exception handler; and
 * afterwards no channel or thread is left. {@code -Dstress.scale=N} runs N times as many,
 * {@code -Dstress.seed=S} another storm.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamsStressTest {

    static long openFileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static byte[] line(Random rnd, int client, int n) {
        int len = 1 + rnd.nextInt(2000);
        byte[] b = new byte[len + 1];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) ('a' + Math.floorMod(client * 31 + n * 7 + i + rnd.nextInt(3), 26));
        }
        b[len] = '\n';
        return b;
    }

    @Test
    void aThousandConnectionsOpenedUsedAndDroppedAtRandomLoseNothing() throws Exception {
        int clients = 1000 * Integer.getInteger("stress.scale", 1);
        long seed = Long.getLong("stress.seed", 2026L);
        warmUp(); // the JDK opens its own pollers lazily, once: count after them
        long fdsBefore = openFileDescriptors();
        int threadsBefore = Thread.activeCount();
        List<ErrorContext> reported = new CopyOnWriteArrayList<>();
        AtomicInteger verified = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger echoedLines = new AtomicInteger();
        Aio.run(() -> {
            Aio.getRunningLoop().setExceptionHandler((l, ctx) -> reported.add(ctx));
            Server server = Streams.startServer((r, w) -> {
                try {
                    for (byte[] line : r) {
                        w.write(line);
                        w.drain();
                        echoedLines.incrementAndGet();
                    }
                } catch (IOException e) {
                    // drain(): the client dropped the connection
                } catch (RuntimeException e) {
                    if (!(e.getCause() instanceof IOException)) {
                        throw e; // the lines iterator wraps a reset in CompletionException
                    }
                } finally {
                    w.close();
                }
            }, "127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            AsyncSemaphore slots = new AsyncSemaphore(100);
            Random rnd = new Random(seed);
            List<Task<Void>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                int mode = rnd.nextInt(10); // 0-5 read all, 6-7 cancelled, 8-9 dropped
                int messages = 1 + rnd.nextInt(20);
                List<byte[]> lines = new ArrayList<>();
                for (int n = 0; n < messages; n++) {
                    lines.add(line(rnd, client, n));
                }
                double timeout = 0.0005 + rnd.nextDouble() * 0.01;
                int dropAfter = rnd.nextInt(messages);
                all.add(Aio.createTask(() -> {
                    try (Held h = slots.hold()) {
                        if (mode >= 6 && mode <= 7) {
                            try {
                                Aio.waitFor(() -> talk(port, lines, lines.size()), timeout);
                                verified.incrementAndGet();
                            } catch (AsyncTimeoutException e) {
                                cancelled.incrementAndGet();
                            }
                        } else if (mode >= 8) {
                            talk(port, lines, dropAfter);
                            dropped.incrementAndGet();
                        } else {
                            talk(port, lines, lines.size());
                            verified.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Task<Void> t : all) {
                t.await();
            }
            server.close();
            server.waitClosed();
            return null;
        });
        assertEquals(clients, verified.get() + cancelled.get() + dropped.get());
        assertTrue(verified.get() > clients / 2, "most clients read every echo: " + verified);
        assertEquals(List.of(), reported, "nothing unexpected reached the exception handler");
        assertTrue(echoedLines.get() > 0);
        if (fdsBefore >= 0) {
            assertEquals(fdsBefore, openFileDescriptors(), "no channel left open");
        }
        assertTrue(Thread.activeCount() <= threadsBefore + 2, "no thread left: "
                + Thread.activeCount() + " vs " + threadsBefore);
    }

    static void warmUp() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                w.write(r.readline());
                w.close();
            }, "127.0.0.1", 0);
            talk(server.addresses().get(0).getPort(), List.of("hello\n".getBytes()), 1);
            server.close();
            server.waitClosed();
            return null;
        });
    }

    /**
     * Sends the lines; reads back the first {@code readBack} echoes and checks each; when it
     * reads back fewer than it sent, it aborts the connection (a dropped client).
     */
    static Void talk(int port, List<byte[]> lines, int readBack) throws Exception {
        Streams.Connection c = Streams.openConnection("127.0.0.1", port);
        try {
            for (byte[] line : lines) {
                c.writer().write(line);
            }
            c.writer().drain();
            for (int i = 0; i < readBack; i++) {
                assertArrayEquals(lines.get(i), c.reader().readline(), "echo " + i + " in order");
            }
            if (readBack < lines.size()) {
                c.writer().transport().abort();
                return null;
            }
            c.writer().writeEof();
            assertEquals(0, c.reader().read(-1).length, "nothing more than was sent");
        } catch (CancelledError e) {
            c.writer().transport().abort(); // cancelled half-way: drop the connection
            throw e;
        } finally {
            c.writer().close();
        }
        return null;
    }
}
