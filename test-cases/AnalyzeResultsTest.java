import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** AnalyzeResults: the Inspector table, operators and categories, statistics, comparisons, outputs and the command line. */
class AnalyzeResultsTest {
    @TempDir Path tmp;

    static final String SYNTHETIC = "etdump/synthetic-xnnpack-3runs.etdp";
    static final double TOL = 1e-12;

    static AnalyzeResults.Etdump synthetic() { return AnalyzeResults.readEtdump(TestKit.shipped(SYNTHETIC)); }

    static List<String> names(AnalyzeResults.Block b) { return b.rows().stream().map(AnalyzeResults.Row::name).toList(); }

    static AnalyzeResults.Row row(AnalyzeResults.Block b, String name) {
        return b.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no row " + name));
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    // ------------------------------------------------------------------------------------------------ Inspector

    /** Blocks merged by run signature, delegated events named by their id, per-endpoint scaling: values from the fixture's JSON. */
    @Test
    void inspectorTableOfTheSyntheticFixture() {
        List<AnalyzeResults.Block> blocks = AnalyzeResults.inspector(synthetic(), null);
        assertEquals(List.of("Default", "Execute", "Execute"), blocks.stream().map(AnalyzeResults.Block::name).toList());
        assertEquals(List.of(List.of(0), List.of(1, 2, 3), List.of(4)), blocks.stream().map(AnalyzeResults.Block::runs).toList());
        assertEquals(0, blocks.get(2).bundledInputIndex());
        assertEquals(List.of("Method::init", "Program::load_method"), names(blocks.get(0)));
        assertEquals(List.of("Convolution (NHWC, PF32) IGEMM #1", "Pack LH (X32) #1", "Fully Connected (NC, PF32) GEMM #1",
                "Convolution (NHWC, F32) DWConv #1", "DELEGATE_CALL", "native_call_mean.out", "OPERATOR_CALL", "7", "DELEGATE_CALL",
                "Method::execute"), names(blocks.get(1)));
        AnalyzeResults.Block exec = blocks.get(1);
        assertArrayEquals(new double[]{0.402 - 0.102, 1.071 - 0.770, 1.742 - 1.440}, exec.rows().get(0).raw(), 0, "convert(end) - convert(start)");
        assertArrayEquals(new double[]{0.566, 0.568, 0.570}, exec.rows().get(4).raw(), 0, "(end - start) / 1e6");
        assertArrayEquals(new double[]{0.0088, 0.0088, 0.0088}, exec.rows().get(5).raw(), 0);
        assertArrayEquals(new double[]{0.680 - 0.678, 1.350 - 1.348, 2.022 - 2.020}, exec.rows().get(7).raw(), 0);
        assertEquals(7, exec.rows().get(7).delegateId(), "an int delegate id");
        assertEquals("Pack LH (X32) #1", exec.rows().get(1).delegateId());
        assertEquals(Boolean.TRUE, exec.rows().get(1).delegated());
        assertEquals(Boolean.FALSE, exec.rows().get(4).delegated());
        assertEquals(2, exec.rows().get(8).instructionId());
        AnalyzeResults.Perf p = exec.rows().get(9).perf();
        assertEquals(new AnalyzeResults.Perf(0.5823999999999999, 0.584, 0.5856, 0.584, 0.582, 0.586), p);
        // The bundled-input block: the allocation-only event is skipped (Inspector would raise), the debug event is a row
        AnalyzeResults.Block bundled = blocks.get(2);
        assertEquals(List.of("native_call_mean.out", "Method::execute"), names(bundled));
        assertNull(bundled.rows().get(0).raw());
        assertEquals(42L, bundled.rows().get(0).debugData().get(0).data());
        assertArrayEquals(new double[]{0.001234}, bundled.rows().get(1).raw(), 0);
    }

    /** Identical runs merge into one block even when an irregular run sits between them; the irregular one is its own block. */
    @Test
    void irregularRunsBecomeTheirOwnBlockAndOrderFollowsFirstAppearance() {
        EtdumpWriter w = new EtdumpWriter().block("Default").op("Method::init", 0, 0, 10).op("Program::load_method", 0, 0, 20);
        long t = 1000;
        for (int r = 0; r < 6; r++) {
            w.block("Execute");
            w.delegate("Add (ND) #1", 0, t + 10, t + 1010 + 1000L * r);
            if (r != 3) w.delegate("Multiply (ND) #1", 0, t + 2000, t + 3000);
            w.op("DELEGATE_CALL", 0, t, t + 8000).op("Method::execute", 0, t, t + 9000);
            t += 10_000;
        }
        List<AnalyzeResults.Block> blocks = AnalyzeResults.inspector(AnalyzeResults.parseEtdump("w", w.finish()), null);
        assertEquals(List.of(List.of(0), List.of(1, 2, 3, 5, 6), List.of(4)), blocks.stream().map(AnalyzeResults.Block::runs).toList());
        AnalyzeResults.Row add = blocks.get(1).rows().get(0);
        assertEquals(5, add.raw().length);
        assertEquals(46010 / 1e6 - 41010 / 1e6, add.raw()[3], 0, "block 5 (r=4) is the 4th run of the merged block");
        assertEquals(List.of("Add (ND) #1", "DELEGATE_CALL", "Method::execute"), names(blocks.get(2)));
    }

    /** Two profile events with the same signature in one run: like Inspector's dict, the last one wins, in the first one's place. */
    @Test
    void aRepeatedSignatureInOneRunKeepsTheLastEvent() {
        byte[] b = new EtdumpWriter().block("Execute").op("native_call_add.out", 1, 0, 1000).op("OPERATOR_CALL", 1, 0, 1500)
                .op("native_call_add.out", 1, 2000, 5000).op("Method::execute", 0, 0, 6000).finish();
        AnalyzeResults.Block blk = AnalyzeResults.inspector(AnalyzeResults.parseEtdump("d", b), null).get(0);
        assertEquals(List.of("native_call_add.out", "OPERATOR_CALL", "Method::execute"), names(blk));
        assertArrayEquals(new double[]{0.003}, blk.rows().get(0).raw(), 0);
    }

    @Test
    void thirtyTwoBitWraparoundFollowsInspector() {
        long s = 4294967000L, e = 500;
        AnalyzeResults.Profile plain = new AnalyzeResults.Profile("OPERATOR_CALL", 0, 1, -1, null, null, s, e, 0);
        assertEquals(795 / 1e6, AnalyzeResults.durationMs("f", plain, false), 0, "(2^32-1 - start) + end");
        AnalyzeResults.Profile delegated = new AnalyzeResults.Profile(null, 0, 1, -1, "Add (ND) #1", new byte[0], s, e, 0);
        assertEquals((4294967295.0 - s / 1e6) + e / 1e6, AnalyzeResults.durationMs("f", delegated, true), 0,
                "Inspector applies the rule to the converted endpoints of delegated events");
        AnalyzeResults.Profile huge = new AnalyzeResults.Profile("OPERATOR_CALL", 0, 1, -1, null, null, 1L << 40, 1, 4242);
        assertEquals("f: byte 4242: event \"OPERATOR_CALL\" ends before it starts (start 1099511627776 > end 1) and the times are too "
                + "large for a 32-bit wraparound: corrupt", assertThrows(Kit.UserError.class, () -> AnalyzeResults.durationMs("f", huge, false)).getMessage());
        AnalyzeResults.Profile high = new AnalyzeResults.Profile("x", 0, 1, -1, null, null, Long.MIN_VALUE + 1000, Long.MIN_VALUE + 3000, 0);
        assertEquals(0.002, AnalyzeResults.durationMs("f", high, false), 0, "ulong times above 2^63");
    }

    /** numpy values (numpy 2.4.6) for a 300-run file: linear percentiles and numpy's pairwise-summation mean. */
    @Test
    void percentilesAndMeansMatchNumpyOn300Runs() {
        double[] scales = new double[300];
        for (int i = 0; i < 300; i++) scales[i] = 1 + ((i * 37) % 101) / 100.0;
        AnalyzeResults.Etdump d = AnalyzeResults.parseEtdump("many", EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 300, scales).finish());
        AnalyzeResults.Block exec = AnalyzeResults.inspector(d, null).get(1);
        assertEquals(new AnalyzeResults.Perf(0.19779999999998382, 0.2699999999999889, 0.342000000000003, 0.269806666666665,
                0.17999999999994998, 0.36000000000001364), row(exec, "Convolution (NHWC, F32) IGEMM #1").perf());
        assertEquals(new AnalyzeResults.Perf(2.0728000000000004, 2.828, 3.58, 2.82282, 1.884, 3.764), row(exec, "DELEGATE_CALL").perf());
        assertEquals(new AnalyzeResults.Perf(2.0788, 2.834, 3.586, 2.82882, 1.89, 3.77), row(exec, "Method::execute").perf());
    }

