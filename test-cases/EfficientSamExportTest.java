import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ExportModel and ExecuTorch's example efficient_sam (EfficientSAM ViT-T): the built-in efficient_sam_untrained (the same
 * architecture built with checkpoint=None, no download) with a recording fake venv python; the registry's efficient_sam
 * failing its weights download offline. The real export runs in RealEfficientSamTest (SME2_REAL_WORKSPACE).
 */
class EfficientSamExportTest {
    @TempDir Path tmp;
    /** ExportModelTest's workspace: the recording fake venv python that "exports" the shipped .pte fixture. */
    final ExportModelTest base = new ExportModelTest();
    RecordingFakes fakes;
    Path ws;

    @BeforeEach
    void setUp() {
        base.tmp = tmp;
        base.setUp();
        fakes = base.fakes;
        ws = base.ws;
    }

    TestKit.Run export(String... args) { return base.export(args); }

    @Test
    void theBuiltInEfficientSamIsExportedInFp32AndFp16WithTheExactCommands() throws Exception {
        Path models = ws.resolve("models");
        for (String dtype : List.of("fp32", "fp16")) {
            TestKit.Run r = export("--model", "efficient_sam_untrained", "--dtype", dtype);
            assertEquals(0, r.code(), r.toString());
            String stem = "efficient_sam_untrained_xnnpack_" + dtype;
            RecordingFakes.Call call = fakes.calls().get(fakes.calls().size() - 1);
            Path program = Path.of(call.args().get(0));
            assertEquals(List.of("--model", "efficient_sam_untrained", "--dtype", dtype, "--backend", "xnnpack", "--pte", models.resolve(stem + ".pte").toString(),
                    "--etrecord", models.resolve(stem + ".etrecord").toString(), "--result", program.resolveSibling("result.json").toString()),
                    call.args().subList(1, call.args().size()));
            JsonNode x = Kit.readJson(models.resolve(stem + ".export.json"));
            assertEquals("efficient_sam_untrained", x.get("model").asText());
            assertEquals("builtin", x.get("source").asText());
            assertTrue(x.get("weights").asText().startsWith("random (torch.manual_seed(0)), not EfficientSAM's trained weights"), x.toString());
            assertTrue(x.get("verified").toString().contains("the .pte was read back"), x.toString());
            assertTrue(x.get("not_verified").toString().contains("that executor_runner loads and runs the .pte"), x.toString());
            assertTrue(x.get("not_verified").toString().contains("outputs match the eager PyTorch model"), x.toString());
        }
        assertEquals(2, fakes.calls().size());
    }

    @Test
    void everyExportJsonSaysWhatWasAndWasNotVerified() throws Exception {
        assertEquals(0, export("--model", "mv2").code());
        JsonNode x = Kit.readJson(ws.resolve("models/mv2_xnnpack_fp32.export.json"));
        assertEquals("executorch.examples.models", x.get("source").asText());
        assertTrue(x.get("weights").isNull(), "ExportModel does not know where a registry model's weights come from");
        assertEquals(ExportModel.VERIFIED.size(), x.get("verified").size());
        assertEquals(ExportModel.NOT_VERIFIED.size(), x.get("not_verified").size());
    }

    @Test
    void theRegistrysEfficientSamOfflineNamesTheBuiltInThatNeedsNoDownload() {
        fakes.fail("download");
        TestKit.Run r = export("--model", "efficient_sam", "--dtype", "fp16");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: efficient_sam needs pretrained weights, and the download failed: URLError: <urlopen error [Errno -3] Temporary failure"
                + " in name resolution> (log: " + ws.resolve("models/efficient_sam_xnnpack_fp16.export.log") + ")"), r.err());
        assertTrue(r.err().contains("fix: check the network connection (proxy: HTTPS_PROXY), or export a model without downloads: efficient_sam_untrained"
                + " (the same architecture with random weights)"), r.err());
        assertFalse(Files.exists(ws.resolve("models/efficient_sam_xnnpack_fp16.pte")));
    }

    @Test
    void listModelsNamesBothBuiltIns() throws Exception {
        TestKit.Run r = export("--list-models", "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals("[\"toy_cnn\",\"efficient_sam_untrained\"]", Kit.JSON.readTree(r.out()).get("builtin").toString());
        TestKit.Run text = export("--list-models");
        assertTrue(text.out().contains("efficient_sam_untrained (ExecuTorch's efficient_sam, EfficientSAM ViT-T, random weights, no download)"), text.out());
    }

    @Test
    void theEmbeddedProgramBuildsEfficientSamFromTheInstalledExamplesWithoutItsCheckpoint() {
        String p = ExportModel.PROGRAM;
        assertTrue(p.contains("if args.model == EFFICIENT_SAM_UNTRAINED:\n        return efficient_sam_untrained(args.dtype)"), "dispatched before the registry");
        assertTrue(p.contains("os.path.join(b, \"efficient_sam\", \"efficient_sam_core\")"), "the core of ExecuTorch's example");
        assertTrue(p.contains("build(encoder_patch_embed_dim=192, encoder_num_heads=3, checkpoint=None)"), "ViT-T as build_efficient_sam_vitt, no checkpoint");
        assertTrue(p.contains("images = torch.randn((1, 3, h, w))") && p.contains("points = torch.rand((1, 1, 1, 2)) * torch.tensor([h, w])")
                && p.contains("labels = torch.ones((1, 1, 1))"), "the example's three inputs (examples/models/efficient_sam/model.py)");
        // fp16: the image encoder only (the decoder's code makes float32 tensors explicitly), recorded as dtype_applied
        assertTrue(p.contains("if dtype == \"fp16\":\n        model.image_encoder = half_encoder(model.image_encoder)"), "fp16 converts the encoder");
        assertTrue(p.contains("return self.inner(x.to(torch.float16)).to(torch.float32)"), "casts in and out of the float16 encoder");
        assertTrue(p.contains("if dtype != \"fp16\" or getattr(model, \"sme2_dtype_applied\", None):"), "as_dtype leaves such a model alone");
    }
}
