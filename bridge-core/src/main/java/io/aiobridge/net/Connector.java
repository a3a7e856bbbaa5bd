package io.aiobridge.net;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.EventLoop;
import io.aiobridge.ExceptionGroup;
import io.aiobridge.ReturnWhen;
import io.aiobridge.Task;
import io.aiobridge.WaitResult;
import io.aiobridge.internal.Addresses;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The connecting half of {@code create_connection}: resolve, order the addresses, bind each
 * socket to a local address of its family, and connect, one address after another or in
 * asyncio's staggered race (Happy Eyeballs). The socket returned is connected and non-blocking.
 */
final class Connector {
    private Connector() {}

    static SocketChannel connect(EventLoop loop, String host, int port, ConnectOptions options)
            throws IOException {
        List<InetSocketAddress> addrs = loop.getaddrinfo(host, port);
        if (addrs.isEmpty()) {
            throw new IOException("getaddrinfo returned an empty list for '" + host + "'");
        }
        ProtocolFamily only = options.family();
        if (only != null) {
            addrs = addrs.stream().filter(a -> familyOf(a) == only).toList();
            if (addrs.isEmpty()) {
                // as getaddrinfo(host, port, family) answers when the host has no such address
                throw new UnknownHostException(Addresses.isLiteral(host)
                        ? "[Errno -9] Address family for hostname not supported"
                        : "[Errno -2] Name or service not known: '" + host + "' has no "
                                + (only == StandardProtocolFamily.INET ? "IPv4" : "IPv6")
                                + " address");
            }
        }
        return connect(loop, addrs, options);
    }

    /** As {@link #connect(EventLoop, String, int, ConnectOptions)}, to addresses resolved already. */
    static SocketChannel connect(EventLoop loop, List<InetSocketAddress> addrs,
            ConnectOptions options) throws IOException {
        List<InetSocketAddress> locals = options.localHost() == null ? null
                : loop.getaddrinfo(options.localHost(), options.localPort());
        double delay = options.happyEyeballsDelay();
        int interleave = options.interleave() == 0 && !Double.isNaN(delay) ? 1
                : options.interleave();
        if (interleave > 0) {
            addrs = interleave(addrs, interleave);
        }
        if (Double.isNaN(delay) || addrs.size() == 1) {
            List<IOException> failures = new ArrayList<>();
            for (InetSocketAddress a : addrs) {
                try {
                    return open(loop, a, locals);
                } catch (IOException e) {
                    failures.add(e);
                }
            }
            throw failed(failures, options);
        }
        return race(loop, addrs, locals, delay, options);
    }

    /** One attempt: a socket of the address's family, bound if asked, connected. */
    private static SocketChannel open(EventLoop loop, InetSocketAddress a,
            List<InetSocketAddress> locals) throws IOException {
        ProtocolFamily family = familyOf(a);
        SocketChannel ch = SocketChannel.open(family);
        try {
            ch.configureBlocking(false);
            if (locals != null) {
                bind(ch, family, locals);
            }
            loop.sockConnect(ch, a);
            return ch;
        } catch (Throwable e) { // a failure, or the attempt cancelled: the socket goes with it
            ch.close();
            throw e;
        }
    }

    /** asyncio's binding: the first local address of the family that binds; else the last error. */
    private static void bind(SocketChannel ch, ProtocolFamily family,
            List<InetSocketAddress> locals) throws IOException {
        IOException last = null;
        for (InetSocketAddress l : locals) {
            if (familyOf(l) != family) {
                continue;
            }
            try {
                ch.bind(l);
                return;
            } catch (IOException e) {
                last = bindFailed(e, l);
            }
        }
        throw last != null ? last : new IOException("no matching local address with family="
                + pyFamily(family) + " found; give a local address of the remote one's family");
    }

    private static IOException bindFailed(IOException e, InetSocketAddress l) {
        String m = String.valueOf(e.getMessage());
        String errno = m.contains("already in use") ? "[Errno 98] "
                : m.contains("assign requested address") ? "[Errno 99] " : "";
        IOException named = new BindException(errno + "error while attempting to bind on address "
                + Net.pyAddress(l) + ": " + m.toLowerCase(Locale.ROOT)
                + "; choose another local address, or port 0 for any");
        named.initCause(e);
        return named;
    }

