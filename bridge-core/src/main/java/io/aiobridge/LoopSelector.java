package io.aiobridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A loop's readiness half, as CPython's {@code BaseSelectorEventLoop}: a JDK NIO {@link Selector},
 * opened on first use, that the loop polls in each iteration and waits on when idle. Readers and
 * writers are {@link Handle}s: when their channel is ready they are appended to the loop's ready
 * queue and run there like every other callback (the loop's one place that runs user code).
 *
 * <p>Loop-confined, except {@link #wakeup()} and the {@code selecting} flag, which other threads
 * use to interrupt the wait. A loop that never does I/O never opens a selector and waits with a
 * plain park.
 */
final class LoopSelector {
    private final BaseEventLoop loop;
    private Selector selector;
    /** Whether the holder is (about to be) blocked in select: wake it with selector.wakeup(). */
    private volatile boolean selecting;
    /** Resources closed when the loop closes: servers, transports, anything that owns channels. */
    private final Set<AutoCloseable> owned = new LinkedHashSet<>();

    /** What is registered for one channel. */
    private static final class Entry {
        Handle reader;
        Handle writer;
    }

    LoopSelector(BaseEventLoop loop) {
        this.loop = loop;
    }

    /**
     * Keys whose last reader or writer was removed, cancelled at the next select unless one came
     * back meanwhile. A key cancelled at once stays registered until the next select, and adding
     * a reader or writer back before that (pauseReading, then resumeReading, in one callback)
     * would fail.
     */
    private final ArrayList<SelectionKey> idleKeys = new ArrayList<>();

    /** Whether any channel has a reader or a writer: then the loop polls and waits in select. */
    boolean active() {
        return selector != null && !selector.keys().isEmpty();
    }

    private Selector selector() {
        if (selector == null) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a selector for " + loop, e);
            }
        }
        return selector;
    }

    // ---- transports' channels --------------------------------------------------------------

    private record Claim(Object transport, BooleanSupplier closing) {}

    /** Channels owned by live transports: asyncio's {@code loop._transports}. */
    private final Map<SelectableChannel, Claim> claimed = new IdentityHashMap<>();

    void claim(SelectableChannel ch, Object transport, BooleanSupplier closing) {
        claimed.put(ch, new Claim(transport, closing));
    }

    void release(SelectableChannel ch) {
        claimed.remove(ch);
    }

    /** asyncio's {@code _ensure_fd_no_transport}: the public functions keep off a transport's. */
    void ensureNoTransport(SelectableChannel ch) {
        Claim c = ch == null ? null : claimed.get(ch);
        if (c != null && !c.closing().getAsBoolean()) {
            throw new IllegalStateException("File descriptor " + ch + " is used by transport "
                    + c.transport() + ": the transport reads and writes it; use the transport,"
                    + " or a channel the loop has not handed to one");
        }
    }

    // ---- readers and writers ---------------------------------------------------------------

    Handle add(SelectableChannel ch, Runnable callback, boolean reader) {
        return add(ch, callback, reader, null);
    }

    /** As above, the callback running in {@code context} itself (null: a copy of the current). */
    Handle add(SelectableChannel ch, Runnable callback, boolean reader, Context context) {
        Objects.requireNonNull(ch, "channel is null");
        Objects.requireNonNull(callback, "callback is null");
        if (ch.isBlocking()) {
            throw new IllegalArgumentException("the channel is in blocking mode; call"
                    + " configureBlocking(false) before adding a reader or writer: " + ch);
        }
        int op = reader ? readOp(ch) : writeOp(ch);
        Handle h = new Handle(loop, callback, context != null ? context : Context.copyCurrent());
        SelectionKey key = ch.keyFor(selector());
        try {
            if (key == null || !key.isValid()) {
                Entry e = new Entry();
                set(e, h, reader);
                ch.register(selector, op, e);
            } else {
                Entry e = (Entry) key.attachment();
                Handle old = reader ? e.reader : e.writer;
                if (old != null) {
                    old.cancel(); // as asyncio: the new callback replaces the old one
                }
                set(e, h, reader);
                key.interestOps(key.interestOps() | op);
            }
        } catch (ClosedChannelException | CancelledKeyException e) {
            throw new IllegalStateException("the channel is closed: " + ch, e);
        }
        return h;
    }

    boolean remove(SelectableChannel ch, boolean reader) {
        return remove(ch, reader, null);
    }

    /** Removes the reader or writer, if it is {@code only} (null: whichever is there). */
    boolean remove(SelectableChannel ch, boolean reader, Handle only) {
        if (selector == null || ch == null) {
            return false;
        }
        SelectionKey key = ch.keyFor(selector);
        if (key == null) {
            return false;
        }
        Entry e = (Entry) key.attachment();
        Handle old = reader ? e.reader : e.writer;
        if (old == null || (only != null && old != only)) {
            return false;
        }
        old.cancel();
        set(e, null, reader);
        if (key.isValid()) {
            key.interestOps(key.interestOps() & ~(reader ? readOp(ch) : writeOp(ch)));
            if (e.reader == null && e.writer == null) {
                if (loop.isRunning()) {
                    idleKeys.add(key); // cancelled at the next select: see idleKeys
                } else {
                    release(key);
                }
            }
        }
        return true;
    }

    private static void set(Entry e, Handle h, boolean reader) {
        if (reader) {
            e.reader = h;
        } else {
            e.writer = h;
        }
    }

    /** Reading, or accepting for a server socket (which cannot "read"). */
    private static int readOp(SelectableChannel ch) {
        return (ch.validOps() & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT
                : SelectionKey.OP_READ;
    }

    /** Writing, or finishing a connect for a socket still connecting. */
    private static int writeOp(SelectableChannel ch) {
        if (ch instanceof SocketChannel sc && sc.isConnectionPending()) {
            return SelectionKey.OP_CONNECT;
        }
        return SelectionKey.OP_WRITE;
    }

    // ---- polling and waiting ---------------------------------------------------------------

    /**
     * Polls (when {@code timeoutNanos} is 0 or {@code mayBlock} is false), or waits up to {@code
     * timeoutNanos} (negative: until woken) for readiness, then appends the ready readers' and
     * writers' handles to {@code ready}. A caller that may block has called {@link
     * #waiting(boolean) waiting(true)} before publishing itself as the loop's sleeper and
     * re-checking its inbound queue, so a submitter that sees the sleeper also sees that it
     * must wake the selector.
     */
    void select(long timeoutNanos, boolean mayBlock, ArrayDeque<Object> ready) {
        Selector s = selector;
        cancelIdleKeys();
        try {
            int n;
            if (timeoutNanos == 0 || !mayBlock) {
                n = s.selectNow();
            } else if (timeoutNanos < 0) {
                n = s.select();
            } else {
                n = s.select(Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
            }
            if (n > 0) {
                collect(s.selectedKeys(), ready);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("select() failed on " + loop, e);
        }
    }

    /**
     * Closes {@code ch} at once. NIO closes a channel registered with a selector only when its
     * key is flushed by a select, so the kernel socket lived on until the loop's next select: a
     * listening socket went on queueing connections, then reset them. Flushing the cancelled key
     * with a select whose ready keys are ignored closes it now; readiness is level-triggered, so
     * the loop's own next select reports those keys again.
     */
    void closeNow(SelectableChannel ch) {
        SelectionKey key = selector == null ? null : ch.keyFor(selector);
        try {
            ch.close(); // cancels its key
            if (key != null) {
                idleKeys.remove(key);
                selector.selectNow(k -> { });
            }
        } catch (IOException e) {
            // closing cannot lose data here (a listening socket); the select's failure would
            // show again in the loop's own next select
        }
    }

    /**
     * Deregisters {@code key} now: the loop is not running, so no select would come to do it,
     * and NIO defers closing a channel that is still registered. Without this, a caller that
     * removes its reader and then closes the channel leaves the peer without its end of stream
     * until the loop runs again. Ready keys are ignored, as in {@link #closeNow}.
     */
    private void release(SelectionKey key) {
        key.cancel();
        try {
            selector.selectNow(k -> { });
        } catch (IOException e) {
            // the loop's own next select reports it
        }
    }

    private void cancelIdleKeys() {
        if (idleKeys.isEmpty()) {
            return; // every iteration of a loop with I/O passes here
        }
        for (SelectionKey key : idleKeys) {
            Entry e = (Entry) key.attachment();
            if (e.reader == null && e.writer == null) {
                key.cancel();
            }
        }
        idleKeys.clear();
    }

    /** Marks the holder as (about to be) blocked in select, or done with it. */
    void waiting(boolean on) {
        selecting = on;
    }

    private void collect(Set<SelectionKey> keys, ArrayDeque<Object> ready) {
        for (SelectionKey key : keys) {
            Entry e = (Entry) key.attachment();
            int ops;
            try {
                ops = key.readyOps();
            } catch (CancelledKeyException gone) {
                // closed meanwhile: wake both sides, so they see the closed channel
                ops = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
            }
            if ((ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 && e.reader != null) {
                enqueue(e.reader, ready);
            }
            if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 && e.writer != null) {
                enqueue(e.writer, ready);
            }
        }
        keys.clear();
    }

    private static void enqueue(Handle h, ArrayDeque<Object> ready) {
        if (!h.isCancelled()) {
            ready.addLast(h);
        }
    }

    /** Whether a waiting holder must be woken through the selector rather than unparked. */
    boolean selecting() {
        return selecting;
    }

    /** Any thread: makes a select in progress (or the next one) return at once. */
    void wakeup() {
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    // ---- what the loop owns --------------------------------------------------------------------

    /** Registers a resource (a server, a transport) that the loop closes when it closes. */
    void own(AutoCloseable resource) {
        owned.add(resource);
    }

    void disown(AutoCloseable resource) {
        owned.remove(resource);
    }

    /** Whether resources are still registered. */
    boolean ownsAny() {
        return !owned.isEmpty();
    }

    /**
     * Closes every owned resource (servers stop listening, transports abort); their callbacks
     * (connectionLost) are scheduled, so the caller runs the loop once more. Errors go to the
     * exception handler.
     */
    void closeOwned() {
        for (AutoCloseable r : new ArrayList<>(owned)) {
            try {
                r.close();
            } catch (Exception e) {
                loop.callExceptionHandler(ErrorContext.of("closing " + r + " with " + loop
                        + " failed", e));
            }
        }
        owned.clear();
    }

    /** Closes the selector; the loop is closed. */
    void close() {
        if (selector != null) {
            try {
                selector.close(); // deregisters every channel; the channels are their owners'
            } catch (IOException e) {
                loop.callExceptionHandler(ErrorContext.of("closing the selector of " + loop
                        + " failed", e));
            }
            selector = null;
        }
    }
}
