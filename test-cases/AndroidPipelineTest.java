import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AndroidPipeline end to end against the fake adb and device of test-cases/support/FakeAdb.java, with recording fake
 * executor_runner wrappers pushed to the device: run folder, device facts, pushes (libc++_shared.so), the exact remote
 * commands (taskset, LD_LIBRARY_PATH), logcat, device choice, connect, retries, a lost device, cleanup, hostile names,
 * dry-run, and Ctrl-C through ./jbang.
 */
class AndroidPipelineTest {
    static final String WORKDIR = "/data/local/tmp/sme2-profiling";
    @TempDir
    Path ws;
    FakeAdb fake;
    Path model, on, off, xnnlog;

    @BeforeEach
    void workspace() throws Exception {
        fake = FakeAdb.install(ws.resolve("fake-adb"));
        model = Files.createDirectories(ws.resolve("models")).resolve("mnv1_xnnpack_fp32.pte");
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        on = runner("android-arm64-sme2-on", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"));
        off = runner("android-arm64-sme2-off", Map.of("FAKE_RUNNER_VARIANT", "sme2-off"));
        xnnlog = runner("android-arm64-sme2-on-xnnlog", Map.of("FAKE_RUNNER_VARIANT", "sme2-on", "FAKE_RUNNER_XNNLOG", "1"));
    }

    /** A recording fake runner at executorch/cmake-out/VARIANT/executor_runner with libc++_shared.so beside it (as BuildRunners leaves it). */
    Path runner(String variant, Map<String, String> env) throws Exception {
        Path dir = ws.resolve("executorch/cmake-out").resolve(variant);
        Path r = FakeAdb.runner(dir, "executor_runner", env);
        Files.writeString(dir.resolve("libc++_shared.so"), "fake libc++ of " + variant);
        return r;
    }

    Path config(String experimentsJson, String extra) throws Exception {
        return Files.writeString(ws.resolve("config.json"), "{\"$schema\": \"schema/config.schema.json\", \"model\": \"models/mnv1_xnnpack_fp32.pte\", \"output_root\": \"runs\",\n"
                + " \"experiments\": [" + experimentsJson + "]" + extra + "}\n");
    }

    static final String MAIN = """
            {"name": "android_sme2_on", "runner_path": "executorch/cmake-out/android-arm64-sme2-on/executor_runner", "runs": 3, "warmup": 1, "threads": [1, 2], "cpu_affinity": "0x80"},
            {"name": "android_sme2_off", "runner_path": "executorch/cmake-out/android-arm64-sme2-off/executor_runner", "runs": 3, "warmup": 0},
            {"name": "android_xnntrace", "runner_path": "executorch/cmake-out/android-arm64-sme2-on-xnnlog/executor_runner", "mode": "xnntrace", "warmup": 0, "threads": [1], "cpu_affinity": "0x80"}""";
    static final String ONE = "{\"name\": \"a\", \"runner_path\": \"executorch/cmake-out/android-arm64-sme2-on/executor_runner\", \"runs\": 2, \"warmup\": 0}";

    TestKit.Run pipeline(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--adb", fake.adb.toString(), "--workspace", ws.toString(), "--retry-delay-ms", "1"));
        return TestKit.inProcess((out, err) -> AndroidPipeline.run(out, err, a.toArray(String[]::new)));
    }

    List<Path> runFolders() { return TestKit.runFolders(ws.resolve("runs")); }

    Path onlyRunFolder() { return TestKit.onlyRunFolder(ws.resolve("runs")); }

    static String dev(Path run) { return WORKDIR + "/" + run.getFileName(); }

    static JsonNode entry(JsonNode manifest, String exp, int threads) { return TestKit.entry(manifest, exp, threads); }

    static List<Double> doubles(JsonNode arr) { return TestKit.doubles(arr); }

    /** The device-side words of a timed or warm-up run, as the pipeline must build them. */
    static List<String> runnerArgv(String runner, String model, int n, int threads, String etdump, String... extra) {
        List<String> c = new ArrayList<>(List.of(runner, "--model_path", model, "--num_executions", "" + n, "--cpu_threads", "" + threads));
        if (etdump != null) c.addAll(List.of("--etdump_path", etdump));
        c.addAll(List.of(extra));
        return c;
    }

    List<String> adbCall(String... args) {
        List<String> c = new ArrayList<>(List.of("-s", FakeAdb.SERIAL));
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void endToEndRunsOnTheDeviceAndWritesTheReadmeRunFolder() throws Exception {
        TestKit.Run r = pipeline(config(MAIN, "").toString(), "--no-analysis");
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRunFolder();
        String dev = dev(run), on1 = dev + "/android_sme2_on/t1", binOn = dev + "/bin/android-arm64-sme2-on/executor_runner";
        String pte = dev + "/mnv1_xnnpack_fp32.pte";

        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        assertEquals(List.of("schema_version", "generated_at", "tool", "status", "config", "model", "model_sha256", "executorch", "run_root", "host", "device",
                "runners", "results", "warnings"), TestKit.names(m.fieldNames()));
        assertEquals("AndroidPipeline", m.get("tool").asText());
        assertEquals("ok", m.get("status").asText());
        assertEquals(List.of(), TestKit.texts(m.get("warnings")), "a good device and good settings: no warning");
        assertTrue(m.get("host").get("tools").get("adb").asText().startsWith("Android Debug Bridge version"));

        JsonNode d = m.get("device");
        assertEquals(List.of("serial", "remote", "transport", "model", "manufacturer", "soc", "soc_manufacturer", "board_platform", "abi", "fingerprint",
                "android_version", "sdk", "emulator", "kernel", "cpu_features", "sme2", "cpus", "thermal", "battery", "power", "adb", "workdir",
                "device_dir", "logcat_buffer", "device_files"), TestKit.names(d.fieldNames()));
        assertEquals("{\"size\":\"16M\",\"set\":true,\"why\":\"xnntrace runs\"}", d.get("logcat_buffer").toString(), "XNNPACK's level-5 log must fit in logcat");
        assertTrue(fake.calls().stream().anyMatch(c -> c.contains("logcat") && c.subList(c.indexOf("logcat"), c.size()).equals(List.of("logcat", "-G", "16M"))), fake.calls().toString());
        assertEquals("FAKE0001", d.get("serial").asText());
        assertTrue(d.get("remote").isNull());
        assertEquals("Fake_SME2_Phone", d.get("transport").get("model").asText());
        assertEquals("Fake SME2 Phone", d.get("model").asText());
        assertEquals("FakeCo", d.get("manufacturer").asText());
        assertEquals("FS9500", d.get("soc").asText());
        assertEquals("fakeplat", d.get("board_platform").asText());
        assertEquals("arm64-v8a", d.get("abi").asText());
        assertEquals("FakeCo/fake_sme2/fake_sme2:15/AP3A.250105.002/12345678:user/release-keys", d.get("fingerprint").asText());
        assertEquals("15", d.get("android_version").asText());
        assertEquals(35, d.get("sdk").asInt());
        assertFalse(d.get("emulator").asBoolean());
        assertEquals(FakeAdb.UNAME, d.get("kernel").asText());
        assertEquals(List.of((FakeAdb.FEATURES + FakeAdb.SME_FEATURES).split(" ")), TestKit.texts(d.get("cpu_features")));
        assertTrue(d.get("sme2").asBoolean());
        assertEquals(8, d.get("cpus").size());
        assertEquals("{\"cpu\":7,\"max_freq_khz\":3600000,\"governor\":\"schedutil\"}", d.get("cpus").get(7).toString());
        assertEquals("{\"cpu\":0,\"max_freq_khz\":2000000,\"governor\":\"schedutil\"}", d.get("cpus").get(0).toString());
        assertEquals("{\"status\":0,\"status_name\":\"none\",\"source\":\"dumpsys thermalservice\"}", d.get("thermal").toString());
        assertEquals("{\"level\":87,\"temperature_c\":31.2,\"usb_powered\":true,\"ac_powered\":false,\"status\":2}", d.get("battery").toString());
        assertEquals("{\"stay_on_while_plugged_in\":\"7\",\"low_power\":\"0\",\"window_animation_scale\":\"0.0\",\"transition_animation_scale\":\"0.0\","
                + "\"animator_duration_scale\":\"0.0\"}", d.get("power").toString());
        assertEquals(WORKDIR, d.get("workdir").asText());
        assertEquals(dev, d.get("device_dir").asText());
        assertEquals("removed", d.get("device_files").asText());
        assertFalse(Files.exists(fake.onDevice(dev)), "the run's device folder is removed");
        assertTrue(Files.isDirectory(fake.onDevice(WORKDIR)), "the workdir itself stays");
        assertEquals(binOn, m.get("runners").get("android_sme2_on").get("device_path").asText());
        assertEquals(on.toString(), m.get("runners").get("android_sme2_on").get("path").asText());

        // pushes: model, libc++_shared.so from beside the (first) runner, each runner once
        List<List<String>> calls = fake.calls();
        assertTrue(calls.contains(adbCall("push", model.toString(), pte)), calls.toString());
        assertTrue(calls.contains(adbCall("push", on.resolveSibling("libc++_shared.so").toString(), dev + "/libc++_shared.so")));
        assertEquals(3, calls.stream().filter(c -> c.size() > 2 && c.get(2).equals("push") && c.get(4).endsWith("/executor_runner")).count());
        assertTrue(calls.contains(adbCall("shell", "chmod 755 " + binOn + " " + dev + "/bin/android-arm64-sme2-off/executor_runner "
                + dev + "/bin/android-arm64-sme2-on-xnnlog/executor_runner")), calls.toString());

        // the exact remote commands: cd, LD_LIBRARY_PATH, taskset only where cpu_affinity is set
        List<String> shells = fake.shellCommands();
        String timedOn = "cd " + on1 + " && env LD_LIBRARY_PATH=" + dev + " taskset 0x80 " + binOn + " --model_path " + pte
                + " --num_executions 4 --cpu_threads 1 --etdump_path " + on1 + "/run.etdump";
        assertTrue(shells.contains(timedOn), "1 in-process warm-up + 3 timed executions: " + String.join("\n", shells));
        assertFalse(shells.contains("cd " + on1 + " && env LD_LIBRARY_PATH=" + dev + " taskset 0x80 " + binOn + " --model_path " + pte
                + " --num_executions 1 --cpu_threads 1"), "no separate warm-up process without --warmup-process");
        String off1 = dev + "/android_sme2_off/t1";
        assertTrue(shells.contains("cd " + off1 + " && env LD_LIBRARY_PATH=" + dev + " " + dev + "/bin/android-arm64-sme2-off/executor_runner --model_path "
                + pte + " --num_executions 3 --cpu_threads 1 --etdump_path " + off1 + "/run.etdump"), String.join("\n", shells));
        int timed = calls.indexOf(List.of("-s", "FAKE0001", "shell", timedOn));
        assertEquals(adbCall("logcat", "-c"), calls.get(timed - 1), "logcat is cleared right before the runner");
        int sized = calls.indexOf(adbCall("logcat", "-G", "16M"));
        assertTrue(sized > 0 && sized < timed, "logcat's buffer is sized for level-5 output before the runner processes: " + calls);
        assertEquals(1, java.util.Collections.frequency(calls, adbCall("logcat", "-G", "16M")), "once per run: " + calls);
        assertEquals(adbCall("logcat", "-d", "-s", "ExecuTorch"), calls.get(timed + 1));
        assertEquals(adbCall("pull", on1 + "/run.etdump", run.resolve("android_sme2_on/t1/run.etdump").toString()), calls.get(timed + 2));
        assertEquals(adbCall("shell", "rm -rf " + dev), calls.get(calls.size() - 1));

        // what the device received: argv, working folder, LD_LIBRARY_PATH with libc++_shared.so in it
        List<FakeAdb.DeviceRun> runs = fake.runs().stream().filter(x -> !x.argv().contains("--help")).toList();
        assertEquals(4, runs.size(), runs.toString());
        assertEquals(new FakeAdb.DeviceRun(on1, dev, runnerArgv(binOn, pte, 4, 1, on1 + "/run.etdump")), runs.get(0));
        for (FakeAdb.DeviceRun x : runs) assertEquals(dev, x.ldLibraryPath());

        for (JsonNode e : m.get("results")) {
            String exp = e.get("experiment").asText();
            int t = e.get("threads").asInt();
            assertEquals("ok", e.get("status").asText(), e.toString());
            Path dir = run.resolve(exp).resolve("t" + t);
            JsonNode x = e.get("metrics");
            List<Double> all = Kit.etdumpRuns(dir.resolve("run.etdump")).executeMs();
            int warm = exp.equals("android_sme2_on") ? 1 : 0;
            assertEquals(warm + (exp.equals("android_xnntrace") ? 1 : 3), all.size());
            assertEquals(all, doubles(x.get("latency_all_ms")));
            assertEquals(all.subList(warm, all.size()), doubles(x.get("latency_ms")));
            assertEquals(warm, x.get("warmup_in_process").asInt());
            assertEquals(exp + "/t" + t + "/run.etdump", x.get("etdump_rel").asText());
            assertEquals(0, x.get("warnings").size(), x.toString());
            String log = Files.readString(dir.resolve("runner.log"));
            Matcher rep = Pattern.compile(" I ExecuTorch: Model executed successfully \\d time\\(s\\) in ([0-9.]+) ms\\.").matcher(log);
            assertTrue(rep.find(), log);
            assertEquals(Double.parseDouble(rep.group(1)), x.get("runner_reported_ms").asDouble(), "the runner's own total, read from logcat");
            assertTrue(log.contains("--- adb logcat -d -s ExecuTorch (the runner's log on Android)\n"), log);
        }
        String cmd = Files.readString(run.resolve("android_sme2_on/t1/command.txt"));
        assertEquals(String.join("\n", fake.adb.toString(), "-s", "FAKE0001", "shell", timedOn) + "\n", cmd);
        assertFalse(Files.exists(run.resolve("android_sme2_on/t1/warmup.log")));
        String kernels = Files.readString(run.resolve("android_xnntrace/t1/xnntrace.log"));
        assertTrue(Pattern.compile("(?m)^\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} +\\d+ +\\d+ I XNNPACK : Using gemm microkernel "
                + "'xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2'\\. \\(init_pf32_gemm_config, ").matcher(kernels).find(), kernels);
        assertFalse(kernels.contains("ExecuTorch"), kernels);
        assertEquals("android_xnntrace/t1/xnntrace.log", entry(m, "android_xnntrace", 1).get("metrics").get("xnntrace_log_rel").asText());
        assertTrue(entry(m, "android_sme2_on", 1).get("metrics").get("median_ms").asDouble() < entry(m, "android_sme2_off", 1).get("metrics").get("median_ms").asDouble());

        assertEquals(m.get("results"), Kit.readJson(run.resolve("metrics.json")).get("results"));
        Kit.Config resolved = Kit.loadConfig(run.resolve("config.json"));
        assertEquals(new Kit.Device("FAKE0001", null, WORKDIR), resolved.device());
        assertEquals(on, resolved.experiment("android_sme2_on").runnerPath());
        assertEquals(1, resolved.experiment("android_xnntrace").runs());
        assertEquals(ws.resolve("schema/config.schema.json").toString(), resolved.raw().get("$schema").asText());
        assertTrue(r.out().contains("Run folder: " + run + "  (status: ok, analysis: skipped (--no-analysis))\nDevice: FAKE0001 (FakeCo Fake SME2 Phone, SME2 true)\n"), r.out());
        assertTrue(r.out().contains("  jbang scripts/ValidateResults.java --results " + run + "\n"), r.out());
        assertTrue(r.err().contains("==> device FAKE0001 (device, Fake_SME2_Phone)\n"), r.err());
        assertTrue(r.err().contains("==> [1/4] android_sme2_on t1: 1 warm-up + 3 timing run(s) ("), r.err());
        validates(run);
    }

    @Test
    void aComparePairWhoseRunnersDifferInMoreThanSme2IsWarned() throws Exception {
        Map<String, Object> flagsOn = new LinkedHashMap<>(Map.of("-DXNNPACK_ENABLE_ARM_SME2", "ON", "-DXNNPACK_ENABLE_ARM_SME", "ON",
                "-DCMAKE_C_FLAGS", "-march=armv9-a"));
        Map<String, Object> flagsOff = new LinkedHashMap<>(Map.of("-DXNNPACK_ENABLE_ARM_SME2", "OFF", "-DXNNPACK_ENABLE_ARM_SME", "OFF"));
        Kit.writeJson(on.resolveSibling("build.json"), Map.of("variant", "android-arm64-sme2-on", "cmake_flags", flagsOn));
        Kit.writeJson(off.resolveSibling("build.json"), Map.of("variant", "android-arm64-sme2-off", "cmake_flags", flagsOff));
        String two = ONE.replace("\"a\"", "\"android_sme2_on\"") + ", " + ONE.replace("\"a\"", "\"android_sme2_off\"").replace("sme2-on", "sme2-off");
        String pair = ", \"analysis\": {\"compare_pairs\": [{\"baseline\": {\"experiment\": \"android_sme2_off\"},"
                + " \"candidate\": {\"experiment\": \"android_sme2_on\"}, \"label\": \"on vs off\"}]}";
        TestKit.Run r = pipeline(config(two, pair).toString(), "--no-analysis");
        assertEquals(0, r.code(), r.toString());
        String want = "compare pair \"on vs off\": the runners of android_sme2_off and android_sme2_on differ in more than the SME2 flags:"
                + " -DCMAKE_C_FLAGS: (unset) vs -march=armv9-a; rebuild both with jbang scripts/BuildRunners.java so that only"
                + " XNNPACK_ENABLE_ARM_SME2/SME differ";
        assertTrue(TestKit.texts(Kit.readJson(onlyRunFolder().resolve("manifest.json")).get("warnings")).contains(want), r.err());
        assertTrue(r.err().contains("[warn] " + want + "\n"), r.err());
    }

    @Test
    void deviceWarningsPowerSettingsAndKeptDeviceFiles() throws Exception {
        fake.sme2(false).setting("stay_on_while_plugged_in", "0").setting("low_power", "1").setting("window_animation_scale", null)
                .setting("animator_duration_scale", "0.5").prop("ro.kernel.qemu", "1").dumpsys("thermalservice", FakeAdb.THERMAL.replace("Status: 0", "Status: 2"));
        TestKit.Run r = pipeline(config(ONE, "").toString(), "--no-analysis", "--keep-device-files", "--json");
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRunFolder();
        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        String who = "device FAKE0001 (Fake SME2 Phone)";
        List<String> want = List.of(
                who + " has no sme2 in the Features of its /proc/cpuinfo: SME2-on runners fall back to NEON kernels there, so SME2-on results will equal SME2-off",
                who + " is an emulator (ro.kernel.qemu = 1): its timings say nothing about a phone's CPU; use a physical device",
                who + ": thermal status 2 (moderate): the CPU may be throttled; let the device cool (adb shell dumpsys thermalservice) and re-run",
                who + ": stay-awake is off (settings get global stay_on_while_plugged_in = 0): the screen may sleep and the CPU slow down during a run;"
                        + " set it with: adb -s FAKE0001 shell svc power stayon usb",
                who + ": battery saver is on (settings get global low_power = 1): it lowers the CPU frequencies; turn it off with:"
                        + " adb -s FAKE0001 shell settings put global low_power 0",
                who + ": animations are on (window_animation_scale = null, animator_duration_scale = 0.5): turn them off with:"
                        + " adb -s FAKE0001 shell settings put global window_animation_scale 0 && adb -s FAKE0001 shell settings put global animator_duration_scale 0");
        assertEquals(want, TestKit.texts(m.get("warnings")));
        for (String w : want) assertTrue(r.err().contains("[warn] " + w + "\n"), r.err());
        JsonNode out = Kit.JSON.readTree(r.out());
        assertEquals(want, TestKit.texts(out.get("warnings")));
        assertEquals("{\"serial\":\"FAKE0001\",\"model\":\"Fake SME2 Phone\",\"sme2\":false}", out.get("device").toString());
        JsonNode d = m.get("device");
        assertFalse(d.get("sme2").asBoolean());
        assertTrue(d.get("emulator").asBoolean());
        assertTrue(d.get("power").get("window_animation_scale").isNull());
        assertEquals("kept (--keep-device-files)", d.get("device_files").asText());
        String dev = dev(run);
        assertTrue(Files.isRegularFile(fake.onDevice(dev + "/a/t1/run.etdump")), "the device folder is kept");
        assertTrue(Files.isRegularFile(fake.onDevice(dev + "/libc++_shared.so")));
        assertFalse(fake.shellCommands().contains("rm -rf " + dev));
        assertTrue(r.err().contains("device files kept in " + dev + " (remove them with: adb -s FAKE0001 shell rm -rf " + dev + ")"), r.err());
    }

    @Test
    void theDeviceMustBeChosenOnlineAndArm64() throws Exception {
        Path cfg = config(ONE, "");
        fake.devices("R5CT1 device usb:1-1 model:Phone_A transport_id:1", "R5CT2 device usb:1-2 model:Phone_B transport_id:2", "EMU3 offline transport_id:3");
        TestKit.Run two = pipeline(cfg.toString(), "--no-analysis");
        assertEquals(2, two.code(), two.toString());
        assertTrue(two.err().contains("error: 2 devices are online: R5CT1 (device, Phone_A), R5CT2 (device, Phone_B)\n"
                + "fix: choose one with --serial SERIAL (e.g. --serial R5CT1), or set \"device\": {\"serial\": ...} in the config\n"), two.err());
        assertFalse(Files.exists(ws.resolve("runs")), "nothing ran");
        assertTrue(fake.calls().stream().noneMatch(c -> c.contains("push")));

        TestKit.Run missing = pipeline(cfg.toString(), "--serial", "NOPE");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("error: device NOPE is not connected (adb devices lists: R5CT1 (device, Phone_A), R5CT2 (device, Phone_B), EMU3 (offline))\n"),
                missing.err());
        TestKit.Run offline = pipeline(cfg.toString(), "--serial", "EMU3");
        assertEquals(2, offline.code());
        assertTrue(offline.err().contains("error: device EMU3 is offline\nfix: reconnect it: adb reconnect (or replug the cable), then check adb devices -l\n"), offline.err());

        TestKit.Run chosen = pipeline(cfg.toString(), "--serial", "R5CT2", "--dry-run", "--no-analysis");
        assertEquals(0, chosen.code(), chosen.toString());
        assertTrue(chosen.out().contains("# device: R5CT2, folder "), chosen.out());
        assertTrue(chosen.out().lines().skip(2).allMatch(l -> l.startsWith(fake.adb + " -s R5CT2 ")), chosen.out());

        fake.devices("X9 unauthorized usb:1-1 transport_id:1");
        TestKit.Run unauthorized = pipeline(cfg.toString());
        assertEquals(2, unauthorized.code());
        assertTrue(unauthorized.err().contains("error: no device online (adb devices lists: X9 (unauthorized))\n"
                + "fix: unlock the device and accept the 'Allow USB debugging' prompt, then run this again\n"), unauthorized.err());
        fake.devices();
        TestKit.Run none = pipeline(cfg.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("error: no Android device connected (adb devices lists none)\n"), none.err());

        fake.devices(FakeAdb.SERIAL + " device model:Old_Phone").prop("ro.product.cpu.abi", "armeabi-v7a");
        TestKit.Run abi = pipeline(cfg.toString());
        assertEquals(2, abi.code());
        assertTrue(abi.err().contains("error: device FAKE0001 is armeabi-v7a (getprop ro.product.cpu.abi), but the runners are arm64-v8a builds\n"), abi.err());
        assertFalse(Files.exists(ws.resolve("runs")));
    }

    @Test
    void aRemoteDeviceIsConnectedFirst() throws Exception {
        fake.devices().connectable("10.0.0.9:5555");
        TestKit.Run dry = pipeline(config(ONE, "").toString(), "--dry-run", "--no-analysis", "--remote-device", "10.0.0.9:5555");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().startsWith(fake.adb + " connect 10.0.0.9:5555\n# run folder: "), dry.out());
        assertTrue(dry.err().contains("device 10.0.0.9:5555 is not connected yet (adb connect 10.0.0.9:5555 would connect it); not checked\n"), dry.err());
        assertEquals(List.of(List.of("devices", "-l")), fake.calls(), "the dry run does not connect");
        TestKit.Run r = pipeline(config(ONE, "").toString(), "--no-analysis", "--remote-device", "10.0.0.9:5555");
        assertEquals(0, r.code(), r.toString());
        List<List<String>> calls = fake.calls();
        assertEquals(List.of("connect", "10.0.0.9:5555"), calls.get(1));
        assertEquals(List.of("devices", "-l"), calls.get(2));
        assertTrue(calls.stream().skip(3).allMatch(c -> c.subList(0, 2).equals(List.of("-s", "10.0.0.9:5555"))), calls.toString());
        JsonNode d = Kit.readJson(onlyRunFolder().resolve("manifest.json")).get("device");
        assertEquals("10.0.0.9:5555", d.get("serial").asText());
        assertEquals("10.0.0.9:5555", d.get("remote").asText());
        assertTrue(r.err().contains("[ok]   connected to 10.0.0.9:5555\n"), r.err());

        TestKit.Run refused = pipeline(config(ONE, ", \"device\": {\"remote\": \"10.0.0.8:5555\"}").toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("error: adb connect 10.0.0.8:5555 failed: failed to connect to '10.0.0.8:5555': Connection refused\n"), refused.err());
        assertEquals(1, runFolders().size());
        TestKit.Run notRun = pipeline("--analysis-only", ws.toString());
        assertEquals(2, notRun.code());
        assertTrue(notRun.err().contains("error: " + ws + ": no manifest.json here, so it is not a run folder\n"), notRun.err());
    }

