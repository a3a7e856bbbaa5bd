package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import io.aiobridge.CallGraph;
import io.aiobridge.TaskGroup;

/** The README's "Who waits for what" example, compiled and run. */
public final class CallGraphs {
    private CallGraphs() {}

    // tag::call-graph[]
    static String fetch(AsyncFuture<String> reply) {
        return reply.await();                             // stuck until someone replies
    }

    static String whoWaits() {
        AsyncFuture<String> reply = Aio.getRunningLoop().createFuture();
        return TaskGroup.run(tg -> {
            tg.createTask(() -> fetch(reply), "fetch-a");
            tg.createTask(() -> fetch(reply), "fetch-b");
            Aio.sleep(0.01);                              // both are waiting now
            String graph = CallGraph.format(reply);       // asyncio.format_call_graph(reply)
            reply.setResult("done");
            return graph;
        });
    }
    // end::call-graph[]

    public static void main(String[] args) {
        System.out.println(Aio.run(CallGraphs::whoWaits));
    }
}
