package io.aiobridge.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The load generator of the TCP echo benchmark, the same for every server: {@code EchoLoad PORT
 * CONNECTIONS SIZE MODE SECONDS WARMUP}. One thread and one selector drive every connection (as
 * wrk does), so the client costs little next to the server it measures. {@code pingpong}: each
 * connection sends one message, reads the whole echo, records the latency, sends the next.
 * {@code stream}: each connection keeps its socket's send buffer full while counting the echoed
 * bytes. Reports messages per second, p50 and p99 latency (ping-pong) and errors.
 */
public final class EchoLoad {
    private EchoLoad() {}

    /** One measurement: messages per second, latency percentiles (ping-pong), errors. */
    record Result(double msgsPerSecond, double p50Micros, double p99Micros, long errors) {
        String format() {
            return String.format("msgs_per_s=%.0f p50_us=%.0f p99_us=%.0f errors=%d",
                    msgsPerSecond, p50Micros, p99Micros, errors);
        }
    }

    /** One connection's state. */
    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer out;
        final ByteBuffer in;
        long sentAt;
        long echoed; // stream mode: bytes echoed, not yet counted as messages

        Conn(SocketChannel ch, int size, boolean pingpong) {
            this.ch = ch;
            this.out = ByteBuffer.allocateDirect(pingpong ? size : Math.max(size, 64 * 1024));
            for (int i = 0; i < out.capacity(); i++) {
                out.put(i, (byte) 'x');
            }
            this.in = ByteBuffer.allocateDirect(pingpong ? size : 64 * 1024);
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), args[3].equals("pingpong"),
                Double.parseDouble(args[4]), Double.parseDouble(args[5])).format());
    }

    static Result run(int port, int conns, int size, boolean pingpong, double seconds,
            double warmup) throws IOException {
        long[] latencies = new long[1 << 22];
        int nLat = 0;
        long messages = 0;
        long errors = 0;
        try (Selector sel = Selector.open()) {
            Conn[] all = new Conn[conns];
            for (int i = 0; i < conns; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Conn c = new Conn(ch, size, pingpong);
                all[i] = c;
                ch.register(sel, pingpong ? SelectionKey.OP_READ
                        : SelectionKey.OP_READ | SelectionKey.OP_WRITE, c);
                if (pingpong) {
                    c.sentAt = System.nanoTime();
                    c.out.clear();
                    while (c.out.hasRemaining()) {
                        ch.write(c.out);
                    }
                }
            }
            long start = System.nanoTime();
            long measureFrom = start + (long) (warmup * 1e9);
            long end = measureFrom + (long) (seconds * 1e9);
            for (;;) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                sel.select(10);
                boolean measuring = System.nanoTime() >= measureFrom;
                for (SelectionKey k : sel.selectedKeys()) {
                    Conn c = (Conn) k.attachment();
                    try {
                        if (k.isValid() && k.isWritable()) {
                            c.out.clear();
                            c.ch.write(c.out);
                        }
                        if (k.isValid() && k.isReadable()) {
                            int n = c.ch.read(c.in);
                            if (n < 0) {
                                throw new IOException("closed by the server");
                            }
                            if (pingpong) {
                                if (!c.in.hasRemaining()) {
                                    long t = System.nanoTime();
                                    if (measuring) {
                                        messages++;
                                        if (nLat < latencies.length) {
                                            latencies[nLat++] = t - c.sentAt;
                                        }
                                    }
                                    c.in.clear();
                                    c.sentAt = t;
                                    c.out.clear();
                                    while (c.out.hasRemaining()) {
                                        c.ch.write(c.out);
                                    }
                                }
                            } else {
                                c.in.clear();
                                if (measuring) {
                                    c.echoed += n;
                                    long whole = c.echoed / size;
                                    messages += whole;
                                    c.echoed -= whole * size;
                                }
                            }
                        }
                    } catch (IOException e) {
                        errors++;
                        k.cancel();
                    }
                }
                sel.selectedKeys().clear();
            }
            double elapsed = (System.nanoTime() - measureFrom) / 1e9;
            for (Conn c : all) {
                c.ch.close();
            }
            double p50 = Double.NaN;
            double p99 = Double.NaN;
            if (pingpong && nLat > 0) {
                long[] l = Arrays.copyOf(latencies, nLat);
                Arrays.sort(l);
                p50 = l[nLat / 2] / 1e3;
                p99 = l[Math.min(nLat - 1, (int) (nLat * 0.99))] / 1e3;
            }
            return new Result(messages / elapsed, p50, p99, errors);
        }
    }
}
