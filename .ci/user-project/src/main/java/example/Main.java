package example;

import io.aiobridge.Aio;
import io.aiobridge.net.Server;
import io.aiobridge.net.Streams;
import io.aiobridge.reactor.ReactorAwait;
import java.nio.charset.StandardCharsets;
import java.util.List;
import reactor.core.publisher.Mono;

/** Awaits a Mono, gathers, and talks to itself over a socket: the public API a user touches. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String result = Aio.run(() -> {
            List<Integer> gathered = Aio.gather(() -> 1, () -> Aio.sleep(0.01, 2)).await();
            String mono = ReactorAwait.awaitSingle(Mono.just("mono"));
            Server server = Streams.startServer((r, w) -> {
                w.write(r.readline());
                w.close();
            }, "127.0.0.1", 0);
            Streams.Connection c = Streams.openConnection("127.0.0.1",
                    server.addresses().get(0).getPort());
            c.writer().write("echo\n");
            String echoed = new String(c.reader().readline(), StandardCharsets.UTF_8).trim();
            c.writer().close();
            server.close();
            return gathered + " " + mono + " " + echoed;
        });
        String where = Main.class.getModule().isNamed() ? "module path" : "class path";
        System.out.println("user project on the " + where + ": " + result);
        if (!result.equals("[1, 2] mono echo")) {
            throw new AssertionError(result);
        }
    }
}
