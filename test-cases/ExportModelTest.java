import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** ExportModel with a recording fake venv python that "exports" the shipped .pte fixture, plus checks of the embedded program. */
class ExportModelTest {
    static final Path FIXTURE = TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte");
    /** MODEL_NAME_TO_MODEL of ExecuTorch v1.3.1 (examples/models/__init__.py), plus toy_cnn. */
    static final List<String> V131_MODELS = List.of("mul", "linear", "add", "add_mul", "softmax", "conv1d", "dl3", "edsr", "emformer_transcribe",
            "emformer_predict", "emformer_join", "llama2", "llama", "llama3_2_vision_encoder", "lstm", "mobilebert", "mv2", "mv2_untrained", "mv3",
            "vit", "w2l", "ic3", "ic4", "resnet18", "resnet50", "llava", "efficient_sam", "qwen2_5_1_5b", "phi_4_mini", "smollm2", "deit_tiny",
            "deep_autoencoder", "ds_cnn", "mobilenet_v1_025", "resnet8", "sdpa", "toy_cnn");
    @TempDir Path tmp;
    RecordingFakes fakes;
    Path ws;

    @BeforeEach
    void setUp() {
        fakes = new RecordingFakes(tmp.resolve("fakes"));
        ws = tmp.resolve("ws");
        fakes.venvPython(ws.resolve(".venv"), "3.12.4");
        RecordingFakes.write(fakes.dir.resolve("export-pte"), FIXTURE.toString());
    }

    TestKit.Run export(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--workspace";
        all[1] = ws.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return TestKit.inProcess((out, err) -> ExportModel.run(fakes.env(), out, err, all));
    }

    @Test
    void theExportCommandsThePipelinesPrintAreAcceptedByExportModel() {
        for (String pte : List.of("mv2_xnnpack_fp16.pte", "mv3_xnnpack_int8.pte", "resnet18_portable_fp32.pte", "mine.pte")) {
            String cmd = Kit.Pipeline.exportCommand(Path.of("models", pte));
            String[] words = cmd.substring("jbang scripts/ExportModel.java ".length()).split(" ");
            var parsed = new picocli.CommandLine(new ExportModel(new Kit.Io(System.out, System.err, false))).parseArgs(words);
            assertTrue(parsed.errors().isEmpty() && !parsed.matchedOptions().isEmpty(), cmd);
        }
    }

    @Test
    void exportsToyCnnAndReadsTheOperatorCountsBackFromThePte() throws Exception {
        TestKit.Run r = export("--model", "toy_cnn", "--dtype", "fp16");
        assertEquals(0, r.code(), r.toString());
        Path models = ws.resolve("models");
        Path pte = models.resolve("toy_cnn_xnnpack_fp16.pte");
        assertArrayEquals(Files.readAllBytes(FIXTURE), Files.readAllBytes(pte));
        assertEquals("PK-fake-etrecord", Files.readString(models.resolve("toy_cnn_xnnpack_fp16.etrecord")));
        assertTrue(Files.readString(models.resolve("toy_cnn_xnnpack_fp16.export.log")).contains("exporting toy_cnn (xnnpack, fp16)"));

        RecordingFakes.Call call = fakes.calls().get(0);
        assertEquals("python", call.tool());
        Path program = Path.of(call.args().get(0));
        assertEquals("sme2_export.py", program.getFileName().toString());
        assertEquals(program.getParent(), call.cwd(), "runs in its own temporary folder");
        assertEquals(List.of("--model", "toy_cnn", "--dtype", "fp16", "--backend", "xnnpack", "--pte", pte.toString(), "--etrecord",
                models.resolve("toy_cnn_xnnpack_fp16.etrecord").toString(), "--result", program.resolveSibling("result.json").toString()), call.args().subList(1, call.args().size()));
        assertFalse(Files.exists(program.getParent()), "the temporary program is removed");

        JsonNode x = Kit.readJson(models.resolve("toy_cnn_xnnpack_fp16.export.json"));
        assertEquals("toy_cnn", x.get("model").asText());
        assertEquals("builtin", x.get("source").asText());
        assertEquals(List.of("xnnpack", "fp16"), List.of(x.get("backend").asText(), x.get("dtype").asText()));
        assertEquals(Files.size(FIXTURE), x.get("pte_bytes").asLong());
        assertEquals(1, x.at("/operators/delegate_calls").asInt());
        assertEquals(0, x.at("/operators/kernel_calls").asInt());
        assertEquals(32, x.at("/operators/delegated_nodes").asInt());
        assertEquals(Map.of("XnnpackBackend", 1), Kit.JSON.convertValue(x.at("/operators/backends"), Map.class));
        assertEquals(Map.of("XNNConv2d", 14, "XNNDepthwiseConv2d", 13, "XNNStaticTranspose", 2, "XNNGlobalAvgPooling2d", 1, "XNNStaticReshape", 1,
                "XNNFullyConnected", 1), Kit.JSON.convertValue(x.at("/operators/delegated_node_kinds"), Map.class));
        assertEquals("forward", x.at("/execution_plans/0/name").asText());
        assertEquals(1, x.at("/execution_plans/0/instructions").asInt());
        assertEquals("[1,3,96,96]", x.at("/inputs/0/shape").toString());
        assertEquals("torch.float16", x.at("/inputs/0/dtype").asText());
        assertEquals("2.12.0", x.at("/versions/torch").asText());
        assertEquals(RecordingFakes.ET_SHA, x.at("/versions/executorch_git").asText());
        assertEquals("generate_etrecord=True", x.get("etrecord_api").asText());
        assertEquals(models.resolve("toy_cnn_xnnpack_fp16.etrecord").toString(), x.get("etrecord").asText());
        assertTrue(r.err().contains("1 delegate call(s) holding 32 XNNPACK node(s), 0 kernel call(s) outside the delegate; ETRecord toy_cnn_xnnpack_fp16.etrecord"), r.err());
    }

