import com.fasterxml.jackson.databind.JsonNode;
import com.google.flatbuffers.FlatBufferBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** AnalyzeResults' readers: ETDump, .pte/.bpte, ETRecord and XNNPACK kernel logs, on real and hand-made files. */
class AnalyzeReadersTest {
    @TempDir Path tmp;

    static final String SYNTHETIC = "etdump/synthetic-xnnpack-3runs.etdp";

    // ------------------------------------------------------------------------------------------------ ETDump

    /** Every field of the synthetic fixture, compared with the JSON it was made from (schema defaults for absent fields). */
    @Test
    void readsTheSyntheticEtdumpExactlyAsItsJsonSays() {
        AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(TestKit.shipped(SYNTHETIC));
        JsonNode json = Kit.readJson(TestKit.shipped("etdump/synthetic-xnnpack-3runs.json"));
        assertEquals(0, d.version());
        assertEquals(json.get("run_data").size(), d.runs().size());
        for (int r = 0; r < d.runs().size(); r++) {
            JsonNode jr = json.get("run_data").get(r);
            AnalyzeResults.RunData rd = d.runs().get(r);
            assertEquals(jr.get("name").asText(), rd.name());
            assertEquals(jr.path("bundled_input_index").asInt(-1), rd.bundledInputIndex());
            List<String> allocators = new ArrayList<>();
            jr.path("allocators").forEach(a -> allocators.add(a.get("name").asText()));
            assertEquals(allocators, rd.allocators());
            assertEquals(jr.get("events").size(), rd.events().size(), "events of run " + r);
            for (int i = 0; i < rd.events().size(); i++) assertEvent(jr.get("events").get(i), rd.events().get(i), "run " + r + " event " + i);
        }
        assertEquals(33, d.count(AnalyzeResults.Profile.class));
        assertEquals(1, d.count(AnalyzeResults.Debug.class));
        assertEquals(1, d.count(AnalyzeResults.Alloc.class));
    }

    private static void assertEvent(JsonNode je, AnalyzeResults.Ev ev, String where) {
        if (je.has("profile_event")) {
            JsonNode p = je.get("profile_event");
            AnalyzeResults.Profile e = assertInstanceOf(AnalyzeResults.Profile.class, ev, where);
            assertEquals(p.has("name") ? p.get("name").asText() : null, e.name(), where);
            assertEquals(p.path("chain_index").asInt(0), e.chainIndex(), where);
            assertEquals(p.path("instruction_id").asInt(-1), e.instructionId(), where);
            assertEquals(p.path("delegate_debug_id_int").asInt(-1), e.delegateIdInt(), where);
            assertEquals(p.has("delegate_debug_id_str") ? p.get("delegate_debug_id_str").asText() : null, e.delegateIdStr(), where);
            if (!p.has("delegate_debug_metadata")) assertNull(e.metadata(), where);
            else {
                byte[] want = new byte[p.get("delegate_debug_metadata").size()];
                for (int k = 0; k < want.length; k++) want[k] = (byte) p.get("delegate_debug_metadata").get(k).asInt();
                assertArrayEquals(want, e.metadata(), where);
            }
            assertEquals(p.get("start_time").asLong(), e.start(), where);
            assertEquals(p.get("end_time").asLong(), e.end(), where);
        } else if (je.has("allocation_event")) {
            AnalyzeResults.Alloc a = assertInstanceOf(AnalyzeResults.Alloc.class, ev, where);
            assertEquals(je.get("allocation_event").get("allocator_id").asInt(), a.allocatorId());
            assertEquals(je.get("allocation_event").get("allocation_size").asLong(), a.size());
        } else {
            JsonNode x = je.get("debug_event");
            AnalyzeResults.Debug dbg = assertInstanceOf(AnalyzeResults.Debug.class, ev, where);
            assertEquals(x.path("chain_index").asLong(0), dbg.chainIndex());
            assertEquals(x.path("instruction_id").asInt(-1), dbg.instructionId());
            assertEquals(x.get("name").asText(), dbg.name());
            assertEquals(-1, dbg.delegateIdInt());
            assertNull(dbg.delegateIdStr());
            assertEquals(1, dbg.entry().type());
            assertEquals(42L, dbg.entry().data());
            assertFalse(dbg.entry().output());
        }
    }

