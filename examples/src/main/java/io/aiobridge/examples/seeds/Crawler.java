package io.aiobridge.examples.seeds;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import io.aiobridge.WaitResult;
import io.aiobridge.reactor.ReactorAwait;
import io.aiobridge.sync.AsyncSemaphore;
import io.aiobridge.sync.Held;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.netty.http.client.HttpClient;

/**
 * The seed's aiohttp crawler: fetch several pages concurrently, at most {@code limit} at a time.
 * Reactor Netty's {@code HttpClient} does the I/O; each fetch is a task that awaits the response
 * body (a Mono) and holds a semaphore while it does.
 *
 * <pre>{@code
 * async def fetch(session, url):
 *     async with sem:
 *         async with session.get(url) as response:
 *             text = await response.text()
 * }</pre>
 */
public final class Crawler {
    private Crawler() {}

    static int fetch(HttpClient client, AsyncSemaphore limit, String url, PrintStream out) {
        try (Held held = limit.hold()) {                   // async with sem:
            out.println("request: " + url);
            String text = ReactorAwait.awaitSingle(client.get().uri(url)
                    .responseContent().aggregate().asString());
            out.println("got: " + url + " " + text.length());
            return text.length();
        }
    }

    /**
     * Fetches every URL, at most {@code limit} at once, and returns each page's length.
     *
     * @param urls the pages
     * @param limit the most requests in flight
     * @param out where progress goes
     * @return URL to page length, in the given order
     */
    public static Map<String, Integer> crawl(List<String> urls, int limit, PrintStream out) {
        HttpClient client = HttpClient.create();
        AsyncSemaphore sem = new AsyncSemaphore(limit);
        List<Task<Integer>> tasks = urls.stream()
                .map(url -> Aio.createTask(() -> fetch(client, sem, url, out), url))
                .toList();
        WaitResult<Task<Integer>> r = Aio.wait(tasks);     // done, pending = await asyncio.wait(tasks)
        out.println(r.done().size() + " done, " + r.pending().size() + " pending");
        Map<String, Integer> lengths = new LinkedHashMap<>();
        for (Task<Integer> t : tasks) {
            lengths.put(t.getName(), t.result());
        }
        return lengths;
    }

    public static void main(String[] args) {
        try (LocalPages pages = new LocalPages()) {
            List<String> urls = List.of(pages.url(5), pages.url(1), pages.url(3), pages.url(2),
                    pages.url(4), pages.url(6));
            Map<String, Integer> lengths = Aio.run(() -> crawl(urls, 2, System.out));
            System.out.println(lengths.values() + " (at most " + pages.maxInFlight()
                    + " requests at once)");
        }
    }
}
