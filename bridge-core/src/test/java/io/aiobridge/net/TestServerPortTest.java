package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CancelledError;
import io.aiobridge.EventLoop;
import io.aiobridge.Task;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_server.py}, case by case, over real loopback
 * sockets: {@code serve_forever} ended by a cancel, {@code wait_closed} waiting for the
 * connections (3.12.1+), {@code close_clients} and {@code abort_clients} (3.13). The Unix-socket
 * clean-up cases are in {@link UnixSocketTest}.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestServerPortTest {

    private static int port(Server server) {
        return server.addresses().get(0).getPort();
    }

    private static final Streams.Handler READ_TO_EOF_THEN_CLOSE = (rd, wr) -> {
        try {
            rd.read(-1);
        } finally {
            wr.close();
            wr.waitClosed();
        }
    };

    @Test
    void test_start_server_1() throws Exception {
        byte[] hello = new byte[5 * 1024 + 1];
        Arrays.fill(hello, (byte) '1');
        hello[hello.length - 1] = '\n';
        int[] answer = {-2};
        Server[] srv = {null};
        Aio.run(() -> {
            @SuppressWarnings("unchecked")
            Task<Void>[] mainTask = new Task[1];
            srv[0] = Streams.startServer((reader, writer) -> {
                reader.readline();
                mainTask[0].cancel();
                writer.write(new byte[] {'1'});
                writer.close();
                writer.waitClosed();
            }, "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT,
                    ServerOptions.defaults().withStartServing(false));
            assertFalse(srv[0].isServing());
            int port = port(srv[0]);
            mainTask[0] = Aio.createTask(() -> {
                try (Server s = srv[0]) {
                    s.serveForever();
                }
                return null;
            });
            Task<Void> client = Aio.createTask(() -> Aio.toThread(() -> {
                for (int i = 0; i < 50 && !srv[0].isServing(); i++) {
                    Thread.sleep(20);
                }
                try (Socket sock = new Socket()) {
                    sock.setSoTimeout(2000);
                    sock.connect(new InetSocketAddress("127.0.0.1", port));
                    OutputStream out = sock.getOutputStream();
                    out.write(hello);
                    out.flush();
                    InputStream in = sock.getInputStream();
                    answer[0] = in.read();
                }
                return null;
            }));
            assertThrows(CancelledError.class, mainTask[0]::await);
            client.await();
            assertEquals(java.util.List.of(), srv[0].sockets());
            assertFalse(srv[0].isServing());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    srv[0]::serveForever);
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            return null;
        });
        assertEquals('1', answer[0]);
    }

    @Test
    void test_wait_closed_basic() {
        Aio.run(() -> {
            Server srv = Streams.startServer(READ_TO_EOF_THEN_CLOSE, "127.0.0.1", 0);
            // active count = 0, not closed: waits
            Task<Void> task1 = waitClosedTask(srv);
            Aio.sleep(0);
            assertFalse(task1.isDone());
            // active count != 0, not closed: waits
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(srv));
            Task<Void> task2 = waitClosedTask(srv);
            Aio.sleep(0);
            assertFalse(task1.isDone());
            assertFalse(task2.isDone());
            srv.close();
            Aio.sleep(0);
            // active count != 0, closed: waits
            Task<Void> task3 = waitClosedTask(srv);
            Aio.sleep(0);
            assertFalse(task1.isDone());
            assertFalse(task2.isDone());
            assertFalse(task3.isDone());
            c.writer().close();
            c.writer().waitClosed();
            // active count == 0, closed: every wait ends
            task1.await();
            task2.await();
            task3.await();
            srv.waitClosed(); // returns at once
            return null;
        });
    }

    private static Task<Void> waitClosedTask(Server srv) {
        return Aio.createTask(() -> {
            srv.waitClosed();
            return null;
        });
    }

    @Test
    void test_wait_closed_race() {
        // a regression of 3.12.0, fixed in 3.12.1
        Aio.run(() -> {
            Server srv = Streams.startServer(READ_TO_EOF_THEN_CLOSE, "127.0.0.1", 0);
            Task<Void> task = waitClosedTask(srv);
            Aio.sleep(0);
            assertFalse(task.isDone());
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(srv));
            EventLoop loop = Aio.getRunningLoop();
            loop.callSoon(srv::close);
            loop.callSoon(c.writer()::close);
            srv.waitClosed();
            task.await();
            return null;
        });
    }

    @Test
    void test_close_clients() {
        Aio.run(() -> {
            Server srv = Streams.startServer(READ_TO_EOF_THEN_CLOSE, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(srv));
            Task<Void> task = waitClosedTask(srv);
            Aio.sleep(0);
            assertFalse(task.isDone());
            srv.close();
            srv.closeClients();
            Aio.sleep(0);
            Aio.sleep(0);
            assertTrue(task.isDone(), "closing the clients ends wait_closed");
            c.writer().close();
            return null;
        });
    }

    @Test
    void test_abort_clients() {
        Aio.run(() -> {
            AsyncFuture<StreamWriter> fut = Aio.getRunningLoop().createFuture();
            Server srv = Streams.startServer((rd, wr) -> {
                fut.setResult(wr);
                wr.waitClosed();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(srv), 4096);
            StreamWriter sWr = fut.await();
            // the client's reader pauses once more than twice its limit is buffered
            sWr.write(new byte[4096]);
            sWr.write(new byte[4096]);
            sWr.write(new byte[4096]);
            while (c.writer().transport().isReading()) {
                Aio.sleep(0);
            }
            // the server's writer fills the kernel's buffers, then its own
            for (int i = 0; i < 100 && sWr.transport().getWriteBufferSize() == 0; i++) {
                sWr.write(new byte[1 << 20]);
            }
            assertNotEquals(0, sWr.transport().getWriteBufferSize());
            Task<Void> task = waitClosedTask(srv);
            Aio.sleep(0);
            assertFalse(task.isDone());
            srv.close();
            srv.abortClients();
            Aio.sleep(0);
            Aio.sleep(0);
            assertTrue(task.isDone(), "aborting drops the unsent data and ends wait_closed");
            c.writer().close();
            return null;
        });
    }
}