    @Test
    void readsKernelCallsOfNonDelegatedPrograms() {
        ExportModel.Pte.Summary add = ExportModel.Pte.read(TestKit.shared("pte/executorch-apple-add.pte"));
        assertEquals(List.of(1, 0), List.of(add.kernelCalls(), add.delegateCalls()));
        assertEquals(Map.of("aten::add.out", 1), add.operators().get("kernel_ops"));
        assertEquals(0, add.delegatedNodes());
        ExportModel.Pte.Summary kws = ExportModel.Pte.read(TestKit.shared("pte/executorch-arduino-KeywordSpotting-model.pte"));
        assertEquals(16, kws.kernelCalls());
        assertEquals(0, kws.delegateCalls());
    }

    @Test
    void aTruncatedPteIsAUserErrorNamingTheByte() throws Exception {
        Path cut = tmp.resolve("cut.pte");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(FIXTURE), 600));
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> ExportModel.Pte.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": byte "), e.getMessage());
        Path etdump = TestKit.shipped("runner-mnv1/mnv1-t1.etdump");
        e = assertThrows(Kit.UserError.class, () -> ExportModel.Pte.read(etdump));
        assertEquals(etdump + ": byte 4: no ET12 identifier: not an ExecuTorch program", e.getMessage());
    }

    @Test
    void anUnknownModelGetsTheClosestNames() {
        TestKit.Run r = export("--model", "mobilenet_v3_small", "--dtype", "fp16");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("error: unknown model \"mobilenet_v3_small\"; did you mean mv3, mv2? (ExecuTorch's examples and toy_cnn: --list-models)"), r.err());
        assertTrue(r.err().contains("fix: pick a name from jbang scripts/ExportModel.java --list-models"), r.err());
        assertFalse(Files.exists(ws.resolve("models/mobilenet_v3_small_xnnpack_fp16.pte")));
    }

    @Test
    void suggestsNamesFromExecuTorchsRealRegistry() {
        assertEquals(List.of("mv3", "mv2"), ExportModel.suggestions("mobilenet_v3_small", V131_MODELS));
        assertEquals(List.of("mv2"), ExportModel.suggestions("mobilenet_v2", V131_MODELS).subList(0, 1));
        assertEquals("resnet18", ExportModel.suggestions("resnet", V131_MODELS).get(0));
        assertEquals(List.of("efficient_sam"), ExportModel.suggestions("efficientsam", V131_MODELS));
        assertEquals("ic3", ExportModel.suggestions("inception_v3", V131_MODELS).get(0));
        assertEquals(List.of(), ExportModel.suggestions("bert_large_uncased_whole_word", V131_MODELS));
        assertEquals("my_model", ExportModel.snake("MyModel"));
        assertEquals("res_net50_big", ExportModel.snake("ResNet50Big"));
    }

    @Test
    void anExportFailureIsOneLineWithTheLogPath() {
        fakes.fail("export");
        TestKit.Run r = export("--model", "toy_cnn");
        assertEquals(1, r.code(), r.toString());
        Path log = ws.resolve("models/toy_cnn_xnnpack_fp32.export.log");
        assertTrue(r.err().contains("error: export of toy_cnn (xnnpack, fp32) failed in to_executorch: RuntimeError: Missing out variants: {'aten::_fancy_op'} (log: "
                + log + ")\n"), r.err());
        assertTrue(r.err().contains("fix: an operator is not supported this way: try --dtype fp32, or --backend portable"), r.err());
    }

    @Test
    void yourOwnModelFileIsExportedUnderItsClassName() throws Exception {
        Path file = tmp.resolve("my_net.py");
        Files.copy(TestKit.repo().resolve("configs/templates/model_template.py"), file);
        TestKit.Run r = export("--model-file", file.toString(), "--model-class", "MyModel", "--backend", "portable");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("--model-file", file.toString(), "--model-class", "MyModel", "--dtype", "fp32", "--backend", "portable"),
                fakes.calls().get(0).args().subList(1, 9));
        JsonNode x = Kit.readJson(ws.resolve("models/my_model_portable_fp32.export.json"));
        assertEquals("file:" + file + "#MyModel", x.get("source").asText());
    }

    @Test
    void badCombinationsAreRefusedBeforeAnythingRuns() {
        assertTrue(export("--model", "mv2", "--dtype", "int8", "--backend", "portable").err()
                .contains("error: --dtype int8 needs --backend xnnpack (the quantized operators run in XNNPACK)"));
        assertEquals(2, export("--model", "mv2", "--model-file", "x.py", "--model-class", "X").code());
        assertEquals(2, export().code());
        assertTrue(export("--model-file", tmp.resolve("missing.py").toString(), "--model-class", "X").err().contains("missing.py: file not found"));
        assertEquals(2, export("--model", "toy_cnn", "--dtype", "bf16").code());
        assertEquals(List.of(), fakes.calls());
    }

    @Test
    void listModelsPrintsWhatTheInstalledExecuTorchOffers() throws Exception {
        TestKit.Run r = export("--list-models", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode list = Kit.JSON.readTree(r.out());
        assertEquals("[\"toy_cnn\",\"efficient_sam_untrained\"]", list.get("builtin").toString());
        assertEquals(7, list.get("registry").size());
        assertEquals("mv3", list.at("/registry/3").asText());
    }

    @Test
    void dryRunPrintsTheCommandAndWritesNothing() {
        TestKit.Run r = export("--model", "toy_cnn", "--dtype", "fp16", "--dry-run");
        assertEquals(0, r.code(), r.toString());
        Path m = ws.resolve("models");
        String tmpDir = Path.of(System.getProperty("java.io.tmpdir"), "sme2-export").toString();
        assertEquals(List.of(ws.resolve(".venv/bin/python") + " " + tmpDir + "/sme2_export.py --model toy_cnn --dtype fp16 --backend xnnpack --pte "
                + m.resolve("toy_cnn_xnnpack_fp16.pte") + " --etrecord " + m.resolve("toy_cnn_xnnpack_fp16.etrecord") + " --result " + tmpDir + "/result.json"),
                r.out().lines().toList());
        assertFalse(Files.exists(m));
        assertEquals(List.of(), fakes.calls());
    }

    @Test
    void theEmbeddedProgramAndTheTemplateCompileWithPython() throws Exception {
        Path python = Kit.which(System.getenv(), "python3");
        Assumptions.assumeTrue(python != null, "python3 is not installed, skipping");
        Path prog = tmp.resolve("sme2_export.py");
        Files.writeString(prog, ExportModel.PROGRAM);
        for (Path f : List.of(prog, TestKit.repo().resolve("configs/templates/model_template.py"))) {
            TestKit.Run r = TestKit.process(tmp, Map.of("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString()), List.of(), Duration.ofMinutes(1),
                    python.toString(), "-m", "py_compile", f.toString());
            assertEquals(0, r.code(), f + ": " + r);
        }
    }

    @Test
    void theEmbeddedProgramReportsAMissingModuleThroughItsResultFile() throws Exception {
        Path python = Kit.which(System.getenv(), "python3");
        Assumptions.assumeTrue(python != null, "python3 is not installed, skipping");
        TestKit.Run probe = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(1), python.toString(), "-c", "import torch");
        Assumptions.assumeTrue(probe.code() != 0, "torch is installed here; this test needs a Python without it");
        Path real = tmp.resolve("real-ws");
        Files.createDirectories(real.resolve(".venv/bin"));
        Files.createSymbolicLink(real.resolve(".venv/bin/python"), python);
        TestKit.Run r = TestKit.inProcess((out, err) -> ExportModel.run(System.getenv(), out, err, "--workspace", real.toString(), "--model", "toy_cnn"));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: the workspace Python is missing a module the export needs: ModuleNotFoundError: No module named 'torch' (log: "
                + real.resolve("models/toy_cnn_xnnpack_fp32.export.log") + ")"), r.err());
        assertTrue(r.err().contains("fix: set the workspace up (or repair it): jbang scripts/SetupRepo.java"), r.err());
        assertTrue(Files.readString(real.resolve("models/toy_cnn_xnnpack_fp32.export.log")).contains("[export] load"));
    }

    @Test
    void runsAsARealProcessThroughJbang() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", fakes.bin + ":" + fakes.sys + ":" + System.getenv("PATH"));
        TestKit.Run r = TestKit.jbang(TestKit.repo(), env, "scripts/ExportModel.java", "--workspace", ws.toString(), "--model", "toy_cnn", "--dtype", "fp16", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode x = Kit.JSON.readTree(r.out());
        assertEquals(32, x.at("/operators/delegated_nodes").asInt());
        assertEquals(x, Kit.readJson(ws.resolve("models/toy_cnn_xnnpack_fp16.export.json")));
    }
}
