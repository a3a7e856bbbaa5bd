package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.EventLoopGroup;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.reactor.ReactorSchedulers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/** The README's loop-group section: one loop per core, keys pinned to loops, hand-offs. */
public final class LoopGroups {
    private LoopGroups() {}

    /** One queue per loop, touched only by that loop's tasks. */
    static final Map<Object, AsyncQueue<String>> INBOX = new ConcurrentHashMap<>();

    // tag::group[]
    static List<String> shards() throws Exception {
        try (EventLoopGroup group = EventLoopGroup.builder().name("shard").loops(2).build()) {
            // any thread: the next loop, round-robin; a CompletableFuture comes back
            CompletableFuture<String> hello = group.submit(() -> Aio.sleep(0.01, "hello"));

            // the same key always lands on the same loop, so its state needs no lock
            CompletableFuture<String> a = group.submit("user-42", () -> {
                INBOX.computeIfAbsent("user-42", k -> new AsyncQueue<>()).putNowait("first");
                return "queued";
            });
            a.join();
            CompletableFuture<String> b = group.submit("user-42",
                    () -> INBOX.get("user-42").get());       // same loop: its own queue

            // a task on one loop awaits work on another through the CompletableFuture
            CompletableFuture<String> across = group.submit(() ->
                    "got " + Aio.await(group.submit("user-7", () -> "from another loop")));

            // Reactor streams spread over the group, each pinned to one loop
            List<Integer> doubled = Flux.range(1, 3).publishOn(ReactorSchedulers.of(group))
                    .map(x -> x * 2).collectList().block(Duration.ofSeconds(5));

            return List.of(hello.join(), b.join(), across.join(), doubled.toString());
        }   // graceful: cancels what still runs, closes generators, ends every thread
    }
    // end::group[]

    public static void main(String[] args) throws Exception {
        System.out.println(shards());
    }
}
