package io.aiobridge.examples.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aiobridge.Aio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's code comes from this module: every {@code <!-- snippet: FILE#TAG -->} line in
 * README.md is followed by a java block that must equal the region between {@code // tag::TAG[]}
 * and {@code // end::TAG[]} in FILE (indentation removed). So the README's examples compile and
 * run with the build. After changing a snippet's source, rewrite the README's copies with
 * {@code ./mvnw -pl examples test -Dtest=ReadmeSnippetsTest -Dreadme.update=true}.
 */
class ReadmeSnippetsTest {
    static final Path ROOT = Path.of("..");
    static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");

    static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (t.equals("// tag::" + tag + "[]")) {
                start = i + 1;
            } else if (t.equals("// end::" + tag + "[]")) {
                end = i;
            }
        }
        assertTrue(start >= 0 && end > start, "no region " + tag + " in " + file);
        List<String> body = lines.subList(start, end);
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String l : body) {
            out.add(l.isBlank() ? "" : l.substring(indent));
        }
        return String.join("\n", out);
    }

    @Test
    void everyReadmeSnippetIsCompiledCode() throws IOException {
        Path readme = ROOT.resolve("README.md");
        List<String> lines = new ArrayList<>(Files.readAllLines(readme, StandardCharsets.UTF_8));
        boolean update = Boolean.getBoolean("readme.update");
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARKER.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            Path source = ROOT.resolve(m.group(1));
            assertTrue(Files.exists(source), "README names a missing file: " + source);
            String expected = region(source, m.group(2));
            assertEquals("```java", lines.get(i + 1), "a java block must follow line " + (i + 1));
            int close = i + 2;
            while (!lines.get(close).equals("```")) {
                close++;
            }
            String actual = String.join("\n", lines.subList(i + 2, close));
            if (update) {
                lines.subList(i + 2, close).clear();
                lines.addAll(i + 2, expected.lines().toList());
            } else {
                assertEquals(expected, actual, "README.md line " + (i + 1) + " differs from "
                        + m.group(1) + "#" + m.group(2) + "; rerun with -Dreadme.update=true");
            }
            checked++;
        }
        if (update) {
            Files.write(readme, lines, StandardCharsets.UTF_8);
        }
        assertTrue(checked >= 5, "only " + checked + " snippets found in the README");
    }

    @Test
    void theSnippetsRunAndDoWhatTheReadmeSays() {
        List<Object> reactor = Aio.run(AwaitingReactiveTypes::reactor);
        assertEquals(List.of("ada", Optional.empty(), List.of(1, 2, 3, 4, 5),
                List.of("price", "name"), 5050L, 3), reactor);
        List<Object> rx = Aio.run(AwaitingReactiveTypes::rxjava);
        assertEquals(42, rx.get(0));
        assertEquals(Optional.empty(), rx.get(1));
        assertEquals("flowable done", rx.get(2));
        assertEquals(16, rx.size() - 3, "16 items held at most: " + rx);
        assertEquals(99, rx.get(rx.size() - 1), "the newest items survive DROP_OLDEST");

        assertEquals(List.of("3...", "2...", "1...", "liftoff"),
                GeneratorsAsStreams.countdown(3).collectList().block());
        assertEquals(List.of("1000...", "999..."),
                GeneratorsAsStreams.countdown(1000).take(2).collectList().block());
        assertEquals(List.of(1, 4, 9, 16, 25), GeneratorsAsStreams.squares(5).toList().blockingGet());
        assertEquals("hello ada", GeneratorsAsStreams.greeting("ada").block());
        assertEquals(42, GeneratorsAsStreams.answer().blockingGet());
    }

    @Test
    void theContextManagerSnippetExitsInReverseAndClosesEarly() {
        assertEquals(List.of("open a", "open b", "report: 2 open", "close b", "close a"),
                Aio.run(() -> ContextManagers.openAll(List.of("a", "b"))));
        List<String> log = new ArrayList<>();
        assertEquals("line 1", Aio.run(() -> {
            String first = ContextManagers.firstLine(log);
            assertEquals(List.of("lines closed"), log, "closed when the block ended, not by"
                    + " Aio.run's shutdown of leftover generators");
            return first;
        }));
    }

    @Test
    void theCallGraphSnippetShowsBothWaitingTasksAndTheirParent() {
        String graph = Aio.run(CallGraphs::whoWaits);
        List<String> lines = graph.lines().toList();
        assertTrue(lines.get(0).startsWith("* Future(id=0x"), graph);
        assertEquals("  + Awaited by:", lines.get(1), graph);
        assertTrue(lines.get(2).startsWith("    * Task(name='fetch-a', id=0x"), graph);
        assertTrue(graph.contains("    * Task(name='fetch-b', id=0x"), graph);
        assertEquals(2, lines.stream().filter(l -> l.endsWith("CallGraphs.fetch()")).count(),
                graph);
        assertEquals(2, lines.stream().filter(l -> l.contains("CallGraphs.whoWaits()")).count(),
                "the group's parent task, once under each child: " + graph);
    }

    @Test
    void theSpringSnippetCommitsRollsBackCachesAndSchedules() throws Exception {
        assertEquals(List.of("report: [alice 100, bob 0]", "after 30: alice 70, bob 30",
                "alice cannot pay 500: alice 70, bob 30", "rate 1.1, 1.1, fetched 1 time(s)"),
                SpringAnnotations.run());
    }

    @Test
    void theLoopGroupSnippetRunsAndEndsItsThreads() throws Exception {
        assertEquals(List.of("hello", "first", "got from another loop", "[2, 4, 6]"),
                LoopGroups.shards());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("shard-") && t.isAlive()),
                "closing the group ended its threads");
    }

    @Test
    void theStreamsAndSubprocessSnippetsRunOverRealSocketsAndProcesses() {
        assertEquals(List.of("echo: hello", "echo: world"), NetworkIo.echo());
        assertEquals("ping", NetworkIo.bufferedEcho());
        assertEquals("0 THE LOOP KEEPS RUNNING", NetworkIo.subprocess());
        assertEquals("1:hi rc=3", NetworkIo.subprocessProtocol());
        assertEquals("from 127.0.0.1", NetworkIo.connectOptions());
    }
}
