package io.aiobridge.bench.http

import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.reactor.awaitSingle
import kotlinx.coroutines.withTimeout
import org.springframework.web.bind.annotation.GetMapping
import org.springframework.web.bind.annotation.RestController

/** Kotlin suspend handlers: Spring's own coroutine support (kotlinx-coroutines-reactor). */
@RestController
class KotlinEndpoints {
    @GetMapping("/kotlin/hello")
    suspend fun hello(): Map<String, Any> = HttpBenchApplication.hello()

    @GetMapping("/kotlin/quote")
    suspend fun quote(): Map<String, Any> = withTimeout(HttpBenchApplication.TIMEOUT.toMillis()) {
        coroutineScope {
            val price = async { HttpBenchApplication.upstream("12.5").awaitSingle() }
            val name = async { HttpBenchApplication.upstream("acme").awaitSingle() }
            mapOf("price" to price.await(), "name" to name.await())
        }
    }
}
