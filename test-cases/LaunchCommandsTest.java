import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Commands as the user runs them: started through the project launcher (SME2_LAUNCHER, here the property
 * sme2.launcher), every fix, next-step and --help example line says "./jbang …", and each such command parses against
 * the real picocli definition. --help copies cleanly: no line break inside an option or a value, one example per line.
 */
class LaunchCommandsTest {
    static final List<String> SCRIPTS = List.of("SetupRepo", "BuildRunners", "ExportModel", "MacPipeline", "AndroidPipeline",
            "AnalyzeResults", "ValidateSetup", "ValidateResults", "RunQuickTest", "CompareRuns");
    /** A command the user would paste: the launcher, a .java file, and its arguments up to the end of the command. */
    static final Pattern TYPED = Pattern.compile("(?<![\\w./'-])(\\./jbang|jbang) (\\S+\\.java\\b[^;`)\"]*?)(?=$|;|`|\"|\\.\\s|\\.$|\\)| \\(|, (?:or|then|and) |\\s+#)");
    static final Pattern BARE = Pattern.compile("(?<![\\w./'-])jbang \\S+\\.java\\b");
    @TempDir Path tmp;

    @AfterEach
    void backToTheTestDefault() { System.setProperty("sme2.launcher", "jbang"); }

    static TestKit.Run run(String script, String... args) {
        return TestKit.inProcess((o, e) -> {
            try {
                return (Integer) Class.forName(script).getMethod("run", PrintStream.class, PrintStream.class, String[].class).invoke(null, o, e, args);
            } catch (ReflectiveOperationException ex) {
                throw new AssertionError(ex);
            }
        });
    }

