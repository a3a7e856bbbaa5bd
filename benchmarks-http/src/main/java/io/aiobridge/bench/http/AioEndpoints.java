package io.aiobridge.bench.http;

import io.aiobridge.Aio;
import io.aiobridge.Coroutine;
import io.aiobridge.reactor.ReactorAwait;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** aiobridge: coroutines returned to Spring (bridge-spring runs each as a task). */
@RestController
public class AioEndpoints {
    private static final double TIMEOUT = HttpBenchApplication.TIMEOUT.toNanos() / 1e9;

    @GetMapping("/aio/hello")
    Coroutine<Map<String, Object>> hello() {
        return HttpBenchApplication::hello;
    }

    @GetMapping("/aio/quote")
    Coroutine<Map<String, Object>> quote() {
        return () -> {
            // two futures, not two tasks: the Monos are subscribed at once and gathered
            List<String> both = Aio.timeout(TIMEOUT, () -> Aio.gather(
                    ReactorAwait.future(HttpBenchApplication.upstream("12.5")),
                    ReactorAwait.future(HttpBenchApplication.upstream("acme"))).await());
            return Map.of("price", both.get(0), "name", both.get(1));
        };
    }
}
