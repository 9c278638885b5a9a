import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The second demo run, test-cases/fixtures/demo-run-samlike/ (real v1.3.1 runs of the SAM-like vision-transformer
 * encoder, x86-64, no SME2): it is what GenerateSamlikeDemo writes from ../shared/fixtures/runner-samlike/, ValidateResults
 * accepts it, its shipped analysis (demo-run-samlike-report/*.csv) is what AnalyzeResults writes now, the numbers the case-study page
 * quotes are those, and every operator in its ETDumps has a category (OTHER only with a reason written in the rules).
 */
class SamlikeDemoRunTest {
    @TempDir Path tmp;
    static final Path DEMO = TestKit.shipped("demo-run-samlike"), REPORT = TestKit.shipped("demo-run-samlike-report");
    static final List<String> ANALYSIS = List.of("categories.csv", "operators.csv", "comparison.csv", "cold_start.csv");

    static Path sharedRuns() { return TestKit.repo().resolve("../shared/fixtures/runner-samlike"); }

    @Test
    void theShippedRunFolderIsWhatTheGeneratorWritesFromTheRealRuns() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(sharedRuns().resolve("samlike-t1.etdump")), "../shared/fixtures/runner-samlike is absent, skipping");
        Path out = tmp.resolve("demo-run-samlike");
        SamlikeDemoRun.build(sharedRuns(), out);
        List<String> made = files(out), shipped = files(DEMO);
        assertEquals(made, shipped);
        for (String f : made) assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(DEMO.resolve(f)), f + " differs: ./jbang test-cases/GenerateSamlikeDemo.java");
    }

    static List<String> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void validateResultsAcceptsIt() {
        TestKit.Run r = TestKit.inProcess((o, e) -> ValidateResults.run(o, e, "--results", DEMO.toString()));
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void theShippedAnalysisIsWhatAnalyzeResultsWritesAndSaysThereIsNoSme2() throws Exception {
        Path out = tmp.resolve("report");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", DEMO.toString(), "--out", out.toString(), "--json"));
        assertEquals(0, r.code(), r.toString());
        for (String f : ANALYSIS)
            assertEquals(Files.readString(REPORT.resolve(f)), Files.readString(out.resolve(f)), f + ": ./jbang test-cases/GenerateSamlikeDemo.java");
        JsonNode s = Kit.JSON.readTree(r.out());
        assertFalse(s.at("/run/host/sme2").asBoolean(true), "x86-64 host: no SME2");
        for (JsonNode e : s.get("experiments")) {
            assertEquals("no", e.get("sme2_evidence").asText(), e.get("label").asText());
            if (e.get("mode").asText().equals("timing"))
                assertEquals("host_fp32_xnnlog/t" + e.get("threads").asInt(), e.get("kernel_log_from").asText(), "kernel evidence from the kernel-logging twin");
        }
    }

    /** The numbers content/08-sam-case-study.md quotes, computed from the shipped analysis (so the page cannot drift from it). */
    static Map<String, String> pageNumbers() throws Exception {
        Map<String, String> n = new TreeMap<>();
        Map<String, Double> share = new TreeMap<>(), ms = new TreeMap<>();
        for (String line : Files.readAllLines(REPORT.resolve("categories.csv")).subList(1, 45)) {
            String[] c = line.split(",", -1);
            if (!c[0].equals("host_fp32/t1")) continue;
            ms.put(c[1], Double.parseDouble(c[2]));
            if (!c[3].isEmpty()) share.put(c[1], Double.parseDouble(c[3]));
        }
        double beyond = 0;
        for (String k : List.of("DATA_MOVEMENT", "ELEMENTWISE", "ACTIVATION", "POOL_REDUCE", "NORM", "QUANT", "OTHER")) beyond += share.get(k);
        n.put("gemm", pct(share.get("GEMM")));
        n.put("conv", pct(share.get("CONV")));
        n.put("beyond", pct(beyond));
        n.put("pool_reduce", pct(share.get("POOL_REDUCE")));
        n.put("activation", pct(share.get("ACTIVATION")));
        n.put("data_movement", pct(share.get("DATA_MOVEMENT")));
        n.put("elementwise", pct(share.get("ELEMENTWISE")));
        double operatorMs = 0;
        for (String k : AnalyzeResults.CATEGORIES.subList(0, AnalyzeResults.OP_CATEGORIES)) operatorMs += ms.get(k);
        // if GEMM and CONV ran 4x faster (an SME2-sized speed-up) and nothing else changed: the share outside them
        double after = (ms.get("GEMM") + ms.get("CONV")) / 4, rest = operatorMs - ms.get("GEMM") - ms.get("CONV");
        n.put("beyond_after_4x", pct(rest / (after + rest)));
        String[] e2e = Files.readAllLines(REPORT.resolve("comparison.csv")).get(1).split(",");
        n.put("t1_median", String.format(java.util.Locale.ROOT, "%.2f", Double.parseDouble(e2e[6])));
        n.put("t2_median", String.format(java.util.Locale.ROOT, "%.2f", Double.parseDouble(e2e[7])));
        return n;
    }

    static String pct(double share) { return String.format(java.util.Locale.ROOT, "%.1f%%", 100 * share); }

    @Test
    void theCaseStudyPageQuotesTheShippedAnalysis() throws Exception {
        String page = Files.readString(TestKit.repo().resolve("content/08-sam-case-study.md"));
        Map<String, String> n = pageNumbers();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : n.entrySet()) if (!page.contains(e.getValue())) missing.add(e.getKey() + " = " + e.getValue());
        assertEquals(List.of(), missing, "numbers of the shipped analysis the page does not quote");
    }

    /** Every XNNPACK operator of the samlike ETDumps, with its category; OTHER needs a reason in AnalyzeResults.OTHER_REASONS. */
    @Test
    void everyOperatorOfTheSamLikeEncoderHasACategoryOrAWrittenReason() {
        Map<String, String> seen = new TreeMap<>();
        for (String run : List.of("host_fp32/t1", "host_fp32/t2", "host_fp32_xnnlog/t1", "host_fp32_xnnlog/t2")) {
            AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(DEMO.resolve(run).resolve("run.etdump"));
            for (AnalyzeResults.RunData rd : d.runs()) {
                if (rd.events() == null) continue;
                for (AnalyzeResults.Ev ev : rd.events())
                    if (ev instanceof AnalyzeResults.Profile p && p.delegated()) {
                        String type = AnalyzeResults.operatorType(p.inspectorName());
                        seen.put(type, AnalyzeResults.category(type, "xnnpack"));
                    }
            }
        }
        List<String> unexplained = new ArrayList<>();
        seen.forEach((op, cat) -> { if (cat.equals("OTHER") && AnalyzeResults.otherReason(op) == null) unexplained.add(op); });
        assertEquals(List.of(), unexplained, "operators in OTHER without a reason: add a rule (or a reason) in AnalyzeResults' category stage");
        // the 14 operator types of the encoder (PROVENANCE.md), each where a performance engineer looks for it
        Map<String, String> want = new TreeMap<>(Map.ofEntries(
                Map.entry("Static Reshape (NC)", "DATA_MOVEMENT"), Map.entry("Add (ND)", "ELEMENTWISE"), Map.entry("Multiply (ND)", "ELEMENTWISE"),
                Map.entry("Fully Connected (NC, F32) GEMM", "GEMM"), Map.entry("Slice (ND, X32)", "DATA_MOVEMENT"),
                Map.entry("Transpose (ND, X32)", "DATA_MOVEMENT"), Map.entry("Batch Matrix Multiply (NC, F32) GEMM", "GEMM"),
                Map.entry("Mean (ND) Reduce2", "POOL_REDUCE"), Map.entry("Mean Squared (ND) Reduce2", "POOL_REDUCE"),
                Map.entry("Reciprocal Square Root (NC)", "ELEMENTWISE"), Map.entry("Subtract (ND)", "ELEMENTWISE"), Map.entry("GELU (NC)", "ACTIVATION"),
                Map.entry("Softmax (NC, F32)", "ACTIVATION"), Map.entry("Convolution (NHWC, F32) IGEMM", "CONV")));
        assertEquals(want, seen);
    }

    @Test
    void otherIsExplainedOnlyForWhatTheReasonsName() {
        assertEquals("OTHER", AnalyzeResults.category("17", "xnnpack"));
        assertNotNull(AnalyzeResults.otherReason("17"), "a numeric delegate id stays OTHER, with its reason");
        assertEquals("OTHER", AnalyzeResults.category("Frobnicate (NC, F32) #2", "xnnpack"));
        assertNull(AnalyzeResults.otherReason("Frobnicate (NC, F32) #2"), "an unknown operator is a gap, not explained");
        assertEquals(new TreeSet<>(List.of("ACTIVATION")), new TreeSet<>(List.of(AnalyzeResults.category("Softmax (NC, F32) #3", "xnnpack"))));
    }
}
