import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Numbers a performance engineer can trust, on the real runner fixtures: steady state by default (the in-process
 * warm-up the manifest records is left out), the cold start reported apart, differences judged by the noise rule,
 * kernel evidence worded as selection per thread count, and the program view's counts named as such.
 */
class SteadyStateTest {
    @TempDir Path tmp;

    static JsonNode analyse(String... args) throws Exception {
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, args));
        assertEquals(0, r.code(), r.toString());
        return Kit.JSON.readTree(r.out());
    }

    static JsonNode exp(JsonNode summary, String label) {
        for (JsonNode e : summary.get("experiments")) if (e.get("label").asText().equals(label)) return e;
        throw new AssertionError("no experiment " + label);
    }

    static List<Double> doubles(JsonNode a) { return TestKit.doubles(a); }

    /** The real 25-execution process (5 warm-up + 20), its Method::execute per execution, read independently by Kit. */
    static List<Double> w5(int threads) { return Kit.etdumpRuns(TestKit.shipped("runner-mnv1/mnv1-w5-t" + threads + ".etdump")).executeMs(); }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    static double cv(List<Double> v) {
        double m = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
        return 100 * Math.sqrt(ss / (v.size() - 1)) / m;
    }

    // ------------------------------------------------------------------------------------------------ steady state by default

    @Test
    void theDemoRunIsAnalysedInSteadyStateWithTheColdStartApart() throws Exception {
        Path demo = TestKit.shipped("demo-run");
        JsonNode s = analyse("--run-dir", demo.toString(), "--out", tmp.resolve("a").toString(), "--json");
        assertEquals(2, s.get("schema_version").asInt());
        assertTrue(s.get("options").get("skip_runs").isNull(), "no --skip-runs: each experiment skips what its manifest recorded");
        for (int t : List.of(1, 2)) {
            List<Double> all = w5(t), steady = all.subList(5, 25);
            JsonNode e = exp(s, "host_fp32/t" + t);
            assertEquals(25, e.get("runs_total").asInt());
            assertEquals(5, e.get("warmup_in_process").asInt());
            assertEquals(5, e.get("warmup_skipped").asInt());
            assertEquals(steady, doubles(e.get("latency_ms")), "steady-state executions only");
            assertEquals(20, e.get("e2e_ms").get("n").asInt());
            assertEquals(median(steady), e.get("e2e_ms").get("median").asDouble(), 1e-12);
            assertEquals(cv(steady), e.get("e2e_ms").get("cv_percent").asDouble(), 1e-9);
            assertTrue(e.get("e2e_ms").get("cv_percent").asDouble() < 5, "steady state: " + e.get("e2e_ms"));
            JsonNode c = e.get("cold_start");
            assertEquals(all.get(0), c.get("first_execution_ms").asDouble(), 0, "the cold start is the first execution");
            assertEquals(all.subList(0, 5), doubles(c.get("warmup_ms")));
            assertEquals(all.get(0) / median(steady), c.get("first_vs_steady_median").asDouble(), 1e-12);
            assertFalse(c.get("first_in_statistics").asBoolean());
            assertTrue(c.get("method_init_inside_load_method").asBoolean(), "the runtime records Method::init inside Program::load_method");
            assertTrue(c.get("load_method_ms").asDouble() > c.get("method_init_ms").asDouble());
            assertEquals(c.get("load_method_ms").asDouble(), c.get("load_ms").asDouble(), 0, "nested: the load is Program::load_method, not the sum");
        }
        assertEquals(7.850152, exp(s, "host_fp32/t1").get("cold_start").get("first_execution_ms").asDouble(), 0);
        assertTrue(exp(s, "host_fp32/t1").get("cold_start").get("first_vs_steady_median").asDouble() > 2, "the cold start is visible");
        assertTrue(s.get("cold_start_rerun").isNull(), "no cold execution inside the timing statistics");
        for (JsonNode e : s.get("experiments"))
            if (e.get("mode").asText().equals("timing"))
                assertTrue(e.get("warnings").toString().indexOf("first counted execution") < 0, e.get("warnings").toString());

        String csv = Files.readString(tmp.resolve("a/cold_start.csv"));
        assertTrue(csv.startsWith("experiment,threads,first_execution_ms,load_ms,load_method_ms,method_init_ms,warmup_skipped,warmup_ms,"
                + "steady_median_ms,first_vs_steady_median\nhost_fp32/t1,1,7.850152,"), csv);
        // the kernel-logging runs count their first execution: the steady median is that of the executions after it,
        // the same one first_vs_steady_median divides by (manifest latencies: 5.263933, 2.394967, 2.628787)
        String xnnlog = csv.lines().filter(l -> l.startsWith("host_fp32_xnnlog/t1,")).findFirst().orElseThrow();
        String[] cells = xnnlog.split(",");
        double steadyT1 = (2.394967 + 2.628787) / 2;
        assertEquals(steadyT1, Double.parseDouble(cells[8]), 1e-12, xnnlog);
        assertEquals(5.263933 / steadyT1, Double.parseDouble(cells[9]), 1e-12, xnnlog);
        String md = Files.readString(tmp.resolve("a/report.md"));
        assertTrue(md.contains("## Cold start"), md);
        assertTrue(md.contains("| host_fp32/t1 | 7.850 | "), md);
        assertTrue(md.contains("These are steady-state figures: the first 5 executions of each timed process (in-process warm-up) are "
                + "left out and reported as the cold start (first execution 7.85 ms in host_fp32/t1 (1 thread), 2.03x its steady median"), md);
        assertTrue(Files.readString(tmp.resolve("a/report.html")).contains("Cold start"));
    }

    @Test
    void skipRunsStillOverridesAndTheConsoleShowsTheColdStart() throws Exception {
        Path demo = TestKit.shipped("demo-run");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", demo.toString(), "--out", tmp.resolve("b").toString(), "--skip-runs", "0"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("host_fp32/t1\n  25 runs (of 25): median "), r.out());
        assertTrue(r.out().contains("  cold start: first execution 7.850 ms (2.03x the steady median), load "), r.out());
        assertTrue(r.out().contains("; no execution left out of the statistics\n"), r.out());
        JsonNode s = Kit.readJson(tmp.resolve("b/analysis_summary.json"));
        assertEquals(0, s.get("options").get("skip_runs").asInt());
        assertEquals(w5(1), doubles(exp(s, "host_fp32/t1").get("latency_ms")));
        assertEquals(cv(w5(1)), exp(s, "host_fp32/t1").get("e2e_ms").get("cv_percent").asDouble(), 1e-9);

        TestKit.Run def = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", demo.toString(), "--out", tmp.resolve("c").toString()));
        assertTrue(def.out().contains("host_fp32/t1\n  20 runs (of 25): median "), def.out());
        assertTrue(def.out().contains("; 5 warm-up execution(s) left out of the statistics\n"), def.out());
    }

    @Test
    void aRunFolderWithoutWarmupInProcessIsReadAsBefore() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.good(tmp);
        JsonNode s = analyse("--run-dir", f.dir.toString(), "--json");
        JsonNode e = exp(s, "mnv1/t1");
        assertTrue(e.get("warmup_in_process").isNull());
        assertEquals(0, e.get("warmup_skipped").asInt());
        assertEquals(f.latencies(0), doubles(e.get("latency_ms")), "every execution, as before the in-process warm-up");
        assertTrue(e.get("cold_start").get("first_in_statistics").asBoolean());
    }

    @Test
    void aManifestWarmupThatLeavesNothingIsNamedAsTheManifestsNotAsSkipRuns() throws Exception {
        // The manifest records 3 in-process warm-up executions for the kernel-logging runs, whose ETDumps hold only 3:
        // the user passed no --skip-runs, so the error must name the manifest's field and say how to override it.
        Path copy = tmp.resolve("w");
        copyTree(TestKit.shipped("demo-run"), copy);
        ObjectNode m = (ObjectNode) Kit.readJson(copy.resolve("manifest.json"));
        for (JsonNode r : m.get("results"))
            if ("xnntrace".equals(r.get("mode").asText())) ((ObjectNode) r.get("metrics")).put("warmup_in_process", 3);
        Kit.writeJson(copy.resolve("manifest.json"), m);
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", copy.toString(), "--out", tmp.resolve("wo").toString()));
        assertEquals(2, r.code(), r.toString());
        assertFalse(r.err().contains("--skip-runs 3 drops"), "no --skip-runs was given: " + r.err());
        assertTrue(r.err().contains(copy.resolve("manifest.json") + ": warmup_in_process 3 of host_fp32_xnnlog/t1 drops all 3 executions of "
                + copy.resolve("host_fp32_xnnlog/t1/run.etdump")), r.err());
        assertTrue(r.err().contains("pass --skip-runs (at most 2) to override the manifest, or re-run the pipeline"), r.err());
        // an explicit --skip-runs still overrides the manifest
        TestKit.Run ok = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", copy.toString(), "--out", tmp.resolve("wo2").toString(),
                "--skip-runs", "1"));
        assertEquals(0, ok.code(), ok.toString());
    }

    @Test
    void aBareEtdumpKeepsEveryExecutionAndTheFindingGivesTheExactRerunCommand() throws Exception {
        Path dump = TestKit.shipped("runner-mnv1/mnv1-w5-t2.etdump"), out = tmp.resolve("bare");
        JsonNode s = analyse("--etdump", dump.toString(), "--out", out.toString(), "--json");
        JsonNode e = s.get("experiments").get(0);
        assertEquals(0, e.get("warmup_skipped").asInt());
        assertEquals(w5(2), doubles(e.get("latency_ms")));
        assertTrue(e.get("cold_start").get("first_in_statistics").asBoolean());
        String rerun = "jbang scripts/AnalyzeResults.java --etdump " + dump + " --out " + out + " --json --skip-runs 1";
        assertEquals(rerun, s.get("cold_start_rerun").asText());
        JsonNode noise = null;
        for (JsonNode i : s.get("insights")) if (i.get("title").asText().startsWith("Noise warnings")) noise = i;
        assertNotNull(noise, s.get("insights").toString());
        String text = noise.get("text").asText();
        assertTrue(text.startsWith("Noise checks: the first execution of mnv1-w5-t2 (7.95 ms, 4.00x the median of the others) is a cold start "
                + "counted in its statistics;"), text);
        assertTrue(text.contains("Leave the cold start out of the statistics: " + rerun + " (the pipelines warm up inside the timed process"), text);
        assertFalse(text.contains("use at least 10 runs after a warm-up"), "no generic advice: " + text);

        JsonNode again = analyse("--etdump", dump.toString(), "--out", out.toString(), "--json", "--skip-runs", "1");
        assertTrue(again.get("cold_start_rerun").isNull());
        assertEquals(w5(2).subList(1, 25), doubles(again.get("experiments").get(0).get("latency_ms")));
    }

    // ------------------------------------------------------------------------------------------------ the noise rule

    @Test
    void theNoiseRuleNeedsACiThatExcludesOneAndAChangeAboveTheFloor() {
        AnalyzeResults.Interval above = new AnalyzeResults.Interval(1.2, 1.5), below = new AnalyzeResults.Interval(0.6, 0.9),
                across = new AnalyzeResults.Interval(0.95, 1.1);
        assertEquals(0.010, AnalyzeResults.noiseFloorMs(0.5), 0, "10 µs below 1 ms");
        assertEquals(0.04, AnalyzeResults.noiseFloorMs(4.0), 1e-15, "1% above it");
        assertEquals("faster", AnalyzeResults.judgeChange(2.0, 1.5, above));
        assertEquals("slower", AnalyzeResults.judgeChange(1.5, 2.0, below));
        assertEquals("no measurable change", AnalyzeResults.judgeChange(2.0, 1.5, across), "the CI includes 1");
        assertEquals("no measurable change", AnalyzeResults.judgeChange(0.001, 0.003, below), "POOL_REDUCE-sized: 2 µs is below the floor");
        assertEquals("no measurable change", AnalyzeResults.judgeChange(4.0, 3.97, above), "0.03 ms is below 1% of 4 ms");
        assertEquals("no measurable change", AnalyzeResults.judgeChange(2.0, 1.0, null), "no interval, no verdict");
        assertEquals("no measurable change", AnalyzeResults.judgeChange(Double.NaN, 1.0, above));
    }

    @Test
    void operatorDeltasGetIntervalsAndTheRule() {
        // GEMM 300 → 100 µs and Add 40 → 50 µs in every one of 3 runs (the hand-worked pair of AnalyzeResultsTest)
        AnalyzeResults.Comparison c = AnalyzeResults.compare("x", "base", gemmAndAdd("base", 300, 40), "cand", gemmAndAdd("cand", 100, 50));
        AnalyzeResults.OpDelta g = c.operatorDeltas().get(0), a = c.operatorDeltas().get(1);
        assertEquals("faster", g.judgement().change());
        assertEquals(3.0, g.judgement().ci().low(), 1e-12, "identical runs: a point interval at 0.300 / 0.100");
        assertEquals(0.8, a.judgement().ci().high(), 1e-12);
        assertEquals("no measurable change", a.judgement().change(), "+10 µs is not above the 10 µs floor, though the CI excludes 1");
        assertEquals("faster", c.e2e().change());
        int elementwise = AnalyzeResults.CATEGORIES.indexOf("ELEMENTWISE");
        assertEquals("no measurable change", c.categoryJudgements()[elementwise].change());
    }

    static AnalyzeResults.Analysis gemmAndAdd(String name, int gemmUs, int addUs) {
        var ops = List.of(new EtdumpWriter.XnnOp("Fully Connected (NC, F32) GEMM", gemmUs), new EtdumpWriter.XnnOp("Add (ND)", addUs));
        return AnalyzeResults.analyse(AnalyzeResults.parseEtdump(name, EtdumpWriter.delegatedModel(ops, 3, null).finish()), null, null, 0);
    }

    @Test
    void theDemoComparisonCallsNothingInsideTheNoiseFasterOrSlower() throws Exception {
        Path out = tmp.resolve("d");
        JsonNode s = analyse("--run-dir", TestKit.shipped("demo-run").toString(), "--out", out.toString(), "--json");
        JsonNode c = s.get("comparisons").get(0);
        assertEquals("faster", c.get("change").asText());
        assertFalse(c.get("within_noise").asBoolean());
        List<String> checked = new ArrayList<>();
        c.get("category_changes").properties().forEach(f -> {
            JsonNode j = f.getValue();
            double delta = c.get("category_delta_ms").get(f.getKey()).asDouble();
            if (!j.get("change").asText().equals("no measurable change")) {
                assertTrue(Math.abs(delta) > j.get("noise_floor_ms").asDouble(), f.getKey());
                assertTrue(j.get("ci95_low").asDouble() > 1 || j.get("ci95_high").asDouble() < 1, f.getKey());
            }
            checked.add(f.getKey() + ":" + j.get("change").asText());
        });
        assertTrue(checked.contains("POOL_REDUCE:no measurable change"), checked.toString());
        // POOL_REDUCE's per-run times are whole microseconds: resamples of equal means give the ratio 1 exactly (numpy: 1.0),
        // so its interval touches 1 and must not read as excluding it through rounding (1.0000000000015)
        assertEquals(1.0, c.get("category_changes").get("POOL_REDUCE").get("ci95_low").asDouble(), 0, c.get("category_changes").toString());
        assertTrue(checked.contains("GEMM:faster"), checked.toString());
        for (JsonNode d : c.get("operator_deltas"))
            if (!d.get("change").asText().equals("no measurable change"))
                assertTrue(Math.abs(d.get("delta_ms").asDouble()) > d.get("noise_floor_ms").asDouble(), d.toString());
        JsonNode mean = null;
        for (JsonNode d : c.get("operator_deltas")) if (d.get("name").asText().equals("Mean (ND) Reduce2")) mean = d;
        assertEquals("no measurable change", mean.get("change").asText());
        String svg = Files.readString(out.resolve("comparison.svg"));
        int pool = svg.indexOf(">POOL_REDUCE<");
        assertTrue(pool > 0, svg);
        String row = svg.substring(pool, svg.indexOf(">DELEGATE_OVERHEAD<"));
        assertTrue(row.contains("within noise"), "the sub-noise bar is marked as such: " + row);
        assertFalse(row.contains("x faster") || row.contains("x slower"), row);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| POOL_REDUCE | 0.002 | 0.002 | 0.000 | "), md);
        assertTrue(md.contains(" | no measurable change | "), md);
        String csv = Files.readString(out.resolve("comparison.csv"));
        assertTrue(csv.lines().anyMatch(l -> l.contains(",category,POOL_REDUCE,POOL_REDUCE,") && l.contains(",true,") && l.contains(",no measurable change,")), csv);
    }

    // ------------------------------------------------------------------------------------------------ kernel evidence and program view

    @Test
    void kernelEvidenceIsSelectionPerThreadCountAndABorrowedLogSaysFromWhere() throws Exception {
        JsonNode s = analyse("--run-dir", TestKit.shipped("demo-run").toString(), "--out", tmp.resolve("k").toString(), "--json");
        assertEquals("host_fp32_xnnlog/t1", exp(s, "host_fp32/t1").get("kernel_log_from").asText());
        assertEquals("host_fp32_xnnlog/t2", exp(s, "host_fp32/t2").get("kernel_log_from").asText(), "the log of the same thread count");
        assertTrue(exp(s, "host_fp32/t2").get("sme2_evidence_detail").asText().startsWith(
                "SME2 microkernels selected (kernel log): no (log borrowed from the kernel-logging run host_fp32_xnnlog/t2): none of 32"));
        String md = Files.readString(tmp.resolve("k/report.md"));
        assertFalse(java.util.regex.Pattern.compile("(?i)\\bprove[ns]?\\b").matcher(md).find(), "a kernel log shows selection, not execution");
        assertTrue(md.contains("**SME2 microkernels selected (kernel log):** no"), md);

        // The 2-thread kernel log missing: the 2-thread experiment borrows the 1-thread log, and says so.
        Path copy = tmp.resolve("demo");
        copyTree(TestKit.shipped("demo-run"), copy);
        for (String f : List.of("manifest.json", "metrics.json")) {
            ObjectNode m = (ObjectNode) Kit.readJson(copy.resolve(f));
            ArrayNode results = (ArrayNode) m.get("results");
            results.remove(3);
            Kit.writeJson(copy.resolve(f), m);
        }
        JsonNode b = analyse("--run-dir", copy.toString(), "--out", tmp.resolve("k2").toString(), "--json");
        JsonNode t2 = exp(b, "host_fp32/t2");
        assertEquals("host_fp32_xnnlog/t1", t2.get("kernel_log_from").asText());
        assertEquals("SME2 microkernels selected (kernel log): no (log borrowed from the kernel-logging run host_fp32_xnnlog/t1, which ran "
                + "at 1 thread, not 2: XNNPACK may select other microkernels at other thread counts): none of 32 microkernels is __neonsme2 "
                + "(ISAs: scalar 8, sse 2, sse2 3, ssse3 1, avx 2, avx2 2, avx512f 14)", t2.get("sme2_evidence_detail").asText());
        String finding = null;
        for (JsonNode i : b.get("insights")) if (i.get("title").asText().startsWith("SME2 microkernels selected")) finding = i.get("text").asText();
        assertNotNull(finding);
        assertTrue(finding.contains("Host_fp32/t2 (2 threads) borrows the log of host_fp32_xnnlog/t1, which ran at another thread count"), finding);
        // the per-operator attribution made from that log says so too, where its kernels and tiles are listed
        String md2 = Files.readString(tmp.resolve("k2/report.md"));
        assertTrue(md2.contains("(from host_fp32_xnnlog/t1, which ran at 1 thread, not 2: XNNPACK may select other microkernels and tiles "
                + "at other thread counts)"), md2);
        assertTrue(md2.contains("(from host_fp32_xnnlog/t1); "), "the 1-thread experiment borrows its own thread count's log: " + md2);
    }

    @Test
    void theProgramViewNamesTypesInstancesAndDelegateCalls() throws Exception {
        JsonNode s = analyse("--run-dir", TestKit.shipped("demo-run").toString(), "--out", tmp.resolve("p").toString(), "--json");
        JsonNode p = exp(s, "host_fp32/t1").get("program");
        assertEquals(6, p.get("operator_types").asInt());
        assertEquals(32.0, p.get("operator_instances").asDouble(), 0, "32 XNNPACK operators per execution (PROVENANCE)");
        assertEquals(1, p.get("delegate_calls").asInt());
        String md = Files.readString(tmp.resolve("p/report.md"));
        assertTrue(md.contains("6 operator types (32 operator instances per execution) in 1 XNNPACK delegate call"), md);
        assertTrue(md.contains("| Experiment | Operator types | Operator instances | Delegate calls |"), md);
    }

    @Test
    void aKernelLoggingExperimentWithoutThreadsRunsAtEveryTimedThreadCount() throws Exception {
        Path cfg = tmp.resolve("c.json");
        Files.writeString(cfg, "{\"model\": \"m.pte\", \"output_root\": \"out\", \"experiments\": ["
                + "{\"name\": \"on\", \"runner_path\": \"r\", \"threads\": [4, 1]},"
                + "{\"name\": \"on_xnnlog\", \"runner_path\": \"r\", \"mode\": \"xnntrace\"},"
                + "{\"name\": \"pinned_xnnlog\", \"runner_path\": \"r\", \"mode\": \"xnntrace\", \"threads\": [2]}]}");
        Kit.Config c = Kit.loadConfig(cfg);
        assertEquals(List.of(1, 4), c.experiment("on_xnnlog").threads(), "a kernel log per timed thread count");
        assertEquals(List.of(2), c.experiment("pinned_xnnlog").threads(), "\"threads\" overrides it");
        assertEquals(List.of(4, 1), c.experiment("on").threads());
        assertEquals("[1,4]", Kit.Pipeline.resolvedConfig(c).get("experiments").get(1).get("threads").toString(), "the resolved config records it");
        assertEquals(List.of("on t4", "on t1", "on_xnnlog t1", "on_xnnlog t4", "pinned_xnnlog t2"),
                Kit.Pipeline.steps(c.experiments()).stream().map(Kit.Step::label).toList());
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var w = Files.walk(from)) {
            for (Path p : w.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        // the model the manifest names relatively (../pte/…) must stay reachable from the copy
        Path pte = to.resolveSibling("pte");
        Files.createDirectories(pte);
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), pte.resolve("mobilenet-v1-like-xnnpack-fp32.pte"));
    }
}
