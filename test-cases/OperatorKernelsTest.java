import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Per-operator kernel attribution from XNNPACK's level-5 log (issue 18): the real x86-64 logs of the MobileNetV1-like
 * and SAM-like runs, cross-checked against their ETDumps, and SME2 logs synthesised from XNNPACK's format strings
 * (test-cases/fixtures/xnnlog-sme2/, see PROVENANCE.md).
 */
class OperatorKernelsTest {
    @TempDir Path tmp;

    static final String F32_GEMM_7X16 = "xnn_f32_gemm_minmax_ukernel_7x16__avx512f_broadcast";
    static final String F32_GEMM_7X32 = "xnn_f32_gemm_minmax_ukernel_7x32__avx512f_broadcast";
    static final String F32_GEMM_1X16 = "xnn_f32_gemm_minmax_ukernel_1x16__avx512f_broadcast";
    static final String F32_IGEMM_7X16 = "xnn_f32_igemm_minmax_ukernel_7x16__avx512f_broadcast";

    private JsonNode analyse(String... args) throws Exception {
        Path out = tmp.resolve("out" + Files.list(tmp).count());
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--out", out.toString(), "--json"));
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, a.toArray(String[]::new)));
        assertEquals(0, r.code(), r.toString());
        return Kit.JSON.readTree(r.out());
    }

    /** The expected kernel of every operator of the real MobileNetV1-like log, written out from the log by hand. */
    @Test
    void realMobilenetLogAttributesEveryOperatorInEtdumpOrder() throws Exception {
        JsonNode s = analyse("--etdump", TestKit.shipped("runner-mnv1/mnv1-xnnlog.etdump").toString(),
                "--kernel-log", TestKit.shipped("runner-mnv1/mnv1-xnnlog.log").toString());
        JsonNode ok = s.get("experiments").get(0).get("operator_kernels");
        assertEquals("order", ok.get("etdump_match").asText(), ok.toString());
        JsonNode ops = ok.get("operators");
        assertEquals(32, ops.size());
        // ETDump delegate events in the order the runner recorded them (the ETDump's own names, #k per name)
        List<String> events = new ArrayList<>();
        ops.forEach(o -> events.add(o.get("event").asText()));
        List<String> want = new ArrayList<>(List.of("Transpose (ND, X32) #1", "Convolution (NHWC, F32) IGEMM #1"));
        for (int k = 1; k <= 13; k++) { want.add("Convolution (NHWC, F32) DWConv #" + k); want.add("Fully Connected (NC, F32) GEMM #" + k); }
        want.addAll(List.of("Mean (ND) Reduce2 #1", "Transpose (ND, X32) #2", "Static Reshape (NC) #1", "Fully Connected (NC, F32) GEMM #14"));
        assertEquals(want, events);
        // mr x nr of each GEMM from its "Tile size for GEMM" line; operators 9 and 11 use the default config (nr 32),
        // the other pointwise ones the nr2 config (nr 16), the last one m=1 so mr=1
        Map<Integer, String> gemm = new java.util.TreeMap<>();
        for (int i = 3; i <= 27; i += 2) gemm.put(i, F32_GEMM_7X16);
        gemm.put(9, F32_GEMM_7X32);
        gemm.put(11, F32_GEMM_7X32);
        gemm.put(31, F32_GEMM_1X16);
        gemm.forEach((i, k) -> {
            JsonNode o = ops.get(i);
            assertEquals("determined", o.get("status").asText(), o.toString());
            assertEquals(k, o.get("kernel").asText(), o.toString());
            assertEquals("avx512f", o.get("isa").asText());
            assertEquals("no", o.get("sme2").asText());
        });
        assertEquals(32, ops.get(9).get("tile").get("nr").asInt());
        assertEquals(1600, ops.get(9).get("tile").get("m").asInt());
        assertEquals(F32_IGEMM_7X16, ops.get(1).get("kernel").asText());
        for (int i = 2; i <= 26; i += 2) {
            JsonNode o = ops.get(i);
            assertEquals("ambiguous", o.get("status").asText(), o.toString());
            assertEquals(List.of("xnn_f32_dwconv_minmax_ukernel_3p16c__avx512f", "xnn_f32_dwconv_minmax_ukernel_9p16c__avx512f"),
                    texts(o.get("candidates")), "the unipass kernels of the primary tiles the log names (3 and 9)");
            assertEquals("no", o.get("sme2").asText(), "no candidate is SME2");
        }
        assertEquals(List.of("xnn_f32_rsum_ukernel__avx512f_u32_acc2", "xnn_f32_rdsum_ukernel_7p7x__avx512f_u64"), texts(ops.get(28).get("candidates")));
        assertEquals(3, ops.get(0).get("candidates").size(), "the x32 transposes announced");
        assertEquals("skipped", ops.get(30).get("status").asText());
        JsonNode cr = ok.get("creation");
        assertEquals(32, cr.get("packed_weight_allocations").asInt(), "28 weighted operators and 4 fingerprint creations");
        assertEquals(texts(Kit.JSON.valueToTree(List.of("3", "9"))), texts(cr.get("dwconv_primary_tiles")));
        assertEquals(13, cr.get("nr2_config_lines").asInt());
        assertEquals(15, ok.get("determined").asInt());
        assertEquals(16, ok.get("ambiguous").asInt());
        assertEquals("none of the 31 XNNPACK operators ran an SME2 microkernel (ISAs of their kernels: avx512f)", ok.get("verdict").asText());
        double share = 0;
        for (JsonNode o : ops) share += o.get("share").asDouble();
        assertEquals(1.0, share, 1e-9, "shares of the XNNPACK operator time add up");
    }

    /** The shipped demo run: CSV, report table and finding, trace args, and the per-operator join of its comparison. */
    @Test
    void demoRunCarriesTheKernelOfEveryOperatorIntoEveryOutput() throws Exception {
        Path out = tmp.resolve("demo");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", TestKit.shipped("demo-run").toString(),
                "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("  SME2 per operator (kernel log of host_fp32_xnnlog/t1): none of the 31 XNNPACK operators ran an SME2 "
                + "microkernel (ISAs of their kernels: avx512f)\n"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("operator_kernels.csv"));
        assertEquals(AnalyzeResults.OPERATOR_KERNELS_HEADER, csv.get(0));
        assertEquals(1 + 4 * 32, csv.size(), "32 operators for each of the 4 experiments (the timing ones borrow the log of their thread count)");
        String fc4 = csv.stream().filter(l -> l.startsWith("host_fp32/t2,9,\"Fully Connected (NC, F32) GEMM #4\",")).findFirst().orElseThrow();
        assertTrue(fc4.contains(",7,32,1600,88,88,229,determined," + F32_GEMM_7X32 + ",avx512f,no,"), fc4);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("\n## Kernel per operator\n"), md);
        assertTrue(md.contains("| Fully Connected (NC, F32) GEMM \\#1 | GEMM | "), md);
        assertTrue(md.contains("**Finding 5: Kernel per operator: no SME2 microkernel.** host_fp32/t1 (1 thread), host_fp32/t2 (2 threads), "
                + "host_fp32_xnnlog/t1 (1 thread) and host_fp32_xnnlog/t2 (2 threads): none of the 31 XNNPACK operators ran an SME2 microkernel"), md);
        assertTrue(Files.readString(out.resolve("report.html")).contains("Kernel per operator"));
        JsonNode trace = Kit.JSON.readTree(out.resolve("trace.json").toFile());
        int withKernel = 0;
        for (JsonNode ev : trace.get("traceEvents")) {
            JsonNode a = ev.path("args");
            if (!a.has("kernel")) continue;
            withKernel++;
            if (a.path("delegate_debug_identifier").asText().equals("Convolution (NHWC, F32) IGEMM #1")) {
                assertEquals(F32_IGEMM_7X16, a.get("kernel").asText());
                assertEquals("7x16", a.get("tile").asText());
                assertEquals("no", a.get("sme2").asText());
            }
        }
        assertEquals(32 * (25 + 25 + 3 + 3), withKernel, "every XNNPACK event of every traced execution (warm-up included) carries its kernel");
        JsonNode s = Kit.JSON.readTree(out.resolve("analysis_summary.json").toFile());
        JsonNode join = s.get("comparisons").get(0).get("operator_kernels");
        assertEquals(32, join.size());
        for (JsonNode x : join) assertFalse(x.get("kernel_changed").asBoolean(), "1 vs 2 threads: same kernels " + x);
        assertEquals("Fully Connected GEMM #1", join.get(3).get("operator").asText());
        assertTrue(join.get(3).get("speedup").asDouble() > 0);
    }

    /** The join's per-operator times are judged by the noise rule, like every other operator and category delta. */
    @Test
    void theKernelJoinJudgesEachOperatorsChangeByTheNoiseRule() throws Exception {
        Path out = tmp.resolve("noise");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", TestKit.shipped("demo-run").toString(),
                "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        JsonNode s = Kit.JSON.readTree(out.resolve("analysis_summary.json").toFile());
        // each operator instance's per-execution times, read independently from inspector.csv (steady state: the 5 warm-up left out)
        Map<String, double[]> t1 = steadyRuns(out.resolve("inspector.csv"), "host_fp32/t1"), t2 = steadyRuns(out.resolve("inspector.csv"), "host_fp32/t2");
        int judged = 0, noise = 0;
        for (JsonNode x : s.get("comparisons").get(0).get("operator_kernels")) {
            double[] b = t1.get(x.get("before_event").asText()), a = t2.get(x.get("after_event").asText());
            assertEquals(20, b.length, x.toString());
            double bm = Arrays.stream(b).average().orElseThrow(), am = Arrays.stream(a).average().orElseThrow();
            assertEquals(bm, x.get("before_ms").asDouble(), 1e-9, x.toString());
            assertEquals(am, x.get("after_ms").asDouble(), 1e-9, x.toString());
            String change = x.get("change").asText();
            double floor = Math.max(0.010, 0.01 * bm);
            assertEquals(floor, x.get("noise_floor_ms").asDouble(), 1e-12, x.toString());
            if (Math.abs(am - bm) <= floor) assertEquals("no measurable change", change, "below the floor: " + x);
            else if (x.get("ci95_low").asDouble() > 1) assertEquals("faster", change, x.toString());
            if (!change.equals("no measurable change")) {
                assertTrue(Math.abs(am - bm) > floor, x.toString());
                assertTrue(x.get("ci95_low").asDouble() > 1 || x.get("ci95_high").asDouble() < 1, x.toString());
            } else noise++;
            judged++;
        }
        assertEquals(32, judged);
        assertTrue(noise > 0 && noise < 32, "tiny operators within noise, the big ones faster: " + noise);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| Operator | Before kernel | After kernel | Before ms | After ms | Speedup | Change |"), md);
    }

    /** Per Execute-block event of one experiment in inspector.csv: its raw per-execution ms after the first 5 (warm-up). */
    private static Map<String, double[]> steadyRuns(Path csv, String label) throws Exception {
        Map<String, double[]> r = new java.util.HashMap<>();
        for (String line : Files.readAllLines(csv)) {
            if (!line.startsWith("Execute,") || !line.endsWith("," + label)) continue;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Execute,(\"[^\"]*\"|[^,]*),\"?\\[([^\\]]*)\\]").matcher(line);
            assertTrue(m.find(), line);
            double[] raw = Arrays.stream(m.group(2).split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
            r.put(m.group(1).replace("\"", ""), Arrays.copyOfRange(raw, 5, raw.length));
        }
        return r;
    }

    @Test
    void realSamlikeLogAttributesEveryOperator() throws Exception {
        Path dir = TestKit.shared("runner-samlike");
        JsonNode s = analyse("--etdump", dir.resolve("samlike-xnnlog-t1.etdump").toString(),
                "--kernel-log", dir.resolve("samlike-xnnlog-t1.log").toString());
        JsonNode ok = s.get("experiments").get(0).get("operator_kernels");
        assertEquals("order", ok.get("etdump_match").asText(), ok.get("match_note").asText());
        int gemms = 0;
        for (JsonNode o : ok.get("operators")) {
            String st = o.get("status").asText();
            assertTrue(st.equals("determined") || st.equals("skipped") || (st.equals("ambiguous") && o.get("candidates").size() > 0)
                    || o.get("basis").asText().contains("no "), o.toString());
            assertFalse(o.get("event").isNull(), o.toString());
            if (o.get("path").asText().equals("GEMM")) {
                gemms++;
                assertEquals("determined", st, o.toString());
                assertTrue(o.get("kernel").asText().matches("xnn_f32_gemm_minmax_ukernel_\\d+x\\d+__avx512f_broadcast"), o.toString());
            }
        }
        assertTrue(gemms > 20, "the SAM-like encoder has many fully connected and batch-matmul GEMMs: " + gemms);
    }

    /** Logcat and stderr give the same operators; run lines with a nested parenthesis; fingerprint creations ignored. */
    @Test
    void readsOperatorLinesFromStderrAndLogcat() throws Exception {
        AnalyzeResults.KernelLog std = AnalyzeResults.readKernelLog(TestKit.shipped("xnnlog-sme2/sme2-on-xnntrace.log"));
        AnalyzeResults.KernelLog cat = AnalyzeResults.readKernelLog(TestKit.shipped("xnnlog-sme2/sme2-on-logcat-vl256.txt"));
        AnalyzeResults.OperatorLog a = std.operatorLog(), b = cat.operatorLog();
        assertEquals(11, a.operators().size());
        assertEquals(a.operators().stream().map(AnalyzeResults.OpLine::profileName).toList(), b.operators().stream().map(AnalyzeResults.OpLine::profileName).toList());
        AnalyzeResults.OpLine fc = a.operators().get(3);
        assertEquals("Fully Connected (NC, PF32)", fc.type());
        assertEquals("GEMM", fc.path());
        assertEquals(2, fc.runs(), "two executions logged");
        assertEquals(new AnalyzeResults.Tile(1, 12544, 24, 32, 32, 24, 392), fc.tile());
        assertEquals(16, b.operators().get(3).tile().mr(), "the 256-bit-SVL phone: mr and nr 16");
        assertTrue(a.operators().get(8).skipped());
        assertEquals("Static Reshape (NC)", a.operators().get(8).profileName(), "Default is not part of the profiler's name");
        assertEquals(List.of(9), a.dwconvPrimaryTiles());
        AnalyzeResults.OperatorLog none = AnalyzeResults.parseKernelLog("t.log", new StringReader(
                "Debug (XNNPACK): running operator 1:0 (Broken (ND) GEMM\nNote (XNNPACK): nothing\n")).operatorLog();
        assertFalse(none.present(), "an unclosed run line is no operator");
    }

    /** The synthetic SME2 logs: per-operator SME2 attribution, and the finding names the operators without SME2. */
    @Test
    void synthesisedSme2LogYieldsPerOperatorAttribution() throws Exception {
        for (String f : List.of("sme2-on-xnntrace.log", "sme2-on-logcat-vl256.txt")) {
            JsonNode s = analyse("--kernel-log", TestKit.shipped("xnnlog-sme2/" + f).toString());
            JsonNode ok = s.get("experiments").get(0).get("operator_kernels");
            JsonNode ops = ok.get("operators");
            assertEquals("none", ok.get("etdump_match").asText());
            for (int i : new int[]{3, 6}) {
                assertEquals("xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2", ops.get(i).get("kernel").asText(), f + " " + ops.get(i));
                assertEquals("yes", ops.get(i).get("sme2").asText());
            }
            assertEquals("xnn_pf32_gemm_minmax_ukernel_1x32__neonsme2", ops.get(10).get("kernel").asText());
            if (f.contains("vl256"))
                assertTrue(ops.get(3).get("basis").asText().contains("vector length"), ops.get(3).toString());
            assertEquals("xnn_f32_igemm_minmax_ukernel_6x8s4__neonfma", ops.get(0).get("kernel").asText());
            assertEquals("no", ops.get(0).get("sme2").asText());
            assertEquals(List.of("xnn_f32_dwconv_minmax_ukernel_9p8c__neonfma"), texts(ops.get(1).get("candidates")));
            assertEquals("unknown", ops.get(2).get("sme2").asText(), "Pack LH: its config logs no kernel");
            assertEquals(3, ok.get("sme2_operators").asInt());
            assertEquals("3 of 10 XNNPACK operators ran SME2 microkernels (xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2, "
                    + "xnn_pf32_gemm_minmax_ukernel_1x32__neonsme2); without SME2: 1 Convolution (NHWC, F32) IGEMM (neonfma), "
                    + "2 Convolution (NHWC, F32) DWConv (neonfma), 3 Pack LH (X32) (kernel ambiguous), 1 Mean (ND) Reduce2 (neon)",
                    ok.get("verdict").asText());
        }
    }

    /** SME2 off vs on: operators pair across data types (F32 vs PF32) and the join says which changed kernel. */
    @Test
    void joinsSme2OffAndOnPerOperator() throws Exception {
        AnalyzeResults.Attribution off = attributionOf("sme2-off-xnntrace.log"), on = attributionOf("sme2-on-xnntrace.log");
        JsonNode j = AnalyzeResults.kernelJoinJson(off, on);
        Map<String, JsonNode> by = new java.util.LinkedHashMap<>();
        j.forEach(r -> by.put(r.get("operator").asText(), r));
        JsonNode fc1 = by.get("Fully Connected GEMM #1");
        assertEquals("xnn_f32_gemm_minmax_ukernel_6x8s4__neonfma", fc1.get("before_kernel").asText());
        assertEquals("xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2", fc1.get("after_kernel").asText());
        assertTrue(fc1.get("kernel_changed").asBoolean());
        assertEquals("yes", fc1.get("after_sme2").asText());
        assertFalse(by.get("Convolution IGEMM #1").get("kernel_changed").asBoolean());
        assertTrue(by.get("Pack LH Default #1").get("before_kernel").isNull(), "Pack LH exists only with SME2");
        assertEquals(List.of("Convolution IGEMM #1", "Convolution DWConv #1", "Fully Connected GEMM #1", "Convolution DWConv #2",
                "Fully Connected GEMM #2", "Mean Reduce2 #1", "Static Reshape Default #1", "Fully Connected GEMM #3",
                "Pack LH Default #1", "Pack LH Default #2", "Pack LH Default #3"), new ArrayList<>(by.keySet()));
    }

    private static AnalyzeResults.Attribution attributionOf(String file) {
        AnalyzeResults.KernelLog log = AnalyzeResults.readKernelLog(TestKit.shipped("xnnlog-sme2/" + file));
        AnalyzeResults.Input in = new AnalyzeResults.Input(file, file, 1, "xnntrace", null, Path.of(log.file()), null);
        return AnalyzeResults.attribution(new AnalyzeResults.Experiment(in, null, null, null, log, null, null, null));
    }

    static List<String> texts(JsonNode a) {
        List<String> r = new ArrayList<>();
        a.forEach(x -> r.add(x.asText()));
        return r;
    }
}