    @Test
    void transientAdbFailuresAreRetriedWithBackoffAndBounded() throws Exception {
        fake.failFirst("push", 2, "offline", null).failFirst("shell", 1, "closed", "--etdump_path").failFirst("pull", 1, "silent", null);
        TestKit.Run r = pipeline(config(ONE, "").toString(), "--no-analysis");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("[warn] adb push: error: device offline; retry 1 of 3 in 1 ms\n[warn] adb push: error: device offline; retry 2 of 3 in 2 ms\n"), r.err());
        assertTrue(r.err().contains("[warn] adb shell: error: closed; retry 1 of 3 in 1 ms\n"), r.err());
        assertTrue(r.err().contains("[warn] adb pull: adb exited with code 1 and no output; retry 1 of 3 in 1 ms\n"), r.err());
        List<List<String>> pushes = fake.calls().stream().filter(c -> c.contains("push")).toList();
        assertEquals(pushes.get(0), pushes.get(1));
        assertEquals(pushes.get(0), pushes.get(2));
        assertEquals(5, pushes.size(), "3 attempts for the model, then libc++ and the runner");
        Path run = onlyRunFolder();
        assertEquals("ok", Kit.readJson(run.resolve("manifest.json")).get("status").asText());
        assertEquals(2, fake.shellCommands().stream().filter(c -> c.contains("--etdump_path")).count(), "the timed run is asked for again after 'error: closed'");
        assertEquals(1, fake.runs().stream().filter(x -> x.argv().contains("--etdump_path")).count());