    @Test
    void statisticsMatchNumpy() {
        assertEquals(1.3, AnalyzeResults.Stats.percentile(new double[]{1, 2, 3, 4}, 10), 0);
        assertEquals(3.7, AnalyzeResults.Stats.percentile(new double[]{1, 2, 3, 4}, 90), 0);
        assertEquals(1.4, AnalyzeResults.Stats.percentile(new double[]{1, 2, 3, 7, 10}, 10), 0);
        assertEquals(0.15000000000000002, AnalyzeResults.Stats.percentile(new double[]{0, 1, 2, 3, 4, 5, 6}, 2.5), 0);
        assertEquals(0.2, AnalyzeResults.Stats.median(new double[]{0.3, 0.1, 0.2}), 0);
        double[] tenths = new double[200];
        Arrays.fill(tenths, 0.1);
        double naive = 0;
        for (double v : tenths) naive += v;
        assertEquals(0.10000000000000007, naive / 200, 0, "a plain sum drifts");
        assertEquals(0.1, AnalyzeResults.Stats.mean(tenths), 0, "numpy's pairwise sum does not");
    }

    @Test
    void latencyStatisticsAgainstAnIndependentComputation() {
        double[] x = {2.4, 2.1, 2.2, 5.0, 2.15, 2.05, 2.3, 2.2, 2.25, 2.12, 2.18};
        AnalyzeResults.Latency l = AnalyzeResults.Latency.of(x);
        double[] s = x.clone();
        Arrays.sort(s);
        double sum = 0;
        for (double v : x) sum += v;
        double mean = sum / x.length, ss = 0;
        for (double v : x) ss += (v - mean) * (v - mean);
        double sd = Math.sqrt(ss / (x.length - 1));
        assertEquals(11, l.n());
        assertEquals(mean, l.mean(), TOL);
        assertEquals(s[5], l.median(), 0, "odd n: the middle value");
        assertEquals(s[1] + 0.0 * (s[2] - s[1]), l.p10(), TOL, "(n-1)*0.1 = 1.0");
        assertEquals(s[9], l.p90(), TOL, "(n-1)*0.9 = 9.0");
        assertEquals(2.05, l.min(), 0);
        assertEquals(5.0, l.max(), 0);
        assertEquals(sd, l.stdev(), TOL);
        assertEquals(sd / mean * 100, l.cvPercent(), TOL);
        AnalyzeResults.Latency one = AnalyzeResults.Latency.of(new double[]{3});
        assertNull(one.stdev(), "no sample deviation from one run");
        assertNull(AnalyzeResults.Latency.of(new double[0]));
    }

    // ------------------------------------------------------------------------------------------------ ETRecord association

    @Test
    void etrecordFillsOpTypesAndBackendNamesAsInspectorDoes() throws Exception {
        byte[] dump = new EtdumpWriter().block("Execute")
                .delegate("Convolution (NHWC, F32) IGEMM #1", 0, 100, 200).op("DELEGATE_CALL", 0, 50, 300)
                .op("native_call_mean.out", 1, 310, 400).op("OPERATOR_CALL", 1, 305, 410)
                .add(new EtdumpWriter.Profile(null, 0, 2, 7, null, new byte[0], 420, 430))
                .delegate("Add (ND) #7", 2, 430, 440).op("DELEGATE_CALL", 2, 415, 450)
                .op("native_call_add.out", 3, 460, 470).op("Method::execute", 0, 0, 500).finish();
        AnalyzeResults.EtRecord rec = AnalyzeResults.parseEtRecord("r.etrecord", AnalyzeReadersTest.newLayoutEtRecord(true));
        AnalyzeResults.Block b = AnalyzeResults.inspector(AnalyzeResults.parseEtdump("d", dump), rec).get(0);
        Map<String, List<Object>> got = new LinkedHashMap<>();
        for (AnalyzeResults.Row r : b.rows()) got.put(r.name() + "@" + r.instructionId(), Arrays.asList(r.opTypes(), r.backend()));
        Map<String, List<Object>> want = new LinkedHashMap<>();
        want.put("Convolution (NHWC, F32) IGEMM #1@0", Arrays.asList(List.of(), "XnnpackBackend"));
        want.put("DELEGATE_CALL@0", Arrays.asList(List.of("aten.convolution.default", "aten.relu.default"), "XnnpackBackend"));
        want.put("native_call_mean.out@1", Arrays.asList(List.of("aten.mean.dim"), null));
        want.put("OPERATOR_CALL@1", Arrays.asList(List.of("aten.mean.dim"), null));
        want.put("7@2", Arrays.asList(List.of("aten.add.Tensor", "aten.mul.Tensor"), "OtherBackend"));
        want.put("Add (ND) #7@2", Arrays.asList(List.of("aten.add.Tensor", "aten.mul.Tensor"), "OtherBackend"));
        want.put("DELEGATE_CALL@2", Arrays.asList(List.of("aten.convolution.default", "aten.relu.default", "aten.add.Tensor",
                "aten.mul.Tensor", "aten.sub.Tensor", "aten.mean.dim"), "OtherBackend"));
        want.put("native_call_add.out@3", Arrays.asList(List.of(), null));
        want.put("Method::execute@0", Arrays.asList(List.of(), null));
        assertEquals(want, got);
        String csv = AnalyzeResults.inspectorCsv(List.of(experiment("x", AnalyzeResults.parseEtdump("d", dump), rec)));
        String six = "aten_convolution_default_: None | aten_relu_default_: None | aten_add_Tensor_: None | aten_mul_Tensor_: None"
                + " | aten_sub_Tensor_: None | aten_mean_dim_: None";
        assertTrue(csv.contains(",\"['aten.convolution.default', 'aten.relu.default' ... 'aten.mean.dim'] (6 total)\",," + six + "," + six
                + ",False,OtherBackend,[],[415]\n"), csv);
        assertTrue(csv.contains(",\"['aten.convolution.default', 'aten.relu.default']\",,aten_convolution_default_: None | aten_relu_default_: None,"
                + "aten_convolution_default_: None | aten_relu_default_: None,False,XnnpackBackend,[],[50]\n"), csv);
    }

    static AnalyzeResults.Experiment experiment(String label, AnalyzeResults.Etdump d, AnalyzeResults.EtRecord rec) {
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(d, null, rec, 0);
        return new AnalyzeResults.Experiment(new AnalyzeResults.Input(label, label, null, null, Path.of(d.file()), null, null), d,
                AnalyzeResults.inspector(d, rec), an, null, null, AnalyzeResults.sme2Evidence(null, null, an.operatorTypesSeen()), null);
    }

    // ------------------------------------------------------------------------------------------------ operators and categories

