import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The config loader (Kit.configProblems / Kit.loadConfig), the schema and the shipped config files. */
class ConfigTest {
    @TempDir Path tmp;

    /** A valid experiment; tests add or change keys with ' for " in the JSON. */
    static final String EXP = "{'name': 'on', 'runner_path': 'bin/runner'}";

    Path file() { return tmp.resolve("c.json"); }

    /** Writes the config (' stands for ") to tmp/c.json and returns its problems. */
    List<String> problems(String json) throws Exception {
        Files.writeString(file(), json.replace('\'', '"'));
        return Kit.configProblems(file());
    }

    /** The problem lines expected for tmp/c.json, each `FILE: rest`. */
    List<String> lines(String... rest) { return Stream.of(rest).map(r -> file() + ": " + r).toList(); }

    static String withExp(String extraKeys) { return "{'model': 'm.pte', 'experiments': [" + EXP.replace("}", ", " + extraKeys + "}") + "]}"; }

    // ------------------------------------------------------------ bad configs, exact lines

    @Test
    void syntaxErrorNamesLineAndColumn() throws Exception {
        Files.writeString(file(), "{\n  \"model\": \"m.pte\",\n  oops\n}");
        assertEquals(List.of(file() + ":3:3: invalid JSON: Unexpected character ('o' (code 111)): was expecting double-quote to start field name;"
                + " fix the JSON syntax at that line and column"), Kit.configProblems(file()));
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> Kit.loadConfig(file()));
        assertEquals(2, e.exitCode);
        assertTrue(e.getMessage().startsWith(file() + ":3:3: invalid JSON: "), e.getMessage());
        assertEquals("fix the JSON syntax at that line and column", e.fix);
    }

    @Test
    void missingFileIsOneLine() {
        assertEquals(List.of(tmp.resolve("nope.json") + ": file not found; check the path"), Kit.configProblems(tmp.resolve("nope.json")));
    }

    @Test
    void topLevelMustBeAnObject() throws Exception {
        assertEquals(lines("$: expected an object, found a list; write {\"key\": value, ...}"), problems("[1, 2]"));
    }

    @Test
    void wrongTypesNameExpectedAndFound() throws Exception {
        assertEquals(lines(
                "$.model: expected a string, found a number (5); write it in quotes",
                "$.experiments[0].runs: expected an integer >= 1, found a string (\"10\"); write a whole number, e.g. \"runs\": 10",
                "$.experiments[0].warmup: expected an integer >= 0, found a number (1.5); write a whole number, e.g. \"warmup\": 1",
                "$.experiments[0].threads: expected a list of thread counts, found a number (4); write it as a list, e.g. [4]",
                "$.experiments[0].extra_args: expected a list of strings, found a string (\"-v\"); e.g. [\"--method_name\", \"forward\"]",
                "$.experiments[0].cpu_affinity: expected a string, found a number (128); write it in quotes",
                "$.experiments[0].timeout_s: expected an integer >= 1, found a boolean (true); write a whole number, e.g. \"timeout_s\": 600"),
                problems("{'model': 5, 'experiments': [" + EXP.replace("}", ", 'runs': '10', 'warmup': 1.5, 'threads': 4,"
                        + " 'extra_args': '-v', 'timeout_s': true, 'cpu_affinity': 128}") + "]}"));
        assertEquals(lines("$.experiments: expected a list, found an object; write [{\"name\": ..., \"runner_path\": ...}]",
                "$.analysis: expected an object, found a list; write {\"key\": value, ...}",
                "$.device: expected an object, found null; write {\"key\": value, ...}"),
                problems("{'model': 'm.pte', 'experiments': {}, 'analysis': [], 'device': null}"));
    }

    @Test
    void unknownKeysSuggestTheClosestKnownKey() throws Exception {
        assertEquals(lines(
                "$.modle: unknown key; did you mean \"model\"?",
                "$.model: missing; set it to the .pte file to profile, e.g. \"../../models/mv2_xnnpack_fp16.pte\"",
                "$.experiments[0].num_runs: unknown key; did you mean \"runs\"?",
                "$.experiments[0].num_threads: unknown key; did you mean \"threads\"?",
                "$.experiments[0].cpu_threads: unknown key; did you mean \"threads\"?",
                "$.experiments[0].warmup_runs: unknown key; did you mean \"warmup\"?",
                "$.experiments[0].quiet_runner: unknown key; did you mean \"runner_path\"?",
                "$.experiments[0].timeout_seconds: unknown key; did you mean \"timeout_s\"?",
                "$.experiments[0][\"cpu-affinity\"]: unknown key; did you mean \"cpu_affinity\"?",
                "$.experiments[0].colour: unknown key; use one of: name, runner_path, mode, runs, warmup, threads, extra_args, cpu_affinity, timeout_s, env",
                "$.device.serail: unknown key; did you mean \"serial\"?"),
                problems("{'modle': 'm.pte', 'experiments': [" + EXP.replace("}", ", 'num_runs': 5, 'num_threads': [2], 'cpu_threads': 2,"
                        + " 'warmup_runs': 1, 'quiet_runner': 'x', 'timeout_seconds': 9, 'cpu-affinity': '0x1', 'colour': 'red'}") + "],"
                        + " 'device': {'serail': 'abc'}}"));
    }

    @Test
    void missingAndEmptyExperiments() throws Exception {
        assertEquals(lines("$.experiments: missing; add a list with at least one experiment {\"name\": ..., \"runner_path\": ...}"),
                problems("{'model': 'm.pte'}"));
        assertEquals(lines("$.experiments: empty list; add at least one experiment {\"name\": ..., \"runner_path\": ...}"),
                problems("{'model': 'm.pte', 'experiments': []}"));
    }

    @Test
    void missingModelAndTemplatePlaceholder() throws Exception {
        assertEquals(lines("$.model: missing; set it to the .pte file to profile, e.g. \"../../models/mv2_xnnpack_fp16.pte\""),
                problems("{'experiments': [" + EXP + "]}"));
        assertEquals(lines("$.model: empty string; set it to the .pte file to profile, e.g. \"../../models/mv2_xnnpack_fp16.pte\""),
                problems("{'model': ' ', 'experiments': [" + EXP + "]}"));
        assertEquals(lines("$.model: still the template placeholder; set it to your exported .pte (relative to this file),"
                        + " e.g. one made by: jbang scripts/ExportModel.java --model mv2 --dtype fp16"),
                problems("{'model': 'REPLACE_WITH_PATH_TO_MODEL_PTE', 'experiments': [" + EXP + "]}"));
    }

    @Test
    void missingNameAndRunnerAndNonObjectExperiment() throws Exception {
        assertEquals(lines(
                "$.experiments[0].name: missing; give it a name such as \"mac_sme2_on\" (it becomes a folder name)",
                "$.experiments[0].runner_path: missing; set it to an executor_runner binary, e.g. \"../../executorch/cmake-out/host-sme2-on/executor_runner\"",
                "$.experiments[1]: expected an object, found a string (\"on\"); write {\"key\": value, ...}"),
                problems("{'model': 'm.pte', 'experiments': [{'mode': 'timing'}, 'on']}"));
    }

    @Test
    void duplicateNames() throws Exception {
        assertEquals(lines("$.experiments[2].name: \"on\" is used by an earlier experiment; give each experiment its own name"),
                problems("{'model': 'm.pte', 'experiments': [" + EXP + ", {'name': 'off', 'runner_path': 'r'}, " + EXP + "]}"));
    }

    @Test
    void unsafeNamesAreRejected() throws Exception {
        String why = " is not a safe folder name; use 1-64 letters, digits, _ . - starting with a letter or digit, no \"..\"";
        List<String> bad = List.of("../x", "a;b", "a b", "a/b", "a..b", ".hidden", "-x", "x".repeat(65), "$(rm)");
        StringBuilder exps = new StringBuilder();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < bad.size(); i++) {
            exps.append(i == 0 ? "" : ", ").append("{'name': ").append(Kit.JSON.writeValueAsString(bad.get(i))).append(", 'runner_path': 'r'}");
            want.add("$.experiments[" + i + "].name: " + Kit.JSON.writeValueAsString(bad.get(i)) + why);
        }
        assertEquals(lines(want.toArray(String[]::new)), problems("{'model': 'm.pte', 'experiments': [" + exps + "]}"));
        assertEquals(lines("$.experiments[0].name: empty string; give it a name such as \"mac_sme2_on\" (it becomes a folder name)"),
                problems("{'model': 'm.pte', 'experiments': [{'name': '', 'runner_path': 'r'}]}"));
        assertEquals(List.of(), problems("{'model': 'm.pte', 'experiments': [{'name': '" + "x".repeat(64) + "', 'runner_path': 'r'},"
                + " {'name': '4.t-x_Y', 'runner_path': 'r'}]}"));
    }

    @Test
    void modeRunsWarmupTimeoutRanges() throws Exception {
        assertEquals(lines(
                "$.experiments[0].mode: \"trace\" is not a mode; use \"timing\" or \"xnntrace\"",
                "$.experiments[0].runs: 0 is too small; use an integer >= 1, e.g. \"runs\": 10",
                "$.experiments[0].warmup: -1 is too small; use an integer >= 0, e.g. \"warmup\": 1",
                "$.experiments[0].timeout_s: 0 is too small; use an integer >= 1, e.g. \"timeout_s\": 600"),
                problems(withExp("'mode': 'trace', 'runs': 0, 'warmup': -1, 'timeout_s': 0")));
        assertEquals(List.of(), problems(withExp("'mode': 'xnntrace', 'runs': 1, 'warmup': 0, 'timeout_s': 1")));
    }

    @Test
    void threadListProblems() throws Exception {
        assertEquals(lines("$.experiments[0].threads: empty list; list at least one thread count, e.g. [1]"), problems(withExp("'threads': []")));
        assertEquals(lines(
                "$.experiments[0].threads[1]: 1 is listed twice; list each thread count once",
                "$.experiments[0].threads[2]: 0 is too small; use an integer >= 1, e.g. [1, 4]",
                "$.experiments[0].threads[3]: expected an integer >= 1, found a string (\"2\"); write a whole number, e.g. [1, 4]"),
                problems(withExp("'threads': [1, 1, 0, '2']")));
    }

    @Test
    void forbiddenExtraArgsInBothForms() throws Exception {
        assertEquals(lines(
                "$.experiments[0].extra_args[1]: \"--model_path\" is set by the pipeline; remove it (and its value) and set \"model\" instead",
                "$.experiments[0].extra_args[3]: \"--etdump_path=/tmp/x.etdump\" is set by the pipeline; remove it (and its value) and set \"output_root\" instead",
                "$.experiments[0].extra_args[4]: \"--num_executions=5\" is set by the pipeline; remove it (and its value) and set \"runs\" and \"warmup\" instead",
                "$.experiments[0].extra_args[5]: \"-cpu_threads\" is set by the pipeline; remove it (and its value) and set \"threads\" instead",
                "$.experiments[0].extra_args[7]: \"--cpu_threads 4\" is set by the pipeline; remove it (and its value) and set \"threads\" instead",
                "$.experiments[0].extra_args[8]: expected a string, found a number (3); quote each argument"),
                problems(withExp("'extra_args': ['--method_name=forward', '--model_path', 'x.pte', '--etdump_path=/tmp/x.etdump',"
                        + " '--num_executions=5', '-cpu_threads', '2', '--cpu_threads 4', 3, '--model_path_hint']")));
    }

    @Test
    void badAffinityMasks() throws Exception {
        String exps = Stream.of("zz", "0x0", "80", "0x", "0x00", "0xg1", "0x80", "0X0f")
                .map(m -> "{'name': 'e" + m.hashCode() + "', 'runner_path': 'r', 'cpu_affinity': '" + m + "'}").reduce((a, b) -> a + ", " + b).get();
        assertEquals(lines(
                "$.experiments[0].cpu_affinity: \"zz\" is not a hex CPU mask; write it like \"0x80\" (bit N = CPU N)",
                "$.experiments[1].cpu_affinity: \"0x0\" selects no CPU; set at least one bit, e.g. \"0x80\" for CPU 7",
                "$.experiments[2].cpu_affinity: \"80\" is not a hex CPU mask; write it like \"0x80\" (bit N = CPU N)",
                "$.experiments[3].cpu_affinity: \"0x\" is not a hex CPU mask; write it like \"0x80\" (bit N = CPU N)",
                "$.experiments[4].cpu_affinity: \"0x00\" selects no CPU; set at least one bit, e.g. \"0x80\" for CPU 7",
                "$.experiments[5].cpu_affinity: \"0xg1\" is not a hex CPU mask; write it like \"0x80\" (bit N = CPU N)"),
                problems("{'model': 'm.pte', 'experiments': [" + exps + "]}"));
    }

    @Test
    void envValuesMustBeStrings() throws Exception {
        assertEquals(lines(
                "$.experiments[0].env.OMP_NUM_THREADS: expected a string, found a number (1); quote the value, e.g. \"1\"",
                "$.experiments[0].env[\"A-B\"]: not an environment variable name; use letters, digits and _",
                "$.experiments[1].env: expected an object, found a list; write {\"NAME\": \"value\"}"),
                problems("{'model': 'm.pte', 'experiments': [" + EXP.replace("}", ", 'env': {'OMP_NUM_THREADS': 1, 'A-B': 'x', 'OK': 'y'}}")
                        + ", {'name': 'b', 'runner_path': 'r', 'env': ['X=1']}]}"));
    }

    @Test
    void comparePairsMustReferToExperimentsAndTheirThreads() throws Exception {
        String exps = "[{'name': 'mac_sme2_on', 'runner_path': 'r', 'threads': [1, 4]}, {'name': 'mac_sme2_off', 'runner_path': 'r'}]";
        assertEquals(lines(
                "$.analysis.compare_pairs[0].baseline.experiment: \"mac_sme2_of\" is not an experiment of this config; did you mean \"mac_sme2_off\"?",
                "$.analysis.compare_pairs[0].candidate.threads: experiment \"mac_sme2_on\" does not run with 8 thread(s); use one of [1, 4] or add 8 to its \"threads\"",
                "$.analysis.compare_pairs[1].lable: unknown key; did you mean \"label\"?",
                "$.analysis.compare_pairs[1].baseline.threads: experiment \"mac_sme2_off\" does not run with 4 thread(s); use one of [1] or add 4 to its \"threads\"",
                "$.analysis.compare_pairs[1].candidate: missing; add {\"experiment\": NAME, \"threads\": N}",
                "$.analysis.compare_pairs[2].baseline.experiment: \"x\" is not an experiment of this config; use one of: mac_sme2_on, mac_sme2_off",
                "$.analysis.compare_pairs[2].candidate.threads: 0 is too small; use an integer >= 1, e.g. \"threads\": 1",
                "$.analysis.compare_pairs[2].label: expected a string, found a number (1); write it in quotes"),
                problems("{'model': 'm.pte', 'experiments': " + exps + ", 'analysis': {'compare_pairs': ["
                        + "{'baseline': {'experiment': 'mac_sme2_of'}, 'candidate': {'experiment': 'mac_sme2_on', 'threads': 8}},"
                        + "{'baseline': {'experiment': 'mac_sme2_off', 'threads': 4}, 'lable': 'x'},"
                        + "{'baseline': {'experiment': 'x'}, 'candidate': {'experiment': 'mac_sme2_on', 'threads': 0}, 'label': 1}]}}"));
    }

    @Test
    void deviceProblems() throws Exception {
        assertEquals(lines(
                "$.device.remote: \"phone\" is not HOST:PORT; write it like \"192.168.1.20:5555\"",
                "$.device.workdir: \"tmp/x\" is not an absolute path on the device; use e.g. \"/data/local/tmp/sme2-profiling\""),
                problems("{'model': 'm.pte', 'experiments': [" + EXP + "], 'device': {'serial': 'R5CT', 'remote': 'phone', 'workdir': 'tmp/x'}}"));
        assertEquals(List.of(), problems("{'model': 'm.pte', 'experiments': [" + EXP + "], 'device': {'remote': '10.0.0.7:5555'}}"));
        assertEquals(List.of(), problems("{'model': 'm.pte', 'experiments': [" + EXP + "], 'device': {'remote': '[::1]:5037'}}"));
    }

    // ------------------------------------------------------------ every problem at once

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        List<String> want = lines(
                "$.experiments[0].num_runs: unknown key; did you mean \"runs\"?",
                "$.experiments[1].name: \"../x\" is not a safe folder name; use 1-64 letters, digits, _ . - starting with a letter or digit, no \"..\"",
                "$.experiments[1].warmup: -2 is too small; use an integer >= 0, e.g. \"warmup\": 1");
        assertEquals(want, problems("{'model': 'm.pte', 'experiments': [" + EXP.replace("}", ", 'num_runs': 5}")
                + ", {'name': '../x', 'runner_path': 'r', 'warmup': -2}]}"));
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> Kit.loadConfig(file()));
        assertEquals(2, e.exitCode);
        assertEquals("3 problems in the config:\n  " + String.join("\n  ", want), e.getMessage());
        assertEquals("correct the fields named above (keys and types: configs/config.schema.json)", e.fix);
    }

    @Test
    void aScriptPrintsEveryLineAndExits2() throws Exception {
        problems("{'model': 'm.pte', 'experiments': [{'name': 'a;b', 'runner_path': 'r', 'runs': 0}]}");
        var run = TestKit.inProcess((out, err) -> Kit.run(new Kit.Io(out, err, false), new LoadsConfig(file())));
        assertEquals(2, run.code(), run.toString());
        assertEquals("error: 2 problems in the config:\n"
                + "  " + file() + ": $.experiments[0].name: \"a;b\" is not a safe folder name; use 1-64 letters, digits, _ . - starting with a letter or digit, no \"..\"\n"
                + "  " + file() + ": $.experiments[0].runs: 0 is too small; use an integer >= 1, e.g. \"runs\": 10\n"
                + "fix: correct the fields named above (keys and types: configs/config.schema.json)\n", run.err());
        assertEquals("", run.out());
    }

    @picocli.CommandLine.Command(name = "loads-config")
    record LoadsConfig(Path file) implements Callable<Integer> {
        @Override
        public Integer call() {
            Kit.loadConfig(file);
            return 0;
        }
    }

    // ------------------------------------------------------------ paths and defaults

    @Test
    void relativePathsResolveAgainstTheConfigFolderAndDefaultsApply() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sub/configs"));
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"model\": \"../models/m.pte\", \"output_root\": \"~/profiling-runs\","
                + " \"experiments\": [{\"name\": \"e\", \"runner_path\": \"bin/../runner\"}, {\"name\": \"abs\", \"runner_path\": \"/opt/r\"}],"
                + " \"analysis\": {\"compare_pairs\": [{\"baseline\": {\"experiment\": \"e\"}, \"candidate\": {\"experiment\": \"abs\"}}]}}");
        Kit.Config c = Kit.loadConfig(f);
        assertEquals(f.toAbsolutePath(), c.file());
        assertEquals(tmp.resolve("sub/models/m.pte"), c.model());
        assertEquals(Path.of(System.getProperty("user.home"), "profiling-runs"), c.outputRoot());
        assertEquals(new Kit.Experiment("e", dir.resolve("runner"), "timing", 10, 1, List.of(1), List.of(), null, 600, Map.of()),
                c.experiments().get(0));
        assertEquals(Path.of("/opt/r"), c.experiment("abs").runnerPath());
        assertNull(c.experiment("missing"));
        assertEquals(List.of(new Kit.ComparePair(new Kit.ExpRef("e", 1), new Kit.ExpRef("abs", 1), "e/t1 -> abs/t1")), c.comparePairs());
        assertEquals(new Kit.Device(null, null, "/data/local/tmp/sme2-profiling"), c.device());
        assertEquals("../models/m.pte", c.raw().get("model").asText());
    }

    @Test
    void outputRootDefaultsToTheWorkspaceRuns() throws Exception {
        problems("{'model': '~/m.pte', 'experiments': [" + EXP + "]}");
        Kit.Config c = Kit.loadConfig(file());
        assertEquals(Kit.Workspace.locate(null).runs(), c.outputRoot());
        assertEquals(Path.of(System.getProperty("user.home"), "m.pte"), c.model());
    }

    @Test
    void xnntraceRunsOnceUnlessTheConfigSaysOtherwise() throws Exception {
        problems("{'model': 'm.pte', 'experiments': [{'name': 'k', 'runner_path': 'r', 'mode': 'xnntrace'},"
                + " {'name': 'k5', 'runner_path': 'r', 'mode': 'xnntrace', 'runs': 5}, {'name': 't', 'runner_path': 'r'}]}");
        Kit.Config c = Kit.loadConfig(file());
        assertEquals(List.of(1, 5, Kit.DEFAULT_RUNS), c.experiments().stream().map(Kit.Experiment::runs).toList());
        assertEquals(1, Kit.defaultRuns("xnntrace"));
        assertEquals(Kit.DEFAULT_RUNS, Kit.defaultRuns("timing"));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        problems("{'$schema': '../config.schema.json', 'model': 'm.pte', 'output_root': 'out', 'experiments': [{'name': 'x', 'runner_path': 'r',"
                + " 'mode': 'xnntrace', 'runs': 3, 'warmup': 0, 'threads': [4, 2], 'extra_args': ['--method_name', 'forward'],"
                + " 'cpu_affinity': '0xF0', 'timeout_s': 30, 'env': {'B': '2', 'A': '1'}}],"
                + " 'analysis': {'compare_pairs': [{'baseline': {'experiment': 'x', 'threads': 4}, 'candidate': {'experiment': 'x', 'threads': 2}, 'label': 'L'}]},"
                + " 'device': {'serial': 'S1', 'remote': 'h:1', 'workdir': '/data/x'}}");
        Kit.Config c = Kit.loadConfig(file());
        Kit.Experiment e = c.experiments().get(0);
        assertEquals(new Kit.Experiment("x", tmp.resolve("r"), "xnntrace", 3, 0, List.of(4, 2), List.of("--method_name", "forward"),
                "0xF0", 30, Map.of("B", "2", "A", "1")), e);
        assertEquals(List.of("B", "A"), List.copyOf(e.env().keySet()));
        assertEquals(tmp.resolve("out"), c.outputRoot());
        assertEquals(List.of(new Kit.ComparePair(new Kit.ExpRef("x", 4), new Kit.ExpRef("x", 2), "L")), c.comparePairs());
        assertEquals(new Kit.Device("S1", "h:1", "/data/x"), c.device());
        assertThrows(UnsupportedOperationException.class, () -> e.env().put("C", "3"));
    }

    // ------------------------------------------------------------ shipped configs and the schema

    static Path configs() { return TestKit.repo().resolve("configs"); }

    @Test
    void macExampleLoadsAndResolves() {
        Path repo = TestKit.repo();
        Kit.Config c = Kit.loadConfig(configs().resolve("examples/mac_mobilenet_fp16.json"));
        assertEquals(repo.resolve("models/mv2_xnnpack_fp16.pte"), c.model());
        assertEquals(repo.resolve("runs/mac"), c.outputRoot());
        assertEquals(List.of(
                new Kit.Experiment("mac_sme2_on", repo.resolve("executorch/cmake-out/host-sme2-on/executor_runner"), "timing", 20, 3, List.of(1, 4), List.of(), null, 600, Map.of()),
                new Kit.Experiment("mac_sme2_off", repo.resolve("executorch/cmake-out/host-sme2-off/executor_runner"), "timing", 20, 3, List.of(1, 4), List.of(), null, 600, Map.of()),
                new Kit.Experiment("mac_sme2_on_xnnlog", repo.resolve("executorch/cmake-out/host-sme2-on-xnnlog/executor_runner"), "xnntrace", 1, 0, List.of(1, 4), List.of(), null, 600, Map.of()),
                new Kit.Experiment("mac_sme2_off_xnnlog", repo.resolve("executorch/cmake-out/host-sme2-off-xnnlog/executor_runner"), "xnntrace", 1, 0, List.of(1, 4), List.of(), null, 600, Map.of())),
                c.experiments());
        assertEquals(List.of(
                new Kit.ComparePair(new Kit.ExpRef("mac_sme2_off", 1), new Kit.ExpRef("mac_sme2_on", 1), "MobileNetV2 fp16: SME2 off -> on, 1 thread"),
                new Kit.ComparePair(new Kit.ExpRef("mac_sme2_off", 4), new Kit.ExpRef("mac_sme2_on", 4), "MobileNetV2 fp16: SME2 off -> on, 4 threads")),
                c.comparePairs());
        // the runner variants are the workspace's (Kit.Workspace.runner) names
        assertEquals(new Kit.Workspace(repo).runner("host-sme2-on"), c.experiment("mac_sme2_on").runnerPath());
    }

    @Test
    void androidExampleLoadsAndResolves() {
        Path repo = TestKit.repo();
        Kit.Config c = Kit.loadConfig(configs().resolve("examples/android_mobilenet_fp16.json"));
        assertEquals(repo.resolve("models/mv2_xnnpack_fp16.pte"), c.model());
        assertEquals(repo.resolve("runs/android"), c.outputRoot());
        assertEquals(List.of("android_sme2_on", "android_sme2_off", "android_sme2_on_xnnlog", "android_sme2_off_xnnlog"),
                c.experiments().stream().map(Kit.Experiment::name).toList());
        for (Kit.Experiment e : c.experiments()) {
            String variant = "android-arm64-" + e.name().substring("android_".length()).replace('_', '-');
            assertEquals(new Kit.Workspace(repo).runner(variant), e.runnerPath());
            assertEquals("0x80", e.cpuAffinity());
            assertEquals(List.of(1), e.threads());
            assertEquals(e.name().endsWith("xnnlog") ? List.of("xnntrace", 1, 0) : List.of("timing", 20, 3), List.of(e.mode(), e.runs(), e.warmup()));
        }
        assertEquals(new Kit.Device(null, null, "/data/local/tmp/sme2-profiling"), c.device());
        assertEquals(List.of(new Kit.ComparePair(new Kit.ExpRef("android_sme2_off", 1), new Kit.ExpRef("android_sme2_on", 1),
                "MobileNetV2 fp16: SME2 off -> on, 1 thread, CPU 7")), c.comparePairs());
    }

    /** The profiling configs in configs/: everything in templates/ and examples/, and any other JSON with "experiments" or "model". */
    @Test
    void everyShippedConfigValidatesAndNamesTheSchema() throws Exception {
        List<Path> files;
        try (var s = Files.walk(configs())) {
            files = s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().equals("config.schema.json"))
                    .filter(p -> !p.getParent().equals(configs()) || Kit.readJson(p).has("experiments") || Kit.readJson(p).has("model")).sorted().toList();
        }
        assertTrue(files.size() >= 4, files.toString());
        for (Path f : files) {
            JsonNode raw = Kit.readJson(f);
            assertEquals(configs().resolve("config.schema.json"), f.getParent().resolve(raw.path("$schema").asText()).normalize(), f + " names the schema");
            List<String> want = f.getParent().getFileName().toString().equals("templates")
                    ? List.of(f + ": $.model: still the template placeholder; set it to your exported .pte (relative to this file),"
                    + " e.g. one made by: jbang scripts/ExportModel.java --model mv2 --dtype fp16")
                    : List.of();
            assertEquals(want, Kit.configProblems(f), f.toString());
        }
    }

    @Test
    void templatesHaveTheOnOffPairAtOneThread() {
        for (String platform : List.of("mac", "android")) {
            Path f = configs().resolve("templates/" + platform + "_template.json");
            JsonNode t = Kit.readJson(f);
            assertEquals(Kit.MODEL_PLACEHOLDER, t.get("model").asText());
            String variant = platform.equals("mac") ? "host" : "android-arm64";
            for (String onOff : List.of("on", "off")) {
                JsonNode e = find(t.get("experiments"), platform + "_sme2_" + onOff);
                assertEquals("../../executorch/cmake-out/" + variant + "-sme2-" + onOff + "/executor_runner", e.get("runner_path").asText());
                assertEquals(List.of("timing", 10, 1, "[1]"), List.of(e.get("mode").asText(), e.get("runs").asInt(), e.get("warmup").asInt(), e.get("threads").toString()));
                assertEquals(platform.equals("android") ? "0x80" : null, e.path("cpu_affinity").asText(null));
            }
            assertEquals(2, t.get("experiments").size());
            JsonNode pair = t.at("/analysis/compare_pairs/0");
            assertEquals("{\"experiment\":\"" + platform + "_sme2_off\",\"threads\":1}", pair.get("baseline").toString());
            assertEquals("{\"experiment\":\"" + platform + "_sme2_on\",\"threads\":1}", pair.get("candidate").toString());
            assertEquals(platform.equals("android"), t.has("device"));
        }
    }

    static JsonNode find(JsonNode exps, String name) {
        for (JsonNode e : exps) if (e.get("name").asText().equals(name)) return e;
        throw new AssertionError("no experiment " + name);
    }

    static JsonNode schema() { return Kit.readJson(configs().resolve("config.schema.json")); }

    @Test
    void schemaDeclaresExactlyTheKeysTheLoaderAccepts() throws Exception {
        JsonNode s = schema();
        assertEquals("https://json-schema.org/draft/2020-12/schema", s.get("$schema").asText());
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        objects.put("top", s);
        objects.put("experiment", s.at("/$defs/experiment"));
        objects.put("analysis", s.at("/properties/analysis"));
        objects.put("pair", s.at("/$defs/comparePair"));
        objects.put("ref", s.at("/$defs/experimentRef"));
        objects.put("device", s.at("/properties/device"));
        assertEquals(Kit.CONFIG_KEYS.keySet(), objects.keySet());
        for (var o : objects.entrySet()) {
            assertEquals(new TreeSet<>(Kit.CONFIG_KEYS.get(o.getKey())), new TreeSet<>(names(o.getValue().get("properties"))), o.getKey());
            assertEquals("false", o.getValue().path("additionalProperties").toString(), o.getKey() + " forbids unknown keys");
            // the loader accepts every key the schema declares: a config using it yields no "unknown key" line
            for (String key : names(o.getValue().get("properties"))) {
                String json = switch (o.getKey()) {
                    case "top" -> "{'" + key + "': null}";
                    case "experiment" -> "{'experiments': [{'" + key + "': null}]}";
                    case "analysis" -> "{'analysis': {'" + key + "': null}}";
                    case "pair" -> "{'analysis': {'compare_pairs': [{'" + key + "': null}]}}";
                    case "ref" -> "{'analysis': {'compare_pairs': [{'baseline': {'" + key + "': null}}]}}";
                    default -> "{'device': {'" + key + "': null}}";
                };
                assertTrue(problems(json).stream().noneMatch(l -> l.contains("unknown key")), o.getKey() + "." + key);
            }
        }
        assertEquals(Set.of("model", "experiments"), Set.copyOf(names(s.get("required"))));
        assertEquals(List.of("[\"name\",\"runner_path\"]", "[\"baseline\",\"candidate\"]", "[\"experiment\"]"),
                List.of(s.at("/$defs/experiment/required").toString(), s.at("/$defs/comparePair/required").toString(), s.at("/$defs/experimentRef/required").toString()));
    }

    @Test
    void everySchemaKeyHasADescriptionAndTheLoadersDefault() {
        JsonNode s = schema();
        for (JsonNode props : List.of(s.get("properties"), s.at("/properties/analysis/properties"), s.at("/properties/device/properties"),
                s.at("/$defs/experiment/properties"), s.at("/$defs/comparePair/properties"), s.at("/$defs/experimentRef/properties"))) {
            props.properties().forEach(p -> assertFalse(p.getValue().path("description").asText().isBlank(), p.getKey() + " has a description"));
        }
        JsonNode e = s.at("/$defs/experiment/properties");
        assertEquals(List.of("\"timing\"", String.valueOf(Kit.DEFAULT_RUNS), String.valueOf(Kit.DEFAULT_WARMUP), "[1]", "[]",
                        String.valueOf(Kit.DEFAULT_TIMEOUT_S), "{}", "\"" + Kit.DEFAULT_DEVICE_WORKDIR + "\"", "1", "[]"),
                List.of(e.at("/mode/default").toString(), e.at("/runs/default").toString(), e.at("/warmup/default").toString(),
                        e.at("/threads/default").toString(), e.at("/extra_args/default").toString(), e.at("/timeout_s/default").toString(),
                        e.at("/env/default").toString(), s.at("/properties/device/properties/workdir/default").toString(),
                        s.at("/$defs/experimentRef/properties/threads/default").toString(),
                        s.at("/properties/analysis/properties/compare_pairs/default").toString()));
        assertEquals(Kit.MODES.toString(), e.at("/mode/enum").toString().replace("\"", "").replace(",", ", "));
        for (String rel : List.of("model", "output_root", "runner_path"))
            assertTrue((s.at("/properties/" + rel + "/description").asText() + e.at("/" + rel + "/description").asText()).contains("config file's folder"), rel);
    }

    /** The schema's patterns (ECMA regexes, also valid Java ones here) accept and reject what the loader does. */
    @Test
    void schemaPatternsAgreeWithTheLoader() throws Exception {
        JsonNode e = schema().at("/$defs/experiment/properties");
        Pattern name = Pattern.compile(e.at("/name/pattern").asText()), dots = Pattern.compile(e.at("/name/not/pattern").asText());
        Pattern mask = Pattern.compile(e.at("/cpu_affinity/pattern").asText()), flag = Pattern.compile(e.at("/extra_args/items/not/pattern").asText());
        Pattern remote = Pattern.compile(schema().at("/properties/device/properties/remote/pattern").asText());
        assertEquals("^" + Kit.EXPERIMENT_NAME.pattern() + "$", name.pattern());
        for (String n : List.of("ok", "a.b", "a..b", "../x", "a;b", "a b", "_x", "X-1_2.3", "x".repeat(64), "x".repeat(65))) {
            boolean schemaOk = name.matcher(n).find() && !dots.matcher(n).find();
            assertEquals(schemaOk, problems(withExp("'name': '" + n + "'").replace("'name': 'on', ", "")).isEmpty(), n);
        }
        for (String m : List.of("0x80", "0X0f", "0x0", "0x000", "80", "0x", "zz", "0x00010")) {
            assertEquals(mask.matcher(m).find(), problems(withExp("'cpu_affinity': '" + m + "'")).isEmpty(), m);
        }
        for (String a : List.of("--model_path", "--model_path=x", "-cpu_threads", "--cpu_threads 4", "--num_executions=1", "--etdump_path",
                "--model_path_x", "--method_name", "model_path", "--verbose")) {
            assertEquals(!flag.matcher(a).find(), problems(withExp("'extra_args': ['" + a + "']")).isEmpty(), a);
        }
        for (String r : List.of("10.0.0.7:5555", "[::1]:5037", "phone", "host:", ":5555", "my-phone.local:5555")) {
            assertEquals(remote.matcher(r).find(), problems("{'model': 'm', 'experiments': [" + EXP + "], 'device': {'remote': '" + r + "'}}").isEmpty(), r);
        }
    }

    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) n.forEach(x -> out.add(x.asText()));
        else n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
