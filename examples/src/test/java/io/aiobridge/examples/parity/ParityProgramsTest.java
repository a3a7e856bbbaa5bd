package io.aiobridge.examples.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.aiobridge.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each ported program prints exactly the lines CPython printed for the original (resources
 * {@code parity/NN_*.out}, recorded from CPython 3.11). Every port runs on a virtual-time loop,
 * where its order is exact and a sleep takes no time; those whose timers are at least 20 ms
 * apart also run on the real clock.
 */
class ParityProgramsTest {
    /** Ports whose timing gaps keep their order on the real clock of a busy 2-core machine. */
    static final Set<String> ALSO_REAL_CLOCK = Set.of("01_say_after_sequential",
            "02_say_after_concurrent", "04_gather_factorial", "13_call_soon_fifo",
            "14_call_later_call_at", "15_loop_stop", "16_run_coroutine_threadsafe",
            "17_executor_to_thread", "18_producer_consumer", "19_taskgroup_basic",
            "54_streams_echo", "56_subprocess");

    static Stream<String> programs() {
        return ParityPrograms.ALL.keySet().stream();
    }

    static List<String> expected(String program) {
        try (InputStream in = ParityProgramsTest.class.getResourceAsStream(
                "/parity/" + program + ".out")) {
            assertNotNull(in, "missing resource parity/" + program + ".out");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> output(String program, Supplier<EventLoop> loops) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        ParityPrograms.ALL.get(program).run(out, loops);
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void printsWhatCPythonPrinted(String program) throws Exception {
        String expected = String.join("\n", expected(program));
        assertEquals(expected, String.join("\n", output(program,
                EventLoop::newVirtualTimeEventLoop)), program + " on virtual time");
        if (ALSO_REAL_CLOCK.contains(program)) {
            assertEquals(expected, String.join("\n", output(program, EventLoop::newEventLoop)),
                    program + " on the real clock");
        }
    }

    @Test
    void everyProgramOfTheCorpusIsPorted() throws IOException {
        try (InputStream in = ParityProgramsTest.class.getResourceAsStream("/parity/README.md")) {
            assertNotNull(in, "the corpus README travels with the .out files");
        }
        assertEquals(21, ParityPrograms.ALL.size());
        for (String program : ParityPrograms.ALL.keySet()) {
            expected(program); // each has its recorded output
        }
    }
}
