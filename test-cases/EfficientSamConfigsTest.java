import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * configs/examples/{mac,android}_efficient_sam_{fp32,fp16}.json: they load, their runs and timeouts fit EfficientSAM
 * ViT-T (ExecuTorch's table: 4.1 s per inference, XNNPACK fp32, M1 Pro), ValidateSetup --config accepts them in a
 * workspace that has the model and runners, and their dry runs print the exact runner (and adb) commands.
 */
class EfficientSamConfigsTest {
    @TempDir Path tmp;
    static final List<String> CONFIGS = List.of("mac_efficient_sam_fp32.json", "mac_efficient_sam_fp16.json",
            "android_efficient_sam_fp32.json", "android_efficient_sam_fp16.json");
    /**
     * Seconds per inference the timeouts are sized for: ExecuTorch's 4.1 s (M1 Pro, fp32; its thread count is not stated,
     * so taken as a multi-threaded figure) times 4 for one Mac core; a phone's big core taken 2.5x slower than that. A
     * kernel-logging runner (xnntrace) is taken 2x slower again.
     */
    static final double MAC_ONE_CORE_S = 4.1 * 4, PHONE_ONE_CORE_S = MAC_ONE_CORE_S * 2.5, MARGIN = 3;

    static Path example(String name) { return TestKit.repo().resolve("configs/examples").resolve(name); }

    @ParameterizedTest
    @ValueSource(strings = {"mac_efficient_sam_fp32.json", "mac_efficient_sam_fp16.json", "android_efficient_sam_fp32.json", "android_efficient_sam_fp16.json"})
    void loadsWithTheEfficientSamModelAndTimeoutsThatFitItsInferenceTime(String name) {
        Kit.Config c = Kit.loadConfig(example(name));
        String dtype = name.substring(name.lastIndexOf('_') + 1, name.length() - ".json".length());
        assertEquals(TestKit.repo().resolve("models/efficient_sam_untrained_xnnpack_" + dtype + ".pte"), c.model());
        assertEquals("jbang scripts/ExportModel.java --model efficient_sam_untrained --dtype " + dtype, Kit.Pipeline.exportCommand(c.model()));
        boolean android = name.startsWith("android");
        double perInference = android ? PHONE_ONE_CORE_S : MAC_ONE_CORE_S;
        for (Kit.Experiment e : c.experiments()) {
            double need = MARGIN * (e.warmup() + e.runs()) * perInference * (e.mode().equals("xnntrace") ? 2 : 1);
            assertTrue(e.timeoutS() >= need, name + " " + e.name() + ": timeout_s " + e.timeoutS() + " < " + need);
            assertTrue(e.timeoutS() <= 3600, name + " " + e.name() + ": a hung runner is stopped within the hour");
            if (e.mode().equals("timing")) assertTrue(e.runs() >= AnalyzeResults.MIN_RUNS && e.warmup() >= 1, name + " " + e.name() + ": enough runs for the noise check");
            else assertEquals(List.of(1, 0), List.of(e.runs(), e.warmup()), "one logged execution is enough for the kernel evidence");
            if (android) assertEquals("0x80", e.cpuAffinity());
        }
        List<String> labels = c.comparePairs().stream().map(Kit.ComparePair::label).toList();
        assertTrue(labels.stream().allMatch(l -> l.startsWith("EfficientSAM ViT-T " + dtype + ": SME2 off -> on, ")), labels.toString());
        assertEquals(android ? 1 : 2, labels.size());
    }

    /** A fake workspace holding the config at configs/examples/, the model and all four runners with their build.json. */
    ValidateSetupEnv workspace(String name, String prefix) throws Exception {
        ValidateSetupEnv e = new ValidateSetupEnv(tmp).healthy().checkout().cpuinfo(true);
        Path cfg = e.ws.resolve("configs/examples").resolve(name);
        Files.createDirectories(cfg.getParent());
        Files.copy(example(name), cfg);
        Path model = e.ws.resolve("models").resolve(Kit.loadConfig(cfg).model().getFileName());
        Files.createDirectories(model.getParent());
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        for (String v : List.of("sme2-on", "sme2-off", "sme2-on-xnnlog", "sme2-off-xnnlog")) {
            String variant = prefix + v;
            e.runner(variant, "{\"variant\": \"" + variant + "\", \"cmake_flags\": {\"-DXNNPACK_ENABLE_ARM_SME2\": \"" + (v.startsWith("sme2-on") ? "ON" : "OFF")
                    + "\"}, \"executorch_sha\": \"" + ValidateSetupEnv.SHA + "\"}");
            if (prefix.startsWith("android")) Files.writeString(e.runnerPath(variant).resolveSibling("libc++_shared.so"), "fake libc++ of " + variant);
        }
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mac_efficient_sam_fp32.json", "mac_efficient_sam_fp16.json"})
    void validateSetupAcceptsTheMacConfigsInAWorkspaceWithModelAndRunners(String name) throws Exception {
        ValidateSetupEnv e = workspace(name, "host-");
        Path cfg = e.ws.resolve("configs/examples").resolve(name);
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateSetup.run(out, err, e.args("--stage", "run", "--json", "--config", cfg.toString())));
        JsonNode doc = Kit.JSON.readTree(r.out());
        List<String> seen = new ArrayList<>();
        for (JsonNode c : doc.get("checks")) {
            String id = c.get("id").asText();
            if (!id.startsWith("config")) continue;
            seen.add(id + " " + c.get("status").asText());
            if (id.equals("config")) assertEquals(cfg + ": valid (4 experiments)", c.get("message").asText());
        }
        assertTrue(seen.contains("config ok") && seen.contains("config-model ok"), seen.toString());
        for (String exp : List.of("mac_sme2_on", "mac_sme2_off", "mac_sme2_on_xnnlog", "mac_sme2_off_xnnlog"))
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("config-runner:" + exp + " ") && !s.endsWith("fail")), exp + ": " + seen);
        assertFalse(seen.stream().anyMatch(s -> s.endsWith(" fail")), seen.toString());
    }

    @Test
    void validateSetupNamesTheExportCommandWhenTheEfficientSamModelIsMissing() throws Exception {
        for (String name : CONFIGS) {
            ValidateSetupEnv e = new ValidateSetupEnv(tmp.resolve(name)).healthy();
            TestKit.Run r = TestKit.inProcess((out, err) -> ValidateSetup.run(out, err, e.args("--stage", "run", "--json", "--config", example(name).toString())));
            JsonNode doc = Kit.JSON.readTree(r.out());
            JsonNode model = null, config = null;
            for (JsonNode c : doc.get("checks")) {
                if (c.get("id").asText().equals("config-model")) model = c;
                if (c.get("id").asText().equals("config")) config = c;
            }
            assertNotNull(config, name + ": " + r);
            assertEquals("ok", config.get("status").asText(), name + ": " + config);
            assertNotNull(model, name + ": " + r);
            String dtype = name.substring(name.lastIndexOf('_') + 1, name.length() - ".json".length());
            assertEquals("fail", model.get("status").asText(), name);
            assertEquals("jbang scripts/ExportModel.java --model efficient_sam_untrained --dtype " + dtype, model.get("fix").asText(), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mac_efficient_sam_fp32.json", "mac_efficient_sam_fp16.json"})
    void macDryRunPrintsTwelveExecutionsPerTimedProcessAtOneAndFourThreads(String name) throws Exception {
        ValidateSetupEnv e = workspace(name, "host-");
        Path cfg = e.ws.resolve("configs/examples").resolve(name);
        TestKit.Run r = TestKit.inProcess((o, err) -> MacPipeline.run(o, err, cfg.toString(), "--dry-run", "--no-analysis"));
        assertEquals(0, r.code(), r.toString());
        Matcher folder = Pattern.compile("^# run folder: (\\S+) \\(not created: --dry-run\\)\n").matcher(r.out());
        assertTrue(folder.find(), r.out());
        Path run = Path.of(folder.group(1)), model = Kit.loadConfig(cfg).model();
        assertEquals(e.ws.resolve("runs/mac"), run.getParent());
        StringBuilder want = new StringBuilder(folder.group());
        for (String exp : List.of("mac_sme2_on", "mac_sme2_off", "mac_sme2_on_xnnlog", "mac_sme2_off_xnnlog"))
            for (int t : List.of(1, 4)) {
                Path dir = run.resolve(exp).resolve("t" + t);
                Path runner = e.runnerPath("host-" + exp.substring("mac_".length()).replace('_', '-'));
                want.append("(cd ").append(dir).append(") ").append(String.join(" ", MacPipelineTest.cmd(runner, model, exp.endsWith("xnnlog") ? 1 : 12, t,
                        dir.resolve("run.etdump")))).append('\n');
            }
        assertEquals(want.toString(), r.out());
        assertFalse(Files.exists(e.ws.resolve("runs")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"android_efficient_sam_fp32.json", "android_efficient_sam_fp16.json"})
    void androidDryRunPinsCpu7AndRunsTwelveExecutionsPerTimedProcess(String name) throws Exception {
        ValidateSetupEnv e = workspace(name, "android-arm64-");
        Path cfg = e.ws.resolve("configs/examples").resolve(name);
        FakeAdb fake = FakeAdb.install(tmp.resolve("fake-adb"));
        TestKit.Run r = TestKit.inProcess((o, err) -> AndroidPipeline.run(o, err, cfg.toString(), "--dry-run", "--no-analysis", "--adb", fake.adb.toString(),
                "--workspace", e.ws.toString(), "--retry-delay-ms", "1"));
        assertEquals(0, r.code(), r.toString());
        Path model = Kit.loadConfig(cfg).model();
        String dev = "/data/local/tmp/sme2-profiling";
        List<String> runs = r.out().lines().filter(l -> l.contains("--num_executions")).toList();
        assertEquals(4, runs.size(), r.out());
        for (String l : runs) {
            boolean xnn = l.contains("xnnlog/executor_runner");
            assertTrue(l.contains("taskset 0x80 "), l);
            assertTrue(l.contains(" --model_path " + dev) && l.contains("/" + model.getFileName() + " --num_executions " + (xnn ? 1 : 12) + " --cpu_threads 1 --etdump_path "), l);
        }
        assertTrue(r.out().contains(" push " + model + " "), r.out());
    }
}
