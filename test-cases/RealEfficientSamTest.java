import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real export of efficient_sam_untrained (ExecuTorch's example EfficientSAM ViT-T, random weights) against a real
 * workspace: SME2_REAL_WORKSPACE (a folder whose .venv imports ExecuTorch) and SME2_REAL_EFFICIENT_SAM=1, since it takes
 * minutes of CPU (149 s on a shared 2-core x86-64 host with ExecuTorch v1.3.1 and torch 2.13.0+cpu); skipped otherwise, as in CI.
 */
class RealEfficientSamTest {
    @TempDir Path tmp;

    @Test
    void efficientSamExportsWithItsThreeInputsAndMostOfItsWorkInXnnpack() throws Exception {
        String env = System.getenv("SME2_REAL_WORKSPACE");
        Assumptions.assumeTrue(env != null && !env.isBlank(), "SME2_REAL_WORKSPACE is not set (a workspace whose .venv imports ExecuTorch), skipping");
        Assumptions.assumeTrue("1".equals(System.getenv("SME2_REAL_EFFICIENT_SAM")), "SME2_REAL_EFFICIENT_SAM=1 is not set (the export takes minutes), skipping");
        Path ws = Path.of(env).toAbsolutePath(), python = ws.resolve(".venv/bin/python");
        Assumptions.assumeTrue(Files.isExecutable(python), "SME2_REAL_WORKSPACE=" + ws + " has no .venv/bin/python, skipping");
        TestKit.Run probe = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(5), python.toString(), "-c", "import executorch.exir");
        Assumptions.assumeTrue(probe.code() == 0, "the Python of SME2_REAL_WORKSPACE cannot import executorch.exir, skipping");
        TestKit.Run r = TestKit.inProcess((o, e) -> ExportModel.run(System.getenv(), o, e, "--workspace", ws.toString(), "--model", "efficient_sam_untrained",
                "--outdir", tmp.resolve("models").toString(), "--json"));
        assertEquals(0, r.code(), r.toString());
        JsonNode x = Kit.JSON.readTree(r.out());
        assertEquals("[[1,3,1024,1024],[1,1,1,2],[1,1,1]]", "[" + x.at("/inputs/0/shape") + "," + x.at("/inputs/1/shape") + "," + x.at("/inputs/2/shape") + "]");
        ExportModel.Pte.Summary s = ExportModel.Pte.read(Path.of(x.get("pte").asText()));
        assertEquals(Kit.JSON.valueToTree(s.operators()), x.get("operators"));
        assertTrue(s.delegateCalls() > 50 && s.delegatedNodes() > 500, x.get("operators").toString());
        JsonNode kinds = x.at("/operators/delegated_node_kinds");
        for (String k : List.of("XNNFullyConnected", "XNNBatchMatrixMultiply", "XNNSoftmax", "XNNGelu", "XNNConv2d"))
            assertTrue(kinds.path(k).asInt() > 0, k + " in " + kinds);
        assertTrue(x.at("/operators/kernel_ops").has("aten::native_layer_norm.out"), "v1.3.1's partitioner leaves LayerNorm to portable kernels: " + x.get("operators"));
        assertTrue(Files.size(Path.of(x.get("pte").asText())) > 35_000_000L, "10.2 M fp32 weights");
    }

    /** The onboarding worked example (content/09-onboard-your-model.md): LayerNorm written out moves it into XNNPACK. */
    @Test
    void theSamStyleEncoderOfTheOnboardingPageLosesItsPortableLayerNormsWhenWrittenOut() throws Exception {
        String env = System.getenv("SME2_REAL_WORKSPACE");
        Assumptions.assumeTrue(env != null && !env.isBlank(), "SME2_REAL_WORKSPACE is not set (a workspace whose .venv imports ExecuTorch), skipping");
        Path ws = Path.of(env).toAbsolutePath();
        Assumptions.assumeTrue(Files.isExecutable(ws.resolve(".venv/bin/python")), "SME2_REAL_WORKSPACE=" + ws + " has no .venv/bin/python, skipping");
        Path file = TestKit.repo().resolve("configs/examples/sam_style_encoder.py");
        JsonNode[] x = new JsonNode[2];
        String[] classes = {"SamStyleEncoder", "SamStyleEncoderXnn"};
        for (int i = 0; i < 2; i++) {
            String cls = classes[i];
            TestKit.Run r = TestKit.inProcess((o, e) -> ExportModel.run(System.getenv(), o, e, "--workspace", ws.toString(), "--model-file", file.toString(),
                    "--model-class", cls, "--outdir", tmp.resolve("models").toString(), "--json"));
            assertEquals(0, r.code(), r.toString());
            x[i] = Kit.JSON.readTree(r.out());
        }
        assertEquals(8, x[0].at("/operators/kernel_ops/aten::native_layer_norm.out").asInt(), x[0].get("operators").toString());
        assertFalse(x[1].at("/operators/kernel_ops").has("aten::native_layer_norm.out"), x[1].get("operators").toString());
        assertTrue(x[1].at("/operators/delegate_calls").asInt() < x[0].at("/operators/delegate_calls").asInt(), "fewer breaks in the delegated graph");
        assertTrue(x[1].at("/operators/kernel_calls").asInt() < x[0].at("/operators/kernel_calls").asInt());
        assertEquals(16, x[1].at("/operators/delegated_node_kinds/XNNGlobalAvgPooling2d").asInt(), "the LayerNorms' means run in XNNPACK");
        assertFalse(x[1].at("/operators/kernel_ops").has("aten::squeeze_copy.dims_out"), "reshapes, not squeeze: " + x[1].get("operators"));
    }
}
