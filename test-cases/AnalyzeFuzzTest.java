import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Mutates real fixtures (bit flips, word overwrites, truncation, extension, splices within and across files; fixed
 * seed) and runs the readers and the analysis in-process on each case. Every case must end in a clean result or a
 * Kit.UserError (exit 2, one line naming the file and the byte offset), within a time bound: no other exception, no
 * hang, no OutOfMemoryError.
 */
class AnalyzeFuzzTest {
    static final long SEED = 20261125L;
    static final long CASE_LIMIT_NS = 2_000_000_000L;

    /** Counts of what the cases ended in, so a fuzz run that never reaches the parser (or never fails) is noticed. */
    static final class Tally {
        int ok, userErrors;
    }

    static List<byte[]> etdumpSeeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : List.of("etdump/synthetic-xnnpack-3runs.etdp", "runner/corey-cole-djl-add-xnnpack.etdump",
                "runner/corey-cole-djl-conv-xnnpack.etdump", "runner/corey-cole-npr-quantized-xnnpack.etdump",
                "runner/executorch-apple-add.etdump", "runner-mnv1/mnv1-xnnlog.etdump"))
            seeds.add(Files.readAllBytes(TestKit.shipped(f)));
        seeds.add(new EtdumpWriter().block("Execute", 2, List.of("a"))
                .add(new EtdumpWriter.Profile("x", 1, 2, 3, "y #1", new byte[]{1, 2}, 4294967000L, 500))
                .add(new EtdumpWriter.Alloc(1, 99)).add(new EtdumpWriter.DebugInt(1, 2, 3, "d")).op("Method::execute", 0, 0, 9).finish());
        return seeds;
    }

    /** One mutation of `seed`, sometimes with material from `other`; the size prefix is made consistent in most cases. */
    static byte[] mutate(byte[] seed, byte[] other, SplittableRandom rnd, boolean sizePrefixed) {
        if (seed.length == 0) return new byte[]{(byte) rnd.nextInt(256)};
        byte[] b = seed.clone();
        int kind = rnd.nextInt(7);
        switch (kind) {
            case 0 -> { for (int i = 1 + rnd.nextInt(4); i > 0; i--) { int at = rnd.nextInt(b.length); b[at] ^= (byte) (1 << rnd.nextInt(8)); } }
            case 1 -> {
                int[] nasty = {0, 1, -1, 0x7fffffff, 0x80000000, b.length, b.length - 4, 0xffff, 4, -4};
                int at = (rnd.nextInt(Math.max(1, b.length / 4))) * 4;
                if (at + 4 <= b.length)
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, rnd.nextBoolean() ? nasty[rnd.nextInt(nasty.length)] : rnd.nextInt());
            }
            case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            case 3 -> {
                int len = 1 + rnd.nextInt(Math.min(64, b.length)), from = rnd.nextInt(b.length - len + 1), to = rnd.nextInt(b.length - len + 1);
                System.arraycopy(seed, from, b, to, len);
            }
            case 4 -> {
                int len = 1 + rnd.nextInt(Math.min(256, other.length)), from = rnd.nextInt(other.length - len + 1), to = rnd.nextInt(b.length);
                byte[] r = new byte[b.length + len];
                System.arraycopy(b, 0, r, 0, to);
                System.arraycopy(other, from, r, to, len);
                System.arraycopy(b, to, r, to + len, b.length - to);
                b = r;
            }
            case 5 -> { int at = rnd.nextInt(b.length); b[at] = (byte) rnd.nextInt(256); }
            default -> {
                byte[] r = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(32));
                for (int i = b.length; i < r.length; i++) r[i] = (byte) rnd.nextInt(256);
                b = r;
            }
        }
        if (sizePrefixed && b.length >= 4 && rnd.nextInt(10) < 7) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, b.length - 4);
        return b;
    }

    /** Runs one case; a Kit.UserError must be exit 2 with one line "name: ..."; anything else fails the test with the case. */
    static void check(String name, String what, Runnable body, Tally t, boolean needsByte) {
        long t0 = System.nanoTime();
        try {
            body.run();
            t.ok++;
        } catch (Kit.UserError e) {
            t.userErrors++;
            assertEquals(2, e.exitCode, what + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), what + ": one line: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(name + ": " + (needsByte ? "byte " : "")), what + ": names the file" + (needsByte ? " and byte" : "") + ": " + e.getMessage());
        } catch (Throwable e) {
            StackTraceElement[] st = e.getStackTrace();
            throw new AssertionError(what + ": " + e + " at " + Arrays.asList(st).subList(0, Math.min(4, st.length)), e);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms * 1_000_000 < CASE_LIMIT_NS, what + ": took " + ms + " ms");
    }

    @Test
    void mutatedEtdumpsGiveResultsOrCleanErrors() throws Exception {
        List<byte[]> seeds = etdumpSeeds();
        byte[] big = Files.readAllBytes(TestKit.shipped("runner-mnv1/mnv1-t1.etdump"));
        SplittableRandom rnd = new SplittableRandom(SEED);
        Tally t = new Tally();
        for (int i = 0; i < 11_000; i++) {
            byte[] seed = i % 20 == 0 ? big : seeds.get(i % seeds.size());
            byte[] b = mutate(seed, seeds.get(rnd.nextInt(seeds.size())), rnd, true);
            String what = "etdump case " + i + " (seed " + SEED + ")";
            boolean outputs = i % 10 == 0;
            check("fuzz.etdump", what, () -> analyseAll(b, outputs), t, true);
        }
        assertTrue(t.ok > 1000 && t.userErrors > 1000, "both outcomes occur: " + t.ok + " ok, " + t.userErrors + " errors");
    }

    private static void analyseAll(byte[] b, boolean outputs) {
        AnalyzeResults.Etdump d = AnalyzeResults.parseEtdump("fuzz.etdump", b);
        List<AnalyzeResults.Block> blocks = AnalyzeResults.inspector(d, null);
        AnalyzeResults.Analysis an = AnalyzeResults.analyse(d, null, null, 0);
        if (!outputs) return;
        AnalyzeResults.Experiment e = new AnalyzeResults.Experiment(new AnalyzeResults.Input("f", "f", null, null, Path.of("fuzz.etdump"), null, null),
                d, blocks, an, null, null, AnalyzeResults.sme2Evidence(null, null, an.operatorTypesSeen()), null);
        AnalyzeResults.inspectorCsv(List.of(e));
        AnalyzeResults.operatorsCsv(List.of(e));
        AnalyzeResults.categoriesCsv(List.of(e));
        AnalyzeResults.traceJson(List.of(e), 3);
        AnalyzeResults.experimentJson(e);
    }

    @Test
    void mutatedProgramsGiveResultsOrCleanErrors() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : List.of("pte/corey-cole-djl-add-xnnpack.pte", "pte/corey-cole-djl-conv-xnnpack.pte", "pte/executorch-apple-add.pte",
                "pte/executorch-arduino-AddModel-model.pte", "pte/arm-examples-cmsis-ethos-u-minimal.pte",
                "pte/executorch-ModuleLinear-no-constant-segment.pte", "bpte/executorch-module-bundled-program.bpte"))
            seeds.add(Files.readAllBytes(TestKit.shared(f)));
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        Tally t = new Tally();
        for (int i = 0; i < 3000; i++) {
            byte[] b = mutate(seeds.get(i % seeds.size()), seeds.get(rnd.nextInt(seeds.size())), rnd, false);
            check("fuzz.pte", "pte case " + i, () -> AnalyzeResults.programView(AnalyzeResults.parseProgramFile("fuzz.pte", b), null, null), t, true);
        }
        assertTrue(t.ok > 100 && t.userErrors > 100, t.ok + " ok, " + t.userErrors + " errors");
    }

    /** The 3 MB MobileNet-like .pte: mutations inside its program flatbuffer, segments kept (mutated in place, then restored). */
    @Test
    void mutatedMobilenetProgramHeadersGiveResultsOrCleanErrors() throws Exception {
        byte[] b = Files.readAllBytes(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"));
        byte[] orig = b.clone();
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        Tally t = new Tally();
        for (int i = 0; i < 400; i++) {
            int at = rnd.nextInt(7552), from, len;
            if (rnd.nextBoolean()) { from = at; len = 1; b[at] ^= (byte) (1 << rnd.nextInt(8)); }
            else { from = at - at % 4; len = 4; ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(from, rnd.nextInt()); }
            check("mnv1.pte", "mobilenet pte case " + i, () -> AnalyzeResults.parseProgramFile("mnv1.pte", b), t, true);
            System.arraycopy(orig, from, b, from, len);
        }
        assertTrue(Arrays.equals(orig, b), "every case restored the bytes it changed: the mutations do not accumulate");
        assertTrue(t.ok > 10 && t.userErrors > 10, t.ok + " ok, " + t.userErrors + " errors");
    }

    @Test
    void mutatedEtrecordsAndLogsGiveResultsOrCleanErrors() throws Exception {
        byte[] rec = AnalyzeReadersTest.newLayoutEtRecord(true);
        SplittableRandom rnd = new SplittableRandom(SEED + 3);
        Tally t = new Tally();
        for (int i = 0; i < 600; i++) {
            byte[] b = mutate(rec, rec, rnd, false);
            check("fuzz.etrecord", "etrecord case " + i, () -> AnalyzeResults.parseEtRecord("fuzz.etrecord", b), t, false);
        }
        assertTrue(t.ok > 10 && t.userErrors > 10, t.ok + " ok, " + t.userErrors + " errors");
        byte[] log = Files.readAllBytes(TestKit.shipped("runner-mnv1/mnv1-xnnlog.log"));
        Tally logs = new Tally();
        for (int i = 0; i < 300; i++) {
            byte[] b = mutate(log, log, rnd, false);
            check("fuzz.log", "log case " + i, () -> parseLog(b), logs, false);
        }
        assertEquals(300, logs.ok, "a kernel log never fails to parse");
    }

    private static void parseLog(byte[] b) {
        try {
            AnalyzeResults.parseKernelLog("fuzz.log", new StringReader(new String(b, StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
