import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MacPipeline end to end with fake executor_runner wrappers (test-cases/support/FakeExecutorRunner.java) in a temporary
 * workspace: run-folder layout and contents, failures, timeout, resume, interrupt (a real ./jbang process and SIGINT),
 * dry-run, and the checks before running.
 */
class MacPipelineTest {
    @TempDir
    Path ws;
    Path model, on, off, xnnlog;

    static final Map<String, Object> ON_BUILD = build("host-sme2-on", "ON", "Release"), OFF_BUILD = build("host-sme2-off", "OFF", "Release");

    static Map<String, Object> build(String variant, String sme2, String type) {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("-DCMAKE_BUILD_TYPE", type);
        flags.put("-DEXECUTORCH_BUILD_DEVTOOLS", "ON");
        flags.put("-DEXECUTORCH_ENABLE_EVENT_TRACER", "ON");
        flags.put("-DXNNPACK_ENABLE_ARM_SME2", sme2);
        flags.put("-DXNNPACK_ENABLE_ARM_SME", sme2);
        if (variant.endsWith("xnnlog")) flags.put("-DCMAKE_C_FLAGS", "-UXNN_NO_LOGGING -DXNN_LOG_LEVEL=5");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("variant", variant);
        b.put("cmake_flags", flags);
        b.put("executorch_sha", "e2f18eb2aabbccdd");
        b.put("compiler", "AppleClang 17.0.0");
        b.put("sme2_symbol_count", sme2.equals("ON") ? 112 : 0);
        return b;
    }

    @BeforeEach
    void workspace() throws Exception {
        model = Files.createDirectories(ws.resolve("models")).resolve("mnv1_xnnpack_fp32.pte");
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        on = runner("host-sme2-on", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"), ON_BUILD);
        off = runner("host-sme2-off", Map.of("FAKE_RUNNER_VARIANT", "sme2-off"), OFF_BUILD);
        xnnlog = runner("host-sme2-on-xnnlog", Map.of("FAKE_RUNNER_VARIANT", "sme2-on", "FAKE_RUNNER_XNNLOG", "1"), build("host-sme2-on-xnnlog", "ON", "Release"));
    }

    /** A fake runner at executorch/cmake-out/VARIANT/executor_runner with build.json beside it (none when build is null). */
    Path runner(String variant, Map<String, String> env, Map<String, Object> build) {
        Path dir = ws.resolve("executorch/cmake-out").resolve(variant);
        Path r = FakeExecutorRunner.install(dir, "executor_runner", env);
        if (build != null) Kit.writeJson(dir.resolve("build.json"), build);
        return r;
    }

    Path config(String experimentsJson, String extra) throws Exception {
        return Files.writeString(ws.resolve("config.json"), "{\"$schema\": \"schema/config.schema.json\", \"model\": \"models/mnv1_xnnpack_fp32.pte\", \"output_root\": \"runs\",\n"
                + " \"experiments\": [" + experimentsJson + "]" + extra + "}\n");
    }

    static final String MAIN = """
            {"name": "mac_sme2_on", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 5, "warmup": 1, "threads": [1, 2]},
            {"name": "mac_sme2_off", "runner_path": "executorch/cmake-out/host-sme2-off/executor_runner", "runs": 5, "warmup": 0},
            {"name": "mac_xnntrace", "runner_path": "executorch/cmake-out/host-sme2-on-xnnlog/executor_runner", "mode": "xnntrace", "warmup": 0, "threads": [1]}""";
    static final String PAIR = ", \"analysis\": {\"compare_pairs\": [{\"baseline\": {\"experiment\": \"mac_sme2_off\", \"threads\": 1},"
            + " \"candidate\": {\"experiment\": \"mac_sme2_on\", \"threads\": 1}, \"label\": \"SME2 on vs off\"}]}";

    TestKit.Run pipeline(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--workspace", ws.toString()));
        return TestKit.inProcess((out, err) -> MacPipeline.run(out, err, a.toArray(String[]::new)));
    }

    List<Path> runFolders() { return TestKit.runFolders(ws.resolve("runs")); }

    Path onlyRunFolder() {
        Path f = TestKit.onlyRunFolder(ws.resolve("runs"));
        assertTrue(f.getFileName().toString().matches("\\d{8}-\\d{6}-mnv1_xnnpack_fp32"), f.toString());
        return f;
    }

    static List<String> cmd(Path runner, Path model, int n, int threads, Path etdump) {
        List<String> c = new ArrayList<>(List.of(runner.toString(), "--model_path", model.toString(), "--num_executions", "" + n, "--cpu_threads", "" + threads));
        if (etdump != null) c.addAll(List.of("--etdump_path", etdump.toString()));
        return c;
    }

    static JsonNode entry(JsonNode manifest, String exp, int threads) { return TestKit.entry(manifest, exp, threads); }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    static List<Double> doubles(JsonNode arr) { return TestKit.doubles(arr); }

    @Test
    void endToEndWritesTheReadmeRunFolder() throws Exception {
        Path cfg = config(MAIN, PAIR);
        TestKit.Run r = pipeline(cfg.toString(), "--no-analysis");
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRunFolder();

        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        assertEquals(List.of("schema_version", "generated_at", "tool", "status", "config", "model", "model_sha256", "executorch", "run_root", "host", "device",
                "runners", "results", "warnings"), TestKit.names(m.fieldNames()));
        assertEquals(2, m.get("schema_version").asInt(), "2: metrics with warmup_in_process and latency_all_ms");
        assertTrue(m.get("generated_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
        assertEquals("MacPipeline", m.get("tool").asText());
        assertEquals("ok", m.get("status").asText());
        assertEquals(cfg.toString(), m.get("config").asText());
        assertEquals(model.toString(), m.get("model").asText());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model))),
                m.get("model_sha256").asText(), "the model file's hash: a fleet comparison never compares different model files");
        assertEquals("{\"present\":false,\"sha\":null,\"dirty\":false}", m.get("executorch").toString());
        assertEquals(run.toString(), m.get("run_root").asText());
        assertEquals(List.of("os", "arch", "cpu", "cores", "sme2", "java", "tools"), TestKit.names(m.get("host").fieldNames()));
        assertEquals(Runtime.getRuntime().availableProcessors(), m.get("host").get("cores").asInt());
        assertEquals(System.getProperty("java.version"), m.get("host").get("java").asText());
        assertEquals(Kit.JSON.valueToTree(ON_BUILD), m.get("runners").get("mac_sme2_on").get("build"));
        assertEquals(on.toString(), m.get("runners").get("mac_sme2_on").get("path").asText());
        assertEquals("ON", m.get("runners").get("mac_sme2_on").get("sme2_flag").asText());
        assertEquals("OFF", m.get("runners").get("mac_sme2_off").get("sme2_flag").asText());
        assertTrue(m.get("runners").get("mac_sme2_on").get("note").isNull());
        for (JsonNode w : m.get("warnings")) // build flags differ only in SME2; on an x86-64 host the warning says no Arm kernel exists there
            assertTrue(w.asText().startsWith(MacPipeline.isX86(System.getProperty("os.arch")) ? "this is an x86-64 host: no Arm kernel exists here" : "this CPU has no SME2"), w.asText());

