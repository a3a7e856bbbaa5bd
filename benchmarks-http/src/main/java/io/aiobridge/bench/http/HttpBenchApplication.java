package io.aiobridge.bench.http;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import reactor.core.publisher.Mono;

/**
 * The HTTP benchmark's server: the same two endpoints written three ways, in one application, so
 * the server, codecs and JVM are the same for each.
 *
 * <ul>
 *   <li>{@code /STYLE/hello}: a small JSON reply;
 *   <li>{@code /STYLE/quote}: two in-process upstream calls ({@code Mono.delay} of 5 ms, awaited,
 *       never blocked) at once under a 1 s timeout, then a JSON reply.
 * </ul>
 *
 * <p>STYLE is {@code reactor} (a Mono chain), {@code aio} (an aiobridge coroutine returned to
 * Spring through bridge-spring) or {@code kotlin} (Kotlin {@code suspend} functions, Spring's own
 * coroutine support). benchmarks/run.sh starts it pinned to one core and drives it with wrk.
 */
@SpringBootApplication
public class HttpBenchApplication {
    /** The upstream delay. */
    static final Duration UPSTREAM_DELAY = Duration.ofMillis(5);
    /** The quote's time limit. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    /** The small reply. */
    static Map<String, Object> hello() {
        return Map.of("message", "hello", "id", 42);
    }

    /** An upstream call: a value after 5 ms, on Reactor's timer. */
    static Mono<String> upstream(String value) {
        return Mono.delay(UPSTREAM_DELAY).map(tick -> value);
    }

    public static void main(String[] args) {
        SpringApplication.run(HttpBenchApplication.class, args);
    }
}
