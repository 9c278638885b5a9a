import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.*;

/** RunQuickTest with a recording fake jbang (stand-ins for the other scripts) first on PATH. */
class RunQuickTestTest {
    @TempDir Path tmp;
    RecordingFakes fakes;
    Path ws, scripts;

    @BeforeEach
    void setUp() {
        fakes = new RecordingFakes(tmp.resolve("fakes")).jbang();
        RecordingFakes.write(fakes.dir.resolve("export-pte"), TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte").toString());
        ws = tmp.resolve("ws");
        scripts = TestKit.repo().resolve("scripts");
    }

    TestKit.Run quick(String... args) {
        List<String> all = new ArrayList<>(List.of("--workspace", ws.toString(), "--scripts-dir", scripts.toString()));
        all.addAll(List.of(args));
        return TestKit.inProcess((out, err) -> RunQuickTest.run(fakes.env(), out, err, all.toArray(String[]::new)));
    }

    /** A script path as RunQuickTest passes it: relative to the current folder when inside it. */
    String script(String name) {
        Path p = scripts.resolve(name).toAbsolutePath().normalize(), cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }

    List<String> expectedCalls(String runDir, boolean withBuild) {
        Path config = ws.resolve("runs/quick_mac.json");
        List<String> calls = new ArrayList<>(List.of("jbang " + script("ValidateSetup.java") + " --stage setup --workspace " + ws + " --json"));
        if (withBuild) {
            calls.add("jbang " + script("ValidateSetup.java") + " --stage build --workspace " + ws + " --json");
            calls.add("jbang " + script("BuildRunners.java") + " --workspace " + ws + " --variants host-sme2-on,host-sme2-off");
        }
        calls.addAll(List.of(
                "jbang " + script("ValidateSetup.java") + " --stage export --workspace " + ws + " --json",
                "jbang " + script("ExportModel.java") + " --workspace " + ws + " --model toy_cnn --dtype fp16",
                "jbang " + script("ValidateSetup.java") + " --stage run --workspace " + ws + " --config " + config + " --json",
                "jbang " + script("MacPipeline.java") + " " + config + " --workspace " + ws + " --json",
                "jbang " + script("ValidateResults.java") + " --results " + runDir));
        return calls;
    }

    @Test
    void dryRunPrintsTheWholePlanInOrder() throws Exception {
        TestKit.Run r = quick("--dry-run", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode plan = Kit.JSON.readTree(r.out());
        List<String> commands = StreamSupport.stream(plan.get("commands").spliterator(), false)
                .map(c -> String.join(" ", StreamSupport.stream(c.spliterator(), false).map(JsonNode::asText).toList())).toList();
        List<String> expected = new ArrayList<>(expectedCalls("<run folder printed by MacPipeline>", true));
        expected.add(5, "#write " + ws.resolve("runs/quick_mac.json") + " from " + TestKit.repo().resolve("configs/templates/mac_template.json"));
        assertEquals(expected, commands);
        assertEquals(List.of(), fakes.calls(), "a dry run runs nothing");
        assertFalse(Files.exists(ws));
        assertEquals(List.of("check", "build", "export", "config", "validate", "profile", "results"),
                StreamSupport.stream(plan.get("stages").spliterator(), false).map(s -> s.get("name").asText()).toList());
    }

    @Test
    void runsEveryStageInOrderAndPrintsWhereTheReportIs() throws Exception {
        TestKit.Run r = quick();
        assertEquals(0, r.code(), r.toString());
        String runDir = ws.resolve("runs/quick_mac/20261125-140312-toy_cnn_xnnpack_fp16").toString();
        assertEquals(expectedCalls(runDir, true), fakes.lines());
        for (RecordingFakes.Call c : fakes.calls()) assertEquals(Path.of("").toAbsolutePath(), c.cwd());

        JsonNode config = Kit.readJson(ws.resolve("runs/quick_mac.json"));
        assertEquals(ws.resolve("models/toy_cnn_xnnpack_fp16.pte").toString(), config.get("model").asText());
        assertEquals(ws.resolve("runs/quick_mac").toString(), config.get("output_root").asText());
        assertEquals(ws.resolve("executorch/cmake-out/host-sme2-on/executor_runner").toString(), config.at("/experiments/0/runner_path").asText());
        assertEquals(ws.resolve("executorch/cmake-out/host-sme2-off/executor_runner").toString(), config.at("/experiments/1/runner_path").asText());
        assertEquals("mac_sme2_off", config.at("/analysis/compare_pairs/0/baseline/experiment").asText());
        assertFalse(config.has("$schema"));
        assertEquals(List.of(), Kit.configProblems(ws.resolve("runs/quick_mac.json")));

        for (int i = 1; i <= 7; i++) assertTrue(r.err().contains("==> [" + i + "/7] "), "banner " + i + ": " + r.err());
        assertTrue(r.err().contains("[warn] host-sme2: no SME2 on this host"), r.err());
        assertTrue(r.err().contains("[ok]   report: " + runDir + "/analysis/report.html"), r.err());
        assertTrue(r.err().matches("(?s).*\\[ok] {3}export: " + java.util.regex.Pattern.quote(ws.resolve("models/toy_cnn_xnnpack_fp16.pte").toString()) + " \\(\\d+\\.\\d s\\).*"), r.err());
    }

    @Test
    void runnersThatExistAreNotRebuilt() {
        for (String v : List.of("host-sme2-on", "host-sme2-off")) {
            Path runner = ws.resolve("executorch/cmake-out/" + v + "/executor_runner");
            RecordingFakes.write(runner, "#!/bin/sh\n");
            assertTrue(runner.toFile().setExecutable(true));
        }
        TestKit.Run r = quick("--skip-build");
        assertEquals(0, r.code(), r.toString());
        assertEquals(expectedCalls(ws.resolve("runs/quick_mac/20261125-140312-toy_cnn_xnnpack_fp16").toString(), false), fakes.lines());
    }

    @Test
    void skipBuildWithoutRunnersStopsWithTheBuildCommand() {
        TestKit.Run r = quick("--skip-build");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: stage build failed: --skip-build, but runners are missing: " + ws.resolve("executorch/cmake-out/host-sme2-on/executor_runner")), r.err());
        assertTrue(r.err().contains("fix: build them: jbang " + script("BuildRunners.java") + " --variants host-sme2-on,host-sme2-off"), r.err());
    }

    @Test
    void aFailedCheckStopsTheQuickTestWithItsFix() {
        fakes.fail("validate-setup");
        TestKit.Run r = quick();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("[fail] executorch: no ExecuTorch checkout at " + ws + "/executorch"), r.err());
        assertTrue(r.err().contains("error: stage check failed: executorch: no ExecuTorch checkout at " + ws + "/executorch"), r.err());
        assertTrue(r.err().contains("fix: run SetupRepo; a fresh workspace needs SetupRepo first (or add --setup)"), r.err());
        assertEquals(1, fakes.calls().size());
    }

    @Test
    void aFailingPipelineNamesItsErrorAndFix() {
        fakes.fail("pipeline");
        TestKit.Run r = quick();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: stage profile failed: MacPipeline failed (exit 1): mac_sme2_on/t1: the runner crashed (exit 139)"), r.err());
        assertTrue(r.err().contains("fix: rebuild the runner with --clean"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.contains("ValidateResults")));
    }

    @Test
    void withSetupItRunsSetupRepoFirst() {
        TestKit.Run r = quick("--setup");
        assertEquals(0, r.code(), r.toString());
        assertEquals("jbang " + script("SetupRepo.java") + " --workspace " + ws, fakes.lines().get(0));
        assertTrue(r.err().contains("==> [1/8] Set up the workspace (SetupRepo)"), r.err());
    }

    @Test
    void theBuiltInTemplatesEqualTheShippedOnes() throws Exception {
        for (String platform : List.of("mac", "android")) {
            JsonNode shipped = Kit.readJson(TestKit.repo().resolve("configs/templates/" + platform + "_template.json"));
            ((com.fasterxml.jackson.databind.node.ObjectNode) shipped).remove("$schema");
            assertEquals(shipped, Kit.JSON.readTree(RunQuickTest.FALLBACK_TEMPLATES.get(platform)), platform);
        }
    }

    @Test
    void aLoneScriptsFolderUsesTheBuiltInTemplate() throws Exception {
        Path lone = Files.createDirectories(tmp.resolve("download"));
        for (String s : List.of("RunQuickTest.java", "Kit.java", "ValidateSetup.java", "BuildRunners.java", "ExportModel.java", "MacPipeline.java", "ValidateResults.java"))
            Files.writeString(lone.resolve(s), "// stand-in\n");
        scripts = lone;
        TestKit.Run r = quick();
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("[ok]   config: from the built-in copy of mac_template.json"), r.err());
        assertEquals(List.of(), Kit.configProblems(ws.resolve("runs/quick_mac.json")));
    }

