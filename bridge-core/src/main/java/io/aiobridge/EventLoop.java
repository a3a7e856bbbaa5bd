package io.aiobridge;

import io.aiobridge.internal.TaskThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * An event loop: the counterpart of {@code asyncio.AbstractEventLoop}.
 *
 * <p>A loop owns a FIFO queue of ready callbacks, a queue of timers (ordered by time, then by
 * scheduling order) and a thread-safe inbound queue. Exactly one piece of its user code runs at a
 * time: a callback or a step of a {@link Task}. Tasks run on virtual threads; a task that awaits
 * something not yet done parks its virtual thread and the loop goes on with the next ready item.
 *
 * <h2>Threading</h2>
 * <p>While the loop runs, its loop-confined methods (everything not named {@code ...Threadsafe}
 * and not documented otherwise) may be called only by the loop's own code: its callbacks and its
 * tasks. Called from any other thread they throw {@link WrongThreadException}; use {@link
 * #callSoonThreadsafe} or {@link Aio#runCoroutineThreadsafe} to reach a running loop from outside.
 * While the loop is not running, one thread at a time may configure it and schedule work.
 *
 * <p><b>Memory consistency:</b> actions in a thread before {@code callSoonThreadsafe(cb)}
 * happen-before {@code cb} runs; a future's {@code setResult} happens-before the {@code await}
 * that observes it returns.
 *
 * <h2>Lifecycle</h2>
 * <p>Idle, running (inside {@link #runForever} or {@link #runUntilComplete}), closed. Running a
 * running loop, or a closed one, fails with {@link IllegalStateException}. {@link #close()}
 * cancels and finishes every task the loop still owns, so no virtual thread is left parked.
 */
public interface EventLoop extends AutoCloseable {

    /**
     * A new event loop on the real monotonic clock, on the engine the system property {@code
     * aiobridge.engine} names ({@link Engine#configured()}; {@code auto} when unset).
     *
     * @return the loop
     * @throws IllegalArgumentException if the property names no engine
     * @throws IllegalStateException if the property asks for the carrier engine and the JVM does
     *     not open its hook (the message names the flag)
     */
    static EventLoop newEventLoop() {
        return new BaseEventLoop(false);
    }

    /**
     * Where a loop's task threads run (docs/engine.md). {@link #newEventLoop()} takes the one the
     * system property {@code aiobridge.engine} names ({@link #configured()}); {@link
     * #newEventLoop(Engine)} takes one for that loop only, leaving the JVM's setting alone.
     */
    enum Engine {
        /** The carrier engine where the JVM allows it, else the default engine, silently. */
        AUTO,
        /** Public JDK API only: virtual threads on the JVM's shared scheduler. */
        DEFAULT,
        /**
         * One platform carrier thread per loop, through the JDK's non-public virtual-thread
         * scheduler hook: needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}, and a loop
         * asking for it on a JVM without the flag fails at creation, naming the flag.
         */
        CARRIER;

        /**
         * The engine named {@code name}, ignoring case and surrounding blanks.
         *
         * @param name {@code auto}, {@code default} or {@code carrier}
         * @return the engine
         * @throws IllegalArgumentException if {@code name} names no engine
         */
        public static Engine of(String name) {
            Objects.requireNonNull(name, "name is null");
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "default" -> DEFAULT;
                case "carrier" -> CARRIER;
                default -> throw new IllegalArgumentException("unknown aiobridge.engine '"
                        + name.trim() + "'; use 'auto', 'default' or 'carrier'");
            };
        }

        /**
         * The engine the system property {@code aiobridge.engine} names, {@link #AUTO} when it is
         * unset: what {@link EventLoop#newEventLoop()} uses.
         *
         * @return the engine
         * @throws IllegalArgumentException if the property names no engine
         */
        public static Engine configured() {
            return of(System.getProperty("aiobridge.engine", "auto"));
        }
    }

    /**
     * A new event loop on the real monotonic clock, on {@code engine} whatever the system
     * property {@code aiobridge.engine} says: for an application that chooses per loop or per
     * group (the Spring integration's {@code aiobridge.engine} setting) without changing the
     * JVM's setting for every other loop.
     *
     * @param engine the engine
     * @return the loop
     * @throws IllegalStateException if {@code engine} is {@link Engine#CARRIER} and the JVM does
     *     not open the hook (the message names the flag)
     */
    static EventLoop newEventLoop(Engine engine) {
        Objects.requireNonNull(engine, "engine is null");
        return new BaseEventLoop(false, TaskThreads.of(engine));
    }

    /**
     * A new event loop whose tasks run on {@code carrier}'s thread: a Netty event loop, say, so
     * that a request's handler, its awaits and its reply stay on the thread that serves the
     * connection instead of hopping to a loop thread and back. The executor must run what it is
     * given one at a time, in order, on one thread. The loop itself is run as any other ({@link
     * #runForever()} on a thread of its own, or through an {@link EventLoopGroup}); only its
     * tasks' code moves to the carrier, and an idle loop gives the carrier back at once.
     *
     * <p>A task that blocks (a long computation, a blocking call) now blocks the carrier and
     * whatever else it serves, as a blocking Reactor operator would: use {@link Aio#toThread}.
     * And the carrier's thread must never block waiting for a loop's work: the loop needs that
     * thread to compute it. Once the carrier has run its first work for the loop, aiobridge's own
     * blocking calls made on its thread ({@link AsyncFuture#join()}, and {@code join()} or {@code
     * get()} of the CompletableFutures the loops hand out) fail with {@link
     * IllegalStateException} while pending, as Reactor's {@code block()} does on its event loops.
     * If the carrier is shut down before the loop is closed, the loop's remaining task code runs
     * on the JVM's shared virtual-thread scheduler, so closing the loop still finishes every
     * task.
     *
     * <p>It needs the JDK's non-public virtual-thread scheduler hook, which the JVM opens with
     * {@code --add-opens java.base/java.lang=ALL-UNNAMED} ({@code =io.aiobridge.core} on the
     * module path); {@link #carriersAvailable()} says whether this JVM does (docs/engine.md).
     *
     * @param carrier the executor that runs the loop's task threads
     * @return the loop
     * @throws IllegalStateException if the JVM does not open the hook (the message names the
     *     flag)
     */
    static EventLoop newEventLoopOn(Executor carrier) {
        return new BaseEventLoop(false, TaskThreads.onExecutor(carrier));
    }

    /**
     * Whether {@link #newEventLoopOn} works in this JVM: whether it opens {@code java.lang} to
     * the library.
     *
     * @return true if loops can run their tasks on an executor of the application's
     */
    static boolean carriersAvailable() {
        return TaskThreads.customCarriersAvailable();
    }

    /**
     * A new event loop on virtual time: when nothing is ready to run and no executor job it started
     * is in flight, its clock jumps to the next timer instead of waiting. {@code sleep(3600)} under
     * it returns at once, with {@link #time()} an hour later. For tests, including users' tests.
     *
     * @return the loop
     */
    static EventLoop newVirtualTimeEventLoop() {
        return new BaseEventLoop(true);
    }

    // ---- scheduling ----------------------------------------------------------------------------

    /**
     * Schedules {@code callback} to run on the next iteration, after the callbacks already
     * scheduled (FIFO), in a copy of the current context.
     *
     * @param callback the callback
     * @return a handle that can cancel it
     * @throws WrongThreadException if the loop is running and this is not its thread
     * @throws IllegalStateException if the loop is closed
     */
    Handle callSoon(Runnable callback);

    /**
     * As {@link #callSoon(Runnable)}, running the callback in {@code context}.
     *
     * @param callback the callback
     * @param context the context to run it in; null for a copy of the current one
     * @return a handle that can cancel it
     */
    Handle callSoon(Runnable callback, Context context);

    /**
     * Schedules {@code callback} from any thread: the one entry point for threads outside the
     * loop. Wakes the loop if it is waiting.
     *
     * @param callback the callback
     * @return a handle that can cancel it (from any thread)
     * @throws IllegalStateException if the loop is closed
     */
    Handle callSoonThreadsafe(Runnable callback);

    /**
     * Schedules {@code callback} to run {@code delay} seconds from now (zero or negative: as soon as
     * possible, after the callbacks already scheduled).
     *
     * @param delay seconds from now
     * @param callback the callback
     * @return a handle that can cancel it
     */
    TimerHandle callLater(double delay, Runnable callback);

    /**
     * Schedules {@code callback} from any thread to run {@code delay} seconds after the loop
     * receives the request, on the loop's clock (virtual time included). asyncio spells this
     * {@code call_soon_threadsafe(loop.call_later, ...)}, which gives the caller no handle; this
     * one can be cancelled from any thread, before or after the timer is armed. It is what the
     * Reactor and RxJava schedulers over a loop use for delayed work.
     *
     * @param delay seconds
     * @param callback the callback
     * @return a handle that can cancel it (from any thread)
     * @throws IllegalStateException if the loop is closed
     */
    Handle callLaterThreadsafe(double delay, Runnable callback);

    /**
     * As {@link #callLater(double, Runnable)} with a {@link Duration}.
     *
     * @param delay how long from now
     * @param callback the callback
     * @return a handle that can cancel it
     */
    default TimerHandle callLater(Duration delay, Runnable callback) {
        return callLater(Times.seconds(delay, "delay"), callback);
    }

    /**
     * Schedules {@code callback} to run at {@code when} on the {@link #time()} clock.
     *
     * @param when the due time, in seconds
     * @param callback the callback
     * @return a handle that can cancel it
     */
    TimerHandle callAt(double when, Runnable callback);

    /**
     * The loop's clock: monotonic seconds (or virtual seconds on a virtual-time loop).
     *
     * @return the current time
     */
    double time();

    // ---- running -------------------------------------------------------------------------------

    /**
     * Runs the loop until {@link #stop()} is called. A {@code stop()} from a callback lets the
     * current iteration finish; callbacks it schedules run in the next {@code runForever}. A
     * {@code stop()} before {@code runForever} makes it run exactly one iteration.
     *
     * <p>{@link Thread#interrupt() Interrupting} the thread inside {@code runForever} stops the
     * loop as {@code stop()} would, and the thread's interrupt status is set again when it
     * returns (an {@code ExecutorService.shutdownNow()} ends it). An interrupt status already set
     * on entry is kept for the caller and does not stop the loop.
     *
     * @throws IllegalStateException if the loop is already running (here or nested), or closed
     */
    void runForever();

    /**
     * Runs the loop until {@code future} is done and returns its result.
     *
     * <p>{@link Thread#interrupt() Interrupting} the calling thread meanwhile cancels {@code
     * future}, as asyncio's runner cancels the main task on Ctrl-C; the loop goes on until the
     * future is done (a task's {@code finally} blocks run), and the thread's interrupt status is
     * set again when this returns. A task that lets the cancellation through ends this with
     * {@link CancelledError}; one that suppresses it returns its result. Later interrupts of the
     * same run change nothing more; an interrupt status already set on entry is kept and not acted
     * on, so cleanup that follows an interrupted run still finishes.
     *
     * @param future the future to wait for; must belong to this loop
     * @param <T> the result type
     * @return the future's result
     * @throws IllegalStateException if the loop stopped before the future was done
     * @throws CancelledError if the future was cancelled, by a task or by an interrupt
     */
    <T> T runUntilComplete(AsyncFuture<T> future);

    /**
     * Wraps {@code coro} in a task and runs the loop until it is done; an interrupt of the
     * calling thread cancels the task ({@link #runUntilComplete(AsyncFuture)}).
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return the coroutine's result
     */
    <T> T runUntilComplete(Coroutine<T> coro);

    /**
     * Asks the loop to stop after the current iteration. Loop-confined while running.
     */
    void stop();

    /**
     * Whether the loop is running.
     *
     * @return true while inside {@code runForever}/{@code runUntilComplete}
     */
    boolean isRunning();

    /**
     * Whether the loop is closed.
     *
     * @return true after {@link #close()}
     */
    boolean isClosed();

    /**
     * Closes the loop: cancels every task it still owns and runs them to their end (their {@code
     * finally} blocks run; an await during this final phase is cancelled at once), drops pending
     * callbacks and shuts the default executor down without waiting. Idempotent. An interrupt of
     * the calling thread meanwhile does not cut this short: it is set again when close returns.
     *
     * @throws IllegalStateException if the loop is running
     */
    @Override
    void close();

    // ---- futures and tasks --------------------------------------------------------------------

    /**
     * A new pending future of this loop.
     *
     * @param <T> the result type
     * @return the future
     */
    <T> AsyncFuture<T> createFuture();

    /**
     * Wraps {@code coro} in a task scheduled to start on the next iteration.
     *
     * @param coro the coroutine
     * @param <T> the result type
     * @return the task
     */
    <T> Task<T> createTask(Coroutine<T> coro);

    /**
     * As {@link #createTask(Coroutine)} with a name.
     *
     * @param coro the coroutine
     * @param name the task's name, or null for {@code Task-N}
     * @param <T> the result type
     * @return the task
     */
    <T> Task<T> createTask(Coroutine<T> coro, String name);

    /**
     * As {@link #createTask(Coroutine)} with a name and a context.
     *
     * @param coro the coroutine
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param <T> the result type
     * @return the task
     */
    <T> Task<T> createTask(Coroutine<T> coro, String name, Context context);

    /**
     * As {@link #createTask(Coroutine, String, Context)}, choosing whether the task starts
     * eagerly: asyncio 3.14's {@code create_task(coro, eager_start=...)}. With {@code true} and
     * the loop running, the task runs now, inside this call, until its first suspension (it may
     * be done when the call returns); with {@code false} it is scheduled, even under an eager
     * task factory; with null the task factory decides, as without the argument. A task factory
     * receives the choice through {@link TaskFactory#newTask(EventLoop, Coroutine, String,
     * Context, Boolean)}.
     *
     * @param coro the coroutine
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param eagerStart true to start now, false to schedule, null for the factory's choice
     * @param <T> the result type
     * @return the task
     * @throws UnsupportedOperationException if {@code eagerStart} is given and the loop's task
     *     factory does not take it
     */
    <T> Task<T> createTask(Coroutine<T> coro, String name, Context context, Boolean eagerStart);

    /**
     * Sets the task factory used by {@code createTask}; null restores the default.
     *
     * @param factory the factory
     */
    void setTaskFactory(TaskFactory factory);

    /**
     * The task factory, or null when the default is used.
     *
     * @return the factory
     */
    TaskFactory getTaskFactory();

    // ---- errors --------------------------------------------------------------------------------

    /**
     * Sets the exception handler; null restores the default, which logs through {@link
     * System.Logger} (route it to SLF4J with {@code slf4j-jdk-platform-logging}).
     *
     * @param handler the handler
     */
    void setExceptionHandler(ExceptionHandler handler);

    /**
     * The exception handler, or null when the default is used.
     *
     * @return the handler
     */
    ExceptionHandler getExceptionHandler();

    /**
     * Reports an error to the exception handler (or the default one).
     *
     * @param context what happened
     */
    void callExceptionHandler(ErrorContext context);

    /**
     * The default exception handler: logs {@code context} at ERROR level.
     *
     * @param context what happened
     */
    void defaultExceptionHandler(ErrorContext context);

    // ---- executors -----------------------------------------------------------------------------

    /**
     * Runs blocking {@code fn} on {@code executor} (null: the default executor, a virtual thread
     * per job) and returns a future of this loop for its result. Unlike {@link Aio#toThread}, the
     * job does not see the caller's context variables, as in asyncio. Cancelling the future
     * cancels the job if it has not started.
     *
     * @param executor the executor, or null for the default
     * @param fn the blocking function
     * @param <T> the result type
     * @return a future of the result
     */
    <T> AsyncFuture<T> runInExecutor(Executor executor, Callable<T> fn);

    /**
     * Replaces the default executor.
     *
     * @param executor the new default executor
     */
    void setDefaultExecutor(Executor executor);

    /**
     * Shuts the default executor down; the returned future completes once its jobs have finished.
     * Later {@code runInExecutor(null, ...)} calls fail.
     *
     * @return a future that completes when the executor has terminated
     */
    AsyncFuture<Void> shutdownDefaultExecutor();

    /**
     * Closes every async generator of this loop that was started and has not finished, each in a
     * task of its own, concurrently ({@code aclose()}: their {@code finally} blocks run). Failures
     * go to the exception handler. {@link Runner} and {@link Aio#run} call it at exit, and {@link
     * #close()} does for generators still alive then.
     *
     * @return a future that completes when all are closed
     */
    AsyncFuture<Void> shutdownAsyncgens();

    // ---- signals ------------------------------------------------------------------------------

    /**
     * Runs {@code callback} on this loop, as any callback, each time the process receives the
     * signal {@code sig} ({@code "SIGINT"} or {@code "INT"}): {@code loop.add_signal_handler}. A
     * signal has one handler in the process, as in asyncio: the last loop to add one has it, and
     * a second call on this loop replaces the callback. {@link #removeSignalHandler} or closing
     * the loop gives the signal back the handler the JVM had before (for SIGINT, SIGTERM and
     * SIGHUP, the JVM's own, which runs the shutdown hooks). Any thread may call it; the
     * callback runs on the loop.
     *
     * <pre>{@code
     * loop.addSignalHandler("SIGTERM", () -> server.close());   // graceful shutdown
     * }</pre>
     *
     * @param sig the signal's name
     * @param callback runs on the loop
     * @throws IllegalArgumentException for a name the platform does not know
     * @throws IllegalStateException "sig SIGKILL cannot be caught" for a signal nobody or only
     *     the JVM may handle (SIGKILL, SIGSTOP, SIGQUIT, ...), or one this process ignores;
     *     "Event loop is closed"
     */
    void addSignalHandler(String sig, Runnable callback);

    /**
     * Removes the handler {@link #addSignalHandler} installed for {@code sig}, giving the signal
     * back the handler the JVM had: {@code loop.remove_signal_handler}.
     *
     * @param sig the signal's name
     * @return whether this loop had a handler for it
     * @throws IllegalArgumentException for a name the platform does not know
     */
    boolean removeSignalHandler(String sig);

    // ---- readiness and low-level socket operations (asyncio's selector loop) -----------------

    /**
     * Calls {@code callback} on the loop whenever {@code channel} is readable (for a server
     * socket: has a connection to accept), until {@link #removeReader}. Replaces the channel's
     * previous reader. {@code loop.add_reader(fd, callback)}.
     *
     * @param channel a channel in non-blocking mode
     * @param callback runs on the loop, like any callback
     * @return the handle of the registration
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException if the channel is closed
     */
    Handle addReader(SelectableChannel channel, Runnable callback);

    /**
     * Stops watching {@code channel} for reading.
     *
     * @param channel the channel
     * @return whether it had a reader
     */
    boolean removeReader(SelectableChannel channel);

    /**
     * Calls {@code callback} on the loop whenever {@code channel} is writable (for a socket still
     * connecting: when the connection completes or fails), until {@link #removeWriter}.
     *
     * @param channel a channel in non-blocking mode
     * @param callback runs on the loop
     * @return the handle of the registration
     */
    Handle addWriter(SelectableChannel channel, Runnable callback);

    /**
     * Stops watching {@code channel} for writing.
     *
     * @param channel the channel
     * @return whether it had a writer
     */
    boolean removeWriter(SelectableChannel channel);

    /**
     * Receives up to {@code n} bytes, suspending the task until some arrive; an empty array at
     * end of stream. {@code await loop.sock_recv(sock, n)}. Call from a task.
     *
     * @param channel a non-blocking, connected socket
     * @param n the most bytes, at least 1
     * @return the bytes received
     * @throws IOException if the socket fails
     * @throws IllegalArgumentException if the channel is in blocking mode ("the socket must
     *     be non-blocking")
     */
    byte[] sockRecv(SocketChannel channel, int n) throws IOException;

    /**
     * Receives into {@code buffer}, suspending the task until some bytes arrive. {@code await
     * loop.sock_recv_into(sock, buf)}.
     *
     * @param channel a non-blocking, connected socket
     * @param buffer where the bytes go
     * @return the number of bytes received; 0 at end of stream
     * @throws IOException if the socket fails (a reset, say)
     * @throws IllegalArgumentException if the channel is in blocking mode ("the socket must
     *     be non-blocking")
     */
    int sockRecvInto(SocketChannel channel, ByteBuffer buffer) throws IOException;

    /**
     * Sends all of {@code data}, suspending the task while the socket's buffer is full. {@code
     * await loop.sock_sendall(sock, data)}.
     *
     * @param channel a non-blocking, connected socket
     * @param data the bytes; its position moves to its limit
     * @throws IOException if the socket fails (a reset, a broken pipe)
     * @throws IllegalArgumentException if the channel is in blocking mode ("the socket must
     *     be non-blocking")
     */
    void sockSendall(SocketChannel channel, ByteBuffer data) throws IOException;

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} (to its end if {@code count}
     * is null), the kernel copying them to the socket ({@link FileChannel#transferTo}, sendfile(2)
     * on Linux), suspending the task while the socket's buffer is full. {@code await
     * loop.sock_sendfile(sock, file, offset, count)}. As asyncio, the file's position is left
     * after the last byte sent, and a count past the end of the file sends up to the end. The
     * JDK's {@code transferTo} always works, so asyncio's {@code fallback} has nothing to fall
     * back from.
     *
     * @param channel a non-blocking, connected socket
     * @param file the file
     * @param offset where to start, at least 0
     * @param count how many bytes, at least 1, or null for the rest of the file
     * @return the number of bytes sent
     * @throws IOException if the socket or the file fails
     * @throws IllegalArgumentException for a negative offset, a count below 1, or a channel in
     *     blocking mode, with asyncio's messages
     */
    long sockSendfile(SocketChannel channel, FileChannel file, long offset, Long count)
            throws IOException;

    /**
     * Sends the whole of {@code file}, from its start: {@code sockSendfile(channel, file, 0,
     * null)}.
     *
     * @param channel a non-blocking, connected socket
     * @param file the file
     * @return the number of bytes sent
     * @throws IOException if the socket or the file fails
     */
    default long sockSendfile(SocketChannel channel, FileChannel file) throws IOException {
        return sockSendfile(channel, file, 0, null);
    }

    /**
     * Connects {@code channel}, suspending the task until the connection is made. {@code await
     * loop.sock_connect(sock, address)}.
     *
     * @param channel a non-blocking socket
     * @param address where to connect, resolved
     * @throws java.net.ConnectException naming the address if the connection is refused
     * @throws IOException if connecting fails otherwise
     * @throws IllegalArgumentException if the channel is in blocking mode ("the socket must
     *     be non-blocking")
     */
    void sockConnect(SocketChannel channel, SocketAddress address) throws IOException;

    /**
     * Accepts a connection, suspending the task until one arrives. {@code await
     * loop.sock_accept(sock)}; the new socket is non-blocking.
     *
     * @param channel a bound, non-blocking server socket
     * @return the connection
     * @throws IOException if accepting fails
     * @throws IllegalArgumentException if the channel is in blocking mode ("the socket must
     *     be non-blocking")
     */
    SocketChannel sockAccept(ServerSocketChannel channel) throws IOException;

    /**
     * A datagram {@link #sockRecvfrom} received: asyncio's {@code (data, address)}.
     *
     * @param data the bytes (cut at the size asked for, as {@code recvfrom} cuts them)
     * @param address who sent them
     */
    record Received(byte[] data, SocketAddress address) {}

    /**
     * What {@link #sockRecvfromInto} received: asyncio's {@code (nbytes, address)}.
     *
     * @param nbytes how many bytes went into the buffer
     * @param address who sent them
     */
    record ReceivedInto(int nbytes, SocketAddress address) {}

    /**
     * Receives one datagram of at most {@code bufsize} bytes, suspending the task until one
     * comes. {@code await loop.sock_recvfrom(sock, bufsize)}.
     *
     * @param channel a non-blocking datagram channel, bound (or connected)
     * @param bufsize the most bytes to keep, at least 1; the rest of a longer datagram is lost,
     *     as with {@code recvfrom}
     * @return the bytes and the sender
     * @throws IOException if the channel fails
     * @throws IllegalArgumentException if the channel is in blocking mode or {@code bufsize} is
     *     below 1
     */
    Received sockRecvfrom(DatagramChannel channel, int bufsize) throws IOException;

    /**
     * Receives one datagram into {@code buffer} (up to its limit), suspending the task until one
     * comes. {@code await loop.sock_recvfrom_into(sock, buf)}.
     *
     * @param channel a non-blocking datagram channel, bound (or connected)
     * @param buffer where the bytes go, from its position; the position moves past them
     * @return how many bytes, and the sender
     * @throws IOException if the channel fails
     * @throws IllegalArgumentException if the channel is in blocking mode
     */
    ReceivedInto sockRecvfromInto(DatagramChannel channel, ByteBuffer buffer) throws IOException;

    /**
     * Sends {@code data} as one datagram to {@code address}, suspending the task while the
     * socket's buffer is full. {@code await loop.sock_sendto(sock, data, address)}.
     *
     * @param channel a non-blocking datagram channel
     * @param data the bytes; its position moves to its limit
     * @param address where to
     * @return the number of bytes sent
     * @throws IOException if the channel fails
     * @throws IllegalArgumentException if the channel is in blocking mode
     */
    int sockSendto(DatagramChannel channel, ByteBuffer data, SocketAddress address)
            throws IOException;

    /**
     * Resolves {@code host} off the loop (on the default executor), suspending the task. {@code
     * await loop.getaddrinfo(host, port)}, giving socket addresses.
     *
     * @param host a name or a literal address
     * @param port the port
     * @return the addresses, in the resolver's order
     * @throws java.net.UnknownHostException naming the host
     */
    List<InetSocketAddress> getaddrinfo(String host, int port) throws IOException;

    // ---- debug ---------------------------------------------------------------------------------

    /**
     * Turns debug mode on or off. In debug mode the loop records where each task was created and
     * reports every callback or task step that runs longer than {@link #getSlowCallbackDuration()}
     * (it holds the loop that long) to the exception handler, naming the task and its creation
     * site.
     *
     * @param enabled true for debug mode
     */
    void setDebug(boolean enabled);

    /**
     * Whether debug mode is on.
     *
     * @return true in debug mode
     */
    boolean getDebug();

    /**
     * Sets the slow-step threshold of debug mode.
     *
     * @param seconds the threshold (asyncio's default is 0.1)
     */
    void setSlowCallbackDuration(double seconds);

    /**
     * The slow-step threshold of debug mode.
     *
     * @return seconds
     */
    double getSlowCallbackDuration();

    /**
     * A snapshot of the loop's state: live tasks, ready queue, timers, slow steps. Call on the
     * loop (from a callback or task); a monitor on another thread schedules a probe with {@link
     * #callSoonThreadsafe(Runnable)} and reads the result there.
     *
     * @return the snapshot
     * @throws WrongThreadException if called from another thread while the loop runs
     */
    LoopStats stats();

    /**
     * The loop's stats if it is waiting for work now, from any thread; null while it runs (or
     * has not started, or is closed). An idle loop's state cannot change until something wakes
     * it, so these are the stats it had when it began to wait, and its lag is nil: a monitor
     * asks this first and posts a probe (see {@link #stats()}) only to a loop that is busy, so
     * it does not wake idle loops to learn that they are idle.
     *
     * @return the stats of the current wait, or null
     */
    LoopStats idleStats();
}
