import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** ValidateResults on a run folder written like the pipelines write it (real runner ETDumps), then broken one way at a time. */
class ValidateResultsTest {
    @TempDir Path tmp;

    static TestKit.Run run(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("--results", dir.toString(), "--json"));
        args.addAll(List.of(more));
        return TestKit.inProcess((out, err) -> ValidateResults.run(out, err, args.toArray(String[]::new)));
    }

    static JsonNode json(TestKit.Run r) throws Exception { return Kit.JSON.readTree(r.out()); }

    static JsonNode check(JsonNode doc, String id) {
        for (JsonNode c : doc.get("checks")) if (c.get("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id + " in " + doc);
    }

    static List<String> messages(JsonNode doc, String status) {
        List<String> out = new ArrayList<>();
        doc.get("checks").forEach(c -> { if (c.get("status").asText().equals(status)) out.add(c.get("message").asText()); });
        return out;
    }

    /** Runs it and checks that exactly these failures (in this order) were reported, with exit 1 (0 when none). */
    static JsonNode assertFails(Path dir, String... fails) throws Exception {
        TestKit.Run r = run(dir);
        JsonNode doc = json(r);
        assertEquals(List.of(fails), messages(doc, "fail"), r.err());
        assertEquals(fails.length == 0 ? 0 : 1, r.code(), r.toString());
        assertEquals(fails.length == 0, doc.get("ok").asBoolean());
        return doc;
    }

    /** The fix for results that are not ok: resume into the same folder (issue 12: not a new run with --config). */
    String rerun(ValidateResultsFolder f) { return "re-run what is not ok into this folder: jbang scripts/MacPipeline.java --resume " + Kit.shq(f.dir.toString()); }

    @Test
    void aKnownGoodRunFolderPasses() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        TestKit.Run r = run(f.dir);
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = json(r);
        assertTrue(doc.get("ok").asBoolean());
        assertEquals(f.dir.toString(), doc.get("results_dir").asText());
        List<String> ids = new ArrayList<>();
        doc.get("checks").forEach(c -> ids.add(c.get("id").asText()));
        assertEquals(List.of("manifest", "metrics", "result:mnv1/t1", "result:mnv1/t2"), ids);
        assertEquals(List.of(), messages(doc, "warn"));
        List<Double> lat = f.latencies(0);
        assertEquals(20, lat.size());
        List<Double> sorted = lat.stream().sorted().toList();
        assertEquals(String.format(java.util.Locale.ROOT, "mnv1/t1: 20 runs, median %.3f ms (min %.3f, max %.3f); ETDump and log present",
                (sorted.get(9) + sorted.get(10)) / 2, sorted.get(0), sorted.get(19)), messages(doc, "ok").get(2));
        assertEquals("manifest.json: valid (ExecuTorch e2f18eb2a1b2, clean)", messages(doc, "ok").get(0));
        assertEquals("metrics.json: the same 2 results as manifest.json", messages(doc, "ok").get(1));
        for (JsonNode c : doc.get("checks")) assertEquals(List.of("id", "status", "message", "fix"), fieldNames(c));
        assertTrue(r.err().contains("run folder is valid"), r.err());
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aMissingManifestIsReportedAndTheResultsAreStillCheckedFromMetrics() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Files.delete(f.path("manifest.json"));
        JsonNode doc = assertFails(f.dir, "manifest.json: missing");
        assertEquals(2, messages(doc, "ok").stream().filter(m -> m.contains(": 20 runs, median")).count(), doc.toString());
    }

    @Test
    void everyMissingKeyIsNamed() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.manifest(m -> {
            ((ObjectNode) m.get("executorch")).remove("sha");
            m.remove("run_root");
            m.remove("generated_at");
        });
        JsonNode doc = assertFails(f.dir, "manifest.json: $.generated_at: missing", "manifest.json: $.run_root: missing",
                "manifest.json: $.executorch.sha: missing");
        JsonNode c = doc.get("checks").get(0);
        assertEquals("manifest", c.get("id").asText());
        assertEquals("the pipeline writes this key; " + rerun(f), c.get("fix").asText());
    }

    @Test
    void wrongTypesAndATimeThatIsNotIso() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.manifest(m -> {
            m.put("generated_at", "25/11/2026 14:03");
            ((ObjectNode) m.get("executorch")).put("dirty", "no");
            m.put("results", "none");
        });
        assertFails(f.dir, "manifest.json: $.generated_at: \"25/11/2026 14:03\" is not an ISO-8601 UTC time (like 2026-11-25T14:03:12Z)",
                "manifest.json: $.executorch.dirty: expected true or false, got \"no\"",
                "manifest.json: $.results: expected an array, got \"none\"");
    }

    @Test
    void invalidJsonNamesLineAndColumn() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Files.writeString(f.path("manifest.json"), "{\n  \"status\": \"ok\",\n  oops\n}\n");
        JsonNode doc = json(run(f.dir));
        String first = messages(doc, "fail").get(0);
        assertTrue(first.startsWith("manifest.json:3:3: invalid JSON: Unexpected character ('o'"), first);
        assertEquals(1, messages(doc, "fail").size(), doc.toString());
    }

    @Test
    void aMissingEtdumpAndAMissingLog() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Files.delete(f.path("mnv1/t1/run.etdump"));
        Files.delete(f.path("mnv1/t2/runner.log"));
        JsonNode doc = assertFails(f.dir, "mnv1/t1: ETDump mnv1/t1/run.etdump is missing", "mnv1/t2: log mnv1/t2/runner.log is missing");
        assertEquals(rerun(f), check(doc, "etdump:mnv1/t1").get("fix").asText());
        assertEquals(rerun(f), check(doc, "log:mnv1/t2").get("fix").asText());
    }

    @Test
    void aTruncatedEtdumpNamesTheByteOffset() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Path e = f.path("mnv1/t1/run.etdump");
        byte[] b = Files.readAllBytes(e);
        Files.write(e, Arrays.copyOf(b, 1000));
        assertFails(f.dir, "mnv1/t1: mnv1/t1/run.etdump: byte 0: size prefix says " + (b.length - 4) + " bytes but 996 follow (truncated or padded file)");
    }

    @Test
    void aPteInPlaceOfTheEtdumpIsRecognised() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), f.path("mnv1/t2/run.etdump"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertFails(f.dir, "mnv1/t2: mnv1/t2/run.etdump: byte 8: identifier is not ED00 (not an ETDump; this is a .pte program)");
    }

    @Test
    void theEtdumpMustHoldOneExecuteBlockPerRun() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.latencies(0, f.latencies(0).subList(0, 19)).result(0, r -> ((ObjectNode) r.get("metrics")).put("runs", 19));
        assertFails(f.dir, "mnv1/t1: mnv1/t1/run.etdump has 20 Execute blocks but 19 execution(s) ran (runs + warmup_in_process)");
    }

    @Test
    void latencyMsMustHaveRunsValues() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.latencies(1, f.latencies(1).subList(0, 19));
        assertFails(f.dir, "mnv1/t2: latency_ms has 19 values but runs is 20");
    }

    @Test
    void medianMinAndMaxMustAgreeWithLatencyMs() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        JsonNode m = f.read("manifest.json").get("results").get(0).get("metrics");
        double median = m.get("median_ms").asDouble(), max = m.get("max_ms").asDouble();
        f.result(0, r -> ((ObjectNode) r.get("metrics")).put("median_ms", median + 1).put("max_ms", max + 0.0004));
        assertFails(f.dir, "mnv1/t1: median_ms is " + (median + 1) + " but latency_ms gives " + median);
    }

    @Test
    void latencyMsMustMatchTheEtdumpRunByRun() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        List<Double> lat = new ArrayList<>(f.latencies(0));
        double a = lat.get(0), b = lat.get(1);
        lat.set(0, b);
        lat.set(1, a);
        f.latencies(0, lat);
        assertFails(f.dir, "mnv1/t1: latency_ms[0] is " + b + " but mnv1/t1/run.etdump says " + a + " ms (2 of 20 values differ)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"failed", "interrupted"})
    void aFailedOrInterruptedResultIsAFailureWithItsReason(String status) throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.result(1, r -> r.put("status", status).put("reason", "runner exited with 134: Aborted")).manifest(m -> m.put("status", status));
        JsonNode doc = assertFails(f.dir,
                "manifest.json: $.status is " + status + ": the run did not finish cleanly (failed results are listed below)",
                "mnv1/t2: " + (status.equals("failed") ? "failed" : "was interrupted") + ": runner exited with 134: Aborted");
        JsonNode c = check(doc, "result:mnv1/t2");
        assertEquals("see mnv1/t2/runner.log, fix the cause and " + rerun(f), c.get("fix").asText());
        assertEquals(List.of(), messages(doc, "warn"), "its files are still referenced, not orphans");
    }

    @Test
    void aPendingResultNeverRan() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.result(1, r -> r.put("status", "pending").putNull("metrics")).manifest(m -> m.put("status", "running"));
        Files.delete(f.path("mnv1/t2/run.etdump"));
        assertFails(f.dir, "manifest.json: $.status is running: the pipeline is still running or was killed",
                "mnv1/t2: never ran (the pipeline stopped before it)");
    }

    @Test
    void pathsMustStayInsideTheRunFolder() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        f.result(0, r -> ((ObjectNode) r.get("metrics")).put("etdump_rel", "/tmp/elsewhere/run.etdump"))
                .result(1, r -> ((ObjectNode) r.get("metrics")).put("log_rel", "../../secrets/runner.log").put("etdump", "/elsewhere/run.etdump"));
        JsonNode doc = assertFails(f.dir,
                "manifest.json: $.results[0].metrics.etdump_rel: /tmp/elsewhere/run.etdump is an absolute path; it must be relative to the run folder",
                "manifest.json: $.results[1].metrics.log_rel: ../../secrets/runner.log points outside the run folder",
                "manifest.json: $.results[1].metrics.etdump: /elsewhere/run.etdump is outside the run folder (run_root " + f.dir + ")");
        assertEquals(List.of("mnv1/t1/run.etdump is not referenced by any result"), messages(doc, "warn"));
    }

    @Test
    void metricsJsonMustHoldTheManifestsResults() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        ObjectNode metrics = f.read("metrics.json");
        ((ObjectNode) metrics.get("results").get(1)).put("threads", 4);
        f.write("metrics.json", metrics);
        assertFails(f.dir, "metrics.json: $.results[1] differs from manifest.json $.results[1]");
        f.write("metrics.json", Kit.JSON.createObjectNode().set("results", Kit.JSON.createArrayNode()));
        assertFails(f.dir, "metrics.json: $.results has 0 entries but manifest.json has 2");
        Files.delete(f.path("metrics.json"));
        assertFails(f.dir, "metrics.json: missing");
    }

    @Test
    void theAnalysisSummaryWhenPresent() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Files.createDirectories(f.path("analysis"));
        Kit.writeJson(f.path("analysis/analysis_summary.json"), ValidateResultsFolder.summary(2));
        JsonNode ok = assertFails(f.dir);
        assertTrue(messages(ok, "ok").contains("analysis/analysis_summary.json: 2 experiments"), ok.toString());

        Kit.writeJson(f.path("analysis/analysis_summary.json"), Map.of("schema_version", 1));
        JsonNode doc = assertFails(f.dir, "analysis/analysis_summary.json: $.experiments: missing or not an array");
        assertEquals("re-run the analysis: jbang scripts/AnalyzeResults.java --run-dir " + f.dir, check(doc, "analysis").get("fix").asText());

        Files.writeString(f.path("analysis/analysis_summary.json"), "{\"experiments\": [}");
        String msg = messages(json(run(f.dir)), "fail").get(0);
        assertTrue(msg.startsWith("analysis/analysis_summary.json:1:18: invalid JSON:"), msg);
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Files.delete(f.path("mnv1/t1/runner.log"));
        f.result(1, r -> ((ObjectNode) r.get("metrics")).put("min_ms", 0.0));
        f.manifest(m -> m.remove("model"));
        Files.createDirectories(f.path("analysis"));
        Files.writeString(f.path("analysis/analysis_summary.json"), "[]");
        double min = f.latencies(1).stream().min(Double::compare).orElseThrow();
        TestKit.Run r = run(f.dir);
        assertEquals(List.of("manifest.json: $.model: missing", "mnv1/t1: log mnv1/t1/runner.log is missing",
                "mnv1/t2: min_ms is 0.0 but latency_ms gives " + min, "analysis/analysis_summary.json: $.experiments: missing or not an array"),
                messages(json(r), "fail"));
        assertTrue(r.err().contains("4 problems in " + f.dir), r.err());
    }

    @Test
    void warningsDoNotFailTheFolder() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        Path moved = tmp.resolve("moved");
        copyTree(f.dir, moved);
        Files.delete(f.model);
        Files.delete(moved.resolve("mnv1/t1/command.txt"));
        Files.delete(moved.resolve("config.json"));
        Files.createDirectories(moved.resolve("old/t8"));
        Files.copy(moved.resolve("mnv1/t1/run.etdump"), moved.resolve("old/t8/run.etdump"));
        ObjectNode m = (ObjectNode) Kit.readJson(moved.resolve("manifest.json"));
        ((ObjectNode) m.get("executorch")).put("dirty", true);
        Kit.writeJson(moved.resolve("manifest.json"), m);
        TestKit.Run r = run(moved);
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of(
                "manifest.json: ExecuTorch " + ValidateResultsFolder.SHA + " was dirty (uncommitted changes) when this ran",
                "manifest.json: $.run_root is " + f.dir + " but the folder is " + moved + " (moved or copied; files are found by their *_rel paths)",
                "manifest.json: $.model " + f.model + " is not on this machine (the analysis needs it for operator names)",
                "mnv1/t1: mnv1/t1/command.txt is missing (the exact timed command)",
                "old/t8/run.etdump is not referenced by any result",
                "config.json: missing (the resolved config of this run)"), messages(json(r), "warn"));
        assertTrue(r.err().contains("run folder is valid (6 warnings)"), r.err());
    }

    @Test
    void aRelocatableRunFolderWithPathsRelativeToItselfPassesWhereverItIs() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp.resolve("a"));
        Path moved = tmp.resolve("b/moved-run");
        f.manifest(m -> {
            m.put("run_root", ".");
            m.put("model", "../models/mnv1_xnnpack_fp32.pte");
        });
        for (int i = 0; i < 2; i++) {
            f.result(i, r -> {
                ObjectNode mx = (ObjectNode) r.get("metrics");
                mx.put("etdump", mx.get("etdump_rel").asText()).put("log", mx.get("log_rel").asText());
            });
        }
        Files.createDirectories(tmp.resolve("b/models"));
        Files.copy(f.model, tmp.resolve("b/models/mnv1_xnnpack_fp32.pte"));
        copyTree(f.dir, moved);
        TestKit.Run r = run(moved);
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of(), messages(json(r), "warn"));
        for (String file : List.of("manifest.json", "metrics.json")) {
            ObjectNode doc = (ObjectNode) Kit.readJson(moved.resolve(file));
            ((ObjectNode) doc.get("results").get(0).get("metrics")).put("log", "../elsewhere/runner.log");
            Kit.writeJson(moved.resolve(file), doc);
        }
        assertFails(moved, "manifest.json: $.results[0].metrics.log: ../elsewhere/runner.log is outside the run folder (run_root " + moved + ")");
    }

    @Test
    void anOutputRootNamesItsNewestRunFolder() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("runs"));
        for (String name : List.of("20261125-140312-mv2_xnnpack_fp16", "20261126-090000-mv2_xnnpack_fp16", "20261125-235959-mv2_xnnpack_fp16-2")) {
            Files.createDirectories(root.resolve(name));
            Files.writeString(root.resolve(name).resolve("manifest.json"), "{}");
        }
        TestKit.Run r = run(root);
        assertEquals(2, r.code());
        assertEquals("", r.out());
        Path newest = root.resolve("20261126-090000-mv2_xnnpack_fp16");
        assertTrue(r.err().contains("error: " + root + ": is an output root holding 3 run folders, not a run folder; the newest is " + newest.getFileName()), r.err());
        assertTrue(r.err().contains("fix: jbang scripts/ValidateResults.java --results " + newest), r.err());
    }

    @Test
    void aMissingFolderOrAFolderThatIsNoRunFolderIsBadInput() throws Exception {
        TestKit.Run missing = run(tmp.resolve("nope"));
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("error: " + tmp.resolve("nope") + ": does not exist"), missing.err());
        Files.writeString(tmp.resolve("notes.txt"), "hello");
        TestKit.Run other = run(tmp);
        assertEquals(2, other.code());
        assertTrue(other.err().contains("error: " + tmp + ": is not a run folder (no manifest.json, metrics.json or <experiment>/t<threads>/ folders)"),
                other.err());
        Files.createDirectories(tmp.resolve("exp/t1"));
        Files.writeString(tmp.resolve("exp/t1/runner.log"), "x");
        assertEquals(List.of("manifest.json: missing", "metrics.json: missing"), messages(json(run(tmp)), "fail"),
                "a folder with <experiment>/t<threads>/ is a (broken) run folder: exit 1, not 2");
    }

    @Test
    void throughJbangAsARealProcess() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        TestKit.Run good = TestKit.jbang(tmp, Map.of(), TestKit.script("ValidateResults.java").toString(), "--results", f.dir.toString(), "--json");
        assertEquals(0, good.code(), good.toString());
        assertTrue(json(good).get("ok").asBoolean());
        Files.delete(f.path("mnv1/t2/run.etdump"));
        TestKit.Run bad = TestKit.jbang(tmp, Map.of(), TestKit.script("ValidateResults.java").toString(), "--results", f.dir.toString());
        assertEquals(1, bad.code(), bad.toString());
        // started as <repo>/jbang from another folder: the fix starts with that launcher
        assertTrue(bad.err().contains("[fail] mnv1/t2: ETDump mnv1/t2/run.etdump is missing\n       fix: "
                + rerun(f).replace("jbang ", TestKit.repo().resolve("jbang") + " ")), bad.err());
        assertEquals("", bad.out());
        TestKit.Run help = TestKit.jbang(tmp, Map.of(), TestKit.script("ValidateResults.java").toString(), "--help");
        assertTrue(help.out().contains("Examples:") && help.out().contains("Exit codes:"), help.out());
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
