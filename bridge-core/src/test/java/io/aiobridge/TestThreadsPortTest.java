package io.aiobridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_threads.py} ({@code asyncio.to_thread}), case
 * by case. {@code test_to_thread_args_kwargs} is Python's calling convention (a lambda captures
 * the arguments here) and {@code test_to_thread_optimization_path} mocks the executor call.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestThreadsPortTest {

    @Test
    void test_to_thread() {
        assertEquals(42, Aio.run(() -> Aio.toThread(() -> List.of(40, 2).stream()
                .mapToInt(Integer::intValue).sum())));
    }

    @Test
    void test_to_thread_exception() {
        IllegalStateException test = new IllegalStateException("test");
        Aio.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Aio.toThread(() -> {
                        throw test;
                    }));
            assertSame(test, e, "the function's own exception, not a wrapper");
            return null;
        });
    }

    @Test
    void test_to_thread_once() {
        AtomicInteger calls = new AtomicInteger();
        Aio.run(() -> Aio.toThread(calls::incrementAndGet));
        assertEquals(1, calls.get());
    }

    @Test
    void test_to_thread_concurrent() {
        AtomicInteger calls = new AtomicInteger();
        Aio.run(() -> {
            List<Task<Integer>> futs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futs.add(Aio.createTask(() -> Aio.toThread(calls::incrementAndGet)));
            }
            Aio.gather(futs).await();
            return null;
        });
        assertEquals(10, calls.get());
    }

    @Test
    void test_to_thread_contextvars() {
        ContextVar<String> testCtx = new ContextVar<>("test_ctx");
        Aio.run(() -> {
            testCtx.set("parrot");
            Thread loopThread = Thread.currentThread();
            assertEquals("parrot", Aio.toThread(testCtx::get));
            assertNotEquals(loopThread, Aio.toThread(Thread::currentThread));
            return null;
        });
    }
}
