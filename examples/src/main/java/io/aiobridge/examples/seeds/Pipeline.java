package io.aiobridge.examples.seeds;

import io.aiobridge.Aio;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.TaskGroup;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.queue.QueueShutDownException;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.reactor.ReactorPublish;
import java.io.PrintStream;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * A producer/consumer pipeline that mixes the three ways of streaming: an async generator reads
 * "orders", a bounded queue hands them to worker tasks (a full queue makes the producer wait),
 * and the workers' results leave as a Flux that Reactor operators finish.
 *
 * <pre>
 *   orders() generator --put--> AsyncQueue(4) --get--> 3 workers --put--> results queue
 *                                                                          | as a Flux
 *                                                           Reactor: filter, buffer, count
 * </pre>
 */
public final class Pipeline {
    private Pipeline() {}

    record Order(int id, int amount) {}

    record Priced(int id, int amount, int total) {}

    /** The source: an async generator, as if reading from a socket. */
    static AsyncGenerator<Order, Void> orders(int count) {
        return AsyncGenerator.of(y -> {
            for (int i = 1; i <= count; i++) {
                Aio.sleep(0.001); // waiting for the next order
                y.yield(new Order(i, i % 7 + 1));
            }
        });
    }

    static void work(AsyncQueue<Order> in, AsyncQueue<Priced> out) {
        while (true) {
            Order o;
            try {
                o = in.get();
            } catch (QueueShutDownException e) {
                return; // the producer is done and the queue is drained
            }
            Aio.sleep(0.002); // pricing takes a while
            out.put(new Priced(o.id(), o.amount(), o.amount() * 25));
            in.taskDone();
        }
    }

    /**
     * Runs the pipeline over {@code count} orders: the priced orders as a Flux, finished with
     * Reactor operators. Call it from a task.
     *
     * @param count how many orders
     * @param log where progress goes
     * @return batches of order ids with a total of at least 100, in completion order
     */
    public static List<List<Integer>> run(int count, PrintStream log) {
        AsyncQueue<Order> orders = new AsyncQueue<>(4);
        AsyncQueue<Priced> priced = new AsyncQueue<>(4);
        // the stages run as tasks; the results leave through a Flux, consumed in this task
        var stages = Aio.createTask(() -> TaskGroup.<Void>run(tg -> {
            tg.createTask(() -> {
                for (Order o : orders(count)) {
                    orders.put(o); // waits while 4 orders are queued: backpressure
                }
                orders.join();     // every order priced
                orders.shutdown(); // the workers leave their loop
                return null;
            }, "producer");
            for (int w = 0; w < 3; w++) {
                tg.createTask(() -> {
                    work(orders, priced);
                    return null;
                }, "worker-" + w);
            }
            return null;
        }), "stages");
        stages.addDoneCallback(f -> priced.shutdown()); // then the Flux completes
        Flux<Priced> results = ReactorPublish.flux(y -> {
            while (true) {
                try {
                    y.yield(priced.get());
                } catch (QueueShutDownException e) {
                    return;
                }
            }
        }, Aio.getRunningLoop());
        List<List<Integer>> batches = ReactorAwait.awaitList(results
                .filter(p -> p.total() >= 100)
                .map(Priced::id)
                .buffer(5));
        stages.await();
        log.println(count + " orders, " + batches.stream().mapToInt(List::size).sum()
                + " of at least 100, in batches " + batches);
        return batches;
    }

    public static void main(String[] args) {
        Aio.run(() -> run(30, System.out));
    }
}
