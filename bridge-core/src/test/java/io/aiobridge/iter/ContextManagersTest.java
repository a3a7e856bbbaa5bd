package io.aiobridge.iter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncContextManager;
import io.aiobridge.AsyncExitStack;
import io.aiobridge.sync.AsyncLock;
import io.aiobridge.testing.Loops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextManagersTest {

    @Test
    void exitStackUnwindsLifoAndChainsReplacedExceptions() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            IllegalStateException first = new IllegalStateException("from the second exit");
            RuntimeException second = assertThrows(RuntimeException.class,
                    () -> AsyncContextManager.with(new AsyncExitStack(), stack -> {
                        stack.callback(() -> {
                            log.add("exit 1 (first pushed, last run)");
                            return null;
                        });
                        stack.push(e -> {
                            log.add("exit 2 sees " + e.getMessage());
                            throw new RuntimeException("from exit 3's view");
                        });
                        stack.push(e -> {
                            log.add("exit 3 sees " + (e == null ? "nothing" : e.getMessage()));
                            throw first;
                        });
                        return null;
                    }));
            assertEquals("from exit 3's view", second.getMessage());
            assertSame(first, second.getSuppressed()[0], "the replaced exception is chained");
            return null;
        });
        assertEquals(List.of("exit 3 sees nothing", "exit 2 sees from the second exit",
                "exit 1 (first pushed, last run)"), log);
    }

    @Test
    void exitStackSuppressionAndPopAll() {
        Loops.virtual(() -> {
            String r = AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.push(e -> e instanceof IllegalArgumentException);
                throw new IllegalArgumentException("suppressed by the stack");
            });
            assertNull(r);
            List<String> log = new ArrayList<>();
            AsyncExitStack stack = new AsyncExitStack();
            stack.callback(() -> log.add("closed later"));
            AsyncExitStack kept = stack.popAll();
            stack.aclose();
            assertEquals(List.of(), log, "popAll moved the callback away");
            kept.aclose();
            assertEquals(List.of("closed later"), log);
            return null;
        });
    }

    @Test
    void enterAsyncContextAndLocksAsContextManagers() {
        Loops.virtual(() -> {
            AsyncLock lock = new AsyncLock();
            AsyncContextManager.with(new AsyncExitStack(), stack -> {
                stack.enterAsyncContext(lock);
                assertTrue(lock.locked());
                return null;
            });
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    void generatorContextManagerEntersExitsAndMaySuppress() {
        List<String> log = new ArrayList<>();
        Loops.virtual(() -> {
            GeneratorContextManager<String> cm = GeneratorContextManager.of(y -> {
                log.add("enter");
                try {
                    y.yield("resource");
                } catch (IllegalArgumentException e) {
                    log.add("handled " + e.getMessage()); // finishing = suppressing
                } finally {
                    log.add("exit");
                }
            });
            assertEquals("RESOURCE", AsyncContextManager.with(cm, String::toUpperCase));
            assertNull(AsyncContextManager.with(cm, v -> {
                throw new IllegalArgumentException("bad");
            }));
            IllegalStateException passes = new IllegalStateException("not handled");
            assertSame(passes, assertThrows(IllegalStateException.class,
                    () -> AsyncContextManager.with(cm, v -> {
                        Aio.sleep(0);
                        throw passes;
                    })));
            GeneratorContextManager<String> twice = GeneratorContextManager.of(y -> {
                y.yield("a");
                y.yield("b");
            });
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> AsyncContextManager.with(twice, v -> v));
            assertEquals("generator didn't stop", e.getMessage());
            return null;
        });
        assertEquals(List.of("enter", "exit", "enter", "handled bad", "exit", "enter", "exit"),
                log);
    }
}
