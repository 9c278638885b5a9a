import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CompareRuns: run folders written by MacPipeline and AndroidPipeline (fake runners, fake adb) on "several machines" merge
 * into one table, one HTML report and the gate's verdicts; every number is checked against values computed here from the
 * ETDumps (Kit's reader, not AnalyzeResults), with numpy's linear percentiles and the binomial order-statistic ranks.
 */
class CompareRunsTest {
    @TempDir Path tmp;

    static final String MAC_EXPERIMENTS = """
            {"name": "mac_sme2_on", "runner_path": "executorch/cmake-out/host-sme2-on/executor_runner", "runs": 20, "warmup": 0, "threads": [1, 2]},
            {"name": "mac_sme2_off", "runner_path": "executorch/cmake-out/host-sme2-off/executor_runner", "runs": 20, "warmup": 0}""";

    /** A MacPipeline run folder (no analysis) on a machine whose facts are then set as another machine would record them. */
    Path macRun(String machine, double scale, String cpu, String sha, String when) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve(machine));
        Path model = Files.createDirectories(ws.resolve("models")).resolve("mnv1_xnnpack_fp32.pte");
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        for (String v : List.of("host-sme2-on", "host-sme2-off")) {
            Path dir = ws.resolve("executorch/cmake-out").resolve(v);
            FakeExecutorRunner.install(dir, "executor_runner", Map.of("FAKE_RUNNER_VARIANT", v.endsWith("on") ? "sme2-on" : "sme2-off",
                    "FAKE_RUNNER_SCALE", Double.toString(scale)));
            Kit.writeJson(dir.resolve("build.json"), MacPipelineTest.build(v, v.endsWith("on") ? "ON" : "OFF", "Release"));
        }
        Path cfg = Files.writeString(ws.resolve("config.json"), "{\"model\": \"models/mnv1_xnnpack_fp32.pte\", \"output_root\": \"runs\", \"experiments\": ["
                + MAC_EXPERIMENTS + "]}\n");
        TestKit.Run r = TestKit.inProcess((o, e) -> MacPipeline.run(o, e, cfg.toString(), "--no-analysis", "--workspace", ws.toString()));
        assertEquals(0, r.code(), r.toString());
        Path run = TestKit.onlyRunFolder(ws.resolve("runs"));
        ObjectNode m = (ObjectNode) Kit.readJson(run.resolve("manifest.json"));
        ((ObjectNode) m.get("host")).put("cpu", cpu).put("os", "Darwin").put("arch", "arm64");
        ((ObjectNode) m.get("executorch")).put("sha", sha);
        m.put("generated_at", when);
        Kit.writeJson(run.resolve("manifest.json"), m);
        return run;
    }

    Path androidRun() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("phone"));
        FakeAdb fake = FakeAdb.install(ws.resolve("fake-adb"));
        Path model = Files.createDirectories(ws.resolve("models")).resolve("mnv1_xnnpack_fp32.pte");
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
        for (String v : List.of("android-arm64-sme2-on", "android-arm64-sme2-off")) {
            Path dir = ws.resolve("executorch/cmake-out").resolve(v);
            FakeAdb.runner(dir, "executor_runner", Map.of("FAKE_RUNNER_VARIANT", v.endsWith("on") ? "sme2-on" : "sme2-off"));
            Files.writeString(dir.resolve("libc++_shared.so"), "fake libc++");
        }
        Path cfg = Files.writeString(ws.resolve("config.json"), "{\"model\": \"models/mnv1_xnnpack_fp32.pte\", \"output_root\": \"runs\", \"experiments\": ["
                + MAC_EXPERIMENTS.replace("mac_", "android_").replace("host-", "android-arm64-") + "]}\n");
        TestKit.Run r = TestKit.inProcess((o, e) -> AndroidPipeline.run(o, e, cfg.toString(), "--no-analysis", "--adb", fake.adb.toString(),
                "--workspace", ws.toString(), "--retry-delay-ms", "1", "--serial", FakeAdb.SERIAL));
        assertEquals(0, r.code(), r.toString());
        return TestKit.onlyRunFolder(ws.resolve("runs"));
    }

    static TestKit.Run compare(String... args) { return TestKit.inProcess((o, e) -> CompareRuns.run(o, e, args)); }

    // ------------------------------------------------------------------ independent arithmetic

    static double[] latencies(Path run, String exp, int t) {
        return Kit.etdumpRuns(run.resolve(exp).resolve("t" + t).resolve("run.etdump")).executeMs().stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** numpy.percentile(x, q) with the default linear interpolation. */
    static double percentile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        double pos = q / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    static double median(double[] x) { return percentile(x, 50); }

    static List<Map<String, String>> csv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        List<String> head = Arrays.asList(lines.get(0).split(",", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            List<String> cells = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean q = false;
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (q && c == '"' && i + 1 < l.length() && l.charAt(i + 1) == '"') { cur.append('"'); i++; }
                else if (c == '"') q = !q;
                else if (c == ',' && !q) { cells.add(cur.toString()); cur.setLength(0); }
                else cur.append(c);
            }
            cells.add(cur.toString());
            assertEquals(head.size(), cells.size(), l);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < head.size(); i++) row.put(head.get(i), cells.get(i));
            rows.add(row);
        }
        return rows;
    }

    static Map<String, String> row(List<Map<String, String>> rows, Path run, String exp, int t) {
        return rows.stream().filter(r -> r.get("run_dir").equals(run.toString()) && r.get("experiment").equals(exp) && r.get("threads").equals("" + t))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + run + " " + exp + " t" + t));
    }

    /** The run folder as a CI job's downloaded artifact: root/NAME/runs/FOLDER. */
    static Path artifact(Path root, String name, Path run) throws Exception {
        Path copy = root.resolve(name).resolve("runs").resolve(run.getFileName());
        ValidateResultsTest.copyTree(run, copy);
        return copy;
    }


    // ------------------------------------------------------------------ the fleet table and report

    @Test
    void runFoldersFromMacsAndAPhoneMergeIntoOneTableAndReport() throws Exception {
        Path art = tmp.resolve("artifacts");
        Path m1 = artifact(art, "run-mac-1", macRun("m1", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z"));
        Path m2 = artifact(art, "run-mac-2", macRun("m2", 1.0, "Apple M4 Pro", "bbbb2222", "2026-11-02T02:17:00Z"));
        Path m3 = artifact(art, "run-mac-3", macRun("m3", 1.2, "Apple M3", "bbbb2222", "2026-11-02T03:00:00Z"));
        Path ph = artifact(art, "run-android", androidRun());
        Path out = tmp.resolve("fleet");

        TestKit.Run r = compare(art.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("[ok]   12 row(s) from 4 run folder(s) (4 analysed first)"), r.err());

        List<Map<String, String>> rows = csv(out.resolve("fleet.csv"));
        assertEquals(CompareRuns.COLUMNS, new ArrayList<>(rows.get(0).keySet()));
        assertEquals(12, rows.size());
        String sha = Kit.sha256(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        for (Path run : List.of(m1, m2, m3, ph)) {
            boolean phone = run == ph;
            String p = phone ? "android_" : "mac_";
            for (String[] et : new String[][]{{p + "sme2_on", "1"}, {p + "sme2_on", "2"}, {p + "sme2_off", "1"}}) {
                int t = Integer.parseInt(et[1]);
                Map<String, String> x = row(rows, run, et[0], t);
                double[] lat = latencies(run, et[0], t);
                assertEquals(20, lat.length);
                assertEquals(median(lat), Double.parseDouble(x.get("median_ms")), 1e-9, x.toString());
                assertEquals(percentile(lat, 10), Double.parseDouble(x.get("p10_ms")), 1e-9);
                assertEquals(percentile(lat, 90), Double.parseDouble(x.get("p90_ms")), 1e-9);
                double[] s = lat.clone();
                Arrays.sort(s);
                // n = 20: the 95% distribution-free interval of the median is (x(6), x(15)) (binomial table)
                assertEquals(s[5], Double.parseDouble(x.get("median_ci95_low")), 0);
                assertEquals(s[14], Double.parseDouble(x.get("median_ci95_high")), 0);
                assertEquals("20", x.get("runs"));
                assertEquals(art.relativize(run).toString(), x.get("run_id"), "unique across machines");
                assertEquals(sha, x.get("model_sha256"));
                assertEquals("mnv1_xnnpack", x.get("model"));
                assertEquals("fp32", x.get("dtype"));
                assertEquals(String.valueOf(et[0].endsWith("on")), x.get("sme2_flag"));
                assertEquals(phone ? "android" : "host", x.get("platform"));
                assertEquals(phone ? "AndroidPipeline" : "MacPipeline", x.get("tool"));
                if (phone) {
                    assertEquals("android:Fake SME2 Phone/FS9500", x.get("device"));
                    assertEquals("true", x.get("device_sme2"));
                } else {
                    assertTrue(x.get("device").startsWith("host:") && x.get("device").endsWith(run == m3 ? "/Apple M3" : "/Apple M4 Pro"), x.get("device"));
                }
                assertEquals(lat[0], Double.parseDouble(x.get("cold_start_first_ms")), 1e-9, "the cold start is the ETDump's first execution (warmup 0)");
                assertEquals("0", x.get("warmup_in_process"), x.toString());
                double shares = 0;
                for (String c : CompareRuns.SHARE_CATEGORIES) shares += Double.parseDouble(x.get("share_" + c.toLowerCase(Locale.ROOT)));
                assertTrue(shares > 0.5 && shares <= 1.0 + 1e-9, "category shares of Method::execute: " + shares);
            }
        }
        // JSON Lines: the same rows and values, typed
        List<String> jl = Files.readAllLines(out.resolve("fleet.jsonl"));
        assertEquals(12, jl.size());
        for (int i = 0; i < jl.size(); i++) {
            JsonNode j = Kit.JSON.readTree(jl.get(i));
            assertEquals(CompareRuns.COLUMNS, TestKit.names(j.fieldNames()));
            assertEquals(Double.parseDouble(rows.get(i).get("median_ms")), j.get("median_ms").asDouble(), 0);
            assertTrue(j.get("threads").isInt() && j.get("schema_version").asInt() == 1);
        }

        // the HTML: matrix cells, the SME2 speedup per device (independently: median off / median on), the trend
        String html = Files.readString(out.resolve("fleet-report.html"));
        assertTrue(html.contains("<h2>mnv1_xnnpack · fp32 · sha256 " + sha.substring(0, 12) + "</h2>"), html);
        assertTrue(html.contains("android:Fake SME2 Phone/FS9500"));
        double[] on1 = latencies(m3, "mac_sme2_on", 1), off1 = latencies(m3, "mac_sme2_off", 1);
        String m3cell = String.format(Locale.ROOT, "%.3f <span class=\"muted\">[", median(on1));
        assertTrue(html.contains(m3cell), m3cell);
        String speed = String.format(Locale.ROOT, "%.2fx", median(off1) / median(on1));
        assertTrue(html.contains("<tr><td>host:") && html.contains(speed), speed);
        double[] m1on = latencies(m1, "mac_sme2_on", 1), m2on = latencies(m2, "mac_sme2_on", 1);
        assertTrue(html.contains("Trends across ExecuTorch SHAs and dates"));
        assertTrue(html.contains("<td>aaaa1111</td><td>" + String.format(Locale.ROOT, "%.3f", median(m1on))), html);
        assertTrue(html.contains(String.format(Locale.ROOT, "<td>bbbb2222</td><td>%.3f</td><td>%+.1f%%</td>", median(m2on),
                (median(m2on) - median(m1on)) / median(m1on) * 100)), html);

        // the table loads as is into an analytical database (DuckDB, embedded): a GROUP BY over both files
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement st = db.createStatement()) {
            for (String src : List.of("read_csv('" + out.resolve("fleet.csv") + "', header = true, auto_detect = true)",
                    "read_json('" + out.resolve("fleet.jsonl") + "', format = 'newline_delimited')")) {
                java.sql.ResultSet rs = st.executeQuery("SELECT device, count(*) AS n, max(median_ms) AS worst, count(DISTINCT run_id) AS runs "
                        + "FROM " + src + " WHERE sme2_flag GROUP BY device ORDER BY device");
                Map<String, double[]> got = new LinkedHashMap<>();
                while (rs.next()) got.put(rs.getString(1), new double[]{rs.getLong(2), rs.getDouble(3), rs.getLong(4)});
                double m3worst = Math.max(median(latencies(m3, "mac_sme2_on", 1)), median(latencies(m3, "mac_sme2_on", 2)));
                double phoneWorst = Math.max(median(latencies(ph, "android_sme2_on", 1)), median(latencies(ph, "android_sme2_on", 2)));
                assertEquals(3, got.size(), src + ": " + got.keySet());
                assertArrayEquals(new double[]{2, phoneWorst, 1}, got.get("android:Fake SME2 Phone/FS9500"), 1e-12, src);
                String m3dev = row(rows, m3, "mac_sme2_on", 1).get("device");
                assertArrayEquals(new double[]{2, m3worst, 1}, got.get(m3dev), 1e-12, src);
                String m1dev = row(rows, m1, "mac_sme2_on", 1).get("device");
                assertEquals(4, got.get(m1dev)[0], src + ": two runs of 2 SME2-on rows on the M4 Pro");
            }
        }
    }

    @Test
    void aCurrentSummaryIsReadAsIsAndNoEtdumpIsParsedAgain() throws Exception {
        Path m1 = macRun("m1", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z");
        Path out = tmp.resolve("fleet");
        assertEquals(0, compare(m1.toString(), "--out", out.toString()).code());
        String first = Files.readString(out.resolve("fleet.csv"));
        Path summary = m1.resolve("analysis/analysis_summary.json");
        FileTime made = Files.getLastModifiedTime(summary);
        // break every ETDump: a merge that parsed them again would fail
        try (Stream<Path> s = Files.walk(m1)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("run.etdump")).toList()) Files.write(p, new byte[]{1, 2, 3});
        }
        TestKit.Run again = compare(m1.toString(), "--out", out.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("(0 analysed first)"), again.err());
        assertEquals(first, Files.readString(out.resolve("fleet.csv")));
        assertEquals(made, Files.getLastModifiedTime(summary));

        // a stale summary (the manifest was re-written by a resumed run) is analysed again: here it fails on the broken ETDumps,
        // and the folder is reported and left out, not silently merged with old numbers
        ObjectNode m = (ObjectNode) Kit.readJson(m1.resolve("manifest.json"));
        m.put("generated_at", "2026-11-03T00:00:00Z");
        Kit.writeJson(m1.resolve("manifest.json"), m);
        TestKit.Run stale = compare(m1.toString(), "--out", out.toString(), "--json");
        assertEquals(0, stale.code(), stale.toString());
        assertTrue(stale.err().contains("analysing " + m1 + " (summary made for the manifest of 2026-11-01T02:17:00Z, the manifest is of 2026-11-03T00:00:00Z)"), stale.err());
        JsonNode j = Kit.JSON.readTree(stale.out());
        assertTrue(j.get("problems").get(0).get("problem").asText().startsWith("AnalyzeResults failed: error: "), j.toString());
        List<Map<String, String>> rows = csv(out.resolve("fleet.csv"));
        assertTrue(rows.stream().allMatch(x -> x.get("status").equals("unanalysed") && x.get("median_ms").isEmpty()), rows.toString());
    }

    // ------------------------------------------------------------------ the gate

    @Test
    void theGateFailsOnATenPercentRegressionAndPassesASubNoiseChange() throws Exception {
        Path base = macRun("base", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z");
        Path slow = macRun("slow", 1.10, "Apple M4 Pro", "bbbb2222", "2026-11-02T02:17:00Z");
        Path same = macRun("same", 1.01, "Apple M4 Pro", "cccc3333", "2026-11-03T02:17:00Z");
        Path summary = tmp.resolve("step-summary.md");

        TestKit.Run bad = compare("--baseline", base.toString(), "--candidate", slow.toString(), "--out", tmp.resolve("gate1").toString(),
                "--summary-md", summary.toString());
        assertEquals(1, bad.code(), bad.toString());
        for (String[] et : new String[][]{{"mac_sme2_on", "1"}, {"mac_sme2_on", "2"}, {"mac_sme2_off", "1"}}) {
            int t = Integer.parseInt(et[1]);
            double b = median(latencies(base, et[0], t)), c = median(latencies(slow, et[0], t));
            String line = String.format(Locale.ROOT, "%.3f → %.3f ms (%+.1f%%, speedup %.3fx", b, c, (c - b) / b * 100, b / c);
            assertTrue(bad.err().contains("[fail] mnv1_xnnpack fp32 on host:") && bad.err().contains(line), line + "\n" + bad.err());
            assertEquals(10.0, (c - b) / b * 100, 0.5, "the fake runner is 10% slower");
        }
        assertTrue(bad.err().contains("REGRESSION: slower by more than 5% and the CI excludes 1"), bad.err());
        assertTrue(bad.err().contains("[fail] gate: 3 of 3 row(s) regressed or failed (threshold 5%)"), bad.err());
        String md = Files.readString(tmp.resolve("gate1/gate.md"));
        assertTrue(md.startsWith("## Performance gate: FAIL (3 regressed or failed)\n"), md);
        assertTrue(md.contains("| **REGRESSION** | mnv1_xnnpack fp32 | host:"), md);
        assertEquals(md + "\n", Files.readString(summary), "--summary-md appends the same markdown");
        JsonNode gate = Kit.readJson(tmp.resolve("gate1/gate.json"));
        assertEquals("fail", gate.get("gate").asText());
        assertEquals(3, gate.get("verdicts").size());

        TestKit.Run ok = compare("--baseline", base.toString(), "--candidate", same.toString(), "--out", tmp.resolve("gate2").toString());
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.err().contains("[ok]   gate: no regression in 3 row(s) (threshold 5%, 95% CI)"), ok.err());
        assertFalse(ok.err().contains("[fail]"), ok.err());
        // the lines the Learning Path page shows (content/12-team-scale-profiling.md)
        assertTrue(bad.err().contains("[fail] mnv1_xnnpack fp32 on host:Darwin/arm64/Apple M4 Pro, host-sme2-off t1: 1.890 → 2.077 ms (+9.9%, speedup 0.910x, "
                + "95% CI 0.900–0.919): REGRESSION: slower by more than 5% and the CI excludes 1\n"), bad.err());
        assertTrue(ok.err().contains("host-sme2-off t1: 1.890 → 1.906 ms (+0.9%, speedup 0.991x, 95% CI 0.978–1.002): ok: within noise (the CI includes 1)\n"), ok.err());

        // a higher threshold lets the 10% through: the threshold is the second half of the rule
        TestKit.Run lenient = compare("--baseline", base.toString(), "--candidate", slow.toString(), "--threshold", "15", "--out", tmp.resolve("gate3").toString());
        assertEquals(0, lenient.code(), lenient.toString());
        assertTrue(lenient.err().contains("ok: the CI excludes 1 but the change is within ±15%"), lenient.err());
    }

    /** The rule alone: CI excludes 1 AND the change exceeds the threshold, in both directions. */
    @Test
    void theNoiseRuleNeedsBothTheCiAndTheThreshold() {
        AnalyzeResults.Interval slower = new AnalyzeResults.Interval(0.88, 0.92), includes = new AnalyzeResults.Interval(0.85, 1.02);
        assertEquals("regression", CompareRuns.noiseRule(1.0, 1.10, slower, 5));
        assertEquals("below threshold", CompareRuns.noiseRule(1.0, 1.10, slower, 12));
        assertEquals("within noise", CompareRuns.noiseRule(1.0, 1.10, includes, 5));
        assertEquals("within noise", CompareRuns.noiseRule(1.0, 1.10, null, 5));
        assertEquals("improvement", CompareRuns.noiseRule(1.0, 0.8, new AnalyzeResults.Interval(1.2, 1.3), 5));
    }

    @Test
    void incompatibleModelsAreNeverComparedAndTheReportSaysWhy() throws Exception {
        Path base = macRun("base", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z");
        Path other = macRun("other", 1.5, "Apple M4 Pro", "bbbb2222", "2026-11-02T02:17:00Z");
        ObjectNode m = (ObjectNode) Kit.readJson(other.resolve("manifest.json"));
        m.put("model_sha256", "f".repeat(64));   // the same name, another model file
        Kit.writeJson(other.resolve("manifest.json"), m);
        TestKit.Run r = compare("--baseline", base.toString(), "--candidate", other.toString(), "--out", tmp.resolve("g").toString());
        assertEquals(0, r.code(), "a 50% slower but different model is not a regression: " + r);
        String sha = Kit.sha256(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        assertTrue(r.err().contains("[warn] mnv1_xnnpack fp32 on host:") && r.err().contains(
                ": not compared: different model files (sha256 " + sha.substring(0, 12) + " vs ffffffffffff)"), r.err());
        String html = Files.readString(tmp.resolve("g/fleet-report.html"));
        assertTrue(html.contains("<h2>Not compared</h2>") && html.contains("<b>mnv1_xnnpack</b>: 2 groups are shown apart and never compared: different model files"), html);

        // a different dtype of the same model name: named, never compared
        m.put("model_sha256", sha);
        m.put("model", m.get("model").asText().replace("fp32", "fp16"));
        Kit.writeJson(other.resolve("manifest.json"), m);
        TestKit.Run d = compare("--baseline", base.toString(), "--candidate", other.toString(), "--out", tmp.resolve("g").toString());
        assertEquals(0, d.code(), d.toString());
        assertTrue(d.err().contains(": not compared: different dtypes ([fp32] vs [fp16])"), d.err());
    }

    /** The run folder of macRun with another dtype of the same model name (its own model file). */
    Path asFp16(Path run) throws Exception {
        ObjectNode m = (ObjectNode) Kit.readJson(run.resolve("manifest.json"));
        m.put("model", m.get("model").asText().replace("fp32", "fp16"));
        m.put("model_sha256", "e".repeat(64));
        Kit.writeJson(run.resolve("manifest.json"), m);
        return run;
    }

    /** Both sides hold fp32 and fp16 folders of one model name: each dtype is judged on its own, never pooled with the other. */
    @Test
    void twoDtypesOfOneModelOnBothSidesAreJudgedApart() throws Exception {
        Path b32 = macRun("b32", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z");
        Path b16 = asFp16(macRun("b16", 0.5, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:18:00Z"));
        Path c32 = macRun("c32", 1.0, "Apple M4 Pro", "bbbb2222", "2026-11-02T02:17:00Z");
        Path c16 = asFp16(macRun("c16", 0.65, "Apple M4 Pro", "bbbb2222", "2026-11-02T02:18:00Z"));
        TestKit.Run r = compare("--baseline", b32.toString(), b16.toString(), "--candidate", c32.toString(), c16.toString(),
                "--out", tmp.resolve("g").toString());
        assertEquals(1, r.code(), r.toString());
        JsonNode verdicts = Kit.readJson(tmp.resolve("g/gate.json")).get("verdicts");
        assertEquals(6, verdicts.size(), "3 rows per dtype: " + verdicts);
        for (String[] et : new String[][]{{"mac_sme2_on", "1"}, {"mac_sme2_on", "2"}, {"mac_sme2_off", "1"}}) {
            int t = Integer.parseInt(et[1]);
            for (Path[] bc : new Path[][]{{b32, c32}, {b16, c16}}) {
                double b = median(latencies(bc[0], et[0], t)), c = median(latencies(bc[1], et[0], t));
                String dtype = bc[0] == b32 ? "fp32" : "fp16";
                JsonNode v = null;
                for (JsonNode x : verdicts)
                    if (x.get("dtype").asText().equals(dtype) && x.get("threads").asInt() == t
                            && x.get("variant").asText().equals(et[0].equals("mac_sme2_on") ? "host-sme2-on" : "host-sme2-off")) v = x;
                assertNotNull(v, dtype + " " + et[0] + " t" + t + ": " + verdicts);
                assertEquals(b, v.get("baseline_median_ms").asDouble(), 1e-9, v.toString());
                assertEquals(c, v.get("candidate_median_ms").asDouble(), 1e-9, v.toString());
                assertEquals(dtype.equals("fp16") ? "regression" : "within noise", v.get("outcome").asText(), v.toString());
            }
        }
    }

    @Test
    void aCandidateExperimentThatFailedWhereTheBaselineRanFailsTheGate() throws Exception {
        Path base = macRun("base", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z");
        Path cand = macRun("cand", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-02T02:17:00Z");
        ObjectNode m = (ObjectNode) Kit.readJson(cand.resolve("manifest.json"));
        for (JsonNode r : m.get("results"))
            if (r.get("experiment").asText().equals("mac_sme2_off")) ((ObjectNode) r).put("status", "failed").put("reason", "runner exited 139 (crash)");
        m.put("status", "failed");
        Kit.writeJson(cand.resolve("manifest.json"), m);
        TestKit.Run r = compare("--baseline", base.toString(), "--candidate", cand.toString(), "--out", tmp.resolve("g").toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains(", host-sme2-off t1: the candidate failed (runner exited 139 (crash)) where the baseline ran: FAILED"), r.err());
        assertTrue(r.err().contains("[fail] gate: 1 of 3 row(s) regressed or failed"), r.err());
    }

    /** Two candidate folders of one device (two phones of one model, as the template's matrix has): one failing is not hidden by the other. */
    @Test
    void aFailureOnOneOfTwoCandidateFoldersOfOneDeviceFailsTheGate() throws Exception {
        Path base = macRun("base", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-01T02:17:00Z");
        Path c1 = macRun("c1", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-02T02:17:00Z");
        Path c2 = macRun("c2", 1.0, "Apple M4 Pro", "aaaa1111", "2026-11-02T02:18:00Z");
        ObjectNode m = (ObjectNode) Kit.readJson(c2.resolve("manifest.json"));
        for (JsonNode r : m.get("results"))
            if (r.get("experiment").asText().equals("mac_sme2_off")) ((ObjectNode) r).put("status", "failed").put("reason", "runner exited 139 (crash)");
        m.put("status", "failed");
        Kit.writeJson(c2.resolve("manifest.json"), m);
        TestKit.Run r = compare("--baseline", base.toString(), "--candidate", c1.toString(), c2.toString(), "--out", tmp.resolve("g").toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains(", host-sme2-off t1: the candidate failed (runner exited 139 (crash)) in 1 of 2 run folders where the baseline ran: FAILED"), r.err());
        assertTrue(r.err().contains("[fail] gate: 1 of 3 row(s) regressed or failed"), r.err());
    }

    // ------------------------------------------------------------------ paths, discovery, command line

    @Test
    void pathsStayInsideTheRunFolder() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        assertEquals(run.resolve("a/b"), Kit.inside(run, "a/b").path());
        assertNull(Kit.inside(run, "../elsewhere/x").path());
        assertNull(Kit.inside(run, "a/../../elsewhere").path());
        assertNull(Kit.inside(run, outside.toString()).path());
        assertNull(Kit.inside(run, "a\0b").path());
        Files.createSymbolicLink(run.resolve("analysis"), outside);
        assertNull(Kit.inside(run, "analysis/analysis_summary.json").path(), "a symbolic link out of the folder");

        // a run folder whose analysis/ leads elsewhere: reported, its summary never read, nothing written there
        Files.writeString(run.resolve("manifest.json"), "{\"schema_version\": 1, \"generated_at\": \"2026-11-01T00:00:00Z\", \"status\": \"ok\", \"results\": []}");
        TestKit.Run r = compare(run.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("analysis/ leads outside the run folder (a symbolic link): not read"), r.err());
        try (Stream<Path> s = Files.list(outside)) { assertEquals(0, s.count()); }
    }

    @Test
    void globsFoldersOfArtifactsAndUsageErrors() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("art/run-mac-1/runs/20261101-021700-m"));
        Path b = Files.createDirectories(tmp.resolve("art/run-android/runs/20261101-021700-m"));
        for (Path p : List.of(a, b))
            Files.writeString(p.resolve("manifest.json"), "{\"schema_version\": 1, \"generated_at\": \"2026-11-01T00:00:00Z\", \"status\": \"ok\", \"results\": []}");
        assertEquals(List.of(b, a), CompareRuns.discover(List.of(tmp.resolve("art").toString()), "RUN"));
        assertEquals(List.of(a), CompareRuns.discover(List.of(tmp.resolve("art").toString() + "/run-mac-*"), "RUN"));
        assertEquals(List.of(b), CompareRuns.discover(List.of(tmp.resolve("art").toString() + "/run-android/runs/*", b.toString()), "RUN"), "each folder once");

        TestKit.Run dry = compare(tmp.resolve("art").toString(), "--dry-run", "--out", tmp.resolve("o").toString());
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().contains("# would write fleet.csv, fleet.jsonl, fleet-report.html into " + tmp.resolve("o")), dry.out());
        assertFalse(Files.exists(tmp.resolve("o")), "a dry run writes nothing");

        TestKit.Run none = compare(tmp.resolve("nothing-here").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("error: RUN " + tmp.resolve("nothing-here") + ": no run folder (a folder holding manifest.json) found there\nfix: "), none.err());
        TestKit.Run half = compare("--baseline", a.toString());
        assertEquals(2, half.code());
        assertTrue(half.err().contains("error: the gate needs both --baseline and --candidate"), half.err());
        assertEquals(2, compare().code());
        TestKit.Run both = compare("--baseline", a.toString(), "--candidate", a.toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("is named by both --baseline and --candidate"), both.err());
        assertEquals(2, compare(a.toString(), "--threshold", "-1").code());
    }

    /** A folder the user names through a symbolic link (runs/latest, a mounted artifacts folder) is read; links inside are not followed. */
    @Test
    void aRunFolderOrArtifactsFolderNamedThroughALinkIsFound() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("art/run-mac-1/runs/20261101-021700-m"));
        Files.writeString(a.resolve("manifest.json"), "{\"schema_version\": 1, \"generated_at\": \"2026-11-01T00:00:00Z\", \"status\": \"ok\", \"results\": []}");
        Path latest = Files.createSymbolicLink(tmp.resolve("latest"), a), mounted = Files.createSymbolicLink(tmp.resolve("mounted"), tmp.resolve("art"));
        assertEquals(List.of(a.toRealPath()), CompareRuns.discover(List.of(latest.toString()), "RUN"));
        assertEquals(List.of(a.toRealPath()), CompareRuns.discover(List.of(mounted.toString()), "RUN"));
        Files.createSymbolicLink(tmp.resolve("art/run-mac-1/runs/linked"), a);
        assertEquals(List.of(a.toRealPath()), CompareRuns.discover(List.of(mounted.toString()), "RUN"), "a link inside is not followed");
    }

    @Test
    void theFleetBenchmarkStillCompiles() {
        // test-cases/CompareBenchmark.java is run by hand (README); it is not part of the suite's compilation.
        TestKit.Run r = TestKit.jbang(TestKit.repo(), Map.of(), "build", "test-cases/CompareBenchmark.java");
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void theMedianIntervalUsesBinomialRanks() {
        double[] x = new double[20];
        for (int i = 0; i < 20; i++) x[i] = 20 - i;
        assertArrayEquals(new double[]{6, 15}, CompareRuns.medianCi(x));
        double[] ten = Arrays.copyOf(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10);
        assertArrayEquals(new double[]{2, 9}, CompareRuns.medianCi(ten), "n = 10: ranks 2 and 9");
        assertNull(CompareRuns.medianCi(new double[]{1, 2, 3, 4, 5}));
    }
}