    @Test
    void categoriesByEventName() {
        Map<String, String> xnn = new LinkedHashMap<>();
        xnn.put("Convolution (NHWC, F32) IGEMM", "CONV");
        xnn.put("Convolution (NHWC, F32) DWConv", "CONV");
        xnn.put("Convolution (NHWC, PF32) IGEMM", "CONV");
        xnn.put("Convolution (NHWC, F32) GEMM", "CONV");
        xnn.put("Deconvolution (NHWC, F32) Subconv2D", "CONV");
        xnn.put("Fully Connected (NC, F32) GEMM", "GEMM");
        xnn.put("Fully Connected (NC, QD8, F32, QC8W) GEMM", "GEMM");
        xnn.put("Batch Matrix Multiply (NC, F32) GEMM", "GEMM");
        xnn.put("Convert (NC, F32, QD8)", "DATA_MOVEMENT");
        xnn.put("Transpose (ND, X32) Transpose", "DATA_MOVEMENT");
        xnn.put("Pack LH (X32)", "DATA_MOVEMENT");
        xnn.put("Static Reshape (NC)", "DATA_MOVEMENT");
        xnn.put("Constant Pad (ND, X32)", "DATA_MOVEMENT");
        xnn.put("Copy (NC, X32)", "DATA_MOVEMENT");
        xnn.put("Concatenate (ND, X32)", "DATA_MOVEMENT");
        xnn.put("Slice (ND, X32)", "DATA_MOVEMENT");
        xnn.put("Add (ND)", "ELEMENTWISE");
        xnn.put("Multiply (ND)", "ELEMENTWISE");
        xnn.put("Maximum (ND)", "ELEMENTWISE");
        xnn.put("Clamp (NC, F32)", "ACTIVATION");
        xnn.put("HardSwish (NC, F32)", "ACTIVATION");
        xnn.put("Softmax (NC, F32)", "ACTIVATION");
        xnn.put("Mean (ND) Reduce2", "POOL_REDUCE");
        xnn.put("Max Pooling (NHWC, F32)", "POOL_REDUCE");
        xnn.put("Global Average Pooling (NWC, F32)", "POOL_REDUCE");
        xnn.put("Layer Norm (NC, F32)", "NORM");
        xnn.put("Quantize (NC, F32, QS8)", "QUANT");
        xnn.put("7", "OTHER");
        xnn.forEach((n, c) -> assertEquals(c, AnalyzeResults.category(n, "xnnpack"), n));
        Map<String, String> portable = new LinkedHashMap<>();
        portable.put("native_call_convolution.out", "CONV");
        portable.put("native_call_addmm.out", "GEMM");
        portable.put("native_call_mm.out", "GEMM");
        portable.put("native_call_linear.out", "GEMM");
        portable.put("native_call_permute_copy.out", "DATA_MOVEMENT");
        portable.put("native_call__clone_dim_order.out", "DATA_MOVEMENT");
        portable.put("native_call_view_copy.out", "DATA_MOVEMENT");
        portable.put("native_call_relu.out", "ACTIVATION");
        portable.put("native_call_hardtanh.out", "ACTIVATION");
        portable.put("native_call_max_pool2d_with_indices.out", "POOL_REDUCE");
        portable.put("native_call_mean.out", "POOL_REDUCE");
        portable.put("native_call_avg_pool2d.out", "POOL_REDUCE");
        portable.put("native_call_add.out", "ELEMENTWISE");
        portable.put("native_call_mul.out", "ELEMENTWISE");
        portable.put("native_call_native_layer_norm.out", "NORM");
        portable.put("native_call_quantize_per_tensor.out", "QUANT");
        portable.put("quantized_decomposed::dequantize_per_tensor.out", "QUANT");
        portable.put("aten::add.out", "ELEMENTWISE");
        portable.put("cortex_m::quantized_conv2d.out", "CONV");
        portable.put("cortex_m::quantized_depthwise_conv2d.out", "CONV");
        portable.put("cortex_m::quantized_avg_pool2d.out", "POOL_REDUCE");
        portable.put("cortex_m::quantize_per_tensor.out", "QUANT");
        portable.put("llama::custom_sdpa.out", "OTHER");
        portable.forEach((n, c) -> assertEquals(c, AnalyzeResults.category(n, "portable"), n));
        JsonNode rules = AnalyzeResults.rulesJson();
        assertEquals(List.of("CONV", "GEMM", "QUANT", "NORM", "POOL_REDUCE", "ACTIVATION", "ELEMENTWISE", "DATA_MOVEMENT", "OTHER",
                "DELEGATE_OVERHEAD", "RUNTIME_OVERHEAD"), rules.findValuesAsText("category"));
    }

    /** Category times, operators and overheads of the synthetic fixture, from the numbers in its JSON (4 runs). */
    @Test
    void analysisOfTheSyntheticFixtureCoversAllTimeWithoutDoubleCounting() {
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(synthetic(), null, null, 0);
        assertEquals(4, an.runsTotal());
        assertEquals(4, an.runsUsed());
        assertArrayEquals(new double[]{0.582, 0.584, 0.586, 0.001234}, an.latencyMs(), 0);
        double[] igemm = {0.402 - 0.102, 1.071 - 0.770, 1.742 - 1.440}, pack = {0.422 - 0.402, 1.091 - 1.071, 1.762 - 1.742};
        double[] fc = {0.572 - 0.422, 1.242 - 1.091, 1.914 - 1.762}, dw = {0.662 - 0.572, 1.332 - 1.242, 2.004 - 1.914};
        double[] seven = {0.680 - 0.678, 1.350 - 1.348, 2.022 - 2.020}, dc0 = {0.566, 0.568, 0.570};
        double conv = 0, gemm = 0, dm = 0, other = 0, overhead = 0, runtime = 0;
        double[] e2e = {0.582, 0.584, 0.586};
        for (int r = 0; r < 3; r++) {
            conv += igemm[r] + dw[r];
            gemm += fc[r];
            dm += pack[r];
            other += seven[r];
            double ov = (dc0[r] - (igemm[r] + pack[r] + fc[r] + dw[r])) + (0.0032 - seven[r]);
            overhead += ov;
            runtime += e2e[r] - (igemm[r] + pack[r] + fc[r] + dw[r] + seven[r] + 0.0088) - ov;
        }
        runtime += 0.001234;
        Map<String, Double> want = Map.of("CONV", conv / 4, "GEMM", gemm / 4, "DATA_MOVEMENT", dm / 4, "POOL_REDUCE", 3 * 0.0088 / 4,
                "OTHER", other / 4, "DELEGATE_OVERHEAD", overhead / 4, "RUNTIME_OVERHEAD", runtime / 4);
        for (int i = 0; i < AnalyzeResults.CATEGORIES.size(); i++) {
            String c = AnalyzeResults.CATEGORIES.get(i);
            assertEquals(want.getOrDefault(c, 0.0), an.categoriesMs()[i], TOL, c);
        }
        double all = Arrays.stream(an.categoriesMs()).sum();
        assertEquals((0.582 + 0.584 + 0.586 + 0.001234) / 4, all, TOL, "categories + overheads = mean Method::execute");
        assertEquals((conv + gemm + dm + other + 3 * 0.0088) / 4, an.operatorMs(), TOL);
        assertEquals((0.566 + 0.568 + 0.570 + 3 * 0.0032) / 4, an.delegateCallMs(), TOL);
        Map<String, AnalyzeResults.OpStat> ops = new HashMap<>();
        an.operators().forEach(o -> ops.put(o.name(), o));
        assertEquals(List.of("Convolution (NHWC, PF32) IGEMM", "Fully Connected (NC, PF32) GEMM", "Convolution (NHWC, F32) DWConv",
                "Pack LH (X32)", "native_call_mean.out", "7"), an.operators().stream().map(AnalyzeResults.OpStat::name).toList(), "by time");
        AnalyzeResults.OpStat mean = ops.get("native_call_mean.out");
        assertEquals(List.of("portable", "POOL_REDUCE"), List.of(mean.kind(), mean.category()));
        assertEquals(0.75, mean.countPerRun(), 0, "counted once per run: the OPERATOR_CALL around it is not an operator");
        assertEquals(3 * 0.0088 / 4, mean.meanMsPerRun(), TOL);
        assertNull(mean.shareOfDelegate());
        assertEquals("delegate", ops.get("7").kind(), "an int delegate id without a .pte: not XNNPACK");
        AnalyzeResults.OpStat ig = ops.get("Convolution (NHWC, PF32) IGEMM");
        assertEquals("xnnpack", ig.kind());
        assertEquals(ig.meanMsPerRun() / an.delegateCallMs(), ig.shareOfDelegate(), TOL);
        assertEquals(ig.meanMsPerRun() / ((0.582 + 0.584 + 0.586 + 0.001234) / 4), ig.shareOfE2e(), TOL);
        assertTrue(an.warnings().contains("1 allocation event(s): not part of the Inspector table (Inspector itself fails on them)"), an.warnings().toString());
    }