    /** The real v1.3.1 runner ETDumps: 1 Default + 5 Execute blocks, inner events first, XNNPACK events as the runtime writes them. */
    @Test
    void realRunnerEtdumpsHaveTheRuntimesBlockStructure() throws Exception {
        Map<String, Integer> eventsPerExecute = Map.of("corey-cole-djl-add-xnnpack", 3, "corey-cole-djl-conv-xnnpack", 5,
                "corey-cole-djl-lin129-xnnpack", 3, "corey-cole-npr-dynamic-xnnpack", 3, "corey-cole-npr-quantized-xnnpack", 5,
                "executorch-apple-add", 3, "executorch-arduino-AddModel-model", 3);
        for (Map.Entry<String, Integer> f : eventsPerExecute.entrySet()) {
            AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(TestKit.shipped("runner/" + f.getKey() + ".etdump"));
            List<String> names = d.runs().stream().map(AnalyzeResults.RunData::name).toList();
            assertEquals(List.of("Default", "Execute", "Execute", "Execute", "Execute", "Execute"), names, f.getKey());
            List<AnalyzeResults.Ev> load = d.runs().get(0).events();
            assertEquals(List.of("Method::init", "Program::load_method"), load.stream().map(e -> ((AnalyzeResults.Profile) e).name()).toList());
            for (AnalyzeResults.RunData r : d.runs().subList(1, 6)) {
                assertEquals(f.getValue(), r.events().size(), f.getKey());
                AnalyzeResults.Profile last = (AnalyzeResults.Profile) r.events().get(r.events().size() - 1);
                assertEquals("Method::execute", last.name());
                assertEquals(-1, last.chainIndex());
                for (AnalyzeResults.Ev e : r.events()) {
                    AnalyzeResults.Profile p = (AnalyzeResults.Profile) e;
                    if (!p.delegated()) continue;
                    assertNull(p.name(), "XNNPACK events carry no name");
                    assertEquals(-1, p.delegateIdInt());
                    assertTrue(p.delegateIdStr().matches(".+ #\\d+"), p.delegateIdStr());
                    assertEquals(0, p.chainIndex());
                    assertArrayEquals(new byte[0], p.metadata());
                    assertEquals(0, (p.end() - p.start()) % 1000, "whole microseconds");
                }
            }
        }
        AnalyzeResults.Etdump mnv1 = AnalyzeResults.readEtdump(TestKit.shipped("runner-mnv1/mnv1-t1.etdump"));
        assertEquals(21, mnv1.runs().size());
        assertEquals(2 + 20 * 34, mnv1.count(AnalyzeResults.Profile.class));
        AnalyzeResults.Profile first = (AnalyzeResults.Profile) mnv1.runs().get(1).events().get(0);
        assertEquals("Transpose (ND, X32) #1", first.delegateIdStr());
    }

    /** The ExecuTorch docs' portable-kernel ETDump (third-party; skipped when ../shared/fixtures is absent). */
    @Test
    void readsThePortableCnnEtdumpOfTheExecutorchDocs() {
        AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(TestKit.shared("etdump/executorch-docs-portable-cnn.etdp"));
        assertEquals(List.of("Default", "Execute"), d.runs().stream().map(AnalyzeResults.RunData::name).toList());
        assertEquals(29, d.runs().get(1).events().size());
        AnalyzeResults.Profile conv = (AnalyzeResults.Profile) d.runs().get(1).events().get(0);
        assertEquals("native_call_convolution.out", conv.name());
        assertEquals(0, conv.instructionId());
        AnalyzeResults.Profile exec = (AnalyzeResults.Profile) d.runs().get(1).events().get(28);
        assertEquals("Method::execute", exec.name());
        assertEquals(1.898821, AnalyzeResults.durationMs("f", exec, false), 0);
    }