    @Test
    void androidNeedsAndroidPipelineBesideItAndUsesTheAndroidPair() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("scripts"));
        for (String s : List.of("ValidateSetup.java", "BuildRunners.java", "ExportModel.java", "ValidateResults.java"))
            Files.writeString(dir.resolve(s), "// stand-in\n");
        scripts = dir;
        TestKit.Run missing = quick("--platform", "android", "--dry-run");
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("error: missing beside RunQuickTest in " + dir + ": AndroidPipeline.java"), missing.err());

        Files.writeString(dir.resolve("AndroidPipeline.java"), "// stand-in\n");
        TestKit.Run r = quick("--platform", "android", "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains(" --workspace " + ws + " --variants android-arm64-sme2-on,android-arm64-sme2-off\n"), r.out());
        assertTrue(r.out().contains(" --stage android --workspace " + ws + " --config " + ws.resolve("runs/quick_android.json") + " --json\n"), r.out());
        assertTrue(r.out().contains(dir.resolve("AndroidPipeline.java") + " " + ws.resolve("runs/quick_android.json") + " --workspace " + ws + " --json\n"), r.out());
    }

    @Test
    void runsAsARealProcessThroughJbang() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", fakes.sys + ":" + System.getenv("PATH"));
        TestKit.Run r = TestKit.jbang(TestKit.repo(), env, "scripts/RunQuickTest.java", "--workspace", ws.toString(), "--dry-run", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode plan = Kit.JSON.readTree(r.out());
        assertEquals(List.of(TestKit.repo().resolve("jbang").toString(), "scripts/ValidateSetup.java", "--stage", "setup", "--workspace", ws.toString(), "--json"),
                StreamSupport.stream(plan.at("/commands/0").spliterator(), false).map(JsonNode::asText).toList());
        assertEquals(9, plan.get("commands").size());
        assertFalse(Files.exists(ws));
    }
    /** The real ValidateSetup, ExportModel, MacPipeline (+ AnalyzeResults) and ValidateResults through ./jbang, with fake runners and a fake venv python. */
    @Test
    void endToEndWithTheRealScriptsFakeRunnersAndAFakeVenvPython() throws Exception {
        RecordingFakes python = new RecordingFakes(tmp.resolve("python-fakes"));
        RecordingFakes.write(python.dir.resolve("export-pte"), TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte").toString());
        python.fail("etrecord"); // the fake cannot make a real ETRecord, and AnalyzeResults rightly refuses a fake one
        python.venvPython(ws.resolve(".venv"), "3.12.4");
        RecordingFakes.write(ws.resolve(".venv/installed"), RecordingFakes.ET_SHA + "\n");
        Path et = Files.createDirectories(ws.resolve("executorch"));
        RecordingFakes.write(et.resolve("CMakeLists.txt"), "# stand-in\n");
        RecordingFakes.write(et.resolve(".gitignore"), "cmake-out/\n");
        Map<String, String> id = Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.com", "GIT_COMMITTER_NAME", "t", "GIT_COMMITTER_EMAIL", "t@example.com");
        for (List<String> git : List.of(List.of("git", "init", "-q"), List.of("git", "add", "."), List.of("git", "commit", "-q", "-m", "stand-in")))
            assertEquals(0, TestKit.process(et, id, List.of(), java.time.Duration.ofMinutes(1), git.toArray(String[]::new)).code(), git.toString());
        FakeExecutorRunner.install(ws.resolve("executorch/cmake-out/host-sme2-on"), "executor_runner", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"));
        FakeExecutorRunner.install(ws.resolve("executorch/cmake-out/host-sme2-off"), "executor_runner", Map.of("FAKE_RUNNER_VARIANT", "sme2-off"));
        Map<String, String> env = python.env();
        env.put("PATH", python.bin + ":" + System.getenv("PATH"));
        env.put("JBANG_LAUNCH_CMD", TestKit.repo().resolve("jbang").toString());
        TestKit.Run r = TestKit.inProcess((out, err) -> RunQuickTest.run(env, out, err, "--workspace", ws.toString(), "--scripts-dir", scripts.toString(), "--json"));
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = Kit.JSON.readTree(r.out());
        Path runDir = Path.of(doc.get("run_dir").asText());
        assertEquals(ws.resolve("runs/quick_mac"), runDir.getParent());
        assertEquals("ok", Kit.readJson(runDir.resolve("manifest.json")).get("status").asText());
        assertTrue(Files.isRegularFile(runDir.resolve("analysis/analysis_summary.json")), r.err());
        Path report = runDir.resolve("analysis/report.html");
        assertTrue(Files.isRegularFile(report), r.err());
        assertEquals(report.toString(), doc.get("report").asText(), r.err());
        assertTrue(Files.isRegularFile(runDir.resolve("mac_sme2_on/t1/run.etdump")));
        assertEquals(List.of("check", "build", "export", "config", "validate", "profile", "results"),
                StreamSupport.stream(doc.get("stages").spliterator(), false).map(s -> s.get("name").asText() + "").toList());
        assertEquals("ok", doc.at("/stages/6/status").asText());
        assertEquals(32, Kit.readJson(ws.resolve("models/toy_cnn_xnnpack_fp16.export.json")).at("/operators/delegated_nodes").asInt());
    }
}