    /**
     * A run without Method::execute has no end-to-end time, so it is left out of every figure (with a warning): the
     * categories then add up to the mean Method::execute of the runs that have one. Worked by hand (times in ns):
     * run 1: IGEMM 3000, DELEGATE_CALL 5000, Method::execute 8000; run 2: IGEMM 10000, DELEGATE_CALL 12000, no
     * Method::execute; run 3: IGEMM 5000, DELEGATE_CALL 7000, Method::execute 10000.
     */
    @Test
    void aRunWithoutMethodExecuteIsLeftOutOfEveryFigure() {
        String igemm = "Convolution (NHWC, F32) IGEMM";
        EtdumpWriter w = new EtdumpWriter()
                .block("Execute").delegate(igemm + " #1", 0, 2000, 5000).op("DELEGATE_CALL", 0, 1000, 6000).op("Method::execute", 0, 0, 8000)
                .block("Execute").delegate(igemm + " #1", 0, 2000, 12000).op("DELEGATE_CALL", 0, 1000, 13000)
                .block("Execute").delegate(igemm + " #1", 0, 2000, 7000).op("DELEGATE_CALL", 0, 1000, 8000).op("Method::execute", 0, 0, 10000);
        AnalyzeResults.Etdump d = AnalyzeResults.parseEtdump("partial.etdump", w.finish());
        AnalyzeResults.Experiment e = experiment("partial", d, null);
        AnalyzeResults.Analysis an = e.an();
        assertEquals(3, an.runsTotal());
        assertEquals(2, an.runsUsed());
        assertEquals(List.of(0, 2), an.usedRuns());
        assertArrayEquals(new double[]{0.008, 0.010}, an.latencyMs(), 0);
        assertEquals(0.009, an.e2e().mean(), TOL);
        Map<String, Double> want = Map.of("CONV", 0.004, "DELEGATE_OVERHEAD", 0.002, "RUNTIME_OVERHEAD", 0.003);
        for (int i = 0; i < AnalyzeResults.CATEGORIES.size(); i++)
            assertEquals(want.getOrDefault(AnalyzeResults.CATEGORIES.get(i), 0.0), an.categoriesMs()[i], TOL, AnalyzeResults.CATEGORIES.get(i));
        assertEquals(0.009, Arrays.stream(an.categoriesMs()).sum(), TOL, "categories + overheads = mean Method::execute");
        assertEquals(0.004, an.operatorMs(), TOL);
        assertEquals(1.0, an.categoryShare(0), TOL);
        assertEquals(0.006, an.delegateCallMs(), TOL);
        AnalyzeResults.OpStat op = an.operators().get(0);
        assertEquals(List.of(igemm, "CONV"), List.of(op.name(), op.category()));
        assertEquals(1.0, op.countPerRun(), 0, "one per counted run");
        assertEquals(0.004, op.meanMsPerRun(), TOL);
        assertEquals(0.004 / 0.009, op.shareOfE2e(), TOL);
        assertEquals(0.004 / 0.006, op.shareOfDelegate(), TOL);
        assertTrue(an.warnings().contains("1 run(s) have no Method::execute event: left out, so latency, operators and categories are "
                + "means over the 2 run(s) that have one"), an.warnings().toString());
        List<String> csv = AnalyzeResults.categoriesCsv(List.of(e)).lines().toList();
        assertEquals("partial,CONV," + AnalyzeResults.py(an.categoriesMs()[0]) + ",1.0," + AnalyzeResults.py(an.categoriesMs()[0] / an.e2e().mean()), csv.get(1));
        double e2eShares = 0;
        for (String line : csv.subList(1, csv.size())) e2eShares += Double.parseDouble(line.substring(line.lastIndexOf(',') + 1));
        assertEquals(1.0, e2eShares, TOL, "shares of e2e add up to 1");
        JsonNode j = AnalyzeResults.experimentJson(e);
        assertEquals(0.009, j.get("e2e_ms").get("mean").asDouble(), TOL);
        assertEquals(0.004 / 0.009, j.get("operators").get(0).get("share_of_e2e").asDouble(), TOL);

        // No run with Method::execute: every run counts, there is no end-to-end time and no runtime overhead.
        AnalyzeResults.Analysis none = AnalyzeResults.analyse(AnalyzeResults.parseEtdump("none.etdump", new EtdumpWriter()
                .block("Execute").delegate(igemm + " #1", 0, 2000, 12000).op("DELEGATE_CALL", 0, 1000, 13000).finish()), null, null, 0);
        assertEquals(1, none.runsUsed());
        assertNull(none.e2e());
        assertEquals(0.010, none.categoriesMs()[0], TOL);
        assertEquals(0.002, none.categoriesMs()[AnalyzeResults.DELEGATE_OVERHEAD], TOL);
        assertEquals(0.0, none.categoriesMs()[AnalyzeResults.RUNTIME_OVERHEAD], 0);
        assertTrue(none.warnings().contains("1 run(s) have no Method::execute event: no end-to-end time for them"), none.warnings().toString());
    }

    /** A warm-up execution without Method::execute has no time: null in cold_start.warmup_ms (JSON numbers or null, never "NaN"). */
    @Test
    void aWarmupRunWithoutMethodExecuteIsNullInTheColdStart() {
        String igemm = "Convolution (NHWC, F32) IGEMM";
        EtdumpWriter w = new EtdumpWriter()
                .block("Execute").delegate(igemm + " #1", 0, 2000, 12000).op("DELEGATE_CALL", 0, 1000, 13000)
                .block("Execute").delegate(igemm + " #1", 0, 2000, 5000).op("DELEGATE_CALL", 0, 1000, 6000).op("Method::execute", 0, 0, 8000)
                .block("Execute").delegate(igemm + " #1", 0, 2000, 7000).op("DELEGATE_CALL", 0, 1000, 8000).op("Method::execute", 0, 0, 10000);
        AnalyzeResults.Etdump d = AnalyzeResults.parseEtdump("warm.etdump", w.finish());
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(d, null, null, 1);
        JsonNode warm = AnalyzeResults.coldStartJson(an).get("warmup_ms");
        assertEquals(1, warm.size());
        assertTrue(warm.get(0).isNull(), warm.toString());
        assertTrue(AnalyzeResults.coldStartJson(an).get("first_execution_ms").isNull());
    }

    @Test
    void portableKernelsOfTheDocsEtdumpAreCategorised() {
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(AnalyzeResults.readEtdump(TestKit.shared("etdump/executorch-docs-portable-cnn.etdp")), null, null, 0);
        double conv = 0.544783 + 1.031719, act = 0.008394 + 0.000971 + 0.000151 + 0.0001, pool = 0.050326 + 0.014081;
        double dm = 0.153501 + 0.032911 + 0.003305, gemm = 0.040962 + 0.007191 + 0.000691;
        Map<String, Double> want = Map.of("CONV", conv, "ACTIVATION", act, "POOL_REDUCE", pool, "DATA_MOVEMENT", dm, "GEMM", gemm,
                "RUNTIME_OVERHEAD", 1.898821 - (conv + act + pool + dm + gemm));
        for (int i = 0; i < AnalyzeResults.CATEGORIES.size(); i++)
            assertEquals(want.getOrDefault(AnalyzeResults.CATEGORIES.get(i), 0.0), an.categoriesMs()[i], 1e-9, AnalyzeResults.CATEGORIES.get(i));
        assertNull(an.delegateCallMs());
        assertEquals(5, an.operators().size(), "convolution, relu, max_pool, permute, addmm (one row per kernel name)");
        assertEquals(List.of(), AnalyzeResults.secondaryHints(an.operatorTypesSeen()));
    }

    @Test
    void anOperatorCallWithoutNativeCallIsNamedFromThePte() throws Exception {
        byte[] b = new EtdumpWriter().block("Execute").op("OPERATOR_CALL", 0, 100, 5100).op("Method::execute", 0, 0, 6000).finish();
        AnalyzeResults.Etdump d = AnalyzeResults.parseEtdump("d", b);
        AnalyzeResults.OpStat bare = AnalyzeResults.analyse(d, null, null, 0).operators().get(0);
        assertEquals(List.of("OPERATOR_CALL (instruction 0)", "portable", "OTHER"), List.of(bare.name(), bare.kind(), bare.category()));
        AnalyzeResults.Program add = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-apple-add.pte"));
        AnalyzeResults.OpStat named = AnalyzeResults.analyse(d, add, null, 0).operators().get(0);
        assertEquals(List.of("aten::add.out", "portable", "ELEMENTWISE"), List.of(named.name(), named.kind(), named.category()));
        assertEquals(0.005, named.meanMsPerRun(), 0);
    }

