import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ExportModel's embedded exporter, run with the machine's python3 against stand-ins: the ETRecord route chosen by
 * capability (to_edge_transform_and_lower shaped like ExecuTorch v1.3.1, where a logging decorator without
 * functools.wraps hides the generate_etrecord keyword, and like 0.x, which has no such keyword), and the failure kinds
 * behind the fix hints, fed with real error texts.
 */
class ExportEtrecordTest {
    @TempDir Path tmp;
    Path python;

    @BeforeEach
    void setUp() throws Exception {
        python = Kit.which(System.getenv(), "python3");
        Assumptions.assumeTrue(python != null, "python3 is not installed, skipping");
        Files.writeString(tmp.resolve("sme2_export.py"), ExportModel.PROGRAM);
        // a stand-in executorch.devtools.generate_etrecord (the 0.x route) that records its arguments
        Path devtools = Files.createDirectories(tmp.resolve("executorch/devtools"));
        Files.writeString(tmp.resolve("executorch/__init__.py"), "");
        Files.writeString(devtools.resolve("__init__.py"), """
                CALLS = []
                def generate_etrecord(path, edge_copy, program):
                    CALLS.append((path, edge_copy, program))
                """);
    }

    /** Runs a Python driver that imports the exporter; returns its stdout lines. */
    List<String> py(String driver) throws Exception {
        Path f = tmp.resolve("driver.py");
        Files.writeString(f, "import sys\nsys.path.insert(0, " + pyStr(tmp.toString()) + ")\nimport sme2_export as x\n" + driver);
        TestKit.Run r = TestKit.process(tmp, Map.of("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString()), List.of(), Duration.ofMinutes(1),
                python.toString(), f.toString());
        assertEquals(0, r.code(), r.toString());
        return r.out().lines().toList();
    }

    static String pyStr(String s) { return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"; }

    /** Stand-ins for to_edge_transform_and_lower: each returns an "edge" that records the keyword it was called with. */
    static final String STAND_INS = """
            import functools, inspect

            class Edge:
                def __init__(self, etrecord):
                    self.etrecord = etrecord

            def et_logger(api_name):  # exir/program/_program.py in v1.3.1: a wrapper WITHOUT functools.wraps
                def decorator(func):
                    def wrapper(*args, **kwargs):
                        return func(*args, **kwargs)
                    return wrapper
                return decorator

            @et_logger("to_edge_transform_and_lower")
            def v131(programs, transform_passes=None, partitioner=None, constant_methods=None, compile_config=None, generate_etrecord=False):
                return Edge(generate_etrecord)

            def v07(programs, transform_passes=None, partitioner=None, constant_methods=None, compile_config=None):
                return Edge(None)

            @et_logger("to_edge_transform_and_lower")
            def v07_wrapped(programs, transform_passes=None, partitioner=None, constant_methods=None, compile_config=None):
                return Edge(None)

            def wraps_properly(func):
                @functools.wraps(func)
                def wrapper(*args, **kwargs):
                    return func(*args, **kwargs)
                return wrapper

            @wraps_properly
            def v10(programs, partitioner=None, compile_config=None, generate_etrecord=False):
                return Edge(generate_etrecord)

            @et_logger("to_edge_transform_and_lower")
            def broken(programs, partitioner=None, compile_config=None, generate_etrecord=False):
                raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

            def show(fn):
                edge, route = x.lower(fn, "ep", {"partitioner": ["XnnpackPartitioner"], "compile_config": "cfg"})
                print(fn.__name__, route["api"], edge.etrecord, "edge_copy" in route, route["chosen_by"], sep="|")
            """;

    @Test
    void theRouteIsChosenByCapabilityAndSurvivesAWrapperThatHidesTheKeyword() throws Exception {
        List<String> out = py(STAND_INS + """
                print(inspect.signature(v131))
                for fn in (v131, v10, v07, v07_wrapped):
                    show(fn)
                """);
        assertEquals("(*args, **kwargs)", out.get(0), "the v1.3.1 shape: the signature hides the keyword (the old check read it as absent)");
        assertEquals("wrapper|generate_etrecord=True|True|False|generate_etrecord=True accepted: call (the signature hides the keyword behind a wrapper)",
                out.get(1));
        assertEquals("v10|generate_etrecord=True|True|False|generate_etrecord=True accepted: signature", out.get(2));
        assertEquals("v07|executorch.devtools.generate_etrecord|None|True|executorch.devtools.generate_etrecord: the signature has no generate_etrecord keyword",
                out.get(3));
        assertTrue(out.get(4).startsWith("wrapper|executorch.devtools.generate_etrecord|None|True|executorch.devtools.generate_etrecord: the call refused"
                + " the keyword (") && out.get(4).contains("generate_etrecord"), out.get(4));
    }

    @Test
    void aTypeErrorFromInsideTheLoweringIsNotMistakenForAMissingKeyword() throws Exception {
        List<String> out = py(STAND_INS + """
                try:
                    show(broken)
                except TypeError as e:
                    print("raised", e)
                """);
        assertEquals(List.of("raised unsupported operand type(s) for +: 'int' and 'str'"), out);
    }

    @Test
    void eachRouteSavesItsOwnWay() throws Exception {
        List<String> out = py(STAND_INS + """
                import executorch.devtools as devtools
                class Recorder:
                    def __init__(self):
                        self.saved = None
                    def save(self, path):
                        self.saved = path
                class Program:
                    def __init__(self):
                        self.recorder = Recorder()
                    def get_etrecord(self):
                        return self.recorder
                p = Program()
                edge, route = x.lower(v131, "ep", {})
                x.save_etrecord(route, p, "/models/a.etrecord")
                print(p.recorder.saved, devtools.CALLS)
                q = Program()
                edge, route = x.lower(v07, "ep", {})
                x.save_etrecord(route, q, "/models/b.etrecord")
                path, copy, program = devtools.CALLS[0]
                print(q.recorder.saved, path, copy is not edge and type(copy).__name__, program is q)
                """);
        assertEquals(List.of("/models/a.etrecord []", "None /models/b.etrecord Edge True"), out,
                "1.0+: program.get_etrecord().save(path); 0.x: generate_etrecord(path, deep copy of the edge program, program)");
    }

    // ------------------------------------------------------------------------------------------------ failure kinds

    /** Real texts: a torchvision wheel built for CUDA under a CPU torch (seen loading mv3 from the registry), and torch.export on data-dependent control flow (torch 2.13, strict=False). */
    static final String TORCHVISION_CUDA = "operator torchvision::nms does not exist";
    static final String DATA_DEPENDENT = "Could not guard on data-dependent expression Eq(u0, 1) (unhinted: Eq(u0, 1)).  (Size-like symbols: none)";

    @Test
    void loadPhaseEnvironmentErrorsAreToldApartFromTracingErrors() throws Exception {
        List<String> out = py("""
                import os
                print(x.kind_of(RuntimeError(%s), "load"), x.package_of(RuntimeError(%s)))
                class GuardOnDataDependentSymNode(RuntimeError):
                    pass
                print(x.kind_of(GuardOnDataDependentSymNode(%s), "export"))
                print(x.kind_of(RuntimeError(%s), "export"))
                e = ImportError("/venv/lib/python3.12/site-packages/torchaudio/lib/libtorchaudio.so: undefined symbol: _ZN3c104cuda9SetDeviceEi")
                print(x.kind_of(e, "load"), x.package_of(e))
                print(x.kind_of(ModuleNotFoundError("No module named 'torchvision'", name="torchvision"), "load"))
                print(x.kind_of(RuntimeError("Missing out variants: {'aten::_fancy_op'}"), "to_executorch"))
                """.formatted(pyStr(TORCHVISION_CUDA), pyStr(TORCHVISION_CUDA), pyStr(DATA_DEPENDENT), pyStr(DATA_DEPENDENT)));
        assertEquals(List.of("environment torchvision", "export_failed", "export_failed", "environment torchaudio", "import", "unsupported_op"), out);
    }

    // ------------------------------------------------------------------------------------------------ the Java side

    /** A workspace whose python writes the given result JSON (and the fixture .pte, and a zip ETRecord when ok). */
    Path workspace(String resultJson) throws Exception {
        Path ws = tmp.resolve("ws");
        Path bin = Files.createDirectories(ws.resolve(".venv/bin"));
        Path result = tmp.resolve("canned-result.json");
        Files.writeString(result, resultJson);
        Path py = bin.resolve("python");
        Files.writeString(py, """
                #!/bin/sh
                while [ $# -gt 0 ]; do case "$1" in --pte) pte="$2"; shift 2 ;; --etrecord) et="$2"; shift 2 ;; --result) res="$2"; shift 2 ;; *) shift ;; esac; done
                echo "[export] load"
                if grep -q '"ok": true' %1$s; then cp %2$s "$pte"; cp %3$s "$et"; fi
                cp %1$s "$res"
                """.formatted(Kit.shq(result.toString()), Kit.shq(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte").toString()),
                Kit.shq(zipEtRecord().toString())));
        py.toFile().setExecutable(true);
        return ws;
    }

    /** A minimal ETRecord zip with the entries the 1.0+ route writes. */
    Path zipEtRecord() throws Exception {
        Path z = tmp.resolve("stand-in.etrecord");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(z))) {
            for (String n : List.of("ETRECORD_V0", "exported_program", "edge_dialect_exported_program/forward", "debug_handle_map", "export_graph_id")) {
                out.putNextEntry(new java.util.zip.ZipEntry(n));
                out.closeEntry();
            }
        }
        return z;
    }

    TestKit.Run export(Path ws, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--workspace";
        all[1] = ws.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return TestKit.inProcess((out, err) -> ExportModel.run(System.getenv(), out, err, all));
    }

    @Test
    void aBrokenTorchvisionGetsAnEnvironmentFixNotAModelCodeFix() throws Exception {
        Path ws = workspace("""
                {"ok": false, "error": {"kind": "environment", "phase": "load", "message": "RuntimeError: %s", "package": "torchvision", "torch": "2.13.0+cpu"}}
                """.formatted(TORCHVISION_CUDA));
        TestKit.Run r = export(ws, "--model", "mv3");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: export of mv3 failed in load because of the Python environment, not the model: RuntimeError: " + TORCHVISION_CUDA), r.err());
        assertTrue(r.err().contains("fix: reinstall torchvision built for torch 2.13.0+cpu (the CPU build of the release that pairs with this torch;"), r.err());
        assertFalse(r.err().contains("model code"), r.err());
    }

    @Test
    void aTracingErrorKeepsTheModelCodeFix() throws Exception {
        Path ws = workspace("""
                {"ok": false, "error": {"kind": "export_failed", "phase": "export", "message": "GuardOnDataDependentSymNode: %s"}}
                """.formatted(DATA_DEPENDENT));
        TestKit.Run r = export(ws, "--model", "toy_cnn");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("failed in export: GuardOnDataDependentSymNode: " + DATA_DEPENDENT), r.err());
        assertTrue(r.err().contains("fix: read the log for the Python trace; a model that torch.export cannot trace needs changes in the model code"), r.err());
    }