        List<String> labels = new ArrayList<>();
        m.get("results").forEach(e -> labels.add(e.get("experiment").asText() + "/t" + e.get("threads").asInt() + ":" + e.get("mode").asText()
                + ":" + e.get("status").asText() + ":" + e.get("reason")));
        assertEquals(List.of("mac_sme2_on/t1:timing:ok:null", "mac_sme2_on/t2:timing:ok:null", "mac_sme2_off/t1:timing:ok:null",
                "mac_xnntrace/t1:xnntrace:ok:null"), labels);
        for (JsonNode e : m.get("results")) {
            String exp = e.get("experiment").asText();
            int t = e.get("threads").asInt();
            Path dir = run.resolve(exp).resolve("t" + t), etdump = dir.resolve("run.etdump");
            JsonNode x = e.get("metrics");
            List<Double> all = Kit.etdumpRuns(etdump).executeMs();
            int runs = exp.equals("mac_xnntrace") ? 1 : 5, warm = exp.equals("mac_sme2_on") ? 1 : 0;
            assertEquals(warm + runs, all.size(), "the timed process runs the warm-up executions, then the timed ones");
            List<Double> lat = all.subList(warm, all.size());
            assertEquals(all, doubles(x.get("latency_all_ms")));
            assertEquals(lat, doubles(x.get("latency_ms")), "latency_ms: steady state only");
            assertEquals(warm, x.get("warmup_in_process").asInt());
            assertEquals(median(lat), x.get("median_ms").asDouble());
            assertEquals(lat.stream().min(Double::compare).orElseThrow(), x.get("min_ms").asDouble());
            assertEquals(lat.stream().max(Double::compare).orElseThrow(), x.get("max_ms").asDouble());
            assertEquals(List.of("runs", "warmup", "warmup_in_process", "threads", "latency_ms", "latency_all_ms", "median_ms", "min_ms", "max_ms", "runner_reported_ms", "etdump", "log",
                    "etdump_rel", "log_rel", "xnntrace_log_rel", "mean_ms", "cv_percent", "warnings", "seconds"), TestKit.names(x.fieldNames()));
            assertEquals(runs, x.get("runs").asInt());
            assertEquals(exp.equals("mac_sme2_on") ? 1 : 0, x.get("warmup").asInt());
            assertEquals(t, x.get("threads").asInt());
            Matcher rep = Pattern.compile("Model executed successfully " + (warm + runs) + " time\\(s\\) in ([0-9.]+) ms").matcher(Files.readString(dir.resolve("runner.log")));
            assertTrue(rep.find());
            assertEquals(Double.parseDouble(rep.group(1)), x.get("runner_reported_ms").asDouble());
            assertEquals(etdump.toString(), x.get("etdump").asText());
            assertEquals(dir.resolve("runner.log").toString(), x.get("log").asText());
            assertEquals(exp + "/t" + t + "/run.etdump", x.get("etdump_rel").asText());
            assertEquals(exp + "/t" + t + "/runner.log", x.get("log_rel").asText());
            assertEquals(exp.equals("mac_xnntrace") ? "mac_xnntrace/t1/xnntrace.log" : null, x.get("xnntrace_log_rel").textValue());
            assertEquals(0, x.get("warnings").size(), x.toString());
            Path runner = exp.equals("mac_sme2_on") ? on : exp.equals("mac_sme2_off") ? off : xnnlog;
            assertEquals(cmd(runner, model, warm + runs, t, etdump), Files.readAllLines(dir.resolve("command.txt")));
            assertFalse(Files.exists(dir.resolve("warmup.log")), "no separate warm-up process without --warmup-process");
            assertFalse(Files.exists(dir.resolve("model.etdump")));
        }
        assertTrue(Files.readString(run.resolve("mac_sme2_on/t1/runner.log")).contains("Iteration 6 of 6: "));
        String kernels = Files.readString(run.resolve("mac_xnntrace/t1/xnntrace.log"));
        assertTrue(kernels.contains("Note (XNNPACK): Using gemm microkernel 'xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2'."), kernels);
        assertFalse(kernels.contains("OutputX"), "xnntrace.log holds XNNPACK's lines only");
        assertTrue(kernels.contains("\nDebug (XNNPACK): running operator 1:0 (Convolution (NHWC, F32) IGEMM) (xnn_run_operator_with_index, "),
                "XNNPACK's debug lines come from stdout: " + kernels);
        assertTrue(entry(m, "mac_sme2_on", 1).get("metrics").get("median_ms").asDouble() < entry(m, "mac_sme2_off", 1).get("metrics").get("median_ms").asDouble());

