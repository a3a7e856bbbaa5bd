package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class ContextVarTest {

    @Test
    void setGetResetWithTokens() throws Exception {
        ContextVar<String> v = new ContextVar<>("v");
        new Context().run(() -> {
            NoSuchElementException e = assertThrows(NoSuchElementException.class, v::get);
            assertTrue(e.getMessage().contains("'v'"));
            assertEquals("fallback", v.get("fallback"));
            ContextVar.Token<String> t1 = v.set("one");
            assertFalse(t1.hadOldValue());
            ContextVar.Token<String> t2 = v.set("two");
            assertEquals("two", v.get());
            v.reset(t2);
            assertEquals("one", v.get());
            IllegalStateException used = assertThrows(IllegalStateException.class,
                    () -> v.reset(t2));
            assertTrue(used.getMessage().contains("already been used"));
            v.reset(t1);
            assertThrows(NoSuchElementException.class, v::get);
            ContextVar<String> other = new ContextVar<>("other");
            ContextVar.Token<String> t3 = other.set("x");
            @SuppressWarnings({"unchecked", "rawtypes"})
            ContextVar.Token<String> wrong = (ContextVar.Token) t3;
            assertThrows(IllegalArgumentException.class, () -> v.reset(wrong));
            return null;
        });
    }

    @Test
    void aSnapshotKeepsTheOrderOfFirstSettingAndNullValuesAndCannotBeChanged() {
        ContextVar<String> a = new ContextVar<>("a");
        ContextVar<String> b = new ContextVar<>("b");
        ContextVar<String> c = new ContextVar<>("c");
        Context ctx = new Context();
        assertEquals(Map.of(), ctx.snapshot());
        ctx.run(() -> a.set(null));
        Map<ContextVar<?>, Object> one = ctx.snapshot();
        assertEquals(List.of(a), List.copyOf(one.keySet()));
        assertTrue(one.containsKey(a) && one.get(a) == null, one.toString());
        ctx.run(() -> {
            b.set("2");
            c.set("3");
            a.set("1"); // changes a's value, not its place
        });
        Map<ContextVar<?>, Object> three = ctx.snapshot();
        assertEquals(List.of(a, b, c), List.copyOf(three.keySet()));
        assertEquals(Arrays.asList("1", "2", "3"), List.copyOf(three.values()));
        assertEquals(List.of(a), List.copyOf(one.keySet()), "an earlier snapshot is unchanged");
        assertEquals(three, ctx.snapshot());
        assertThrows(UnsupportedOperationException.class, () -> three.put(a, "x"));
        assertThrows(UnsupportedOperationException.class, () -> one.put(b, "x"));
    }

    @Test
    void copiesAreIndependentAndRunRestoresTheCurrentContext() throws Exception {
        ContextVar<Integer> v = new ContextVar<>("n", 0);
        Context a = new Context();
        a.run(() -> v.set(1));
        Context b = a.copy();
        b.run(() -> v.set(2));
        assertEquals(1, v.getIn(a));
        assertEquals(2, v.getIn(b));
        Context before = Context.current();
        a.run(() -> {
            assertEquals(1, v.get());
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> a.run(() -> { }));
            assertTrue(twice.getMessage().contains("already entered"));
        });
        assertTrue(Context.current() == before);
        assertEquals(1, a.size());
        assertTrue(a.contains(v));
    }

    @Test
    void callbacksRunInTheContextCapturedWhenScheduled() {
        ContextVar<String> v = new ContextVar<>("v", "default");
        List<String> seen = new ArrayList<>();
        Loops.virtual(() -> {
            EventLoop loop = Aio.getRunningLoop();
            v.set("at schedule time");
            loop.callSoon(() -> seen.add(v.get()));
            v.set("later");
            Context explicit = new Context();
            loop.callSoon(() -> seen.add(v.get()), explicit);
            Aio.sleep(0);
            assertEquals("later", v.get(), "callbacks do not disturb the task's context");
            return null;
        });
        assertEquals(List.of("at schedule time", "default"), seen);
    }

    @Test
    void contextRunInsideATaskSurvivesSuspension() {
        ContextVar<String> v = new ContextVar<>("v", "task");
        Loops.virtual(() -> {
            Context other = new Context();
            Task<Void> noise = Aio.createTask(() -> {
                v.set("noise");
                Aio.sleep(0);
                return null;
            });
            String inside = other.run(() -> {
                v.set("other");
                Aio.sleep(0); // other tasks run meanwhile
                return v.get();
            });
            assertEquals("other", inside);
            assertEquals("task", v.get());
            noise.await();
            return null;
        });
    }

    /**
     * A task's context is a copy made when the task is created (asyncio's copy_context()), even
     * though the object is made only when something first asks for it.
     */
    @Test
    void aTaskSeesItsCreatorsValuesAsTheyWereWhenItWasCreated() throws Exception {
        ContextVar<String> v = new ContextVar<>("v", "default");
        List<String> seen = new ArrayList<>();
        Loops.virtual(() -> {
            v.set("before");
            Task<Void> child = Aio.createTask(() -> {
                seen.add("child " + v.get());
                Task<Void> grandchild = Aio.createTask(() -> {
                    seen.add("grandchild " + v.get());
                    return null;
                });
                v.set("child's");
                grandchild.await();
                seen.add("child " + v.get());
                return null;
            });
            v.set("after"); // the child's copy is already taken
            child.await();
            seen.add("parent " + v.get());
            assertEquals("child's", v.getIn(child.getContext()));
            return null;
        });
        assertEquals(List.of("child before", "grandchild before", "child child's",
                "parent after"), seen);
    }

    /** getContext() from another thread and the task's own code get one and the same context. */
    @Test
    void aTasksContextIsOneObjectWhoeverAsksFirst() throws Exception {
        ContextVar<String> v = new ContextVar<>("v", "default");
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Void> gate = loop.createFuture();
            Task<Context> t = loop.createTask(() -> {
                gate.await();
                v.set("set inside");
                return Context.current();
            });
            Context[] fromOutside = new Context[1];
            Thread outside = Thread.ofPlatform().start(() -> fromOutside[0] = t.getContext());
            loop.callLater(0.01, () -> gate.setResult(null));
            Context inside = loop.runUntilComplete(t);
            outside.join();
            assertTrue(inside == fromOutside[0] && inside == t.getContext());
            assertEquals("set inside", v.getIn(t.getContext()));
        }
    }

    /**
     * CPython's test_tasks.test_context_4 and test_get_context: tasks given a context run in that
     * very context (no copy), so what each sets is seen in it afterwards, and get_context() is it.
     */
    @Test
    void tasksGivenAContextRunInItAndLeaveTheirValuesThere() throws Exception {
        ContextVar<Integer> cvar = new ContextVar<>("cvar");
        List<Integer> ret = Loops.virtual(() -> {
            List<Integer> seen = new ArrayList<>();
            Context ctx = Context.copyCurrent();
            seen.add(cvar.getIn(ctx));
            for (int val = 1; val <= 2; val++) {
                int v = val;
                Task<Void> t = Aio.createTask(() -> {
                    Aio.sleep(0);
                    cvar.set(v);
                    return null;
                }, null, ctx);
                assertTrue(t.getContext() == ctx);
                t.await();
                seen.add(cvar.getIn(ctx));
            }
            return seen;
        });
        assertEquals(Arrays.asList(null, 1, 2), ret);
    }

    @Test
    void aTokenIsAResourceThatResetsAndKnowsTheOldValue() {
        // CPython's test_context: Token.var, Token.old_value (Token.MISSING), and 3.14's
        // "with var.set(x):", which resets at the end of the block
        Loops.virtual(() -> {
            ContextVar<String> v = new ContextVar<>("v");
            try (ContextVar.Token<String> t = v.set("first")) {
                assertEquals(v, t.var());
                assertFalse(t.hadOldValue());
                NoSuchElementException missing = assertThrows(NoSuchElementException.class,
                        t::oldValue);
                assertTrue(missing.getMessage().startsWith("Token.MISSING"),
                        missing.getMessage());
                assertEquals("first", v.get());
                try (ContextVar.Token<String> inner = v.set("second")) {
                    assertTrue(inner.hadOldValue());
                    assertEquals("first", inner.oldValue());
                    assertEquals("second", v.get());
                }
                assertEquals("first", v.get(), "the inner block restored the outer value");
            }
            assertThrows(NoSuchElementException.class, v::get);
            ContextVar.Token<String> used = v.set("x");
            v.reset(used);
            IllegalStateException twice = assertThrows(IllegalStateException.class, used::close);
            assertTrue(twice.getMessage().contains("has already been used once"),
                    twice.getMessage());
            return null;
        });
    }
}
