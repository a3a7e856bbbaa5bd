package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sockets connected or accepted outside the loop, handed to it: asyncio's {@code
 * connect_accepted_socket} and {@code open_connection(sock=...)}, the way a socket from {@code
 * System.inheritedChannel()} or another library comes in.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AcceptedSocketTest {

    /** A connected pair: [0] the client's end, [1] the end a blocking accept returned. */
    private static SocketChannel[] pair() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            return new SocketChannel[] {client, listener.accept()};
        }
    }

    @Test
    void anAcceptedSocketAndAConnectedOneBecomeTransportsOfTheLoop() throws Exception {
        SocketChannel[] ends = pair();
        List<String> got = Aio.run(() -> {
            Net.Connection<TlsTest.Echo> server = Net.connectAcceptedSocket(TlsTest.Echo::new,
                    ends[1]);
            Streams.Connection client = Streams.openConnection(ends[0]);
            client.writer().write("ping\n");
            String echoed = new String(client.reader().readline(), StandardCharsets.UTF_8);
            client.writer().close();
            client.writer().waitClosed();
            Aio.sleep(0.05); // the echo side hears the end
            return List.of(echoed, String.join(",", server.protocol().events));
        });
        assertEquals("ping\n", got.get(0));
        assertTrue(got.get(1).startsWith("made,eof,lost"), got.get(1));
        assertFalse(ends[0].isOpen(), "the loop owns the channel it was given: closed with it");
        assertFalse(ends[1].isOpen());
    }

    /** The accepted end is TLS's server side; the call returns once the handshake is done. */
    @Test
    void anAcceptedSocketCanBeTheServerSideOfTls() throws Exception {
        SocketChannel[] ends = pair();
        String got = Aio.run(() -> {
            Task<Net.Connection<TlsTest.Echo>> server = Aio.createTask(() ->
                    Net.connectAcceptedSocket(TlsTest.Echo::new, ends[1],
                            TlsTest.serverContext()));
            Streams.Connection client = Streams.openConnection(ends[0]);
            client.writer().startTls(TlsTest.clientContext(), "localhost");
            Net.Connection<TlsTest.Echo> s = server.await();
            client.writer().write("secret\n");
            String echoed = new String(client.reader().readline(), StandardCharsets.UTF_8);
            client.writer().close();
            return echoed + s.transport().getExtraInfo("ssl_object").getClass().getSimpleName();
        });
        assertTrue(got.startsWith("secret\n"), got);
    }

    @Test
    void aSocketThatIsNotConnectedIsRefusedAndKeptAsItWas() throws Exception {
        try (SocketChannel unconnected = SocketChannel.open()) {
            Aio.run(() -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Net.connectAcceptedSocket(TlsTest.Echo::new, unconnected));
                assertTrue(e.getMessage().startsWith("A connected stream socket was expected,"
                        + " got "), e.getMessage());
                assertTrue(e.getMessage().endsWith("connect it first, or let createConnection"
                        + " connect"), e.getMessage());
                assertTrue(unconnected.isOpen() && unconnected.isBlocking(), "left as it was");
                SocketChannel closed = SocketChannel.open();
                closed.close();
                IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                        () -> Streams.openConnection(closed));
                assertTrue(c.getMessage().endsWith(": it is closed"), c.getMessage());
                assertThrows(NullPointerException.class,
                        () -> Streams.openConnection((SocketChannel) null));
                return null;
            });
        }
    }

    /**
     * {@code open_connection(sock=sock, ssl=ctx, server_hostname=...)}: the name comes from the
     * options, since there is no host; without one TLS is refused, with asyncio's words first.
     */
    @Test
    void aConnectedSocketTakesTlsWithTheNameItMustCheck() throws Exception {
        SocketChannel[] ends = pair();
        try (SocketChannel spare = pair()[0]) {
            String got = Aio.run(() -> {
                IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                        () -> Streams.openConnection(spare, StreamReader.DEFAULT_LIMIT,
                                ConnectOptions.defaults().withSsl(TlsTest.clientContext())));
                assertTrue(noName.getMessage().startsWith("You must set server_hostname when"
                        + " using ssl without a host"), noName.getMessage());
                IllegalArgumentException local = assertThrows(IllegalArgumentException.class,
                        () -> Net.createConnection(TlsTest.Echo::new, spare,
                                ConnectOptions.defaults().withLocalAddress("127.0.0.1", 0)));
                assertTrue(local.getMessage().startsWith("local_addr cannot be used with sock"),
                        local.getMessage());
                assertTrue(spare.isOpen() && spare.isBlocking(), "refused, left as it was");

                Task<Net.Connection<TlsTest.Echo>> server = Aio.createTask(() ->
                        Net.connectAcceptedSocket(TlsTest.Echo::new, ends[1],
                                TlsTest.serverContext()));
                Streams.Connection client = Streams.openConnection(ends[0], 1024,
                        ConnectOptions.defaults().withSsl(TlsTest.clientContext())
                                .withServerHostname("localhost"));
                server.await();
                client.writer().write("over tls\n");
                String echoed = new String(client.reader().readline(), StandardCharsets.UTF_8);
                client.writer().close();
                return echoed;
            });
            assertEquals("over tls\n", got);
        }
    }
}
