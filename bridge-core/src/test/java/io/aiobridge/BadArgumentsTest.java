package io.aiobridge;

import io.aiobridge.testing.BadArguments;
import io.aiobridge.testing.PublicApi;
import io.aiobridge.testing.SweepValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every public constructor and method of bridge-core, called with a bad value in one parameter at
 * a time (docs/errors.md, rules 3 and 4): null in each reference parameter, NaN in each
 * floating-point one, -1 in each integer one. Each must reject it up front with a message of its
 * own, or be listed here as taking it on purpose, with the reason. And every member called with
 * plain arguments from a thread that runs no loop (the threading contract, docs/design.md): it
 * returns or refuses clearly, and a loop-confined object's method refuses unless listed as
 * thread-safe.
 */
class BadArgumentsTest {

    /**
     * Where null is a documented value, with why; each may return or throw (the sweep's other
     * arguments are plain: an unconnected socket, an empty list), but never dereference it.
     */
    static final Map<String, String> ALLOWED = Map.ofEntries(
            // asyncio's None: no timeout, no name, the current context, the default
            none("Aio.waitFor(AsyncFuture,Double)#1", "timeout=None: no limit"),
            none("Aio.waitFor(Coroutine,Double)#1", "timeout=None: no limit"),
            none("Aio.timeout(Double,Coroutine)#0", "asyncio.timeout(None)"),
            none("Aio.timeoutAt(Double,Coroutine)#0", "asyncio.timeout_at(None)"),
            none("Timeout.after(Double)#0", "asyncio.timeout(None)"),
            none("Timeout.after(Double,Body)#0", "asyncio.timeout(None)"),
            none("Timeout.at(Double)#0", "asyncio.timeout_at(None)"),
            none("Timeout.at(Double,Body)#0", "asyncio.timeout_at(None)"),
            none("Aio.asCompleted(List,Double)#1", "timeout=None"),
            none("Aio.asCompleted(Double,Coroutine[])#0", "timeout=None"),
            none("Aio.asCompletedFutures(Collection,Double)#1", "timeout=None"),
            none("Aio.wait(Collection,ReturnWhen,Double)#2", "timeout=None"),
            none("Aio.createTask(Coroutine,String)#1", "name=None: Task-N"),
            none("Aio.createTask(Coroutine,String,Context)#1", "name=None: Task-N"),
            none("Aio.createTask(Coroutine,String,Context)#2", "context=None: a copy"),
            none("EventLoop.createTask(Coroutine,String)#1", "name=None"),
            none("EventLoop.createTask(Coroutine,String,Context)#1", "name=None"),
            none("EventLoop.createTask(Coroutine,String,Context)#2", "context=None"),
            none("Aio.createTask(Coroutine,String,Context,Boolean)#1", "name=None: Task-N"),
            none("Aio.createTask(Coroutine,String,Context,Boolean)#2", "context=None: a copy"),
            none("Aio.createTask(Coroutine,String,Context,Boolean)#3",
                    "eager_start=None: the factory's choice"),
            none("EventLoop.createTask(Coroutine,String,Context,Boolean)#1", "name=None"),
            none("EventLoop.createTask(Coroutine,String,Context,Boolean)#2", "context=None"),
            none("EventLoop.createTask(Coroutine,String,Context,Boolean)#3", "eager_start=None"),
            none("Task.<init>(EventLoop,Coroutine,String,Context,boolean)#2", "name=None"),
            none("Task.<init>(EventLoop,Coroutine,String,Context,boolean)#3", "context=None"),
            none("EventLoop.callSoon(Runnable,Context)#1", "context=None"),
            none("EventLoop.runInExecutor(Executor,Callable)#0", "None: the default executor"),
            none("EventLoop.setExceptionHandler(ExceptionHandler)#0", "None: the default"),
            none("EventLoop.setTaskFactory(TaskFactory)#0", "None: plain tasks"),
            none("EventLoop.sockSendfile(SocketChannel,FileChannel,long,Long)#3",
                    "count=None: to the end"),
            none("EventLoopGroup.setDefaultGroup(EventLoopGroup)#0", "null: made on first use"),
            none("Runner.<init>(Supplier,Boolean)#1", "debug=None: the loop's default"),
            none("Task.cancel(String)#0", "msg=None"),
            none("AsyncFuture.cancel(String)#0", "msg=None"),
            none("Task.printStack(PrintStream)#0", "file=None: stderr"),
            none("CallGraph.capture(AsyncFuture)#0", "capture_call_graph(None): current task"),
            none("CallGraph.capture(AsyncFuture,int,Integer)#0", "future=None: current task"),
            none("CallGraph.capture(AsyncFuture,int,Integer)#2", "limit=None: every frame"),
            none("CallGraph.format(AsyncFuture)#0", "format_call_graph(None): current task"),
            none("CallGraph.format(AsyncFuture,int,Integer)#0", "future=None: current task"),
            none("CallGraph.format(AsyncFuture,int,Integer)#2", "limit=None: every frame"),
            none("CallGraph.print(AsyncFuture,PrintStream)#1", "file=None: stdout"),
            none("Aio.run(Coroutine)#0", "asyncio.run refuses a running loop first"),
            none("Aio.run(Coroutine,boolean)#0", "asyncio.run refuses a running loop first"),
            // values: None is a value like any other
            none("Aio.sleep(double,Object)#1", "result=None"),
            none("AsyncFuture.setResult(Object)#0", "a None result"),
            none("Task.setResult(Object)#0", "refused for a task, as asyncio"),
            none("Task.setException(Throwable)#0", "refused for a task, as asyncio"),
            none("AsyncFuture.removeDoneCallback(Consumer)#0", "removes nothing: 0, as asyncio"),
            none("AsyncGenerator.asend(Object)#0", "the first send must be None"),
            none("AsyncExitStack.aexit(Throwable)#0", "no pending exception"),
            none("AsyncContextManager.nullContext(Object)#0", "nullcontext(None)"),
            none("AsyncQueue.put(Object)#0", "a None item"),
            none("AsyncQueue.putNowait(Object)#0", "a None item"),
            none("AsyncQueue.putThreadsafe(Object)#0", "a None item"),
            none("AsyncQueue.<init>(int,EventLoop)#1", "null: bound at first use"),
            none("AsyncLifoQueue.<init>(int,EventLoop)#1", "null: bound at first use"),
            none("AsyncPriorityQueue.<init>(int,Comparator,EventLoop)#1", "natural order"),
            none("AsyncPriorityQueue.<init>(int,Comparator,EventLoop)#2", "bound at first use"),
            none("LoopBound.<init>(Object,EventLoop)#1", "null: bound at first use"),
            none("LoopBound.check(String)#0", "only names the operation in a message"),
            none("ContextVar.<init>(String,Object)#1", "a None default"),
            none("ContextVar.get(Object)#0", "a None default"),
            none("ContextVar.set(Object)#0", "a None value"),
            none("Context.get(ContextVar,Object)#1", "a None default"),
            none("Comprehensions.anext(AsyncIterator,Object)#1", "anext(it, None)"),
            none("Itertools.repeat(Object,long)#0", "repeat(None)"),
            none("Itertools.zipLongest(AsyncIterable,AsyncIterable,Object)#2", "fillvalue=None"),
            none("ErrorContext.of(String,Throwable)#1", "no exception"),
            none("ErrorContext.with(String,Object)#1", "a None value"),
            none("FlowAwait.future(Publisher,Object)#1", "a null default"),
            none("FlowAwait.future(Publisher,Object,Consumer)#1", "a null default"),
            none("FlowAwait.future(Publisher,Object,Consumer)#2", "null: drop discarded items"),
            none("FlowAwait.awaitFirstOrDefault(Publisher,Object)#1", "a null default"),
            none("FlowAwait.awaitSingleOrDefault(Publisher,Object)#1", "a null default"),
            none("FlowAwait.await(Publisher,Mode,Object,Consumer)#2", "a null default"),
            none("FlowAwait.await(Publisher,Mode,Object,Consumer)#3", "null: drop discarded"),
            none("FlowAwait.awaiting(EventLoop,Mode,Object)#2", "a null default"),
            none("FlowAwait.awaiting(EventLoop,Mode,Object,Consumer)#2", "a null default"),
            none("FlowAwait.awaiting(EventLoop,Mode,Object,Consumer)#3", "null: drop discarded"),
            none("Builder.carriers(List,Function)#1", "checked after the list"),
            // the network's and the subprocess's None: all interfaces, no TLS, inherit
            none("Net.createServer(Supplier,String,int)#1", "host=None: every interface"),
            none("Net.createServer(Supplier,String,int,int,boolean)#1", "host=None"),
            none("Net.createServer(Supplier,String,int,int,boolean,SSLContext)#1", "host=None"),
            none("Net.createServer(Supplier,String,int,int,boolean,SSLContext)#5", "ssl=None"),
            none("Net.createServer(Supplier,String,int,ServerOptions)#1", "host=None"),
            none("Net.createUnixServer(Supplier,String,int,boolean,SSLContext)#4", "ssl=None"),
            none("Net.createConnection(Supplier,String,int,SSLContext,String)#3", "ssl=None"),
            none("Net.createConnection(Supplier,String,int,SSLContext,String)#4",
                    "server_hostname=None"),
            none("Net.createUnixConnection(Supplier,String,SSLContext,String)#2", "ssl=None"),
            none("Net.createUnixConnection(Supplier,String,SSLContext,String)#3",
                    "server_hostname=None"),
            none("Net.connectAcceptedSocket(Supplier,SocketChannel,SSLContext)#2", "ssl=None"),
            none("Net.startTls(Transport,Protocol,SSLContext,boolean,String)#4",
                    "server_hostname=None"),
            none("Net.startTls(Transport,Protocol,SSLContext,boolean,String,double,double)#4",
                    "server_hostname=None"),
            none("Net.sendfile(Transport,FileChannel,long,Long,boolean)#3", "count=None"),
            none("Streams.startServer(Handler,String,int)#1", "host=None"),
            none("Streams.startServer(Handler,String,int,int)#1", "host=None"),
            none("Streams.startServer(Handler,String,int,int,SSLContext)#1", "host=None"),
            none("Streams.startServer(Handler,String,int,int,SSLContext)#4", "ssl=None"),
            none("Streams.startServer(Handler,String,int,int,ServerOptions)#1", "host=None"),
            none("Streams.openConnection(String,int,int,SSLContext,String)#3", "ssl=None"),
            none("Streams.openConnection(String,int,int,SSLContext,String)#4",
                    "server_hostname=None"),
            none("ConnectOptions.withSsl(SSLContext)#0", "ssl=None"),
            none("ConnectOptions.withServerHostname(String)#0", "server_hostname=None"),
            none("ConnectOptions.withFamily(ProtocolFamily)#0", "family=0: any"),
            none("ServerOptions.withSsl(SSLContext)#0", "ssl=None"),
            none("Subprocess.createSubprocessExec(List,Redirect,Redirect,Redirect)#1",
                    "stdin=None: inherit"),
            none("Subprocess.createSubprocessExec(List,Redirect,Redirect,Redirect)#2",
                    "stdout=None: inherit"),
            none("Subprocess.createSubprocessExec(List,Redirect,Redirect,Redirect)#3",
                    "stderr=None: inherit"));