    @Test
    void exportJsonRecordsTheRouteTheEtRecordGraphsAndTheConversion() throws Exception {
        Path ws = workspace("""
                {"ok": true, "versions": {"python": "3.11.7", "torch": "2.13.0+cpu", "executorch": "1.3.1", "executorch_git": "e2f18eb23c45bd22ca332b0b8b49a81de304b472"},
                 "inputs": [{"shape": [1, 3, 320, 320], "dtype": "torch.float32"}], "etrecord_api": "generate_etrecord=True",
                 "etrecord_route": "generate_etrecord=True accepted: call (the signature hides the keyword behind a wrapper)", "etrecord_error": null,
                 "exported_program": {"weights": {"float32": {"tensors": 55, "elements": 760000, "bytes": 3040000}}, "activations": {"float32": {"tensors": 32}},
                   "inputs": {"float32": {"tensors": 1}}, "outputs": {"float32": {"tensors": 1}}}, "seconds": {}}
                """);
        TestKit.Run r = export(ws, "--model", "mnv1", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode x = Kit.JSON.readTree(r.out());
        assertEquals("generate_etrecord=True", x.get("etrecord_api").asText());
        assertEquals("generate_etrecord=True accepted: call (the signature hides the keyword behind a wrapper)", x.get("etrecord_route").asText());
        assertTrue(x.at("/etrecord_graphs/exported_program").asBoolean() && x.at("/etrecord_graphs/edge_program").asBoolean(), x.toString());
        assertEquals("fp32", x.at("/conversion/requested").asText());
        assertEquals(55, x.at("/conversion/exported_program/weights/float32/tensors").asInt());
        // read from the .pte's XNNPACK payload (the MobileNet-like fixture: 13 dw + 14 pw/first conv + FC weights and biases)
        assertTrue(x.at("/conversion/pte_xnnpack/constants/fp32/tensors").asInt() > 0, x.toString());
        assertFalse(x.at("/conversion/pte_xnnpack/constants").has("fp16"), x.toString());
        assertTrue(x.at("/conversion/summary").asText().startsWith("exported program: weights 55 float32 (2968.8 KB); activations 32 float32; inputs 1 float32;"
                + " .pte XNNPACK payload: constants "), x.toString());
        assertFalse(r.err().contains("holds only the lowered program"), r.err());
    }
}
