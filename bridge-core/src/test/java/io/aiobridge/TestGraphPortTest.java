package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.OtherThread;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code Lib/test/test_asyncio/test_graph.py} (3.14's call graph), case by case. Each
 * case captures a graph from deep inside a task and compares its shape: the future ({@code
 * T<name>}, {@code T<anon>} for a default name, {@code F} for a plain future), the methods of this
 * class on its call stack, innermost first, and the graphs of its awaiters, sorted.
 *
 * <p>Adapted: Python's coroutine frames are methods here, so a coroutine {@code c1} is a method
 * {@code c1()} of this class, and the task's body is a lambda, shown by the method that wrote it
 * ({@code lambda$main$3} is {@code main}). Python marks frames {@code s} (plain) and {@code a}
 * (coroutine); Java's frames are all plain, and the shape has the name alone. The test method's own
 * frame is not on any stack: CPython's runs the test as a coroutine, JUnit runs it on its thread,
 * and each case starts its loop with {@code Aio.run}.
 */
class TestGraphPortTest {

    /** {@code capture_test_stack}: the shape of the graph, and its printed form. */
    record Captured(List<Object> shape, String printed) {}

    private static Captured captureTestStack(AsyncFuture<?> fut, int depth) {
        String printed = CallGraph.format(fut, depth + 1, null);
        return new Captured(walk(CallGraph.capture(fut, depth + 1, null)), printed);
    }

    private static Captured captureTestStack() {
        return captureTestStack(null, 1);
    }

    private static List<Object> walk(CallGraph g) {
        List<Object> shape = new ArrayList<>();
        shape.add(g.future() instanceof Task<?> t
                ? (t.getName().startsWith("Task-") ? "T<anon>" : "T<" + t.getName() + ">") : "F");
        List<String> frames = new ArrayList<>();
        for (StackTraceElement e : g.callStack()) {
            if (e.getClassName().startsWith(TestGraphPortTest.class.getName())) {
                String m = e.getMethodName();
                frames.add(m.startsWith("lambda$") ? m.substring(7, m.indexOf('$', 7)) : m);
            }
        }
        shape.add(frames);
        List<List<Object>> by = new ArrayList<>();
        for (CallGraph a : g.awaitedBy()) {
            by.add(walk(a));
        }
        by.sort(Comparator.comparing(Object::toString));
        shape.add(by);
        return shape;
    }

    private static List<Object> node(String name, List<String> frames, List<?> awaitedBy) {
        return List.of(name, frames, awaitedBy);
    }

    // ---- test_stack_tgroup -----------------------------------------------------------------------

    private final AtomicReference<Captured> stackForC5 = new AtomicReference<>();

    private void c5() {
        stackForC5.set(captureTestStack(null, 2));
    }

    private Void c4() {
        Aio.sleep(0);
        c5();
        return null;
    }

    private Void c3() {
        return c4();
    }

    private Void c2() {
        return c3();
    }

    private Void c1(Task<?> task) {
        task.await();
        return null;
    }

    private Void tgroupMain() {
        TaskGroup.run(tg -> {
            Task<Void> task = tg.createTask(this::c2, "c2_root");
            tg.createTask(() -> c1(task), "sub_main_1");
            tg.createTask(() -> c1(task), "sub_main_2");
            return null;
        });
        return null;
    }

    @Test
    void test_stack_tgroup() {
        Aio.run(this::tgroupMain);
        // depth=2 skips c5 itself, as CPython's capture_test_stack(depth=2) does
        List<Object> root = node("T<anon>", List.of("tgroupMain"), List.of());
        assertEquals(node("T<c2_root>", List.of("c4", "c3", "c2"), List.of(
                root,
                node("T<sub_main_1>", List.of("c1", "tgroupMain"), List.of(root)),
                node("T<sub_main_2>", List.of("c1", "tgroupMain"), List.of(root)))),
                stackForC5.get().shape());
        assertTrue(stackForC5.get().printed().contains(
                "in " + TestGraphPortTest.class.getName() + ".tgroupMain()"),
                stackForC5.get().printed());
    }

    // ---- test_stack_async_gen ------------------------------------------------------------------

    private final AtomicReference<Captured> stackForGenNestedCall = new AtomicReference<>();

    private void genNestedCall() {
        stackForGenNestedCall.set(captureTestStack());
    }

    private void gen(AsyncGenerator.Yield<Integer, Void> y) {
        for (int num = 0; num < 2; num++) {
            y.yield(num);
            if (num == 1) {
                genNestedCall();
            }
        }
    }

    private Void asyncGenMain() {
        for (int el : AsyncGenerator.<Integer, Void>of(this::gen)) {
            assertTrue(el >= 0);
        }
        return null;
    }

    @Test
    void test_stack_async_gen() {
        Aio.run(this::asyncGenMain);
        // the generator's body runs on its own thread; its frames come first, then the loop's
        assertEquals(node("T<anon>", List.of("captureTestStack", "genNestedCall", "gen",
                "asyncGenMain"), List.of()), stackForGenNestedCall.get().shape());
        assertTrue(stackForGenNestedCall.get().printed().contains(".gen()"),
                stackForGenNestedCall.get().printed());
    }

    // ---- test_stack_gather, test_stack_shield, test_stack_timeout ------------------------------

    private final AtomicReference<Captured> stackForDeep = new AtomicReference<>();

    private Void deep() {
        Aio.sleep(0);
        stackForDeep.set(captureTestStack());
        return null;
    }

    private Void c1Deep() {
        Aio.sleep(0);
        return deep();
    }

    private Void c2Sleep() {
        Aio.sleep(0);
        return null;
    }

    private Void gatherMain() {
        Aio.gather(Aio.createTask(this::c1Deep), Aio.createTask(this::c2Sleep)).await();
        return null;
    }

    @Test
    void test_stack_gather() {
        Aio.run(this::gatherMain);
        assertEquals(node("T<anon>", List.of("captureTestStack", "deep", "c1Deep"),
                List.of(node("T<anon>", List.of("gatherMain"), List.of()))),
                stackForDeep.get().shape());
    }

    private Void shieldMain() {
        Aio.shield(Aio.createTask(this::c1Deep)).await();
        return null;
    }

    @Test
    void test_stack_shield() {
        Aio.run(this::shieldMain);
        assertEquals(node("T<anon>", List.of("captureTestStack", "deep", "c1Deep"),
                List.of(node("T<anon>", List.of("shieldMain"), List.of()))),
                stackForDeep.get().shape());
    }

    private Void c1Timeout() {
        return Timeout.after(1.0, t -> {
            Aio.sleep(0);
            return deep();
        });
    }

    private Void timeoutMain() {
        Aio.shield(Aio.createTask(this::c1Timeout)).await();
        return null;
    }

    @Test
    void test_stack_timeout() {
        Aio.run(this::timeoutMain);
        assertEquals(node("T<anon>", List.of("captureTestStack", "deep", "c1Timeout",
                "c1Timeout"), List.of(node("T<anon>", List.of("timeoutMain"), List.of()))),
                stackForDeep.get().shape(), "the Timeout's body is a lambda of c1Timeout");
    }

    // ---- test_stack_wait -----------------------------------------------------------------------

    private Void c2Loop() {
        for (int i = 0; i < 3; i++) {
            Aio.sleep(0);
        }
        return null;
    }

    private Void waitMain(Task<Void> t1, Task<Void> t2) {
        while (true) {
            WaitResult<Task<Void>> r = Aio.wait(List.of(t1, t2));
            if (r.pending().isEmpty()) {
                break;
            }
        }
        return null;
    }

    @Test
    void test_stack_wait() {
        Aio.run(() -> {
            Task<Void> t1 = Aio.createTask(this::c1Timeout);
            Task<Void> t2 = Aio.createTask(this::c2Loop);
            try {
                return waitMain(t1, t2);
            } finally {
                t1.await();
                t2.await();
            }
        });
        assertEquals(node("T<anon>", List.of("captureTestStack", "deep", "c1Timeout",
                "c1Timeout"), List.of(node("T<anon>", List.of("waitMain", "test_stack_wait"),
                        List.of()))),
                stackForDeep.get().shape());
    }

    // ---- test_stack_task -----------------------------------------------------------------------

    private Void c1Inner() {
        return deep();
    }

    private Void c2Task() {
        return Aio.createTask(this::c1Inner, "there there").await();
    }

    @Test
    void test_stack_task() {
        Aio.run(this::c2Task);
        assertEquals(node("T<there there>", List.of("captureTestStack", "deep", "c1Inner"),
                List.of(node("T<anon>", List.of("c2Task"), List.of()))),
                stackForDeep.get().shape());
    }

    // ---- test_stack_future ---------------------------------------------------------------------

    private Void a2(AsyncFuture<Void> fut) {
        return fut.await();
    }

    private Void a1(AsyncFuture<Void> fut) {
        return a2(fut);
    }

    private Void b1(AsyncFuture<Void> fut) {
        return fut.await();
    }

    @Test
    void test_stack_future() {
        AtomicReference<Captured> stackForFut = new AtomicReference<>();
        Aio.run(() -> {
            AsyncFuture<Void> fut = Aio.getRunningLoop().createFuture();
            TaskGroup.run(g -> {
                g.createTask(() -> a1(fut), "task A");
                g.createTask(() -> b1(fut), "task B");
                for (int i = 0; i < 5; i++) {
                    Aio.sleep(0); // both tasks reach their await
                }
                stackForFut.set(captureTestStack(fut, 1));
                fut.setResult(null);
                return null;
            });
            return null;
        });
        // the main task is the one capturing: its own frames include the capturing method (in
        // CPython, a plain function's frame is left out of an awaiter's coroutine chain)
        List<Object> root = node("T<anon>", List.of("captureTestStack", "test_stack_future",
                "test_stack_future"), List.of());
        assertEquals(node("F", List.of(), List.of(
                node("T<task A>", List.of("a2", "a1", "test_stack_future"), List.of(root)),
                node("T<task B>", List.of("b1", "test_stack_future"), List.of(root)))),
                stackForFut.get().shape());
        assertTrue(stackForFut.get().printed().startsWith("* Future(id=0x"),
                stackForFut.get().printed());
    }

    // ---- beyond CPython's cases ----------------------------------------------------------------

    @Test
    void outsideALoopTheCurrentTaskCannotBeCapturedButAFutureCan() {
        IllegalStateException e = assertThrows(IllegalStateException.class, CallGraph::capture);
        assertTrue(e.getMessage().startsWith("capture_call_graph() is called outside of a"
                + " running event loop and no *future* to introspect was provided"),
                e.getMessage());
        EventLoop loop = EventLoop.newEventLoop();
        try {
            AsyncFuture<Void> f = loop.createFuture();
            CallGraph g = CallGraph.capture(f);
            assertEquals(List.of(), g.callStack());
            assertEquals(List.of(), g.awaitedBy());
            assertEquals("* Future(id=0x" + Integer.toHexString(System.identityHashCode(f))
                    + ")", CallGraph.format(f));
        } finally {
            loop.close();
        }
    }

    @Test
    void aCallbackHasNoCurrentTask() {
        AtomicReference<Object> seen = new AtomicReference<>("not run");
        Aio.run(() -> {
            AsyncFuture<Void> done = Aio.getRunningLoop().createFuture();
            Aio.getRunningLoop().callSoon(() -> {
                seen.set(CallGraph.capture());
                done.setResult(null);
            });
            return done.await();
        });
        assertNull(seen.get(), "asyncio returns None when no task runs");
    }

    @Test
    void anotherThreadIsRefusedWhileTheLoopRuns() {
        Aio.run(() -> {
            AsyncFuture<Void> f = Aio.getRunningLoop().createFuture();
            OtherThread.assertRefused(OtherThread.call(() -> CallGraph.capture(f)),
                    "CallGraph.capture()");
            return null;
        });
    }

    @Test
    void limitKeepsTheOutermostOrInnermostFrames() {
        List<List<String>> shapes = new ArrayList<>();
        Aio.run(() -> {
            for (Integer limit : new Integer[] {null, 2, -2, 0}) {
                shapes.add(limited(limit));
            }
            return null;
        });
        List<String> all = shapes.get(0);
        assertEquals(List.of("limited", "lambda$limitKeepsTheOutermostOrInnermostFrames$0"),
                all.subList(0, 2));
        assertEquals(all.subList(all.size() - 2, all.size()), shapes.get(1), "2 outermost");
        assertEquals(all.subList(0, 2), shapes.get(2), "2 innermost");
        assertEquals(List.of(), shapes.get(3), "0: no frames");
    }

    private static List<String> limited(Integer limit) {
        return CallGraph.capture(null, 1, limit).callStack().stream()
                .map(StackTraceElement::getMethodName).toList();
    }

    @Test
    void tasksThatAwaitEachOtherAreShownOnce() {
        Aio.run(() -> {
            AtomicReference<Task<Void>> second = new AtomicReference<>();
            Task<Void> first = Aio.createTask(() -> {
                Aio.sleep(0);
                return second.get().await();
            }, "first");
            second.set(Aio.createTask(() -> first.await(), "second"));
            Aio.sleep(0);
            Aio.sleep(0);
            CallGraph g = CallGraph.capture(first);
            assertEquals("second", ((Task<?>) g.awaitedBy().get(0).future()).getName());
            assertEquals(List.of(), g.awaitedBy().get(0).awaitedBy(),
                    "the cycle back to 'first' is cut");
            first.cancel();
            second.get().cancel();
            assertInstanceOf(CancelledError.class, assertThrows(CancelledError.class,
                    first::await));
            return null;
        });
    }

    // ---- generators, nested and suspended ------------------------------------------------------

    private final AtomicReference<Captured> stackForInner = new AtomicReference<>();

    private void innerBody(AsyncGenerator.Yield<Integer, Void> y) {
        stackForInner.set(captureTestStack());
        y.yield(1);
    }

    private void outerBody(AsyncGenerator.Yield<Integer, Void> y) {
        for (int i : AsyncGenerator.<Integer, Void>of(this::innerBody)) {
            y.yield(i);
        }
    }

    private Void nestedMain() {
        for (int i : AsyncGenerator.<Integer, Void>of(this::outerBody)) {
            assertEquals(1, i);
        }
        return null;
    }

    @Test
    void nestedGeneratorsShowEveryBodysFramesInnermostFirst() {
        Aio.run(this::nestedMain);
        assertEquals(node("T<anon>", List.of("captureTestStack", "innerBody", "outerBody",
                "nestedMain"), List.of()), stackForInner.get().shape(),
                "three threads: the inner body's, the outer body's, the task's own");
    }

    private void parkedBody(AsyncGenerator.Yield<Integer, Void> y, AsyncFuture<Void> gate) {
        gate.await();
        y.yield(1);
    }

    @Test
    void aTaskSuspendedInAGeneratorsBodyShowsTheBodyFirst() {
        Aio.run(() -> {
            AsyncFuture<Void> gate = Aio.getRunningLoop().createFuture();
            Task<Void> consumer = Aio.createTask(() -> {
                for (int i : AsyncGenerator.<Integer, Void>of(y -> parkedBody(y, gate))) {
                    assertEquals(1, i);
                }
                return null;
            }, "consumer");
            Aio.sleep(0);
            Aio.sleep(0);
            List<String> frames = new ArrayList<>();
            for (StackTraceElement e : consumer.getStack()) {
                if (e.getClassName().startsWith(TestGraphPortTest.class.getName())) {
                    frames.add(e.getMethodName());
                }
            }
            // parkedBody, the generator's body lambda (same thread), then the task's coroutine
            // on its own thread, iterating the generator
            assertEquals("parkedBody", frames.get(0), frames.toString());
            assertEquals(3, frames.size(), "the body's thread, then the task's: " + frames);
            CallGraph g = CallGraph.capture(gate);
            assertEquals("consumer", ((Task<?>) g.awaitedBy().get(0).future()).getName(),
                    "the task awaits the gate from inside the generator's body");
            gate.setResult(null);
            return consumer.await();
        });
    }
}
