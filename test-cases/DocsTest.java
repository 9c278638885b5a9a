//DEPS org.yaml:snakeyaml:2.4

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The documentation (README.md, content/ = the Learning Path, agentic-kits/, images/README.md) against the real
 * scripts and the Arm Learning Paths rules.
 *
 * <h2>Conventions the documentation follows (and this test enforces)</h2>
 * <ul>
 * <li><b>Commands.</b> Every script invocation in a fenced {@code bash}/{@code sh}/{@code shell}/{@code console} block
 * or in an inline code span is found: {@code ./jbang scripts/X.java …}, {@code jbang scripts/X.java …},
 * {@code jbang X.java …} (after wget), {@code jbang https://…/scripts/X.java …}, and catalog aliases
 * ({@code jbang analyze-results …}, {@code jbang analyze-results@owner/repo …}). Backslash continuations are joined,
 * {@code $ } prompts and {@code #} comments are dropped, chains ({@code &&}, {@code ;}, {@code |}) are split. The
 * arguments are parsed with picocli against the script's real command class (constructed reflectively with a
 * {@code Kit.Io}): an unknown option, a missing value, or a missing script fails.</li>
 * <li><b>Placeholders</b> are written {@code <like-this>}, without spaces, so that a command stays one shell word per
 * argument (e.g. {@code runs/mac/<run-folder>}).</li>
 * <li><b>Repository paths</b> named in commands and inline code that start with scripts/, configs/, test-cases/,
 * images/, content/ or agentic-kits/ must exist (unless they contain a placeholder).</li>
 * <li><b>Executed commands.</b> A command is run in-process (the script's static {@code run(out, err, args…)}, from
 * the repository folder) when (a) it asks for {@code --help}, (b) it reads shipped data under test-cases/fixtures/,
 * (c) it is a {@code --dry-run}, or (d) an {@code ```output} block follows its code block, with nothing but prose
 * between them (no heading, table, image or other block). It must exit 0, except a dry run without an output block
 * that needs what only a real workspace has (the exported model, built runners, a device): it may exit non-zero
 * when it names the fix. For (d), every non-blank line of the output block must be printed, on
 * stdout or stderr, in the block's order within each stream; a line that is just {@code ...} (or {@code …}) elides
 * any number of lines, and {@code ...} inside a line matches any text. Output that needs ExecuTorch or Arm hardware
 * is shown in a {@code ```text} block with a sentence that says where it comes from; it is not checked.</li>
 * <li><b>Images.</b> Pages reference images as {@code images/<name>} with alt text. On the Learning Paths site the
 * image render hook prefixes the Learning Path folder, and the folder holds an {@code images/} subfolder; this
 * repository keeps that subfolder at its root ({@code images/}), so a page's {@code images/x} resolves to the
 * repository's {@code images/x}. Links between pages are {@code ../<page-name>/}, as on the site.</li>
 * <li><b>Charts.</b> images/README.md names the AnalyzeResults command and which output file became which image;
 * regenerating them must give the committed files byte for byte.</li>
 * </ul>
 */
class DocsTest {
    static final Path REPO = TestKit.repo();
    static final List<String> REPO_PREFIXES = List.of("scripts/", "configs/", "test-cases/", "images/", "content/", "agentic-kits/");
    @TempDir Path tmp;

    // ------------------------------------------------------------------ files

    static List<Path> docFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(REPO.resolve("README.md"));
        out.addAll(contentPages(true));
        try (Stream<Path> s = Files.walk(REPO.resolve("agentic-kits"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        if (Files.exists(REPO.resolve("images/README.md"))) out.add(REPO.resolve("images/README.md"));
        return out;
    }

    static List<Path> contentPages(boolean withIndex) throws IOException {
        try (Stream<Path> s = Files.list(REPO.resolve("content"))) {
            return s.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> withIndex || !p.getFileName().toString().startsWith("_"))
                    .sorted().toList();
        }
    }

    static List<DocCommands.Command> allCommands() throws IOException {
        Map<String, String> aliases = DocCommands.aliases(REPO);
        List<DocCommands.Command> out = new ArrayList<>();
        for (Path f : docFiles()) out.addAll(DocCommands.commands(f, aliases));
        return out;
    }

    static String rel(Path p) { return REPO.relativize(p).toString(); }

    // ------------------------------------------------------------------ commands

    @Test
    void theDocsShowScriptCommands() throws Exception {
        List<DocCommands.Command> cmds = allCommands();
        Set<String> scripts = new TreeSet<>();
        cmds.stream().filter(c -> c.kind().equals("script")).forEach(c -> scripts.add(c.scriptClass()));
        // the Learning Path and the kits teach every step, so every step's script must appear
        for (String s : List.of("ValidateSetup", "SetupRepo", "BuildRunners", "ExportModel", "MacPipeline",
                "AndroidPipeline", "ValidateResults", "AnalyzeResults", "RunQuickTest")) {
            assertTrue(scripts.contains(s), "no documented command runs " + s + "; found " + scripts);
        }
        assertTrue(cmds.size() > 60, "expected many documented commands, found " + cmds.size());
    }

    @Test
    void everyDocumentedCommandParsesAgainstTheRealScript() throws Exception {
        List<String> problems = new ArrayList<>();
        int parsed = 0;
        for (DocCommands.Command c : allCommands()) {
            switch (c.kind()) {
                case "tests" -> {
                    if (!Files.isRegularFile(REPO.resolve(c.ref()))) problems.add(rel(c.file()) + ":" + c.line() + ": missing " + c.ref());
                }
                case "unknown" -> problems.add(c.file().getFileName() + ":" + c.line() + ": not a script of this repository: " + c.ref());
                default -> {
                    if (!Files.isRegularFile(REPO.resolve("scripts/" + c.scriptClass() + ".java"))) {
                        problems.add(rel(c.file()) + ":" + c.line() + ": no script scripts/" + c.scriptClass() + ".java");
                        continue;
                    }
                    String error = parseError(c.scriptClass(), c.args());
                    if (error != null) problems.add(rel(c.file()) + ":" + c.line() + ": " + c.text() + "\n    → " + error);
                    else parsed++;
                }
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " documented commands do not match the scripts:\n" + String.join("\n", problems));
        assertTrue(parsed > 50, "parsed " + parsed);
    }

    /** Parses args with picocli against the script's command class; null when they parse. */
    static String parseError(String scriptClass, List<String> args) {
        Object command;
        try {
            Class<?> cls = Class.forName(scriptClass);
            Constructor<?> k = cls.getDeclaredConstructor(Kit.Io.class);
            k.setAccessible(true);
            command = k.newInstance(new Kit.Io(new PrintStream(PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream()), false));
        } catch (ClassNotFoundException e) {
            return "script class " + scriptClass + " is not compiled into the test run";
        } catch (ReflectiveOperationException e) {
            return "cannot construct " + scriptClass + "(Kit.Io): " + e;
        }
        try {
            new picocli.CommandLine(command).parseArgs(args.toArray(String[]::new));
            return null;
        } catch (picocli.CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    @Test
    void placeholdersHaveNoSpaces() throws Exception {
        Pattern spaced = Pattern.compile("<[A-Za-z][A-Za-z0-9_-]*\\s[^<>]*>");
        List<String> problems = new ArrayList<>();
        for (DocCommands.Command c : allCommands()) {
            Matcher m = spaced.matcher(c.text());
            if (m.find()) problems.add(rel(c.file()) + ":" + c.line() + ": placeholder with a space " + m.group() + " in: " + c.text());
        }
        assertTrue(problems.isEmpty(), "write placeholders as <like-this>:\n" + String.join("\n", problems));
    }

    @Test
    void repositoryPathsNamedInTheDocsExist() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path f : docFiles()) {
            List<String[]> words = new ArrayList<>();   // {word, line}
            for (DocCommands.Block b : DocCommands.blocks(f)) {
                if (!b.isShell()) continue;
                for (String[] l : DocCommands.logicalLines(b.text())) {
                    for (String w : DocCommands.words(l[0])) words.add(new String[]{w, String.valueOf(b.line() + 1 + Integer.parseInt(l[1]))});
                }
            }
            for (DocCommands.Span s : DocCommands.spans(f)) {
                for (String w : s.text().split("\\s+")) words.add(new String[]{w, String.valueOf(s.line())});
            }
            for (String[] w : words) {
                String word = w[0].contains("=") && w[0].startsWith("--") ? w[0].substring(w[0].indexOf('=') + 1) : w[0];
                word = word.replaceAll("[,;:.)]+$", "");
                if (REPO_PREFIXES.stream().noneMatch(word::startsWith) || word.contains("<") || word.contains("*")) continue;
                if (word.startsWith(HomeUrlsTest.HOME)) continue;   // the toolkit's folder in arm-learning-paths (HomeUrlsTest)
                if (!Files.exists(REPO.resolve(word))) problems.add(rel(f) + ":" + w[1] + ": " + word);
            }
        }
        assertTrue(problems.isEmpty(), "paths named in the docs that do not exist:\n" + String.join("\n", problems));
    }

    // ------------------------------------------------------------------ executed commands

    static boolean executed(DocCommands.Command c) {
        return c.kind().equals("script") && (c.args().contains("--help") || c.args().contains("-h") || c.args().contains("--dry-run") || c.output() != null
                || c.args().stream().anyMatch(a -> a.startsWith("test-cases/fixtures/") || a.contains("=test-cases/fixtures/")));
    }

    @Test
    void runnableCommandsRunAndPrintWhatThePagesShow() throws Exception {
        Assumptions.assumeTrue(Path.of("").toAbsolutePath().normalize().equals(REPO.normalize()),
                "the documented commands use paths relative to the repository folder; run the tests from there");
        List<String> problems = new ArrayList<>();
        Map<String, TestKit.Run> cache = new LinkedHashMap<>();
        int runs = 0, outputs = 0, dryRunsNeedingAWorkspace = 0;
        for (DocCommands.Command c : allCommands()) {
            if (!executed(c)) continue;
            String key = c.scriptClass() + " " + String.join(" ", c.args());
            if (c.args().contains("--run-dir") && c.args().stream().anyMatch(a -> a.startsWith("test-cases/fixtures/")) && !c.args().contains("--out")
                    && !c.args().contains("--help") && !c.args().contains("--dry-run")) {
                problems.add(rel(c.file()) + ":" + c.line() + ": " + c.text() + "\n    → analysing shipped data needs --out (the default writes into test-cases/fixtures/)");
                continue;
            }
            TestKit.Run r = cache.get(key);
            if (r == null) {
                List<String> args = withPlaceholdersFilled(c.args());
                if (args == null) continue; // a placeholder the reader fills in (not an output folder): parsed, not run
                r = runInProcess(c.scriptClass(), args);
                cache.put(key, r);
                runs++;
            }
            String where = rel(c.file()) + ":" + c.line() + ": " + c.text();
            if ((r.code() == 1 || r.code() == 2) && c.args().contains("--dry-run") && c.output() == null
                    && r.err().lines().anyMatch(l -> l.strip().startsWith("fix: ")) && !r.err().contains("Exception") && !r.err().contains("\tat ")) {
                dryRunsNeedingAWorkspace++; // a dry run that needs the model/runners/device of a real workspace: it must say how to get them
                continue;
            }
            if (r.code() != 0) {
                problems.add(where + "\n    → exit " + r.code() + "\n" + indent(tail(r.err(), 12)));
                continue;
            }
            if (c.output() != null) {
                outputs++;
                List<String> diff = DocCommands.compareOutput(c.output().text(), r.out(), r.err());
                if (!diff.isEmpty()) problems.add(where + " (output block at line " + c.output().line() + ")\n    → "
                        + String.join("\n    → ", diff) + "\n    printed:\n" + indent(tail(r.out() + r.err(), 40)));
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " documented commands fail or print something else:\n" + String.join("\n", problems));
        assertTrue(runs >= 10 && outputs >= 5, "ran " + runs + " commands, checked " + outputs + " output blocks");
    }

    /** `--out <dir>` gets a fresh temporary folder (never a folder named "<dir>"); any other placeholder: null (not run). */
    List<String> withPlaceholdersFilled(List<String> args) throws IOException {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            if (!out.get(i).matches(".*<[^<>]+>.*")) continue;
            if (i == 0 || !out.get(i - 1).equals("--out")) return null;
            out.set(i, Files.createTempDirectory(tmp, "docs-out").toString());
        }
        return out;
    }

    static TestKit.Run runInProcess(String scriptClass, List<String> args) {
        return TestKit.inProcess((out, err) -> {
            try {
                Method m = Class.forName(scriptClass).getDeclaredMethod("run", PrintStream.class, PrintStream.class, String[].class);
                m.setAccessible(true);
                return (Integer) m.invoke(null, out, err, args.toArray(String[]::new));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(scriptClass + ".run: " + e, e);
            }
        });
    }

    static String tail(String s, int n) { return DocCommands.tail(s, n); }

    static String indent(String s) { return s.lines().map(l -> "      " + l).reduce((a, b) -> a + "\n" + b).orElse(""); }

    @Test
    void outputComparisonFollowsTheConvention() {
        String printed = "==> step\nhost_fp32/t1\n  20 runs (of 20): median 2.129 ms\nhost_fp32/t2\n";
        assertEquals(List.of(), DocCommands.compareOutput("host_fp32/t1\n...\n  20 runs ... median 2.129 ms\n\nhost_fp32/t2\n", printed, ""));
        assertEquals(List.of("expected line not printed (in this order): host_fp32/t1"),
                DocCommands.compareOutput("host_fp32/t2\nhost_fp32/t1\n", printed, ""));
        assertEquals(List.of(), DocCommands.compareOutput("[ok] done\nresult\n", "result\n", "[ok] done\n"));
        assertEquals(List.of("expected line not printed (in this order): median 3.0 ms"),
                DocCommands.compareOutput("median 3.0 ms", printed, ""));
        // Lines are anchored at both ends: a fragment of a line does not match unless "..." says so.
        assertEquals(List.of("expected line not printed (in this order): 3 passed"),
                DocCommands.compareOutput("3 passed", "13 passed, 2 failed\n", ""));
        assertEquals(List.of(), DocCommands.compareOutput("...3 passed...", "13 passed, 2 failed\n", ""));
        assertEquals(List.of(), DocCommands.compareOutput("  20 runs ...", printed, ""));
    }

    @Test
    void commandExtractionHandlesTheDocumentedForms() throws Exception {
        Path md = tmp.resolve("x.md");
        Files.writeString(md, String.join("\n",
                "Run `./jbang scripts/ValidateSetup.java --stage setup` first.",
                "```bash",
                "# a comment",
                "$ ./jbang scripts/AnalyzeResults.java --run-dir test-cases/fixtures/demo-run \\",
                "    --out out/x",
                "cd x && jbang analyze-results@owner/repo --help",
                "wget https://h/scripts/AnalyzeResults.java && jbang AnalyzeResults.java --help",
                "NO_COLOR=1 jbang --quiet https://h/o/r/main/scripts/MacPipeline.java 'a b' \"c d\"",
                "./jbang test-cases/RunTests.java",
                "jbang trust add https://example.org/",
                "jbang nosuch-alias --x",
                "```",
                "",
                "The output is:",
                "",
                "```output",
                "ok",
                "```", ""));
        List<DocCommands.Command> cs = DocCommands.commands(md, Map.of("analyze-results", "scripts/AnalyzeResults.java"));
        List<String> got = cs.stream().map(c -> c.line() + " " + c.kind() + " " + c.scriptClass() + " " + c.args()
                + (c.output() != null ? " +output" : "")).toList();
        assertEquals(List.of(
                "4 script AnalyzeResults [--run-dir, test-cases/fixtures/demo-run, --out, out/x]",
                "6 script AnalyzeResults [--help]",
                "7 script AnalyzeResults [--help]",
                "8 script MacPipeline [a b, c d]",
                "9 tests null []",
                "11 unknown null [--x] +output",
                "1 script ValidateSetup [--stage, setup]"), got);
    }

    // ------------------------------------------------------------------ Learning Path rules

    static final Set<String> SKILLLEVELS = Set.of("Introductory", "Advanced");
    static final Set<String> OPERATINGSYSTEMS = Set.of("Linux", "Windows", "macOS", "ChromeOS", "iOS", "Android", "RTOS", "Baremetal", "other");
    /** tools/closed-filters-allow-list.yml of arm-learning-paths, for the two categories this path is shared between. */
    static final Map<String, Set<String>> SUBJECTS = Map.of(
            "laptops-and-desktops", Set.of("Migration to Arm", "CI-CD", "ML", "Performance and Architecture", "Containers and Virtualization"),
            "mobile-graphics-and-gaming", Set.of("Gaming", "AR-VR", "Graphics", "ML", "CI-CD", "Performance and Architecture"));
    /** tools/verify_index_fields.py REQUIRED_FIELDS plus the frontmatter-audit skill's additions. */
    static final List<String> INDEX_FIELDS = List.of("title", "minutes_to_complete", "who_is_this_for", "learning_objectives",
            "prerequisites", "author", "skilllevels", "subjects", "armips", "tools_software_languages", "operatingsystems",
            "further_reading", "weight", "layout", "learning_path_main_page",
            "description", "generate_summary_faq", "rerun_summary", "rerun_faqs");
    static final Pattern ARMIP_FAMILY = Pattern.compile("Cortex-[AMRX]|Neoverse|Mali|Immortalis|Ethos-U|Ethos-N|All");
    static final String NEXT_STEPS = """
            ---
            # ================================================================================
            #       FIXED, DO NOT MODIFY THIS FILE
            # ================================================================================
            weight: 21
            title: "Next Steps"
            layout: "learningpathall"
            ---
            """;

    static Map<String, Object> frontMatter(Path md) throws IOException {
        String s = Files.readString(md);
        assertTrue(s.startsWith("---\n"), rel(md) + ": front matter must open the file");
        int end = s.indexOf("\n---\n", 4);
        assertTrue(end > 0, rel(md) + ": front matter is not closed");
        Object y = new Yaml(new SafeConstructor(new LoaderOptions())).load(s.substring(4, end + 1));
        assertInstanceOf(Map.class, y, rel(md) + ": front matter is not a YAML mapping");
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) y;
        return m;
    }

    @Test
    void theIndexHasEveryRequiredFieldWithClosedListValues() throws Exception {
        Map<String, Object> fm = frontMatter(REPO.resolve("content/_index.md"));
        for (String f : INDEX_FIELDS) assertTrue(fm.containsKey(f) && fm.get(f) != null, "_index.md: missing " + f);
        assertEquals(1, fm.get("weight"));
        assertEquals("learningpathall", fm.get("layout"));
        assertEquals("yes", fm.get("learning_path_main_page"));
        for (String b : List.of("generate_summary_faq", "rerun_summary", "rerun_faqs")) assertInstanceOf(Boolean.class, fm.get(b), b);
        assertTrue(SKILLLEVELS.contains(fm.get("skilllevels")), "skilllevels " + fm.get("skilllevels"));
        assertEquals(Boolean.TRUE, fm.get("shared_path"));
        assertEquals(List.of("laptops-and-desktops", "mobile-graphics-and-gaming"), fm.get("shared_between"));
        for (Map.Entry<String, Set<String>> e : SUBJECTS.entrySet())
            assertTrue(e.getValue().contains(fm.get("subjects")), "subjects " + fm.get("subjects") + " not allowed in " + e.getKey());
        for (Object os : (List<?>) fm.get("operatingsystems")) assertTrue(OPERATINGSYSTEMS.contains(os), "operatingsystems: " + os);
        for (Object ip : (List<?>) fm.get("armips")) assertTrue(ARMIP_FAMILY.matcher(String.valueOf(ip)).matches(), "armips must be families, not CPUs: " + ip);
        assertFalse(((List<?>) fm.get("tools_software_languages")).isEmpty());
        int objectives = ((List<?>) fm.get("learning_objectives")).size();
        assertTrue(objectives >= 3 && objectives <= 4, "3-4 learning objectives, found " + objectives);
        List<?> reading = (List<?>) fm.get("further_reading");
        assertTrue(reading.size() >= 4 && reading.size() <= 6, "4-6 further_reading links, found " + reading.size());
        for (Object r : reading) {
            Map<?, ?> res = (Map<?, ?>) ((Map<?, ?>) r).get("resource");
            assertNotNull(res, "further_reading entries are {resource: {title, link, type}}");
            assertFalse(String.valueOf(res.get("title")).isBlank());
            assertTrue(String.valueOf(res.get("link")).startsWith("https://"), "link " + res.get("link"));
            assertTrue(Set.of("documentation", "blog", "website").contains(res.get("type")), "type " + res.get("type"));
        }
        assertTrue(fm.get("minutes_to_complete") instanceof Integer m && m > 0);
        assertOneSentence("_index.md description", String.valueOf(fm.get("description")));
        assertNotEquals(fm.get("title"), fm.get("description"));
    }

    @Test
    void nextStepsIsTheFixedTemplate() throws Exception {
        assertEquals(NEXT_STEPS, Files.readString(REPO.resolve("content/_next-steps.md")));
    }

    @Test
    void everyPageHasFrontMatterWithUniqueWeightsInOrder() throws Exception {
        List<Path> pages = contentPages(false);
        List<String> names = pages.stream().map(p -> p.getFileName().toString()).toList();
        // The order is the reader's path: the Mac path (01-07), the SAM-family case study (08), then the advanced parts
        // (onboarding, Android), automation and team scale, and the reference pages at the end.
        assertEquals(List.of("01-performance-stack.md", "02-quick-start.md", "03-setup.md", "04-build-runners.md",
                "05-export-models.md", "06-run-pipelines.md", "07-analyze-results.md", "08-sam-case-study.md",
                "09-onboard-your-model.md", "10-android-sme2.md", "11-agentic-kits.md", "12-team-scale-profiling.md",
                "13-command-reference.md", "14-configuration-reference.md", "15-troubleshooting.md", "16-faq.md"), names);
        for (int i = 0; i < pages.size(); i++) {
            String name = names.get(i);
            assertTrue(name.matches(String.format("%02d", i + 1) + "-[a-z0-9]+(-[a-z0-9]+)*\\.md"), "page name " + name);
            Map<String, Object> fm = frontMatter(pages.get(i));
            for (String f : List.of("title", "weight", "layout", "description")) assertNotNull(fm.get(f), name + ": " + f);
            assertEquals("learningpathall", fm.get("layout"), name);
            assertEquals(Integer.parseInt(name.substring(0, 2)) + 1, fm.get("weight"), name + ": weight follows the page number");
            assertOneSentence(name + " description", String.valueOf(fm.get("description")));
            assertNotEquals(fm.get("title"), fm.get("description"), name);
        }
    }

    static void assertOneSentence(String what, String s) {
        assertTrue(s.endsWith("."), what + " ends with a period");
        assertFalse(s.substring(0, s.length() - 1).matches(".*[.!?]\\s+[A-Z].*"), what + " is one sentence: " + s);
        assertTrue(s.length() >= 60 && s.length() <= 300, what + " length " + s.length());
    }

    @Test
    void fileNamesUnderContentAndImagesAreLowercaseWithoutSpaces() throws Exception {
        List<String> bad = new ArrayList<>();
        for (String dir : List.of("content", "images")) {
            try (Stream<Path> s = Files.walk(REPO.resolve(dir))) {
                s.filter(p -> !p.equals(REPO.resolve(dir))).forEach(p -> {
                    String base = p.getFileName().toString().replaceFirst("\\.[^.]+$", "");
                    if (p.getFileName().toString().equals("README.md") && dir.equals("images")) return;
                    if (!base.equals(base.toLowerCase()) || base.contains(" ")) bad.add(rel(p));
                });
            }
        }
        assertTrue(bad.isEmpty(), "capital letters or spaces (the Learning Paths CI rejects them): " + bad);
    }

    @Test
    void everyPageFollowsTheTemplate() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path p : contentPages(false)) {
            String s = Files.readString(p), n = p.getFileName().toString();
            String summary = section(s, "## Quick summary");
            for (String row : List.of("| What you will do |", "| Time |", "| Prerequisites |", "| The one command |"))
                if (!summary.contains(row)) problems.add(n + ": quick summary lacks " + row);
            if (!summary.matches("(?s).*\\| The one command \\| `[^`]+` .*")) problems.add(n + ": the one command is not a code span");
            for (String h : List.of("## Steps", "### Validation checkpoint", "## Troubleshooting", "## Learn more"))
                if (!s.contains("\n" + h)) problems.add(n + ": no heading " + h);
            if (!s.contains("| Symptom | Cause | Fix |")) problems.add(n + ": troubleshooting is not a symptom/cause/fix table");
            if (!s.matches("(?s).*\n## What you've (learned|accomplished) and what's next\n.*")) problems.add(n + ": no recap section");
            if (!s.contains("```output")) problems.add(n + ": no expected output block");
            int order = s.indexOf("## Quick summary");
            for (String h : List.of("## Steps", "## Troubleshooting", "## Learn more", "## What you've")) {
                int at = s.indexOf("\n" + h);
                if (at < order) problems.add(n + ": " + h + " out of order");
                order = at;
            }
            if (s.contains("learning path")) problems.add(n + ": write \"Learning Path\" with capitals");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    static String section(String s, String heading) {
        int a = s.indexOf(heading);
        if (a < 0) return "";
        int b = s.indexOf("\n## ", a + heading.length());
        return s.substring(a, b < 0 ? s.length() : b);
    }

    // ------------------------------------------------------------------ links and images

    @Test
    void relativeLinksAndImagesResolveAndImagesHaveAltText() throws Exception {
        List<String> problems = new ArrayList<>();
        int images = 0;
        for (Path f : docFiles()) {
            boolean page = f.getParent().equals(REPO.resolve("content"));
            String text = DocCommands.stripFencedBlocks(Files.readString(f));
            Matcher m = DocCommands.LINK.matcher(text);
            while (m.find()) {
                boolean image = !m.group(1).isEmpty();
                String alt = m.group(2).replace("#center", "").strip(), target = m.group(3);
                if (image) {
                    images++;
                    if (alt.length() < 10) problems.add(rel(f) + ": image without real alt text: " + m.group());
                }
                if (target.matches("^[a-z]+:.*") || target.startsWith("#") || target.startsWith("/")) continue;   // external, anchor, site path
                String path = target.replaceFirst("#.*$", "");
                Path resolved;
                if (page && path.startsWith("images/")) resolved = REPO.resolve(path);                      // the LP folder's images/
                else if (page && path.matches("\\.\\./[a-z0-9-]+/?")) resolved = REPO.resolve("content/" + path.replaceAll("^\\.\\./|/$", "") + ".md");
                else if (f.getFileName().toString().equals("_index.md") && page && path.matches("[0-9]{2}-[a-z0-9-]+/?"))
                    resolved = REPO.resolve("content/" + path.replaceAll("/$", "") + ".md");     // the main page links to its pages as <page-name>/
                else resolved = f.getParent().resolve(path).normalize();
                if (page && image && !path.startsWith("images/")) problems.add(rel(f) + ": page images must be images/<name>: " + target);
                if (!Files.exists(resolved)) problems.add(rel(f) + ": broken " + (image ? "image" : "link") + " " + target);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(images >= 6, "images found: " + images);
    }

    @Test
    void everyImageInImagesIsUsedByAPage() throws Exception {
        Set<String> shown = new TreeSet<>();
        for (Path p : contentPages(false)) shown.addAll(DocCommands.images(Files.readString(p)));
        List<String> unused = new ArrayList<>();
        try (Stream<Path> s = Files.list(REPO.resolve("images"))) {
            s.filter(p -> p.toString().endsWith(".svg") || p.toString().endsWith(".png"))
                    .forEach(p -> { if (!shown.contains("images/" + p.getFileName())) unused.add(rel(p)); });
        }
        assertTrue(unused.isEmpty(), "images no page shows: " + unused);
    }

    // ------------------------------------------------------------------ agentic kits

    static final List<String> CARD_SECTIONS = List.of("## Goal", "## When to use", "## Prerequisites", "## Steps",
            "## Validation", "## Expected outputs", "## Failure handling", "## Checklist");

    @Test
    void everyAgentCardIsASkillWithTheCardSections() throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(REPO.resolve("agentic-kits/skills"))) {
            for (Path dir : s.sorted().toList()) {
                Path card = dir.resolve("SKILL.md");
                assertTrue(Files.isRegularFile(card), rel(dir) + ": SKILL.md");
                Map<String, Object> fm = frontMatter(card);
                assertEquals(dir.getFileName().toString(), fm.get("name"), rel(card) + ": name matches the folder");
                assertTrue(String.valueOf(fm.get("name")).matches("[a-z0-9]+(-[a-z0-9]+)*"), "skill name " + fm.get("name"));
                String d = String.valueOf(fm.get("description"));
                assertTrue(d.length() > 60 && d.length() <= 1024 && d.contains("Use "), rel(card) + ": description says what and when: " + d);
                String body = Files.readString(card);
                int at = 0;
                for (String h : CARD_SECTIONS) {
                    int k = body.indexOf("\n" + h + "\n");
                    assertTrue(k > at, rel(card) + ": section " + h + " (in order)");
                    at = k;
                }
                String prereq = section(body, "## Prerequisites");
                for (String line : prereq.lines().filter(l -> l.startsWith("- ")).toList())
                    assertTrue(line.contains("`"), rel(card) + ": every prerequisite is a command: " + line);
                String validation = section(body, "## Validation");
                assertTrue(validation.contains("./jbang scripts/") && validation.contains("--json") && validation.contains("`ok`"),
                        rel(card) + ": validation names a --json command and the fields that must hold");
                assertTrue(section(body, "## Failure handling").contains("| Symptom | Cause | Fix |"), rel(card) + ": failure table");
                assertTrue(section(body, "## Checklist").contains("- [ ] "), rel(card) + ": checklist");
                names.add(dir.getFileName().toString());
            }
        }
        assertEquals(List.of("sme2-analyze-results", "sme2-build-runners", "sme2-export-model", "sme2-onboard-model",
                "sme2-run-android", "sme2-run-mac", "sme2-sam-case-study", "sme2-setup-workspace", "sme2-write-config"), names);
        String readme = Files.readString(REPO.resolve("agentic-kits/README.md"));
        for (String n : names) assertTrue(readme.contains("skills/" + n + "/SKILL.md"), "README lists " + n);
        String agents = Files.readString(REPO.resolve("agentic-kits/AGENTS.md"));
        for (String rule : List.of("one step", "--json", "xnntrace", "executorch/", "Report back"))
            assertTrue(agents.contains(rule), "AGENTS.md covers " + rule);
        String page = Files.readString(REPO.resolve("content/11-agentic-kits.md"));
        assertTrue(page.contains("agentic-kits/AGENTS.md") && page.contains("agentic-kits/skills/"));
    }

    // ------------------------------------------------------------------ charts

    static final Pattern CHART_ROW = Pattern.compile("^\\|\\s*`(images/[a-z0-9-]+\\.svg)`\\s*\\|\\s*`([a-z0-9_.-]+)`\\s*\\|", Pattern.MULTILINE);

    @Test
    void theChartsInImagesAreReproducibleFromTheShippedData() throws Exception {
        Path readme = REPO.resolve("images/README.md");
        List<DocCommands.Command> cmds = DocCommands.commands(readme, DocCommands.aliases(REPO)).stream()
                .filter(c -> "AnalyzeResults".equals(c.scriptClass())).toList();
        assertEquals(1, cmds.size(), "images/README.md shows one AnalyzeResults command");
        List<String> args = new ArrayList<>(cmds.get(0).args());
        int out = args.indexOf("--out");
        assertTrue(out >= 0 && args.get(out + 1).contains("<"), "the command writes to --out <dir>: " + args);
        Path dir = tmp.resolve("charts");
        args.set(out + 1, dir.toString());
        TestKit.Run r = runInProcess("AnalyzeResults", args);
        assertEquals(0, r.code(), r.toString());
        Matcher m = CHART_ROW.matcher(Files.readString(readme));
        int n = 0;
        while (m.find()) {
            n++;
            Path committed = REPO.resolve(m.group(1)), made = dir.resolve(m.group(2));
            assertTrue(Files.isRegularFile(made), "AnalyzeResults did not write " + m.group(2));
            assertTrue(Files.isRegularFile(committed), "missing " + m.group(1));
            assertEquals(Files.readString(made), Files.readString(committed),
                    m.group(1) + " differs from a fresh " + m.group(2) + ": regenerate it with the command in images/README.md");
        }
        assertEquals(4, n, "images/README.md maps four charts");
    }
}
