package io.aiobridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * N event loops, each running forever on a thread of its own: how a server uses every core while
 * each loop keeps asyncio's rule of one task at a time. A task stays on the loop it was created
 * on; work is handed to the group from any thread and comes back as a {@link CompletableFuture}.
 *
 * <pre>{@code
 * try (EventLoopGroup group = EventLoopGroup.create()) {          // one loop per core
 *     CompletableFuture<Page> page = group.submit(() -> fetch(url)); // any thread, next loop
 *     group.submit(connectionId, () -> handle(conn));               // same key, same loop
 * }                                                                 // graceful shutdown
 * }</pre>
 *
 * <p><b>Choosing a loop.</b> {@link #next()} goes round-robin; {@link #loopFor(Object)} maps a
 * key to one loop for as long as that loop lives, so one connection's or one subscription's work
 * stays together (and sees its loop's objects, such as an {@code AsyncQueue}, without locking).
 *
 * <p><b>Between loops.</b> An object bound to one loop (a future, a task, a queue, a lock) may only
 * be used by that loop's tasks; another loop's task that awaits it gets asyncio's "attached to a
 * different loop" error. Hand work over through thread-safe doors instead: {@link #submit}, {@link
 * Aio#runCoroutineThreadsafe}, {@code AsyncQueue.putThreadsafe} and {@code getThreadsafe}, and
 * {@link Aio#await(java.util.concurrent.CompletionStage)} on the {@link CompletableFuture} that
 * comes back: a task on loop A awaits work running on loop B like this:
 *
 * <pre>{@code
 * int total = Aio.await(group.submit(key, () -> countOn(shard)));
 * }</pre>
 *
 * <p><b>Shutting down.</b> {@link #close()} (or {@link #shutdownGracefully(double)}) stops taking
 * work, then on each loop, in its own thread: cancels every task and waits for them, closes the
 * async generators still open (their {@code finally} blocks run), shuts the default executor down
 * and closes the loop, all within the timeout. What has not finished by then is reported (task
 * names and creation sites) to the loop's exception handler and abandoned; close never hangs. A
 * loop whose thread is blocked by a task that never yields is reported by name, and the call
 * returns after the timeout.
 *
 * <p><b>Failures.</b> A loop whose {@code runForever} fails (an {@code OutOfMemoryError} in a
 * callback, say) is logged, its tasks are cancelled and it is closed; the group's other loops go
 * on, and {@code next()} and {@code loopFor()} skip it.
 *
 * <p>Threads are named after the group ({@code "name-0"}, {@code "name-1"}, ...). A group made
 * here uses non-daemon threads, as executors do: close it, or the JVM keeps running. The shared
 * {@link #defaultGroup()} uses daemon threads.
 */
public final class EventLoopGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLoopGroup.class.getName());
    private static final AtomicInteger GROUPS = new AtomicInteger();
    private static final double DEFAULT_SHUTDOWN_TIMEOUT = 10.0;
    private static final Object DEFAULT_LOCK = new Object();
    /** Written under {@link #DEFAULT_LOCK}; read without it on the way to a live group. */
    private static volatile EventLoopGroup defaultGroup;

    private static final int OPEN = 0;
    private static final int SHUTTING_DOWN = 1;

    private final String name;
    private final Member[] members;
    /** The executors the loops' tasks run on, by index, or null (each loop runs its own). */
    private final List<Executor> carriers;
    private final List<EventLoop> loops;
    private final double shutdownTimeout;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final CompletableFuture<Void> terminated;
    /** Set once, when shutdown starts: System.nanoTime() by which the loops must have finished. */
    private volatile long deadline;

    /** One loop, its thread, and how it ended. */
    private final class Member {
        final int index;
        final BaseEventLoop loop;
        final Thread thread;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** What made runForever fail, if it did. */
        volatile Throwable failure;
        /** Whether everything on it finished in time at shutdown. */
        volatile boolean clean = true;

        Member(int index, BaseEventLoop loop, boolean daemon) {
            this.index = index;
            this.loop = loop;
            Thread.Builder b = Thread.ofPlatform().daemon(daemon).name(name + "-" + index)
                    .inheritInheritableThreadLocals(false);
            this.thread = b.unstarted(this::run);
        }

        boolean alive() {
            return failure == null && !done.isDone();
        }

        private void run() {
            try {
                for (;;) {
                    loop.runForever();
                    if (state.get() != OPEN) {
                        break;
                    }
                    // a task called loop.stop(): a group's loops run until the group closes
                }
            } catch (Throwable e) {
                failure = e;
                clean = false;
                LOG.log(System.Logger.Level.ERROR, "loop " + index + " of " + EventLoopGroup.this
                        + " failed; its tasks are cancelled and the group's other loops go on", e);
            }
            try {
                finish(this);
            } catch (Throwable e) {
                clean = false;
                LOG.log(System.Logger.Level.ERROR, "shutting down loop " + index + " of "
                        + EventLoopGroup.this + " failed", e);
            } finally {
                try {
                    loop.close();
                } catch (Throwable e) {
                    clean = false;
                    LOG.log(System.Logger.Level.ERROR, "closing loop " + index + " of "
                            + EventLoopGroup.this + " failed", e);
                }
                done.complete(null);
            }
        }
    }

    private EventLoopGroup(Builder b) {
        this.name = b.name != null ? b.name : "aiobridge-group-" + GROUPS.incrementAndGet();
        this.shutdownTimeout = b.shutdownTimeout;
        this.carriers = b.carriers;
        int n = carriers != null ? carriers.size() : b.loops;
        this.members = new Member[n];
        List<EventLoop> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            EventLoop l = carriers != null
                    ? Objects.requireNonNull(b.carrierLoopFactory.apply(carriers.get(i)),
                            "the loop factory returned null")
                    : Objects.requireNonNull(b.loopFactory.get(), "the loop factory returned null");
            if (!(l instanceof BaseEventLoop bl) || l.isClosed() || l.isRunning()) {
                throw new IllegalArgumentException("the loop factory must return new, idle loops"
                        + " (EventLoop.newEventLoop()), got " + l);
            }
            if (carriers != null && bl.taskThreads.executor() != carriers.get(i)) {
                throw new IllegalArgumentException("the loop factory must return a loop on the"
                        + " carrier it is given (EventLoop.newEventLoopOn(carrier)), got " + l
                        + " for " + carriers.get(i));
            }
            members[i] = new Member(i, bl, b.daemon);
            list.add(l);
        }
        this.loops = Collections.unmodifiableList(list);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Member m : members) {
            all.add(m.done);
        }
        this.terminated = CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
        if (carriers != null) {
            checkCarriersRunning();
        }
        for (Member m : members) {
            m.thread.start();
        }
    }

    /**
     * Each loop's engine had its carrier run a first piece of work when the loop was made (which
     * tells the carrier's thread, for next()); a carrier that refused it is shut down, and the
     * build fails before any loop runs, leaving nothing behind.
     */
    private void checkCarriersRunning() {
        for (Member m : members) {
            RuntimeException refused = m.loop.taskThreads.carrierRejection();
            if (refused != null) {
                for (Member each : members) {
                    each.loop.close(); // never ran: nothing to cancel
                }
                throw new IllegalArgumentException("carrier " + m.index + " ("
                        + carriers.get(m.index) + ") rejected work: it is shut down; give the"
                        + " group carriers that are running", refused);
            }
        }
    }

    /**
     * A group with one loop per available processor, named {@code aiobridge-group-N}.
     *
     * @return the running group
     */
    public static EventLoopGroup create() {
        return builder().build();
    }

    /**
     * A group of {@code loops} loops.
     *
     * @param loops how many, at least 1
     * @return the running group
     * @throws IllegalArgumentException if {@code loops} is less than 1
     */
    public static EventLoopGroup create(int loops) {
        return builder().loops(loops).build();
    }

    /**
     * A builder, for the name, the number of loops, the kind of loop, daemon threads and the
     * shutdown timeout.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings for a new group; {@link #build()} starts it. */
    public static final class Builder {
        private int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        private String name;
        private boolean daemon;
        private double shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private Supplier<EventLoop> loopFactory = EventLoop::newEventLoop;
        private List<Executor> carriers;
        private Function<Executor, EventLoop> carrierLoopFactory = EventLoop::newEventLoopOn;

        private Builder() {}

        /**
         * How many loops (default: one per available processor).
         *
         * @param loops at least 1
         * @return this
         * @throws IllegalArgumentException if {@code loops} is less than 1
         */
        public Builder loops(int loops) {
            if (loops < 1) {
                throw new IllegalArgumentException("an EventLoopGroup needs at least 1 loop, got "
                        + loops + "; use EventLoopGroup.create() for one per core");
            }
            this.loops = loops;
            return this;
        }

        /**
         * The group's name; its threads are {@code name-0}, {@code name-1}, ...
         *
         * @param name the name
         * @return this
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name is null");
            return this;
        }

        /**
         * Whether the loops' threads are daemon threads (default false: the JVM waits for the
         * group to be closed).
         *
         * @param daemon true for daemon threads
         * @return this
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * How long {@link EventLoopGroup#close()} gives the loops' tasks to finish once
         * cancelled (default 10 s).
         *
         * @param seconds at least 0
         * @return this
         * @throws IllegalArgumentException if negative or NaN
         */
        public Builder shutdownTimeout(double seconds) {
            Times.check(seconds, "shutdownTimeout");
            if (!(seconds >= 0)) {
                throw new IllegalArgumentException("shutdown timeout must be >= 0 seconds, got "
                        + seconds);
            }
            this.shutdownTimeout = seconds;
            return this;
        }

        /**
         * Where the loops come from (default {@link EventLoop#newEventLoop()}); for example
         * {@code EventLoop::newVirtualTimeEventLoop} in tests.
         *
         * @param loopFactory makes one new, idle loop per call
         * @return this
         */
        public Builder loopFactory(Supplier<EventLoop> loopFactory) {
            this.loopFactory = Objects.requireNonNull(loopFactory, "loopFactory is null");
            return this;
        }

        /**
         * One loop per executor, each running its tasks on its executor's thread ({@link
         * EventLoop#newEventLoopOn}): given a Netty event loop group's executors, a request that
         * Netty's thread hands to {@link EventLoopGroup#next()} runs on a loop whose tasks live on
         * that same thread. Replaces {@link #loops(int)} and {@link #loopFactory(Supplier)}.
         * Needs the JVM flag {@link EventLoop#carriersAvailable()} describes.
         *
         * @param carriers the executors, each running what it is given one at a time on one
         *     thread; at least one
         * @return this
         * @throws IllegalArgumentException if the list is empty or holds null
         */
        public Builder carriers(List<? extends Executor> carriers) {
            return carriers(carriers, EventLoop::newEventLoopOn);
        }

        /**
         * As {@link #carriers(List)}, making each loop with {@code loopFactory} (to set its debug
         * mode, say), which must return {@code EventLoop.newEventLoopOn(carrier)}.
         *
         * @param carriers the executors; at least one
         * @param loopFactory makes a new, idle loop on the carrier it is given
         * @return this
         * @throws IllegalArgumentException if the list is empty or holds null
         */
        public Builder carriers(List<? extends Executor> carriers,
                Function<Executor, EventLoop> loopFactory) {
            Objects.requireNonNull(carriers, "carriers is null");
            if (carriers.isEmpty() || carriers.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("an EventLoopGroup needs at least 1 carrier and"
                        + " no null ones, got " + carriers);
            }
            this.carriers = List.copyOf(carriers);
            this.carrierLoopFactory = Objects.requireNonNull(loopFactory, "loopFactory is null");
            return this;
        }

        /**
         * Starts the group: each loop runs forever on its thread from now on.
         *
         * @return the running group
         */
        public EventLoopGroup build() {
            return new EventLoopGroup(this);
        }
    }

    // ---- the shared default group ------------------------------------------------------------

    /**
     * The group that publishers subscribed from outside any loop run on, and that libraries may
     * use when given no loop: one loop per available processor, daemon threads named {@code
     * aiobridge-default-N}, created on first use. If it has been closed, a new one is created on
     * the next call. An application that manages its own group (Spring's context, say) installs
     * it with {@link #setDefaultGroup}.
     *
     * @return the default group
     */
    public static EventLoopGroup defaultGroup() {
        EventLoopGroup live = defaultGroup;
        if (live != null && !live.isShutdown()) {
            return live; // every subscription from outside a loop asks: no shared lock for it
        }
        synchronized (DEFAULT_LOCK) {
            EventLoopGroup g = defaultGroup;
            if (g == null || g.isShutdown()) {
                g = builder().name("aiobridge-default").daemon(true).build();
                defaultGroup = g;
            }
            return g;
        }
    }

    /**
     * Makes {@code group} the default group (null: go back to one created on first use). The
     * previous default is not closed: its owner closes it.
     *
     * @param group the new default, or null
     * @return the previous default, or null if none was made yet
     */
    public static EventLoopGroup setDefaultGroup(EventLoopGroup group) {
        synchronized (DEFAULT_LOCK) {
            EventLoopGroup previous = defaultGroup;
            defaultGroup = group;
            return previous;
        }
    }

    // ---- choosing a loop ------------------------------------------------------------------------

    /**
     * The group's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * How many loops the group has (dead ones included).
     *
     * @return the number of loops
     */
    public int size() {
        return members.length;
    }

    /**
     * The loops, in index order.
     *
     * @return an unmodifiable list
     */
    public List<EventLoop> loops() {
        return loops;
    }

    /**
     * The next loop, round-robin, skipping loops that have failed. In a group built on {@link
     * Builder#carriers carriers}, a carrier's own thread gets the loop whose tasks run there: that
     * thread must then await work it hands over, never block on it: the loop needs that very
     * thread to run it, so a {@code join()} or {@code get()} there on a pending outcome of the
     * group fails with {@link IllegalStateException} instead of deadlocking.
     *
     * @return a running loop
     * @throws IllegalStateException if the group is closed or every loop has failed
     */
    public EventLoop next() {
        checkOpen("next()");
        if (carriers != null) {
            Thread self = Thread.currentThread();
            for (Member m : members) {
                if (m.loop.taskThreads.carrierThread() == self && m.alive()) {
                    return m.loop;
                }
            }
        }
        int n = members.length;
        for (int tries = 0; tries < n; tries++) {
            Member m = members[Math.floorMod(next.getAndIncrement(), n)];
            if (m.alive()) {
                return m.loop;
            }
        }
        throw allFailed();
    }

    /**
     * The loop for {@code key}: the same loop every time for equal keys, while that loop lives
     * (if it has failed, the next living one in index order, again the same every time).
     *
     * @param key any object with a stable {@code hashCode}
     * @return a running loop
     * @throws IllegalStateException if the group is closed or every loop has failed
     */
    public EventLoop loopFor(Object key) {
        Objects.requireNonNull(key, "key is null");
        checkOpen("loopFor()");
        int h = key.hashCode();
        h ^= (h >>> 16); // spread, as HashMap does, so keys differing in high bits still spread
        int n = members.length;
        int first = Math.floorMod(h, n);
        for (int i = 0; i < n; i++) {
            Member m = members[(first + i) % n];
            if (m.alive()) {
                return m.loop;
            }
        }
        throw allFailed();
    }

    /**
     * Runs {@code coro} as a task on the next loop; any thread.
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return its outcome; cancelling it cancels the task
     * @throws IllegalStateException if the group is closed
     */
    public <T> CompletableFuture<T> submit(Coroutine<T> coro) {
        Objects.requireNonNull(coro, "coro is null");
        return Aio.runCoroutineThreadsafe(coro, next());
    }

    /**
     * Runs {@code coro} as a task on {@link #loopFor(Object) loopFor(key)}; any thread.
     *
     * @param key chooses the loop
     * @param coro the coroutine
     * @param <T> the result type
     * @return its outcome; cancelling it cancels the task
     * @throws IllegalStateException if the group is closed
     */
    public <T> CompletableFuture<T> submit(Object key, Coroutine<T> coro) {
        Objects.requireNonNull(coro, "coro is null");
        return Aio.runCoroutineThreadsafe(coro, loopFor(key));
    }

    /**
     * Whether the loop running the calling code belongs to this group.
     *
     * @return true on one of the group's loops
     */
    public boolean inGroup() {
        EventLoop here = Aio.runningLoopOrNull();
        return here != null && loops.contains(here);
    }

    private void checkOpen(String what) {
        if (state.get() != OPEN) {
            throw new IllegalStateException(this + " is shut down; " + what + " needs an open"
                    + " group: create a new one");
        }
    }

    private IllegalStateException allFailed() {
        return new IllegalStateException("every loop of " + this + " has failed (see the log);"
                + " close it and create a new group");
    }

    // ---- shutting down --------------------------------------------------------------------------

    /**
     * Whether shutdown has started.
     *
     * @return true once {@link #shutdown} or {@link #close} was called
     */
    public boolean isShutdown() {
        return state.get() != OPEN;
    }

    /**
     * Whether every loop has finished and closed.
     *
     * @return true once terminated
     */
    public boolean isTerminated() {
        return terminated.isDone();
    }

    /**
     * Starts a graceful shutdown with the group's shutdown timeout and returns at once: no new
     * work is taken; each loop cancels its tasks, waits for them, closes its async generators and
     * its default executor, and closes. Safe from any thread, including the group's own loops;
     * waiting for the returned future there ({@code join()}, {@code get()}) throws {@link
     * IllegalStateException} instead, since it would wait for itself.
     *
     * @return completes when every loop has closed
     */
    public CompletableFuture<Void> shutdown() {
        return shutdown(shutdownTimeout);
    }

    private CompletableFuture<Void> shutdown(double timeout) {
        if (state.compareAndSet(OPEN, SHUTTING_DOWN)) {
            deadline = System.nanoTime() + (long) (timeout * 1e9);
            for (Member m : members) {
                try {
                    m.loop.callSoonThreadsafe(m.loop::stop);
                } catch (IllegalStateException closed) {
                    // that loop has already failed and closed
                }
            }
        }
        CompletableFuture<Void> done = new CrossThreadFuture<>(this::checkMayWait, null);
        terminated.whenComplete((x, e) -> done.complete(null));
        return done;
    }

    /**
     * A wait for the group's end from one of its own loops, or from the thread that carries one,
     * would wait for itself: it fails at once, saying so.
     */
    private void checkMayWait(String what) {
        if (inGroup()) {
            throw new IllegalStateException("Cannot close " + this + " and wait from one of its"
                    + " own loops (" + Aio.runningLoopOrNull() + "): waiting for every loop to"
                    + " finish includes this one, so " + what + " would never return; call"
                    + " shutdown() without waiting for its future, or close the group from"
                    + " another thread");
        }
        Thread self = Thread.currentThread();
        for (Member m : members) {
            if (m.loop.taskThreads.carrierThread() == self && !m.done.isDone()) {
                throw new IllegalStateException("Cannot close " + this + " and wait on thread '"
                        + self.getName() + "', which carries loop " + m.index + "'s tasks: the"
                        + " loop needs this thread to finish them, so " + what + " would not"
                        + " return in time; call shutdown() without waiting for its future, or"
                        + " close the group from another thread");
            }
        }
    }

    /**
     * Shuts down gracefully (see {@link #shutdown()}) and waits: the tasks get {@code timeout}
     * seconds to finish once cancelled, and the loops' threads a second more to end.
     *
     * @param timeout seconds the tasks may take to finish once cancelled
     * @return true if everything finished in time; false if something was reported and abandoned
     * @throws IllegalStateException if called from one of the group's own loops, or on the
     *     thread of a {@link Builder#carriers carrier} of one (it would wait for itself)
     */
    public boolean shutdownGracefully(double timeout) {
        Times.check(timeout, "shutdownGracefully's timeout");
        if (!(timeout >= 0)) {
            throw new IllegalArgumentException("timeout must be >= 0 seconds, got " + timeout);
        }
        checkMayWait("close()");
        CompletableFuture<Void> done = shutdown(timeout);
        long waitNanos = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
        try {
            done.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            for (Member m : members) {
                if (!m.done.isDone()) {
                    m.clean = false;
                    LOG.log(System.Logger.Level.WARNING, "thread " + m.thread.getName() + " of "
                            + this + " did not stop within " + timeout + " s of shutdown: a task"
                            + " blocks it (a blocking call or an endless loop with no await?);"
                            + " abandoning it. It is at " + topFrames(m.thread));
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false; // members complete normally; kept for the checked signature
        }
        boolean clean = true;
        for (Member m : members) {
            try {
                m.thread.join(1000); // it has completed its work; let it end before we say so
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clean &= m.clean;
        }
        return clean;
    }

    /**
     * {@link #shutdownGracefully(double)} with the group's shutdown timeout (10 s unless the
     * builder set another). Idempotent.
     *
     * @throws IllegalStateException if called from one of the group's own loops
     */
    @Override
    public void close() {
        shutdownGracefully(shutdownTimeout);
    }

    /** On a member's own thread, once its loop has stopped: finish everything, within the deadline. */
    private void finish(Member m) {
        BaseEventLoop l = m.loop;
        if (state.get() == OPEN) {
            // the loop failed on its own: it gets the group's timeout from now
            deadline = Math.max(deadline, System.nanoTime() + (long) (shutdownTimeout * 1e9));
        }
        List<Task<?>> tasks = new ArrayList<>(l.liveTasks());
        if (!tasks.isEmpty()) {
            for (Task<?> t : tasks) {
                t.cancel();
            }
            WaitResult<Task<?>> r = l.runUntilComplete(l.createTask(
                    () -> Aio.wait(tasks, ReturnWhen.ALL_COMPLETED, secondsLeft()),
                    name + "-" + m.index + " shutdown", null));
            if (!r.pending().isEmpty()) {
                m.clean = false;
                l.callExceptionHandler(new ErrorContext(r.pending().size() + " task(s) of "
                        + this + " did not finish within the shutdown timeout after being"
                        + " cancelled, and are abandoned: " + describe(r.pending()), null, null,
                        null, null));
            }
            for (Task<?> t : r.done()) {
                if (!t.isCancelled() && t.exception() != null) {
                    l.callExceptionHandler(new ErrorContext("unhandled exception during the"
                            + " shutdown of " + this, t.exception(), t, null, null));
                }
            }
        }
        finishWithin(l, l.shutdownAsyncgens(), m, "async generators");
        finishWithin(l, l.shutdownDefaultExecutor(), m, "the default executor");
    }

    private void finishWithin(BaseEventLoop l, AsyncFuture<Void> f, Member m, String what) {
        try {
            l.runUntilComplete(l.createTask(() -> {
                Aio.waitFor(Aio.shield(f), secondsLeft());
                return null;
            }, name + "-" + m.index + " shutdown", null));
        } catch (AsyncTimeoutException e) {
            m.clean = false;
            l.callExceptionHandler(new ErrorContext("closing " + what + " of " + this
                    + " did not finish within the shutdown timeout", null, null, null, null));
        }
    }

    private double secondsLeft() {
        return Math.max(0, deadline - System.nanoTime()) / 1e9;
    }

    private static String describe(Iterable<Task<?>> tasks) {
        StringBuilder sb = new StringBuilder();
        for (Task<?> t : tasks) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(t.getName());
            String site = t.creationSite();
            if (site != null) {
                sb.append(" (created at ").append(site).append(')');
            }
        }
        return sb.toString();
    }

    private static String topFrames(Thread t) {
        StackTraceElement[] st = t.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(3, st.length); i++) {
            sb.append(i == 0 ? "" : " <- ").append(st[i]);
        }
        return sb.length() == 0 ? "(no stack)" : sb.toString();
    }

    @Override
    public String toString() {
        return "EventLoopGroup '" + name + "' (" + members.length + " loops"
                + (isTerminated() ? ", terminated" : isShutdown() ? ", shutting down" : "") + ")";
    }
}
