package io.aiobridge.examples.seeds;

import io.aiobridge.Aio;
import io.aiobridge.reactor.ReactorAwait;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import java.io.PrintStream;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The seed's aiomysql example with R2DBC over an embedded, in-memory H2 database: connect, run
 * {@code SELECT host, user FROM user}, close; two of these concurrently. Every step of the
 * database conversation is an await on an R2DBC Publisher.
 */
public final class SqlExample {
    private SqlExample() {}

    /** Creates the {@code user} table of the seed's query, with two rows. */
    static void createSchema(ConnectionFactory db) {
        Connection c = ReactorAwait.awaitSingle(Mono.from(db.create()));
        try {
            ReactorAwait.awaitCompletion(Flux.from(c.createBatch()
                    .add("CREATE TABLE IF NOT EXISTS \"user\" (host VARCHAR(64), \"user\" VARCHAR(64))")
                    .add("DELETE FROM \"user\"")
                    .add("INSERT INTO \"user\" VALUES ('localhost', 'root'), ('%', 'app')")
                    .execute()).flatMap(r -> r.getRowsUpdated()));
        } finally {
            ReactorAwait.awaitCompletion(c.close());
        }
    }

    /** {@code execute(host)} of the seed: the rows as "host user" strings. */
    static List<String> execute(ConnectionFactory db, String name, PrintStream out) {
        out.println("start " + name);
        Connection conn = ReactorAwait.awaitSingle(Mono.from(db.create()));   // await connect(...)
        try {
            List<String> rows = ReactorAwait.awaitList(Flux.from(conn
                    .createStatement("SELECT host, \"user\" FROM \"user\" ORDER BY \"user\"")
                    .execute())                                             // await cur.execute(...)
                    .flatMap(result -> result.map((row, meta) ->
                            row.get("host", String.class) + " " + row.get("user", String.class))));
            out.println(name + " " + rows);
            return rows;
        } finally {
            ReactorAwait.awaitCompletion(conn.close());                      // conn.close()
            out.println("end " + name);
        }
    }

    public static void main(String[] args) {
        ConnectionFactory db = ConnectionFactories.get("r2dbc:h2:mem:///seed;DB_CLOSE_DELAY=-1");
        Aio.run(() -> {
            createSchema(db);
            return Aio.gather(() -> execute(db, "first", System.out),
                    () -> execute(db, "second", System.out)).await();
        });
    }
}