        assertEquals(m.get("results"), Kit.readJson(run.resolve("metrics.json")).get("results"));
        assertEquals(List.of("results"), TestKit.names(Kit.readJson(run.resolve("metrics.json")).fieldNames()));
        Kit.Config resolved = Kit.loadConfig(run.resolve("config.json"));
        assertEquals(model, resolved.model());
        assertEquals(on, resolved.experiment("mac_sme2_on").runnerPath());
        assertEquals(1, resolved.experiment("mac_xnntrace").runs());
        assertEquals(List.of(1), resolved.experiment("mac_sme2_off").threads());
        assertEquals(ws.resolve("schema/config.schema.json").toString(), resolved.raw().get("$schema").asText());
        assertEquals(600, resolved.raw().get("experiments").get(0).get("timeout_s").asInt());

        assertTrue(r.out().contains("Run folder: " + run + "  (status: ok, analysis: skipped (--no-analysis))\n"), r.out());
        assertTrue(Pattern.compile("(?m)^mac_sme2_off\\s+1  ok\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d$").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("  jbang scripts/ValidateResults.java --results " + run + "\n"), r.out());
        assertTrue(r.err().contains("==> [1/4] mac_sme2_on t1: 1 warm-up + 5 timing run(s) ("), r.err());
        assertTrue(r.err().contains("==> [4/4] mac_xnntrace t1: 1 xnntrace run(s) with the kernel log ("), r.err());