    /** The operator view of the real MobileNet-like run, against sums taken here straight from the reader's events. */
    @Test
    void operatorViewOfTheRealMobilenetRun() {
        AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t1.etdump"));
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (AnalyzeResults.RunData r : d.runs().subList(1, 21))
            for (AnalyzeResults.Ev e : r.events()) {
                AnalyzeResults.Profile p = (AnalyzeResults.Profile) e;
                if (!p.delegated()) continue;
                double[] s = sums.computeIfAbsent(p.delegateIdStr().replaceAll(" #\\d+$", ""), k -> new double[2]);
                s[0]++;
                s[1] += p.end() / 1e6 - p.start() / 1e6;
            }
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(d, null, null, 0);
        assertEquals(sums.keySet(), new java.util.HashSet<>(an.operatorTypesSeen()));
        for (AnalyzeResults.OpStat o : an.operators()) {
            assertEquals(sums.get(o.name())[0] / 20, o.countPerRun(), 0, o.name());
            assertEquals(sums.get(o.name())[1] / 20, o.meanMsPerRun(), TOL, o.name());
        }
        assertEquals(List.of(14.0, 13.0, 1.0, 2.0, 1.0, 1.0), an.operators().stream().map(AnalyzeResults.OpStat::countPerRun).toList());
        assertEquals("GEMM", an.operators().get(0).category());
    }

    @Test
    void skipRunsDropsLeadingExecutions() {
        AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t1.etdump"));
        AnalyzeResults.Analysis all = AnalyzeResults.analyse(d, null, null, 0), skipped = AnalyzeResults.analyse(d, null, null, 1);
        assertEquals(20, skipped.runsTotal());
        assertEquals(19, skipped.runsUsed());
        assertArrayEquals(Arrays.copyOfRange(all.latencyMs(), 1, 20), skipped.latencyMs(), 0);
        assertEquals(5.066948, all.latencyMs()[0], 0);
        assertTrue(all.warnings().stream().anyMatch(w -> w.startsWith("the first counted execution took 5.067 ms")), all.warnings().toString());
        assertTrue(skipped.warnings().stream().noneMatch(w -> w.startsWith("the first counted execution took")), skipped.warnings().toString());
        assertEquals("--skip-runs 20 drops all 20 executions of " + d.file(),
                assertThrows(Kit.UserError.class, () -> AnalyzeResults.analyse(d, null, null, 20)).getMessage());
    }

    // ------------------------------------------------------------------------------------------------ kernel evidence, program view

    @Test
    void sme2VerdictsAndSecondaryEvidence() {
        assertEquals(new AnalyzeResults.Evidence("unknown", "SME2 microkernels selected (kernel log): unknown (no kernel log)", List.of()),
                AnalyzeResults.sme2Evidence(null, null, List.of()));
        AnalyzeResults.KernelLog timing = AnalyzeResults.readKernelLog(TestKit.shipped("runner/corey-cole-djl-add-xnnpack.log"));
        assertEquals("unknown", AnalyzeResults.sme2Evidence(timing, null, List.of()).verdict());
        AnalyzeResults.KernelLog x86 = AnalyzeResults.readKernelLog(TestKit.shipped("runner-xnnlog/corey-cole-djl-add-xnnpack.log"));
        assertEquals(new AnalyzeResults.Evidence("no", "SME2 microkernels selected (kernel log): no (log borrowed from the kernel-logging run a/t1): none of 2 "
                + "microkernels is __neonsme2 (ISAs: avx512f 2)", List.of()), AnalyzeResults.sme2Evidence(x86, "a/t1", List.of()));
        List<String> hints = AnalyzeResults.secondaryHints(AnalyzeResults.analyse(synthetic(), null, null, 0).operatorTypesSeen());
        assertEquals(List.of("operator types PF32 / Pack LH present: KleidiAI packed-LHS paths, which XNNPACK selects only on CPUs with "
                + "SME2 or SME (secondary evidence)"), hints);
        assertEquals(List.of("operator type QP8 present: KleidiAI dynamically quantised GEMM (SME2, SME or NEON dot-product kernels; "
                + "secondary evidence)"), AnalyzeResults.secondaryHints(List.of("Fully Connected (NC, QP8, F32, QC4W) GEMM")));
    }

