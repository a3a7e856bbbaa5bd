package io.aiobridge.examples.readme;

import io.aiobridge.Aio;
import io.aiobridge.AsyncContextManager;
import io.aiobridge.AsyncExitStack;
import io.aiobridge.AsyncGenerator;
import io.aiobridge.iter.GeneratorContextManager;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** The README's "Async context managers" example, compiled and run. */
public final class ContextManagers {
    private ContextManagers() {}

    // tag::context-managers[]
    // @asynccontextmanager: a connection given back however the block ends
    static GeneratorContextManager<String> connection(String name, List<String> log) {
        return GeneratorContextManager.of(y -> {
            log.add("open " + name);
            try {
                y.yield(name);
            } finally {
                Aio.sleep(0.01);                                  // an exit may await
                log.add("close " + name);
            }
        });
    }

    // async with AsyncExitStack() as stack: as many managers as there are names
    static List<String> openAll(List<String> names) {
        List<String> log = new ArrayList<>();
        AsyncContextManager.with(new AsyncExitStack(), stack -> {
            for (String name : names) {
                stack.enterAsyncContext(connection(name, log));    // exited newest first
            }
            StringWriter report = stack.enterContext(new StringWriter()); // any AutoCloseable
            stack.callback(() -> log.add("report: " + report));
            report.write(names.size() + " open");
            return null;
        });
        return log;
    }

    // aclosing: a generator stopped early runs its finally when the block ends
    static String firstLine(List<String> log) {
        AsyncGenerator<String, Void> lines = AsyncGenerator.of(y -> {
            try {
                y.yield("line 1");
                y.yield("line 2");
            } finally {
                log.add("lines closed");
            }
        });
        return AsyncContextManager.with(AsyncContextManager.aclosing(lines),
                it -> it.anext().await());
    }
    // end::context-managers[]

    public static void main(String[] args) {
        System.out.println(Aio.run(() -> openAll(List.of("a", "b"))));
        List<String> log = new ArrayList<>();
        System.out.println(Aio.run(() -> firstLine(log)) + " " + log); // line 1 [lines closed]
    }
}
