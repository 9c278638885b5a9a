import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The robustness suite (issue 12): hostile and broken input must end in exit 2 (bad input) or 1 (a failed run) with a
 * short message naming the problem and a fix, never a stack trace or a hang, and nothing outside the run folder is read,
 * written or deleted. Runs in-process with a fast bash fake executor_runner (FAKE_MODE chooses the fault).
 */
class RobustnessTest {
    @TempDir
    Path ws;
    Path model, runner, etdump1, sentinel;
    Map<Path, String> outsideBefore;

    /** A bash executor_runner: copies a valid 1-execution ETDump; FAKE_MODE = crash, hang, tree, noetdump, truncated, nan, nanms, fill, bigout. */
    static final String RUNNER = """
            etd=""; n=1; args=("$@")
            for ((i=0; i<${#args[@]}; i++)); do case "${args[$i]}" in
              --help) echo '    -etdump_path (Write ETDump data to this path.) type: string default: "model.etdump"'; exit 0 ;;
              --etdump_path) etd="${args[$((i+1))]}" ;;
              --num_executions) n="${args[$((i+1))]}" ;;
            esac; done
            echo "I 00:00:00.001 executorch:executor_runner.cpp:100] Model loaded in 1.0 ms." >&2
            if [ -n "$FAKE_MARK" ] && [ -f "$FAKE_MARK" ]; then FAKE_MODE=""; fi
            if [ -n "$FAKE_MARK" ]; then touch "$FAKE_MARK"; fi
            case "$FAKE_MODE" in
              crash) kill -SEGV $$ ;;
              hang) sleep 60 ;;
              tree) sleep 300 & echo $! > "$FAKE_PIDFILE"; wait ;;
              fill) avail=$(df --output=avail -B1 . | tail -1); head -c $((avail - 65536)) /dev/zero > fill.bin; echo "filled" >&2; exit 1 ;;
              fillall) head -c 100000000 /dev/zero > fill.bin ;;
              bigout) if ! head -c 1000000 /dev/zero > big.out 2>/dev/null; then rm -f big.out; echo "E 00:00:00.003 runner.cpp:1] cannot write big.out: No space left on device" >&2; exit 1; fi ;;
            esac
            if [ -n "$etd" ] && [ "$FAKE_MODE" != noetdump ] && [ "$n" != 0 ]; then
              if [ "$FAKE_MODE" = truncated ]; then head -c 100 "$FAKE_ETDUMP" > "$etd"; else cp "$FAKE_ETDUMP" "$etd" || exit 1; fi
            fi
            if [ "$FAKE_MODE" = nan ]; then echo "OutputX 0: tensor(sizes=[1, 10], [nan, nan])"; fi
            if [ "$FAKE_MODE" = nanms ]; then echo "I 00:00:00.002 executorch:executor_runner.cpp:200] Model executed successfully $n time(s) in nan ms." >&2
            else echo "I 00:00:00.002 executorch:executor_runner.cpp:200] Model executed successfully $n time(s) in $FAKE_MS ms." >&2; fi
            """;

    @BeforeEach
    void workspace() throws Exception {
        model = Files.createDirectories(ws.resolve("models")).resolve("m.pte");
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        etdump1 = ws.resolve("fixtures/one.etdump");
        Files.createDirectories(etdump1.getParent());
        PrintStream none = new PrintStream(java.io.OutputStream.nullOutputStream());
        assertEquals(0, FakeExecutorRunner.run(Map.of(), none, none, "--model_path", model.toString(), "--num_executions", "1",
                "--etdump_path", etdump1.toString()));
        double ms = Kit.etdumpRuns(etdump1).executeMs().get(0);
        runner = TestKit.fakeTool(ws.resolve("bin"), "executor_runner", "export FAKE_ETDUMP=" + Kit.shq(etdump1.toString())
                + " FAKE_MS=" + String.format(java.util.Locale.ROOT, "%.6f", ms) + "\n" + RUNNER);
        sentinel = Files.createDirectories(ws.resolve("outside"));
        Files.writeString(sentinel.resolve("secret.txt"), "SECRET-CONTENT do not read\nNote (XNNPACK): Using gemm microkernel 'xnn_secret__neonsme2'.\n");
        Files.copy(etdump1, sentinel.resolve("real.etdump"));
        Files.createDirectories(sentinel.resolve("exp/t1"));
        Files.writeString(sentinel.resolve("exp/t1/run.etdump"), "keep me");
        outsideBefore = snapshot(sentinel);
    }

    // ---------------------------------------------------------------- helpers

