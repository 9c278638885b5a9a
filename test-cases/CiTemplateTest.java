import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ci/profiling-workflow.yml, the GitHub Actions template: valid for GitHub's workflow schema (checked with the npm package
 * @action-validator/cli, installed by this test through npm), shaped as a matrix of pipelines whose run folders become
 * artifacts and a final job that merges and gates them, and every script command in it parses against the real script.
 * One config serves every Android matrix job: the phone comes from ANDROID_SERIAL.
 */
class CiTemplateTest {
    static final Path WORKFLOW = TestKit.repo().resolve("ci/profiling-workflow.yml");
    static final String VALIDATOR = "@action-validator/cli@0.6.0", VALIDATOR_CORE = "@action-validator/core@0.6.0";
    @TempDir Path tmp;

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path p) throws Exception {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(p));
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... keys) {
        Object n = node;
        for (String k : keys) n = n == null ? null : ((Map<String, Object>) n).get(k);
        return (T) n;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTemplateIsAMatrixOfPipelinesThenOneMergeAndGateJob() throws Exception {
        Map<String, Object> w = yaml(WORKFLOW);
        Map<String, Object> jobs = at(w, "jobs");
        assertEquals(List.of("mac", "android", "compare"), new ArrayList<>(jobs.keySet()));
        assertTrue(String.valueOf((Object) at(jobs, "mac", "runs-on")).startsWith("macos-"), "a GitHub-hosted arm64 macOS runner");
        List<Object> androidOn = at(jobs, "android", "runs-on");
        assertEquals("self-hosted", androidOn.get(0));
        assertTrue(androidOn.contains("${{ matrix.phone.label }}"), "one runner label per attached phone");
        assertEquals("${{ matrix.phone.serial }}", at(jobs, "android", "env", "ANDROID_SERIAL"));
        assertEquals(List.of("mac", "android"), at(jobs, "compare", "needs"));
        assertEquals("always()", at(jobs, "compare", "if"), "the comparison runs when a matrix job failed too (its run folder says why)");
        for (String j : List.of("mac", "android")) {
            List<Map<String, Object>> steps = at(jobs, j, "steps");
            Map<String, Object> upload = steps.stream().filter(s -> String.valueOf(s.get("uses")).startsWith("actions/upload-artifact@")).findFirst().orElseThrow();
            assertEquals("always()", upload.get("if"), j + ": a failed run folder is uploaded too");
            assertTrue(String.valueOf((Object) at(upload, "with", "name")).startsWith("run-"), j);
            assertTrue(String.valueOf((Object) at(upload, "with", "path")).startsWith("runs/"), j);
        }
        String all = Files.readString(WORKFLOW);
        assertTrue(all.contains("pattern: run-*"), "the final job downloads every run folder artifact");
        assertTrue(all.contains("./jbang scripts/CompareRuns.java --baseline baseline --candidate candidate"), all);
        assertTrue(all.contains("--summary-md \"$GITHUB_STEP_SUMMARY\""), "the verdicts go to the job summary");
    }

    /** Each `./jbang scripts/X.java …` in a run step, with ${{ … }} expressions as placeholders, parses against the real script. */
    @Test
    void everyScriptCommandInTheTemplateParses() throws Exception {
        List<String> checked = new ArrayList<>();
        Map<String, String> matrix = matrixValues(yaml(WORKFLOW));
        assertTrue(matrix.containsKey("matrix.config") && matrix.containsKey("matrix.phone.serial"), matrix.toString());
        for (List<String> argv : commands(Files.readString(WORKFLOW), matrix)) {
            String cls = argv.get(1).replaceFirst("^scripts/", "").replaceFirst("\\.java$", "");
            assertTrue(Files.isRegularFile(TestKit.script(cls + ".java")), argv.toString());
            String err = DocsTest.parseError(cls, argv.subList(2, argv.size()));
            assertNull(err, argv + ": " + err);
            checked.add(cls);
        }
        assertTrue(checked.containsAll(List.of("SetupRepo", "BuildRunners", "ExportModel", "MacPipeline", "AndroidPipeline", "ValidateResults", "CompareRuns")), checked.toString());
    }

    /** Each job builds every runner its config's experiments use: a missing runner stops the pipeline at its preflight (no run folder). */
    @Test
    @SuppressWarnings("unchecked")
    void eachJobBuildsTheRunnersItsConfigUses() throws Exception {
        Map<String, Object> w = yaml(WORKFLOW);
        for (String j : List.of("mac", "android")) {
            Map<String, String> matrix = matrixValues(Map.of("jobs", Map.of(j, at(w, "jobs", j))));   // this job's matrix values
            StringBuilder runs = new StringBuilder();
            for (Map<String, Object> step : (List<Map<String, Object>>) at(w, "jobs", j, "steps"))
                if (step.get("run") != null) runs.append(step.get("run")).append('\n');
            List<List<String>> cmds = commands(runs.toString(), matrix);
            java.util.Set<String> built = new java.util.TreeSet<>(), used = new java.util.TreeSet<>();
            for (List<String> argv : cmds) {
                for (int i = 2; i < argv.size(); i++) {
                    String a = argv.get(i);
                    if (argv.get(1).endsWith("BuildRunners.java") && a.startsWith("--variants"))
                        built.addAll(List.of((a.contains("=") ? a.substring(a.indexOf('=') + 1) : argv.get(i + 1)).split(",")));
                    if (a.startsWith("configs/") && a.endsWith(".json"))
                        for (com.fasterxml.jackson.databind.JsonNode e : Kit.readJson(TestKit.repo().resolve(a)).get("experiments")) {
                            Matcher m = Pattern.compile("cmake-out/([^/]+)/").matcher(e.get("runner_path").asText());
                            assertTrue(m.find(), a + ": " + e);
                            used.add(m.group(1));
                        }
                }
            }
            assertFalse(built.isEmpty() || used.isEmpty(), j + ": built " + built + ", used " + used);
            assertTrue(built.containsAll(used), j + ": the config runs " + used + " but the job builds only " + built);
        }
    }

    /**
     * Each pipeline job profiles the model its matrix row exports: the config comes from the row (${{ matrix.config }}), and
     * every row's config names the .pte ExportModel writes for the row's model and dtype (adding a model to a matrix never
     * profiles another model under its name).
     */
    @Test
    @SuppressWarnings("unchecked")
    void eachMatrixRowProfilesTheModelItExports() throws Exception {
        Map<String, Object> w = yaml(WORKFLOW);
        for (String j : List.of("mac", "android")) {
            String runs = ((List<Map<String, Object>>) at(w, "jobs", j, "steps")).stream().map(s -> String.valueOf(s.get("run"))).reduce("", String::concat);
            assertTrue(Pattern.compile("scripts/(Mac|Android)Pipeline\\.java \\$\\{\\{ matrix\\.config }}").matcher(runs).find(), j + ": " + runs);
            assertTrue(runs.contains("scripts/ExportModel.java --model ${{ matrix.model }} --dtype ${{ matrix.dtype }}"), j + ": " + runs);
            List<Map<String, Object>> include = at(w, "jobs", j, "strategy", "matrix", "include");
            assertNotNull(include, j + ": matrix.include ties each model and dtype to its config");
            for (Map<String, Object> row : include) {
                String pte = Path.of(Kit.readJson(TestKit.repo().resolve(String.valueOf(row.get("config")))).get("model").asText()).getFileName().toString();
                assertEquals(row.get("model") + "_xnnpack_" + row.get("dtype") + ".pte", pte, j + ": " + row);
            }
        }
    }

    static final Pattern EXPR = Pattern.compile("\\$\\{\\{\\s*([^}]*?)\\s*}}");

    /** The first value of every matrix variable of every job (matrix.model → mv2, matrix.phone.label → sme2-phone-1 …). */
    @SuppressWarnings("unchecked")
    static Map<String, String> matrixValues(Map<String, Object> w) {
        Map<String, String> v = new java.util.LinkedHashMap<>();
        for (Object job : ((Map<String, Object>) w.get("jobs")).values()) {
            Map<String, Object> matrix = at(job, "strategy", "matrix");
            if (matrix == null) continue;
            for (Map.Entry<String, Object> e : matrix.entrySet()) {
                Object first = e.getValue() instanceof List<?> l ? l.get(0) : e.getValue();
                if (e.getKey().equals("include")) ((Map<String, Object>) first).forEach((k, x) -> flatten(v, "matrix." + k, x));
                else flatten(v, "matrix." + e.getKey(), first);
            }
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static void flatten(Map<String, String> v, String key, Object x) {
        if (x instanceof Map<?, ?> m) ((Map<String, Object>) m).forEach((k, y) -> flatten(v, key + "." + k, y));
        else v.putIfAbsent(key, String.valueOf(x));
    }

    /** An expression's value for the parse check: a matrix value, the literal fallback of `a || 'b'`, else EXPR. */
    static String resolve(String expr, Map<String, String> matrix) {
        Matcher lit = Pattern.compile("\\|\\|\\s*'([^']*)'\\s*$").matcher(expr);
        return matrix.containsKey(expr) ? matrix.get(expr) : lit.find() ? lit.group(1) : "EXPR";
    }

    static List<List<String>> commands(String yaml, Map<String, String> matrix) {
        List<List<String>> out = new ArrayList<>();
        String joined = yaml.replaceAll("\\\\\\n\\s*", " ");
        for (String line : joined.split("\n")) {
            int at = line.indexOf("./jbang scripts/");
            if (at < 0 || line.trim().startsWith("#")) continue;
            String cmd = EXPR.matcher(line.substring(at)).replaceAll(x -> Matcher.quoteReplacement(resolve(x.group(1), matrix)));
            List<String> words = words(cmd);
            for (String word : words)
                if (word.startsWith("configs/")) assertTrue(Files.isRegularFile(TestKit.repo().resolve(word)), "the template names " + word);
            out.add(words);
        }
        return out;
    }

    /** Shell words up to the first ; && || | or end of line, quotes removed. */
    static List<String> words(String s) {
        List<String> w = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char q = 0;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (q != 0) { if (c == q) q = 0; else cur.append(c); continue; }
            if (c == '"' || c == '\'') { q = c; any = true; continue; }
            if (c == ';' || c == '|' || c == '&') break;
            if (Character.isWhitespace(c)) { if (any || cur.length() > 0) w.add(cur.toString()); cur.setLength(0); any = false; continue; }
            cur.append(c);
        }
        if (any || cur.length() > 0) w.add(cur.toString());
        return w;
    }

    /** GitHub's workflow schema, through @action-validator/cli from the npm registry; a broken copy must fail (the check is real). */
    @Test
    void theTemplateIsAValidGithubWorkflow() throws Exception {
        Path bin = validator();
        TestKit.Run ok = TestKit.process(TestKit.repo(), Map.of(), List.of(), Duration.ofMinutes(2), bin.toString(), WORKFLOW.toString());
        assertEquals(0, ok.code(), ok.toString());
        Path broken = tmp.resolve("broken.yml");
        Files.writeString(broken, Files.readString(WORKFLOW).replace("    runs-on: ubuntu-latest", "    runs_on: ubuntu-latest"));
        TestKit.Run bad = TestKit.process(TestKit.repo(), Map.of(), List.of(), Duration.ofMinutes(2), bin.toString(), broken.toString());
        assertNotEquals(0, bad.code(), bad.toString());
        assertTrue(bad.all().contains("runs_on"), bad.toString());
    }

    /**
     * The validator's binary, installed with npm into test-cases/tmp/npm (once; pinned versions). Without npm the test is
     * skipped with the reason, except on CI (.ci/run sets SME2_REQUIRE_NPM=1 and installs npm), where it fails.
     */
    static Path validator() throws Exception {
        Path prefix = TestKit.repo().resolve("test-cases/tmp/npm"), bin = prefix.resolve("node_modules/.bin/action-validator");
        if (Files.isExecutable(bin)) return bin;
        Path npm = Kit.which(System.getenv(), "npm");
        if (npm == null) {
            assertNotEquals("1", System.getenv("SME2_REQUIRE_NPM"), "npm is required here (SME2_REQUIRE_NPM=1) to validate ci/profiling-workflow.yml");
            Assumptions.abort("npm is not installed: the workflow template is not checked against GitHub's schema (install Node.js and npm to run this test)");
        }
        Files.createDirectories(prefix);
        TestKit.Run r = TestKit.process(prefix, Map.of(), List.of(), Duration.ofMinutes(5), npm.toString(), "install", "--no-audit", "--no-fund",
                "--no-save", "--prefix", prefix.toString(), VALIDATOR, VALIDATOR_CORE);
        assertEquals(0, r.code(), "npm install " + VALIDATOR + ": " + r);
        assertTrue(Files.isExecutable(bin), bin + " after npm install");
        return bin;
    }

    /** One config for every phone of the matrix: AndroidPipeline takes the serial from ANDROID_SERIAL (a real process, real environment). */
    @Test
    void androidPipelineTakesTheSerialFromTheEnvironment() throws Exception {
        FakeAdb fake = FakeAdb.install(tmp.resolve("fake-adb"));
        fake.devices("R5CT1 device usb:1-1 model:Phone_A transport_id:1", "R5CT2 device usb:1-2 model:Phone_B transport_id:2");
        Path model = Files.createDirectories(tmp.resolve("models")).resolve("mnv1_xnnpack_fp32.pte");
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        Path dir = tmp.resolve("executorch/cmake-out/android-arm64-sme2-on");
        FakeAdb.runner(dir, "executor_runner", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"));
        Files.writeString(dir.resolve("libc++_shared.so"), "fake libc++");
        Path cfg = Files.writeString(tmp.resolve("config.json"), "{\"model\": \"models/mnv1_xnnpack_fp32.pte\", \"output_root\": \"runs\", \"experiments\": ["
                + "{\"name\": \"a\", \"runner_path\": \"executorch/cmake-out/android-arm64-sme2-on/executor_runner\", \"runs\": 2, \"warmup\": 0}]}\n");
        TestKit.Run r = TestKit.jbang(TestKit.repo(), Map.of("ANDROID_SERIAL", "R5CT2"), "scripts/AndroidPipeline.java", cfg.toString(),
                "--dry-run", "--no-analysis", "--adb", fake.adb.toString(), "--workspace", tmp.toString());
        assertEquals(0, r.code(), r.toString());
        Matcher m = Pattern.compile("# device: (\\S+), folder ").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals("R5CT2", m.group(1));
    }
}