    private static Map.Entry<String, String> none(String member, String why) {
        return Map.entry(member, why);
    }

    @Test
    void everyPublicMemberRejectsANullArgumentClearlyOrDocumentsIt() throws Exception {
        List<Class<?>> classes = PublicApi.classes(Path.of("target/classes"),
                "io.aiobridge.internal.");
        EventLoopGroup previousDefault = EventLoopGroup.setDefaultGroup(null);
        BadArguments.Report report;
        try (SweepValues values = new SweepValues()) {
            report = BadArguments.sweep(classes, values, ALLOWED.keySet());
        } finally {
            EventLoopGroup.setDefaultGroup(previousDefault); // the sweep reset it to null
        }
        BadArguments.assertClean(report, ALLOWED.keySet(), 500);
    }

    /** Where NaN is a documented value. */
    static final Set<String> ALLOWED_NAN = Set.of();

    @Test
    void everyFloatingPointParameterRejectsNaN() throws Exception {
        BadArguments.Report report;
        try (SweepValues values = new SweepValues()) {
            report = BadArguments.sweepNaN(PublicApi.classes(Path.of("target/classes"),
                    "io.aiobridge.internal."), values, ALLOWED_NAN);
        }
        BadArguments.assertClean(report, ALLOWED_NAN, 40);
    }

