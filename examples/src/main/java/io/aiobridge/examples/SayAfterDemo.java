package io.aiobridge.examples;

import io.aiobridge.Aio;
import io.aiobridge.Task;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The asyncio tutorial's first examples in Java: {@code say_after} awaited one after the other,
 * then run concurrently as tasks, then three factorials gathered.
 *
 * <pre>
 * async def say_after(delay, what):
 *     await asyncio.sleep(delay)
 *     print(what)
 * </pre>
 */
public final class SayAfterDemo {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.S");

    private SayAfterDemo() {}

    static String sayAfter(double delay, String what) {
        Aio.sleep(delay);
        System.out.println(what);
        return what;
    }

    static int factorial(String name, int number) {
        int f = 1;
        for (int i = 2; i <= number; i++) {
            System.out.printf("Task %s: Compute factorial(%d), currently i=%d...%n", name, number, i);
            Aio.sleep(0.1);
            f *= i;
        }
        System.out.printf("Task %s: factorial(%d) = %d%n", name, number, f);
        return f;
    }

    static String now() {
        return LocalTime.now().format(CLOCK);
    }

    public static void main(String[] args) {
        Aio.run(() -> {
            System.out.println("-- sequential: about 1.5 s");
            System.out.println("started at " + now());
            sayAfter(0.5, "hello");
            sayAfter(1.0, "world");
            System.out.println("finished at " + now());

            System.out.println("-- concurrent tasks: about 1 s");
            Task<String> task1 = Aio.createTask(() -> sayAfter(0.5, "hello"));
            Task<String> task2 = Aio.createTask(() -> sayAfter(1.0, "world"));
            System.out.println("started at " + now());
            task1.await();
            task2.await();
            System.out.println("finished at " + now());

            System.out.println("-- gather");
            List<Integer> results = Aio.gather(
                    () -> factorial("A", 2),
                    () -> factorial("B", 3),
                    () -> factorial("C", 4)).await();
            System.out.println(results);
            return null;
        });
    }
}
