import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fast paths of AnalyzeResults (issue 15) give exactly what the plain code gives: Python's float repr in long
 * arithmetic (AnalyzeResults.ShortestDigits) against the BigDecimal reference (pyExactDigits).
 */
class AnalyzeSpeedTest {

    /** The kinds of numbers the outputs print, and the edges of the fast path: every one must match the reference. */
    static List<Double> doubles(int n) {
        SplittableRandom r = new SplittableRandom(15);
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long a = r.nextLong(1, 1L << 40), b = a + r.nextLong(0, 100_000_000);
            v.add(b / 1e6 - a / 1e6);                                  // delegated durations: per-endpoint scaling
            v.add((b - a) / 1e6);                                      // operator durations
            v.add(Double.longBitsToDouble(r.nextLong() & Long.MAX_VALUE)); // any bit pattern (NaN and inf included)
            v.add(-r.nextDouble() * Math.pow(10, r.nextInt(-8, 20)));   // any magnitude, negative too
            v.add(r.nextInt(1, 100_000) / Math.pow(10, r.nextInt(0, 9))); // short decimals
            v.add((double) r.nextLong(1, 1L << 62));                   // large integers
        }
        for (int e = -20; e <= 25; e++) {                              // powers of ten and their neighbours
            double p = Double.parseDouble("1e" + e);
            v.addAll(List.of(p, Math.nextUp(p), Math.nextDown(p), 9.999999999999999 * p, 5 * p, 2.5 * p));
        }
        for (int e = -70; e <= 70; e++) v.addAll(List.of(Math.scalb(1.0, e), Math.nextUp(Math.scalb(1.0, e)), Math.scalb(3.0, e)));
        v.addAll(List.of(0.1, 0.2, 0.30000000000000004, 1e15, 1.5e16, 9007199254740993.0, 4.35, 0.000971, 1e-5, 2.5e-7,
                Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 5e-324, 123456789012345678.0));
        return v;
    }

    @Test
    void pyMatchesTheExactReference() {
        int fast = 0;
        for (double d : doubles(40_000)) {
            assertEquals(reference(d), AnalyzeResults.py(d), () -> "py(" + d + ")");
            if (Double.isNaN(d) || Double.isInfinite(d) || d == 0) continue;
            long[] quick = AnalyzeResults.ShortestDigits.of(d);
            if (quick == null) continue;
            fast++;
            BigDecimal exact = AnalyzeResults.pyExactDigits(d), got = BigDecimal.valueOf(d < 0 ? -quick[0] : quick[0], (int) quick[1]);
            assertEquals(0, exact.compareTo(got), () -> "digits of " + d + " (bits " + Long.toHexString(Double.doubleToRawLongBits(d))
                    + "): reference " + exact + ", fast " + got);
        }
        assertTrue(fast > 150_000, "the fast path took only " + fast + " values: it must serve the common ones");
        for (double d : List.of(1e-3 / 3, 2.0 / 3, 12345.678 - 12345.6, 0.040000000000000036))
            assertNotNull(AnalyzeResults.ShortestDigits.of(d), "the fast path serves " + d);
    }

    /** The ETDump decoded in two halves at once equals the one-pass decoding, and a corrupt file fails the same way. */
    @Test
    void twoHalvesAtOnceReadWhatOnePassReads() throws Exception {
        int runs = 600;
        double[] scales = new double[runs];
        for (int i = 0; i < runs; i++) scales[i] = 1.0 + (i % 7) / 10.0;
        byte[] good = EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), runs, scales).finish();
        assertTrue(good.length >= AnalyzeResults.PARALLEL_MIN_BYTES, "the file is large enough for two halves: " + good.length);
        assertEquals(describe(AnalyzeResults.parseEtdump("f", java.nio.ByteBuffer.wrap(good), false)),
                describe(AnalyzeResults.parseEtdump("f", java.nio.ByteBuffer.wrap(good), true)));
        SplittableRandom r = new SplittableRandom(7);
        int failures = 0;
        for (int k = 0; k < 60; k++) {
            byte[] b = good.clone();
            int at = 12 + r.nextInt(b.length - 16) & ~3;
            int v = k % 3 == 0 ? -1 : k % 3 == 1 ? r.nextInt() : 0x7fff;
            java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(at, v);
            String one = outcome(b, false), two = outcome(b, true);
            assertEquals(one, two, "word at byte " + at + " set to " + v);
            if (one.startsWith("error")) failures++;
        }
        assertTrue(failures > 10, "the corruptions reach the errors: " + failures);
    }

    private static String outcome(byte[] b, boolean parallel) {
        try {
            return describe(AnalyzeResults.parseEtdump("f", java.nio.ByteBuffer.wrap(b), parallel));
        } catch (Kit.UserError e) {
            return "error " + e.getMessage();
        }
    }

    /** Everything a decoded ETDump holds, as text (records with arrays compare by identity). */
    private static String describe(AnalyzeResults.Etdump d) {
        StringBuilder sb = new StringBuilder(d.version() + " " + d.emptyEvents() + " " + d.profileEvents() + " " + d.debugEvents() + " " + d.allocEvents() + "\n");
        for (AnalyzeResults.RunData r : d.runs()) {
            sb.append(r.name()).append(' ').append(r.bundledInputIndex()).append(' ').append(r.allocators()).append(' ').append(r.at()).append('\n');
            if (r.events() == null) { sb.append("no events\n"); continue; }
            for (AnalyzeResults.Ev e : r.events()) {
                if (e instanceof AnalyzeResults.Profile p) sb.append(p).append(java.util.Arrays.toString(p.metadata()));
                else if (e instanceof AnalyzeResults.Debug g) sb.append(g.name()).append(g.chainIndex()).append(g.instructionId()).append(g.at());
                else sb.append(e);
                sb.append('\n');
            }
        }
        return sb.toString().replaceAll("metadata=\\[B@[0-9a-f]+", "");
    }

    /** A streamed output that fails half-way leaves neither the file nor a temporary file behind. */
    @Test
    void aFailingStreamedWriteLeavesNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("inspector.csv");
        assertThrows(IllegalStateException.class, () -> Kit.writeAtomic(f, out -> {
            out.write("half a row".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            throw new IllegalStateException("failed while writing");
        }));
        try (var s = java.nio.file.Files.list(dir)) { assertEquals(List.of(), s.toList()); }
    }

    /** Python's float repr as the BASE version computed it (BigDecimal throughout): the oracle. */
    static String reference(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
        BigDecimal bd = AnalyzeResults.pyExactDigits(d).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        String sign = d < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            String plain = bd.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
}
