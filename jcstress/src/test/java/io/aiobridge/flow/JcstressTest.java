package io.aiobridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the jcstress tests of this module in jcstress's own forked JVMs and fails the build if
 * any outcome was forbidden or any test errored. The mode comes from {@code -Djcstress.mode}:
 * {@code sanity} (seconds, every build) or {@code quick}/{@code default}/{@code tough} (minutes,
 * on purpose: {@code ./mvnw verify -pl jcstress -am -Djcstress.mode=default}).
 */
class JcstressTest {
    /**
     * The @JCStressTest classes of this module (in io.aiobridge and io.aiobridge.flow), all with
     * two actors (this machine has 2 CPUs).
     */
    private static final int EXPECTED_TESTS = 18;

    /** The number in jcstress's summary line "{@code what}: N matching test results". */
    private static int count(String out, String what) {
        Matcher m = Pattern.compile(
                Pattern.quote(what) + ": (\\d+) matching").matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void everyOutcomeIsAllowed() throws Exception {
        String mode = System.getProperty("jcstress.mode", "sanity");
        Path results = Path.of("target", "jcstress-results");
        Files.createDirectories(results);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "org.openjdk.jcstress.Main",
                "-m", mode,
                "-t", "io\\.aiobridge\\..*",
                "-r", ".",
                "-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED"));
        // jcstress writes its result blob into the working directory: keep it under target/
        Process p = new ProcessBuilder(cmd).directory(results.toFile()).redirectErrorStream(true)
                .redirectOutput(results.resolve("console.txt").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.MINUTES), "jcstress did not finish");
        String out = Files.readString(results.resolve("console.txt"), StandardCharsets.UTF_8);
        String tail = out.substring(Math.max(0, out.length() - 4000));
        assertEquals(0, p.exitValue(), tail);
        assertTrue(out.contains("Failed tests: No matches."), "forbidden outcomes:\n" + tail);
        assertTrue(out.contains("Error tests: No matches."), "tests that errored:\n" + tail);
        // every test ran: on 2 CPUs jcstress silently skips tests with more actors than CPUs
        assertEquals(EXPECTED_TESTS, count(out, "Interesting tests") + count(out, "All remaining tests"),
                "jcstress tests that ran:\n" + tail);
        System.out.println("jcstress (" + mode + ") passed; results in " + results.toAbsolutePath()
                + File.separator);
    }
}