    static Map<Path, String> snapshot(Path dir) throws IOException {
        Map<Path, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) m.put(p, Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) + "@" + Files.getLastModifiedTime(p) : "dir");
        }
        return m;
    }

    /** Nothing outside the run folders changed, and no command ran that a hostile value smuggled in. */
    void outsideUntouched() throws IOException {
        assertEquals(outsideBefore, snapshot(sentinel), "files outside the run folder changed");
        try (Stream<Path> s = Files.walk(ws)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals("pwned")), "a shell ran a hostile value");
        }
    }

    /** A clean ending: the expected exit code, no stack trace, at most maxLines lines on stderr, an error with a fix line. */
    static void clean(TestKit.Run r, int code, int maxLines) {
        assertEquals(code, r.code(), r.toString());
        assertFalse(r.all().contains("\tat ") || r.all().matches("(?s).*\\b(java|com)\\.[a-z.]+[A-Za-z]*Exception.*"), "stack trace or exception: " + r);
        assertTrue(r.err().lines().count() <= maxLines, r.err().lines().count() + " lines: " + r);
        if (code == 2) assertTrue(r.err().contains("error: ") && r.err().contains("fix: "), r.toString());
    }

    ObjectNode baseConfig() {
        ObjectNode c = Kit.object();
        c.put("model", "models/m.pte");
        c.put("output_root", "runs");
        ArrayNode exps = c.putArray("experiments");
        ObjectNode e = exps.addObject();
        e.put("name", "mac_sme2_on");
        e.put("runner_path", "bin/executor_runner");
        e.put("runs", 1);
        e.put("warmup", 0);
        e.put("timeout_s", 20);
        return c;
    }

    ObjectNode exp(ObjectNode c, String name, String mode) {
        ObjectNode e = ((ArrayNode) c.get("experiments")).addObject();
        e.put("name", name);
        e.put("runner_path", "bin/executor_runner");
        e.put("runs", 1);
        e.put("warmup", 0);
        e.put("timeout_s", 20);
        if (mode != null) e.putObject("env").put("FAKE_MODE", mode);
        return e;
    }

    Path write(ObjectNode cfg) throws IOException {
        return Files.writeString(ws.resolve("config.json"), Kit.JSON.writeValueAsString(cfg));
    }

    TestKit.Run mac(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--no-analysis", "--workspace", ws.toString()));
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> TestKit.inProcess((out, err) -> MacPipeline.run(out, err, a.toArray(String[]::new))));
    }

    TestKit.Run analyze(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> TestKit.inProcess((out, err) -> AnalyzeResults.run(out, err, args)));
    }

    List<Path> runFolders() { return TestKit.runFolders(ws.resolve("runs")); }

    // ---------------------------------------------------------------- generated bad configs

    record Case(String name, int code, Consumer<ObjectNode> edit) {}

    static ObjectNode e0(ObjectNode c) { return (ObjectNode) c.get("experiments").get(0); }

    /** Generated configs: wrong types, out-of-range numbers, NUL/control/shell characters in every string field, bad paths. */
    List<Case> configCases() throws IOException {
        List<Case> cases = new ArrayList<>();
        String[] topStrings = {"model", "output_root", "$schema"};
        String[] expStrings = {"name", "runner_path", "mode", "cpu_affinity"};
        for (String f : topStrings) {
            cases.add(new Case("NUL in " + f, 2, c -> c.put(f, "models/m\u0000.pte")));
            cases.add(new Case("number as " + f, 2, c -> c.put(f, 7)));
            cases.add(new Case("list as " + f, 2, c -> c.putArray(f).add("x")));
            cases.add(new Case("null as " + f, 2, c -> c.putNull(f)));
            cases.add(new Case("empty " + f, 2, c -> c.put(f, "")));
        }
        for (String f : expStrings) {
            cases.add(new Case("NUL in experiment " + f, 2, c -> e0(c).put(f, "a\u0000b")));
            cases.add(new Case("object as experiment " + f, 2, c -> e0(c).putObject(f)));
            cases.add(new Case("boolean as experiment " + f, 2, c -> e0(c).put(f, true)));
            cases.add(new Case("shell metacharacters in experiment " + f, 2, c -> e0(c).put(f, "x; touch pwned $(touch pwned) `touch pwned`")));
            cases.add(new Case("control characters in experiment " + f, 2, c -> e0(c).put(f, "a\u0001\nb\u001b[31m")));
        }
        cases.add(new Case("shell metacharacters in model", 2, c -> c.put("model", "models/$(touch pwned);touch pwned.pte")));
        cases.add(new Case("control characters in model", 2, c -> c.put("model", "models/\u0007\nm.pte")));
        cases.add(new Case("NUL in extra_args", 2, c -> e0(c).putArray("extra_args").add("--x\u0000")));
        cases.add(new Case("NUL in env value", 2, c -> e0(c).putObject("env").put("A", "1\u0000")));
        cases.add(new Case("NUL in a key", 2, c -> c.put("mo\u0000del", "x")));
        cases.add(new Case("NUL in a compare label", 2, c -> c.putObject("analysis").putArray("compare_pairs").addObject().put("label", "\u0000")));
        cases.add(new Case("adb remote that looks like an option", 2, c -> c.putObject("device").put("remote", "-Ltcp:5555")));
        cases.add(new Case("adb workdir that is not absolute", 2, c -> c.putObject("device").put("workdir", "-rf")));
        cases.add(new Case("shell env name", 2, c -> e0(c).putObject("env").put("A;touch pwned", "1")));
        cases.add(new Case("shell metacharacters in extra_args run literally", 0, c -> e0(c).putArray("extra_args").add("$(touch pwned)").add(";touch pwned")));
        cases.add(new Case("shell metacharacters in env run literally", 0, c -> e0(c).putObject("env").put("X", "$(touch pwned)`touch pwned`")));
        cases.add(new Case("shell metacharacters in output_root stay a folder name", 0, c -> c.put("output_root", "runs/$(touch pwned);x")));
        for (int v : new int[]{0, -1, Integer.MIN_VALUE}) {
            cases.add(new Case("runs " + v, 2, c -> e0(c).put("runs", v)));
            cases.add(new Case("timeout_s " + v, 2, c -> e0(c).put("timeout_s", v)));
        }
        cases.add(new Case("warmup -1", 2, c -> e0(c).put("warmup", -1)));
        cases.add(new Case("runs 1e12", 2, c -> e0(c).put("runs", 1_000_000_000_000L)));
        cases.add(new Case("runs 2.5", 2, c -> e0(c).put("runs", 2.5)));
        cases.add(new Case("runs as text", 2, c -> e0(c).put("runs", "5")));
        cases.add(new Case("threads empty", 2, c -> e0(c).putArray("threads")));
        cases.add(new Case("threads 0", 2, c -> e0(c).putArray("threads").add(0)));
        cases.add(new Case("threads as text", 2, c -> e0(c).putArray("threads").add("1")));
        cases.add(new Case("threads twice", 2, c -> e0(c).putArray("threads").add(1).add(1)));
        cases.add(new Case("threads not a list", 2, c -> e0(c).put("threads", 4)));
        cases.add(new Case("threads huge", 2, c -> e0(c).putArray("threads").add(99_999_999_999L)));
        cases.add(new Case("experiments empty", 2, c -> c.putArray("experiments")));
        cases.add(new Case("experiments not a list", 2, c -> c.put("experiments", "all")));
        cases.add(new Case("experiment not an object", 2, c -> ((ArrayNode) c.get("experiments")).add(3)));
        cases.add(new Case("unknown key", 2, c -> c.put("num_runs", 3)));
        cases.add(new Case("name with ..", 2, c -> e0(c).put("name", "..")));
        cases.add(new Case("name with a slash", 2, c -> e0(c).put("name", "../../outside/exp")));
        cases.add(new Case("a compare pair to nowhere", 2, c -> c.putObject("analysis").putArray("compare_pairs").addObject()
                .set("baseline", Kit.object().put("experiment", "nope"))));
        // paths that are files, folders, symlinks, unwritable or missing
        Files.createDirectories(ws.resolve("afolder"));
        Files.writeString(ws.resolve("afile"), "x");
        Files.createSymbolicLink(ws.resolve("dangling"), ws.resolve("nowhere"));
        Path noexec = Files.writeString(ws.resolve("bin/noexec"), "#!/bin/sh\n");
        cases.add(new Case("model is a folder", 2, c -> c.put("model", "afolder")));
        cases.add(new Case("model missing", 2, c -> c.put("model", "models/none.pte")));
        cases.add(new Case("model a dangling symlink", 2, c -> c.put("model", "dangling")));
        cases.add(new Case("runner is a folder", 2, c -> e0(c).put("runner_path", "afolder")));
        cases.add(new Case("runner missing", 2, c -> e0(c).put("runner_path", "bin/none")));
        cases.add(new Case("runner not executable", 2, c -> e0(c).put("runner_path", noexec.toString())));
        cases.add(new Case("runner a dangling symlink", 2, c -> e0(c).put("runner_path", "dangling")));
        cases.add(new Case("output_root is a file", 2, c -> c.put("output_root", "afile")));
        cases.add(new Case("output_root below a file", 2, c -> c.put("output_root", "afile/sub")));
        cases.add(new Case("output_root in /proc", 2, c -> c.put("output_root", "/proc/sme2-runs")));
        cases.add(new Case("output_root a dangling symlink", 2, c -> c.put("output_root", "dangling")));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> generatedBadConfigsEndCleanly() throws IOException {
        List<Case> cases = configCases();
        assertTrue(cases.size() >= 60, cases.size() + " cases");
        return cases.stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> {
            ObjectNode c = baseConfig();
            k.edit().accept(c);
            TestKit.Run r = mac(write(c).toString());
            clean(r, k.code(), k.code() == 2 ? 8 : 40);
            if (k.code() == 2) assertTrue(runFolders().isEmpty(), "a run folder was left behind: " + runFolders());
            outsideUntouched();
            Kit.deleteTree(ws.resolve("runs")); // dynamic tests share the workspace
        }));
    }

    @TestFactory
    Stream<DynamicTest> brokenJsonAndConfigPathsEndWithExit2() {
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        texts.put("empty file", "");
        texts.put("truncated", "{\"model\": \"models/m.pte\", \"experiments\": [");
        texts.put("trailing comma", "{\"model\": \"m\",}");
        texts.put("a list", "[]");
        texts.put("a string", "\"config\"");
        texts.put("duplicate key", "{\"model\": \"a\", \"model\": \"b\"}");
        texts.put("binary garbage", "\u0000\u0001\u00ff\u00fe{");
        texts.put("deep nesting", "[".repeat(5000));
        texts.put("comment", "// config\n{}");
        texts.put("BOM and garbage", "\ufeff{x}");
        return texts.entrySet().stream().map(t -> DynamicTest.dynamicTest(t.getKey(), () -> {
            Path f = Files.writeString(ws.resolve("broken.json"), t.getValue());
            clean(mac(f.toString()), 2, 4);
            assertTrue(runFolders().isEmpty());
        }));
    }

    @Test
    void aConfigThatIsAFolderOrMissingIsBadInputSayingSo() throws Exception {
        TestKit.Run folder = mac(Files.createDirectories(ws.resolve("cfgdir")).toString());
        clean(folder, 2, 4);
        assertTrue(folder.err().contains(ws.resolve("cfgdir") + ": is a folder, not a JSON file"), folder.err());
        clean(mac(ws.resolve("none.json").toString()), 2, 4);
    }

    // ---------------------------------------------------------------- item 1: output_root a file (hang), item 9: exit codes

    @Test
    void outputRootNamingAFileFailsAtOnceInARealRunAndInTheDryRun() throws Exception {
        Files.writeString(ws.resolve("afile"), "x");
        ObjectNode c = baseConfig().put("output_root", "afile");
        Path cfg = write(c);
        for (TestKit.Run r : List.of(mac(cfg.toString()), mac(cfg.toString(), "--dry-run"))) {
            clean(r, 2, 8);
            assertTrue(r.err().contains("output_root " + ws.resolve("afile") + " is a file, not a folder"), r.toString());
            assertTrue(r.err().contains("fix: set \"output_root\" in the config to a folder you can write to"), r.toString());
        }
        assertEquals("x", Files.readString(ws.resolve("afile")));
    }

    @Test
    void outputRootInProcIsBadInput() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc on this system");
        TestKit.Run r = mac(write(baseConfig().put("output_root", "/proc/sme2-runs")).toString());
        clean(r, 2, 8);
        assertTrue(r.err().contains("output_root /proc/sme2-runs: its parent /proc is on the proc pseudo file system"), r.toString());
    }

    @Test
    void analyzeOutNamingAFileIsBadInput() throws Exception {
        Path file = Files.writeString(ws.resolve("report-file"), "x");
        TestKit.Run r = analyze("--run-dir", TestKit.shipped("demo-run").toString(), "--out", file.toString());
        clean(r, 2, 4);
        assertTrue(r.err().contains("--out " + file + ": is a file, not a folder"), r.toString());
        TestKit.Run dir = analyze("--etdump", ws.toString());
        clean(dir, 2, 4);
        assertTrue(dir.err().contains("is a folder"), dir.toString());
    }

    // ---------------------------------------------------------------- item 3: hostile manifests (reads outside the run folder)

    /** A copy of the shipped demo run whose first ok result gets etdump_rel (or another metrics key) = value. */
    Path hostileRun(String key, String value) throws Exception {
        Path run = ws.resolve("run");
        Kit.deleteTree(run); // dynamic tests share the workspace
        Kit.deleteTree(ws.resolve("report"));
        ValidateResultsTest.copyTree(TestKit.shipped("demo-run"), run);
        ObjectNode m = (ObjectNode) Kit.readJson(run.resolve("manifest.json"));
        for (JsonNode r : m.get("results")) {
            if (!"ok".equals(r.path("status").asText())) continue;
            ((ObjectNode) r.get("metrics")).put(key, value);
            if (key.equals("etdump_rel")) ((ObjectNode) r.get("metrics")).remove("etdump");
            break;
        }
        Kit.writeJson(run.resolve("manifest.json"), m);
        return run;
    }

    @TestFactory
    Stream<DynamicTest> hostileManifestPathsAreRefusedByAnalyzeAndValidate() {
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("etdump_rel leaving by ..", new String[]{"etdump_rel", "../outside/real.etdump", "points outside the run folder"});
        cases.put("etdump_rel to /etc/passwd", new String[]{"etdump_rel", "../../../../../../../../etc/passwd", "points outside the run folder"});
        cases.put("etdump_rel absolute", new String[]{"etdump_rel", "/etc/passwd", "is an absolute path"});
        cases.put("etdump_rel with NUL", new String[]{"etdump_rel", "a\u0000b", "is not a valid path"});
        cases.put("etdump_rel through a symlinked folder", new String[]{"etdump_rel", "link/real.etdump", "is a symbolic link leading outside the run folder"});
        cases.put("etdump_rel a symlinked file", new String[]{"etdump_rel", "file.etdump", "is a symbolic link leading outside the run folder"});
        cases.put("xnntrace_log_rel to a text file outside", new String[]{"xnntrace_log_rel", "../outside/secret.txt", "points outside the run folder"});
        cases.put("xnntrace_log_rel through a symlink", new String[]{"xnntrace_log_rel", "link/secret.txt", "is a symbolic link leading outside the run folder"});
        return cases.entrySet().stream().map(k -> DynamicTest.dynamicTest(k.getKey(), () -> {
            String[] c = k.getValue();
            Path run = hostileRun(c[0], c[1]);
            Files.createSymbolicLink(run.resolve("link"), sentinel);
            Files.createSymbolicLink(run.resolve("file.etdump"), sentinel.resolve("real.etdump"));
            TestKit.Run r = analyze("--run-dir", run.toString(), "--out", ws.resolve("report").toString());
            clean(r, 2, 4);
            assertTrue(r.err().contains(c[2]) && r.err().contains("nothing outside the run folder is read"), r.toString());
            assertFalse(r.all().contains("SECRET") || r.all().contains("root:"), "content from outside was shown: " + r);
            assertFalse(Files.exists(ws.resolve("report/kernels.csv")), "an analysis was written from outside files");
            TestKit.Run v = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> TestKit.inProcess((out, err) ->
                    ValidateResults.run(out, err, "--results", run.toString())));
            clean(v, 1, 60);
            assertTrue(v.err().contains(c[2]), v.toString());
            outsideUntouched();
        }));
    }

    // ---------------------------------------------------------------- item 4: resume through a symlinked experiment folder

    @Test
    void resumeNeverDeletesThroughASymlinkedExperimentFolder() throws Exception {
        ObjectNode c = baseConfig();
        exp(c, "second", "crash");
        TestKit.Run first = mac(write(c).toString());
        clean(first, 1, 40);
        Path run = TestKit.onlyRunFolder(ws.resolve("runs"));
        Kit.deleteTree(run.resolve("second"));
        Files.createSymbolicLink(run.resolve("second"), sentinel.resolve("exp")); // second/t1 is now outside/exp/t1
        TestKit.Run r = mac("--resume", run.toString());
        clean(r, 1, 40);
        assertTrue(r.err().contains("second t1: the step folder is unsafe, nothing there was touched: second/t1: second is a symbolic link leading"
                + " outside the run folder"), r.toString());
        assertEquals("keep me", Files.readString(sentinel.resolve("exp/t1/run.etdump")));
        outsideUntouched();
    }

    // ---------------------------------------------------------------- item 5: two writers

    @Test
    void aSecondWriterOfARunFolderIsRefusedNamingTheHoldersPid() throws Exception {
        ObjectNode c = baseConfig();
        exp(c, "second", "crash");
        clean(mac(write(c).toString()), 1, 40);
        Path run = TestKit.onlyRunFolder(ws.resolve("runs"));
        String before = Files.readString(run.resolve("manifest.json"));
        try (Kit.RunFolder holder = Kit.RunFolder.open(run).lock()) {
            TestKit.Run r = mac("--resume", run.toString());
            clean(r, 1, 4);
            assertTrue(r.err().contains(run + " is in use by another pipeline run (PID " + ProcessHandle.current().pid() + ", since "), r.toString());
            assertTrue(r.err().contains("fix: wait for that run to end (or stop it), then resume: --resume " + run), r.toString());
            assertEquals(before, Files.readString(run.resolve("manifest.json")), "the second writer changed the manifest");
        }
        TestKit.Run after = mac("--resume", run.toString()); // the lock is gone with its holder
        assertEquals(1, after.code(), after.toString());
        assertTrue(after.err().contains("resuming 1 of 2 experiment run(s)"), after.toString());
    }

    // ---------------------------------------------------------------- item 8: timeout kills the whole process tree

    @Test
    void aTimeoutKillsTheWholeProcessTree() throws Exception {
        Path pidFile = ws.resolve("child.pid");
        Path wrapper = TestKit.fakeTool(ws.resolve("bin"), "wrapper", "sleep 300 & echo $! > " + Kit.shq(pidFile.toString()) + "\nwait\n");
        Kit.Result r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Kit.exec(Kit.Io.quiet(), Kit.Cmd.of(wrapper.toString())
                .timeout(Duration.ofSeconds(1))));
        assertTrue(r.timedOut(), r.toString());
        long child = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle h = ProcessHandle.of(child).orElse(null);
        if (h != null) h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the runner's child " + child + " survived the timeout");
    }

    @Test
    void aRunnerThatHangsWithChildrenTimesOutAloneAndTheNextStillRuns() throws Exception {
        ObjectNode c = baseConfig();
        ObjectNode tree = exp(c, "tree", "tree");
        tree.put("timeout_s", 1);
        ((ObjectNode) tree.get("env")).put("FAKE_PIDFILE", ws.resolve("tree.pid").toString());
        exp(c, "after", null);
        TestKit.Run r = mac(write(c).toString());
        clean(r, 1, 40);
        JsonNode m = Kit.readJson(TestKit.onlyRunFolder(ws.resolve("runs")).resolve("manifest.json"));
        assertTrue(TestKit.entry(m, "tree", 1).get("reason").asText().startsWith("timed out after 1 s (timeout_s)"), m.toString());
        assertEquals("ok", TestKit.entry(m, "after", 1).get("status").asText());
        long child = Long.parseLong(Files.readString(ws.resolve("tree.pid")).trim());
        ProcessHandle.of(child).ifPresent(h -> h.onExit().join());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
    }

    // ---------------------------------------------------------------- runner faults

    @TestFactory
    Stream<DynamicTest> runnerFaultsFailTheirStepAloneWithTheReason() {
        Map<String, String> faults = new java.util.LinkedHashMap<>();
        faults.put("crash", "runner exited with code 139 (killed by SIGSEGV)");
        faults.put("noetdump", "the runner exited 0 but wrote no ETDump at ");
        faults.put("truncated", "the ETDump cannot be read: ");
        faults.put("nan", "the printed output tensor contains NaN (nan)");
        faults.put("hang", "timed out after 1 s (timeout_s)");
        return faults.entrySet().stream().map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
            ObjectNode c = baseConfig();
            exp(c, "fault", f.getKey()).put("timeout_s", 1);
            TestKit.Run r = mac(write(c).toString());
            clean(r, 1, 40);
            Path run = TestKit.onlyRunFolder(ws.resolve("runs"));
            JsonNode m = Kit.readJson(run.resolve("manifest.json"));
            assertEquals("failed", m.get("status").asText());
            assertEquals("ok", TestKit.entry(m, "mac_sme2_on", 1).get("status").asText(), "the earlier result is kept");
            assertTrue(TestKit.entry(m, "fault", 1).get("reason").asText().contains(f.getValue()), TestKit.entry(m, "fault", 1).toString());
            assertTrue(r.out().contains("--resume " + run), r.out());
            Kit.deleteTree(ws.resolve("runs"));
        }));
    }

    @Test
    void aRunnerPrintingNanMsIsNotReportedAsPrintingNoTotal() throws Exception {
        ObjectNode c = baseConfig();
        e0(c).putObject("env").put("FAKE_MODE", "nanms");
        TestKit.Run r = mac(write(c).toString());
        clean(r, 0, 40);
        JsonNode m = Kit.readJson(TestKit.onlyRunFolder(ws.resolve("runs")).resolve("manifest.json"));
        JsonNode metrics = TestKit.entry(m, "mac_sme2_on", 1).get("metrics");
        assertTrue(metrics.get("runner_reported_ms").isNull(), metrics.toString());
        assertEquals(List.of("the runner printed its total time as nan ms (\"Model executed successfully … in nan ms\"), so its own timing is"
                + " broken; the ETDump's times are used"), TestKit.texts(metrics.get("warnings")));
    }

    // ---------------------------------------------------------------- interruption and resume, earlier results kept

    @Test
    void resumeRerunsOnlyTheFailedStepAndKeepsEarlierResultsByteForByte() throws Exception {
        ObjectNode c = baseConfig();
        ((ObjectNode) exp(c, "flaky", "crash").get("env")).put("FAKE_MARK", ws.resolve("flaky.mark").toString());
        clean(mac(write(c).toString()), 1, 40);
        Path run = TestKit.onlyRunFolder(ws.resolve("runs"));
        Path kept = run.resolve("mac_sme2_on/t1/run.etdump");
        String before = Files.readString(kept, StandardCharsets.ISO_8859_1) + Files.getLastModifiedTime(kept);
        TestKit.Run r = mac("--resume", run.toString());
        clean(r, 0, 40);
        assertEquals(before, Files.readString(kept, StandardCharsets.ISO_8859_1) + Files.getLastModifiedTime(kept));
        assertEquals("ok", Kit.readJson(run.resolve("manifest.json")).get("status").asText());
        assertEquals(List.of(run), runFolders(), "resume writes into the same folder");
    }

    @Test
    void sigtermPrintsOneLineWithWhatWasKeptAndTheResumeCommand() throws Exception {
        ObjectNode c = baseConfig();
        exp(c, "hang", "hang");
        Path cfg = write(c);
        Path out = ws.resolve("out.txt"), err = ws.resolve("err.txt");
        Process p = TestKit.startMacPipeline(ws, out, err, cfg);
        Path run = null;
        try {
            for (long end = System.nanoTime() + 120_000_000_000L; System.nanoTime() < end && p.isAlive() && run == null; Thread.sleep(100)) {
                List<Path> f = runFolders();
                if (f.size() == 1 && Files.isRegularFile(f.get(0).resolve("hang/t1/runner.log"))
                        && Files.readString(f.get(0).resolve("hang/t1/runner.log")).contains("Model loaded")) run = f.get(0);
            }
            assertNotNull(run, "the hang experiment never started: " + Files.readString(err));
            // a second writer meanwhile is refused, naming the running pipeline's PID
            TestKit.Run second = mac("--resume", run.toString());
            clean(second, 1, 4);
            long pid = Long.parseLong(second.err().replaceFirst("(?s).*\\(PID (\\d+), since.*", "$1"));
            assertTrue(pid == p.pid() || p.descendants().anyMatch(h -> h.pid() == pid), second.err());
            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(pid)).start().waitFor());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the pipeline did not stop on SIGTERM");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String e = Files.readString(err);
        List<String> lines = e.lines().filter(l -> l.startsWith("interrupted: ")).toList();
        assertEquals(List.of("interrupted: kept 1 finished result(s) in " + run + "; resume with: " + TestKit.repo().resolve("jbang") + " " + TestKit.script("MacPipeline.java")
                + " --resume " + run), lines, e);
        assertFalse(e.contains("\tat "), e);
        assertEquals("interrupted", Kit.readJson(run.resolve("manifest.json")).get("status").asText());
    }

    // ---------------------------------------------------------------- item 6: a full disk

    @Test
    void aFullDiskFailsTheStepsItHitsKeepsTheManifestAndNoTmpFilesAndResumeFinishes() throws Exception {
        Path small = Files.createDirectories(ws.resolve("small"));
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "the tmpfs case needs Linux");
        TestKit.Run mount = TestKit.process(ws, Map.of(), List.of(), Duration.ofSeconds(20), "mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", small.toString());
        Assumptions.assumeTrue(mount.code() == 0, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): " + mount.err().trim());
        try {
            ObjectNode c = baseConfig().put("output_root", "small");
            for (String[] e : new String[][]{{"filler", "fill"}, {"third", "bigout"}, {"fourth", "fillall"}, {"fifth", ""}})
                ((ObjectNode) exp(c, e[0], e[1]).get("env")).put("FAKE_MARK", ws.resolve(e[0] + ".mark").toString());
            TestKit.Run r = mac(write(c).toString());
            clean(r, 1, 40);
            Path run = TestKit.onlyRunFolder(small);
            JsonNode m = Kit.readJson(run.resolve("manifest.json"));
            assertEquals("ok", TestKit.entry(m, "mac_sme2_on", 1).get("status").asText(), "the result before the full disk is kept");
            JsonNode third = TestKit.entry(m, "third", 1);
            assertEquals("failed", third.get("status").asText(), m.toString());
            assertTrue(third.get("reason").asText().startsWith("runner exited with code 1: cannot write big.out: No space left on device; the disk holding "
                    + run + " is full (0 MB free): free space there, then run again with --resume"), third.toString());
            // the fourth fills the disk completely: its failure cannot be recorded, so the run stops, saying what to do
            assertEquals("pending", TestKit.entry(m, "fourth", 1).get("status").asText(), m.toString());
            assertTrue(r.err().contains("No space left on device") && r.err().contains("fix: free disk space, then resume: jbang ")
                    && r.err().contains(" --resume " + run), r.toString());
            try (Stream<Path> s = Files.walk(small)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "temporary files left behind");
            }
            try (Stream<Path> s = Files.walk(run)) {
                for (Path fill : s.filter(p -> p.getFileName().toString().equals("fill.bin")).toList()) Files.delete(fill); // the user frees space
            }
            TestKit.Run resumed = mac("--resume", run.toString());
            clean(resumed, 0, 40);
            assertEquals("ok", Kit.readJson(run.resolve("manifest.json")).get("status").asText());
        } finally {
            TestKit.process(ws, Map.of(), List.of(), Duration.ofSeconds(20), "umount", "-l", small.toString());
        }
    }

    // ---------------------------------------------------------------- item 10: message size

    @Test
    void hugeConfigsGiveShortMessages() throws Exception {
        ObjectNode c = baseConfig();
        ArrayNode exps = (ArrayNode) c.get("experiments");
        for (int i = 0; i < 5000; i++) exps.addObject().put("name", "e" + i).put("runner_path", "bin/executor_runner").put("runs", i % 2);
        c.putObject("analysis").putArray("compare_pairs").addObject().set("baseline", Kit.object().put("experiment", "something_else"));
        TestKit.Run r = mac(write(c).toString());
        clean(r, 2, 30);
        assertTrue(r.err().length() < 6000, r.err().length() + " characters");
        assertTrue(r.err().startsWith("error: 2502 problems in the config:\n") && r.err().contains("\n  … and 2482 more\n"), r.err());
        assertEquals("a, b, … (3 more)", Kit.some(List.of("a", "b", "c", "d", "e"), 2));
    }

    // ---------------------------------------------------------------- item 11: the fixes name what works

    @Test
    void validateSetupNamesABuildRunnersVariantNeverAnExperimentName() throws Exception {
        ValidateSetupEnv e = new ValidateSetupEnv(ws.resolve("vs")).healthy();
        Path custom = TestKit.fakeTool(e.ws.resolve("elsewhere"), "my_runner", "exit 0");
        Path cfg = Files.writeString(e.ws.resolve("mac.json"), "{\"model\": \"m.pte\", \"experiments\": [{\"name\": \"mac_sme2_on\", \"runner_path\": \""
                + custom + "\"}]}");
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateSetup.run(out, err, e.args("--stage", "run", "--json", "--config", cfg.toString())));
        JsonNode doc = Kit.JSON.readTree(r.out());
        JsonNode check = null;
        for (JsonNode k : doc.get("checks")) if (k.get("id").asText().equals("config-runner:mac_sme2_on")) check = k;
        assertNotNull(check, r.out());
        assertEquals("rebuild it: jbang scripts/BuildRunners.java --variants host-sme2-on", check.get("fix").asText());
    }

    // ---------------------------------------------------------------- item 12: no value becomes an option of git

    @Test
    void anExecutorchUrlThatLooksLikeAnOptionNeverReachesGit() throws Exception {
        RecordingFakes fakes = new RecordingFakes(ws.resolve("fakes")).git().python("python3", "3.12.4");
        for (String url : List.of("--upload-pack=touch pwned", "ext::sh -c touch% pwned", "-u", "https://x\n--upload-pack=y")) {
            TestKit.Run r = TestKit.inProcess((out, err) -> SetupRepo.run(fakes.env(), out, err, "--workspace", ws.resolve("sws").toString(),
                    "--executorch-url", url));
            clean(r, 2, 6);
            assertTrue(r.err().contains("fix: pass a repository URL such as "), r.toString());
            assertFalse(fakes.lines().stream().anyMatch(l -> l.startsWith("git clone")), fakes.lines().toString());
        }
        outsideUntouched();
    }
}