    /** An ETDump encoded here: int and string ids, metadata, unsigned times, allocators, allocation and debug events. */
    @Test
    void readsEveryEventKindOfAnEncodedEtdump() {
        long big = Long.MIN_VALUE + 5;   // 2^63 + 5 as an unsigned ulong
        byte[] bytes = new EtdumpWriter().block("Execute", 3, List.of("method", "temp"))
                .add(new EtdumpWriter.Profile("x", 2, 9, 12, null, new byte[]{9, 8}, big, big + 2000))
                .add(new EtdumpWriter.Profile(null, 0, 4, -1, "Add (ND) #1", new byte[0], 10, 30))
                .add(new EtdumpWriter.Alloc(1, 1L << 40))
                .add(new EtdumpWriter.DebugInt(-2L, 5, -7, "dbg"))
                .finish();
        AnalyzeResults.Etdump d = AnalyzeResults.parseEtdump("enc", bytes);
        AnalyzeResults.RunData r = d.runs().get(0);
        assertEquals(3, r.bundledInputIndex());
        assertEquals(List.of("method", "temp"), r.allocators());
        AnalyzeResults.Profile p = (AnalyzeResults.Profile) r.events().get(0);
        assertEquals(List.of("x", 2, 9, 12), List.of(p.name(), p.chainIndex(), p.instructionId(), p.delegateIdInt()));
        assertArrayEquals(new byte[]{9, 8}, p.metadata());
        assertEquals(big, p.start());
        assertEquals("12", p.inspectorName(), "an int delegate id names the event");
        assertEquals(0.002, AnalyzeResults.durationMs("enc", p, false), 0);
        assertEquals(0.001953125, AnalyzeResults.durationMs("enc", p, true), 0, "Inspector scales each endpoint of a delegated event: "
                + "near 2^63 ns the two doubles are 1/512 ms apart");
        assertEquals("Add (ND) #1", ((AnalyzeResults.Profile) r.events().get(1)).inspectorName());
        assertEquals(new AnalyzeResults.Alloc(1, 1L << 40, ((AnalyzeResults.Alloc) r.events().get(2)).at()), r.events().get(2));
        AnalyzeResults.Debug dbg = (AnalyzeResults.Debug) r.events().get(3);
        assertEquals(-2L, dbg.chainIndex(), "DebugEvent.chain_index is a ulong (all bits kept)");
        assertEquals(-7L, dbg.entry().data());
        assertEquals("dbg", dbg.name());
    }

    // ------------------------------------------------------------------------------------------------ ETDump: bad input

