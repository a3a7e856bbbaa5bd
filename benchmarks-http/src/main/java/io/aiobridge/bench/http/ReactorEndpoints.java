package io.aiobridge.bench.http;

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Plain Reactor: the baseline. */
@RestController
public class ReactorEndpoints {
    @GetMapping("/reactor/hello")
    Mono<Map<String, Object>> hello() {
        return Mono.fromSupplier(HttpBenchApplication::hello);
    }

    @GetMapping("/reactor/quote")
    Mono<Map<String, Object>> quote() {
        return Mono.zip(HttpBenchApplication.upstream("12.5"), HttpBenchApplication.upstream("acme"))
                .timeout(HttpBenchApplication.TIMEOUT)
                .map(t -> Map.of("price", t.getT1(), "name", t.getT2()));
    }
}
