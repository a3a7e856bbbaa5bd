package io.aiobridge.net;

import static io.aiobridge.net.StreamsTest.b;
import static io.aiobridge.net.StreamsTest.port;
import static io.aiobridge.net.StreamsTest.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.testing.OtherThread;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Transports and stream readers are loop-confined (Transport's Javadoc; docs/design.md,
 * "Threading contract"): called from another thread while their loop runs, a write, a close or a
 * feed is refused with {@link WrongThreadException}, before it touches anything, so the
 * connection goes on as if the call had never been made. Before, a write from another thread went
 * straight to the socket and the loop's write buffer, racing the loop.
 */
class IoThreadingContractTest {

    @Test
    void aTransportRefusesAnotherThreadAndTheConnectionGoesOnIntact() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                w.write(r.readline()); // echo one line
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1", port(server));
            Transport t = c.writer().transport();
            OtherThread.assertRefused(OtherThread.call(() -> t.write(b("from elsewhere\n"))),
                    "Transport.write()");
            OtherThread.assertRefused(OtherThread.call(t::close), "Transport.close()");
            OtherThread.assertRefused(OtherThread.call(t::pauseReading), "Transport.pauseReading()");
            OtherThread.assertRefused(OtherThread.call(c.writer()::writeEof), "Transport.writeEof()");
            assertFalse(t.isClosing(), "the refused close changed nothing");
            assertTrue(t.isReading(), "the refused pause changed nothing");
            c.writer().write(b("from the loop\n"));
            assertEquals("from the loop\n", s(c.reader().readline()),
                    "only the loop's bytes went out: the refused write sent nothing");
            c.writer().close();
            server.close();
            server.waitClosed();
            return null;
        });
    }

    @Test
    void aPipeTransportRefusesAnotherThreadAndWritesOnlyTheLoopsBytes() {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        Aio.run(() -> {
            AsyncFuture<Void> lost = Aio.getRunningLoop().createFuture();
            Net.Connection<Protocol> c = Net.connectWritePipe(() -> new Protocol() {
                @Override
                public void connectionLost(Throwable exc) {
                    lost.setResult(null);
                }
            }, pipe);
            Transport t = c.transport();
            OtherThread.assertRefused(OtherThread.call(() -> t.write(b("elsewhere"))), "Transport.write()");
            OtherThread.assertRefused(OtherThread.call(t::close), "Transport.close()");
            t.write(b("from the loop"));
            t.close();
            lost.await();
            return null;
        });
        assertEquals("from the loop", s(pipe.toByteArray()));
    }

    @Test
    void aStreamReaderRefusesAFeedFromAnotherThreadAndKeepsWhatItHas() {
        Aio.run(() -> {
            StreamReader reader = new StreamReader(Aio.getRunningLoop());
            reader.feedData(b("kept\n"));
            OtherThread.assertRefused(OtherThread.call(() -> reader.feedData(b("lost?\n"))),
                    "StreamReader.feedData()");
            OtherThread.assertRefused(OtherThread.call(reader::feedEof), "StreamReader.feedEof()");
            OtherThread.assertRefused(OtherThread.call(() -> reader.setException(
                    new IllegalStateException("from elsewhere"))), "StreamReader.setException()");
            assertEquals("kept\n", s(reader.readline()));
            assertFalse(reader.atEof(), "the refused feedEof changed nothing");
            reader.feedEof();
            assertEquals("", s(reader.read(-1)));
            return null;
        });
    }

    @Test
    void beforeItsLoopRunsOneThreadMaySetAReaderUp() {
        io.aiobridge.EventLoop loop = io.aiobridge.EventLoop.newEventLoop();
        try {
            StreamReader reader = new StreamReader(loop);
            reader.feedData(b("set up before the loop runs\n")); // as asyncio's tests do
            reader.feedEof();
            assertEquals("set up before the loop runs\n",
                    s(loop.runUntilComplete(() -> reader.readline())));
        } finally {
            loop.close();
        }
    }

    @Test
    void aDatagramTransportRefusesAnotherThread() {
        Aio.run(() -> {
            List<String> received = new ArrayList<>();
            AsyncFuture<Void> got = Aio.getRunningLoop().createFuture();
            Net.Endpoint<DatagramProtocol> server = Net.createDatagramEndpoint(
                    () -> collecting(received, got), new InetSocketAddress("127.0.0.1", 0), null);
            InetSocketAddress to = (InetSocketAddress) server.transport()
                    .getExtraInfo("sockname");
            Net.Endpoint<DatagramProtocol> client = Net.createDatagramEndpoint(
                    () -> collecting(new ArrayList<>(), null), null, to);
            OtherThread.assertRefused(OtherThread.call(() -> client.transport().send(b("elsewhere"))),
                    "DatagramTransport.send()");
            client.transport().send(b("from the loop"));
            got.await();
            assertEquals(List.of("from the loop"), received);
            client.transport().close();
            server.transport().close();
            return null;
        });
    }

    @Test
    void aServerRefusesAnotherThreadAndGoesOnServing() {
        Aio.run(() -> {
            Server server = Streams.startServer((r, w) -> {
                w.write(r.readline());
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection first = Streams.openConnection("127.0.0.1", port(server));
            first.writer().write(b("first\n"));
            assertEquals("first\n", s(first.reader().readline()));
            OtherThread.assertRefused(OtherThread.call(server::close), "Server.close()");
            OtherThread.assertRefused(OtherThread.call(server::closeClients), "Server.closeClients()");
            OtherThread.assertRefused(OtherThread.call(server::abortClients), "Server.abortClients()");
            assertTrue(server.isServing(), "the refused close changed nothing");
            assertFalse(server.sockets().isEmpty(), "the listening socket is still open");
            Streams.Connection second = Streams.openConnection("127.0.0.1", port(server));
            second.writer().write(b("second\n"));
            assertEquals("second\n", s(second.reader().readline()),
                    "the server still accepts and serves");
            first.writer().close();
            second.writer().close();
            server.close();
            server.waitClosed();
            assertTrue(server.sockets().isEmpty());
            return null;
        });
    }

    @Test
    void aSubprocessTransportRefusesACloseFromAnotherThreadButAnyThreadMayKill() {
        Aio.run(() -> {
            AsyncProcess p = Subprocess.exec("sleep", "30").stdin(Subprocess.Redirect.PIPE)
                    .start();
            SubprocessTransport t = p.transport();
            OtherThread.assertRefused(OtherThread.call(t::close), "SubprocessTransport.close()");
            assertFalse(t.isClosing(), "the refused close changed nothing");
            assertFalse(p.stdin().transport().isClosing(), "the child's stdin is still open");
            assertEquals(null, OtherThread.call(p::kill),
                    "a signal may come from any thread: a watchdog's, a shutdown hook's");
            assertEquals(-9, p.waitFor(), "killed by the SIGKILL the other thread sent");
            t.close();
            return null;
        });
    }

    private static DatagramProtocol collecting(List<String> into, AsyncFuture<Void> first) {
        Consumer<String> add = m -> {
            into.add(m);
            if (first != null && !first.isDone()) {
                first.setResult(null);
            }
        };
        return new DatagramProtocol() {
            @Override
            public void datagramReceived(byte[] data, InetSocketAddress addr) {
                add.accept(s(data));
            }
        };
    }
}
