package io.aiobridge.examples.readme;

// tag::hello[]
import io.aiobridge.Aio;
import io.aiobridge.Task;
import java.util.List;

public class Hello {
    static String sayAfter(double delay, String what) {
        Aio.sleep(delay);                 // suspends this task, not a thread
        System.out.println(what);
        return what;
    }

    public static void main(String[] args) {
        Aio.run(() -> {                                        // asyncio.run(main())
            Task<String> t1 = Aio.createTask(() -> sayAfter(0.5, "hello"));
            Task<String> t2 = Aio.createTask(() -> sayAfter(1.0, "world"));
            t1.await();                                        // await task1
            t2.await();                                        // about 1 s in all, not 1.5
            List<Integer> r = Aio.gather(() -> 1, () -> Aio.sleep(0.1, 2)).await();
            System.out.println(r);                             // [1, 2]
            return null;
        });
    }
}
// end::hello[]