    /**
     * asyncio's staggered race: attempt i + 1 starts when attempt i fails or {@code delay}
     * seconds after attempt i started, whichever is first, while the earlier ones go on; the
     * first connected socket wins and every other attempt is cancelled (its socket closed).
     */
    private static SocketChannel race(EventLoop loop, List<InetSocketAddress> addrs,
            List<InetSocketAddress> locals, double delay, ConnectOptions options)
            throws IOException {
        Map<Task<SocketChannel>, Integer> running = new LinkedHashMap<>();
        IOException[] failures = new IOException[addrs.size()];
        int next = 0;
        double lastStart = 0;
        boolean startNext = true;
        SocketChannel winner = null;
        try {
            while (winner == null) {
                if (startNext && next < addrs.size()) {
                    InetSocketAddress a = addrs.get(next);
                    running.put(Aio.createTask(() -> open(loop, a, locals)), next++);
                    lastStart = loop.time();
                }
                startNext = false;
                if (running.isEmpty()) {
                    break; // every address failed
                }
                Double timeout = next < addrs.size()
                        ? Math.max(0, lastStart + delay - loop.time()) : null;
                WaitResult<Task<SocketChannel>> r = Aio.wait(running.keySet(),
                        ReturnWhen.FIRST_COMPLETED, timeout);
                for (Task<SocketChannel> t : r.done()) {
                    int i = running.remove(t);
                    Throwable e = t.exception();
                    if (e == null) {
                        if (winner == null) {
                            winner = t.result();
                        } else {
                            t.result().close(); // connected too, a moment too late
                        }
                    } else if (e instanceof IOException io) {
                        failures[i] = io;
                        startNext |= i == next - 1; // the latest attempt failed: go on at once
                    } else if (e instanceof RuntimeException re) {
                        throw re;
                    } else {
                        throw (Error) e;
                    }
                }
                startNext |= loop.time() >= lastStart + delay; // its delay is up
            }
        } catch (RuntimeException | Error e) {
            if (winner != null) {
                winner.close();
            }
            throw e;
        } finally {
            for (Task<SocketChannel> t : running.keySet()) {
                t.cancel();
                t.addDoneCallback(Connector::closeIfConnected); // once the cancel has landed
            }
        }
        if (winner != null) {
            return winner;
        }
        List<IOException> all = new ArrayList<>();
        for (IOException f : failures) {
            if (f != null) {
                all.add(f);
            }
        }
        throw failed(all, options);
    }

    private static void closeIfConnected(AsyncFuture<SocketChannel> t) {
        if (!t.isCancelled() && t.exception() == null) {
            try {
                t.result().close();
            } catch (IOException ignored) {
                // a socket nobody used: nothing to tell
            }
        }
    }

    /**
     * asyncio's {@code _interleave_addrinfos}: {@code firstFamilyCount} addresses of the first
     * address's family, then the families alternate, each in the resolver's order.
     */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> addrs,
            int firstFamilyCount) {
        Map<ProtocolFamily, List<InetSocketAddress>> byFamily = new LinkedHashMap<>();
        for (InetSocketAddress a : addrs) {
            byFamily.computeIfAbsent(familyOf(a), f -> new ArrayList<>()).add(a);
        }
        List<List<InetSocketAddress>> families = new ArrayList<>(byFamily.values());
        List<InetSocketAddress> out = new ArrayList<>(addrs.size());
        List<InetSocketAddress> first = families.get(0);
        int lead = Math.min(firstFamilyCount - 1, first.size());
        out.addAll(first.subList(0, lead));
        families.set(0, first.subList(lead, first.size()));
        for (int i = 0; out.size() < addrs.size(); i++) {
            for (List<InetSocketAddress> f : families) {
                if (i < f.size()) {
                    out.add(f.get(i));
                }
            }
        }
        return out;
    }

    /**
     * When every address failed: with {@code all_errors}, an {@link ExceptionGroup} of each
     * attempt's error (thrown from here, as Python 3.12 raises it); else asyncio's one error.
     */
    static IOException failed(List<IOException> failures, ConnectOptions options) {
        if (options.allErrors()) {
            throw new ExceptionGroup("create_connection failed", failures);
        }
        return connectFailures(failures);
    }

    /**
     * As asyncio: the one error, or the first if they all say the same, else one error that
     * lists each ("Multiple exceptions: a, b"), with each one suppressed in it.
     */
    static IOException connectFailures(List<IOException> failures) {
        IOException first = failures.get(0);
        String model = String.valueOf(first.getMessage());
        if (failures.stream().allMatch(e -> model.equals(String.valueOf(e.getMessage())))) {
            return first;
        }
        StringJoiner each = new StringJoiner(", ", "Multiple exceptions: ", "");
        failures.forEach(e -> each.add(String.valueOf(e.getMessage())));
        IOException all = new IOException(each.toString());
        failures.forEach(all::addSuppressed);
        return all;
    }

    private static ProtocolFamily familyOf(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
    }

    private static String pyFamily(ProtocolFamily f) {
        return f == StandardProtocolFamily.INET6 ? "<AddressFamily.AF_INET6: 10>"
                : "<AddressFamily.AF_INET: 2>";
    }
}
