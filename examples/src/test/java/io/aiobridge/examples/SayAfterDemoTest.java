package io.aiobridge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SayAfterDemoTest {

    @Test
    void theDemoPrintsTheTutorialsOrder() {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            SayAfterDemo.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("started at") && !l.startsWith("finished at"))
                .toList();
        assertEquals(List.of(
                "-- sequential: about 1.5 s", "hello", "world",
                "-- concurrent tasks: about 1 s", "hello", "world",
                "-- gather",
                "Task A: Compute factorial(2), currently i=2...",
                "Task B: Compute factorial(3), currently i=2...",
                "Task C: Compute factorial(4), currently i=2...",
                "Task A: factorial(2) = 2",
                "Task B: Compute factorial(3), currently i=3...",
                "Task C: Compute factorial(4), currently i=3...",
                "Task B: factorial(3) = 6",
                "Task C: Compute factorial(4), currently i=4...",
                "Task C: factorial(4) = 24",
                "[2, 6, 24]"), lines);
    }
}
