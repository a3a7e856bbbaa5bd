package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.queue.AsyncQueue;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP endpoints over loopback, as CPython's test_events checks create_datagram_endpoint. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DatagramTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEchoServerAndAConnectedClient() {
        List<String> steps = new CopyOnWriteArrayList<>();
        Aio.run(() -> {
            Net.Endpoint<DatagramProtocol> server = Net.createDatagramEndpoint(
                    () -> new DatagramProtocol() {
                        DatagramTransport t;

                        @Override
                        public void connectionMade(DatagramTransport transport) {
                            t = transport;
                        }

                        @Override
                        public void datagramReceived(byte[] data, InetSocketAddress from) {
                            t.sendto(("echo " + new String(data, StandardCharsets.UTF_8))
                                    .getBytes(StandardCharsets.UTF_8), from);
                        }
                    }, new InetSocketAddress("127.0.0.1", 0), null);
            InetSocketAddress at = (InetSocketAddress) server.transport().getExtraInfo("sockname");
            AsyncQueue<String> got = new AsyncQueue<>();
            AsyncFuture<Void> closed = Aio.getRunningLoop().createFuture();
            Net.Endpoint<DatagramProtocol> client = Net.createDatagramEndpoint(
                    () -> new DatagramProtocol() {
                        @Override
                        public void datagramReceived(byte[] data, InetSocketAddress from) {
                            got.putNowait(new String(data, StandardCharsets.UTF_8)
                                    + (from.equals(at) ? " from the server" : " from " + from));
                        }

                        @Override
                        public void connectionLost(Throwable exc) {
                            steps.add("client closed " + exc);
                            closed.setResult(null);
                        }
                    }, null, at);
            client.transport().send(b("one"));
            client.transport().sendto(b("two"), at);
            steps.add(got.get());
            steps.add(got.get());
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                    () -> client.transport().sendto(b("x"), new InetSocketAddress("127.0.0.1", 9)));
            assertTrue(other.getMessage().startsWith("Invalid address"), other.getMessage());
            client.transport().close();
            closed.await();
            assertThrows(IllegalStateException.class, () -> client.transport().send(b("late")));
            server.transport().close();
            return null;
        });
        assertEquals(List.of("echo one from the server", "echo two from the server",
                "client closed null"), steps);
    }

    @Test
    void aConnectedEndpointHearsThatNobodyListens() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(0)) {
            closedPort = s.getLocalPort(); // free again once closed
        }
        int port = closedPort;
        Exception error = Aio.run(() -> {
            AsyncFuture<Exception> err = Aio.getRunningLoop().createFuture();
            Net.Endpoint<DatagramProtocol> c = Net.createDatagramEndpoint(
                    () -> new DatagramProtocol() {
                        @Override
                        public void errorReceived(Exception exc) {
                            if (!err.isDone()) {
                                err.setResult(exc);
                            }
                        }
                    }, null, new InetSocketAddress("127.0.0.1", port));
            Exception e = null;
            for (int i = 0; i < 50 && e == null; i++) {
                c.transport().send(b("anyone?"));
                e = Aio.waitFor(() -> err.isDone() ? err.result() : Aio.sleep(0.02, null), 1.0);
            }
            c.transport().close();
            return e;
        });
        assertInstanceOf(PortUnreachableException.class, error, "ICMP port unreachable");
    }
}