    private Path write(String name, byte[] b) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, b);
        return p;
    }

    private static String error(Path p) {
        return assertThrows(Kit.UserError.class, () -> AnalyzeResults.readEtdump(p)).getMessage();
    }

    private static byte[] synthetic() throws Exception { return Files.readAllBytes(TestKit.shipped(SYNTHETIC)); }

    @Test
    void rejectsEmptyShortAndForeignFilesNamingTheByte() throws Exception {
        Path empty = write("empty.etdump", new byte[0]);
        assertEquals(empty + ": byte 0: the file is empty (0 bytes): not an ETDump", error(empty));
        Path shortFile = write("short.etdump", new byte[5]);
        assertEquals(shortFile + ": byte 0: the file is 5 bytes, too short for an ETDump (at least 12)", error(shortFile));
        byte[] pte = new byte[64];
        System.arraycopy("ET12eh00".getBytes(StandardCharsets.US_ASCII), 0, pte, 4, 8);
        Path asPte = write("model.pte", pte);
        assertEquals(asPte + ": byte 8: identifier is \"eh00\", not ED00: not an ETDump; this is a .pte program (ET12 at byte 4); pass it with --pte",
                error(asPte));
        Path text = write("runner.log", "I 00:00:00.000 executor_runner.cpp:100] Model loaded\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(error(text).endsWith("not an ETDump; this looks like a text file (a log? pass logs with --kernel-log)"), error(text));
    }

    @Test
    void rejectsATruncatedEtdumpAndASizePrefixThatDisagrees() throws Exception {
        byte[] good = synthetic();
        Path cut = write("cut.etdump", Arrays.copyOf(good, 1500));
        assertEquals(cut + ": byte 0: size prefix says 2996 bytes follow but the file has 1496 (truncated or padded)", error(cut));
        Path padded = write("padded.etdump", Arrays.copyOf(good, good.length + 8));
        assertEquals(padded + ": byte 0: size prefix says 2996 bytes follow but the file has 3004 (truncated or padded)", error(padded));
    }

    @Test
    void rejectsOffsetsOutOfRangeAndAbsurdVectorLengths() throws Exception {
        byte[] b = synthetic();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] badRoot = b.clone();
        ByteBuffer.wrap(badRoot).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x7fffff00);
        Path p1 = write("root.etdump", badRoot);
        assertEquals(p1 + ": byte 4: offset 2147483392 points to byte 2147483396, past the end of the file (3000 bytes): truncated or corrupt", error(p1));

        int root = 4 + bb.getInt(4);
        int vt = root - bb.getInt(root);
        int field = root + (bb.getShort(vt + 4 + 2) & 0xffff);
        int vec = field + bb.getInt(field);
        byte[] huge = b.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(vec, 0x7fffffff);
        Path p2 = write("vector.etdump", huge);
        assertEquals(p2 + ": byte " + vec + ": vector length 2147483647 (x4 bytes) exceeds the " + (b.length - vec - 4)
                + " bytes left in the file: truncated or corrupt", error(p2));

        byte[] badVtable = b.clone();
        ByteBuffer.wrap(badVtable).order(ByteOrder.LITTLE_ENDIAN).putInt(root, -100000);
        Path p3 = write("vtable.etdump", badVtable);
        assertEquals(p3 + ": byte " + root + ": the table's vtable offset points outside the file: corrupt", error(p3));
    }

    /** Vectors that share their elements (a corrupt or hostile file) cannot multiply the work beyond the file's size. */
    @Test
    void sharedVectorsCannotAmplifyTheWork() throws Exception {
        FlatBufferBuilder fb = new FlatBufferBuilder(1 << 16);
        fb.startTable(8);
        fb.addLong(7, 2000, 0);
        fb.addLong(6, 1000, 0);
        int profile = fb.endTable();
        fb.startTable(3);
        fb.addOffset(0, profile, 0);
        int event = fb.endTable();
        int[] events = new int[4000];
        Arrays.fill(events, event);
        int evVec = fb.createVectorOfTables(events);
        int name = fb.createString("Execute");
        fb.startTable(4);
        fb.addOffset(0, name, 0);
        fb.addOffset(3, evVec, 0);
        int run = fb.endTable();
        int[] runs = new int[4000];
        Arrays.fill(runs, run);
        int runVec = fb.createVectorOfTables(runs);
        fb.startTable(2);
        fb.addOffset(1, runVec, 0);
        fb.finishSizePrefixed(fb.endTable(), "ED00");
        Path p = write("shared.etdump", fb.sizedByteArray());
        long t0 = System.nanoTime();
        String msg = error(p);
        assertTrue(msg.matches(java.util.regex.Pattern.quote(p.toString()) + ": byte \\d+: the file references more data than it holds "
                + "\\(shared or overlapping vectors\\): corrupt"), msg);
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "fails fast");
    }

    @Test
    void aBadEtdumpOnTheCommandLineIsOneErrorLineAndExit2() throws Exception {
        Path cut = write("cut.etdump", Arrays.copyOf(synthetic(), 700));
        TestKit.Run r = TestKit.inProcess((out, err) -> AnalyzeResults.run(out, err, "--etdump", cut.toString(), "--out", tmp.resolve("o").toString()));
        assertEquals(2, r.code(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertEquals("error: " + cut + ": byte 0: size prefix says 2996 bytes follow but the file has 696 (truncated or padded)", lines.get(0));
        assertTrue(lines.get(1).startsWith("fix: "), r.err());
        assertEquals(2, lines.size(), r.err());
        assertFalse(Files.exists(tmp.resolve("o")), "nothing written");
    }

    // ------------------------------------------------------------------------------------------------ .pte / .bpte

    @Test
    void readsTheThreeHeaderVariantsOfPteFiles() {
        AnalyzeResults.Program none = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-apple-add.pte"));
        assertFalse(none.header().extended());
        assertEquals(List.of(new AnalyzeResults.Instr(AnalyzeResults.Instr.KERNEL, 0)), none.first().instructions());
        assertEquals("aten::add.out", none.first().callee(0));

        AnalyzeResults.Program h20 = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-arduino-AddModel-model.pte"));
        assertEquals(new AnalyzeResults.Header(true, 0x20, 1040, 1152, 4L), h20.header());
        assertEquals(1, h20.segments().size());

        AnalyzeResults.Program bundled = AnalyzeResults.readProgram(TestKit.shared("bpte/executorch-module-bundled-program.bpte"));
        assertEquals("bpte", bundled.container());
        assertEquals(new AnalyzeResults.Header(true, 0x18, 1584, 1664, null), bundled.header(), "the embedded .pte has the older 24-byte header");
        assertEquals(List.of("forward"), bundled.bundledMethods());
        assertEquals(10, bundled.bundledTestCases());
        assertEquals(List.of("aten::mul.out", "aten::add.out"), bundled.first().operators().stream().map(AnalyzeResults.Operator::display).toList());
        assertEquals(3, bundled.first().instructions().size());
    }

    @Test
    void readsXnnpackQnnAndEthosUDelegates() {
        AnalyzeResults.Program add = AnalyzeResults.readProgram(TestKit.shared("pte/corey-cole-djl-add-xnnpack.pte"));
        assertEquals(List.of(new AnalyzeResults.Delegate("XnnpackBackend", 1, 1, List.of())), add.first().delegates());
        assertEquals(List.of(new AnalyzeResults.Instr(AnalyzeResults.Instr.DELEGATE, 0)), add.first().instructions());
        assertEquals("XnnpackBackend", add.first().callee(0));
        assertEquals(2, add.segments().size());

        AnalyzeResults.Program qnn = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-stories260k-hybrid-llama-qnn.pte"));
        assertEquals(29, qnn.methods().size(), "multi-method program");
        assertEquals(List.of("kv_forward", "prefill_forward", "get_ar_len"), qnn.methods().subList(0, 3).stream().map(AnalyzeResults.Method::name).toList());
        assertEquals(new AnalyzeResults.Delegate("QnnBackend", 1, 1, List.of("qnn_compile_spec")), qnn.first().delegates().get(0));
        assertEquals(0, qnn.methods().get(2).instructions().size());

        AnalyzeResults.Program ethos = AnalyzeResults.readProgram(TestKit.shared("pte/arm-examples-cmsis-ethos-u-minimal.pte"));
        assertEquals(new AnalyzeResults.Delegate("EthosUBackend", 0, 0, List.of("tosa_spec", "compile_flags", "output_format", "target")),
                ethos.first().delegates().get(0), "an INLINE delegate with compile specs");
        assertEquals(List.of(1, 1, 2, 1), ethos.first().instructions().stream().map(AnalyzeResults.Instr::type).toList());
        assertEquals("quantized_decomposed::dequantize_per_tensor.out", ethos.first().callee(3));
        assertEquals(1, ethos.inlineDelegateData());

        AnalyzeResults.Program kws = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-arduino-KeywordSpotting-model.pte"));
        assertEquals(16, kws.first().instructions().size());
        assertTrue(kws.first().instructions().stream().allMatch(i -> i.type() == AnalyzeResults.Instr.KERNEL));
        AnalyzeResults.Program old = AnalyzeResults.readProgram(TestKit.shared("pte/executorch-ModuleLinear-no-constant-segment.pte"));
        assertEquals(3, old.constantBuffers());
        assertEquals(0, old.segments().size());
    }

    @Test
    void readsTheShippedMobilenetPte() {
        AnalyzeResults.Program p = AnalyzeResults.readProgram(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        assertEquals(new AnalyzeResults.Header(true, 0x20, 7496, 7552, 3056416L), p.header());
        assertEquals(58, p.segments().size());
        assertEquals(56, p.namedData());
        assertEquals("forward", p.first().name());
        assertEquals("XnnpackBackend", p.first().callee(0));
    }

    @Test
    void rejectsTruncatedAndForeignPrograms() throws Exception {
        byte[] mnv = Files.readAllBytes(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        Path cut = write("cut.pte", Arrays.copyOf(mnv, 100_000));
        String msg = assertThrows(Kit.UserError.class, () -> AnalyzeResults.readProgram(cut)).getMessage();
        assertTrue(msg.matches(java.util.regex.Pattern.quote(cut.toString()) + ": byte \\d+: segment \\d+ \\(offset \\d+, size \\d+ after "
                + "segment_base_offset 7552\\) ends past the end of the file \\(100000 bytes\\): truncated \\.pte"), msg);
        Path tiny = write("tiny.pte", Arrays.copyOf(mnv, 20));
        assertEquals(tiny + ": byte 8: the extended header at byte 8 lies outside the file (20 bytes): truncated or corrupt",
                assertThrows(Kit.UserError.class, () -> AnalyzeResults.readProgram(tiny)).getMessage());
        Path dump = TestKit.shipped(SYNTHETIC);
        byte[] head = Files.readAllBytes(dump);
        String id = AnalyzeResults.printable(new String(head, 4, 4, StandardCharsets.ISO_8859_1));
        assertEquals("\\x0c\\x00\\x00\\x00", id, "bytes 4..7 of an ETDump: its root offset");
        assertEquals(dump + ": byte 4: identifier is \"" + id + "\", not ET12: not a .pte program; this is an ETDump (ED00 at byte 8); pass it with --etdump",
                assertThrows(Kit.UserError.class, () -> AnalyzeResults.readProgram(dump)).getMessage());
        Path empty = write("empty.pte", new byte[0]);
        assertEquals(empty + ": byte 0: the file is empty (0 bytes): not a .pte program",
                assertThrows(Kit.UserError.class, () -> AnalyzeResults.readProgram(empty)).getMessage());
    }

    // ------------------------------------------------------------------------------------------------ ETRecord

    @Test
    void readsTheOldLayoutEtrecordOf2023() {
        AnalyzeResults.EtRecord r = AnalyzeResults.readEtRecord(TestKit.shared("etrecord/executorch-devtools-etrecord-2023.bin"));
        assertEquals("old", r.layout());
        assertEquals(List.of("ETRECORD_V0", "aten_dialect_output/forward", "aten_dialect_output/forward_state_dict",
                "edge_dialect_exported_program", "edge_dialect_exported_program_state_dict", "debug_handle_map", "delegate_map"), r.entries());
        assertEquals(Map.of(), r.debugHandles());
        assertEquals(Map.of(), r.delegates());
        assertEquals(Map.of(2, "aten.mul.Tensor"), r.opByHandle());
    }

    /** A new-layout ETRecord (edge_dialect_exported_program/<method>) as ExecuTorch 1.x writes it, built here. */
    static byte[] newLayoutEtRecord(boolean withMarker) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            if (withMarker) entry(z, "ETRECORD_V0", "");
            entry(z, "edge_dialect_exported_program/forward", """
                    {"graph_module": {"graph": {"nodes": [
                      {"target": "executorch.exir.dialects.edge.ops.aten.convolution.default", "metadata": {"debug_handle": "1"}},
                      {"target": "executorch.exir.dialects.edge.ops.aten.relu.default", "metadata": {"debug_handle": "2"}},
                      {"target": "_operator.getitem", "metadata": {"debug_handle": "9"}},
                      {"target": "executorch.exir.dialects.edge.ops.aten.mean.dim", "metadata": {"debug_handle": 3}},
                      {"target": "torch.ops.higher_order.executorch_call_delegate", "metadata": {"debug_handle": "4"}},
                      {"target": "executorch.exir.dialects.edge.ops.aten.add.Tensor", "metadata": {"debug_handle": "5"}},
                      {"target": "executorch.exir.dialects.edge.ops.aten.mul.Tensor", "metadata": {"debug_handle": "6"}},
                      {"target": "executorch.exir.dialects.edge.ops.aten.sub.Tensor", "metadata": {"debug_handle": "7"}}
                    ]}}, "schema_version": {"major": 8}}""");
            entry(z, "edge_dialect_exported_program/forward_state_dict", "PK-not-read");
            entry(z, "debug_handle_map", "{\"forward\": {\"0\": [1, 2], \"1\": 3, \"2\": [1, 2, 5, 6, 7, 3]}}");
            entry(z, "delegate_map", "{\"forward\": {\"0\": {\"name\": \"XnnpackBackend\", \"delegate_map\": {}},"
                    + " \"2\": {\"name\": \"OtherBackend\", \"delegate_map\": {\"7\": [5, 6]}}}}");
        }
        return bos.toByteArray();
    }

    private static void entry(ZipOutputStream z, String name, String text) throws Exception {
        z.putNextEntry(new ZipEntry(name));
        z.write(text.getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
    }

    @Test
    void readsANewLayoutEtrecord() throws Exception {
        AnalyzeResults.EtRecord r = AnalyzeResults.parseEtRecord("new.etrecord", newLayoutEtRecord(true));
        assertEquals("new", r.layout());
        assertEquals(Map.of("0", List.of(1, 2), "1", List.of(3), "2", List.of(1, 2, 5, 6, 7, 3)), r.debugHandles());
        assertEquals(new AnalyzeResults.DelegateEntry("XnnpackBackend", Map.of()), r.delegates().get("0"));
        assertEquals(Map.of("7", List.of(5, 6)), r.delegates().get("2").delegateMap());
        assertEquals(Map.of(1, "aten.convolution.default", 2, "aten.relu.default", 3, "aten.mean.dim", 4, "executorch_call_delegate",
                5, "aten.add.Tensor", 6, "aten.mul.Tensor", 7, "aten.sub.Tensor"), r.opByHandle(), "getitem is skipped, as Inspector does");
    }

    @Test
    void rejectsFilesThatAreNotEtrecords() throws Exception {
        Path notZip = TestKit.shipped(SYNTHETIC);
        assertEquals(notZip + ": byte 0: not a zip archive, so not an ETRecord; this is an ETDump (ED00 at byte 8); pass it with --etdump",
                assertThrows(Kit.UserError.class, () -> AnalyzeResults.readEtRecord(notZip)).getMessage());
        assertEquals("x.etrecord: zip archive without the ETRECORD_V0 entry: not an ETRecord",
                assertThrows(Kit.UserError.class, () -> AnalyzeResults.parseEtRecord("x.etrecord", newLayoutEtRecord(false))).getMessage());
        byte[] cut = Arrays.copyOf(newLayoutEtRecord(true), 200);
        assertTrue(assertThrows(Kit.UserError.class, () -> AnalyzeResults.parseEtRecord("cut.etrecord", cut)).getMessage()
                .startsWith("cut.etrecord: "));
    }

    // ------------------------------------------------------------------------------------------------ kernel logs

    @Test
    void parsesTheRealKernelLogsDedupingAnnouncements() throws Exception {
        AnalyzeResults.KernelLog log = AnalyzeResults.readKernelLog(TestKit.shipped("runner-mnv1/mnv1-xnnlog.log"));
        assertEquals(32, log.kernels().size());
        assertEquals(38, log.announcements());
        assertEquals(395, log.lines());
        assertEquals(Map.of("stderr", 38), log.formats());
        assertEquals(new AnalyzeResults.Kernel("igemm", "xnn_f32_igemm_minmax_ukernel_7x16__avx512f_broadcast", "avx512f", 2),
                log.kernels().stream().filter(k -> k.name().equals("xnn_f32_igemm_minmax_ukernel_7x16__avx512f_broadcast")).findFirst().orElseThrow());
        assertEquals(Map.of("scalar", 8, "sse", 2, "sse2", 3, "ssse3", 1, "avx", 2, "avx2", 2, "avx512f", 14), log.isas());
        AnalyzeResults.KernelLog q = AnalyzeResults.readKernelLog(TestKit.shipped("runner-xnnlog/corey-cole-npr-quantized-xnnpack.log"));
        assertEquals(Map.of("avx512skx", 2, "avx512vnni", 4), q.isas());
        try (var files = Files.list(TestKit.shipped("runner-xnnlog"))) {
            for (Path f : files.filter(x -> x.toString().endsWith(".log")).toList()) {
                List<String> lines = Files.readAllLines(f).stream().filter(l -> l.startsWith("Note (XNNPACK): Using ") && l.contains(" microkernel '")).toList();
                java.util.Set<String> distinct = new java.util.HashSet<>();
                for (String l : lines) distinct.add(l.split(" ")[3] + " " + l.split("'")[1]);
                AnalyzeResults.KernelLog k = AnalyzeResults.readKernelLog(f);
                assertEquals(lines.size(), k.announcements(), f.toString());
                assertEquals(distinct.size(), k.kernels().size(), f.toString());
                assertEquals(Map.of("stderr", lines.size()), k.formats(), f.toString());
                assertTrue(k.kernels().stream().noneMatch(x -> x.isa().equals("unknown")), f + ": every ISA recognised");
            }
        }
        AnalyzeResults.KernelLog timing = AnalyzeResults.readKernelLog(TestKit.shipped("runner/corey-cole-djl-add-xnnpack.log"));
        assertEquals(0, timing.kernels().size(), "a timing runner logs no microkernels");
    }

    /** Android logcat lines (threadtime and brief formats) with the SME2 kernel names of XNNPACK's configs. */
    @Test
    void parsesAndroidLogcatLinesWithSme2Kernels() throws Exception {
        String log = String.join("\n",
                "--------- beginning of main",
                "11-25 14:03:12.345  4321  4321 I XNNPACK : Using gemm microkernel 'xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2'. (init_pf32_gemm_config, src/configs/gemm-config.c:500)",
                "11-25 14:03:12.346  4321  4321 I XNNPACK : Using gemm microkernel 'xnn_pf32_gemm_minmax_ukernel_1x32__neonsme2'. (init_pf32_gemm_config, src/configs/gemm-config.c:501)",
                "11-25 14:03:12.347  4321  4321 I XNNPACK : Using igemm microkernel 'xnn_pf32_igemm_minmax_ukernel_32x32__neonsme2'. (init_pf32_gemm_config, src/configs/gemm-config.c:502)",
                "I/XNNPACK( 4321): Using pack_lh microkernel 'xnn_x32_pack_lh_ukernel__neonsme2'. (init_x32_pack_lh_config, src/configs/pack-lh-config.c:40)",
                "I/XNNPACK( 4321): Using gemm microkernel 'xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2'. (init_pf32_gemm_config, src/configs/gemm-config.c:500)",
                "I/XNNPACK( 4321): Using dwconv microkernel 'xnn_f32_dwconv_minmax_ukernel_9p8c__neonfma_acc2'. (init_f32_dwconv_config, src/configs/dwconv-config.c:80)",
                "11-25 14:03:12.400  4321  4400 I XNNPACK : Using gemm microkernel 'xnn_qp8_f32_qc4w_gemm_minmax_ukernel_16x64c4__neonsme'. (x, y:1)");
        AnalyzeResults.KernelLog k = AnalyzeResults.parseKernelLog("logcat.txt", new StringReader(log));
        assertEquals(6, k.kernels().size());
        assertEquals(7, k.announcements());
        assertEquals(Map.of("logcat-threadtime", 4, "logcat-brief", 3), k.formats());
        assertEquals(2, k.kernels().get(0).count());
        assertEquals(Map.of("neonsme2", 4, "neonfma", 1, "neonsme", 1), k.isas());
        AnalyzeResults.Evidence ev = AnalyzeResults.sme2Evidence(k, null, List.of());
        assertEquals("yes", ev.verdict());
        assertEquals("SME2 microkernels selected (kernel log): yes: 4 __neonsme2 microkernel(s) (xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2, "
                + "xnn_pf32_gemm_minmax_ukernel_1x32__neonsme2, xnn_pf32_igemm_minmax_ukernel_32x32__neonsme2, ...)", ev.detail());
    }

    @Test
    void parsesTheIsaAfterTheDoubleUnderscore() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("xnn_pf16_gemm_minmax_ukernel_32x32c2__neonsme2", "neonsme2");
        cases.put("xnn_x8_pack_lh_offset__neonsme", "neonsme");
        cases.put("xnn_f32_gemm_minmax_ukernel_6x8s4__neonfma", "neonfma");
        cases.put("xnn_f16_gemm_minmax_ukernel_6x16__neonfp16arith_ld64", "neonfp16arith");
        cases.put("xnn_qs8_gemm_minmax_ukernel_4x16c4__neondot", "neondot");
        cases.put("xnn_qs8_gemm_minmax_ukernel_4x16c8__neoni8mm", "neoni8mm");
        cases.put("xnn_f32_gemm_minmax_ukernel_4x8__aarch64_neonfma_ld128", "neonfma");
        cases.put("xnn_f32_gemm_minmax_ukernel_4x8__asm_aarch64_neonfma_cortex_a53", "neonfma");
        cases.put("xnn_f32_igemm_minmax_ukernel_7x16__avx512f_broadcast", "avx512f");
        cases.put("xnn_x32_transposec_ukernel__32x32_reuse_switch_avx2", "avx2");
        cases.put("xnn_x8_transposec_ukernel__2x4_scalar_int", "scalar");
        cases.put("xnn_f32_vmulcaddc_minmax_ukernel_c4__sse_2x", "sse");
        cases.put("xnn_qs8_qc8w_gemm_minmax_fp32_ukernel_7x16c8__avx512vnni_prfm", "avx512vnni");
        cases.put("xnn_f32_rminmax_ukernel__asimd_u16", "asimd");
        cases.put("xnn_some_kernel_without_isa", "unknown");
        cases.forEach((name, isa) -> assertEquals(isa, AnalyzeResults.isa(name), name));
    }
}
