package io.aiobridge.bench.peers

import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.ExecutorCoroutineDispatcher
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.reactive.asFlow
import kotlinx.coroutines.reactive.awaitSingle
import kotlinx.coroutines.reactor.flux
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield
import org.reactivestreams.Publisher
import reactor.core.publisher.Mono
import java.util.concurrent.Executors
import java.util.function.IntFunction
import java.util.function.LongSupplier

/**
 * The kotlinx-coroutines side of each workload, as plain functions the Java JMH classes call.
 * Each runs on `runBlocking`'s event loop: kotlinx's single-threaded dispatcher, on the calling
 * thread, as aiobridge's benchmarks run their loop with `runUntilComplete` on the calling thread.
 */
object KotlinPeers {
    /** `yield()` round trips, spread over `tasks` coroutines taking turns. */
    @JvmStatic
    fun yieldRoundTrips(tasks: Int, roundTrips: Int): Int = runBlocking {
        val perTask = roundTrips / tasks
        val jobs = List(tasks) {
            async {
                repeat(perTask) { yield() }
                perTask
            }
        }
        jobs.sumOf { it.await() }
    }

    /** `launch { }` then `join()`, one after another. */
    @JvmStatic
    fun launchJoin(joins: Int): Long = runBlocking {
        var sum = 0L
        for (i in 0 until joins) {
            launch { sum += i }.join()
        }
        sum
    }

    /**
     * Live-heap growth with `n` coroutines suspended on one deferred, as `MemoryPerTask` does for
     * tasks: `live` reads the live heap (a full GC first).
     */
    @JvmStatic
    fun suspendedBytes(n: Int, live: LongSupplier): Long = runBlocking {
        val gate = CompletableDeferred<Unit>()
        val before = live.asLong
        val jobs = List(n) { launch { gate.await() } }
        yield() // every coroutine runs to its await
        val after = live.asLong
        check(jobs.none { it.isCompleted }) { "a coroutine finished early" }
        gate.complete(Unit)
        jobs.joinAll()
        after - before
    }

    /** kotlinx's `flux { }` builder emitting 0 until n (on Dispatchers.Default, its default). */
    @JvmStatic
    fun fluxBuilder(n: Int): Publisher<Long> = flux {
        for (i in 0 until n) {
            send(i.toLong())
        }
    }

    /** A publisher collected through `asFlow()` in a coroutine. */
    @JvmStatic
    fun collectAsFlow(publisher: Publisher<Int>): Long = runBlocking {
        var sum = 0L
        publisher.asFlow().collect { sum += it }
        sum
    }

    /** `awaitSingle()` on the same Mono, `times` times in a row. */
    @JvmStatic
    fun awaitSingleRepeatedly(mono: Mono<Int>, times: Int): Long = runBlocking {
        var sum = 0L
        repeat(times) { sum += mono.awaitSingle() }
        sum
    }

    /**
     * The fan-out workload: `tasks` coroutines each wait `timerMillis`, then await the Mono for
     * their index; all gathered. With `live` set, measures the live heap once every coroutine
     * waits on its timer and returns that growth instead of the sum.
     */
    @JvmStatic
    fun fanOut(tasks: Int, timerMillis: Long, mono: IntFunction<Mono<Int>>, live: LongSupplier?): Long =
        runBlocking {
            val before = live?.asLong ?: 0L
            val all = (0 until tasks).map { i ->
                async {
                    delay(timerMillis)
                    mono.apply(i).awaitSingle()
                }
            }
            var grown = 0L
            if (live != null) {
                yield() // every coroutine now waits on its timer
                grown = live.asLong - before
            }
            val sum = all.awaitAll().sumOf { it.toLong() }
            if (live != null) grown else sum
        }

    /** A dispatcher of `threads` threads, kotlinx's counterpart of a loop group. */
    @JvmStatic
    fun fixedDispatcher(threads: Int): ExecutorCoroutineDispatcher =
        Executors.newFixedThreadPool(threads).asCoroutineDispatcher()

    /**
     * The loop-group fan-out: `chunks` coroutines on `dispatcher`, each launching its share of
     * `tasks` short children that `yield()` once, all awaited.
     */
    @JvmStatic
    fun fanOut(dispatcher: ExecutorCoroutineDispatcher, chunks: Int, tasks: Int): Long =
        runBlocking {
            val perChunk = tasks / chunks
            List(chunks) {
                async(dispatcher) {
                    coroutineScope {
                        List(perChunk) { i ->
                            async {
                                yield()
                                i.toLong()
                            }
                        }.sumOf { it.await() }
                    }
                }
            }.sumOf { it.await() }
        }
}
