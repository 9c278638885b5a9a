import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * inspector.csv has every per-event column of Inspector.to_dataframe (raw, stack_traces, module_hierarchy, debug_data,
 * start_time too), checked against ExecuTorch v1.3.1's own Inspector, and the report names the model code behind the
 * slow calls. The ETRecords are real v1.3.1 exports made with generate_etrecord=True (fixtures/etrecord/PROVENANCE.md).
 */
class InspectorColumnsTest {
    static final Path MNV1_T1 = TestKit.shipped("runner-mnv1/mnv1-t1.etdump");
    static final Path TOY_ETRECORD = TestKit.shipped("etrecord/toy_cnn_xnnpack_fp32.trimmed.etrecord");
    static final Path NET_ETRECORD = TestKit.shipped("etrecord/net_portable_fp32.trimmed.etrecord");
    /** Inspector(etdump_path=mnv1-t1.etdump, etrecord=toy_cnn_xnnpack_fp32.etrecord).to_dataframe(), rendered cell by cell (fixtures/inspector/PROVENANCE.md). */
    static final Path REAL_INSPECTOR = TestKit.shipped("inspector/mnv1-t1-toy_cnn-etrecord.inspector.csv");
    @TempDir Path tmp;

    TestKit.Run analyse(Path etdump, Path etrecord, Path out) {
        return TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", etdump.toString(), "--etrecord", etrecord.toString(),
                "--out", out.toString()));
    }

    @Test
    void inspectorCsvEqualsExecuTorchsInspectorRowByRowAndColumnByColumn() throws Exception {
        Path out = tmp.resolve("out");
        TestKit.Run r = analyse(MNV1_T1, TOY_ETRECORD, out);
        assertEquals(0, r.code(), r.toString());
        List<String> want = Files.readAllLines(REAL_INSPECTOR), got = Files.readAllLines(out.resolve("inspector.csv"));
        assertEquals(want.get(0), got.get(0), "the columns of Inspector.to_dataframe, in its order");
        assertEquals(want.size(), got.size());
        for (int i = 1; i < want.size(); i++) assertEquals(want.get(i), got.get(i), "row " + i);
    }

    @Test
    void theDelegateCallListsTheAtenOpsAndModulesInsideIt() {
        AnalyzeResults.EtRecord rec = AnalyzeResults.readEtRecord(TOY_ETRECORD);
        AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(MNV1_T1);
        AnalyzeResults.Row call = AnalyzeResults.inspector(d, rec).stream().flatMap(b -> b.rows().stream())
                .filter(x -> x.name().equals("DELEGATE_CALL")).findFirst().orElseThrow();
        assertEquals(List.of("aten.convolution.default", "aten.relu.default", "aten.convolution.default", "aten.relu.default", "aten.convolution.default",
                "aten.relu.default", "aten.mean.dim", "aten.view_copy.default", "aten.linear.default"), call.opTypes());
        assertEquals("XnnpackBackend", call.backend());
        assertEquals(List.of("aten_convolution_default_", "aten_relu_default_", "aten_convolution_default_1_", "aten_relu_default_1_",
                "aten_convolution_default_2_", "aten_relu_default_2_", "aten_mean_dim_", "aten_view_copy_default_", "aten_linear_default_"),
                List.copyOf(call.nodes().keySet()));
        assertEquals("(__main__.toy_cnn.<locals>.ToyCNN) > features (torch.nn.modules.container.Sequential) > features.0 (torch.nn.modules.conv.Conv2d)",
                AnalyzeResults.moduleChain(call.nodes().get("aten_convolution_default_").modules()));
        // the XNNPACK events inside get the backend but no nodes (the XNNPACK delegate_map is empty), as in Inspector
        AnalyzeResults.Row op = AnalyzeResults.inspector(d, rec).get(1).rows().get(0);
        assertEquals(List.of("Transpose (ND, X32) #1", "XnnpackBackend", List.of(), 0),
                List.of(op.name(), op.backend(), op.opTypes(), op.nodes().size()));
    }

    @Test
    void theReportNamesTheModulesAndAtenOpsOfASlowDelegateCall() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, analyse(MNV1_T1, TOY_ETRECORD, out).code());
        JsonNode src = Kit.readJson(out.resolve("analysis_summary.json")).at("/experiments/0/inspector/model_sources");
        assertEquals(1, src.size(), src.toString());
        assertEquals("DELEGATE_CALL", src.at("/0/event").asText());
        assertEquals("[\"features.0 (Conv2d)\",\"features.1 (ReLU)\",\"features.2 (Conv2d)\",\"features.3 (ReLU)\",\"features.4 (Conv2d)\","
                + "\"features.5 (ReLU)\",\"pool (AdaptiveAvgPool2d)\",\"ToyCNN\",\"fc (Linear)\"]", src.at("/0/modules").toString());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## Model code behind the slow calls"), md);
        assertTrue(md.contains("| DELEGATE_CALL | 2.129 | XnnpackBackend | aten.convolution.default, aten.relu.default,"), md);
        assertTrue(md.contains("features.0 (Conv2d), features.1 (ReLU)"), md);
    }

    @Test
    void withoutAnEtRecordThereIsNoModelCodeSectionAndTheNewColumnsAreEmpty() throws Exception {
        Path out = tmp.resolve("out");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", MNV1_T1.toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.readString(out.resolve("report.md")).contains("Model code behind"));
        String call = Files.readAllLines(out.resolve("inspector.csv")).stream().filter(l -> l.startsWith("Execute,DELEGATE_CALL,")).findFirst().orElseThrow();
        assertTrue(call.endsWith(",[],,,,False,,[],\"[4386387, 9517011, 11692888, 13849446, 15999995, 18178115, 20377638, 22578873, 24851576, "
                + "26997788, 29154086, 31280940, 33485510, 35655168, 37855001, 40000042, 42186695, 44333118, 46518469, 48660335]\""), call);
    }

    /** A real portable run (ExecuTorch's devtools tutorial CNN) with the ETRecord of the same network exported here: kernels get their source line. */
    @Test
    void portableKernelsGetTheirModuleAndSourceLine() throws Exception {
        Path etdump = TestKit.shared("etdump/executorch-docs-portable-cnn.etdp");
        Path out = tmp.resolve("out");
        assertEquals(0, analyse(etdump, NET_ETRECORD, out).code());
        String addmm = Files.readAllLines(out.resolve("inspector.csv")).stream().filter(l -> l.startsWith("Execute,native_call_addmm.out,"))
                .findFirst().orElseThrow();
        // the cells ExecuTorch v1.3.1's Inspector gives for this row (same ETDump and ETRecord), rendered as inspector.csv renders them
        String py = "/work/coord/real/ws/.venv/lib/python3.11/site-packages/torch/nn/modules/linear.py:134 in forward";
        assertTrue(addmm.endsWith(",\"['aten.permute_copy.default', 'aten.addmm.default']\",,aten_permute_copy_default_: /work/coord/real/exp/lenet.py:19"
                + " in forward > " + py + " | aten_addmm_default_: /work/coord/real/exp/lenet.py:19 in forward > " + py + ",aten_permute_copy_default_:"
                + " (sme2_user_model.Net) > fc1 (torch.nn.modules.linear.Linear) | aten_addmm_default_: (sme2_user_model.Net) > fc1"
                + " (torch.nn.modules.linear.Linear),False,,[],[2236551]"), addmm);
        JsonNode first = Kit.readJson(out.resolve("analysis_summary.json")).at("/experiments/0/inspector/model_sources/0");
        assertEquals("{\"block\":\"Execute\",\"event\":\"native_call_convolution.out\",\"instruction_id\":3,\"p50_ms\":1.031719,\"backend\":null,"
                + "\"op_types\":[\"aten.convolution.default\"],\"modules\":[\"conv2 (Conv2d)\"],\"source_lines\":[\"/work/coord/real/exp/lenet.py:17 in forward\"]}",
                first.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("| native_call_convolution.out | 1.032 | portable kernels | aten.convolution.default"
                + " | conv2 (Conv2d) | /work/coord/real/exp/lenet.py:17 in forward |"));
    }

    @Test
    void compactTextOfModuleStacksAndTraces() {
        assertEquals(List.of(new AnalyzeResults.ModuleFrame("L__self__", "", "m.Net"),
                        new AnalyzeResults.ModuleFrame("L__self___blocks_0", "blocks.0", "m.Block[Tuple[int, int]]")),
                AnalyzeResults.moduleStack("L__self__,,m.Net;L__self___blocks_0,blocks.0,m.Block[Tuple[int, int]]"), "commas inside brackets stay");
        String trace = "File \"/src/model.py\", line 14, in forward\n    return self.fc(x)\n"
                + "  File \"/venv/lib/python3.12/site-packages/torch/nn/modules/linear.py\", line 134, in forward\n    return F.linear(x)";
        assertEquals("/src/model.py:14 in forward > /venv/lib/python3.12/site-packages/torch/nn/modules/linear.py:134 in forward",
                AnalyzeResults.compactTrace(trace));
        assertEquals("/src/model.py:14 in forward", AnalyzeResults.sourceLine(trace), "the innermost frame outside torch");
        assertEquals("None", AnalyzeResults.compactTrace(null));
        assertEquals("no frames here", AnalyzeResults.compactTrace("no\n  frames   here"));
    }
}