    /** Where a negative number has a documented meaning (asyncio's, or Java's None). */
    static final Set<String> ALLOWED_NEGATIVE = Set.of(
            "AsyncQueue.<init>(int)#0", // maxsize <= 0: unbounded, as asyncio
            "AsyncQueue.<init>(int,EventLoop)#0",
            "AsyncLifoQueue.<init>(int)#0",
            "AsyncLifoQueue.<init>(int,EventLoop)#0",
            "AsyncPriorityQueue.<init>(int)#0",
            "AsyncPriorityQueue.<init>(int,Comparator,EventLoop)#0",
            "AsyncCondition.signal(int)#0", // notify(-1) wakes none; the lock is checked first
            "Itertools.count(long,long)#0", // any start and step
            "Itertools.count(long,long)#1",
            "Itertools.enumerate(AsyncIterable,long)#1", // any start
            "Itertools.islice(AsyncIterable,long)#1", // negative: None, no stop
            "Itertools.islice(AsyncIterable,long,long,long)#2",
            "Itertools.repeat(Object,long)#1", // negative: None, for ever
            "StreamReader.read(int)#0", // read(-1): to the end
            "CallGraph.capture(AsyncFuture,int,Integer)#2", // limit=-n: the n innermost frames
            "CallGraph.format(AsyncFuture,int,Integer)#2");

