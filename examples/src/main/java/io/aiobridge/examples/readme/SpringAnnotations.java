package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.Coroutine;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.reactor.ReactorAwait;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * The README's "Beyond handlers" example, compiled and run: a Spring service whose coroutines are
 * transactional (R2DBC over an in-memory H2), cached and scheduled.
 */
@SpringBootApplication(scanBasePackageClasses = SpringAnnotations.NoScan.class)
@EnableTransactionManagement
@EnableCaching
@EnableScheduling
@Import(SpringAnnotations.Bank.class)
public class SpringAnnotations {
    static final class NoScan {}

    /** An in-memory database with two accounts. */
    @Bean
    ConnectionFactory connectionFactory() {
        ConnectionFactory db = ConnectionFactories.get("r2dbc:h2:mem:///bank-"
                + System.nanoTime() + "?options=DB_CLOSE_DELAY=-1");
        DatabaseClient.create(db).sql("CREATE TABLE account (name VARCHAR(16) PRIMARY KEY,"
                + " balance BIGINT); INSERT INTO account VALUES ('alice', 100), ('bob', 0)")
                .then().block(); // on the main thread, before any loop runs
        return db;
    }

    @Bean
    R2dbcTransactionManager transactionManager(ConnectionFactory db) {
        return new R2dbcTransactionManager(db);
    }

    @Bean
    DatabaseClient databaseClient(ConnectionFactory db) {
        return DatabaseClient.create(db);
    }

    /** Accounts in a table; what the README shows. */
    public static class Bank {
        private final DatabaseClient db;
        private final List<String> reports = new CopyOnWriteArrayList<>();
        private final AtomicInteger ratesFetched = new AtomicInteger();

        public Bank(DatabaseClient db) {
            this.db = db;
        }

        // tag::spring-annotations[]
        @Transactional // commits when the coroutine returns, rolls back when it throws
        public Coroutine<Void> transfer(String from, String to, long amount) {
            return () -> {
                add(from, -amount);
                if (balance(from) < 0) {
                    throw new IllegalStateException(from + " cannot pay " + amount);
                }
                add(to, amount);
                return null;
            };
        }

        @Cacheable("rates") // the second call for a currency does not run the body
        public Coroutine<Double> rate(String currency) {
            return () -> {
                ratesFetched.incrementAndGet();
                Aio.sleep(0.05);                           // a slow upstream call
                return currency.equals("EUR") ? 1.0 : 1.1;
            };
        }

        @Scheduled(fixedDelay = 60_000) // a fixed delay counts from the coroutine's end
        public Coroutine<Void> report() {
            return () -> {
                reports.add("alice " + balance("alice") + ", bob " + balance("bob"));
                return null;
            };
        }

        private void add(String name, long amount) { // both awaits join the transaction
            ReactorAwait.awaitSingle(db.sql("UPDATE account SET balance = balance + :a"
                    + " WHERE name = :n").bind("a", amount).bind("n", name).fetch().rowsUpdated());
        }
        // end::spring-annotations[]

        /**
         * An account's balance.
         *
         * @param name the account
         * @return its balance
         */
        public long balance(String name) {
            return ReactorAwait.awaitSingle(db.sql("SELECT balance FROM account WHERE name = :n")
                    .bind("n", name).map(row -> row.get("balance", Long.class)).one());
        }

        /**
         * What the scheduled job reported (a method: Spring's proxy has no state of its own).
         *
         * @return the reports
         */
        public List<String> reports() {
            return reports;
        }

        /**
         * How many times a rate was fetched rather than read from the cache.
         *
         * @return the count
         */
        public int ratesFetched() {
            return ratesFetched.get();
        }
    }

    /**
     * Waits for the scheduled report, makes a transfer that commits and one that rolls back, asks
     * for a rate twice, and returns what happened, line by line.
     *
     * @return the log
     * @throws Exception if the application fails
     */
    public static List<String> run() throws Exception {
        SpringApplication app = new SpringApplication(SpringAnnotations.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext ctx = app.run("--aiobridge.loops=1",
                "--logging.level.root=warn", "--spring.main.banner-mode=off")) {
            Bank bank = ctx.getBean(Bank.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (bank.reports().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5); // the first report runs as the application starts
            }
            List<String> log = new ArrayList<>(List.of("report: " + bank.reports()));
            log.addAll(ctx.getBean(EventLoopGroup.class).submit(() -> {
                List<String> lines = new ArrayList<>();
                bank.transfer("alice", "bob", 30).call();
                lines.add("after 30: alice " + bank.balance("alice") + ", bob "
                        + bank.balance("bob"));
                try {
                    bank.transfer("alice", "bob", 500).call();
                } catch (IllegalStateException e) {
                    lines.add(e.getMessage() + ": alice " + bank.balance("alice") + ", bob "
                            + bank.balance("bob"));
                }
                double first = bank.rate("USD").call();
                double second = bank.rate("USD").call();
                lines.add("rate " + first + ", " + second + ", fetched "
                        + bank.ratesFetched() + " time(s)");
                return lines;
            }).get(30, TimeUnit.SECONDS));
            return log;
        }
    }

    public static void main(String[] args) throws Exception {
        run().forEach(System.out::println);
    }
}
