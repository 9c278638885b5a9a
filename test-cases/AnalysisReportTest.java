import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report renderer: insights computed from the numbers, report.md / report.html, the SVG charts. */
class AnalysisReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CATS = AnalyzeResults.CATEGORIES;

    @TempDir Path tmp;

    // ------------------------------------------------------------------ summaries built for the tests

    /** Category ms in contract order: 9 operator categories, then the two overheads. */
    private static ObjectNode experiment(String name, int threads, String mode, double median, double spread, int runs,
                                         double[] cats, String evidence, String detail) {
        ObjectNode e = JSON.createObjectNode();
        e.put("label", name + "/t" + threads);
        e.put("experiment", name);
        e.put("threads", threads);
        e.put("mode", mode);
        e.put("etdump", "/runs/r1/" + name + "/t" + threads + "/run.etdump");
        e.putNull("kernel_log");
        e.put("runs_total", runs);
        e.put("skip_runs", 0);
        ArrayNode lat = e.putArray("latency_ms");
        for (int i = 0; i < runs; i++) lat.add(median + spread * (((i * 5) % 7) - 3) / 3.0);
        ObjectNode st = e.putObject("e2e_ms");
        st.put("n", runs);
        st.put("mean", median);
        st.put("median", median);
        st.put("p10", median - spread * 0.8);
        st.put("p90", median + spread * 0.8);
        st.put("min", median - spread);
        st.put("max", median + spread);
        st.put("stdev", spread * 0.6);
        st.put("cv_percent", spread * 0.6 / median * 100);
        double opSum = 0;
        for (int i = 0; i < 9; i++) opSum += cats[i];
        e.put("delegate_call_ms", opSum + cats[9]);
        e.put("operator_ms", opSum);
        ObjectNode cm = e.putObject("categories_ms"), cs = e.putObject("category_share");
        for (int i = 0; i < CATS.size(); i++) {
            cm.put(CATS.get(i), cats[i]);
            if (i < 9) cs.put(CATS.get(i), cats[i] / opSum);
        }
        ArrayNode ops = e.putArray("operators");
        op(ops, "Convolution (NHWC, F32) IGEMM", "xnnpack", "CONV", 13, cats[0] * 0.7, opSum, median);
        op(ops, "Convolution (NHWC, F32) DWConv", "xnnpack", "CONV", 13, cats[0] * 0.3, opSum, median);
        op(ops, "Fully Connected (NC, F32) GEMM", "xnnpack", "GEMM", 1, cats[1], opSum, median);
        op(ops, "Copy (NC, X32)", "xnnpack", "DATA_MOVEMENT", 2, cats[2], opSum, median);
        op(ops, "Add (ND)", "xnnpack", "ELEMENTWISE", 4, cats[3], opSum, median);
        op(ops, "Clamp (NC, F32)", "xnnpack", "ACTIVATION", 14, cats[4], opSum, median);
        op(ops, "Global Average Pooling (NWC, F32)", "xnnpack", "POOL_REDUCE", 1, cats[5] - 0.05, opSum, median);
        op(ops, "native_call_mean.out", "portable", "POOL_REDUCE", 1, 0.05, opSum, median);
        e.put("sme2_evidence", evidence);
        if (detail == null) e.putNull("sme2_evidence_detail"); else e.put("sme2_evidence_detail", detail);
        e.putArray("secondary_hints");
        ObjectNode p = e.putObject("program");
        p.put("operators_total", 31);
        p.put("delegated_calls", 1);
        p.putArray("backends").add("XnnpackBackend");
        p.putArray("outside_delegate").add("aten::mean.out");
        e.putArray("warnings");
        return e;
    }

    private static void op(ArrayNode ops, String name, String kind, String cat, int count, double ms, double delegate, double e2e) {
        ObjectNode o = ops.addObject();
        o.put("name", name);
        o.put("kind", kind);
        o.put("category", cat);
        o.put("count_per_run", count);
        o.put("mean_ms_per_run", ms);
        if (kind.equals("portable")) o.putNull("share_of_delegate"); else o.put("share_of_delegate", ms / delegate);
        o.put("share_of_e2e", ms / e2e);
    }

    private static void kernels(ObjectNode e, String... nameIsaCount) {
        ObjectNode k = e.putObject("kernels");
        k.put("log", "/runs/r1/" + e.get("experiment").asText() + "_xnnlog/t1/xnntrace.log");
        ArrayNode items = k.putArray("items");
        ObjectNode isas = k.putObject("isas");
        for (String s : nameIsaCount) {
            String[] p = s.split(" ");
            ObjectNode i = items.addObject();
            i.put("category", p[0]);
            i.put("name", p[1]);
            i.put("isa", p[2]);
            i.put("count", Integer.parseInt(p[3]));
            isas.put(p[2], isas.path(p[2]).asInt() + Integer.parseInt(p[3]));
        }
        k.put("total", items.size());
    }

    private static ObjectNode comparison(String label, ObjectNode base, ObjectNode cand, double speedup, double lo, double hi,
                                         Boolean withinNoise) {
        ObjectNode c = JSON.createObjectNode();
        c.put("label", label);
        c.put("baseline", base.get("label").asText());
        c.put("candidate", cand.get("label").asText());
        c.put("baseline_median_ms", base.path("e2e_ms").path("median").asDouble());
        c.put("candidate_median_ms", cand.path("e2e_ms").path("median").asDouble());
        c.put("speedup_median", speedup);
        c.put("ci95_low", lo);
        c.put("ci95_high", hi);
        if (withinNoise == null) c.putNull("within_noise"); else c.put("within_noise", withinNoise);
        c.put("verdict", withinNoise != null && withinNoise ? "within noise" : "candidate faster");
        c.set("category_ms_before", base.get("categories_ms").deepCopy());
        c.set("category_ms_after", cand.get("categories_ms").deepCopy());
        c.set("category_share_before", base.get("category_share").deepCopy());
        c.set("category_share_after", cand.get("category_share").deepCopy());
        ArrayNode d = c.putArray("operator_deltas");
        for (int i = 0; i < base.get("operators").size(); i++) {
            JsonNode b = base.get("operators").get(i), a = cand.get("operators").get(i);
            ObjectNode x = d.addObject();
            x.put("name", b.get("name").asText());
            x.put("category", b.get("category").asText());
            x.put("before_ms", b.get("mean_ms_per_run").asDouble());
            x.put("after_ms", a.get("mean_ms_per_run").asDouble());
            x.put("delta_ms", a.get("mean_ms_per_run").asDouble() - b.get("mean_ms_per_run").asDouble());
            x.put("speedup", b.get("mean_ms_per_run").asDouble() / a.get("mean_ms_per_run").asDouble());
        }
        return c;
    }

    private static ObjectNode summary(List<ObjectNode> exps, List<ObjectNode> cmps) {
        ObjectNode s = JSON.createObjectNode();
        s.put("schema_version", 1);
        s.put("generated_at", "2026-11-25T14:03:12Z");
        s.put("tool", "AnalyzeResults 0.1.0");
        ObjectNode src = s.putObject("source");
        src.put("run_dir", "/runs/r1");
        src.put("model", "/models/mobilenet_v2_xnnpack_fp32.pte");
        src.putNull("etrecord");
        ObjectNode run = s.putObject("run");
        run.putObject("executorch").put("sha", "e2f18eb2c0ffee").put("dirty", true);
        run.putObject("host").put("os", "macOS 15.1").put("arch", "aarch64").put("cpu", "Apple M4").put("cores", 10).put("sme2", true);
        run.putObject("device");
        run.put("config", "/configs/mac.json");
        s.putObject("options").put("skip_runs", 0).put("top", 10).put("trace_runs", 100);
        ArrayNode rules = s.putArray("category_rules");
        rules.addObject().put("category", "CONV").put("note", "convolutions").putArray("matches").add("IGEMM").add("DWConv").add("Convolution");
        rules.addObject().put("category", "GEMM").put("note", "matrix multiplications").putArray("matches").add("Fully Connected");
        ArrayNode ea = s.putArray("experiments");
        exps.forEach(ea::add);
        ArrayNode ca = s.putArray("comparisons");
        cmps.forEach(ca::add);
        s.putArray("insights");
        return s;
    }

    private static final double[] OFF = {2.4, 0.62, 0.2, 0.28, 0.2, 0.2, 0, 0, 0.1, 0.1, 0.05};
    private static final double[] ON = {0.6, 0.2, 0.64, 0.28, 0.2, 0.2, 0, 0, 0.28, 0.1, 0.05};

    /** MobileNet-like: SME2 off vs on, CONV 60% -> 25%, GEMM 3.10x faster, DATA_MOVEMENT share growing. */
    private static ObjectNode sme2Pair(String offEvidence, String onEvidence) {
        ObjectNode off = experiment("mac_sme2_off", 1, "timing", 4.15, 0.04, 20, OFF, offEvidence,
                offEvidence.equals("no") ? "no __neonsme2 microkernel among 3 selected" : null);
        ObjectNode on = experiment("mac_sme2_on", 1, "timing", 2.55, 0.03, 20, ON, onEvidence,
                onEvidence.equals("yes") ? "2 __neonsme2 microkernels selected (xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2)" : null);
        if (offEvidence.equals("no"))
            kernels(off, "gemm xnn_f32_gemm_minmax_ukernel_6x8__neonfma_lane neonfma 2", "dwconv xnn_f32_dwconv_minmax_ukernel_9p4c__neonfma neonfma 1");
        if (onEvidence.equals("yes"))
            kernels(on, "gemm xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2 neonsme2 1", "igemm xnn_pf32_igemm_minmax_ukernel_32x32__neonsme2 neonsme2 1",
                    "dwconv xnn_f32_dwconv_minmax_ukernel_9p4c__neonfma neonfma 1");
        return summary(List.of(off, on), List.of(comparison("SME2 on vs off (1 thread)", off, on, 1.63, 1.60, 1.66, false)));
    }

    /** Two thread counts on an x86 host: 1.01x with a CI around 1, noisy and short. */
    private static ObjectNode noisePair() {
        ObjectNode t1 = experiment("host_fp32", 1, "timing", 10.0, 1.25, 5, OFF, "unknown", null);
        ObjectNode t2 = experiment("host_fp32", 2, "timing", 9.9, 0.2, 12, OFF, "unknown", null);
        t1.withArray("warnings").add("coefficient of variation 7.5% > 5%: noisy");
        return summary(List.of(t1, t2), List.of(comparison("2 threads vs 1 thread", t1, t2, 1.01, 0.97, 1.05, true)));
    }

    /** Nulls and empties everywhere the contract allows them. */
    private static ObjectNode sparse() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"schema_version": 1, "generated_at": null, "tool": null, "source": null, "run": null, "category_rules": null,
                 "experiments": [
                   {"label": "bare/t1", "experiment": "bare", "threads": 1, "mode": "timing", "etdump": null, "kernel_log": null,
                    "runs_total": null, "skip_runs": null, "latency_ms": [], "e2e_ms": null, "delegate_call_ms": null,
                    "operator_ms": null, "categories_ms": null, "category_share": null, "operators": [], "kernels": null,
                    "sme2_evidence": null, "sme2_evidence_detail": null, "secondary_hints": null, "program": null, "warnings": null},
                   {},
                   {"label": "one-run/t4", "threads": 4, "latency_ms": [3.5], "categories_ms": {"CONV": 1.0, "OTHER": null}}
                 ],
                 "comparisons": null, "insights": null}
                """);
    }

    // ------------------------------------------------------------------ helpers

    private static String text(ObjectNode i) { return i.get("title").asText() + " | " + i.get("text").asText(); }

    private static ObjectNode find(List<ObjectNode> ins, String titlePart) {
        for (ObjectNode i : ins) if (i.get("title").asText().contains(titlePart)) return i;
        throw new AssertionError("no insight titled *" + titlePart + "* in " + ins);
    }

    private static Document xml(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    private static String read(Path p) throws Exception { return Files.readString(p); }

    private static void assertCount(List<ObjectNode> ins) {
        assertTrue(ins.size() >= 3 && ins.size() <= 6, "3 to 6 insights, got " + ins.size() + ": " + ins);
        for (ObjectNode i : ins) {
            assertFalse(i.get("title").asText().isBlank());
            assertFalse(i.get("text").asText().isBlank());
            assertTrue(i.has("figure"));
        }
    }

    // ------------------------------------------------------------------ insights

    @Test
    void dominantCategoryAndOperatorAreNamedWithMsAndShare() {
        List<ObjectNode> ins = AnalyzeResults.Report.insights(sme2Pair("no", "yes"));
        assertCount(ins);
        ObjectNode first = ins.get(0);
        assertEquals("CONV dominates operator time in mac_sme2_off/t1", first.get("title").asText());
        assertEquals("categories.svg", first.get("figure").asText());
        String t = first.get("text").asText();
        assertTrue(t.startsWith("In mac_sme2_off/t1 (1 thread), CONV takes 2.40 ms per run, 60.0% of the 4.00 ms of operator time; "
                + "next is GEMM (0.620 ms, 15.5%)."), t);
        assertTrue(t.contains("The most expensive single operator is \"Convolution (NHWC, F32) IGEMM\" (CONV, xnnpack) at 1.68 ms per run, "
                + "42.0% of delegate time in mac_sme2_off/t1."), t);
        assertTrue(t.contains("In mac_sme2_on/t1 (1 thread), DATA_MOVEMENT is the largest instead (0.640 ms, 26.7%)."), t);
    }

    @Test
    void sme2SpeedupAndBottleneckShiftAreDescribedWithDirection() {
        List<ObjectNode> ins = AnalyzeResults.Report.insights(sme2Pair("no", "yes"));
        ObjectNode c = find(ins, "SME2 on vs off");
        assertEquals("SME2 on vs off (1 thread): 1.63x faster", c.get("title").asText());
        assertEquals("comparison.svg", c.get("figure").asText());
        String t = c.get("text").asText();
        assertTrue(t.startsWith("Median latency drops from 4.15 ms in mac_sme2_off/t1 (1 thread) to 2.55 ms in mac_sme2_on/t1 (1 thread): "
                + "1.63x (95% CI 1.60–1.66), 38.6% less time per inference."), t);
        assertTrue(t.contains("The kernel log of mac_sme2_on/t1 names SME2 microkernels: 2 __neonsme2 microkernels selected "
                + "(xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2). That of mac_sme2_off/t1 shows none, so the speedup coincides with "
                + "SME2 microkernels being selected."), t);
        assertTrue(t.contains("Bottleneck shift: DATA_MOVEMENT grew from 5.0% to 26.7% of operator time (+21.7 pp); "
                + "CONV shrank from 60.0% to 25.0% (-35.0 pp), so the bottleneck moved from CONV to DATA_MOVEMENT (now 26.7%)."), t);
        assertTrue(t.contains("CONV saved the most time (2.40 → 0.600 ms, 4.00x)."), t);
        assertTrue(t.contains("DATA_MOVEMENT got slower (0.200 → 0.640 ms)."), t);
    }

    @Test
    void aSpeedupWithoutKernelProofIsNotCalledAnSme2Effect() {
        List<ObjectNode> ins = AnalyzeResults.Report.insights(sme2Pair("unknown", "unknown"));
        String t = find(ins, "SME2 on vs off").get("text").asText();
        assertTrue(t.contains("Whether SME2 microkernels were selected in mac_sme2_on/t1 is unknown (no kernel log), so this result alone "
                + "does not show an SME2 effect"), t);
        assertFalse(t.contains("coincides"), t);
        ObjectNode sme = find(ins, "SME2 microkernels selected (kernel log): unknown");
        assertEquals("operators.svg", sme.get("figure").asText());
        assertTrue(sme.get("text").asText().startsWith("Whether SME2 microkernels were selected is unknown for mac_sme2_off/t1 (1 thread) "
                + "and mac_sme2_on/t1 (1 thread) (no kernel log)."), sme.get("text").asText());
        assertTrue(sme.get("text").asText().contains("run the xnntrace experiment (mode \"xnntrace\") with the kernel-logging runner"));
    }

    @Test
    void provenSme2KernelsAreReportedPerExperiment() {
        ObjectNode sme = find(AnalyzeResults.Report.insights(sme2Pair("no", "yes")), "SME2 microkernels selected");
        assertEquals("SME2 microkernels selected (kernel log) in 1 of 2 experiments", sme.get("title").asText());
        String t = sme.get("text").asText();
        assertTrue(t.startsWith("The kernel log of mac_sme2_on/t1 (1 thread) shows that XNNPACK selected SME2 microkernels: 2 __neonsme2 "
                + "microkernels selected (xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2). The kernel log of mac_sme2_off/t1 (1 thread) shows "
                + "no SME2 microkernels selected. A kernel log shows the microkernels XNNPACK selected when it set up each kernel "
                + "configuration (once per process), not which one every operator ran."), t);
        assertFalse(t.contains("prove"), t);
        assertFalse(t.contains("xnntrace experiment"), "no advice needed when nothing is unknown: " + t);
    }

    @Test
    void operatorsOutsideXnnpackAreListedOnceWithTheirTime() {
        ObjectNode o = find(AnalyzeResults.Report.insights(sme2Pair("no", "yes")), "outside XNNPACK");
        assertEquals("1 operator runs outside XNNPACK", o.get("title").asText());
        assertTrue(o.get("text").asText().contains("\"native_call_mean.out\" (0.050 ms per run in mac_sme2_off/t1 (1 thread), 1.2% of end-to-end)."),
                o.get("text").asText());
        assertFalse(o.get("text").asText().contains("aten::mean.out"), "the program's name of the same operator is not repeated");
    }

    @Test
    void aWithinNoiseComparisonIsReportedAsWithinNoiseAndNotAsASpeedup() {
        List<ObjectNode> ins = AnalyzeResults.Report.insights(noisePair());
        assertCount(ins);
        ObjectNode c = find(ins, "2 threads vs 1 thread");
        assertEquals("2 threads vs 1 thread: no measurable change", c.get("title").asText());
        String t = c.get("text").asText();
        assertTrue(t.contains("The ratio 1.01x has a 95% CI 0.97–1.05, which includes 1.00, so this pair shows no measurable change"), t);
        assertFalse(t.contains("faster") || t.contains("slower") || t.contains("SME2 effect") || t.contains("Bottleneck"), t);
        ObjectNode noise = find(ins, "Noise warnings");
        assertEquals("Noise warnings: 3 issues", noise.get("title").asText());
        assertTrue(noise.get("text").asText().startsWith("Noise checks: host_fp32/t1 (1 thread) has only 5 runs (fewer than 10); host_fp32/t1 (1 thread) "
                + "has a coefficient of variation of 7.5% (above 5%); the comparison \"2 threads vs 1 thread\" is within noise."),
                noise.get("text").asText());
        assertEquals("latency.svg", noise.get("figure").asText());
    }

    @Test
    void stableMeasurementsAreSaidToBeStable() {
        ObjectNode s = find(AnalyzeResults.Report.insights(sme2Pair("no", "yes")), "stable");
        assertEquals("Measurements are stable", s.get("title").asText());
        assertTrue(s.get("text").asText().startsWith("Every timing experiment has at least 10 runs and a coefficient of variation of at "
                + "most 5% (highest: 0.7% in mac_sme2_on/t1 (1 thread)), and no comparison is within noise."), s.get("text").asText());
    }

    @Test
    void sparseAndEmptySummariesGiveSensibleInsights() throws Exception {
        List<ObjectNode> ins = AnalyzeResults.Report.insights(sparse());
        assertCount(ins);
        assertEquals("CONV dominates operator time in one-run/t4", ins.get(0).get("title").asText());
        assertTrue(text(find(ins, "SME2 microkernels selected (kernel log): unknown")).contains("kernel-logging runner"));
        assertTrue(text(find(ins, "Noise warnings")).contains("bare/t1 (1 thread) has no timed runs"));
        List<ObjectNode> none = AnalyzeResults.Report.insights(JSON.readTree("{\"experiments\": []}"));
        assertEquals(1, none.size());
        assertEquals("Nothing to show", none.get(0).get("title").asText());
        assertTrue(none.get(0).get("figure").isNull());
        assertEquals("Nothing to show", AnalyzeResults.Report.insights(null).get(0).get("title").asText());
    }

    // ------------------------------------------------------------------ files

    @Test
    void writesValidChartsWithTheExpectedLabels() throws Exception {
        Path out = tmp.resolve("analysis");
        AnalyzeResults.Report.write(sme2Pair("no", "yes"), out);
        for (String f : List.of("categories.svg", "operators.svg", "latency.svg", "comparison.svg")) {
            Document d = xml(out.resolve(f));
            Element root = d.getDocumentElement();
            assertEquals("svg", root.getLocalName(), f);
            assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI(), f);
            assertTrue(root.hasAttribute("viewBox") && root.hasAttribute("width") && root.hasAttribute("height"), f);
            assertEquals("sans-serif", root.getAttribute("font-family"), f);
            assertEquals("title", ((Element) d.getElementsByTagNameNS("*", "title").item(0)).getLocalName(), f);
        }
        String cat = xml(out.resolve("categories.svg")).getDocumentElement().getTextContent();
        for (String s : List.of("mac_sme2_off/t1", "mac_sme2_on/t1", "CONV", "DATA_MOVEMENT", "RUNTIME_OVERHEAD", "2.40", "4.15 ms", "ms per run (mean)"))
            assertTrue(cat.contains(s), "categories.svg lacks " + s);
        assertTrue(read(out.resolve("categories.svg")).contains("fill=\"#332288\""), "CONV has its fixed colour");
        String ops = xml(out.resolve("operators.svg")).getDocumentElement().getTextContent();
        for (String s : List.of("Convolution (NHWC, F32) IGEMM", "1.68 ms · 40.5%", "native_call_mean.out", "[portable]",
                "mac_sme2_off/t1 (1 thread): top 8 of 8 operators"))
            assertTrue(ops.contains(s), "operators.svg lacks " + s);
        String lat = xml(out.resolve("latency.svg")).getDocumentElement().getTextContent();
        assertTrue(lat.contains("median 4.15 ms · p10 4.12 · p90 4.18"), lat);
        assertTrue(lat.contains("n = 20 · CV 0.6%"), lat);
        assertEquals(40, xml(out.resolve("latency.svg")).getElementsByTagNameNS("*", "circle").getLength(), "one dot per run");
        String cmp = xml(out.resolve("comparison.svg")).getDocumentElement().getTextContent();
        for (String s : List.of("mac_sme2_on/t1 vs mac_sme2_off/t1: 1.63x faster (95% CI 1.60–1.66)", "60.0% → 25.0% · 4.00x faster",
                "15.5% → 8.3% · 3.10x faster", "5.0% → 26.7% · 3.20x slower", "7.0% → 11.7% · unchanged", "overhead · unchanged"))
            assertTrue(cmp.contains(s), "comparison.svg lacks " + s + ": " + cmp);
    }

    @Test
    void reportsOpenWithTheFindingsAndCarryEverySection() throws Exception {
        Path out = tmp.resolve("analysis");
        AnalyzeResults.Report.write(sme2Pair("no", "yes"), out);
        String md = read(out.resolve("report.md"));
        assertTrue(md.startsWith("# ExecuTorch profiling report: mobilenet_v2_xnnpack_fp32.pte\n"), md.substring(0, 80));
        assertTrue(md.indexOf("## Findings") < md.indexOf("## Provenance"));
        assertTrue(md.contains("**Finding 1: CONV dominates operator time in mac_sme2_off/t1.** In mac_sme2_off/t1 (1 thread), CONV takes 2.40 ms"));
        assertTrue(md.contains("![Mean time per run by operator category"), "the chart of finding 1 follows it");
        for (String s : List.of("## Provenance", "| ExecuTorch SHA | e2f18eb2c0ffee |", "| ExecuTorch working tree | dirty: uncommitted changes",
                "| host.cpu | Apple M4 |", "| device | none (host run) |",
                "| mac_sme2_off/t1 | 1 | timing | 20 | 0 | 20 | mac_sme2_off/t1/run.etdump | – |", "## End-to-end latency",
                "| mac_sme2_off/t1 | 1 | 20 | 4.150 | 4.150 | 4.118 | 4.182 |", "### Category rules",
                "| CONV | IGEMM, DWConv, Convolution | convolutions |", "## Top operators", "## SME2 kernel evidence",
                "**SME2 microkernels selected (kernel log):** yes\n\n**Evidence:** 2 \\_\\_neonsme2 microkernels",
                "| gemm | xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2 | neonsme2 | 1 |",
                "## Program view: delegated vs outside XNNPACK", "| mac_sme2_off/t1 | 31 | – | 1 | XnnpackBackend | aten::mean.out |",
                "## Comparisons", "| 95% CI | 1.60–1.66 |", "| Change (noise rule) | beyond noise |",
                "| CONV | 2.400 | 0.600 | -1.800 | 4.00x | – | 60.0% | 25.0% | -35.0 pp |",
                "| DATA_MOVEMENT | 0.200 | 0.640 | +0.440 | 0.31x | – | 5.0% | 26.7% | +21.7 pp |",
                "#### Operator deltas", "## Warnings", "## Open the timeline in Perfetto UI", "ui.perfetto.dev", "Open trace file"))
            assertTrue(md.contains(s), "report.md lacks " + s);
        long images = md.lines().filter(l -> l.startsWith("![")).count();
        assertEquals(4, images, "each chart once");

        Path html = out.resolve("report.html");
        Document d = xml(html);
        assertEquals("html", d.getDocumentElement().getNodeName());
        assertEquals(4, d.getElementsByTagName("svg").getLength(), "the four charts are inlined");
        String h = read(html);
        for (String bad : List.of("src=", "href=", "<link", "<script", "url(", "@import", "<img"))
            assertFalse(h.contains(bad), "report.html must be self-contained, found " + bad);
        assertFalse(h.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains("http"), "no http reference besides the SVG namespace");
        assertTrue(h.indexOf("class=\"finding\"") < h.indexOf("<h2>Provenance</h2>"));
        assertTrue(h.contains("<td class=\"r\">4.150</td>"));
    }

    @Test
    void hostileLabelsAreEscapedEverywhere() throws Exception {
        ObjectNode s = sme2Pair("no", "yes");
        String hostile = "a<b&\"c\"";
        ObjectNode e = (ObjectNode) s.get("experiments").get(0);
        e.put("label", hostile);
        ((ObjectNode) e.get("operators").get(0)).put("name", "op <x> & 'y' ]]>");
        ((ObjectNode) s.get("comparisons").get(0)).put("baseline", hostile).put("label", "<script>alert(1)</script>");
        s.withArray("warnings").add("line1\nline2 \u0001 </p>");
        Path out = tmp.resolve("hostile");
        AnalyzeResults.Report.write(s, out);
        for (String f : List.of("categories.svg", "operators.svg", "latency.svg", "comparison.svg", "report.html")) {
            Document d = xml(out.resolve(f));
            String raw = read(out.resolve(f));
            assertFalse(raw.contains(hostile), f + " holds the raw label");
            assertFalse(raw.contains("<script>"), f);
            if (!f.equals("operators.svg")) assertTrue(d.getDocumentElement().getTextContent().contains(hostile), f + " lost the label");
        }
        assertTrue(xml(out.resolve("operators.svg")).getDocumentElement().getTextContent().contains("op <x> & 'y' ]]>"));
        String html = read(out.resolve("report.html"));
        assertTrue(html.contains("a&lt;b&amp;&quot;c&quot;"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        String md = read(out.resolve("report.md"));
        assertTrue(md.contains("a\\<b\\&\"c\""), "markdown escapes < and &");
        assertFalse(md.contains("<script>"));
        assertTrue(md.contains("- analysis: line1 line2   \\</p\\>"), "line breaks and control characters do not break a list item");
    }

    @Test
    void sameSummaryGivesByteIdenticalFilesAndNoTemporaryFiles() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        AnalyzeResults.Report.write(sme2Pair("no", "yes"), a);
        AnalyzeResults.Report.write(sme2Pair("no", "yes"), b);
        AnalyzeResults.Report.write(sme2Pair("no", "yes"), b);
        List<String> files = names(a);
        assertEquals(List.of("categories.svg", "comparison.svg", "latency.svg", "operators.svg", "report.html", "report.md"), files);
        assertEquals(files, names(b));
        for (String f : files) assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }

    @Test
    void storedInsightsAreRenderedAsGiven() throws Exception {
        ObjectNode s = sme2Pair("no", "yes");
        s.withArray("insights").addObject().put("title", "Stored finding").put("text", "From the tree.").put("figure", "latency.svg");
        Path out = tmp.resolve("stored");
        AnalyzeResults.Report.write(s, out);
        String md = read(out.resolve("report.md"));
        assertTrue(md.contains("**Finding 1: Stored finding.** From the tree. *Chart: latency.svg.*\n\n![End-to-end latency"), md.substring(0, 600));
        assertFalse(md.contains("**Finding 2: "));
    }

    @Test
    void sparseSummaryRendersWithoutThrowingAndDropsAStaleComparisonChart() throws Exception {
        Path out = tmp.resolve("sparse");
        Files.createDirectories(out);
        Files.writeString(out.resolve("comparison.svg"), "stale");
        AnalyzeResults.Report.write(sparse(), out);
        assertEquals(List.of("categories.svg", "latency.svg", "operators.svg", "report.html", "report.md"), names(out));
        for (String f : List.of("categories.svg", "operators.svg", "latency.svg", "report.html")) xml(out.resolve(f));
        String md = read(out.resolve("report.md"));
        for (String s : List.of("# ExecuTorch profiling report\n", "| ExecuTorch SHA | unknown (no run manifest) |", "No operator data.",
                "| experiment 2 | – | – | – | – | 0 | – | – |", "No program view: the analysis had no .pte file.", "No comparisons in this analysis.",
                "**How to find out:**", "The summary carries no category rules."))
            assertTrue(md.contains(s), "report.md lacks " + s);
        assertTrue(read(out.resolve("latency.svg")).contains(">no runs</text>"));
    }

    /** Every field of a full summary in turn becomes null, a string, an empty array and an empty object: nothing throws. */
    @Test
    void anyFieldMayBeNullOrOfTheWrongType() throws Exception {
        ObjectNode s = sme2Pair("no", "yes");
        ((ObjectNode) s.get("options")).put("top", 3);
        List<Object[]> fields = new ArrayList<>();
        collect(s, fields);
        assertTrue(fields.size() > 300, "walks the whole tree: " + fields.size());
        Path out = tmp.resolve("fuzz");
        List<JsonNode> replacements = List.of(JSON.nullNode(), JSON.getNodeFactory().textNode("x<&"), JSON.createArrayNode(),
                JSON.createObjectNode(), JSON.getNodeFactory().numberNode(-1));
        int i = 0;
        for (Object[] f : fields) {
            ObjectNode parent = (ObjectNode) f[0];
            String name = (String) f[1];
            JsonNode old = parent.get(name);
            for (JsonNode r : replacements) {
                parent.set(name, r);
                try {
                    List<ObjectNode> ins = AnalyzeResults.Report.insights(s);
                    assertTrue(ins.size() >= 1 && ins.size() <= 6);
                    if (i++ % 41 == 0) AnalyzeResults.Report.write(s, out);
                } catch (RuntimeException | AssertionError e) {
                    throw new AssertionError("field " + name + " = " + r + ": " + e, e);
                }
            }
            parent.set(name, old);
        }
        AnalyzeResults.Report.write(s, out);
        for (String f : List.of("categories.svg", "operators.svg", "latency.svg", "comparison.svg", "report.html")) xml(out.resolve(f));
    }

    private static void collect(JsonNode n, List<Object[]> out) {
        if (n.isObject()) n.properties().forEach(e -> { out.add(new Object[] {n, e.getKey()}); collect(e.getValue(), out); });
        else if (n.isArray() && n.size() > 0 && n.get(0).isContainerNode()) n.forEach(x -> collect(x, out));
    }

    @Test
    void emptyExperimentsGiveANothingToShowReport() throws Exception {
        Path out = tmp.resolve("empty");
        AnalyzeResults.Report.write(JSON.readTree("{\"experiments\": [], \"comparisons\": []}"), out);
        assertEquals(List.of("report.html", "report.md"), names(out));
        assertTrue(read(out.resolve("report.md")).contains("**Nothing to show:** the summary has no experiments."));
        xml(out.resolve("report.html"));
    }

    /**
     * The report of a real analysis (AnalyzeResults on the synthetic fixture), against the latency median, the mean
     * end-to-end time and the CONV time computed here from the fixture's JSON twin.
     */
    @Test
    void theReportOfARealAnalysisShowsTheFixturesNumbers() throws Exception {
        Path out = tmp.resolve("real");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump",
                TestKit.shipped("etdump/synthetic-xnnpack-3runs.etdp").toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.all());
        List<Double> e2e = new ArrayList<>();
        double conv = 0, operators = 0;
        for (JsonNode run : JSON.readTree(TestKit.shipped("etdump/synthetic-xnnpack-3runs.json").toFile()).get("run_data")) {
            if (!run.get("name").asText().equals("Execute")) continue;
            for (JsonNode ev : run.get("events")) {
                JsonNode p = ev.get("profile_event");
                if (p == null) continue;
                double ms = (p.get("end_time").asLong() - p.get("start_time").asLong()) / 1e6;
                String name = p.path("name").asText(""), id = p.path("delegate_debug_id_str").asText("");
                boolean delegated = p.has("delegate_debug_id_str") || p.has("delegate_debug_id_int");
                if (!delegated && name.equals("Method::execute")) e2e.add(ms);
                if (delegated || name.startsWith("native_call_")) operators += ms;
                if (id.startsWith("Convolution")) conv += ms;
            }
        }
        assertEquals(4, e2e.size(), "four Execute blocks, each with Method::execute");
        List<Double> sorted = new ArrayList<>(e2e);
        sorted.sort(null);
        double median = (sorted.get(1) + sorted.get(2)) / 2, mean = e2e.stream().mapToDouble(Double::doubleValue).sum() / 4;
        assertEquals(0.583, median, 1e-12, "the fixture's latencies are 0.582, 0.584, 0.586 and 0.001234 ms");
        String md = read(out.resolve("report.md"));
        String f3 = "%.3f";
        assertTrue(md.contains("| synthetic-xnnpack-3runs | – | 4 | " + String.format(java.util.Locale.ROOT, f3, mean) + " | "
                + String.format(java.util.Locale.ROOT, f3, median) + " | "), md);
        assertTrue(md.contains("| CONV | " + String.format(java.util.Locale.ROOT, f3, conv / 4) + " | "
                + String.format(java.util.Locale.ROOT, "%.1f%%", conv / operators * 100) + " |"), md);
        assertTrue(md.contains("| End-to-end mean | " + String.format(java.util.Locale.ROOT, f3, mean) + " | – |"), md);
        assertTrue(md.contains("CONV takes " + String.format(java.util.Locale.ROOT, f3, conv / 4) + " ms per run"), md);
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
