package io.aiobridge.examples.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import io.aiobridge.TaskGroup;
import io.aiobridge.net.Server;
import io.aiobridge.net.Streams;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat server driven by many real clients over loopback. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChatServerTest {
    static final int CLIENTS = 50;

    static String line(Streams.Connection c) throws java.io.IOException {
        return new String(c.reader().readline(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void everyClientHearsEveryOtherClientInOrderAndLeavesCleanly() {
        Aio.run(() -> {
            ChatServer chat = new ChatServer();
            Server server = chat.start("127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            List<Streams.Connection> conns = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Streams.Connection c = Streams.openConnection("127.0.0.1", port);
                c.writer().write("c" + i + "\n");
                assertEquals("welcome c" + i + ", " + i + " here", line(c));
                conns.add(c);
            }
            assertEquals(CLIENTS, chat.size());
            // every client sends three lines at once, then reads until it heard everyone's
            List<Set<String>> heard = TaskGroup.run(tg -> {
                List<Task<Set<String>>> readers = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    Streams.Connection c = conns.get(i);
                    int me = i;
                    readers.add(tg.createTask(() -> {
                        for (int k = 0; k < 3; k++) {
                            c.writer().write("m" + k + " from c" + me + "\n");
                        }
                        c.writer().drain();
                        Set<String> got = new HashSet<>();
                        int[] next = new int[CLIENTS]; // per sender: the next message expected
                        while (got.size() < 3 * (CLIENTS - 1)) {
                            String l = line(c);
                            if (l.endsWith(" joined")) {
                                continue;
                            }
                            String sender = l.substring(0, l.indexOf(':'));
                            int s = Integer.parseInt(sender.substring(1));
                            assertEquals(sender + ": m" + next[s] + " from " + sender, l,
                                    "each sender's lines arrive in order");
                            next[s]++;
                            got.add(l);
                        }
                        return got;
                    }));
                }
                List<Set<String>> all = new ArrayList<>();
                for (Task<Set<String>> t : readers) {
                    all.add(t.await());
                }
                return all;
            });
            for (int i = 0; i < CLIENTS; i++) {
                assertEquals(3 * (CLIENTS - 1), heard.get(i).size());
                String me = "c" + i + ":";
                assertTrue(heard.get(i).stream().noneMatch(l -> l.startsWith(me)),
                        "nobody hears their own lines");
            }
            for (Streams.Connection c : conns) {
                c.writer().close();
                c.writer().waitClosed();
            }
            while (chat.size() > 0) {
                Aio.sleep(0.01);
            }
            server.close();
            server.waitClosed();
            return null;
        });
    }

    @Test
    void aClientThatStopsReadingIsDroppedAndTheRoomGoesOn() {
        Aio.run(() -> {
            ChatServer chat = new ChatServer();
            Server server = chat.start("127.0.0.1", 0);
            int port = server.addresses().get(0).getPort();
            Streams.Connection talker = Streams.openConnection("127.0.0.1", port);
            talker.writer().write("talker\n");
            line(talker);
            Streams.Connection deaf = Streams.openConnection("127.0.0.1", port);
            deaf.writer().write("deaf\n"); // never reads again
            line(deaf);
            Streams.Connection listener = Streams.openConnection("127.0.0.1", port);
            listener.writer().write("listener\n");
            line(listener);
            String big = "x".repeat(8_000);
            // the deaf client's backlog grows past the limit; the listener keeps up
            for (int i = 0; i < 4_000 && chat.size() == 3; i++) {
                talker.writer().write(big + "\n");
                talker.writer().drain();
                String got = line(listener);
                assertTrue(got.startsWith("talker: x") || got.endsWith(" joined"), got);
            }
            assertEquals(2, chat.size(), "the client that stopped reading was dropped");
            for (Streams.Connection c : List.of(talker, deaf, listener)) {
                c.writer().close();
            }
            server.close();
            server.waitClosed();
            return null;
        });
    }
}
