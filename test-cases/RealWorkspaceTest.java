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
 * Against a real workspace (SME2_REAL_WORKSPACE = a folder whose .venv imports ExecuTorch; skipped otherwise, as in CI):
 * ExportModel exports toy_cnn in fp32 and fp16, export.json is checked against the .pte, and, when ExecuTorch's
 * Inspector imports there, inspector.csv is compared with it row by row and column by column (on the shipped real
 * ETDump of a one-DELEGATE_CALL program, since no runner is needed for that).
 */
class RealWorkspaceTest {
    @TempDir Path tmp;
    Path ws, python;

    @BeforeEach
    void setUp() {
        String env = System.getenv("SME2_REAL_WORKSPACE");
        Assumptions.assumeTrue(env != null && !env.isBlank(), "SME2_REAL_WORKSPACE is not set (a workspace whose .venv imports ExecuTorch), skipping");
        ws = Path.of(env).toAbsolutePath();
        python = ws.resolve(".venv/bin/python");
        Assumptions.assumeTrue(Files.isExecutable(python), "SME2_REAL_WORKSPACE=" + ws + " has no .venv/bin/python, skipping");
        TestKit.Run probe = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(5), python.toString(), "-c", "import executorch.exir");
        Assumptions.assumeTrue(probe.code() == 0, "the Python of SME2_REAL_WORKSPACE cannot import executorch.exir, skipping: "
                + probe.err().lines().reduce((a, b) -> b).orElse(""));
    }

    JsonNode export(String dtype) throws Exception {
        TestKit.Run r = TestKit.inProcess((o, e) -> ExportModel.run(System.getenv(), o, e, "--workspace", ws.toString(), "--model", "toy_cnn",
                "--dtype", dtype, "--outdir", tmp.resolve("models").toString(), "--json"));
        assertEquals(0, r.code(), r.toString());
        return Kit.JSON.readTree(r.out());
    }

    @Test
    void toyCnnExportsWithACompleteEtRecordAndExportJsonMatchesThePte() throws Exception {
        for (String dtype : List.of("fp32", "fp16")) {
            JsonNode x = export(dtype);
            Path pte = Path.of(x.get("pte").asText());
            assertEquals(Files.size(pte), x.get("pte_bytes").asLong());
            ExportModel.Pte.Summary s = ExportModel.Pte.read(pte);
            assertEquals(Kit.JSON.valueToTree(s.operators()), x.get("operators"));
            assertEquals(1, s.delegateCalls(), dtype);
            assertEquals(0, s.kernelCalls(), dtype);
            String half = dtype.equals("fp16") ? "float16" : "float32";
            assertEquals("[1,3,96,96]", x.at("/inputs/0/shape").toString());
            assertEquals("torch." + half, x.at("/inputs/0/dtype").asText());
            // the ETRecord route: generate_etrecord=True, so the ETRecord holds the exported program
            assertEquals("generate_etrecord=True", x.get("etrecord_api").asText(), x.toString());
            assertTrue(x.at("/etrecord_graphs/exported_program").asBoolean() && x.at("/etrecord_graphs/edge_program").asBoolean(), x.toString());
            // conversion: the exported program is all of the dtype; the payload's constants add up to its tensors
            JsonNode ep = x.at("/conversion/exported_program"), pay = x.at("/conversion/pte_xnnpack");
            assertEquals(List.of(half), List.copyOf(iterate(ep.get("weights").fieldNames())), dtype);
            assertEquals(List.of(half), List.copyOf(iterate(ep.get("activations").fieldNames())), dtype);
            long payloadTensors = 0, payloadBytes = 0;
            for (JsonNode t : pay.get("constants")) { payloadTensors += t.get("tensors").asLong(); payloadBytes += t.get("bytes").asLong(); }
            assertEquals(ep.at("/weights/" + half + "/tensors").asLong(), payloadTensors, "every weight is a constant of the XNNPACK payload");
            assertTrue(payloadBytes < Files.size(pte) && payloadBytes > Files.size(pte) / 2, payloadBytes + " of " + Files.size(pte));
            if (dtype.equals("fp16")) assertTrue(x.at("/conversion/summary").asText().contains("stay fp32 in the .pte"), x.toString());
            // the DELEGATE_CALL of this program lists the ATen ops inside and the modules they come from
            AnalyzeResults.EtRecord rec = AnalyzeResults.readEtRecord(Path.of(x.get("etrecord").asText()));
            AnalyzeResults.Row call = AnalyzeResults.inspector(AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t1.etdump")), rec).stream()
                    .flatMap(b -> b.rows().stream()).filter(r -> r.name().equals("DELEGATE_CALL")).findFirst().orElseThrow();
            assertEquals(9, call.opTypes().size(), call.opTypes().toString());
            assertTrue(call.nodes().values().stream().allMatch(n -> n.modules() != null && n.stackTrace() != null), call.nodes().toString());
        }
    }

    static <T> List<T> iterate(java.util.Iterator<T> it) {
        List<T> r = new java.util.ArrayList<>();
        it.forEachRemaining(r::add);
        return r;
    }

    /** Renders Inspector.to_dataframe() as inspector.csv renders it and reports every differing cell. */
    static final String COMPARE = """
            import csv, re, sys
            from executorch.devtools import Inspector
            FRAME = re.compile(r'File "([^"]*)", line (\\d+), in (\\S+)')
            def trace(t):
                if t is None:
                    return "None"
                frames = ["%s:%s in %s" % m.groups() for m in FRAME.finditer(t)]
                return " > ".join(frames) if frames else " ".join(t.split())
            def chain(v):
                return " > ".join("(%s)" % ty if not path else "%s (%s)" % (path, ty) for path, ty in v.values())
            def cell(col, v):
                if col == "stack_traces":
                    return "" if not v else " | ".join("%s: %s" % (k, trace(t)) for k, t in v.items())
                if col == "module_hierarchy":
                    return "" if not v else " | ".join("%s: %s" % (k, "None" if m is None else chain(m)) for k, m in v.items())
                if col in ("raw", "start_time", "debug_data"):
                    return "" if v is None else "[" + ", ".join(repr(x) for x in v) + "]"
                if v is None or (isinstance(v, float) and v != v):
                    return ""
                return str(v)
            etdump, etrecord, ours = sys.argv[1:4]
            df = Inspector(etdump_path=etdump, etrecord=None if etrecord == "-" else etrecord).to_dataframe()
            rows = list(csv.reader(open(ours, newline="")))
            cols = list(df.columns)
            bad = [] if rows[0] == cols else ["columns: ours %s, Inspector %s" % (rows[0], cols)]
            if len(rows) - 1 != len(df):
                bad.append("rows: ours %d, Inspector %d" % (len(rows) - 1, len(df)))
            for i, (r, (_, x)) in enumerate(zip(rows[1:], df.iterrows())):
                for j, c in enumerate(cols):
                    want = cell(c, x[c])
                    if j >= len(r) or r[j] != want:
                        bad.append("row %d (%s) %s: ours %r, Inspector %r" % (i + 1, x["event_name"], c, r[j] if j < len(r) else None, want))
            print("compared %d rows x %d columns, %d difference(s)" % (len(df), len(cols), len(bad)))
            print("\\n".join(bad[:20]))
            """;

    @Test
    void inspectorCsvEqualsTheRealInspectorWithAndWithoutTheEtRecord() throws Exception {
        TestKit.Run probe = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(5), python.toString(), "-c", "from executorch.devtools import Inspector");
        Assumptions.assumeTrue(probe.code() == 0, "ExecuTorch's Inspector does not import in SME2_REAL_WORKSPACE, skipping: "
                + probe.err().lines().reduce((a, b) -> b).orElse(""));
        Path etrecord = Path.of(export("fp32").get("etrecord").asText());
        Path etdump = TestKit.shipped("runner-mnv1/mnv1-t1.etdump");
        Path script = tmp.resolve("compare.py");
        Files.writeString(script, COMPARE);
        for (Path rec : new Path[]{etrecord, null}) {
            Path out = tmp.resolve(rec == null ? "without" : "with");
            TestKit.Run a = TestKit.inProcess((o, e) -> rec == null
                    ? AnalyzeResults.run(o, e, "--etdump", etdump.toString(), "--out", out.toString())
                    : AnalyzeResults.run(o, e, "--etdump", etdump.toString(), "--etrecord", rec.toString(), "--out", out.toString()));
            assertEquals(0, a.code(), a.toString());
            TestKit.Run c = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(10), python.toString(), script.toString(),
                    etdump.toString(), rec == null ? "-" : rec.toString(), out.resolve("inspector.csv").toString());
            assertEquals(0, c.code(), c.toString());
            assertTrue(c.out().startsWith("compared 36 rows x 17 columns, 0 difference(s)"), c.out());
        }
    }
}