    @Test
    void everyCountRejectsANegativeNumberOrDocumentsIt() throws Exception {
        BadArguments.Report report;
        try (SweepValues values = new SweepValues()) {
            report = BadArguments.sweepNegative(PublicApi.classes(Path.of("target/classes"),
                    "io.aiobridge.internal."), values, ALLOWED_NEGATIVE);
        }
        BadArguments.assertClean(report, ALLOWED_NEGATIVE, 40);
    }

    /** Classes whose instances belong to one loop (docs/design.md, "Threading contract"). */
    static final Set<Class<?>> CONFINED = Set.of(EventLoop.class, AsyncFuture.class,
            io.aiobridge.queue.AsyncQueue.class, io.aiobridge.sync.AsyncLock.class,
            io.aiobridge.sync.AsyncEvent.class, io.aiobridge.sync.AsyncSemaphore.class,
            io.aiobridge.sync.AsyncCondition.class, io.aiobridge.net.StreamReader.class,
            AsyncGenerator.class);

    /**
     * Members of confined classes that any thread may call, with why. A query that asyncio does
     * not check either reads a snapshot: a loop-confined value read from another thread may be
     * stale, never torn (a reference or a primitive below 64 bits).
     */
    static final Map<String, String> THREAD_SAFE = Map.ofEntries(
            none("AsyncFuture.isDone()", "documented thread-safe"),
            none("AsyncFuture.join()", "documented thread-safe: blocks until done"),
            none("AsyncFuture.join(Duration)", "documented thread-safe"),
            none("AsyncFuture.toCompletableFuture()", "documented thread-safe"),
            none("EventLoop.callSoonThreadsafe(Runnable)", "its name says so"),
            none("EventLoop.callLaterThreadsafe(double,Runnable)", "its name says so"),
            none("EventLoop.createFuture()", "a new future; it touches none of the loop's state"),
            none("AsyncFuture.getLoop()", "final"),
            none("Task.getCoro()", "final"),
            none("Task.getContext()", "final"),
            none("Task.getName()", "a snapshot"),
            none("Task.setName(String)", "asyncio's set_name has no check; a String is immutable"),
            none("Task.getStack()", "documented for monitors: the stack of a parked task"),
            none("EventLoop.idleStats()", "documented for monitors: a sequence lock"),
            none("EventLoop.isClosed()", "volatile"),
            none("EventLoop.isRunning()", "volatile"),
            none("EventLoop.time()", "the clock"),
            none("EventLoop.getDebug()", "volatile configuration"),
            none("EventLoop.setDebug(boolean)", "volatile configuration"),
            none("EventLoop.getExceptionHandler()", "volatile configuration"),
            none("EventLoop.setExceptionHandler(ExceptionHandler)", "volatile configuration"),
            none("EventLoop.getSlowCallbackDuration()", "volatile configuration"),
            none("EventLoop.setSlowCallbackDuration(double)", "volatile configuration"),
            none("EventLoop.getTaskFactory()", "a snapshot"),
            none("EventLoop.callExceptionHandler(ErrorContext)",
                    "asyncio's has no check: errors from other threads are reported through it"),
            none("EventLoop.defaultExceptionHandler(ErrorContext)", "it only logs"),
            none("AsyncFuture.isCancelled()", "a snapshot"),
            none("AsyncFuture.result()", "a snapshot: a done future's result, else raises"),
            none("AsyncFuture.exception()", "a snapshot"),
            none("AsyncFuture.cancelMessage()", "a snapshot"),
            none("Task.cancelling()", "a snapshot"),
            none("AsyncQueue.qsize()", "a snapshot"),
            none("AsyncQueue.empty()", "a snapshot"),
            none("AsyncQueue.full()", "a snapshot"),
            none("AsyncQueue.maxsize()", "final"),
            none("AsyncQueue.isShutDown()", "a snapshot"),
            none("AsyncQueue.unfinishedTasks()", "a snapshot"),
            none("AsyncLock.locked()", "a snapshot"),
            none("AsyncCondition.locked()", "a snapshot"),
            none("AsyncEvent.isSet()", "a snapshot"),
            none("AsyncSemaphore.locked()", "a snapshot"),
            none("AsyncSemaphore.availablePermits()", "a snapshot"),
            none("StreamReader.atEof()", "a snapshot"),
            none("StreamReader.exception()", "a snapshot"),
            none("StreamReader.aiter()", "lazy: each read checks its thread"),
            none("AsyncGenerator.aiter()", "returns itself"),
            none("AsyncGenerator.iterator()", "lazy: hasNext() needs a task"),
            none("AsyncGenerator.anext()", "lazy: awaiting needs a task"),
            none("AsyncGenerator.asend(Object)", "lazy: awaiting needs a task"),
            none("AsyncGenerator.athrow(Throwable)", "lazy: awaiting needs a task"),
            none("AsyncGenerator.prefetch(int)", "a view, lazy"),
            none("AsyncGenerator.isClosed()", "a snapshot"),
            none("AsyncGenerator.aclose()", "documented: a generator never started needs no task"),
            none("AsyncGenerator.close()", "documented: a generator never started needs no task"));

    @Test
    void offItsLoopEveryMemberRefusesClearlyOrIsThreadSafe() throws Exception {
        BadArguments.Report report;
        EventLoopGroup previousDefault = EventLoopGroup.setDefaultGroup(null);
        try (SweepValues values = new SweepValues()) {
            report = BadArguments.sweepOffLoop(PublicApi.classes(Path.of("target/classes"),
                    "io.aiobridge.internal."), values, CONFINED, THREAD_SAFE.keySet());
        } finally {
            EventLoopGroup.setDefaultGroup(previousDefault);
        }
        BadArguments.assertClean(report, THREAD_SAFE.keySet(), 500);
    }
}