    @Test
    void programViewOfTheShippedMobilenet() {
        AnalyzeResults.Program p = AnalyzeResults.readProgram(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t1.etdump")), p, null, 0);
        JsonNode v = AnalyzeResults.programView(p, null, an);
        assertEquals("forward", v.get("method").asText());
        assertEquals(1, v.get("instructions").asInt());
        assertEquals(0, v.get("kernel_calls").asInt());
        assertEquals(1, v.get("delegated_calls").asInt());
        assertEquals(6, v.get("operators_total").asInt());
        assertEquals(List.of("XnnpackBackend"), texts(v.get("backends")));
        assertEquals(List.of(), texts(v.get("outside_delegate")));
        assertEquals(List.of("Transpose (ND, X32)", "Convolution (NHWC, F32) IGEMM", "Convolution (NHWC, F32) DWConv",
                "Fully Connected (NC, F32) GEMM", "Mean (ND) Reduce2", "Static Reshape (NC)"), texts(v.get("inside_delegate")));
        assertTrue(v.get("inside_delegate_aten").isNull());
        assertEquals(32, v.get("header").get("length").asInt());
        assertEquals(List.of(), an.warnings().stream().filter(w -> w.contains(".pte")).toList(), "the .pte matches the ETDump");
    }

    @Test
    void aPteThatDoesNotMatchTheEtdumpIsReported() {
        AnalyzeResults.Program add = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-apple-add.pte"));
        List<String> w = AnalyzeResults.analyse(synthetic(), add, null, 0).warnings();
        assertTrue(w.contains("the ETDump names instruction 2 but the .pte's method forward has 1 instructions: is it the .pte that ran?"), w.toString());
        assertTrue(w.contains("DELEGATE_CALL at instruction 0 but the .pte has no delegate call there: is it the .pte that ran?"), w.toString());
    }

    static List<String> texts(JsonNode a) {
        List<String> r = new ArrayList<>();
        a.forEach(x -> r.add(x.asText()));
        return r;
    }

    // ------------------------------------------------------------------------------------------------ comparison

    static AnalyzeResults.Analysis model(double scale, long seed, int runs) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] scales = new double[runs];
        for (int i = 0; i < runs; i++) scales[i] = scale * (1 + (rnd.nextDouble() - 0.5) * 0.06);
        return AnalyzeResults.analyse(AnalyzeResults.parseEtdump("m" + seed,
                EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), runs, scales).finish()), null, null, 0);
    }

    @Test
    void clearlyDifferentRunsGiveASpeedupWithAConfidenceInterval() {
        AnalyzeResults.Analysis off = model(2.0, 1, 20), on = model(1.0, 2, 20);
        AnalyzeResults.Comparison c = AnalyzeResults.compare("SME2 on vs off", "off", off, "on", on);
        assertEquals(middle(off.latencyMs()) / middle(on.latencyMs()), c.speedup(), TOL, "ratio of the medians");
        assertTrue(c.speedup() > 1.8 && c.speedup() < 2.2, c.toString());
        assertTrue(c.ci().low() > 1.5 && c.ci().low() <= c.speedup() && c.ci().high() >= c.speedup(), c.ci().toString());
        assertFalse(c.withinNoise());
        assertEquals(String.format(java.util.Locale.ROOT, "candidate faster: %.2fx (95%% CI %.2f–%.2f)", c.speedup(), c.ci().low(), c.ci().high()), c.verdict());
        int conv = AnalyzeResults.CATEGORIES.indexOf("CONV");
        assertEquals(off.categoriesMs()[conv], c.before()[conv], 0);
        assertEquals(on.categoriesMs()[conv], c.after()[conv], 0);
        double shares = 0;
        for (Double s : c.shareAfter()) shares += s;
        assertEquals(1.0, shares, TOL, "the bottleneck shift: shares of operator time before and after, each summing to 1");
        assertEquals(c.operatorDeltas().get(0).name(), "Fully Connected (NC, F32) GEMM", "largest change first");
        AnalyzeResults.Comparison again = AnalyzeResults.compare("x", "off", off, "on", on);
        assertEquals(c.ci(), again.ci(), "a fixed seed: the same interval every time");
    }

    /** The median of an even number of values, taken here: the mean of the two middle ones. */
    static double middle(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        assertEquals(0, s.length % 2, "an even count");
        return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Worked by hand: every run of the baseline has GEMM 300 µs and Add 40 µs, the candidate GEMM 100 µs and Add 50 µs;
     * delegatedModel adds 10 µs of framework time, so Method::execute is 350 µs against 160 µs.
     */
    @Test
    void operatorDeltasAndTheSpeedupOfAHandWorkedPair() {
        String fc = "Fully Connected (NC, F32) GEMM", add = "Add (ND)";
        AnalyzeResults.Analysis base = AnalyzeResults.analyse(AnalyzeResults.parseEtdump("base", EtdumpWriter.delegatedModel(
                List.of(new EtdumpWriter.XnnOp(fc, 300), new EtdumpWriter.XnnOp(add, 40)), 3, null).finish()), null, null, 0);
        AnalyzeResults.Analysis cand = AnalyzeResults.analyse(AnalyzeResults.parseEtdump("cand", EtdumpWriter.delegatedModel(
                List.of(new EtdumpWriter.XnnOp(fc, 100), new EtdumpWriter.XnnOp(add, 50)), 3, null).finish()), null, null, 0);
        AnalyzeResults.Comparison c = AnalyzeResults.compare("x", "base", base, "cand", cand);
        assertEquals(0.350, c.baselineMedian(), TOL);
        assertEquals(0.160, c.candidateMedian(), TOL);
        assertEquals(2.1875, c.speedup(), TOL);
        assertEquals(List.of(fc, add), c.operatorDeltas().stream().map(AnalyzeResults.OpDelta::name).toList(), "largest change first");
        AnalyzeResults.OpDelta g = c.operatorDeltas().get(0), a = c.operatorDeltas().get(1);
        assertEquals(List.of("GEMM", "ELEMENTWISE"), List.of(g.category(), a.category()));
        assertEquals(0.300, g.beforeMs(), TOL);
        assertEquals(0.100, g.afterMs(), TOL);
        assertEquals(-0.200, g.deltaMs(), TOL);
        assertEquals(3.0, g.speedup(), TOL);
        assertEquals(0.010, a.deltaMs(), TOL);
        assertEquals(0.8, a.speedup(), TOL);
    }

    @Test
    void noiseOnlyRunsAreWithinNoise() {
        AnalyzeResults.Analysis a = model(1.0, 7, 20), b = model(1.0, 8, 20);
        AnalyzeResults.Comparison c = AnalyzeResults.compare("same", "a", a, "b", b);
        assertTrue(c.withinNoise(), c.verdict());
        assertTrue(c.verdict().startsWith("no measurable change: ") && c.verdict().endsWith(" includes 1.0"), c.verdict());
        AnalyzeResults.Comparison self = AnalyzeResults.compare("self", "a", a, "a", a);
        assertEquals(1.0, self.speedup(), 0);
        assertTrue(self.withinNoise());
    }

    @Test
    void theRealOneVersusTwoThreadPairOfTheMobilenetRuns() {
        AnalyzeResults.Analysis t1 = AnalyzeResults.analyse(AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t1.etdump")), null, null, 0);
        AnalyzeResults.Analysis t2 = AnalyzeResults.analyse(AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t2.etdump")), null, null, 0);
        AnalyzeResults.Comparison c = AnalyzeResults.compare("2 threads vs 1", "t1", t1, "t2", t2);
        assertEquals(2.1291520000000004, c.baselineMedian(), 0, "the median the pipeline recorded in the demo manifest");
        assertEquals(1.476367, c.candidateMedian(), 0);
        assertEquals(2.1291520000000004 / 1.476367, c.speedup(), 0);
        assertFalse(c.withinNoise(), c.verdict());
        assertTrue(c.verdict().startsWith("candidate faster: 1.44x"), c.verdict());
        assertNull(AnalyzeResults.bootstrap(new double[]{1}, new double[]{1, 2}, 100, 1), "no interval from one run");
    }

    // ------------------------------------------------------------------------------------------------ outputs

    @Test
    void pythonFloatReprForTheCsv() {
        Map<Double, String> cases = new LinkedHashMap<>();
        cases.put(0.30000000000000004, "0.30000000000000004");
        cases.put(300.0, "300.0");
        cases.put(0.0001, "0.0001");
        cases.put(0.00001, "1e-05");
        cases.put(0.000971, "0.000971");
        cases.put(1.5e16, "1.5e+16");
        cases.put(1e15, "1000000000000000.0");
        cases.put(-2.5e-7, "-2.5e-07");
        cases.put(0.0, "0.0");
        cases.forEach((d, s) -> assertEquals(s, AnalyzeResults.py(d), String.valueOf(d)));
        assertEquals("[]", AnalyzeResults.pyList(List.of()));
        assertEquals("['a', 'b']", AnalyzeResults.pyList(List.of("a", "b")));
        assertEquals("['a', 'b' ... 'e'] (5 total)", AnalyzeResults.pyList(List.of("a", "b", "c", "d", "e")));
    }

    @Test
    void inspectorCsvHasInspectorsColumnsAndRows() {
        String csv = AnalyzeResults.inspectorCsv(List.of(experiment("s", synthetic(), null)));
        List<String> lines = csv.lines().toList();
        assertEquals(AnalyzeResults.INSPECTOR_HEADER, lines.get(0));
        assertEquals("event_block_name,event_name,raw,p10 (ms),p50 (ms),p90 (ms),avg (ms),min (ms),max (ms),op_types,delegate_debug_identifier,"
                + "stack_traces,module_hierarchy,is_delegated_op,delegate_backend_name,debug_data,start_time", lines.get(0), "Inspector.to_dataframe's columns, in its order");
        assertEquals(1 + 2 + 10 + 2, lines.size());
        assertEquals("Default,Method::init,[0.05],0.05,0.05,0.05,0.05,0.05,0.05,[],,,,False,,[],[1000]", lines.get(1));
        // expected values: numpy 2.4.6 on the raw durations (Inspector's PerfData)
        assertEquals("Execute,7,\"[0.0020000000000000018, 0.0020000000000000018, 0.0019999999999997797]\",0.001999999999999824,0.0020000000000000018,"
                + "0.0020000000000000018,0.0019999999999999276,0.0019999999999997797,0.0020000000000000018,[],7,,,True,,[],\"[678000, 1348000, 2020000]\"",
                lines.get(10));
        assertEquals("Execute,Pack LH (X32) #1,\"[0.019999999999999962, 0.020000000000000018, 0.020000000000000018]\",0.019999999999999973,"
                + "0.020000000000000018,0.020000000000000018,0.02,0.019999999999999962,0.020000000000000018,[],Pack LH (X32) #1,,,True,,[],"
                + "\"[402000, 1071000, 1742000]\"", lines.get(4));
        assertEquals("Execute,\"Convolution (NHWC, PF32) IGEMM #1\"", lines.get(3).substring(0, lines.get(3).indexOf("\",") + 1), "commas quoted");
        assertEquals("Execute,native_call_mean.out,,,,,,,,[],,,,False,,[42],", lines.get(13), "debug-only event: no timing, its Int value as debug_data");
        assertTrue(lines.contains("Execute,OPERATOR_CALL,\"[0.0095, 0.0095, 0.0095]\",0.0095,0.0095,0.0095,0.0095,0.0095,0.0095,[],,,,False,,[],"
                + "\"[668000, 1338000, 2010000]\""), "OPERATOR_CALL rows kept");
    }

    // ------------------------------------------------------------------------------------------------ command line

    static JsonNode json(TestKit.Run r) throws Exception {
        assertEquals(0, r.code(), r.toString());
        return Kit.JSON.readTree(r.out());
    }

    @Test
    void singleEtdumpWritesEveryOutputAndTheSummaryFollowsTheContract() throws Exception {
        Path out = tmp.resolve("out");
        JsonNode s = json(TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", TestKit.shipped(SYNTHETIC).toString(),
                "--out", out.toString(), "--json")));
        for (String f : AnalyzeResults.OUTPUT_FILES) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        assertEquals(s, Kit.readJson(out.resolve("analysis_summary.json")), "stdout and the file hold the same summary");
        for (String k : List.of("schema_version", "generated_at", "tool", "source", "run", "category_rules", "experiments", "comparisons", "insights"))
            assertTrue(s.has(k), k);
        assertEquals("AnalyzeResults 0.1.0", s.get("tool").asText());
        assertTrue(s.get("run").isNull());
        JsonNode e = s.get("experiments").get(0);
        for (String k : List.of("label", "experiment", "threads", "mode", "etdump", "kernel_log", "runs_total", "skip_runs", "latency_ms",
                "e2e_ms", "delegate_call_ms", "operator_ms", "categories_ms", "category_share", "operators", "kernels", "sme2_evidence",
                "sme2_evidence_detail", "secondary_hints", "program", "warnings"))
            assertTrue(e.has(k), k);
        assertEquals("synthetic-xnnpack-3runs", e.get("label").asText());
        assertEquals(AnalyzeResults.CATEGORIES, iterate(e.get("categories_ms").fieldNames()));
        assertEquals(AnalyzeResults.CATEGORIES.subList(0, 9), iterate(e.get("category_share").fieldNames()));
        assertEquals(List.of("n", "mean", "median", "p10", "p90", "min", "max", "stdev", "cv_percent"), iterate(e.get("e2e_ms").fieldNames()));
        assertEquals(4, e.get("e2e_ms").get("n").asInt());
        assertEquals("unknown", e.get("sme2_evidence").asText());
        assertTrue(e.get("kernels").get("log").isNull());
        assertTrue(e.get("program").isNull());
        assertEquals(6, e.get("operators").size());
        assertEquals(List.of("name", "kind", "category", "count_per_run", "mean_ms_per_run", "share_of_delegate", "share_of_e2e"),
                iterate(e.get("operators").get(0).fieldNames()));
        assertEquals(AnalyzeResults.INSPECTOR_HEADER, Files.readAllLines(out.resolve("inspector.csv")).get(0));
        assertEquals("experiment,name,kind,category,count_per_run,mean_ms_per_run,share_of_delegate,share_of_e2e",
                Files.readAllLines(out.resolve("operators.csv")).get(0));
        assertEquals(1 + 11, Files.readAllLines(out.resolve("categories.csv")).size());
        assertEquals(1, Files.readAllLines(out.resolve("comparison.csv")).size(), "header only: nothing compared");
    }

    static List<String> iterate(java.util.Iterator<String> it) {
        List<String> r = new ArrayList<>();
        it.forEachRemaining(r::add);
        return r;
    }

    /** trace.json: Chrome trace events, one process per experiment and one thread per block, events nested as they ran. */
    @Test
    void traceJsonNestsEventsAsTheyRan() throws Exception {
        Path out = tmp.resolve("out");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", TestKit.shipped("runner-mnv1/mnv1-t1.etdump").toString(),
                "--out", out.toString(), "--skip-runs", "1", "--trace-runs", "5"));
        assertEquals(0, r.code(), r.toString());
        JsonNode events = Kit.readJson(out.resolve("trace.json")).get("traceEvents");
        Map<String, String> threads = new LinkedHashMap<>();
        Map<Integer, List<JsonNode>> byTid = new LinkedHashMap<>();
        for (JsonNode ev : events) {
            if (ev.get("ph").asText().equals("M")) {
                if (ev.get("name").asText().equals("thread_name")) threads.put(ev.get("tid").asText(), ev.get("args").get("name").asText());
                else assertEquals("mnv1-t1", ev.get("args").get("name").asText());
                continue;
            }
            assertEquals("X", ev.get("ph").asText());
            assertEquals(1, ev.get("pid").asInt());
            byTid.computeIfAbsent(ev.get("tid").asInt(), k -> new ArrayList<>()).add(ev);
        }
        assertEquals(Map.of("0", "Default", "1", "run 1 (skipped)", "2", "run 2", "3", "run 3", "4", "run 4", "5", "run 5"), threads);
        for (int tid = 1; tid <= 5; tid++) {
            List<JsonNode> run = byTid.get(tid);
            assertEquals(34, run.size());
            JsonNode exec = run.get(0), call = run.get(1);
            assertEquals("Method::execute", exec.get("name").asText(), "outermost first");
            assertEquals("DELEGATE_CALL", call.get("name").asText());
            assertTrue(inside(call, exec));
            for (JsonNode op : run.subList(2, 34)) {
                assertTrue(inside(op, call), op.toString());
                assertEquals(0, op.get("dur").asDouble() % 1, 1e-9, "XNNPACK durations are whole microseconds");
            }
        }
    }

    static boolean inside(JsonNode in, JsonNode out) {
        double s = in.get("ts").asDouble(), e = s + in.get("dur").asDouble();
        double os = out.get("ts").asDouble(), oe = os + out.get("dur").asDouble();
        return s >= os - 1e-6 && e <= oe + 1e-6;
    }

    /** The shipped demo run folder: manifest, config compare pairs, the model .pte and the kernel-logging twin. */
    @Test
    void runFolderOfTheDemo() throws Exception {
        Path demo = TestKit.shipped("demo-run"), out = tmp.resolve("demo-analysis");
        JsonNode s = json(TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", demo.toString(), "--out", out.toString(), "--json")));
        assertEquals(List.of("host_fp32/t1", "host_fp32/t2", "host_fp32_xnnlog/t1", "host_fp32_xnnlog/t2"), texts(labelsOf(s)));
        JsonNode manifest = Kit.readJson(demo.resolve("manifest.json"));
        for (int i = 0; i < 4; i++) {
            JsonNode e = s.get("experiments").get(i);
            assertEquals(manifest.get("results").get(i).get("metrics").get("latency_ms"), e.get("latency_ms"),
                    "the pipeline's latencies are the ETDump's Method::execute durations");
            assertEquals(manifest.get("results").get(i).get("metrics").get("median_ms").asDouble(), e.get("e2e_ms").get("median").asDouble(), 0);
            assertEquals("XnnpackBackend", e.get("program").get("backends").get(0).asText());
        }
        JsonNode t1 = s.get("experiments").get(0);
        assertEquals("host_fp32_xnnlog/t1", t1.get("kernel_log_from").asText(), "kernel evidence from the kernel-logging twin");
        assertEquals("no", t1.get("sme2_evidence").asText());
        assertEquals(32, t1.get("kernels").get("total").asInt());
        assertEquals("timing", t1.get("mode").asText());
        assertEquals(1, t1.get("threads").asInt());
        JsonNode c = s.get("comparisons").get(0);
        assertEquals("2 threads vs 1 thread (real x86-64 runs; not an SME2 comparison)", c.get("label").asText());
        assertEquals(List.of("host_fp32/t1", "host_fp32/t2"), List.of(c.get("baseline").asText(), c.get("candidate").asText()));
        assertFalse(c.get("within_noise").asBoolean());
        assertEquals("e2f18eb2", s.get("run").get("executorch").get("sha").asText());
        assertTrue(s.get("source").get("model").asText().endsWith("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        assertTrue(s.get("experiments").get(2).get("warnings").toString().contains("xnntrace mode: timings include XNNPACK's logging"));
        String header = Files.readAllLines(out.resolve("inspector.csv")).get(0);
        assertEquals(AnalyzeResults.INSPECTOR_HEADER + ",experiment", header, "several experiments: one more column, at the end");
        assertEquals(1 + 1 + 11 + 6, Files.readAllLines(out.resolve("comparison.csv")).size(), "e2e, 11 categories, 6 operators");
    }

    static JsonNode labelsOf(JsonNode s) {
        var a = Kit.JSON.createArrayNode();
        s.get("experiments").forEach(e -> a.add(e.get("label")));
        return a;
    }

    @Test
    void dryRunPrintsWhatItWouldReadAndWriteAndWritesNothing() throws Exception {
        Path out = tmp.resolve("never");
        Path t1 = TestKit.shipped("runner-mnv1/mnv1-t1.etdump"), t2 = TestKit.shipped("runner-mnv1/mnv1-t2.etdump");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", t1.toString(), "--label", "one", "--etdump", t2.toString(),
                "--label", "two", "--compare", "one", "two", "--out", out.toString(), "--dry-run"));
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("experiment one", "experiment two", "compare    one -> two (two vs one)", "read       " + t1.toAbsolutePath().normalize(),
                "read       " + t2.toAbsolutePath().normalize()), lines.subList(0, 5));
        assertTrue(lines.contains("write      " + out.resolve("inspector.csv")));
        assertTrue(lines.contains("write      " + out.resolve("report.html")));
        assertFalse(Files.exists(out));
        JsonNode j = json(TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", TestKit.shipped("demo-run").toString(), "--dry-run", "--json")));
        assertEquals(4, j.get("experiments").size());
        assertTrue(j.get("writes").get(0).asText().endsWith("demo-run/analysis/analysis_summary.json"));
        assertFalse(Files.exists(TestKit.shipped("demo-run/analysis")));
    }

    @Test
    void severalEtdumpsWithKernelLogsAndAnAutomaticSme2Pair() throws Exception {
        Path off = write("off.etdump", EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 12, null).finish());
        double[] half = new double[12];
        Arrays.fill(half, 0.5);
        Path on = write("on.etdump", EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 12, half).finish());
        Path onLog = write("on.log", ("I/XNNPACK( 1): Using gemm microkernel 'xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2'.\n").getBytes());
        Path offLog = TestKit.shipped("runner-mnv1/mnv1-xnnlog.log");
        Path out = tmp.resolve("o");
        JsonNode s = json(TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", off.toString(), "--label", "mv2_sme2_off",
                "--etdump", on.toString(), "--label", "mv2_sme2_on", "--kernel-log", offLog.toString(), "--kernel-log", onLog.toString(),
                "--out", out.toString(), "--json")));
        assertEquals(List.of("no", "yes"), List.of(s.get("experiments").get(0).get("sme2_evidence").asText(), s.get("experiments").get(1).get("sme2_evidence").asText()));
        JsonNode c = s.get("comparisons").get(0);
        assertEquals("SME2 on vs off", c.get("label").asText());
        assertEquals("mv2_sme2_off", c.get("baseline").asText());
        assertTrue(c.get("verdict").asText().startsWith("candidate faster: "), c.toString());
        List<String> kernels = Files.readAllLines(out.resolve("kernels.csv"));
        assertEquals("experiment,category,name,isa,count,sme2,log", kernels.get(0));
        assertEquals("mv2_sme2_on,gemm,xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2,neonsme2,1,true," + onLog.toAbsolutePath().normalize(), kernels.get(kernels.size() - 1));
        TestKit.Run again = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", off.toString(), "--out", out.toString(), "--top", "2"));
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("replacing the earlier analysis in " + out), again.err());
        List<String> console = again.out().lines().toList();
        assertEquals("off", console.get(0));
        assertTrue(console.get(1).startsWith("  12 runs (of 12): median "), console.get(1));
        assertEquals(2, console.stream().filter(l -> l.startsWith("    ")).count(), "--top 2: two operator lines\n" + again.out());
        assertTrue(console.get(2).startsWith("  cold start: first execution "), console.get(2));
        assertTrue(console.get(4).startsWith("    Fully Connected (NC, F32) GEMM"), console.get(4));
    }

    @Test
    void aKernelLogAloneGivesKernelEvidenceOnly() throws Exception {
        Path log = TestKit.shipped("runner-mnv1/mnv1-xnnlog.log");
        JsonNode e = json(TestKit.inProcess((o, er) -> AnalyzeResults.run(o, er, "--kernel-log", log.toString(), "--out", tmp.resolve("k").toString(), "--json")))
                .get("experiments").get(0);
        assertEquals("mnv1-xnnlog", e.get("label").asText());
        assertTrue(e.get("etdump").isNull());
        assertTrue(e.get("e2e_ms").isNull());
        assertTrue(e.get("categories_ms").get("CONV").isNull());
        assertEquals(32, e.get("kernels").get("total").asInt());
        assertEquals(38, e.get("kernels").get("announcements").asInt());
        assertEquals("no", e.get("sme2_evidence").asText());
    }

    @Test
    void usageErrorsExitWith2AndSayWhatToDo() throws Exception {
        Path dump = TestKit.shipped(SYNTHETIC);
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of(), "error: nothing to analyse: give --run-dir DIR, --etdump FILE or --kernel-log FILE");
        cases.put(List.of("--run-dir", tmp.toString(), "--etdump", dump.toString()), "error: --run-dir cannot be combined with --etdump, --label or --kernel-log");
        cases.put(List.of("--etdump", dump.toString(), "--label", "a", "--label", "b"), "error: 2 --label for 1 --etdump");
        cases.put(List.of("--etdump", dump.toString(), "--compare", "x", "synthetic-xnnpack-3runs"),
                "error: --compare x: no experiment has this label (labels: synthetic-xnnpack-3runs)");
        cases.put(List.of("--run-dir", tmp.toString()), "error: " + tmp + ": no manifest.json: not a pipeline run folder");
        cases.put(List.of("--etdump", tmp.resolve("missing.etdump").toString()), "error: " + tmp.resolve("missing.etdump") + ": file not found (an ETDump)");
        cases.put(List.of("--etdump", dump.toString(), "--skip-runs", "-1"), "error: --skip-runs -1: must be 0 or more");
        cases.put(List.of("--etdump", dump.toString(), "--etrecord", dump.toString()),
                "error: " + dump + ": byte 0: not a zip archive, so not an ETRecord; this is an ETDump (ED00 at byte 8); pass it with --etdump");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(c.getKey());
            args.addAll(List.of("--out", tmp.resolve("out").toString()));
            TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, args.toArray(String[]::new)));
            assertEquals(2, r.code(), c.getKey() + "\n" + r);
            assertEquals(c.getValue(), r.err().lines().findFirst().orElse(""), c.getKey().toString());
            assertTrue(r.err().lines().skip(1).findFirst().orElse("").startsWith("fix: "), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    /** End to end, as users run it: ./jbang scripts/AnalyzeResults.java as a real process. */
    @Test
    void runsAsARealProcessThroughJbang() throws Exception {
        Path out = tmp.resolve("e2e");
        TestKit.Run r = TestKit.jbang(TestKit.repo(), Map.of(), "scripts/AnalyzeResults.java", "--etdump",
                TestKit.shipped("runner-mnv1/mnv1-t1.etdump").toString(), "--pte", TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte").toString(),
                "--out", out.toString(), "--json");
        JsonNode s = json(r);
        JsonNode e = s.get("experiments").get(0);
        assertEquals(20, e.get("runs_total").asInt());
        assertEquals(2.1291520000000004, e.get("e2e_ms").get("median").asDouble(), 0);
        assertEquals("GEMM", e.get("operators").get(0).get("category").asText());
        assertEquals(1, e.get("program").get("delegated_calls").asInt());
        assertTrue(Files.isRegularFile(out.resolve("trace.json")));
        Path cut = write("cut.etdump", Arrays.copyOf(Files.readAllBytes(TestKit.shipped(SYNTHETIC)), 100));
        TestKit.Run bad = TestKit.jbang(TestKit.repo(), Map.of(), "scripts/AnalyzeResults.java", "--etdump", cut.toString(), "--out", out.toString());
        assertEquals(2, bad.code(), bad.toString());
        assertEquals("error: " + cut + ": byte 0: size prefix says 2996 bytes follow but the file has 96 (truncated or padded)", bad.err().lines().findFirst().orElse(""));
        assertFalse(bad.all().contains("Exception"), bad.toString());
    }
}