        fake.failFirst("push", 10, "offline", null);
        TestKit.Run bounded = pipeline(config(ONE + ", " + ONE.replace("\"a\"", "\"b\""), "").toString(), "--no-analysis");
        assertEquals(1, bounded.code(), bounded.toString());
        Path second = runFolders().get(1);
        JsonNode m = Kit.readJson(second.resolve("manifest.json"));
        String why = "could not prepare the device folder " + dev(second) + ": error: device offline";
        assertEquals(why, entry(m, "a", 1).get("reason").asText());
        assertEquals(why, entry(m, "b", 1).get("reason").asText());
        assertEquals(pushes.size() + 4, fake.calls().stream().filter(c -> c.contains("push")).count(), "1 + 3 retries, then it stops");
        assertTrue(bounded.err().contains("[warn] adb push: error: device offline; retry 3 of 3 in 4 ms\n"), bounded.err());
        assertFalse(bounded.err().contains("retry 4"), bounded.err());
    }

    @Test
    void aDeviceLostMidRunFailsTheRestFastKeepsWhatFinishedAndResumes() throws Exception {
        Path cfg = config(ONE + ", " + ONE.replace("\"a\"", "\"b\"") + ", " + ONE.replace("\"a\"", "\"c\""), "");
        fake.disconnectWhen("/b/t1/run.etdump");
        TestKit.Run r = pipeline(cfg.toString(), "--no-analysis");
        assertEquals(1, r.code(), r.toString());
        Path run = onlyRunFolder();
        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        assertEquals("failed", m.get("status").asText());
        assertEquals("ok", entry(m, "a", 1).get("status").asText());
        assertEquals(Kit.etdumpRuns(run.resolve("a/t1/run.etdump")).executeMs(), doubles(entry(m, "a", 1).get("metrics").get("latency_ms")));
        String lost = "device FAKE0001 was lost during b t1 (adb failed while the runner ran: adb: device 'FAKE0001' not found); reconnect it and re-run with --resume";
        assertEquals(lost, entry(m, "b", 1).get("reason").asText());
        assertEquals("device FAKE0001 is not connected (lost during b t1); reconnect it and re-run with --resume", entry(m, "c", 1).get("reason").asText());
        assertEquals("failed", entry(m, "c", 1).get("status").asText());
        assertEquals("b t1", m.get("device").get("lost").get("during").asText());
        assertEquals(lost, m.get("device").get("lost").get("reason").asText());
        assertEquals("left on the device (it was lost)", m.get("device").get("device_files").asText());
        assertTrue(TestKit.texts(m.get("warnings")).contains("the device folder " + dev(run) + " was not removed: the device is gone; remove it later with: adb -s FAKE0001 shell rm -rf "
                + dev(run)), m.get("warnings").toString());
        List<List<String>> calls = fake.calls();
        int firstLost = calls.indexOf(calls.stream().filter(c -> String.join(" ", c).contains("/b/t1/run.etdump")).findFirst().orElseThrow());
        assertEquals(List.of("get-state"), calls.get(firstLost + 4).subList(2, 3), "3 retries, then one get-state");
        assertEquals(List.of(List.of("get-state"), List.of("get-state")), calls.subList(firstLost + 5, calls.size()).stream().map(c -> c.subList(2, 3)).toList(),
                "c fails fast after one more get-state (and one before the cleanup)");

        fake.reconnect();
        TestKit.Run again = pipeline("--resume", run.toString(), "--no-analysis");
        assertEquals(0, again.code(), again.toString());
        JsonNode after = Kit.readJson(run.resolve("manifest.json"));
        assertEquals(List.of("ok", "ok", "ok"), after.get("results").findValuesAsText("status"));
        assertEquals(entry(m, "a", 1), entry(after, "a", 1), "the finished experiment is kept as it was");
        assertTrue(after.get("device").get("lost") == null);
        assertEquals("removed", after.get("device").get("device_files").asText());
        assertTrue(again.err().contains("==> resuming 2 of 3 experiment run(s) into " + run + "\n"), again.err());
        validates(run);
    }

    @Test
    void hostileNamesReachTheDeviceAsExactlyTheIntendedWords() throws Exception {
        String name = "m $(touch pwned) 'q';x`touch pwned`\nnl.pte";
        Path hostile = ws.resolve("models").resolve(name);
        Files.copy(model, hostile);
        String workdir = "/data/local/tmp/w d $(touch pwned) 'q';x";
        List<String> extra = List.of("$(touch pwned)", "a b;c", "it's", "x\ny", "`touch pwned`", "&& touch pwned", "");
        String exp = "{\"name\": \"h\", \"runner_path\": \"executorch/cmake-out/android-arm64-sme2-on/executor_runner\", \"runs\": 2, \"warmup\": 1,"
                + " \"cpu_affinity\": \"0x80\", \"env\": {\"FAKE_X\": \"$(touch pwned) 'v'\"}, \"extra_args\": " + Kit.JSON.writeValueAsString(extra) + "}";
        Files.writeString(ws.resolve("config.json"), "{\"model\": " + Kit.JSON.writeValueAsString("models/" + name) + ", \"output_root\": \"runs\","
                + " \"device\": {\"workdir\": " + Kit.JSON.writeValueAsString(workdir) + "}, \"experiments\": [" + exp + "]}");
        TestKit.Run r = pipeline(ws.resolve("config.json").toString(), "--no-analysis", "--warmup-process");
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRunFolder();
        assertTrue(run.getFileName().toString().matches("\\d{8}-\\d{6}-m___touch_pwned___q__x_touch_pwned__nl"), run.toString());
        String dev = workdir + "/" + run.getFileName(), d = dev + "/h/t1", bin = dev + "/bin/android-arm64-sme2-on/executor_runner", pte = dev + "/" + name;
        List<FakeAdb.DeviceRun> runs = fake.runs().stream().filter(x -> !x.argv().contains("--help")).toList();
        assertEquals(List.of(new FakeAdb.DeviceRun(d, dev, runnerArgv(bin, pte, 1, 1, null, extra.toArray(String[]::new))),
                new FakeAdb.DeviceRun(d, dev, runnerArgv(bin, pte, 3, 1, d + "/run.etdump", extra.toArray(String[]::new)))), runs);
        assertTrue(fake.calls().contains(adbCall("push", hostile.toString(), pte)));
        try (Stream<Path> all = Files.walk(ws)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().equals("pwned")).toList());
        }
        assertFalse(Files.exists(Path.of("pwned")), "nothing ran on this computer either");
        assertFalse(Files.exists(fake.onDevice(dev)), "removed, hostile name and all");
        assertEquals("ok", Kit.readJson(run.resolve("manifest.json")).get("status").asText());

        assertEquals("'a b;c'", Kit.shq("a b;c"));
        assertEquals("cd '/x y' && env 'A=$(b)' 'it'\\''s' ''", AndroidPipeline.remote(List.of(List.of("cd", "/x y"), List.of("env", "A=$(b)", "it's", ""))));
    }

    @Test
    void dryRunPrintsTheExactAdbCommandsAndChangesNothing() throws Exception {
        Path cfg = config("""
                {"name": "on", "runner_path": "executorch/cmake-out/android-arm64-sme2-on/executor_runner", "runs": 3, "warmup": 1, "cpu_affinity": "0x80"},
                {"name": "xnn", "runner_path": "executorch/cmake-out/android-arm64-sme2-on-xnnlog/executor_runner", "mode": "xnntrace", "warmup": 0}""", "");
        TestKit.Run r = pipeline(cfg.toString(), "--dry-run", "--no-analysis");
        assertEquals(0, r.code(), r.toString());
        Matcher folder = Pattern.compile("^# run folder: (\\S+) \\(not created: --dry-run\\)\n").matcher(r.out());
        assertTrue(folder.find(), r.out());
        Path run = Path.of(folder.group(1));
        String dev = dev(run), a = fake.adb + " -s FAKE0001 ", binOn = dev + "/bin/android-arm64-sme2-on/executor_runner";
        String binX = dev + "/bin/android-arm64-sme2-on-xnnlog/executor_runner", pte = dev + "/mnv1_xnnpack_fp32.pte", d = dev + "/on/t1", x = dev + "/xnn/t1";
        String env = "env LD_LIBRARY_PATH=" + dev + " ";
        List<String> want = List.of("# run folder: " + run + " (not created: --dry-run)", "# device: FAKE0001, folder " + dev,
                a + "shell " + Kit.shq("mkdir -p " + dev + " " + dev + "/bin/android-arm64-sme2-on " + dev + "/bin/android-arm64-sme2-on-xnnlog"),
                a + "push " + model + " " + pte,
                a + "push " + on.resolveSibling("libc++_shared.so") + " " + dev + "/libc++_shared.so",
                a + "push " + on + " " + binOn,
                a + "push " + xnnlog + " " + binX,
                a + "shell " + Kit.shq("chmod 755 " + binOn + " " + binX),
                a + "shell " + Kit.shq("cd " + dev + " && " + env + binOn + " --help"),
                a + "shell " + Kit.shq("cd " + dev + " && " + env + binX + " --help"),
                a + "logcat -G 16M",
                a + "shell " + Kit.shq("rm -rf " + d + " && mkdir -p " + d),
                a + "logcat -c",
                a + "shell " + Kit.shq("cd " + d + " && " + env + "taskset 0x80 " + binOn + " --model_path " + pte + " --num_executions 4 --cpu_threads 1 --etdump_path "
                        + d + "/run.etdump"),
                a + "logcat -d -s ExecuTorch",
                a + "pull " + d + "/run.etdump " + run.resolve("on/t1/run.etdump"),
                a + "shell " + Kit.shq("rm -rf " + x + " && mkdir -p " + x),
                a + "logcat -c",
                a + "shell " + Kit.shq("cd " + x + " && " + env + binX + " --model_path " + pte + " --num_executions 1 --cpu_threads 1 --etdump_path " + x + "/run.etdump"),
                a + "logcat -d -s ExecuTorch",
                a + "logcat -d -s XNNPACK",
                a + "pull " + x + "/run.etdump " + run.resolve("xnn/t1/run.etdump"),
                a + "shell " + Kit.shq("rm -rf " + dev));
        assertEquals(String.join("\n", want) + "\n", r.out());
        assertFalse(Files.exists(ws.resolve("runs")));
        assertFalse(Files.exists(fake.onDevice(WORKDIR)), "nothing pushed");
        Map<String, Long> kinds = fake.calls().stream().collect(Collectors.groupingBy(c -> c.get(0).equals("-s") ? c.get(2) : c.get(0), LinkedHashMap::new, Collectors.counting()));
        assertEquals(List.of("devices", "shell", "version"), kinds.keySet().stream().sorted().toList(), "only read-only questions reach the device");
        assertTrue(fake.shellCommands().stream().allMatch(c -> c.startsWith("getprop") || c.startsWith("cat /proc/cpuinfo") || c.startsWith("uname")
                || c.startsWith("sh -c") || c.startsWith("dumpsys")), fake.shellCommands().toString());

        TestKit.Run json = pipeline(cfg.toString(), "--dry-run", "--no-analysis", "--json", "--only", "xnn", "--keep-device-files");
        assertEquals(0, json.code(), json.toString());
        JsonNode j = Kit.JSON.readTree(json.out());
        assertEquals("FAKE0001", j.get("serial").asText());
        List<String> firstWords = new ArrayList<>();
        j.get("commands").forEach(c -> firstWords.add(c.get(3).asText()));
        assertEquals(List.of("shell", "push", "push", "push", "shell", "shell", "logcat", "shell", "logcat", "shell", "logcat", "logcat", "pull"), firstWords);
    }

    @Test
    void libcxxComesFromBesideTheRunnerElseTheNdkElseExit2() throws Exception {
        Path cfg = config(ONE, "");
        for (Path p : List.of(on, off, xnnlog)) Files.delete(p.resolveSibling("libc++_shared.so"));
        Path empty = Files.createDirectories(ws.resolve("empty-ndk"));
        TestKit.Run none = pipeline(cfg.toString(), "--ndk", empty.toString());
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().contains("error: libc++_shared.so not found beside the runner (" + on.getParent() + ") nor in the NDK (" + empty + ")\n"
                + "fix: build the runners with jbang scripts/BuildRunners.java (it copies libc++_shared.so beside them), or export ANDROID_NDK=<your NDK>"
                + " (or pass --ndk DIR)\n"), none.err());
        assertFalse(Files.exists(ws.resolve("runs")));
        assertTrue(fake.calls().isEmpty(), "checked before the device");

        Path ndk = ws.resolve("ndk");
        Path lib = Files.createDirectories(ndk.resolve("toolchains/llvm/prebuilt/linux-x86_64/sysroot/usr/lib/aarch64-linux-android")).resolve("libc++_shared.so");
        Files.writeString(lib, "ndk libc++");
        TestKit.Run r = pipeline(cfg.toString(), "--ndk", ndk.toString(), "--no-analysis", "--keep-device-files");
        assertEquals(0, r.code(), r.toString());
        Path run = onlyRunFolder();
        assertTrue(fake.calls().contains(adbCall("push", lib.toString(), dev(run) + "/libc++_shared.so")));
        assertEquals("ndk libc++", Files.readString(fake.onDevice(dev(run) + "/libc++_shared.so")));
    }

    @Test
    void failuresUseTheRunnersOwnWordsFromLogcat() throws Exception {
        runner("android-arm64-sme2-off", Map.of("FAKE_RUNNER_NO_ETDUMP", "1"));
        String r = "\"runner_path\": \"executorch/cmake-out/android-arm64-sme2-on/executor_runner\", \"runs\": 2, \"warmup\": 0";
        Path cfg = config("""
                {"name": "exit3", %1$s, "env": {"FAKE_RUNNER_MODE": "exit3"}},
                {"name": "warm3", "runner_path": "executorch/cmake-out/android-arm64-sme2-on/executor_runner", "runs": 2, "warmup": 1, "env": {"FAKE_RUNNER_MODE": "exit3"}},
                {"name": "noetdump", %1$s, "env": {"FAKE_RUNNER_MODE": "noetdump"}},
                {"name": "badmask", %1$s, "cpu_affinity": "0x100"},
                {"name": "notracer", "runner_path": "executorch/cmake-out/android-arm64-sme2-off/executor_runner", "runs": 2, "warmup": 0},
                {"name": "good", %1$s}""".formatted(r), "");
        TestKit.Run run = pipeline(cfg.toString(), "--no-analysis", "--warmup-process");
        assertEquals(1, run.code(), run.toString());
        Path dir = onlyRunFolder();
        JsonNode m = Kit.readJson(dir.resolve("manifest.json"));
        assertEquals("runner exited with code 3: Execution of method forward failed with status 0x1 | Execution of method forward failed with status 0x1",
                entry(m, "exit3", 1).get("reason").asText());
        assertEquals("warm-up runner exited with code 3: Execution of method forward failed with status 0x1 | Execution of method forward failed with status 0x1",
                entry(m, "warm3", 1).get("reason").asText());
        assertEquals("the runner exited 0 but wrote no ETDump at " + dev(dir) + "/noetdump/t1/run.etdump on the device", entry(m, "noetdump", 1).get("reason").asText());
        assertEquals("runner exited with code 1: taskset: sched_setaffinity: Invalid argument", entry(m, "badmask", 1).get("reason").asText());
        assertEquals("runner " + off + " has no --etdump_path flag: it was built without the event tracer, so it writes no ETDump; rebuild it with"
                + " -DEXECUTORCH_BUILD_DEVTOOLS=ON -DEXECUTORCH_ENABLE_EVENT_TRACER=ON: jbang scripts/BuildRunners.java --variants android-arm64-sme2-off",
                entry(m, "notracer", 1).get("reason").asText());
        assertEquals("ok", entry(m, "good", 1).get("status").asText());
        assertTrue(run.out().contains("  jbang scripts/AndroidPipeline.java --resume " + dir + "\n"), run.out());

        fake.pal("posix"); // a runner built with the posix PAL logs on stderr: the same words
        TestKit.Run posix = pipeline(config("{\"name\": \"exit3\", " + r + ", \"env\": {\"FAKE_RUNNER_MODE\": \"exit3\"}}", "").toString(), "--no-analysis");
        JsonNode pm = Kit.readJson(runFolders().get(1).resolve("manifest.json"));
        assertEquals(entry(m, "exit3", 1).get("reason"), entry(pm, "exit3", 1).get("reason"), posix.toString());
    }

    @Test
    void ctrlCThroughJbangMarksTheRunInterruptedAndStopsTheDeviceProcess() throws Exception {
        TestKit.assumeSigintIsDelivered();
        Path cfg = config("""
                {"name": "first", "runner_path": "executorch/cmake-out/android-arm64-sme2-on/executor_runner", "runs": 2, "warmup": 0},
                {"name": "hang", "runner_path": "executorch/cmake-out/android-arm64-sme2-on/executor_runner", "runs": 2, "warmup": 0, "env": {"FAKE_RUNNER_MODE": "hang"}},
                {"name": "never", "runner_path": "executorch/cmake-out/android-arm64-sme2-on/executor_runner", "runs": 2, "warmup": 0}""", "");
        Path out = ws.resolve("out.txt"), err = ws.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(TestKit.repo().resolve("jbang").toString(), "--quiet", TestKit.script("AndroidPipeline.java").toString(),
                cfg.toString(), "--no-analysis", "--workspace", ws.toString()).directory(ws.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("PATH", fake.adb.getParent() + ":" + System.getenv("PATH")); // adb found on PATH
        Process p = pb.start();
        try {
            boolean started = false;
            for (long end = System.nanoTime() + 240_000_000_000L; System.nanoTime() < end && p.isAlive() && !started; Thread.sleep(200))
                started = fake.runs().stream().anyMatch(x -> x.cwd().endsWith("/hang/t1") && x.argv().contains("--etdump_path"));
            assertTrue(started, "the hang experiment never started: " + Files.readString(err));
            Thread.sleep(1500);
            List<ProcessHandle> children = p.descendants().toList();
            assertTrue(children.size() >= 2, "adb and the device process: " + children);
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the pipeline did not stop on SIGINT");
            assertEquals(130, p.exitValue(), Files.readString(err));
            for (ProcessHandle c : children) assertNotNull(c.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS), "left running: " + c);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Path run = onlyRunFolder();
        JsonNode m = Kit.readJson(run.resolve("manifest.json"));
        assertEquals("interrupted", m.get("status").asText());
        assertEquals("ok", entry(m, "first", 1).get("status").asText());
        assertEquals("interrupted", entry(m, "hang", 1).get("status").asText());
        assertEquals("interrupted (SIGINT/SIGTERM) while it ran; re-run it with --resume", entry(m, "hang", 1).get("reason").asText());
        assertEquals("pending", entry(m, "never", 1).get("status").asText());
        assertEquals(m.get("results"), Kit.readJson(run.resolve("metrics.json")).get("results"));
        assertEquals(FakeAdb.SERIAL, m.get("device").get("serial").asText());
    }

    /** ValidateResults accepts the run folder (TestKit, support code, may not name a script class). */
    static void validates(Path run) {
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateResults.run(out, err, "--results", run.toString()));
        assertEquals(0, r.code(), r.toString());
    }
}