    /** The commands in printed text that start with the launcher; each must parse against its script's options. */
    static List<String> typedCommands(String text, List<String> problems) {
        boolean project = Kit.launcher().equals("./jbang");
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (project && BARE.matcher(line).find() && !line.contains("./jbang")) problems.add("a bare `jbang` command although ./jbang started it: " + line);
            for (Matcher m = TYPED.matcher(line); m.find(); ) {
                String cmd = (m.group(1) + " " + m.group(2)).strip();
                out.add(cmd);
                for (DocCommands.Command c : DocCommands.parseLine(Path.of("printed"), 0, cmd, null, DocCommands.aliases(TestKit.repo()))) {
                    String error = c.kind().equals("script") ? DocsTest.parseError(c.scriptClass(), c.args()) : "not a script of this repository: " + c.ref();
                    if (error != null) problems.add(cmd + "\n    → " + error + "\n    (line: " + line.strip() + ")");
                }
            }
        }
        return out;
    }

    @Test
    void asTypedRewritesOnlyCommandsThatRunAJavaFile() {
        System.setProperty("sme2.launcher", "./jbang");
        assertEquals("fix: ./jbang scripts/SetupRepo.java --workspace ws", Kit.asTyped("fix: jbang scripts/SetupRepo.java --workspace ws"));
        assertEquals("run it: `./jbang scripts/A.java`; then ./jbang B.java", Kit.asTyped("run it: `jbang scripts/A.java`; then jbang B.java"));
        for (String same : List.of("jbang not found on PATH and no ./jbang launcher here", "./jbang scripts/A.java", "/usr/bin/jbang x.java", "install JBang (brew install jbangdev/tap/jbang)"))
            assertEquals(same, Kit.asTyped(same));
        System.setProperty("sme2.launcher", "/home/me/my tools/jbang");
        assertEquals("'/home/me/my tools/jbang' scripts/A.java", Kit.asTyped("jbang scripts/A.java"));
        System.setProperty("sme2.launcher", "jbang");
        assertEquals("jbang scripts/A.java", Kit.asTyped("jbang scripts/A.java"));
    }

    @Test
    void everyHelpPrintsTheLauncherUsedAndEveryExampleParses() {
        List<String> problems = new ArrayList<>();
        for (String launcher : List.of("./jbang", "jbang")) {
            System.setProperty("sme2.launcher", launcher);
            for (String s : SCRIPTS) {
                TestKit.Run r = run(s, "--help");
                assertEquals(0, r.code(), s + " --help: " + r);
                List<String> examples = typedCommands(r.out(), problems);
                assertTrue(examples.size() >= 3, s + " --help shows " + examples.size() + " example(s): " + r.out());
                for (String ex : examples) assertTrue(ex.startsWith(launcher + " "), s + ": " + ex);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void helpNeverBreaksALineInsideAnOptionValueOrExample() throws Exception {
        System.setProperty("sme2.launcher", "./jbang");
        List<String> problems = new ArrayList<>();
        for (String s : SCRIPTS) {
            String help = run(s, "--help").out();
            List<String> lines = help.lines().map(String::stripTrailing).toList();
            CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.forAnnotatedObject(construct(s));
            // Hand-written lines (description, footer) come out whole: one example per line.
            List<String> written = new ArrayList<>(Arrays.asList(spec.usageMessage().description()));
            written.addAll(Arrays.asList(spec.usageMessage().footer()));
            List<String> words = lines.stream().flatMap(l -> Arrays.stream(l.trim().split("\\s+"))).toList();
            for (String w : written) {
                String expected = Kit.asTyped(String.format(w)).stripTrailing();
                // An example or a line that fits comes out whole; longer prose wraps between words.
                boolean whole = TYPED.matcher(expected).find() || expected.length() <= Kit.HELP_WIDTH;
                if (whole && !expected.isBlank() && !lines.contains(expected)) problems.add(s + ": the help line \"" + expected + "\" is broken up");
                if (!whole) for (String word : expected.trim().split("\\s+")) if (!words.contains(word)) problems.add(s + ": \"" + word + "\" is split across lines");
                if (TYPED.matcher(expected).find() && expected.endsWith("\\")) problems.add(s + ": an example continues on the next line: " + expected);
            }
            // Option descriptions wrap only between words: every word of a description is whole on some line.
            for (CommandLine.Model.OptionSpec o : spec.options()) {
                if (o.hidden()) continue;
                for (String d : o.description()) {
                    for (String word : d.split("\\s+")) {
                        if (!word.isEmpty() && !word.contains("${") && !words.contains(word)) problems.add(s + ": option " + o.longestName() + ": \"" + word + "\" is split across lines");
                    }
                }
                String label = o.longestName() + (o.arity().max() > 0 ? "=" + o.paramLabel() : "");
                if (lines.stream().noneMatch(l -> l.contains(label))) problems.add(s + ": option " + label + " is split across lines");
            }
            // The synopsis breaks only between options.
            String synopsis = help.substring(0, help.indexOf(System.lineSeparator() + spec.usageMessage().description()[0].substring(0, 10)));
            int depth = 0;
            for (char c : synopsis.toCharArray()) {
                if (c == '[' || c == '(') depth++;
                if (c == ']' || c == ')') depth--;
                if (c == '\n' && depth != 0) problems.add(s + ": the synopsis breaks inside an option: " + synopsis);
            }
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    private static Object construct(String script) throws ReflectiveOperationException {
        var k = Class.forName(script).getDeclaredConstructor(Kit.Io.class);
        k.setAccessible(true);
        return k.newInstance(Kit.Io.quiet());
    }

    @Test
    void fixAndNextStepLinesPrintTheLauncherAndParse() throws Exception {
        System.setProperty("sme2.launcher", "./jbang");
        List<String> problems = new ArrayList<>(), seen = new ArrayList<>();
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        List<TestKit.Run> runs = List.of(
                run("ValidateSetup", "--stage", "setup,build,export,run", "--workspace", ws.toString()),
                run("MacPipeline", TestKit.repo().resolve("configs/examples/mac_mobilenet_fp16.json").toString(), "--dry-run"),
                run("AndroidPipeline", TestKit.repo().resolve("configs/examples/android_mobilenet_fp16.json").toString(), "--dry-run"),
                run("ValidateResults", "--results", tmp.resolve("no-such-run").toString()),
                run("ExportModel", "--model", "no_such_model", "--workspace", ws.toString()),
                run("AnalyzeResults", "--no-such-option"),
                run("ValidateSetup", "--stage", "setup", "--workspace", ws.toString(), "--json"));
        for (TestKit.Run r : runs) seen.addAll(typedCommands(r.out() + "\n" + r.err(), problems));
        assertEquals(List.of(), problems, String.join("\n", problems));
        assertTrue(seen.size() >= 6, "printed commands: " + seen);
        assertTrue(seen.stream().allMatch(c -> c.startsWith("./jbang ")), seen.toString());
        assertTrue(seen.contains("./jbang scripts/AnalyzeResults.java --help"), seen.toString());
    }

    @Test
    void aWrappedSynopsisKeepsEveryPrintedLineWithinTheHelpWidth() {
        String name = "AndroidPipeline", indent = " ".repeat("Usage: ".length() + name.length() + 1);
        StringBuilder synopsis = new StringBuilder(name);
        for (int i = 0; i < 30; i++) synopsis.append(" [--option-number-").append(i).append("=VALUE]");
        String printed = "Usage: " + Kit.wrapOutsideBrackets(synopsis.toString(), Kit.HELP_WIDTH, "Usage: ".length(), indent);
        List<String> lines = printed.lines().toList();
        assertTrue(lines.size() > 3, printed);
        for (String l : lines) assertTrue(l.length() <= Kit.HELP_WIDTH, l.length() + " characters: " + l);
        assertEquals(synopsis.toString(), String.join(" ", lines.stream().map(String::strip).toList()).substring("Usage: ".length()));
    }

    @Test
    void helpWorksFromACheckoutWhosePathHoldsAPercentSign() {
        // e.g. an unpacked download named "sme2%20kit": the help's examples are picocli format strings
        System.setProperty("sme2.launcher", "/tmp/sme2%20kit/jbang");
        for (String s : List.of("BuildRunners", "MacPipeline")) {
            TestKit.Run r = run(s, "--help");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("/tmp/sme2%20kit/jbang scripts/" + s + ".java"), r.out());
        }
    }

    @Test
    void jsonOutputStaysValidWhenTheLaunchersPathHoldsAQuoteOrBackslash() throws Exception {
        String launcher = "/tmp/say \"hi\" \\ there/jbang";
        System.setProperty("sme2.launcher", launcher);
        var buf = new java.io.ByteArrayOutputStream();
        new Kit.Io(new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8), new PrintStream(java.io.OutputStream.nullOutputStream()))
                .data(Map.of("next", "jbang scripts/ValidateResults.java --results r"));
        var doc = Kit.JSON.readTree(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Kit.shq(launcher) + " scripts/ValidateResults.java --results r", doc.get("next").asText());
    }

    @Test
    void theInterruptedLineResumesWithTheLauncherUsed() {
        // printed straight to stderr by the shutdown hook (not through Io), so it must carry the launcher itself
        System.setProperty("sme2.launcher", "./jbang");
        Kit.RunFolder f = Kit.RunFolder.create(tmp.resolve("out"), "m", "MacPipeline");
        try {
            String line = new Kit.Pipeline(Kit.Io.quiet(), "MacPipeline", false).interruptedLine(f);
            assertTrue(line.contains("; resume with: ./jbang "), line);
            assertFalse(BARE.matcher(line).find(), line);
        } finally {
            f.close();
        }
    }

    @Test
    void theConfigFilesShowCommandsAsRunFromTheCheckoutAndTheyParse() throws Exception {
        System.setProperty("sme2.launcher", "./jbang");
        List<String> problems = new ArrayList<>(), seen = new ArrayList<>();
        for (String f : List.of("configs/README.md", "configs/templates/model_template.py", "configs/config.schema.json"))
            seen.addAll(typedCommands(Files.readString(TestKit.repo().resolve(f)), problems));
        assertEquals(List.of(), problems, String.join("\n", problems));
        assertTrue(seen.size() >= 3 && seen.stream().allMatch(c -> c.startsWith("./jbang scripts/")), seen.toString());
    }
}
