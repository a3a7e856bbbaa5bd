package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.AsyncIterable;
import io.aiobridge.CancelledError;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.Task;
import io.aiobridge.reactor.ReactorAwait;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.reactive.AbstractReactiveTransactionManager;
import org.springframework.transaction.reactive.GenericReactiveTransaction;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import reactor.core.publisher.Mono;

/**
 * Spring's annotations beyond WebFlux with a {@link Coroutine} as the return type, as Spring runs
 * a Kotlin {@code suspend} function or a {@code Mono} there: {@code @Scheduled},
 * {@code @EventListener}, {@code @Cacheable} and {@code @Transactional} (with a reactive
 * transaction manager). Spring reaches each through the shared {@code ReactiveAdapterRegistry},
 * where bridge-spring registers the project's types; the coroutine runs as a task on the
 * application's loop group. Each test checks what Spring's own tests of those annotations check
 * for a {@code Mono} (ScheduledAnnotationReactiveSupportTests, the reactive transaction aspect's
 * tests, the reactive caching tests): a fixed delay waits for the coroutine's end, a failure is
 * reported and the schedule goes on, a listener's result is published, a cached value skips the
 * body, a transaction commits on success and rolls back on failure and on cancellation.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ExtendWith(OutputCaptureExtension.class)
class SpringAnnotationsTest {
    private static final long WAIT_SECONDS = 10;

    static ConfigurableApplicationContext ctx;
    static EventLoopGroup group;
    static Service service;

    @SpringBootApplication(scanBasePackageClasses = App.NoScan.class)
    @EnableScheduling
    @EnableCaching
    @EnableTransactionManagement
    @Import(Service.class)
    static class App {
        static final class NoScan {}

        @Bean
        RecordingTransactions transactionManager() {
            return new RecordingTransactions();
        }
    }

    /** What the beans saw, per feature. */
    static final CopyOnWriteArrayList<String> TICKS = new CopyOnWriteArrayList<>();
    static final CopyOnWriteArrayList<String> FAILING_TICKS = new CopyOnWriteArrayList<>();
    static final CopyOnWriteArrayList<String> LONG_JOB = new CopyOnWriteArrayList<>();
    static final CopyOnWriteArrayList<String> LISTENED = new CopyOnWriteArrayList<>();
    static final CopyOnWriteArrayList<String> TX = new CopyOnWriteArrayList<>();
    static final AtomicInteger SQUARES_COMPUTED = new AtomicInteger();
    static final AtomicInteger COUNTDOWNS_RUN = new AtomicInteger();
    static final AtomicInteger CUBES_COMPUTED = new AtomicInteger();

    record Greeting(String name) {}

    record Answer(String text) {}

    public static class Service {
        private final EventLoopGroup group;

        public Service(EventLoopGroup group) {
            this.group = group;
        }

        /** A fixed delay: Spring waits for the coroutine's end before it counts the delay. */
        @Scheduled(fixedDelay = 10)
        public Coroutine<Void> tick() {
            return () -> {
                if (TICKS.size() >= 12) {
                    return null; // enough for the test; the schedule goes on
                }
                TICKS.add("start on group " + group.inGroup());
                Aio.sleep(0.02);
                TICKS.add("end");
                return null;
            };
        }

        /** Fails every other run: Spring reports the failure and keeps the schedule. */
        @Scheduled(fixedDelay = 10)
        public Coroutine<Void> failingTick() {
            return () -> {
                if (FAILING_TICKS.size() >= 4) {
                    return null;
                }
                FAILING_TICKS.add("run " + FAILING_TICKS.size());
                Aio.sleep(0);
                if (FAILING_TICKS.size() % 2 == 1) {
                    throw new IllegalStateException("a scheduled coroutine failing on purpose");
                }
                return null;
            };
        }

        /** A fixed rate does not wait: this job is still asleep when the context closes. */
        @Scheduled(fixedRate = 600_000)
        public Coroutine<Void> longJob() {
            return () -> {
                LONG_JOB.add("started");
                try {
                    Aio.sleep(600);
                } catch (CancelledError e) {
                    LONG_JOB.add("cancelled");
                    throw e;
                } finally {
                    LONG_JOB.add("finally");
                }
                return null;
            };
        }

        /** A listener's coroutine runs on the group; its result is published as an event. */
        @EventListener
        public Coroutine<Answer> onGreeting(Greeting g) {
            return () -> {
                LISTENED.add("greeting " + g.name() + " on group " + group.inGroup());
                Aio.sleep(0.01);
                return new Answer("hello " + g.name());
            };
        }

        @EventListener
        public void onAnswer(Answer a) {
            LISTENED.add("answer " + a.text());
        }

        /** Cached by the value the coroutine returns; a failure is not cached. */
        @Cacheable("squares")
        public Coroutine<Integer> square(int n) {
            return () -> {
                SQUARES_COMPUTED.incrementAndGet();
                Aio.sleep(0.01);
                if (n < 0) {
                    throw new IllegalArgumentException("no square of a negative number here");
                }
                return n * n;
            };
        }

        /** With {@code sync}, callers that miss at once share one run of the body. */
        @Cacheable(cacheNames = "cubes", sync = true)
        public Coroutine<Integer> cube(int n) {
            return () -> {
                CUBES_COMPUTED.incrementAndGet();
                Aio.sleep(0.05);
                return n * n * n;
            };
        }

        /** A generator's items, collected into the cache once. */
        @Cacheable("countdowns")
        public AsyncIterable<Integer> countdown(int from) {
            return AsyncGenerator.of(y -> {
                COUNTDOWNS_RUN.incrementAndGet();
                for (int i = from; i > 0; i--) {
                    Aio.sleep(0);
                    y.yield(i);
                }
            });
        }

        /** A generator in a transaction: it commits once the generator is done. */
        @Transactional
        public AsyncIterable<String> rows(boolean fail) {
            return AsyncGenerator.of(y -> {
                boolean active = ReactorAwait.awaitSingle(
                        TransactionSynchronizationManager.forCurrentTransaction()
                                .map(TransactionSynchronizationManager::isActualTransactionActive));
                TX.add("generator: transaction active " + active);
                y.yield("row 1");
                if (fail) {
                    throw new IllegalStateException("row 2 failed on purpose");
                }
                y.yield("row 2");
                TX.add("generator: done");
            });
        }

        /** A future runs before Spring could begin a transaction: refused, with what to do. */
        @Transactional
        public AsyncFuture<String> eagerTransfer() {
            TX.add("eager body ran");
            return null;
        }

        /** Runs in a transaction that commits when the coroutine returns. */
        @Transactional
        public Coroutine<String> transfer(String how) {
            return () -> {
                boolean active = ReactorAwait.awaitSingle(
                        TransactionSynchronizationManager.forCurrentTransaction()
                                .map(TransactionSynchronizationManager::isActualTransactionActive));
                TX.add("body: transaction active " + active);
                try {
                    Aio.sleep("hang".equals(how) ? 600 : 0.01);
                } catch (CancelledError e) {
                    TX.add("body: cancelled");
                    throw e;
                }
                if ("fail".equals(how)) {
                    throw new IllegalStateException("transfer failed on purpose");
                }
                return "transferred";
            };
        }
    }

    /** A reactive transaction manager that records what Spring asks of it. */
    static final class RecordingTransactions extends AbstractReactiveTransactionManager {
        @Override
        protected Object doGetTransaction(TransactionSynchronizationManager sync) {
            return new Object();
        }

        @Override
        protected Mono<Void> doBegin(TransactionSynchronizationManager sync, Object tx,
                TransactionDefinition definition) {
            return Mono.fromRunnable(() -> TX.add("begin"));
        }

        @Override
        protected Mono<Void> doCommit(TransactionSynchronizationManager sync,
                GenericReactiveTransaction status) {
            return Mono.fromRunnable(() -> TX.add("commit"));
        }

        @Override
        protected Mono<Void> doRollback(TransactionSynchronizationManager sync,
                GenericReactiveTransaction status) {
            return Mono.fromRunnable(() -> TX.add("rollback"));
        }
    }

    @BeforeAll
    static void start() {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        ctx = app.run("--aiobridge.loops=2", "--aiobridge.name=annotations");
        group = ctx.getBean(EventLoopGroup.class);
        service = ctx.getBean(Service.class);
    }

    @AfterAll
    static void stop() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @BeforeEach
    void clear() {
        TX.clear();
        LISTENED.clear();
    }

    @Test
    void aFixedDelayScheduleRunsTheCoroutineOnTheGroupOneRunAtATime() throws Exception {
        waitFor(() -> TICKS.size() >= 12, "six scheduled runs");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            expected.add("start on group true");
            expected.add("end");
        }
        // a fixed delay counts from the coroutine's end, so runs never overlap
        assertEquals(expected, List.copyOf(TICKS).subList(0, 12));
    }

    @Test
    void aFailingScheduledCoroutineDoesNotStopItsSchedule() throws Exception {
        waitFor(() -> FAILING_TICKS.size() >= 4, "four runs, two of them failing");
        assertEquals(List.of("run 0", "run 1", "run 2", "run 3"), List.copyOf(FAILING_TICKS));
    }

    @Test
    void aListenersCoroutineRunsOnTheGroupAndItsResultIsPublished() throws Exception {
        ctx.publishEvent(new Greeting("ada"));
        waitFor(() -> LISTENED.size() >= 2, "the listener and the answer");
        assertEquals(List.of("greeting ada on group true", "answer hello ada"),
                List.copyOf(LISTENED));
    }

    @Test
    void aCachedCoroutineResultSkipsTheBodyAndAFailureIsNotCached() throws Exception {
        int before = SQUARES_COMPUTED.get();
        assertEquals(49, group.submit(() -> service.square(7).call()).get(WAIT_SECONDS,
                TimeUnit.SECONDS));
        assertEquals(49, group.submit(() -> service.square(7).call()).get(WAIT_SECONDS,
                TimeUnit.SECONDS));
        assertEquals(before + 1, SQUARES_COMPUTED.get(), "the second call came from the cache");

        for (int i = 0; i < 2; i++) {
            ExecutionException e = assertThrows(
                    ExecutionException.class, () -> group.submit(() -> service.square(-1).call())
                            .get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
        }
        assertEquals(before + 3, SQUARES_COMPUTED.get(), "a failure is computed again");
    }

    @Test
    void aSynchronizedCacheRunsTheCoroutineOnceForCallersThatMissAtOnce() throws Exception {
        List<Integer> cubes = group.submit(() -> Aio.gather(
                () -> service.cube(3).call(), () -> service.cube(3).call(),
                () -> service.cube(3).call()).await()).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of(27, 27, 27), cubes);
        assertEquals(1, CUBES_COMPUTED.get(), "three callers, one run");
    }

    @Test
    void aCachedGeneratorIsCollectedOnceAndReplayed() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(List.of(3, 2, 1), group.submit(() -> {
                List<Integer> items = new ArrayList<>();
                for (int n : service.countdown(3)) {
                    items.add(n);
                }
                return items;
            }).get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(1, COUNTDOWNS_RUN.get(), "the second iteration came from the cache");
    }

    @Test
    void aTransactionalGeneratorCommitsAfterItsLastItem() throws Exception {
        assertEquals(List.of("row 1", "row 2"), group.submit(() -> {
            List<String> rows = new ArrayList<>();
            for (String row : service.rows(false)) {
                TX.add("consumer: " + row);
                rows.add(row);
            }
            return rows;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS));
        // the transaction ends with the generator, which runs ahead of its consumer by the
        // iteration's prefetch, as a Flux's transaction ends with the Flux
        assertEquals(List.of("begin", "generator: transaction active true", "generator: done",
                "commit"), TX.stream().filter(e -> !e.startsWith("consumer")).toList());
        assertEquals(List.of("consumer: row 1", "consumer: row 2"),
                TX.stream().filter(e -> e.startsWith("consumer")).toList());
    }

    @Test
    void aTransactionalGeneratorThatFailsRollsBackAfterDeliveringItsItems() throws Exception {
        List<String> rows = new CopyOnWriteArrayList<>();
        ExecutionException e = assertThrows(ExecutionException.class, () -> group.submit(() -> {
            for (String row : service.rows(true)) {
                rows.add(row);
            }
            return null;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals("row 2 failed on purpose", e.getCause().getMessage());
        assertEquals(List.of("row 1"), rows, "the item before the failure was delivered");
        assertEquals(List.of("begin", "generator: transaction active true", "rollback"),
                List.copyOf(TX));
    }

    @Test
    void aTransactionalMethodReturningAFutureIsRefusedWithWhatToReturnInstead() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> service.eagerTransfer());
        assertTrue(e.getMessage().contains("return a Coroutine"), e.getMessage());
        assertEquals(List.of(), List.copyOf(TX), "no transaction, and the method did not run");
    }

    @Test
    void aTransactionalCoroutineCommitsWhenItReturns() throws Exception {
        assertEquals("transferred", group.submit(() -> service.transfer("ok").call())
                .get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of("begin", "body: transaction active true", "commit"), List.copyOf(TX));
    }

    @Test
    void aTransactionalCoroutineThatFailsRollsBackAndTheCallerGetsItsError() throws Exception {
        ExecutionException e = assertThrows(
                ExecutionException.class, () -> group.submit(() -> service.transfer("fail")
                        .call()).get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("transfer failed on purpose", e.getCause().getMessage());
        assertEquals(List.of("begin", "body: transaction active true", "rollback"),
                List.copyOf(TX));
    }

    @Test
    void cancellingTheCallerCancelsTheTransactionalCoroutineAndRollsBack() throws Exception {
        CompletableFuture<Task<String>> caller = new CompletableFuture<>();
        group.next().callSoonThreadsafe(() -> caller.complete(
                Aio.createTask(() -> service.transfer("hang").call())));
        Task<String> task = caller.get(WAIT_SECONDS, TimeUnit.SECONDS);
        waitFor(() -> TX.contains("body: transaction active true"), "the body to start");
        task.getLoop().callSoonThreadsafe(task::cancel);
        waitFor(() -> TX.size() >= 4, "the rollback and the body's cancellation");
        // Reactor's usingWhen starts the rollback when it is cancelled, and the body's task
        // (perhaps on another loop) learns of its cancellation on its loop: either may come first,
        // as with a Mono.delay or a Kotlin mono { } as the body
        assertEquals(List.of("begin", "body: transaction active true"), List.copyOf(TX).subList(0, 2));
        assertEquals(Set.of("body: cancelled", "rollback"), Set.copyOf(TX.subList(2, 4)));
        assertEquals(4, TX.size(), "no commit");
        assertTrue(task.isCancelled(), "the caller ended cancelled, not failed");
    }

    @Test
    void closingTheContextCancelsAScheduledCoroutineStillRunningAsItsSubscriber(
            CapturedOutput output) throws Exception {
        waitFor(() -> LONG_JOB.contains("started"), "the long job to start");
        // the other schedules have recorded all they record, so a second context (whose group
        // is the default while it runs) cannot disturb what the other tests check
        waitFor(() -> TICKS.size() >= 12 && FAILING_TICKS.size() >= 4, "the other schedules");
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        LONG_JOB.clear();
        ConfigurableApplicationContext second = app.run("--aiobridge.loops=1",
                "--aiobridge.name=second");
        EventLoopGroup secondGroup = second.getBean(EventLoopGroup.class);
        try {
            waitFor(() -> LONG_JOB.contains("started"), "the second context's long job");
        } finally {
            long t0 = System.nanoTime();
            second.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(WAIT_SECONDS),
                    "the close did not wait for the job's 600 s");
        }
        assertEquals(List.of("started", "cancelled", "finally"), List.copyOf(LONG_JOB));
        // ended by its subscriber before the group closed, as Spring ends a Mono's run: not
        // reported as an error of the scheduled task
        assertFalse(output.getAll().contains("the source behind this publisher was cancelled"),
                output.getAll());
        assertTrue(secondGroup.isTerminated(), "the second context's group closed");
        assertTrue(EventLoopGroup.defaultGroup() == group, "the first context's group is the"
                + " default again");
    }

    private static void waitFor(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