        validates(run);
    }

    /** ValidateResults accepts the run folder (TestKit, support code, may not name a script class). */
    static void validates(Path run) {
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateResults.run(out, err, "--results", run.toString()));
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void aFailingExperimentIsRecordedWithTheRunnersReasonAndTheOthersStillRun() throws Exception {
        Files.writeString(ws.resolve("text.pte"), "hello, this is text");
        String r = "\"runner_path\": \"executorch/cmake-out/host-sme2-off/executor_runner\", \"runs\": 3, \"warmup\": 0";
        Path cfg = config("""
                {"name": "crash", %1$s, "env": {"FAKE_RUNNER_MODE": "crash"}},
                {"name": "exit3", %1$s, "env": {"FAKE_RUNNER_MODE": "exit3"}},
                {"name": "warm3", "runner_path": "executorch/cmake-out/host-sme2-off/executor_runner", "runs": 3, "warmup": 1, "env": {"FAKE_RUNNER_MODE": "exit3"}},
                {"name": "nan", %1$s, "env": {"FAKE_RUNNER_MODE": "nan"}},
                {"name": "noetdump", %1$s, "env": {"FAKE_RUNNER_MODE": "noetdump"}},
                {"name": "short", %1$s, "env": {"FAKE_RUNNER_MODE": "short"}},
                {"name": "badflag", %1$s, "extra_args": ["--num_runs", "3"]},
                {"name": "good", %1$s}""".formatted(r), "");
        TestKit.Run run = pipeline(cfg.toString(), "--no-analysis", "--warmup-process");
        assertEquals(1, run.code(), run.toString());
        Path dir = onlyRunFolder();
        JsonNode m = Kit.readJson(dir.resolve("manifest.json"));
        assertEquals("failed", m.get("status").asText());
        String crash = entry(m, "crash", 1).get("reason").asText();
        assertTrue(crash.startsWith("runner exited with code 139 (killed by SIGSEGV): "), crash);
        assertTrue(Pattern.compile(": Setting up planned buffer 0, size 1232800\\. \\| Model loaded in [0-9.]+ ms\\. \\| Iteration 1 of 3: [0-9.]+ ms$")
                .matcher(crash).find(), crash);
        assertEquals("runner exited with code 3: Execution of method forward failed with status 0x1 | Execution of method forward failed with status 0x1",
                entry(m, "exit3", 1).get("reason").asText());
        assertEquals("warm-up runner exited with code 3: Execution of method forward failed with status 0x1 | Execution of method forward failed with status 0x1",
                entry(m, "warm3", 1).get("reason").asText());
        assertFalse(Files.exists(dir.resolve("warm3/t1/runner.log")), "no timed run after a failed warm-up");
        assertEquals("the printed output tensor contains NaN (nan)", entry(m, "nan", 1).get("reason").asText());
        assertEquals("the runner exited 0 but wrote no ETDump at " + dir.resolve("noetdump/t1/run.etdump"), entry(m, "noetdump", 1).get("reason").asText());
        assertEquals("the ETDump has 2 Execute block(s) but 3 execution(s) ran", entry(m, "short", 1).get("reason").asText());
        assertEquals("runner exited with code 1: ERROR: unknown command line flag 'num_runs'", entry(m, "badflag", 1).get("reason").asText());
        for (String exp : List.of("crash", "exit3", "warm3", "nan", "noetdump", "short", "badflag")) {
            JsonNode e = entry(m, exp, 1);
            assertEquals("failed", e.get("status").asText(), exp);
            assertEquals(0, e.get("metrics").get("latency_ms").size(), exp);
            assertTrue(e.get("metrics").get("median_ms").isNull(), exp);
        }
        assertEquals("short/t1/run.etdump", entry(m, "short", 1).get("metrics").get("etdump_rel").asText());
        assertTrue(entry(m, "crash", 1).get("metrics").get("etdump_rel").isNull());
        assertEquals("crash/t1/runner.log", entry(m, "crash", 1).get("metrics").get("log_rel").asText());
        JsonNode good = entry(m, "good", 1);
        assertEquals("ok", good.get("status").asText());
        assertEquals(Kit.etdumpRuns(dir.resolve("good/t1/run.etdump")).executeMs(), doubles(good.get("metrics").get("latency_ms")));
        assertEquals(m.get("results"), Kit.readJson(dir.resolve("metrics.json")).get("results"));
        assertTrue(run.out().contains("  jbang scripts/MacPipeline.java --resume " + dir + "\n"), run.out());
        assertTrue(run.err().contains("[fail] badflag t1: runner exited with code 1: ERROR: unknown command line flag 'num_runs'\n"), run.err());
    }

    @Test
    void aModelTheRunnerCannotParseFailsEveryExperimentWithItsWords() throws Exception {
        Path text = Files.writeString(ws.resolve("models/mnv1_xnnpack_fp32.pte"), "hello, this is text");
        Path cfg = config("{\"name\": \"a\", \"runner_path\": \"executorch/cmake-out/host-sme2-on/executor_runner\", \"runs\": 2, \"warmup\": 0}", "");
        TestKit.Run r = pipeline(cfg.toString(), "--no-analysis", "--json");
        assertEquals(1, r.code(), r.toString());
        JsonNode out = Kit.JSON.readTree(r.out());
        assertEquals(List.of("run_dir", "status", "exit_code", "analysis", "results", "warnings", "next"), TestKit.names(out.fieldNames()));
        assertEquals(onlyRunFolder().toString(), out.get("run_dir").asText());
        assertEquals("failed", out.get("status").asText());
        assertEquals(1, out.get("exit_code").asInt());
        assertEquals("runner exited with code 1: Program identifier 'o, t' != expected 'ET12' | Failed to parse model file " + text,
                out.get("results").get(0).get("reason").asText());
        assertEquals(Kit.readJson(onlyRunFolder().resolve("manifest.json")).get("results"), out.get("results"));
    }

    @Test
    void aHangingRunnerTimesOutAndTheNextExperimentStillRuns() throws Exception {
        Path cfg = config("""
                {"name": "hang", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 2, "warmup": 0, "timeout_s": 1, "env": {"FAKE_RUNNER_MODE": "hang"}},
                {"name": "after", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 2, "warmup": 0}""", "");
        long t0 = System.nanoTime();
        TestKit.Run r = pipeline(cfg.toString(), "--no-analysis");
        assertEquals(1, r.code(), r.toString());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the timeout stopped the hanging runner");
        JsonNode m = Kit.readJson(onlyRunFolder().resolve("manifest.json"));
        String reason = entry(m, "hang", 1).get("reason").asText();
        assertTrue(reason.startsWith("timed out after 1 s (timeout_s); last output: "), reason);
        assertTrue(reason.matches(".* \\| Model loaded in [0-9.]+ ms\\.$"), reason);
        assertEquals("failed", entry(m, "hang", 1).get("status").asText());
        assertEquals("ok", entry(m, "after", 1).get("status").asText());
    }

    @Test
    void resumeRerunsOnlyWhatIsNotOkIntoTheSameFolder() throws Exception {
        runner("host-sme2-off", Map.of("FAKE_RUNNER_MODE", "exit3"), OFF_BUILD);
        Path cfg = config(MAIN, PAIR);
        assertEquals(1, pipeline(cfg.toString(), "--no-analysis").code());
        Path run = onlyRunFolder();
        JsonNode first = Kit.readJson(run.resolve("manifest.json"));
        assertEquals("failed", entry(first, "mac_sme2_off", 1).get("status").asText());
        String onLog = Files.readString(run.resolve("mac_sme2_on/t1/runner.log"));
        var onTime = Files.getLastModifiedTime(run.resolve("mac_sme2_on/t1/run.etdump"));

        runner("host-sme2-off", Map.of("FAKE_RUNNER_VARIANT", "sme2-off"), OFF_BUILD); // fixed
        TestKit.Run again = pipeline("--resume", run.toString(), "--no-analysis");
        assertEquals(0, again.code(), again.toString());
        assertEquals(List.of(run), runFolders());
        assertTrue(again.err().contains("==> resuming 1 of 4 experiment run(s) into " + run + "\n"), again.err());
        assertTrue(again.err().contains("==> [1/1] mac_sme2_off t1: "), again.err());
        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        assertEquals("ok", m.get("status").asText());
        assertEquals(1, m.get("resumed_at").size());
        assertEquals(List.of("ok", "ok", "ok", "ok"), m.get("results").findValuesAsText("status"));
        assertEquals(first.get("results").get(0), m.get("results").get(0), "the ok entries are kept as they were");
        assertEquals(onLog, Files.readString(run.resolve("mac_sme2_on/t1/runner.log")));
        assertEquals(onTime, Files.getLastModifiedTime(run.resolve("mac_sme2_on/t1/run.etdump")));
        assertEquals(Kit.etdumpRuns(run.resolve("mac_sme2_off/t1/run.etdump")).executeMs(), doubles(entry(m, "mac_sme2_off", 1).get("metrics").get("latency_ms")));
        validates(run);
    }

    @Test
    void ctrlCMarksTheRunInterruptedAndKeepsWhatFinished() throws Exception {
        TestKit.assumeSigintIsDelivered();
        Path cfg = config("""
                {"name": "first", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 2, "warmup": 0},
                {"name": "hang", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 2, "warmup": 0, "env": {"FAKE_RUNNER_MODE": "hang"}},
                {"name": "never", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 2, "warmup": 0}""", "");
        Path out = ws.resolve("out.txt"), err = ws.resolve("err.txt");
        Process p = TestKit.startMacPipeline(ws, out, err, cfg);
        try {
            Path log = null;
            for (long end = System.nanoTime() + 240_000_000_000L; System.nanoTime() < end && p.isAlive(); Thread.sleep(200)) {
                List<Path> f = runFolders();
                if (f.size() == 1 && Files.isRegularFile(f.get(0).resolve("hang/t1/runner.log"))
                        && Files.readString(f.get(0).resolve("hang/t1/runner.log")).contains("Model loaded in")) {
                    log = f.get(0).resolve("hang/t1/runner.log");
                    break;
                }
            }
            assertTrue(log != null, "the hang experiment never started: " + Files.readString(err));
            List<ProcessHandle> children = p.descendants().toList();
            assertFalse(children.isEmpty());
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the pipeline did not stop on SIGINT");
            assertEquals(130, p.exitValue(), Files.readString(err));
            for (ProcessHandle c : children) assertTrue(c.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS) != null && !c.isAlive(), "runner left running: " + c);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Path run = onlyRunFolder();
        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        assertEquals("interrupted", m.get("status").asText());
        assertEquals("ok", entry(m, "first", 1).get("status").asText());
        assertEquals(Kit.etdumpRuns(run.resolve("first/t1/run.etdump")).executeMs(), doubles(entry(m, "first", 1).get("metrics").get("latency_ms")));
        assertEquals("interrupted", entry(m, "hang", 1).get("status").asText());
        assertEquals("interrupted (SIGINT/SIGTERM) while it ran; re-run it with --resume", entry(m, "hang", 1).get("reason").asText());
        assertEquals("pending", entry(m, "never", 1).get("status").asText());
        assertEquals(m.get("results"), Kit.readJson(run.resolve("metrics.json")).get("results"));
        assertEquals(1, Files.readString(err).lines().filter(l -> l.equals("interrupted: kept 1 finished result(s) in " + run
                + "; resume with: " + TestKit.repo().resolve("jbang") + " " + TestKit.script("MacPipeline.java") + " --resume " + run)).count(), Files.readString(err));
    }

    @Test
    void runFoldersAreNeverShared() throws Exception {
        Instant now = Instant.parse("2026-11-25T14:03:12.345Z");
        Path root = ws.resolve("runs");
        Path a = Kit.RunFolder.newDir(root, "m", now, true), b = Kit.RunFolder.newDir(root, "m", now, true);
        assertEquals(root.resolve("20261125-140312-m"), a);
        assertEquals(root.resolve("20261125-140312-m-2"), b);
        assertEquals(root.resolve("20261125-140312-m-3"), Kit.RunFolder.newDir(root, "m", now, false));
        assertFalse(Files.exists(root.resolve("20261125-140312-m-3")));
        List<Path> made = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) threads.add(new Thread(() -> made.add(Kit.RunFolder.newDir(root, "c", now, true))));
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join();
        assertEquals(8, made.stream().distinct().count());
    }

    @Test
    void dryRunPrintsTheExactCommandsAndCreatesNothing() throws Exception {
        Path cfg = config(MAIN, PAIR);
        TestKit.Run r = pipeline(cfg.toString(), "--dry-run", "--no-analysis");
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(ws.resolve("runs")));
        Matcher folder = Pattern.compile("^# run folder: (\\S+) \\(not created: --dry-run\\)\n").matcher(r.out());
        assertTrue(folder.find(), r.out());
        Path run = Path.of(folder.group(1));
        assertEquals(ws.resolve("runs"), run.getParent());
        StringBuilder want = new StringBuilder(folder.group());
        for (Object[] s : new Object[][]{{on, "mac_sme2_on", 1, 5, 1}, {on, "mac_sme2_on", 2, 5, 1}, {off, "mac_sme2_off", 1, 5, 0}, {xnnlog, "mac_xnntrace", 1, 1, 0}}) {
            Path dir = run.resolve((String) s[1]).resolve("t" + s[2]);
            // the warm-up runs inside the timed process: --num_executions warmup + runs, no separate warm-up process
            want.append("(cd ").append(dir).append(") ").append(String.join(" ", cmd((Path) s[0], model, (int) s[4] + (int) s[3], (int) s[2], dir.resolve("run.etdump")))).append('\n');
        }
        assertEquals(want.toString(), r.out());

        TestKit.Run sep = pipeline(cfg.toString(), "--dry-run", "--no-analysis", "--warmup-process", "--only", "mac_sme2_on");
        assertEquals(0, sep.code(), sep.toString());
        Path dir1 = Path.of(Pattern.compile("^# run folder: (\\S+) ").matcher(sep.out()).results().findFirst().orElseThrow().group(1)).resolve("mac_sme2_on/t1");
        assertTrue(sep.out().contains("(cd " + dir1 + ") " + String.join(" ", cmd(on, model, 1, 1, null)) + "\n(cd " + dir1 + ") "
                + String.join(" ", cmd(on, model, 6, 1, dir1.resolve("run.etdump"))) + "\n"), "--warmup-process adds the separate warm-up process: " + sep.out());

        TestKit.Run json = pipeline("--dry-run", "--no-analysis", "--json", "--only", "mac_sme2_off", cfg.toString()); // CONFIG after --only
        assertEquals(0, json.code(), json.toString());
        JsonNode j = Kit.JSON.readTree(json.out());
        Path dir = Path.of(j.get("run_dir").asText()).resolve("mac_sme2_off/t1");
        assertEquals(Kit.JSON.valueToTree(List.of(cmd(off, model, 5, 1, dir.resolve("run.etdump")))), j.get("commands"));
        assertFalse(Files.exists(ws.resolve("runs")));
    }

    @Test
    void aBadConfigExitsTwoWithEveryProblemAndRunsNothing() throws Exception {
        Path cfg = config("{\"name\": \"a\", \"runner_path\": \"x\", \"num_runs\": 3}, {\"name\": \"a\", \"runner_path\": \"y\"}", "");
        TestKit.Run r = pipeline(cfg.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(cfg + ": $.experiments[0].num_runs: unknown key; did you mean \"runs\"?"), r.err());
        assertTrue(r.err().contains(cfg + ": $.experiments[1].name: \"a\" is used by an earlier experiment"), r.err());
        assertFalse(Files.exists(ws.resolve("runs")));
        TestKit.Run only = pipeline(config(MAIN, "").toString(), "--only", "mac_sme2_of");
        assertEquals(2, only.code());
        assertTrue(only.err().contains("error: --only: no experiment named mac_sme2_of in " + ws.resolve("config.json")
                + "\nfix: use names from the config: mac_sme2_on, mac_sme2_off, mac_xnntrace\n"), only.err());
        assertEquals(2, pipeline().code());
    }

    @Test
    void aMissingRunnerOrModelNamesTheCommandThatMakesIt() throws Exception {
        Files.delete(off);
        Files.delete(xnnlog);
        Files.delete(model);
        TestKit.Run r = pipeline(config(MAIN, PAIR).toString(), "--no-analysis");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("error: 3 problems before running:\n  " + model + ": model not found (\"model\" in " + ws.resolve("config.json") + ")\n"
                + "  experiment mac_sme2_off: runner " + off + " not found\n  experiment mac_xnntrace: runner " + xnnlog + " not found\n"), r.err());
        assertTrue(r.err().contains("fix: export it: jbang scripts/ExportModel.java --model-file <your_model.py> --model-class <the class named mnv1 in snake_case> --dtype fp32 (or point \"model\" at an existing .pte)\n"
                + "     build them: jbang scripts/BuildRunners.java --variants host-sme2-off,host-sme2-on-xnnlog (or point \"runner_path\" at existing runners)\n"), r.err());
        assertFalse(Files.exists(ws.resolve("runs")));
        assertEquals("jbang scripts/ExportModel.java --model mv2 --dtype fp16", Kit.Pipeline.exportCommand(Path.of("x/model.pte")));
        assertEquals("jbang scripts/ExportModel.java --model mv3 --dtype int8", Kit.Pipeline.exportCommand(Path.of("x/mv3_xnnpack_int8.pte")));
        assertEquals("jbang scripts/ExportModel.java --model resnet18 --backend portable --dtype fp32",
                Kit.Pipeline.exportCommand(Path.of("x/resnet18_portable_fp32.pte")));
        // a name that is not one of --model's came from --model-file: the hint asks for that file, never for --model
        assertEquals("jbang scripts/ExportModel.java --model-file <your_model.py> --model-class <the class named sam_style_encoder_xnn in snake_case> --dtype fp32",
                Kit.Pipeline.exportCommand(Path.of("models/sam_style_encoder_xnn_xnnpack_fp32.pte")));
        assertEquals("jbang scripts/ExportModel.java --model efficient_sam_untrained --dtype fp16",
                Kit.Pipeline.exportCommand(Path.of("models/efficient_sam_untrained_xnnpack_fp16.pte")));
        assertEquals("jbang scripts/ExportModel.java --model mv2 --dtype int8", Kit.Pipeline.exportCommand(Path.of("models/mv2_xnnpack_q8.pte")));
    }

    @Test
    void aRunnerWithoutTheEventTracerIsRefusedWithTheRebuildFix() throws Exception {
        runner("host-sme2-on", Map.of("FAKE_RUNNER_NO_ETDUMP", "1"), ON_BUILD);
        TestKit.Run r = pipeline(config(MAIN, PAIR).toString(), "--no-analysis");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("error: experiment mac_sme2_on: runner " + on + " has no --etdump_path flag: it was built without the event tracer,"
                + " so it writes no ETDump\nfix: rebuild it with -DEXECUTORCH_BUILD_DEVTOOLS=ON -DEXECUTORCH_ENABLE_EVENT_TRACER=ON:"
                + " jbang scripts/BuildRunners.java --variants host-sme2-on\n"), r.err());
        assertFalse(Files.exists(ws.resolve("runs")));
    }

    @Test
    void theEventTracerIsDetectedFromGflagsHelpElseFromTheBinary() {
        assertTrue(MacPipeline.hasEtdumpFlag(on));
        assertFalse(MacPipeline.hasEtdumpFlag(runner("plain", Map.of("FAKE_RUNNER_NO_ETDUMP", "1"), null)));
        // not a gflags program (no flag list on --help): the flag name inside the file decides
        assertTrue(MacPipeline.hasEtdumpFlag(TestKit.fakeTool(ws.resolve("bin"), "with", "# DEFINE_string(etdump_path, ...)\necho usage; exit 1")));
        assertFalse(MacPipeline.hasEtdumpFlag(TestKit.fakeTool(ws.resolve("bin"), "without", "echo usage; exit 1")));
    }

    @Test
    void anX86RunnerIsNotBlamedOnClangAndAStrippedOneIsUnknown() throws Exception {
        Map<String, Object> x86 = build("host-sme2-on", "ON", "Release");
        x86.put("sme2_symbol_count", 0);
        x86.put("sme2_evidence", "not applicable: an x86-64 build has no Arm kernels, SME2 or NEON");
        x86.put("target_arch", "x86_64");
        runner("host-sme2-on", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"), x86);
        TestKit.Run r = pipeline(config(MAIN, PAIR).toString(), "--no-analysis", "--only", "mac_sme2_on,mac_sme2_off");
        assertEquals(0, r.code(), r.toString());
        List<String> w = TestKit.texts(Kit.readJson(onlyRunFolder().resolve("manifest.json")).get("warnings"));
        assertTrue(w.contains("this is an x86-64 runner: no Arm kernel exists here, SME2 or NEON; XNNPACK runs x86 kernels (AVX-512, AVX2…), so SME2 on and off"
                + " run the same code. Measure SME2 on an Arm host with SME2 (Apple M4 or newer) or an SME2 Android device"), w.toString());
        assertTrue(w.stream().noneMatch(x -> x.contains("Clang < 18") || x.contains("NEON kernels")), w.toString());

        Map<String, Object> stripped = build("host-sme2-on", "ON", "Release");
        stripped.put("sme2_symbol_count", null);
        stripped.put("sme2_evidence", "unknown: binary stripped");
        stripped.put("target_arch", "aarch64");
        runner("host-sme2-on", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"), stripped);
        TestKit.Run s = pipeline(config(MAIN, PAIR).toString(), "--no-analysis", "--only", "mac_sme2_on,mac_sme2_off");
        assertEquals(0, s.code(), s.toString());
        assertTrue(s.err().contains("[warn] experiment mac_sme2_on: the runner is stripped, so whether it holds SME2 kernels is unknown (not 0); the kernel log of its"
                + " xnntrace run shows which kernels XNNPACK selects"), s.err());
        assertFalse(s.err().contains("contains no SME2 kernels"), s.err());
    }

    @Test
    void buildRecordsThatDifferInMoreThanSme2AreWarnedAndMissingOnesNoted() throws Exception {
        Map<String, Object> debug = build("host-sme2-off", "OFF", "Debug");
        @SuppressWarnings("unchecked") Map<String, Object> flags = (Map<String, Object>) debug.get("cmake_flags");
        flags.put("-DCMAKE_C_FLAGS", "-DXNN_NO_LOGGING");
        runner("host-sme2-off", Map.of("FAKE_RUNNER_VARIANT", "sme2-off"), debug);
        Files.delete(xnnlog.resolveSibling("build.json"));
        TestKit.Run r = pipeline(config(MAIN, PAIR).toString(), "--no-analysis", "--only", "mac_sme2_on,mac_sme2_off", "mac_xnntrace");
        assertEquals(0, r.code(), r.toString());
        JsonNode m = Kit.readJson(onlyRunFolder().resolve("manifest.json"));
        String w = "compare pair \"SME2 on vs off\": the runners of mac_sme2_off and mac_sme2_on differ in more than the SME2 flags:"
                + " -DCMAKE_BUILD_TYPE: Debug vs Release; -DCMAKE_C_FLAGS: -DXNN_NO_LOGGING vs (unset); rebuild both with jbang scripts/BuildRunners.java"
                + " so that only XNNPACK_ENABLE_ARM_SME2/SME differ";
        assertTrue(TestKit.texts(m.get("warnings")).contains(w), m.get("warnings").toString());
        assertTrue(r.err().contains("[warn] " + w + "\n"), r.err());
        JsonNode x = m.get("runners").get("mac_xnntrace");
        assertTrue(x.get("build").isNull());
        assertEquals("no build.json beside the runner: its build flags, SME2 setting and ExecuTorch revision are unknown"
                + " (runners built with jbang scripts/BuildRunners.java record them)", x.get("note").asText());
        assertEquals(4, m.get("results").size());

        Map<String, Object> onLog = build("host-sme2-on-xnnlog", "ON", "Release"), offLog = build("host-sme2-off-xnnlog", "OFF", "Release");
        assertEquals(List.of(), Kit.Pipeline.buildDiff(onLog, offLog, true));
        assertEquals(List.of("-DCMAKE_C_FLAGS: -UXNN_NO_LOGGING -DXNN_LOG_LEVEL=5 vs (unset)"), Kit.Pipeline.buildDiff(onLog, OFF_BUILD, false));
        assertEquals(List.of(), Kit.Pipeline.buildDiff(onLog, OFF_BUILD, true));
    }

    @Test
    void endToEndThroughJbangFromConfigToValidatedRunFolderAndReport() throws Exception {
        Path cfg = config(MAIN, PAIR);
        Path schema = Files.createDirectories(ws.resolve("schema")).resolve("config.schema.json");
        Files.copy(TestKit.repo().resolve("configs/config.schema.json"), schema);
        TestKit.Run r = TestKit.jbang(ws, Map.of(), TestKit.script("MacPipeline.java").toString(), cfg.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = Kit.JSON.readTree(r.out());
        Path run = onlyRunFolder();
        assertEquals(run.toString(), doc.get("run_dir").asText(), r.out());
        assertEquals("ok", Kit.readJson(run.resolve("manifest.json")).get("status").asText());

        TestKit.Run valid = TestKit.jbang(ws, Map.of(), TestKit.script("ValidateResults.java").toString(), "--results", run.toString(), "--json");
        assertEquals(0, valid.code(), valid.toString());
        assertTrue(Kit.JSON.readTree(valid.out()).get("ok").asBoolean(), valid.out());

        JsonNode summary = Kit.readJson(run.resolve("analysis/analysis_summary.json"));
        assertEquals(4, summary.get("experiments").size(), "mac_sme2_on t1, t2, mac_sme2_off t1, mac_xnntrace t1");
        JsonNode cmp = summary.get("comparisons").get(0);
        assertEquals("mac_sme2_off/t1", cmp.get("baseline").asText());
        assertEquals("mac_sme2_on/t1", cmp.get("candidate").asText());
        assertEquals(2.0, cmp.get("speedup_median").asDouble(), 0.1, "the fake SME2-on runner runs at half the time");
        assertTrue(cmp.get("ci95_low").asDouble() > 1.0 && !cmp.get("within_noise").asBoolean(), cmp.get("verdict").asText());
        JsonNode perOperator = null;
        for (JsonNode e : summary.get("experiments")) if (e.get("label").asText().equals("mac_xnntrace/t1")) perOperator = e.get("operator_kernels");
        assertTrue(perOperator != null && perOperator.isObject(), summary.toString());
        assertEquals("order", perOperator.get("etdump_match").asText(), "the per-operator lines of xnntrace.log meet the ETDump's events");
        assertEquals(32, perOperator.get("operators").size());
        for (String f : List.of("report.html", "report.md", "inspector.csv", "categories.svg", "comparison.svg", "trace.json"))
            assertTrue(Files.isRegularFile(run.resolve("analysis").resolve(f)), f);
    }

    @Test
    void theAnalysisRunsAfterThePipelineWhenAnalyzeResultsExists() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(TestKit.script("AnalyzeResults.java")), "scripts/AnalyzeResults.java is not written yet");
        Path cfg = config("{\"name\": \"a\", \"runner_path\": \"executorch/cmake-out/host-sme2-on/executor_runner\", \"runs\": 3, \"warmup\": 0}", "");
        TestKit.Run r = pipeline(cfg.toString());
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRunFolder();
        assertTrue(Files.isRegularFile(run.resolve("analysis/analysis_summary.json")), r.toString());
        assertTrue(r.err().contains("==> analysis: "), r.err());
        assertTrue(r.out().contains("(status: ok, analysis: ok)"), r.out());

        Path summary = run.resolve("analysis/analysis_summary.json");
        Files.delete(summary);
        TestKit.Run again = pipeline("--analysis-only", run.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(Files.isRegularFile(summary));
        assertEquals(List.of(run), runFolders(), "--analysis-only runs nothing else");
        TestKit.Run notRun = pipeline("--analysis-only", ws.toString());
        assertEquals(2, notRun.code());
        assertTrue(notRun.err().contains("error: " + ws + ": no manifest.json here, so it is not a run folder\n"), notRun.err());
    }

    @Test
    void theRunnersOwnTotalCrossChecksTheEtdump() {
        Kit.Experiment timing = new Kit.Experiment("t", on, "timing", 2, 0, List.of(1), List.of(), null, 600, Map.of());
        Kit.Step step = new Kit.Step(timing, 1);
        String agree = "I 00:00:00.001 executorch:executor_runner.cpp:534] Model executed successfully 2 time(s) in 4.100000 ms.\n";
        assertEquals(List.of(), MacPipeline.crossChecks(step, Kit.RunnerOutput.parse(agree), List.of(2.0, 2.0), null));
        String wild = "I 00:00:00.001 executorch:executor_runner.cpp:534] Model executed successfully 3 time(s) in 40.000000 ms.\n";
        assertEquals(List.of("the ETDump's Method::execute total 4.000 ms disagrees with the runner's own 40.000 ms",
                        "the runner says it executed 3 time(s), the pipeline asked for 2"),
                MacPipeline.crossChecks(step, Kit.RunnerOutput.parse(wild), List.of(2.0, 2.0), null));
        assertEquals(List.of("the runner printed no \"Model executed successfully\" line to cross-check the ETDump with"),
                MacPipeline.crossChecks(step, Kit.RunnerOutput.parse(""), List.of(2.0, 2.0), null));
        Kit.Experiment trace = new Kit.Experiment("x", on, "xnntrace", 1, 0, List.of(1), List.of(), null, 600, Map.of());
        assertEquals(List.of("no XNNPACK kernel lines in k.log: is the runner a kernel-logging build (jbang scripts/BuildRunners.java --variants host-sme2-on-xnnlog)?"),
                MacPipeline.crossChecks(new Kit.Step(trace, 1), Kit.RunnerOutput.parse(agree.replace("2 time(s) in 4.1", "1 time(s) in 2.0")),
                        List.of(2.0), Path.of("k.log")));
    }
}
