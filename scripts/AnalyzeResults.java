///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//JAVA_OPTIONS -XX:+UseSerialGC
//DESCRIPTION Analyses ETDumps with their .pte, ETRecord and XNNPACK kernel logs: Inspector table, operator categories, SME2 evidence, on/off comparison, CSV/JSON/trace and report.

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

@Command(name = "AnalyzeResults", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Analyses ExecuTorch profiling output: ETDumps, with the .pte, its ETRecord and XNNPACK kernel logs when present.",
                "",
                "Computes the Inspector table exactly as ExecuTorch's Inspector does (blocks merged by run signature, ns to ms, "
                        + "numpy linear percentiles); operator and category times per run (CONV, GEMM, DATA_MOVEMENT ... plus delegate "
                        + "and runtime overhead rows, so the categories cover all of Method::execute); end-to-end latency statistics "
                        + "of the steady state (the in-process warm-up the manifest records is left out) and the cold start apart; "
                        + "the microkernels XNNPACK selected (SME2 evidence); the program view of the .pte; and on/off comparisons "
                        + "with a 95%% bootstrap confidence interval, judged by the noise rule (faster / slower only when the interval "
                        + "excludes 1 and the change is above the noise floor).",
                "",
                "Writes into the output folder: analysis_summary.json, inspector.csv (all of Inspector's columns, module hierarchy and stack traces as one-line text; OPERATOR_CALL rows "
                        + "kept, as in Inspector.to_dataframe; with several experiments one more column, experiment, at the end), "
                        + "operators.csv, categories.csv, kernels.csv, operator_kernels.csv (the microkernel of each XNNPACK operator), comparison.csv, cold_start.csv, trace.json (Chrome trace events: open it in "
                        + "ui.perfetto.dev), report.md, report.html and the SVG charts.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/AnalyzeResults.java --run-dir runs/mac/20261125-140312-mv2_xnnpack_fp16",
                "  jbang scripts/AnalyzeResults.java --run-dir test-cases/fixtures/demo-run --out out/demo-report",
                "  jbang scripts/AnalyzeResults.java --etdump run.etdump --pte model.pte --etrecord model.etrecord --json",
                "  jbang scripts/AnalyzeResults.java --etdump off.etdump --label sme2_off --etdump on.etdump --label sme2_on --kernel-log off-xnntrace.log --kernel-log on-xnntrace.log --compare sme2_off sme2_on --skip-runs 1",
                "  jbang scripts/AnalyzeResults.java --kernel-log xnntrace.log        (kernel evidence only)",
                "  jbang scripts/AnalyzeResults.java --run-dir runs/mac/<run> --dry-run  (what it would read and write)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:analysis written", "1:nothing to analyse (every result of the run folder failed)",
                "2:bad input or usage (the message names the file, what is wrong and the byte offset)"})
public class AnalyzeResults implements Callable<Integer> {
    static final String VERSION = "0.1.0";
    private final Kit.Io io;

    AnalyzeResults(Kit.Io io) { this.io = io; }

    @Option(names = "--run-dir", paramLabel = "DIR", description = "a pipeline run folder (manifest.json, config.json, <experiment>/t<threads>/run.etdump); every result with status ok is analysed")
    Path runDir;

    @Option(names = "--etdump", paramLabel = "FILE", description = "an ETDump to analyse (repeatable)")
    List<Path> etdumps = new ArrayList<>();

    @Option(names = "--label", paramLabel = "NAME", description = "label of the --etdump in the same position (repeatable; default: the file name without its extension)")
    List<String> labels = new ArrayList<>();

    @Option(names = "--pte", paramLabel = "FILE", description = "the model's .pte (or .bpte) for the program view; default with --run-dir: manifest.model")
    Path pte;

    @Option(names = "--etrecord", paramLabel = "FILE", description = "the model's ETRecord (op_types, delegate names); default with --run-dir: <model stem>.etrecord beside the model")
    Path etrecord;

    @Option(names = "--kernel-log", paramLabel = "FILE", description = "an XNNPACK kernel log (stderr or logcat), matched to the --etdump options in order; alone: kernel evidence only (repeatable)")
    List<Path> kernelLogs = new ArrayList<>();

    @Option(names = "--compare", arity = "2", paramLabel = "LABEL", description = "compare BASE CAND (two labels; repeatable); default with --run-dir: analysis.compare_pairs of its config.json")
    List<String> compare = new ArrayList<>();

    @Option(names = "--skip-runs", paramLabel = "N", description = "leave the first N executions of every ETDump out of the statistics "
            + "(warm-up); default: what the run folder's manifest recorded as in-process warm-up (metrics.warmup_in_process), else 0")
    Integer skipRuns;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder; default: <run dir>/analysis, or ./analysis for single files (files in it are replaced atomically)")
    Path out;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "operators shown per experiment in the console and the report; default: ${DEFAULT-VALUE}")
    int top;

    @Option(names = "--trace-runs", paramLabel = "N", defaultValue = "100", description = "executions per experiment written to trace.json (0 = all); default: ${DEFAULT-VALUE}")
    int traceRuns;

    @Option(names = "--json", description = "print the analysis summary as JSON on stdout (progress goes to stderr)")
    boolean json;

    @Option(names = "--dry-run", description = "print what would be read and written; read no ETDump, write nothing")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        AnalyzeResults a = new AnalyzeResults(io);
        a.argv = List.of(args);
        return Kit.run(io, a, args);
    }

    /** The arguments it was started with (for the exact rerun command a finding gives). */
    private List<String> argv = List.of();

    /** This analysis again with --skip-runs n (any --skip-runs given is replaced), as one shell command. */
    String rerunCommand(int n) {
        List<String> words = new ArrayList<>(List.of("jbang", "scripts/AnalyzeResults.java"));
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--skip-runs")) { i++; continue; }
            if (a.startsWith("--skip-runs=")) continue;
            words.add(a);
        }
        words.addAll(List.of("--skip-runs", String.valueOf(n)));
        return String.join(" ", words.stream().map(Kit::shq).toList());
    }

    // =====================================================================================================================
    // Constants
    // =====================================================================================================================

    /** Inspector's default scale factor: TIME_SCALE_DICT[NS] / TIME_SCALE_DICT[MS]. */
    static final double NS_PER_MS = 1_000_000_000.0 / 1_000.0;
    static final long MAX_UINT32 = 4294967295L;
    static final List<String> CATEGORIES = List.of("CONV", "GEMM", "DATA_MOVEMENT", "ELEMENTWISE", "ACTIVATION",
            "POOL_REDUCE", "NORM", "QUANT", "OTHER", "DELEGATE_OVERHEAD", "RUNTIME_OVERHEAD");
    static final int OP_CATEGORIES = 9, DELEGATE_OVERHEAD = 9, RUNTIME_OVERHEAD = 10;
    /** The categories after the operator ones: time no operator event accounts for (ms, but no share of operator time). */
    static final List<String> OVERHEAD = CATEGORIES.subList(OP_CATEGORIES, CATEGORIES.size());
    /** Noise thresholds: fewer runs than this, or a coefficient of variation above this, make an experiment noisy. */
    static final int MIN_RUNS = 10;
    static final double CV_LIMIT_PERCENT = 5.0;
    /** Inspector's RESERVED_FRAMEWORK_EVENT_NAMES: never associated with graph nodes. */
    static final Set<String> RESERVED_FRAMEWORK = Set.of("Method::init", "Program::load_method", "Method::execute");
    static final String REREAD_FIX = "re-run the step that wrote this file (a profiling run writes the ETDump once, at exit); a partial copy is truncated";
    static final List<String> OUTPUT_FILES = List.of("analysis_summary.json", "inspector.csv", "operators.csv",
            "categories.csv", "kernels.csv", "comparison.csv", "cold_start.csv", "trace.json", "operator_kernels.csv");
    static final List<String> REPORT_FILES = List.of("report.md", "report.html", "categories.svg", "operators.svg",
            "latency.svg", "comparison.svg");

    // =====================================================================================================================
    // Readers: bounds-checked flatbuffer access
    // =====================================================================================================================

    /**
     * Little-endian flatbuffer access over part of a byte array. Every read is bounds-checked and every failure is a
     * bad-input error naming the file and the byte offset (from the start of the file). Vector lengths are checked
     * against the bytes that remain, and a budget (twice the size) caps all decoded elements and string bytes, so shared
     * or overlapping vectors in a corrupt file cannot make the work or the memory grow beyond the file's size.
     */
    static final class Fb {
        final String file;
        final ByteBuffer bb;
        final int base, len;
        final StrCache strings;
        final EventStore events = new EventStore();
        long budget;

        /** Reads bytes [base, base+len) of a buffer (a heap array or a mapped file); offsets are relative to base. */
        Fb(String file, ByteBuffer buffer, int base, int len, StrCache strings) {
            this.file = file;
            this.bb = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            this.base = base;
            this.len = len;
            this.strings = strings;
            this.budget = 2L * len + 4096;
        }

        Kit.UserError bad(long at, String what) {
            return Kit.UserError.badInput(file + ": byte " + (base + at) + ": " + what, REREAD_FIX);
        }

        int need(long at, long n, String what) {
            if (at < 0 || n < 0 || at + n > len)
                throw bad(Math.max(0, Math.min(at, len)), what + " at byte " + (base + at) + " lies outside the file ("
                        + (base + len) + " bytes): truncated or corrupt");
            return (int) at;
        }

        int u8(long at) { return bb.get(base + need(at, 1, "a byte")) & 0xff; }

        int u16(long at) { return bb.getShort(base + need(at, 2, "a 16-bit value")) & 0xffff; }

        int i32(long at) { return bb.getInt(base + need(at, 4, "a 32-bit value")); }

        long u32(long at) { return Integer.toUnsignedLong(i32(at)); }

        long i64(long at) { return bb.getLong(base + need(at, 8, "a 64-bit value")); }

        /** Follows the uoffset stored at `at`; the target must leave room for at least 4 bytes. */
        int ref(long at) {
            long t = at + u32(at);
            if (t + 4 > len) throw bad(at, "offset " + (t - at) + " points to byte " + (base + t) + ", past the end of the file ("
                    + (base + len) + " bytes): truncated or corrupt");
            return (int) t;
        }

        /** The validated vtable position of the table at t. */
        int vt(int t) {
            long v = t - (long) i32(t);
            if (v < 0 || v + 4 > len) throw bad(t, "the table's vtable offset points outside the file: corrupt");
            int vlen = u16(v);
            if (vlen < 4 || (vlen & 1) != 0 || v + vlen > len) throw bad(v, "invalid vtable length " + vlen + ": corrupt");
            return (int) v;
        }

        /** Position of field `id` of table t (vtable vt), or 0 when absent. */
        int field(int t, int vt, int id) {
            int slot = 4 + 2 * id;
            if (slot + 2 > (bb.getShort(base + vt) & 0xffff)) return 0;
            int off = bb.getShort(base + vt + slot) & 0xffff;
            return off == 0 ? 0 : t + off;
        }

        int i32(int t, int vt, int id, int def) { int p = field(t, vt, id); return p == 0 ? def : i32(p); }

        long i64(int t, int vt, int id, long def) { int p = field(t, vt, id); return p == 0 ? def : i64(p); }

        int u8(int t, int vt, int id, int def) { int p = field(t, vt, id); return p == 0 ? def : u8(p); }

        /** A sub-table, or -1 when absent. */
        int table(int t, int vt, int id) { int p = field(t, vt, id); return p == 0 ? -1 : ref(p); }

        /** A vector's position (its length word), or -1 when absent. */
        int vector(int t, int vt, int id) { int p = field(t, vt, id); return p == 0 ? -1 : ref(p); }

        /** The element count of the vector at v, checked against the bytes left after it. */
        int count(int v, int elemSize) {
            long n = u32(v);
            long room = len - (v + 4L);
            if (n * elemSize > room) throw bad(v, "vector length " + n + " (x" + elemSize + " bytes) exceeds the " + room
                    + " bytes left in the file: truncated or corrupt");
            spend(v, n);
            return (int) n;
        }

        int elem(int v, int i) { return ref(v + 4L + 4L * i); }

        void spend(long at, long n) {
            budget -= n;
            if (budget < 0) throw bad(at, "the file references more data than it holds (shared or overlapping vectors): corrupt");
        }

        String str(int t, int vt, int id) { int p = field(t, vt, id); return p == 0 ? null : strAt(ref(p)); }

        String strAt(int s) {
            long n = u32(s);
            need(s + 4L, n, "a string of " + n + " bytes");
            spend(s, n);
            return strings.get(bb, base + s + 4, (int) n);
        }

        byte[] bytes(int v) {
            int n = count(v, 1);
            if (n == 0) return EMPTY_BYTES;
            byte[] r = new byte[n];
            bb.get(base + v + 4, r);
            return r;
        }

        long[] longs(int v) {
            int n = count(v, 8);
            long[] r = new long[n];
            for (int i = 0; i < n; i++) r[i] = bb.getLong(base + v + 4 + 8 * i);
            return r;
        }

        String ascii(int at, int n) {
            if (at + n > len) return "";
            byte[] r = new byte[n];
            bb.get(base + at, r);
            return new String(r, StandardCharsets.ISO_8859_1);
        }

        /** The first bytes, for telling what a file is when it is not what was expected. */
        byte[] head() {
            byte[] r = new byte[Math.min(len, 64)];
            bb.get(base, r);
            return r;
        }
    }

    static final byte[] EMPTY_BYTES = new byte[0];

    /** Deduplicates the short strings of a file (event names repeat once per run) without decoding them again. */
    static final class StrCache {
        private byte[][] keys = new byte[512][];
        private String[] values = new String[512];
        private int[] hashes = new int[512];
        private int size;

        String get(ByteBuffer bb, int off, int n) {
            if (n > 160 || size > 1 << 16) return decode(bb, off, n);
            int h = 1;
            for (int i = 0; i < n; i++) h = 31 * h + bb.get(off + i);
            int mask = keys.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                byte[] k = keys[i];
                if (k == null) {
                    byte[] key = new byte[n];
                    bb.get(off, key);
                    String s = new String(key, StandardCharsets.UTF_8);
                    keys[i] = key;
                    values[i] = s;
                    hashes[i] = h;
                    if (++size * 2 > keys.length) grow();
                    return s;
                }
                if (hashes[i] == h && k.length == n && same(k, bb, off)) return values[i];
            }
        }

        private static boolean same(byte[] k, ByteBuffer bb, int off) {
            for (int i = 0; i < k.length; i++) if (k[i] != bb.get(off + i)) return false;
            return true;
        }

        private static String decode(ByteBuffer bb, int off, int n) {
            byte[] b = new byte[n];
            bb.get(off, b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private void grow() {
            byte[][] ok = keys;
            String[] ov = values;
            int[] oh = hashes;
            keys = new byte[ok.length * 2][];
            values = new String[ok.length * 2];
            hashes = new int[ok.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < ok.length; j++) {
                if (ok[j] == null) continue;
                int i = oh[j] & mask;
                while (keys[i] != null) i = (i + 1) & mask;
                keys[i] = ok[j];
                values[i] = ov[j];
                hashes[i] = oh[j];
            }
        }
    }

    static byte[] readBytes(Path p, String what) {
        checkFile(p, what);
        try {
            checkSize(p, Files.size(p), what);
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw Kit.UserError.badInput(p + ": cannot read: " + e.getMessage(), "check the file's permissions");
        }
    }

    /** Maps a file read-only (no heap copy: large ETDumps stay off the Java heap). */
    static ByteBuffer mapFile(Path p, String what) {
        checkFile(p, what);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.READ)) {
            long size = ch.size();
            checkSize(p, size, what);
            return ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw Kit.UserError.badInput(p + ": cannot read: " + e.getMessage(), "check the file's permissions");
        }
    }

    /** The checks before reading a file: given, not a folder, present. */
    private static void checkFile(Path p, String what) {
        if (p == null) throw Kit.UserError.badInput(what + ": no file given", "pass the file's path");
        if (Files.isDirectory(p)) throw Kit.UserError.badInput(p + ": is a folder, not " + what, "pass the file inside it");
        if (!Files.isRegularFile(p)) throw Kit.UserError.badInput(p + ": file not found (" + what + ")", "check the path");
    }

    /** Files are read into one array or one mapping, so at most 2 GB. */
    private static void checkSize(Path p, long size, String what) {
        if (size > Integer.MAX_VALUE - 64)
            throw Kit.UserError.badInput(p + ": byte 0: " + size + " bytes is larger than 2 GB: not " + what, "check the file");
    }

    /** What a file looks like when it is not what was expected, for the error message. */
    static String looksLike(byte[] b) {
        String at4 = b.length >= 8 ? new String(b, 4, 4, StandardCharsets.ISO_8859_1) : "";
        String at8 = b.length >= 12 ? new String(b, 8, 4, StandardCharsets.ISO_8859_1) : "";
        if (at4.equals("ET12")) return "this is a .pte program (ET12 at byte 4); pass it with --pte";
        if (at4.equals("BP08")) return "this is a bundled program .bpte (BP08 at byte 4); pass it with --pte";
        if (at8.equals("ED00")) return "this is an ETDump (ED00 at byte 8); pass it with --etdump";
        if (b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) return "this is a zip archive (an ETRecord? pass it with --etrecord)";
        int printable = 0, n = Math.min(b.length, 64);
        for (int i = 0; i < n; i++) if ((b[i] >= 32 && b[i] < 127) || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') printable++;
        if (n > 0 && printable == n) return "this looks like a text file (a log? pass logs with --kernel-log)";
        return "unknown format";
    }

    // =====================================================================================================================
    // Readers: ETDump (size-prefixed flatbuffer "ED00", ExecuTorch devtools/etdump/etdump_schema_flatcc.fbs)
    // =====================================================================================================================

    /** A decoded ETDump: RunData blocks in file order, with its event counts (counted once, while reading). */
    record Etdump(String file, long version, List<RunData> runs, int bytes, int emptyEvents, int profileEvents,
                  int debugEvents, int allocEvents) {
        int count(Class<? extends Ev> kind) {
            return kind == Profile.class ? profileEvents : kind == Debug.class ? debugEvents : kind == Alloc.class ? allocEvents : 0;
        }
    }

    /** One RunData: `events` is null when the vector is absent (Inspector skips such blocks). */
    record RunData(String name, int bundledInputIndex, List<String> allocators, List<Ev> events, int at) {}

    sealed interface Ev permits Profile, Alloc, Debug {}

    /** A ProfileEvent with the schema defaults applied; `at` is its byte offset. */
    record Profile(String name, int chainIndex, int instructionId, int delegateIdInt, String delegateIdStr,
                   byte[] metadata, long start, long end, int at) implements Ev {
        boolean delegated() { return delegateIdInt != -1 || (delegateIdStr != null && !delegateIdStr.isEmpty()); }

        /** Inspector's event name: the delegate id (int first) when delegated, else the name. */
        String inspectorName() {
            if (delegateIdInt != -1) return Integer.toString(delegateIdInt);
            if (delegateIdStr != null && !delegateIdStr.isEmpty()) return delegateIdStr;
            return name == null ? "" : name;
        }
    }

    record Alloc(int allocatorId, long size, int at) implements Ev {}

    record Debug(long chainIndex, int instructionId, int delegateIdInt, String delegateIdStr, String name, Value entry,
                 int at) implements Ev {}

    /** An ETDump Value: type is the ValueType (Null 0, Int 1, Bool 2, Float 3, Double 4, Tensor 5, TensorList 6, String 7). */
    record Value(int type, Object data, boolean output) {}

    record Tensor(int scalarType, long[] sizes, long[] strides, long offset) {}

    static Etdump readEtdump(Path p) { return parseEtdump(p.toString(), mapFile(p, "an ETDump")); }

    static Etdump parseEtdump(String file, byte[] b) { return parseEtdump(file, ByteBuffer.wrap(b)); }

    static Etdump parseEtdump(String file, ByteBuffer buf) { return parseEtdump(file, buf, true); }

    /** From this many RunData blocks (and 1 MB) on, the blocks are decoded in two halves at once, on two cores. */
    static final int PARALLEL_MIN_RUNS = 64, PARALLEL_MIN_BYTES = 1 << 20;

    static Etdump parseEtdump(String file, ByteBuffer buf, boolean parallel) {
        int length = buf.capacity();
        Fb fb = new Fb(file, buf, 0, length, new StrCache());
        if (length == 0) throw fb.bad(0, "the file is empty (0 bytes): not an ETDump");
        if (length < 12) throw fb.bad(0, "the file is " + length + " bytes, too short for an ETDump (at least 12)");
        if (!fb.ascii(8, 4).equals("ED00"))
            throw fb.bad(8, "identifier is \"" + printable(fb.ascii(8, 4)) + "\", not ED00: not an ETDump; " + looksLike(fb.head()));
        long size = fb.u32(0);
        if (size != length - 4L)
            throw fb.bad(0, "size prefix says " + size + " bytes follow but the file has " + (length - 4) + " (truncated or padded)");
        int root = fb.ref(4);
        int vt = fb.vt(root);
        long version = Integer.toUnsignedLong(fb.i32(root, vt, 0, 0));
        int runsVec = fb.vector(root, vt, 1);
        List<RunData> runs = new ArrayList<>();
        int[] counts = new int[4];   // empty, profile, debug, allocation events
        int n = runsVec < 0 ? 0 : fb.count(runsVec, 4);
        List<RunData> halves = parallel && n >= PARALLEL_MIN_RUNS && length >= PARALLEL_MIN_BYTES
                && Runtime.getRuntime().availableProcessors() > 1 ? inTwoHalves(fb, buf, runsVec, n, counts) : null;
        if (halves != null) runs = halves;
        else for (int i = 0; i < n; i++) runs.add(runData(fb, fb.elem(runsVec, i), counts));
        return new Etdump(file, version, List.copyOf(runs), length, counts[0], counts[1], counts[2], counts[3]);
    }

    /**
     * The n RunData blocks decoded as two halves at once (the second on another thread, each with its own reader and
     * string cache), or null to decode them in one pass instead: when either half fails, or both together spent more
     * than the file's budget, the one-pass decoding repeats the work and fails exactly as it always did (same error,
     * same byte offset). A file that decodes gives the same blocks either way.
     */
    private static List<RunData> inTwoHalves(Fb fb, ByteBuffer buf, int runsVec, int n, int[] counts) {
        int mid = n / 2;
        Fb first = new Fb(fb.file, buf, fb.base, fb.len, new StrCache()), second = new Fb(fb.file, buf, fb.base, fb.len, new StrCache());
        int[] c1 = new int[4], c2 = new int[4];
        RunData[] out = new RunData[n];
        RuntimeException[] failed = new RuntimeException[1];
        Thread t = new Thread(() -> {
            try {
                for (int i = mid; i < n; i++) out[i] = runData(second, second.elem(runsVec, i), c2);
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        }, "etdump-reader");
        t.start();
        boolean ok = true;
        try {
            for (int i = 0; i < mid; i++) out[i] = runData(first, first.elem(runsVec, i), c1);
        } catch (RuntimeException e) {
            ok = false;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + fb.file, e);
        }
        long full = 2L * fb.len + 4096, spent = (full - first.budget) + (full - second.budget);
        if (!ok || failed[0] != null || fb.budget - spent < 0) return null;
        fb.budget -= spent;
        for (int k = 0; k < 4; k++) counts[k] += c1[k] + c2[k];
        return Arrays.asList(out);
    }

    static String orEmpty(String s) { return s == null ? "" : s; }

    /** A name from a file, safe for a one-line message: control characters escaped, at most 80 characters. */
    static String shortPrintable(String s) {
        String p = printable(s.length() > 80 ? s.substring(0, 80) : s);
        return s.length() > 80 ? p + "..." : p;
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 32 && c != 127 && !Character.isISOControl(c) ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        return sb.toString();
    }

    private static RunData runData(Fb fb, int rd, int[] counts) {
        int vt = fb.vt(rd);
        String name = fb.str(rd, vt, 0);
        int bundled = fb.i32(rd, vt, 1, -1);
        List<String> allocators = new ArrayList<>();
        int av = fb.vector(rd, vt, 2);
        for (int i = 0, n = av < 0 ? 0 : fb.count(av, 4); i < n; i++) {
            int al = fb.elem(av, i);
            allocators.add(orEmpty(fb.str(al, fb.vt(al), 0)));
        }
        int ev = fb.vector(rd, vt, 3);
        List<Ev> events = null;
        if (ev >= 0) {
            int n = fb.count(ev, 4), from = fb.events.size();
            for (int i = 0; i < n; i++) counts[event(fb, fb.elem(ev, i))]++;
            events = fb.events.view(from);
        }
        return new RunData(name == null ? "" : name, bundled, List.copyOf(allocators), events, rd);
    }

    /**
     * An Event table, stored in fb.events: the first populated of profile_event, debug_event (Inspector's order), then
     * allocation_event. Returns its kind: 0 none (not stored), 1 profile, 2 debug, 3 allocation.
     */
    private static int event(Fb fb, int e) {
        int vt = fb.vt(e);
        int pe = fb.table(e, vt, 0);
        if (pe >= 0) { profile(fb, pe); return 1; }
        int de = fb.table(e, vt, 2);
        if (de >= 0) { fb.events.add(debug(fb, de)); return 2; }
        int ae = fb.table(e, vt, 1);
        if (ae >= 0) {
            int avt = fb.vt(ae);
            fb.events.add(new Alloc(fb.i32(ae, avt, 0, 0), fb.i64(ae, avt, 1, 0), ae));
            return 3;
        }
        return 0;
    }

    /** A ProfileEvent into the columns of fb.events (fields read in the order the Profile record lists them). */
    private static void profile(Fb fb, int p) {
        int vt = fb.vt(p);
        int meta = fb.vector(p, vt, 5);
        String name = fb.str(p, vt, 0);
        int chain = fb.i32(p, vt, 1, 0), iid = fb.i32(p, vt, 2, -1), did = fb.i32(p, vt, 3, -1);
        String dstr = fb.str(p, vt, 4);
        byte[] metadata = meta < 0 ? null : fb.bytes(meta);
        fb.events.profile(name, chain, iid, did, dstr, metadata, fb.i64(p, vt, 6, 0), fb.i64(p, vt, 7, 0), p);
    }

    /**
     * The events of an ETDump without an object per event: the ProfileEvents' fields in columns (chunks of 4,096 events),
     * the rare debug and allocation events as objects. A RunData's events are a view of its range; get(i) makes the
     * Profile record when asked (a short-lived object), so a million events cost about 40 bytes each in a few hundred
     * arrays instead of a million objects for the garbage collector to trace.
     */
    static final class EventStore {
        private static final int SHIFT = 12, CHUNK = 1 << SHIFT, MASK = CHUNK - 1;
        private final List<Chunk> chunks = new ArrayList<>();
        private int size;

        private static final class Chunk {
            final String[] name = new String[CHUNK], delegateIdStr = new String[CHUNK];
            final int[] chainIndex = new int[CHUNK], instructionId = new int[CHUNK], delegateIdInt = new int[CHUNK], at = new int[CHUNK];
            final long[] start = new long[CHUNK], end = new long[CHUNK];
            byte[][] metadata;   // null until an event has metadata other than "none"
            Ev[] other;          // debug and allocation events; null until there is one
        }

        int size() { return size; }

        private Chunk next() {
            if ((size & MASK) == 0 && (size >>> SHIFT) == chunks.size()) chunks.add(new Chunk());
            return chunks.get(size >>> SHIFT);
        }

        void profile(String name, int chainIndex, int instructionId, int delegateIdInt, String delegateIdStr, byte[] metadata,
                     long start, long end, int at) {
            Chunk c = next();
            int i = size & MASK;
            c.name[i] = name;
            c.chainIndex[i] = chainIndex;
            c.instructionId[i] = instructionId;
            c.delegateIdInt[i] = delegateIdInt;
            c.delegateIdStr[i] = delegateIdStr;
            if (metadata != null) {
                if (c.metadata == null) c.metadata = new byte[CHUNK][];
                c.metadata[i] = metadata;
            }
            c.start[i] = start;
            c.end[i] = end;
            c.at[i] = at;
            size++;
        }

        void add(Ev e) {
            Chunk c = next();
            if (c.other == null) c.other = new Ev[CHUNK];
            c.other[size & MASK] = e;
            size++;
        }

        Ev get(int index) {
            Chunk c = chunks.get(index >>> SHIFT);
            int i = index & MASK;
            if (c.other != null && c.other[i] != null) return c.other[i];
            return new Profile(c.name[i], c.chainIndex[i], c.instructionId[i], c.delegateIdInt[i], c.delegateIdStr[i],
                    c.metadata == null ? null : c.metadata[i], c.start[i], c.end[i], c.at[i]);
        }

        /** The events stored from index from on, as a read-only list. */
        List<Ev> view(int from) { return new View(this, from, size - from); }

        private static final class View extends java.util.AbstractList<Ev> implements java.util.RandomAccess {
            private final EventStore store;
            private final int from, n;

            View(EventStore store, int from, int n) { this.store = store; this.from = from; this.n = n; }

            @Override public Ev get(int i) { java.util.Objects.checkIndex(i, n); return store.get(from + i); }

            @Override public int size() { return n; }
        }
    }

    private static Debug debug(Fb fb, int d) {
        int vt = fb.vt(d);
        int entry = fb.table(d, vt, 2);
        return new Debug(fb.i64(d, vt, 0, 0), fb.i32(d, vt, 1, -1), fb.i32(d, vt, 3, -1), fb.str(d, vt, 4),
                fb.str(d, vt, 5), entry < 0 ? null : value(fb, entry), d);
    }

    private static Value value(Fb fb, int v) {
        int vt = fb.vt(v);
        int type = fb.u8(v, vt, 0, 0);
        int outT = fb.table(v, vt, 7);
        boolean output = outT >= 0 && fb.u8(outT, fb.vt(outT), 0, 0) != 0;
        Object data = switch (type) {
            case 1 -> scalar(fb, fb.table(v, vt, 3), 8);
            case 2 -> { Object o = scalar(fb, fb.table(v, vt, 6), 1); yield o == null ? null : ((Long) o) != 0; }
            case 3 -> { Object o = scalar(fb, fb.table(v, vt, 4), 4); yield o == null ? null : Float.intBitsToFloat(((Long) o).intValue()); }
            case 4 -> { Object o = scalar(fb, fb.table(v, vt, 5), 8); yield o == null ? null : Double.longBitsToDouble((Long) o); }
            case 5 -> { int t = fb.table(v, vt, 1); yield t < 0 ? null : tensor(fb, t); }
            case 6 -> tensorList(fb, fb.table(v, vt, 2));
            default -> null;
        };
        return new Value(type, data, output);
    }

    /** Field 0 of a one-field wrapper table (Int, Bool, Float, Double) as raw bits, or null when the table is absent. */
    private static Object scalar(Fb fb, int t, int size) {
        if (t < 0) return null;
        int vt = fb.vt(t);
        int p = fb.field(t, vt, 0);
        if (p == 0) return 0L;
        return switch (size) {
            case 1 -> (long) fb.u8(p);
            case 4 -> (long) fb.i32(p);
            default -> fb.i64(p);
        };
    }

    private static Tensor tensor(Fb fb, int t) {
        int vt = fb.vt(t);
        int sizes = fb.vector(t, vt, 1), strides = fb.vector(t, vt, 2);
        return new Tensor(fb.u8(t, vt, 0, 0), sizes < 0 ? new long[0] : fb.longs(sizes),
                strides < 0 ? new long[0] : fb.longs(strides), fb.i64(t, vt, 3, 0));
    }

    private static List<Tensor> tensorList(Fb fb, int t) {
        if (t < 0) return null;
        int vt = fb.vt(t);
        int v = fb.vector(t, vt, 0);
        List<Tensor> r = new ArrayList<>();
        for (int i = 0, n = v < 0 ? 0 : fb.count(v, 4); i < n; i++) r.add(tensor(fb, fb.elem(v, i)));
        return r;
    }

    // =====================================================================================================================
    // Readers: .pte program ("ET12", schema/program.fbs) and BundledProgram .bpte ("BP08")
    // =====================================================================================================================

    record Program(String file, String container, Header header, long version, List<Method> methods,
                   List<Segment> segments, int constantBuffers, int inlineDelegateData, int namedData,
                   List<String> bundledMethods, int bundledTestCases) {
        Method first() { return methods.isEmpty() ? null : methods.get(0); }
    }

    /** The optional "eh00" extended header; segmentDataSize is null in the older 0x18-byte form. */
    record Header(boolean extended, long length, long programSize, long segmentBaseOffset, Long segmentDataSize) {}

    record Method(String name, int values, int inputs, int outputs, List<List<Instr>> chains, List<Operator> operators,
                  List<Delegate> delegates, long[] nonConstBufferSizes) {
        List<Instr> instructions() { return chains.isEmpty() ? List.of() : chains.get(0); }

        /** The operator or backend an instruction of chain 0 calls, or null. */
        String callee(int iid) {
            if (iid < 0 || iid >= instructions().size()) return null;
            Instr in = instructions().get(iid);
            if (in.type() == Instr.KERNEL && in.index() >= 0 && in.index() < operators.size()) return operators.get(in.index()).display();
            if (in.type() == Instr.DELEGATE && in.index() >= 0 && in.index() < delegates.size()) return delegates.get(in.index()).id();
            return null;
        }
    }

    /** An instruction: type KERNEL (index = op_index), DELEGATE (index = delegate_index), MOVE, JUMP_FALSE, FREE. */
    record Instr(int type, int index) {
        static final int KERNEL = 1, DELEGATE = 2, MOVE = 3, JUMP_FALSE = 4, FREE = 5;
    }

    record Operator(String name, String overload) {
        String display() { return overload == null || overload.isEmpty() ? name : name + "." + overload; }
    }

    /** A backend delegate: location 0 = INLINE, 1 = SEGMENT; index into backend_delegate_data or segments. */
    record Delegate(String id, int location, long index, List<String> compileSpecKeys) {}

    record Segment(long offset, long size) {}

    static Program readProgram(Path p) { return parseProgramFile(p.toString(), mapFile(p, "a .pte program")); }

    static Program parseProgramFile(String file, byte[] b) { return parseProgramFile(file, ByteBuffer.wrap(b)); }

    static Program parseProgramFile(String file, ByteBuffer buf) {
        int length = buf.capacity();
        Fb fb = new Fb(file, buf, 0, length, new StrCache());
        if (length == 0) throw fb.bad(0, "the file is empty (0 bytes): not a .pte program");
        if (length < 8) throw fb.bad(0, "the file is " + length + " bytes, too short for a .pte program");
        String id = fb.ascii(4, 4);
        if (id.equals("BP08")) return bundled(fb);
        if (!id.equals("ET12"))
            throw fb.bad(4, "identifier is \"" + printable(id) + "\", not ET12: not a .pte program; " + looksLike(fb.head()));
        return program(fb, "pte", List.of(), 0);
    }

    private static Program bundled(Fb fb) {
        int root = fb.ref(0);
        int vt = fb.vt(root);
        List<String> methods = new ArrayList<>();
        int cases = 0;
        int suites = fb.vector(root, vt, 1);
        for (int i = 0, n = suites < 0 ? 0 : fb.count(suites, 4); i < n; i++) {
            int s = fb.elem(suites, i);
            int svt = fb.vt(s);
            methods.add(orEmpty(fb.str(s, svt, 0)));
            int tc = fb.vector(s, svt, 1);
            cases += tc < 0 ? 0 : fb.count(tc, 4);
        }
        int pv = fb.vector(root, vt, 2);
        if (pv < 0) throw fb.bad(root, "the bundled program has no embedded program (field program is absent)");
        int n = fb.count(pv, 1);
        Fb inner = new Fb(fb.file, fb.bb, fb.base + pv + 4, n, fb.strings);
        if (n < 8 || !inner.ascii(4, 4).equals("ET12"))
            throw fb.bad(pv + 4, "the embedded program is not a .pte (no ET12 identifier at its byte 4)");
        return program(inner, "bpte", methods, cases);
    }

    private static Program program(Fb fb, String container, List<String> bundledMethods, int bundledCases) {
        Header h = header(fb);
        int root = fb.ref(0);
        int vt = fb.vt(root);
        long version = Integer.toUnsignedLong(fb.i32(root, vt, 0, 0));
        List<Method> methods = new ArrayList<>();
        int plans = fb.vector(root, vt, 1);
        for (int i = 0, n = plans < 0 ? 0 : fb.count(plans, 4); i < n; i++) methods.add(method(fb, fb.elem(plans, i)));
        List<Segment> segments = segments(fb, fb.vector(root, vt, 4), h);
        return new Program(fb.file, container, h, version, List.copyOf(methods), segments, vecCount(fb, root, vt, 2),
                vecCount(fb, root, vt, 3), vecCount(fb, root, vt, 7), List.copyOf(bundledMethods), bundledCases);
    }

    private static int vecCount(Fb fb, int t, int vt, int id) {
        int v = fb.vector(t, vt, id);
        return v < 0 ? 0 : fb.count(v, 4);
    }

    private static Header header(Fb fb) {
        if (!fb.ascii(8, 2).equals("eh")) return new Header(false, 0, 0, 0, null);
        if (!fb.ascii(8, 4).equals("eh00")) throw fb.bad(8, "unknown extended header \"" + printable(fb.ascii(8, 4)) + "\" (expected eh00)");
        long length = fb.u32(12);
        if (length < 0x18) throw fb.bad(12, "extended header length " + length + " is shorter than 24 bytes: corrupt");
        fb.need(8, length, "the extended header");
        long programSize = fb.i64(16), base = fb.i64(24);
        Long dataSize = length >= 0x20 ? fb.i64(32) : null;
        if (programSize < 0 || programSize > fb.len)
            throw fb.bad(16, "program_size " + Long.toUnsignedString(programSize) + " exceeds the file's " + fb.len + " bytes: truncated");
        if (base < 0 || base > fb.len)
            throw fb.bad(24, "segment_base_offset " + Long.toUnsignedString(base) + " exceeds the file's " + fb.len + " bytes: truncated");
        return new Header(true, length, programSize, base, dataSize);
    }

    private static List<Segment> segments(Fb fb, int v, Header h) {
        List<Segment> r = new ArrayList<>();
        for (int i = 0, n = v < 0 ? 0 : fb.count(v, 4); i < n; i++) {
            int s = fb.elem(v, i);
            int vt = fb.vt(s);
            long off = fb.i64(s, vt, 0, 0), size = fb.i64(s, vt, 1, 0);
            if (h.extended() && (off < 0 || size < 0 || h.segmentBaseOffset() + off + size > fb.len || h.segmentBaseOffset() + off + size < 0))
                throw fb.bad(s, "segment " + i + " (offset " + Long.toUnsignedString(off) + ", size " + Long.toUnsignedString(size)
                        + " after segment_base_offset " + h.segmentBaseOffset() + ") ends past the end of the file (" + fb.len
                        + " bytes): truncated .pte");
            r.add(new Segment(off, size));
        }
        return List.copyOf(r);
    }

    private static Method method(Fb fb, int p) {
        int vt = fb.vt(p);
        String name = fb.str(p, vt, 0);
        List<List<Instr>> chains = new ArrayList<>();
        int cv = fb.vector(p, vt, 5);
        for (int i = 0, n = cv < 0 ? 0 : fb.count(cv, 4); i < n; i++) chains.add(chain(fb, fb.elem(cv, i)));
        List<Operator> ops = new ArrayList<>();
        int ov = fb.vector(p, vt, 6);
        for (int i = 0, n = ov < 0 ? 0 : fb.count(ov, 4); i < n; i++) {
            int o = fb.elem(ov, i);
            int ovt = fb.vt(o);
            ops.add(new Operator(orEmpty(fb.str(o, ovt, 0)), fb.str(o, ovt, 1)));
        }
        List<Delegate> delegates = new ArrayList<>();
        int dv = fb.vector(p, vt, 7);
        for (int i = 0, n = dv < 0 ? 0 : fb.count(dv, 4); i < n; i++) delegates.add(delegate(fb, fb.elem(dv, i)));
        int nb = fb.vector(p, vt, 8);
        return new Method(name == null ? "" : name, vecCount(fb, p, vt, 2), vecCount(fb, p, vt, 3), vecCount(fb, p, vt, 4),
                List.copyOf(chains), List.copyOf(ops), List.copyOf(delegates), nb < 0 ? new long[0] : fb.longs(nb));
    }

    private static List<Instr> chain(Fb fb, int c) {
        int vt = fb.vt(c);
        int iv = fb.vector(c, vt, 2);
        List<Instr> r = new ArrayList<>();
        for (int i = 0, n = iv < 0 ? 0 : fb.count(iv, 4); i < n; i++) {
            int in = fb.elem(iv, i);
            int ivt = fb.vt(in);
            int type = fb.u8(in, ivt, 0, 0);
            int args = fb.table(in, ivt, 1);
            int index = -1;
            if ((type == Instr.KERNEL || type == Instr.DELEGATE) && args >= 0) index = fb.i32(args, fb.vt(args), 0, 0);
            r.add(new Instr(type, index));
        }
        return List.copyOf(r);
    }

    private static Delegate delegate(Fb fb, int d) {
        int vt = fb.vt(d);
        String id = fb.str(d, vt, 0);
        int processed = fb.table(d, vt, 1);
        int location = 0;
        long index = 0;
        if (processed >= 0) {
            int pvt = fb.vt(processed);
            location = fb.u8(processed, pvt, 0, 0);
            index = Integer.toUnsignedLong(fb.i32(processed, pvt, 1, 0));
        }
        List<String> keys = new ArrayList<>();
        int cs = fb.vector(d, vt, 2);
        for (int i = 0, n = cs < 0 ? 0 : fb.count(cs, 4); i < n; i++) {
            int s = fb.elem(cs, i);
            keys.add(orEmpty(fb.str(s, fb.vt(s), 0)));
        }
        return new Delegate(id == null ? "" : id, location, index, List.copyOf(keys));
    }

    // =====================================================================================================================
    // Readers: ETRecord (zip; ExecuTorch devtools/etrecord/_etrecord.py)
    // =====================================================================================================================

    /**
     * The parts of an ETRecord the analysis uses, for the method "forward" (Inspector's FORWARD): instruction id ->
     * debug handles, instruction id -> delegate entry, and debug handle -> op type of the edge program's nodes.
     */
    record EtRecord(String file, String layout, List<String> entries, Map<String, List<Integer>> debugHandles,
                    Map<String, DelegateEntry> delegates, Map<Integer, String> opByHandle, List<String> warnings,
                    Map<Integer, List<GraphNode>> nodesByHandle) {}

    /**
     * An operator node of the edge graph as Inspector's FXOperatorGraph sees it: name (node name + "_"), op type,
     * metadata stack_trace (null when absent) and nn_module_stack (null when absent), in the graph's order.
     */
    record GraphNode(String name, String op, String stackTrace, List<ModuleFrame> modules) {}

    /** One nn_module_stack entry: torch.export's "key,path,type" (path "" = the root module). */
    record ModuleFrame(String key, String path, String type) {}

    record DelegateEntry(String name, Map<String, List<Integer>> delegateMap) {}

    static final long ETRECORD_ENTRY_LIMIT = 256L << 20;

    static EtRecord readEtRecord(Path p) { return parseEtRecord(p.toString(), readBytes(p, "an ETRecord")); }

    static EtRecord parseEtRecord(String file, byte[] b) {
        if (b.length < 4 || b[0] != 'P' || b[1] != 'K' || b[2] != 3 || b[3] != 4)
            throw Kit.UserError.badInput(file + ": byte 0: not a zip archive, so not an ETRecord; " + looksLike(b),
                    "pass the .etrecord written by the export (etrecord.save(path) / generate_etrecord)");
        Map<String, byte[]> wanted = new LinkedHashMap<>();
        List<String> entries = new ArrayList<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(b))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                entries.add(e.getName());
                if (isWantedEtRecordEntry(e.getName())) wanted.put(e.getName(), readLimited(z, file, e.getName()));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw Kit.UserError.badInput(file + ": corrupt zip archive: " + e.getMessage(), "re-export the model to write a new ETRecord");
        }
        if (!entries.contains("ETRECORD_V0"))
            throw Kit.UserError.badInput(file + ": zip archive without the ETRECORD_V0 entry: not an ETRecord",
                    "pass the .etrecord written by the export");
        List<String> warnings = new ArrayList<>();
        JsonNode dh = etRecordJson(file, wanted, "debug_handle_map"), dm = etRecordJson(file, wanted, "delegate_map");
        String layout = entries.stream().anyMatch(n -> n.startsWith("edge_dialect_exported_program/")) ? "new"
                : entries.contains("edge_dialect_exported_program") ? "old" : "none";
        String graphEntry = layout.equals("new") ? (wanted.containsKey("edge_dialect_exported_program/forward")
                ? "edge_dialect_exported_program/forward" : firstGraphEntry(wanted)) : "edge_dialect_exported_program";
        Map<Integer, String> ops = opsByHandle(file, wanted.get(graphEntry), graphEntry, warnings);
        if (layout.equals("none")) warnings.add("the ETRecord holds no edge program: op_types stay empty");
        return new EtRecord(file, layout, List.copyOf(entries), handleMap(dh.path("forward")), delegateMap(dm.path("forward")),
                ops, List.copyOf(warnings), graphNodes(wanted.get(graphEntry)));
    }

    private static boolean isWantedEtRecordEntry(String n) {
        if (n.equals("debug_handle_map") || n.equals("delegate_map") || n.equals("edge_dialect_exported_program")) return true;
        return n.startsWith("edge_dialect_exported_program/") && !n.endsWith("_state_dict") && !n.endsWith("_constants")
                && !n.endsWith("_example_inputs");
    }

    private static String firstGraphEntry(Map<String, byte[]> wanted) {
        return wanted.keySet().stream().filter(k -> k.startsWith("edge_dialect_exported_program/")).findFirst().orElse(null);
    }

    private static byte[] readLimited(InputStream in, String file, String entry) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            o.write(buf, 0, n);
            if (o.size() > ETRECORD_ENTRY_LIMIT)
                throw Kit.UserError.badInput(file + ": entry " + entry + " is larger than " + (ETRECORD_ENTRY_LIMIT >> 20)
                        + " MB: not a plausible ETRecord", "re-export the model to write a new ETRecord");
        }
        return o.toByteArray();
    }

    private static JsonNode etRecordJson(String file, Map<String, byte[]> wanted, String name) {
        byte[] data = wanted.get(name);
        if (data == null) return Kit.JSON.createObjectNode();
        try {
            return Kit.JSON.readTree(data);
        } catch (IOException e) {
            throw Kit.UserError.badInput(file + ": entry " + name + ": invalid JSON: " + e.getMessage().split("\n")[0],
                    "re-export the model to write a new ETRecord");
        }
    }

    private static Map<String, List<Integer>> handleMap(JsonNode forward) {
        Map<String, List<Integer>> r = new LinkedHashMap<>();
        forward.properties().forEach(e -> r.put(e.getKey(), ints(e.getValue())));
        return r;
    }

    private static Map<String, DelegateEntry> delegateMap(JsonNode forward) {
        Map<String, DelegateEntry> r = new LinkedHashMap<>();
        forward.properties().forEach(e -> {
            Map<String, List<Integer>> inner = new LinkedHashMap<>();
            e.getValue().path("delegate_map").properties().forEach(d -> inner.put(d.getKey(), ints(d.getValue())));
            r.put(e.getKey(), new DelegateEntry(e.getValue().path("name").asText(""), inner));
        });
        return r;
    }

    /** A debug-handle value: an int or a list of ints (strings of digits accepted). */
    static List<Integer> ints(JsonNode v) {
        List<Integer> r = new ArrayList<>();
        if (v.isArray()) v.forEach(x -> { Integer i = intOf(x); if (i != null) r.add(i); });
        else { Integer i = intOf(v); if (i != null) r.add(i); }
        return r;
    }

    static Integer intOf(JsonNode x) {
        if (x.isIntegralNumber()) return x.asInt();
        if (x.isTextual() && x.asText().trim().matches("-?\\d{1,9}")) return Integer.parseInt(x.asText().trim());
        return null;
    }

    /** Debug handle -> op type (Inspector's node.target.__name__) of the call_function nodes of a torch.export JSON graph. */
    private static Map<Integer, String> opsByHandle(String file, byte[] data, String entry, List<String> warnings) {
        Map<Integer, String> r = new LinkedHashMap<>();
        if (data == null) return r;
        JsonNode root;
        try {
            root = Kit.JSON.readTree(data);
        } catch (IOException e) {
            warnings.add("entry " + entry + " is not JSON: op_types stay empty");
            return r;
        }
        for (JsonNode node : root.path("graph_module").path("graph").path("nodes")) {
            String op = opName(node.path("target").asText(""));
            JsonNode h = node.path("metadata").path("debug_handle");
            Integer handle = h.isMissingNode() ? null : intOf(h);
            if (op == null || handle == null) continue;
            if (r.containsKey(handle)) warnings.add("debug handle " + handle + " appears on two nodes; op_types lists both, as Inspector does");
            else r.put(handle, op);
        }
        return r;
    }

    /**
     * Debug handle -> the operator nodes that carry it, in graph order (Inspector's create_debug_handle_to_op_node_mapping,
     * which keeps every node of a handle), with the metadata behind Inspector's stack_traces and module_hierarchy.
     */
    static Map<Integer, List<GraphNode>> graphNodes(byte[] data) {
        Map<Integer, List<GraphNode>> r = new LinkedHashMap<>();
        if (data == null) return r;
        JsonNode root;
        try {
            root = Kit.JSON.readTree(data);
        } catch (IOException e) {
            return r;
        }
        Map<String, Integer> generated = new HashMap<>();
        for (JsonNode node : root.path("graph_module").path("graph").path("nodes")) {
            String op = opName(node.path("target").asText(""));
            JsonNode md = node.path("metadata"), h = md.path("debug_handle");
            String name = node.path("name").asText("");
            if (name.isEmpty()) name = node.path("outputs").path(0).path("as_tensor").path("name").asText("");
            if (name.isEmpty() && op != null) { // FX names an unnamed node after its target: aten_add_tensor, aten_add_tensor_1, ...
                String base = op.replaceAll("[^A-Za-z0-9_]", "_");
                int k = generated.merge(base, 1, Integer::sum) - 1;
                name = k == 0 ? base : base + "_" + k;
            }
            Integer handle = h.isMissingNode() ? null : intOf(h);
            if (op == null || handle == null) continue;
            String trace = md.path("stack_trace").isTextual() && !md.path("stack_trace").asText().isEmpty() ? md.path("stack_trace").asText() : null;
            String stack = md.path("nn_module_stack").isTextual() ? md.path("nn_module_stack").asText() : "";
            r.computeIfAbsent(handle, k -> new ArrayList<>()).add(new GraphNode(name + "_", op, trace, stack.isEmpty() ? null : moduleStack(stack)));
        }
        return r;
    }

    /** torch.export's nn_module_stack text "key,path,type;key,path,type", split as its deserializer does (commas inside brackets kept). */
    static List<ModuleFrame> moduleStack(String text) {
        List<ModuleFrame> r = new ArrayList<>();
        for (String item : text.split(";", -1)) {
            List<String> parts = new ArrayList<>();
            int depth = 0, start = 0;
            for (int i = 0; i < item.length(); i++) {
                char c = item.charAt(i);
                if (c == '[' || c == '(') depth++;
                else if (c == ']' || c == ')') depth--;
                else if (c == ',' && depth == 0) { parts.add(item.substring(start, i)); start = i + 1; }
            }
            parts.add(item.substring(start));
            if (parts.size() == 3) r.add(new ModuleFrame(parts.get(0), parts.get(1), parts.get(2)));
        }
        return List.copyOf(r);
    }

    /** The op type Inspector shows for a node target; null for nodes it skips (getitem, memory.alloc). */
    static String opName(String target) {
        if (target.isEmpty() || target.endsWith(".getitem") || target.equals("getitem") || target.endsWith("memory.alloc")) return null;
        String edge = "executorch.exir.dialects.edge.ops.";
        if (target.startsWith(edge)) return target.substring(edge.length());
        if (target.startsWith("torch.ops.higher_order.")) return target.substring("torch.ops.higher_order.".length());
        if (target.startsWith("torch.ops.")) {
            String rest = target.substring("torch.ops.".length());
            int dot = rest.indexOf('.');
            return dot < 0 ? rest : rest.substring(dot + 1);
        }
        int dot = target.lastIndexOf('.');
        return dot < 0 ? target : target.substring(dot + 1);
    }

    // =====================================================================================================================
    // Readers: XNNPACK kernel logs (stderr "Note (XNNPACK): ..." and Android logcat tag XNNPACK)
    // =====================================================================================================================

    static final Pattern KERNEL_LINE = Pattern.compile("Using\\s+(\\w+)\\s+microkernel\\s+'([^']+)'");
    static final Pattern LOGCAT_THREADTIME = Pattern.compile("^\\d\\d-\\d\\d\\s+\\d\\d:\\d\\d:\\d\\d\\.\\d+\\s+\\d+\\s+\\d+\\s+[VDIWEF]\\s+XNNPACK\\s*:");
    static final Pattern LOGCAT_BRIEF = Pattern.compile("^[VDIWEF]/XNNPACK\\s*\\(\\s*\\d+\\):");
    static final Pattern ISA_TOKEN = Pattern.compile("neon\\w*|asimd\\w*|sve\\w*|sme\\w*|armsimd32|aarch64|aarch32|sse\\w*|ssse3|avx\\w*"
            + "|fma3|f16c|scalar|wasm\\w*|rvv\\w*|hvx\\w*|lsx|lasx|amx\\w*");

    /** One microkernel announced in a log; count = how many times it was announced. */
    record Kernel(String category, String name, String isa, int count) {
        boolean sme2() { return isa.contains("sme2"); }

        boolean sme() { return isa.contains("sme") && !isa.contains("sme2"); }
    }

    /** A kernel log: microkernels in order of first announcement, and the line formats seen. */
    record KernelLog(String file, List<Kernel> kernels, int announcements, Map<String, Integer> formats, int lines,
                     OperatorLog operatorLog) {
        Map<String, Integer> isas() {
            Map<String, Integer> r = new LinkedHashMap<>();
            for (Kernel k : kernels) r.merge(k.isa(), 1, Integer::sum);
            return r;
        }
    }

    static KernelLog readKernelLog(Path p) {
        if (!Files.isRegularFile(p)) throw Kit.UserError.badInput(p + ": file not found (kernel log)", "check the path");
        try (Reader r = new InputStreamReader(Files.newInputStream(p), StandardCharsets.UTF_8)) {
            return parseKernelLog(p.toString(), r);
        } catch (IOException e) {
            throw Kit.UserError.badInput(p + ": cannot read: " + e.getMessage(), "check the file's permissions");
        }
    }

    static KernelLog parseKernelLog(String file, Reader in) throws IOException {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, String[]> parts = new HashMap<>();
        Map<String, Integer> formats = new LinkedHashMap<>();
        int lines = 0, announcements = 0;
        BufferedReader br = new BufferedReader(in);
        OperatorLogReader ops = new OperatorLogReader();
        for (String line; (line = br.readLine()) != null; ) {
            lines++;
            ops.line(line);
            Matcher m = KERNEL_LINE.matcher(line);
            if (!m.find()) continue;
            announcements++;
            formats.merge(lineFormat(line), 1, Integer::sum);
            String key = m.group(1) + "\u0000" + m.group(2);
            counts.computeIfAbsent(key, k -> new int[1])[0]++;
            parts.putIfAbsent(key, new String[]{m.group(1), m.group(2)});
        }
        List<Kernel> kernels = new ArrayList<>();
        counts.forEach((k, c) -> kernels.add(new Kernel(parts.get(k)[0], parts.get(k)[1], isa(parts.get(k)[1]), c[0])));
        return new KernelLog(file, List.copyOf(kernels), announcements, formats, lines, ops.build());
    }

    static String lineFormat(String line) {
        if (line.contains("Note (XNNPACK):")) return "stderr";
        if (LOGCAT_THREADTIME.matcher(line).find()) return "logcat-threadtime";
        if (LOGCAT_BRIEF.matcher(line).find()) return "logcat-brief";
        return "other";
    }

    /** The ISA of a microkernel: the first ISA-like token after "__" (aarch64/aarch32 only when nothing else is named). */
    static String isa(String kernel) {
        int i = kernel.indexOf("__");
        if (i < 0) return "unknown";
        String fallback = null;
        for (String tok : kernel.substring(i + 2).split("_")) {
            if (!ISA_TOKEN.matcher(tok).matches()) continue;
            if (tok.equals("aarch64") || tok.equals("aarch32")) { if (fallback == null) fallback = tok; continue; }
            return tok;
        }
        return fallback == null ? "unknown" : fallback;
    }

    // ---------------------------------------------------------------------------------------------------------------------
    // Readers: the per-operator lines of a level-5 XNNPACK log. Format strings at the XNNPACK commit ExecuTorch v1.3.1
    // pins (1adaa7c7): runtime.c xnn_reshape_runtime "reshaping operator %u (%s)"; microkernel-utils.c
    // xnn_gemm_best_tile_size "Tile size for GEMM with num_groups=%zi, m=%zu, n=%zu and mr=%zu, nr=%zu set to [%zu, %zu]
    // (%zu tiles)" (printed inside the reshape of GEMM/IGEMM/batch-matmul operators, with the mr actually used);
    // operator-run.c xnn_run_operator_with_index "running operator %zu:%zu (%s %s)" / "skip running operator ..." (operator
    // type, microkernel type); convolution-nhwc.c "using dwconv unipass of primary_tile %u"; fully-connected-nc.c
    // "Using `nr2` GEMM config for %s op." and "allocated %zu bytes for packed weights in %s operator".
    // ---------------------------------------------------------------------------------------------------------------------

    static final Pattern OP_RUN_LINE = Pattern.compile("(skip )?running operator (\\d+):(\\d+) \\(");
    static final Pattern OP_RESHAPE_LINE = Pattern.compile("reshaping operator (\\d+) \\(");
    static final Pattern GEMM_TILE_LINE = Pattern.compile("Tile size for GEMM with num_groups=(\\d+), m=(\\d+), n=(\\d+) and "
            + "mr=(\\d+), nr=(\\d+) set to \\[(\\d+), (\\d+)\\] \\((\\d+) tiles\\)");
    static final Pattern DWCONV_UNIPASS_LINE = Pattern.compile("using dwconv unipass of primary_tile (\\d+)");
    static final Pattern NR2_LINE = Pattern.compile("Using `nr2` GEMM config for ");
    static final Pattern PACKED_WEIGHTS_LINE = Pattern.compile("allocated (\\d+) bytes for packed weights in ");

    /** The GEMM tile XNNPACK chose for one operator at reshape (mr is the row count of the microkernel that runs). */
    record Tile(long groups, long m, long n, int mr, int nr, long nc, long tiles) {}

    /** One XNNPACK operator of the runtime (operator index = run order), from its reshape and run lines. */
    record OpLine(int index, String type, String path, boolean skipped, int runs, int objects, Tile tile) {
        /** The name XNNPACK's profiler gives it (runtime.c xnn_profile_info_operator_name): type, and path unless Default. */
        String profileName() { return path.isEmpty() || path.equals("Default") ? type : type + " " + path; }
    }

    /** The per-operator part of a kernel log; creation-time facts are kept as totals (see OperatorLogReader). */
    record OperatorLog(List<OpLine> operators, List<Integer> dwconvPrimaryTiles, int nr2Lines, int packedWeightLines,
                       long packedWeightBytes, int runLines) {
        boolean present() { return !operators.isEmpty(); }
    }

    /**
     * Collects the per-operator lines. Creation lines (packed weights, dwconv primary tile, nr2) are not tied to operator
     * instances: XNNPACK also creates throw-away "fingerprint" operators inside a real operator's creation
     * (fully-connected-nc.c create_fully_connected_nc_helper -> xnn_fingerprint_fully_connected_nc), which print the same
     * lines, so their order does not identify the operator. Reshape and run lines carry the operator index.
     */
    static final class OperatorLogReader {
        private final Map<Integer, String[]> names = new TreeMap<>();
        private final Map<Integer, int[]> runs = new HashMap<>();      // index -> {runs, skipped, max object index}
        private final Map<Integer, Tile> tiles = new HashMap<>();
        private final Set<Integer> primaryTiles = new TreeSet<>();
        private int reshaping = -1, nr2, packedLines, runLines;
        private long packedBytes;

        void line(String line) {
            if (line.indexOf("operator") < 0 && line.indexOf("Tile size") < 0 && line.indexOf("dwconv") < 0) return;
            Matcher m;
            if ((m = OP_RUN_LINE.matcher(line)).find()) {
                String inner = balanced(line, m.end() - 1);
                if (inner == null) return;
                int idx = Integer.parseInt(m.group(2)), obj = Integer.parseInt(m.group(3));
                runLines++;
                int[] r = runs.computeIfAbsent(idx, k -> new int[3]);
                r[2] = Math.max(r[2], obj);
                if (obj != 0) return;
                r[0]++;
                if (m.group(1) != null) r[1] = 1;
                int close = inner.lastIndexOf(')');
                names.putIfAbsent(idx, close < 0 ? new String[]{inner.trim(), ""}
                        : new String[]{inner.substring(0, close + 1).trim(), inner.substring(close + 1).trim()});
            } else if ((m = OP_RESHAPE_LINE.matcher(line)).find()) {
                reshaping = Integer.parseInt(m.group(1));
            } else if ((m = GEMM_TILE_LINE.matcher(line)).find()) {
                if (reshaping >= 0) tiles.putIfAbsent(reshaping, new Tile(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                        Long.parseLong(m.group(7)), Long.parseLong(m.group(8))));
            } else if ((m = DWCONV_UNIPASS_LINE.matcher(line)).find()) {
                primaryTiles.add(Integer.parseInt(m.group(1)));
            } else if (NR2_LINE.matcher(line).find()) {
                nr2++;
            } else if ((m = PACKED_WEIGHTS_LINE.matcher(line)).find()) {
                packedLines++;
                packedBytes += Long.parseLong(m.group(1));
            }
        }

        OperatorLog build() {
            List<OpLine> ops = new ArrayList<>();
            names.forEach((i, n) -> {
                int[] r = runs.get(i);
                ops.add(new OpLine(i, n[0], n[1], r[1] == 1, r[0], r[2] + 1, tiles.get(i)));
            });
            return new OperatorLog(List.copyOf(ops), List.copyOf(primaryTiles), nr2, packedLines, packedBytes, runLines);
        }

        /** The text inside the parenthesis opening at open, nested parentheses included; null when it is not closed. */
        static String balanced(String s, int open) {
            int depth = 0;
            for (int i = open; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '(') depth++;
                else if (c == ')' && --depth == 0) return s.substring(open + 1, i);
            }
            return null;
        }
    }

    // =====================================================================================================================
    // Inspector: ExecuTorch devtools/inspector/_inspector.py, EventBlock._gen_from_etdump, reproduced
    // =====================================================================================================================

    /** InstructionEventSignature: raw ids as in the ETDump (Inspector groups a run's events by this). */
    record IKey(int instructionId, long chainIndex, int delegateIdInt, String delegateIdStr) {}

    /** ProfileEventSignature / DebugEventSignature: -1 and "" become null. */
    record Sig(String name, Integer instructionId, Integer delegateId, String delegateIdStr) {}

    record ESig(int instructionId, Sig profile, Sig debug) {}

    record RunSig(String name, List<ESig> events, int bundledInputIndex) {}

    /** One Inspector row (an Event of an EventBlock). raw is null when the event has no profile data. */
    record Row(String block, int blockIndex, String name, double[] raw, Perf perf, List<String> opTypes,
               Object delegateId, Boolean delegated, String backend, int instructionId, List<Integer> debugHandles,
               List<Value> debugData, long[] startTimes, Map<String, GraphNode> nodes) {}

    record Perf(double p10, double p50, double p90, double avg, double min, double max) {
        static Perf of(double[] raw) {
            double[] s = raw.clone();
            Arrays.sort(s);
            double min = raw[0], max = raw[0];
            for (double v : raw) { if (v < min) min = v; if (v > max) max = v; }
            return new Perf(Stats.percentile(s, 10), Stats.percentile(s, 50), Stats.percentile(s, 90), Stats.mean(raw), min, max);
        }
    }

    /** An EventBlock: the RunData blocks (indices) merged into it and its rows. */
    record Block(String name, int bundledInputIndex, List<Integer> runs, List<Row> rows) {}

    private static final class InstrEvents {
        final IKey key;
        List<Profile> profiles;
        List<Debug> debugs;

        InstrEvents(IKey key) { this.key = key; }
    }

    private static final class Acc {
        double[] raw = new double[4];
        long[] starts = new long[4];
        int n;
        boolean anyProfile;
        List<Value> debugData;

        void add(double v, long start) {
            if (n == raw.length) { raw = Arrays.copyOf(raw, n * 2); starts = Arrays.copyOf(starts, n * 2); }
            starts[n] = start;
            raw[n++] = v;
            anyProfile = true;
        }
    }

    private static final class Group {
        final RunSig sig;
        final List<Integer> runs = new ArrayList<>();
        final LinkedHashMap<ESig, Acc> events = new LinkedHashMap<>();

        Group(RunSig sig) { this.sig = sig; }
    }

    /**
     * The Inspector's EventBlocks of an ETDump, optionally associated with an ETRecord. Differences from Inspector:
     * an Event that holds only an AllocationEvent is skipped instead of raising "Unable to find populated event",
     * and a missing "forward" entry in the ETRecord maps means "no op types" instead of a KeyError.
     */
    static List<Block> inspector(Etdump d, EtRecord rec) {
        LinkedHashMap<RunSig, Group> groups = new LinkedHashMap<>();
        RunData prev = null;
        Group prevGroup = null;
        Acc[] plan = null;
        for (int r = 0; r < d.runs().size(); r++) {
            RunData run = d.runs().get(r);
            if (run.events() == null) continue;
            if (prev != null && sameStructure(prev, run)) {
                prevGroup.runs.add(r);
                replay(d.file(), run.events(), plan);
                continue;
            }
            List<Ev> events = new ArrayList<>(run.events());   // the same objects for the signatures and the plan (an identity map)
            LinkedHashMap<ESig, Object[]> sigs = eventSignatures(events);
            RunSig rs = new RunSig(run.name(), List.copyOf(sigs.keySet()), run.bundledInputIndex());
            Group g = groups.computeIfAbsent(rs, Group::new);
            g.runs.add(r);
            Map<Ev, Acc> contributing = new IdentityHashMap<>();
            for (Map.Entry<ESig, Object[]> e : sigs.entrySet()) {
                Acc acc = g.events.computeIfAbsent(e.getKey(), k -> new Acc());
                accumulate(d.file(), acc, e.getValue());
                if (e.getValue()[0] instanceof Profile p) contributing.put(p, acc);
            }
            plan = new Acc[events.size()];
            for (int i = 0; i < plan.length; i++) plan[i] = contributing.get(events.get(i));
            prev = run;
            prevGroup = g;
        }
        List<Block> blocks = new ArrayList<>();
        for (Group g : groups.values()) {
            int bi = blocks.size();
            List<Row> rows = new ArrayList<>();
            g.events.forEach((sig, acc) -> rows.add(row(g.sig.name(), bi, sig, acc, rec)));
            blocks.add(new Block(g.sig.name(), g.sig.bundledInputIndex(), List.copyOf(g.runs), List.copyOf(rows)));
        }
        return List.copyOf(blocks);
    }

    /**
     * True when run b has, position by position, the same signature fields as run a (so Inspector computes the same
     * RunSignature for it and the same event order): the common case of N identical executions, handled without
     * rebuilding the signature maps.
     */
    static boolean sameStructure(RunData a, RunData b) {
        if (!a.name().equals(b.name()) || a.bundledInputIndex() != b.bundledInputIndex() || a.events().size() != b.events().size()) return false;
        for (int i = 0; i < a.events().size(); i++) {
            Ev x = a.events().get(i), y = b.events().get(i);
            if (x instanceof Profile p && y instanceof Profile q) {
                if (p.instructionId() != q.instructionId() || p.chainIndex() != q.chainIndex() || p.delegateIdInt() != q.delegateIdInt()
                        || !java.util.Objects.equals(p.name(), q.name()) || !java.util.Objects.equals(p.delegateIdStr(), q.delegateIdStr())) return false;
            } else if (x instanceof Debug p && y instanceof Debug q) {
                if (p.instructionId() != q.instructionId() || p.chainIndex() != q.chainIndex() || p.delegateIdInt() != q.delegateIdInt()
                        || !java.util.Objects.equals(p.name(), q.name()) || !java.util.Objects.equals(p.delegateIdStr(), q.delegateIdStr())
                        || (p.entry() != null && p.entry().output()) != (q.entry() != null && q.entry().output())) return false;
            } else if (!(x instanceof Alloc && y instanceof Alloc)) return false;
        }
        return true;
    }

    private static void replay(String file, List<Ev> events, Acc[] plan) {
        for (int i = 0; i < plan.length; i++) {
            if (plan[i] == null) continue;
            Profile p = (Profile) events.get(i);
            plan[i].add(durationMs(file, p, p.delegated()), p.start());
        }
    }

    /** A run's event signatures in Inspector's order, each with {profile event or null, debug events or null}. */
    private static LinkedHashMap<ESig, Object[]> eventSignatures(List<Ev> events) {
        LinkedHashMap<IKey, InstrEvents> byInstr = new LinkedHashMap<>();
        for (Ev e : events) {
            if (e instanceof Profile p) {
                InstrEvents ie = byInstr.computeIfAbsent(new IKey(p.instructionId(), p.chainIndex(), p.delegateIdInt(), p.delegateIdStr()), InstrEvents::new);
                if (ie.profiles == null) ie.profiles = new ArrayList<>(2);
                ie.profiles.add(p);
            } else if (e instanceof Debug dbg) {
                InstrEvents ie = byInstr.computeIfAbsent(new IKey(dbg.instructionId(), dbg.chainIndex(), dbg.delegateIdInt(), dbg.delegateIdStr()), InstrEvents::new);
                if (dbg.entry() != null && dbg.entry().output()) continue;
                if (ie.debugs == null) ie.debugs = new ArrayList<>(2);
                ie.debugs.add(dbg);
            }
        }
        LinkedHashMap<ESig, Object[]> sigs = new LinkedHashMap<>();
        for (InstrEvents ie : byInstr.values()) {
            if (ie.profiles == null && ie.debugs == null) continue;
            Sig ds = ie.debugs == null || ie.debugs.isEmpty() ? null : sig(ie.debugs.get(0));
            if (ie.profiles == null) sigs.put(new ESig(ie.key.instructionId(), null, ds), new Object[]{null, ie.debugs});
            else for (Profile p : ie.profiles) sigs.put(new ESig(ie.key.instructionId(), sig(p), ds), new Object[]{p, ie.debugs});
        }
        return sigs;
    }

    static Sig sig(Profile p) {
        return new Sig(p.name() == null ? "" : p.name(), p.instructionId() == -1 ? null : p.instructionId(),
                p.delegateIdInt() == -1 ? null : p.delegateIdInt(),
                p.delegateIdStr() == null || p.delegateIdStr().isEmpty() ? null : p.delegateIdStr());
    }

    static Sig sig(Debug d) {
        return new Sig(d.name() == null ? "" : d.name(), d.instructionId() == -1 ? null : d.instructionId(),
                d.delegateIdInt() == -1 ? null : d.delegateIdInt(),
                d.delegateIdStr() == null || d.delegateIdStr().isEmpty() ? null : d.delegateIdStr());
    }

    @SuppressWarnings("unchecked")
    private static void accumulate(String file, Acc acc, Object[] inst) {
        if (inst[0] instanceof Profile p) acc.add(durationMs(file, p, p.delegated()), p.start());
        List<Debug> debugs = (List<Debug>) inst[1];
        if (acc.debugData == null && debugs != null) {
            List<Value> values = new ArrayList<>();
            for (Debug dbg : debugs) values.add(dbg.entry());
            acc.debugData = values;
        }
    }

    /**
     * An event's duration in ms as Inspector computes it: non-delegated (end - start) / 1e6; delegated
     * convert(end) - convert(start) with convert(t) = t / 1e6 (per-endpoint scaling); start > end with both below
     * 2^32 is a 32-bit wraparound: (2^32-1 - start) + end.
     */
    static double durationMs(String file, Profile p, boolean delegated) {
        if (delegated) return elapsed(file, p, udouble(p.start()) / NS_PER_MS, udouble(p.end()) / NS_PER_MS);
        long s = p.start(), e = p.end();
        if (Long.compareUnsigned(s, e) > 0) {
            if (Long.compareUnsigned(s, MAX_UINT32) > 0 || Long.compareUnsigned(e, MAX_UINT32) > 0) throw notWraparound(file, p);
            return (double) ((MAX_UINT32 - s) + e) / NS_PER_MS;
        }
        return udouble(e - s) / NS_PER_MS;
    }

    private static double elapsed(String file, Profile p, double start, double end) {
        if (start > end) {
            if (start > MAX_UINT32 || end > MAX_UINT32) throw notWraparound(file, p);
            return (MAX_UINT32 - start) + end;
        }
        return end - start;
    }

    private static Kit.UserError notWraparound(String file, Profile p) {
        return Kit.UserError.badInput(file + ": byte " + p.at() + ": event \"" + shortPrintable(p.inspectorName()) + "\" ends before it starts (start "
                + Long.toUnsignedString(p.start()) + " > end " + Long.toUnsignedString(p.end())
                + ") and the times are too large for a 32-bit wraparound: corrupt", REREAD_FIX);
    }

    /** An unsigned 64-bit value as the nearest double (Python's float(int)). */
    static double udouble(long v) {
        if (v >= 0) return v;
        return ((double) ((v >>> 1) | (v & 1))) * 2.0;
    }

    private static Row row(String block, int bi, ESig sig, Acc acc, EtRecord rec) {
        String name = "";
        Object delegateId = null;
        Boolean delegated = null;
        for (Sig s : new Sig[]{sig.profile(), sig.debug()}) {
            if (s == null) continue;
            Object id = s.delegateId() != null ? s.delegateId() : s.delegateIdStr();
            String n = id != null ? String.valueOf(id) : s.name();
            if (!n.isEmpty()) name = n;
            delegateId = id;
            delegated = id != null;
        }
        double[] raw = acc.anyProfile ? Arrays.copyOf(acc.raw, acc.n) : null;
        Assoc a = associate(name, sig.instructionId(), delegateId, rec);
        return new Row(block, bi, name, raw, raw == null ? null : Perf.of(raw), a.opTypes(), delegateId, delegated,
                a.backend(), sig.instructionId(), a.handles(), acc.debugData == null ? List.of() : acc.debugData,
                raw == null ? null : Arrays.copyOf(acc.starts, acc.n), a.nodes());
    }

    /** nodes: Inspector's stack_traces / module_hierarchy keys (node name + "_") with the first node of that name. */
    record Assoc(String backend, List<Integer> handles, List<String> opTypes, Map<String, GraphNode> nodes) {}

    /** EventBlock._gen_resolve_debug_handles + Event._associate_with_op_graph_nodes, for one event. */
    static Assoc associate(String name, int instructionId, Object delegateId, EtRecord rec) {
        if (rec == null) return new Assoc(null, null, List.of(), Map.of());
        String iid = Integer.toString(instructionId);
        List<Integer> handles = rec.debugHandles().get(iid);
        if (handles == null) return new Assoc(null, null, List.of(), Map.of());
        String backend = null;
        DelegateEntry de = rec.delegates().get(iid);
        if (delegateId == null) {
            if (name.equals("DELEGATE_CALL") && de != null) backend = de.name();
        } else if (de != null) {
            backend = de.name();
            handles = delegateHandles(de.delegateMap(), delegateId);
        }
        List<String> ops = new ArrayList<>();
        Map<String, GraphNode> nodes = new LinkedHashMap<>();
        if (!RESERVED_FRAMEWORK.contains(name) && handles != null)
            for (Integer h : handles)
                for (GraphNode n : rec.nodesByHandle().getOrDefault(h, List.of())) {
                    nodes.putIfAbsent(n.name(), n);
                    ops.add(n.op());
                }
        return new Assoc(backend, handles, List.copyOf(ops), java.util.Collections.unmodifiableMap(nodes));
    }

    /** Inspector's lookup in a delegate's inner map: exact key, else str(id), overridden by any key contained in str(id). */
    private static List<Integer> delegateHandles(Map<String, List<Integer>> map, Object delegateId) {
        if (delegateId instanceof String s && map.containsKey(s)) return map.get(s);
        String key = String.valueOf(delegateId);
        List<Integer> r = map.get(key);
        for (Map.Entry<String, List<Integer>> e : map.entrySet()) if (key.contains(e.getKey())) r = e.getValue();
        return r;
    }

    // =====================================================================================================================
    // Analysis: statistics
    // =====================================================================================================================

    /** numpy-compatible statistics. */
    static final class Stats {
        private Stats() {}

        /** numpy.percentile(x, q) with the default linear method, on sorted values. */
        static double percentile(double[] sorted, double q) {
            int n = sorted.length;
            double vi = (n - 1) * (q / 100.0);
            if (vi >= n - 1) return sorted[n - 1];
            if (vi < 0) return sorted[0];
            int lo = (int) Math.floor(vi);
            double g = vi - lo, a = sorted[lo], b = sorted[lo + 1], diff = b - a;
            return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
        }

        static double median(double[] values) {
            double[] s = values.clone();
            Arrays.sort(s);
            return percentile(s, 50);
        }

        /** numpy.mean: pairwise summation (numpy's pairwise_sum) divided by n. */
        static double mean(double[] x) { return (0.0 + pairwiseSum(x, 0, x.length)) / x.length; }

        static double pairwiseSum(double[] a, int off, int n) {
            if (n < 8) {
                double res = 0.;
                for (int i = 0; i < n; i++) res += a[off + i];
                return res;
            }
            if (n <= 128) {
                double[] r = new double[8];
                System.arraycopy(a, off, r, 0, 8);
                int i = 8;
                for (; i < n - (n % 8); i += 8) for (int j = 0; j < 8; j++) r[j] += a[off + i + j];
                double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
                for (; i < n; i++) res += a[off + i];
                return res;
            }
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
        }

        /** Sample standard deviation (n-1), two-pass. */
        static double stdev(double[] x) {
            double m = mean(x), ss = 0;
            for (double v : x) ss += (v - m) * (v - m);
            return Math.sqrt(ss / (x.length - 1));
        }
    }

    record Latency(int n, double mean, double median, double p10, double p90, double min, double max, Double stdev,
                   Double cvPercent) {
        static Latency of(double[] x) {
            if (x.length == 0) return null;
            double[] s = x.clone();
            Arrays.sort(s);
            double mean = Stats.mean(x);
            Double sd = x.length > 1 ? Stats.stdev(x) : null;
            Double cv = sd == null || mean == 0 ? null : sd / mean * 100.0;
            return new Latency(x.length, mean, Stats.percentile(s, 50), Stats.percentile(s, 10), Stats.percentile(s, 90),
                    s[0], s[s.length - 1], sd, cv);
        }
    }

    // =====================================================================================================================
    // Analysis: operator categories
    // =====================================================================================================================

    /**
     * One category rule. XNNPACK operator names (the delegate event name without " #k") match a term when it appears
     * as a whole word (case-sensitive; a digit may follow, as in Reduce2), so "Convert" is never CONV. Portable kernels
     * (native_call_<op>.<overload>, or the .pte operator of an OPERATOR_CALL without one) match on <op> with globs.
     */
    record Rule(String category, List<String> xnnpack, List<String> portable, String note, Pattern xnnPattern,
                Pattern portablePattern) {
        static Rule of(String category, List<String> xnnpack, List<String> portable, String note) {
            String x = xnnpack.isEmpty() ? "(?!)" : "(?<![A-Za-z0-9])(?:" + String.join("|", xnnpack.stream().map(Pattern::quote).toList()) + ")(?![a-z])";
            String p = portable.isEmpty() ? "(?!)" : "^(?:" + String.join("|", portable.stream()
                    .map(g -> Pattern.quote(g).replace("*", "\\E[A-Za-z0-9_]*\\Q")).toList()) + ")$";
            return new Rule(category, xnnpack, portable, note, Pattern.compile(x), Pattern.compile(p));
        }
    }

    /** The category rules, in evaluation order (the first match wins). */
    static final List<Rule> RULES = List.of(
            Rule.of("CONV", List.of("IGEMM", "DWConv", "Convolution", "Deconvolution"),
                    List.of("convolution*", "_convolution*", "*conv1d", "*conv2d", "*conv3d", "conv_transpose*", "quantized_conv*"),
                    "whole words: 'Convert' is not CONV; a 1x1 convolution that XNNPACK runs as 'Convolution (NHWC, F32) GEMM' stays CONV"),
            Rule.of("GEMM", List.of("Fully Connected", "Batch Matrix Multiply", "GEMM"),
                    List.of("addmm", "mm", "bmm", "baddbmm", "linear*", "_linear*", "matmul", "_weight_int8pack_mm", "quantized_linear*"),
                    "matrix multiplications: fully connected layers, batched matmul; IGEMM is CONV"),
            Rule.of("QUANT", List.of("Quantize", "Dequantize"),
                    List.of("quantize_*", "dequantize_*", "choose_qparams*"),
                    "explicit (de)quantization; XNNPACK's 'Convert (NC, F32, QD8)' is counted as DATA_MOVEMENT"),
            Rule.of("NORM", List.of("Layer Norm", "RMS Norm", "Batch Norm", "Normalize"),
                    List.of("*_norm*", "norm*"), "normalisation layers"),
            Rule.of("POOL_REDUCE", List.of("Pooling", "Mean", "Sum", "Max", "Min", "Reduce", "ArgMax"),
                    List.of("*max_pool*", "*avg_pool*", "mean*", "sum*",
                            "amax", "amin", "max", "min", "argmax", "argmin", "prod*", "var*", "std*", "logsumexp", "topk"),
                    "pooling and reductions (Mean, Sum, Max over dimensions); 'Maximum'/'Minimum' are ELEMENTWISE; 'Mean Squared' (XNNPACK's"
                            + " fusion of x*x and a mean, the variance of a LayerNorm that torch decomposed) is a reduction too"),
            Rule.of("ACTIVATION", List.of("Clamp", "ReLU", "Leaky ReLU", "PReLU", "ELU", "GELU", "HardSwish", "Sigmoid", "Tanh", "Softmax", "SiLU"),
                    List.of("relu*", "hardtanh*", "sigmoid*", "tanh*", "gelu*", "hardswish*", "hardsigmoid*", "silu*", "elu*", "leaky_relu*",
                            "prelu*", "_prelu_kernel*", "softmax*", "_softmax*", "log_softmax*", "_log_softmax*", "clamp*", "glu*", "mish*", "softplus*"),
                    "activation functions, including clamp (ReLU6), GELU and softmax (attention's softmax counts here, not as a reduction)"),
            Rule.of("ELEMENTWISE", List.of("Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum", "Squared Difference", "Copy Sign",
                            "Negate", "Abs", "Square", "Square Root", "Reciprocal Square Root", "Exp", "Log", "Floor", "Ceiling",
                            "Bankers Rounding", "Truncation", "Sine", "Cosine", "Power", "Binary Elementwise", "Unary Elementwise"),
                    List.of("add*", "sub*", "rsub*", "mul*", "div*", "pow*", "sqrt*", "rsqrt*", "exp*", "log*", "neg*", "abs*", "where*",
                            "maximum*", "minimum*", "eq", "ne", "lt", "le", "gt", "ge", "floor*", "ceil*", "round*", "bitwise_*", "logical_*",
                            "remainder*", "fmod*", "reciprocal*", "sign*", "erf*", "sin*", "cos*", "masked_fill*", "fill*"),
                    "element-wise arithmetic (add, mul, ...), evaluated after GEMM so 'Batch Matrix Multiply' stays GEMM"),
            Rule.of("DATA_MOVEMENT", List.of("Transpose", "Copy", "Convert", "Pack LH", "Pad", "Constant Pad", "Reshape", "Concatenate",
                            "Slice", "Split", "Even Split", "Depth To Space", "Space To Depth", "Channel Shuffle", "Expand Dims",
                            "Resize Bilinear", "Unpooling", "Gather"),
                    List.of("permute*", "_clone_dim_order*", "clone*", "view*", "_unsafe_view*", "reshape*", "expand*", "cat*", "concat*",
                            "slice*", "select*", "squeeze*", "unsqueeze*", "transpose*", "t", "t_copy", "_to_copy*", "_to_dim_order*", "to*",
                            "copy*", "constant_pad_nd*", "pad*", "split*", "unbind*", "index*", "gather*", "scatter*", "stack*", "flip*",
                            "roll*", "repeat*", "pixel_shuffle*", "pixel_unshuffle*", "upsample*", "embedding*", "narrow*", "alias*",
                            "unfold*", "tile*", "full*", "zeros*", "ones*", "empty*"),
                    "layout and data-type changes: transposes, copies, converts, packing (Pack LH: KleidiAI's LHS packing), pads, reshapes, concatenation, slices"),
            Rule.of("OTHER", List.of(), List.of(), "everything else, including delegate events that carry only a numeric id"));

    /**
     * Operators known to fall into OTHER, each with the reason it stays there (a pattern on the operator name, as the
     * event or op name reads). An operator in OTHER that none of these explains is a gap in RULES (SamlikeDemoRunTest checks
     * the real ETDumps against both).
     */
    static final Map<Pattern, String> OTHER_REASONS = Map.of(
            Pattern.compile("^\\d+$"), "a delegate event that carries only a numeric id (no name in the ETDump): its kind is unknown without the delegate's debug map",
            Pattern.compile("^DELEGATE_CALL$|^OPERATOR_CALL$"), "the runtime's own call events, not operators; their time is delegate/runtime overhead");

    /** Why an operator of category OTHER is there (null when no reason is written: a missing rule). */
    static String otherReason(String name) {
        for (Map.Entry<Pattern, String> e : OTHER_REASONS.entrySet()) if (e.getKey().matcher(operatorType(name)).find()) return e.getValue();
        return null;
    }

    /** The category of an operator: kind "portable" matches on the op name, every other kind on the XNNPACK name. */
    static String category(String name, String kind) {
        String probe = kind.equals("portable") ? portableBase(name) : name;
        for (Rule r : RULES) {
            Pattern p = kind.equals("portable") ? r.portablePattern() : r.xnnPattern();
            if (p.matcher(probe).find()) return r.category();
        }
        return "OTHER";
    }

    /** native_call_convolution.out / aten::mean.out -> convolution / mean. */
    static String portableBase(String name) {
        String n = name.startsWith("native_call_") ? name.substring("native_call_".length()) : name;
        int ns = n.lastIndexOf("::");
        if (ns >= 0) n = n.substring(ns + 2);
        int dot = n.indexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }

    static final Pattern OCCURRENCE = Pattern.compile("\\s+#\\d+$");

    /** The operator type of a delegate event name: "Convolution (NHWC, F32) IGEMM #3" -> without " #3". */
    static String operatorType(String eventName) { return OCCURRENCE.matcher(eventName).replaceFirst(""); }

    // =====================================================================================================================
    // Analysis: per run, operators and categories
    // =====================================================================================================================

    record OpStat(String name, String kind, String category, double countPerRun, double meanMsPerRun,
                  Double shareOfDelegate, Double shareOfE2e) {}

    /**
     * Per-experiment figures; ms values are means over the used runs: the executions after --skip-runs, less those
     * without Method::execute when other runs have one (so latency, operators and categories cover the same runs).
     */
    record Analysis(int runsTotal, int skipRuns, int runsUsed, List<Integer> usedRuns, double[] latencyMs, Latency e2e,
                    Double delegateCallMs, double operatorMs, double[] categoriesMs, List<OpStat> operators,
                    List<String> operatorTypesSeen, List<String> warnings, ColdStart coldStart, double[][] categoryRunsMs,
                    Map<String, double[]> operatorRunsMs) {
        Double categoryShare(int i) { return operatorMs > 0 ? categoriesMs[i] / operatorMs : null; }
    }

    /**
     * The cold start, kept apart from the steady-state statistics: the first execution's Method::execute, the load
     * from the Default block (Program::load_method, Method::init; null when the ETDump has none), and the executions
     * left out as warm-up (the first skipRuns), in order. initNested: Method::init ran inside Program::load_method
     * (as the runtime records it), so the load is Program::load_method alone, not the sum.
     */
    record ColdStart(Double firstExecutionMs, Double loadMethodMs, Double methodInitMs, boolean initNested, double[] warmupMs) {
        /** Time to load the method: Program::load_method (which contains Method::init when nested), else their sum. */
        Double loadMs() {
            if (loadMethodMs == null && methodInitMs == null) return null;
            if (initNested) return loadMethodMs;
            return (loadMethodMs == null ? 0 : loadMethodMs) + (methodInitMs == null ? 0 : methodInitMs);
        }
    }

    private static final class OpAcc {
        final String name, kind, category;
        final int categoryIndex;
        long count;
        double totalMs;
        /** ms per used run (index = Totals.run), zero where the operator did not run. */
        double[] perRun = new double[4];

        OpAcc(String name, String kind) {
            this.name = name;
            this.kind = kind;
            this.category = AnalyzeResults.category(name, kind);
            this.categoryIndex = CATEGORIES.indexOf(category);
        }
    }

    /** Sums over the used runs. */
    private static final class Totals {
        final Map<String, OpAcc> ops = new LinkedHashMap<>();
        final Map<String, OpAcc> byRawName = new HashMap<>();
        final double[] categories = new double[CATEGORIES.size()];
        /** Per used run (index run): category ms, for the confidence intervals of category and operator deltas. */
        final List<double[]> categoryRuns = new ArrayList<>();
        int run = -1;
        final List<Double> latency = new ArrayList<>();
        double delegateCall;
        boolean anyDelegateCall;
        int runsWithoutExecute;
        double negativeOverhead;
        final Set<Integer> instructionIds = new HashSet<>();
        final Set<Integer> delegateCallIds = new HashSet<>();
    }

    /** Analyses the Execute blocks of an ETDump: latency, operators, categories, overheads. */
    static Analysis analyse(Etdump d, Program prog, EtRecord rec, int skip) { return analyse(d, prog, rec, skip, null); }

    /** skipFrom: where a default skip comes from ("<manifest>: warmup_in_process N of <label>"), null for --skip-runs. */
    static Analysis analyse(Etdump d, Program prog, EtRecord rec, int skip, String skipFrom) {
        List<Integer> exec = new ArrayList<>();
        for (int i = 0; i < d.runs().size(); i++)
            if (d.runs().get(i).name().equals("Execute") && d.runs().get(i).events() != null) exec.add(i);
        if (skip > 0 && skip >= exec.size() && !exec.isEmpty())
            throw skipFrom == null
                    ? Kit.UserError.badInput("--skip-runs " + skip + " drops all " + exec.size() + " executions of " + d.file(),
                            "use a smaller --skip-runs (at most " + (exec.size() - 1) + ")")
                    : Kit.UserError.badInput(skipFrom + " drops all " + exec.size() + " executions of " + d.file(),
                            "pass --skip-runs (at most " + (exec.size() - 1) + ") to override the manifest, or re-run the pipeline");
        List<Integer> kept = exec.subList(Math.min(skip, exec.size()), exec.size());
        // One set of runs for every figure: a run without Method::execute has no end-to-end time (so no runtime
        // overhead), so when other runs have one it is left out entirely; when none has one, all runs count.
        List<Integer> used = new ArrayList<>();
        for (int r : kept) if (hasExecute(d.runs().get(r).events())) used.add(r);
        Totals t = new Totals();
        t.runsWithoutExecute = kept.size() - used.size();
        if (used.isEmpty()) used = kept;
        Method m = prog == null ? null : prog.first();
        for (int r : used) scanRun(d.file(), d.runs().get(r).events(), m, rec, t);
        return summarise(d, exec.size(), skip, used, t, m, coldStart(d, exec, skip));
    }

    /** The cold start of an ETDump: see ColdStart. exec: the indices of its Execute blocks; skip: how many are warm-up. */
    static ColdStart coldStart(Etdump d, List<Integer> exec, int skip) {
        Double load = null, init = null;
        Profile loadEv = null, initEv = null;
        for (RunData r : d.runs()) {
            if (!"Default".equals(r.name()) || r.events() == null) continue;
            for (Ev e : r.events()) {
                if (!(e instanceof Profile p) || p.delegated()) continue;
                if ("Program::load_method".equals(p.name())) { load = (load == null ? 0 : load) + durationMs(d.file(), p, false); loadEv = p; }
                if ("Method::init".equals(p.name())) { init = (init == null ? 0 : init) + durationMs(d.file(), p, false); initEv = p; }
            }
        }
        boolean nested = loadEv != null && initEv != null && Long.compareUnsigned(loadEv.start(), initEv.start()) <= 0
                && Long.compareUnsigned(initEv.end(), loadEv.end()) <= 0;
        double[] warm = new double[Math.min(skip, exec.size())];
        for (int i = 0; i < warm.length; i++) warm[i] = executeMs(d, exec.get(i));
        Double first = exec.isEmpty() ? null : executeMs(d, exec.get(0));
        return new ColdStart(first == null || first.isNaN() ? null : first, load, init, nested, warm);
    }

    /** Method::execute of one block in ms (NaN when it has none). */
    private static double executeMs(Etdump d, int block) {
        double ms = Double.NaN;
        for (Ev e : d.runs().get(block).events())
            if (e instanceof Profile p && !p.delegated() && "Method::execute".equals(p.name()))
                ms = (Double.isNaN(ms) ? 0 : ms) + durationMs(d.file(), p, false);
        return ms;
    }

    private static boolean hasExecute(List<Ev> events) {
        for (Ev e : events) if (e instanceof Profile p && !p.delegated() && "Method::execute".equals(p.name())) return true;
        return false;
    }

    private static void scanRun(String file, List<Ev> events, Method m, EtRecord rec, Totals t) {
        t.run++;
        t.categoryRuns.add(new double[CATEGORIES.size()]);
        double e2e = Double.NaN, ops = 0;
        Map<Integer, double[]> delegates = new HashMap<>();   // instruction -> {DELEGATE_CALL ms, delegated ops ms, seen}
        Map<Integer, Double> operatorCalls = null;
        Set<Integer> natives = null;
        for (Ev e : events) {
            if (!(e instanceof Profile p)) continue;
            boolean delegated = p.delegated();
            double ms = durationMs(file, p, delegated);
            t.instructionIds.add(p.instructionId());
            if (delegated) {
                OpAcc acc = op(t, p.inspectorName(), () -> delegateKind(p, m, rec), true);
                record(t, acc, ms);
                ops += ms;
                delegates.computeIfAbsent(p.instructionId(), k -> new double[3])[1] += ms;
                continue;
            }
            String n = p.name();
            if (n == null) continue;
            switch (n) {
                case "Method::execute" -> e2e = Double.isNaN(e2e) ? ms : e2e + ms;
                case "DELEGATE_CALL" -> {
                    double[] dc = delegates.computeIfAbsent(p.instructionId(), k -> new double[3]);
                    dc[0] += ms;
                    dc[2] = 1;
                    t.delegateCall += ms;
                    t.anyDelegateCall = true;
                    t.delegateCallIds.add(p.instructionId());
                }
                case "OPERATOR_CALL" -> {
                    if (operatorCalls == null) operatorCalls = new LinkedHashMap<>();
                    operatorCalls.merge(p.instructionId(), ms, Double::sum);
                }
                default -> {
                    if (!n.startsWith("native_call_")) continue;
                    record(t, op(t, n, () -> "portable", false), ms);
                    ops += ms;
                    if (natives == null) natives = new HashSet<>();
                    natives.add(p.instructionId());
                }
            }
        }
        ops += fallbackOperators(t, operatorCalls, natives, m);
        double overhead = 0;
        for (double[] dc : delegates.values()) if (dc[2] != 0) overhead += dc[0] - dc[1];
        t.categories[DELEGATE_OVERHEAD] += overhead;
        t.categoryRuns.get(t.run)[DELEGATE_OVERHEAD] = overhead;
        if (Double.isNaN(e2e)) return;
        t.latency.add(e2e);
        double runtime = e2e - ops - overhead;
        if (runtime < 0) t.negativeOverhead = Math.min(t.negativeOverhead, runtime);
        t.categories[RUNTIME_OVERHEAD] += runtime;
        t.categoryRuns.get(t.run)[RUNTIME_OVERHEAD] = runtime;
    }

    /** OPERATOR_CALLs without a native_call_* inside (kernels registered without codegen profiling) count as the operator. */
    private static double fallbackOperators(Totals t, Map<Integer, Double> operatorCalls, Set<Integer> natives, Method m) {
        if (operatorCalls == null) return 0;
        double sum = 0;
        for (Map.Entry<Integer, Double> e : operatorCalls.entrySet()) {
            if (natives != null && natives.contains(e.getKey())) continue;
            String callee = m == null ? null : m.callee(e.getKey());
            String name = callee != null ? callee : "OPERATOR_CALL (instruction " + e.getKey() + ")";
            record(t, op(t, name, () -> "portable", false), e.getValue());
            sum += e.getValue();
        }
        return sum;
    }

    private static OpAcc op(Totals t, String rawName, java.util.function.Supplier<String> kind, boolean delegate) {
        OpAcc acc = t.byRawName.get(rawName);
        if (acc != null) return acc;
        String name = delegate ? operatorType(rawName) : rawName;
        String k = kind.get();
        acc = t.ops.computeIfAbsent(k + "\u0000" + name, x -> new OpAcc(name, k));
        t.byRawName.put(rawName, acc);
        return acc;
    }

    private static void record(Totals t, OpAcc acc, double ms) {
        acc.count++;
        acc.totalMs += ms;
        t.categories[acc.categoryIndex] += ms;
        if (t.run >= acc.perRun.length) acc.perRun = Arrays.copyOf(acc.perRun, Math.max(t.run + 1, 2 * acc.perRun.length));
        acc.perRun[t.run] += ms;
        t.categoryRuns.get(t.run)[acc.categoryIndex] += ms;
    }

    /** "xnnpack" when the event's delegate is XNNPACK (from the .pte or ETRecord; by default string ids), else "delegate". */
    static String delegateKind(Profile p, Method m, EtRecord rec) {
        String backend = m == null ? null : m.callee(p.instructionId());
        if (backend == null && rec != null) {
            DelegateEntry de = rec.delegates().get(Integer.toString(p.instructionId()));
            if (de != null) backend = de.name();
        }
        if (backend != null) return backend.toLowerCase(Locale.ROOT).contains("xnnpack") ? "xnnpack" : "delegate";
        return p.delegateIdInt() == -1 ? "xnnpack" : "delegate";
    }

    private static Analysis summarise(Etdump d, int runsTotal, int skip, List<Integer> used, Totals t, Method m, ColdStart cold) {
        int n = used.size();
        double[] lat = t.latency.stream().mapToDouble(Double::doubleValue).toArray();
        Latency e2e = Latency.of(lat);
        double[] cat = new double[CATEGORIES.size()];
        double opMs = 0;
        for (int i = 0; i < cat.length; i++) cat[i] = n == 0 ? 0 : t.categories[i] / n;
        for (int i = 0; i < OP_CATEGORIES; i++) opMs += cat[i];
        Double delegateCall = t.anyDelegateCall ? t.delegateCall / n : null;
        double e2eMean = e2e == null ? 0 : e2e.mean();
        List<OpStat> ops = new ArrayList<>();
        for (OpAcc a : t.ops.values()) {
            double mean = a.totalMs / n;
            ops.add(new OpStat(a.name, a.kind, a.category, (double) a.count / n, mean,
                    !a.kind.equals("portable") && delegateCall != null && delegateCall > 0 ? mean / delegateCall : null,
                    e2eMean > 0 ? mean / e2eMean : null));
        }
        ops.sort(Comparator.comparingDouble(OpStat::meanMsPerRun).reversed());
        List<String> types = t.ops.values().stream().map(a -> a.name).toList();
        List<String> warnings = warnings(d, runsTotal, n, e2e, lat, t, m);
        Map<String, double[]> opRuns = new HashMap<>();
        for (OpAcc a : t.ops.values()) opRuns.merge(a.name, Arrays.copyOf(a.perRun, n), AnalyzeResults::plus);
        return new Analysis(runsTotal, skip, n, List.copyOf(used), lat, e2e, delegateCall, opMs, cat, List.copyOf(ops),
                List.copyOf(types), warnings, cold, t.categoryRuns.toArray(double[][]::new), opRuns);
    }

    private static double[] plus(double[] a, double[] b) {
        double[] r = a.clone();
        for (int i = 0; i < r.length; i++) r[i] += b[i];
        return r;
    }

    private static List<String> warnings(Etdump d, int runsTotal, int n, Latency e2e, double[] lat, Totals t, Method m) {
        List<String> w = new ArrayList<>();
        if (runsTotal == 0) w.add("no Execute block: the ETDump holds no execution (was the runner built with the event tracer?)");
        if (n > 0 && n < MIN_RUNS) w.add("only " + n + " run" + (n == 1 ? "" : "s") + ": fewer than " + MIN_RUNS + ", so the statistics are rough");
        if (e2e != null && e2e.cvPercent() != null && e2e.cvPercent() > CV_LIMIT_PERCENT)
            w.add(String.format(Locale.ROOT, "coefficient of variation %.1f%% > %.0f%%: noisy (close other programs, pin the threads, use more runs)",
                    e2e.cvPercent(), CV_LIMIT_PERCENT));
        if (lat.length >= 3) {
            double rest = Stats.median(Arrays.copyOfRange(lat, 1, lat.length));
            if (rest > 0 && lat[0] > 1.5 * rest)
                w.add(String.format(Locale.ROOT, "the first counted execution took %.3f ms, %.1fx the median of the others: a cold start inside "
                        + "the statistics; leave it out with --skip-runs (the pipelines' in-process warm-up is skipped by default)", lat[0], lat[0] / rest));
        }
        if (t.runsWithoutExecute > 0 && lat.length == 0)
            w.add(t.runsWithoutExecute + " run(s) have no Method::execute event: no end-to-end time for them");
        else if (t.runsWithoutExecute > 0)
            w.add(t.runsWithoutExecute + " run(s) have no Method::execute event: left out, so latency, operators and categories are means over the "
                    + n + " run(s) that have one");
        if (t.negativeOverhead < -1e-9)
            w.add(String.format(Locale.ROOT, "operator events add up to more than Method::execute (by %.6f ms in one run): overlapping events", -t.negativeOverhead));
        if (d.allocEvents() > 0)
            w.add(d.allocEvents() + " allocation event(s): not part of the Inspector table (Inspector itself fails on them)");
        if (d.emptyEvents() > 0) w.add(d.emptyEvents() + " event(s) with no profile, debug or allocation part were skipped");
        if (m != null) checkProgram(m, t, w);
        return List.copyOf(w);
    }

    private static void checkProgram(Method m, Totals t, List<String> w) {
        int size = m.instructions().size();
        int max = t.instructionIds.stream().mapToInt(Integer::intValue).max().orElse(-1);
        if (max >= size)
            w.add("the ETDump names instruction " + max + " but the .pte's method " + m.name() + " has " + size
                    + " instructions: is it the .pte that ran?");
        for (int iid : t.delegateCallIds) {
            if (iid >= 0 && iid < size && m.instructions().get(iid).type() != Instr.DELEGATE) {
                w.add("DELEGATE_CALL at instruction " + iid + " but the .pte has no delegate call there: is it the .pte that ran?");
                break;
            }
        }
    }

    // =====================================================================================================================
    // Analysis: kernel evidence and the program view
    // =====================================================================================================================

    record Evidence(String verdict, String detail, List<String> hints) {}

    /**
     * What a kernel log proves: XNNPACK prints "Using … microkernel" when it initialises a kernel configuration (once
     * per process), so the log shows which microkernels were SELECTED, not that every operator ran them.
     */
    static final String SELECTED = "SME2 microkernels selected (kernel log): ";

    /** SME2 evidence from the kernel log (primary) and operator types (secondary, labelled as such). */
    static Evidence sme2Evidence(KernelLog log, String borrowedFrom, List<String> operatorTypes) {
        return sme2EvidenceFrom(log, borrowedFrom == null ? "" : " (log borrowed from the kernel-logging run " + borrowedFrom + ")", operatorTypes);
    }

    /** src: where the log comes from when it is another experiment's (from borrowedFrom()), else "". */
    static Evidence sme2EvidenceFrom(KernelLog log, String src, List<String> operatorTypes) {
        String verdict, detail;
        if (log == null) {
            verdict = "unknown";
            detail = SELECTED + "unknown (no kernel log)";
        } else if (log.kernels().isEmpty()) {
            verdict = "unknown";
            detail = SELECTED + "unknown" + src + " (the kernel log has no 'Using ... microkernel' line: "
                    + "was the runner built with -DXNN_LOG_LEVEL=5, a BuildRunners *_xnnlog variant?)";
        } else {
            List<String> sme2 = log.kernels().stream().filter(Kernel::sme2).map(Kernel::name).toList();
            List<String> sme = log.kernels().stream().filter(Kernel::sme).map(Kernel::name).toList();
            verdict = sme2.isEmpty() ? "no" : "yes";
            detail = sme2.isEmpty()
                    ? SELECTED + "no" + src + ": none of " + log.kernels().size() + " microkernels is __neonsme2 (ISAs: "
                    + isaSummary(log) + ")" + (sme.isEmpty() ? "" : "; " + sme.size() + " __neonsme (SME1) microkernel(s)")
                    : SELECTED + "yes" + src + ": " + sme2.size() + " __neonsme2 microkernel(s) ("
                    + String.join(", ", sme2.subList(0, Math.min(3, sme2.size()))) + (sme2.size() > 3 ? ", ..." : "") + ")";
        }
        return new Evidence(verdict, detail, secondaryHints(operatorTypes));
    }

    /** Where a borrowed kernel log comes from, saying so when the donor ran at another thread count (XNNPACK may select other kernels there). */
    static String borrowedFrom(Input e, Input donor) {
        String s = " (log borrowed from the kernel-logging run " + donor.label();
        if (donor.threads() != null && e.threads() != null && !donor.threads().equals(e.threads()))
            s += ", which ran at " + donor.threads() + (donor.threads() == 1 ? " thread" : " threads") + ", not " + e.threads()
                    + ": XNNPACK may select other microkernels at other thread counts";
        return s + ")";
    }

    private static String isaSummary(KernelLog log) {
        List<String> parts = new ArrayList<>();
        log.isas().forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }

    /** Operator types that XNNPACK chooses only on SME/SME2 (PF32, PF16, Pack LH) or through KleidiAI (QP8). */
    static List<String> secondaryHints(List<String> types) {
        List<String> hints = new ArrayList<>();
        List<String> packed = new ArrayList<>();
        for (String k : List.of("PF32", "PF16")) if (types.stream().anyMatch(t -> t.matches(".*\\b" + k + "\\b.*"))) packed.add(k);
        if (types.stream().anyMatch(t -> t.startsWith("Pack LH"))) packed.add("Pack LH");
        if (!packed.isEmpty())
            hints.add("operator types " + String.join(" / ", packed) + " present: KleidiAI packed-LHS paths, which XNNPACK selects "
                    + "only on CPUs with SME2 or SME (secondary evidence)");
        if (types.stream().anyMatch(t -> t.matches(".*\\bQP8\\b.*")))
            hints.add("operator type QP8 present: KleidiAI dynamically quantised GEMM (SME2, SME or NEON dot-product kernels; secondary evidence)");
        return List.copyOf(hints);
    }

    /** The program view: what the .pte's first method runs, inside and outside its delegates. */
    static ObjectNode programView(Program prog, EtRecord rec, Analysis an) {
        if (prog == null) return null;
        ObjectNode o = Kit.object();
        Method m = prog.first();
        o.put("file", prog.file());
        o.put("container", prog.container());
        o.set("header", headerJson(prog.header()));
        ArrayNode methods = o.putArray("methods");
        prog.methods().forEach(x -> methods.add(x.name()));
        o.put("method", m == null ? null : m.name());
        int kernels = 0, delegated = 0;
        Set<String> outside = new LinkedHashSet<>(), backends = new LinkedHashSet<>();
        List<Integer> delegateIds = new ArrayList<>();
        if (m != null) {
            for (int i = 0; i < m.instructions().size(); i++) {
                Instr in = m.instructions().get(i);
                if (in.type() == Instr.KERNEL) { kernels++; String c = m.callee(i); if (c != null) outside.add(c); }
                if (in.type() == Instr.DELEGATE) { delegated++; delegateIds.add(i); String c = m.callee(i); if (c != null) backends.add(c); }
            }
            m.delegates().forEach(dl -> backends.add(dl.id()));
        }
        List<String> inside = an == null ? List.of() : an.operatorTypesSeen().stream()
                .filter(x -> !x.startsWith("native_call_") && !x.startsWith("OPERATOR_CALL") && !outside.contains(x)).distinct().toList();
        o.put("instructions", m == null ? 0 : m.instructions().size());
        o.put("operators_total", kernels + (inside.isEmpty() ? delegated : inside.size()));
        // Named as such: operator types (distinct), operator instances (nodes run per execution) and delegate calls.
        o.put("operator_types", kernels + (inside.isEmpty() ? delegated : inside.size()));
        double instances = kernels;
        if (an != null) for (OpStat s : an.operators()) if (!s.kind().equals("portable")) instances += s.countPerRun();
        if (an == null || an.runsUsed() == 0) o.putNull("operator_instances"); else o.put("operator_instances", Math.round(instances * 100) / 100.0);
        o.put("kernel_calls", kernels);
        o.put("delegated_calls", delegated);
        o.put("delegate_calls", delegated);
        o.set("backends", strings(backends));
        o.set("outside_delegate", strings(outside));
        o.set("inside_delegate", strings(inside));
        o.set("inside_delegate_aten", rec == null ? null : strings(atenInsideDelegates(rec, delegateIds)));
        o.put("segments", prog.segments().size());
        o.put("named_data", prog.namedData());
        if (prog.container().equals("bpte")) { o.set("bundled_methods", strings(prog.bundledMethods())); o.put("bundled_test_cases", prog.bundledTestCases()); }
        return o;
    }

    private static ObjectNode headerJson(Header h) {
        ObjectNode o = Kit.object();
        o.put("extended", h.extended());
        for (String k : List.of("length", "program_size", "segment_base_offset", "segment_data_size")) o.putNull(k);
        if (!h.extended()) return o;
        o.put("length", h.length());
        o.put("program_size", h.programSize());
        o.put("segment_base_offset", h.segmentBaseOffset());
        if (h.segmentDataSize() != null) o.put("segment_data_size", h.segmentDataSize());
        return o;
    }

    private static List<String> atenInsideDelegates(EtRecord rec, List<Integer> delegateIds) {
        List<String> r = new ArrayList<>();
        for (int iid : delegateIds) {
            List<Integer> hs = rec.debugHandles().get(Integer.toString(iid));
            if (hs != null) for (Integer h : hs) { String op = rec.opByHandle().get(h); if (op != null) r.add(op); }
        }
        return r;
    }

    static ArrayNode strings(java.util.Collection<String> c) {
        ArrayNode a = Kit.JSON.createArrayNode();
        c.forEach(a::add);
        return a;
    }

    // =====================================================================================================================
    // Analysis: per-operator kernel attribution (which microkernel each XNNPACK operator instance ran)
    // =====================================================================================================================

    /** One XNNPACK operator instance: its ETDump event, time and what the kernel log says it ran. */
    record OpKernel(int index, String xnnpackOperator, String path, String event, String category, Double msPerRun,
                    Double share, Tile tile, String status, String kernel, String isa, String sme2, List<String> candidates,
                    String basis) {}

    /**
     * The attribution of one experiment; match = "order", "name" or "none" (how log operators met ETDump events).
     * runsMs: per operator (same index), its ms per used execution (after the warm-up), null when no event matched.
     */
    record Attribution(String log, String from, String match, String matchNote, List<OpKernel> operators, String verdict,
                       OperatorLog opLog, List<double[]> runsMs) {
        long ran() { return operators.stream().filter(o -> !o.status().equals("skipped")).count(); }
    }

    static final List<String> GEMM_KINDS = List.of("gemm", "dqgemm", "qp8gemm", "qp8gemm_bl");
    static final List<String> IGEMM_KINDS = List.of("igemm", "dqigemm");
    static final Pattern KERNEL_TILE = Pattern.compile("_(\\d+)x(\\d+)(?:[a-z]\\d+)*__");
    static final Set<String> LAYOUTS = Set.of("NC", "NHWC", "NCHW", "ND", "NWC", "NCW", "CHW", "HWC");

    /** The attribution for an experiment with a kernel log that has per-operator lines; null otherwise. */
    static Attribution attribution(Experiment e) {
        KernelLog log = e.klog();
        if (log == null || log.operatorLog() == null || !log.operatorLog().present()) return null;
        List<Row> rows = delegateRows(e.blocks());
        int skip = e.an() == null ? 0 : e.an().skipRuns();
        List<OpLine> ops = log.operatorLog().operators();
        String[] events = new String[ops.size()];
        double[][] runs = new double[ops.size()][];
        String match = matchEvents(ops, rows, events, runs, skip);
        Double[] ms = new Double[ops.size()];
        for (int i = 0; i < ms.length; i++) ms[i] = runs[i] == null ? null : Stats.mean(runs[i]);
        double total = 0;
        for (Double d : ms) if (d != null) total += d;
        List<OpKernel> r = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            OpLine o = ops.get(i);
            String name = events[i] != null ? operatorType(events[i]) : o.profileName();
            r.add(resolveKernel(o, log.kernels(), log.operatorLog().dwconvPrimaryTiles(), events[i], category(name, "xnnpack"), ms[i],
                    ms[i] == null || total <= 0 ? null : ms[i] / total));
        }
        String note = switch (match) {
            case "order" -> rows.size() + " XNNPACK operator events of the ETDump matched the log's operators in run order and by name";
            case "name" -> "the ETDump's XNNPACK events do not follow the log's operators one to one (" + rows.size() + " events, "
                    + ops.size() + " operators); matched by name and occurrence (#k) only";
            default -> rows.isEmpty() ? "no XNNPACK operator events in the ETDump: operators listed from the log only"
                    : "the ETDump's XNNPACK events do not match the log's operators (is it the same model?): times left out";
        };
        List<OpKernel> list = List.copyOf(r);
        return new Attribution(log.file(), e.klogFrom(), match, note, list, operatorVerdict(list), log.operatorLog(),
                java.util.Collections.unmodifiableList(Arrays.asList(runs)));
    }

    /** XNNPACK operator events of the ETDump's Execute block (the one with the most runs), in event order. */
    static List<Row> delegateRows(List<Block> blocks) {
        Block best = null;
        if (blocks != null) for (Block b : blocks)
            if (b.name().equals("Execute") && (best == null || b.runs().size() > best.runs().size())) best = b;
        List<Row> r = new ArrayList<>();
        if (best != null) for (Row row : best.rows()) if (Boolean.TRUE.equals(row.delegated()) && row.raw() != null) r.add(row);
        return r;
    }

    /** Fills events/runs (ms per execution after the warm-up) for each log operator: by run order when names agree one to one, else by name and occurrence. */
    static String matchEvents(List<OpLine> ops, List<Row> rows, String[] events, double[][] runs, int skip) {
        boolean order = rows.size() == ops.size();
        for (int i = 0; order && i < ops.size(); i++) order = sameOperator(ops.get(i), operatorType(rows.get(i).name()));
        if (order) {
            for (int i = 0; i < ops.size(); i++) { events[i] = rows.get(i).name(); runs[i] = after(rows.get(i).raw(), skip); }
            return "order";
        }
        Map<String, Row> byName = new HashMap<>();
        rows.forEach(x -> byName.putIfAbsent(x.name(), x));
        Map<String, Integer> seen = new HashMap<>();
        boolean any = false;
        for (int i = 0; i < ops.size(); i++) {
            OpLine o = ops.get(i);
            for (String n : List.of(o.type() + " " + o.path(), o.type())) {
                Row x = byName.get(n + " #" + (seen.getOrDefault(n, 0) + 1));
                if (x == null) continue;
                events[i] = x.name();
                runs[i] = after(x.raw(), skip);
                any = true;
                break;
            }
            seen.merge(o.type() + " " + o.path(), 1, Integer::sum);
            if (!o.path().isEmpty()) seen.merge(o.type(), 1, Integer::sum);
        }
        return any ? "name" : "none";
    }

    /** An ETDump event's base name names this operator: its type with or without the microkernel type. */
    static boolean sameOperator(OpLine o, String eventType) {
        return eventType.equals(o.type()) || eventType.equals(o.type() + " " + o.path());
    }

    /** An event's ms per execution after the first skip (warm-up); all of them when skip leaves none; null without any. */
    static double[] after(double[] raw, int skip) {
        if (raw == null || raw.length == 0) return null;
        int from = skip < raw.length ? skip : 0;
        return Arrays.copyOfRange(raw, from, raw.length);
    }

    /**
     * What one operator ran. GEMM/IGEMM: the reshape's tile names mr x nr, and the operator runs the config's
     * gemm[mr-1] microkernel, whose name carries the tile (gemm-config.c); the log's announced kernels of that kind and
     * data type with that tile are the candidates. SME kernels take mr/nr from the vector length at run time
     * (..._get_mr()/_get_nr()), so their name's tile may differ from the logged one. Other operators print no kernel
     * choice: the candidates are the announced kernels of their kind (DWConv: the unipass kernels whose primary tile
     * the log's "using dwconv unipass of primary_tile P" lines name, printed when such operators were created).
     */
    static OpKernel resolveKernel(OpLine o, List<Kernel> announced, List<Integer> primaryTiles, String event, String category,
                                  Double ms, Double share) {
        if (o.skipped())
            return new OpKernel(o.index(), o.type(), o.path(), event, category, ms, share, o.tile(), "skipped", null, null,
                    "n/a", List.of(), "XNNPACK skipped it at run time (\"skip running operator\"): no microkernel ran");
        String dt = dataType(o.type());
        boolean gemm = o.path().equals("GEMM"), igemm = o.path().equals("IGEMM");
        List<String> kinds = gemm ? GEMM_KINDS : igemm ? IGEMM_KINDS : kindsFor(o);
        List<Kernel> ofKind = announced.stream().filter(k -> kinds.contains(k.category())).toList();
        List<Kernel> typed = dt == null ? List.of() : ofKind.stream().filter(k -> k.name().startsWith("xnn_" + dt + "_")).toList();
        List<Kernel> pool = typed.isEmpty() ? ofKind : typed;
        if (o.path().equals("DWConv") && !primaryTiles.isEmpty()) {
            List<Kernel> tiled = pool.stream().filter(k -> primaryTiles.contains(primaryTileOf(k.name()))).toList();
            if (!tiled.isEmpty()) pool = tiled;
        }
        String kindText = String.join("/", kinds);
        if ((gemm || igemm) && o.tile() != null) {
            Tile t = o.tile();
            List<Kernel> exact = pool.stream().filter(k -> tileOf(k.name(), 1) == t.mr() && tileOf(k.name(), 2) == t.nr()).toList();
            if (exact.size() == 1)
                return determined(o, event, category, ms, share, exact.get(0), "reshape chose mr=" + t.mr() + ", nr=" + t.nr()
                        + "; the only announced " + kindText + " microkernel" + (typed.isEmpty() ? "" : " for " + dt) + " with tile "
                        + t.mr() + "x" + t.nr());
            if (exact.isEmpty() && !typed.isEmpty()) {
                List<Kernel> sameClass = pool.stream().filter(k -> t.mr() == 1 ? tileOf(k.name(), 1) == 1 : tileOf(k.name(), 1) > 1).toList();
                if (sameClass.size() == 1 && sameClass.get(0).isa().startsWith("neonsme"))
                    return determined(o, event, category, ms, share, sameClass.get(0), "reshape chose mr=" + t.mr() + ", nr=" + t.nr()
                            + "; SME kernels size their tile from the vector length at run time, and this is the only announced "
                            + kindText + " microkernel for " + dt + " with " + (t.mr() == 1 ? "mr=1" : "mr>1"));
            }
            List<Kernel> c = exact.isEmpty() ? pool : exact;
            return ambiguous(o, event, category, ms, share, c, c.isEmpty() ? "no " + kindText + " microkernel is announced in the log"
                    : "reshape chose mr=" + t.mr() + ", nr=" + t.nr() + "; " + (exact.isEmpty() ? "no announced " + kindText
                    + " microkernel has that tile" : exact.size() + " announced " + kindText + " microkernels have that tile"));
        }
        String why = (gemm || igemm) ? "no \"Tile size for GEMM\" line for this operator at reshape"
                : "XNNPACK logs no per-operator kernel choice for " + (o.path().isEmpty() ? o.type() : o.path()) + " operators";
        if (o.path().equals("DWConv"))
            why += " (the primary tiles " + primaryTiles + " are printed when operators are created, in an order that does not "
                    + "identify the operator)";
        return ambiguous(o, event, category, ms, share, pool, why + (pool.isEmpty() ? "; no " + kindText + " microkernel announced"
                : "; candidates: the announced " + kindText + " microkernels" + (typed.isEmpty() ? "" : " for " + dt)
                + (o.path().equals("DWConv") && !primaryTiles.isEmpty() ? " with one of those primary tiles" : "")));
    }

    private static OpKernel determined(OpLine o, String event, String category, Double ms, Double share, Kernel k, String basis) {
        return new OpKernel(o.index(), o.type(), o.path(), event, category, ms, share, o.tile(), "determined", k.name(), k.isa(),
                k.sme2() ? "yes" : "no", List.of(k.name()), basis);
    }

    private static OpKernel ambiguous(OpLine o, String event, String category, Double ms, Double share, List<Kernel> c, String basis) {
        Set<String> isas = new LinkedHashSet<>();
        c.forEach(k -> isas.add(k.isa()));
        boolean all = !c.isEmpty() && c.stream().allMatch(Kernel::sme2), none = !c.isEmpty() && c.stream().noneMatch(Kernel::sme2);
        return new OpKernel(o.index(), o.type(), o.path(), event, category, ms, share, o.tile(), "ambiguous", null,
                isas.size() == 1 ? isas.iterator().next() : null, all ? "yes" : none ? "no" : "unknown",
                c.stream().map(Kernel::name).toList(), basis);
    }

    /** The kernel-name prefix of an operator type: "Fully Connected (NC, QD8, F32, QC8W)" -> qd8_f32_qc8w; null if none. */
    static String dataType(String type) {
        int a = type.lastIndexOf('('), b = type.lastIndexOf(')');
        if (a < 0 || b < a) return null;
        List<String> parts = new ArrayList<>();
        for (String p : type.substring(a + 1, b).split(",")) if (!p.isBlank() && !LAYOUTS.contains(p.trim())) parts.add(p.trim().toLowerCase(Locale.ROOT));
        return parts.isEmpty() ? null : String.join("_", parts);
    }

    /** The log categories (`Using <category> microkernel`) that can serve an operator that is not a GEMM/IGEMM. */
    static List<String> kindsFor(OpLine o) {
        String p = o.path(), t = o.type();
        if (p.equals("DWConv")) return List.of("dwconv");
        if (t.startsWith("Pack LH")) return List.of("pack_lh");
        if (p.equals("Transpose") || t.startsWith("Transpose") || t.startsWith("Copy")) return List.of("transposec", "transposev", "copy");
        if (p.startsWith("Reduce") || p.equals("Mean") || t.startsWith("Mean") || t.startsWith("Sum") || t.startsWith("Max (") || t.startsWith("Min ("))
            return List.of("reduce", "reduce_discontiguous");
        if (p.equals("VMulCAddC")) return List.of("vmulcaddc");
        if (t.startsWith("Softmax")) return List.of("raddstoreexpminusmax", "reduce", "binary");
        if (t.contains("Pooling")) return List.of("maxpool", "avgpool", "argmaxpool");
        if (t.endsWith("(ND)") && List.of("Add", "Subtract", "Multiply", "Divide", "Minimum", "Maximum", "Squared Difference",
                "Copy Sign", "PReLU", "Modulus", "ATan2").stream().anyMatch(x -> t.startsWith(x + " ("))) return List.of("binary");
        return List.of("unary");
    }

    static final Pattern DWCONV_PRIMARY = Pattern.compile("_(\\d+)p\\d+c__");

    /** The primary tile of a unipass dwconv kernel (xnn_f32_dwconv_minmax_ukernel_9p16c__avx512f -> 9); -1 if none. */
    static int primaryTileOf(String kernel) {
        Matcher m = DWCONV_PRIMARY.matcher(kernel);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** mr (group 1) or nr (group 2) of a kernel name such as xnn_f32_gemm_minmax_ukernel_7x16__avx512f_broadcast; -1 if none. */
    static int tileOf(String kernel, int group) {
        Matcher m = KERNEL_TILE.matcher(kernel);
        return m.find() ? Integer.parseInt(m.group(group)) : -1;
    }

    /**
     * The per-operator SME2 verdict: how many operators ran SME2 microkernels, which, their share of the XNNPACK operator
     * time, and the operators that did not (by type, with their share): what a kernel log shows XNNPACK selected.
     */
    static String operatorVerdict(List<OpKernel> ops) {
        List<OpKernel> ran = ops.stream().filter(o -> !o.status().equals("skipped")).toList();
        if (ran.isEmpty()) return "no XNNPACK operator ran according to the kernel log";
        List<OpKernel> yes = ran.stream().filter(o -> o.sme2().equals("yes")).toList();
        Set<String> kernels = new LinkedHashSet<>();
        yes.forEach(o -> kernels.add(o.kernel() != null ? o.kernel() : String.join(" or ", o.candidates())));
        StringBuilder sb = new StringBuilder();
        if (yes.isEmpty()) {
            Set<String> isas = new LinkedHashSet<>();
            ran.forEach(o -> { if (o.isa() != null) isas.add(o.isa()); });
            sb.append("none of the ").append(ran.size()).append(" XNNPACK operators ran an SME2 microkernel")
                    .append(isas.isEmpty() ? "" : " (ISAs of their kernels: " + String.join(", ", isas) + ")");
        } else {
            sb.append(yes.size()).append(" of ").append(ran.size()).append(" XNNPACK operators ran SME2 microkernels (")
                    .append(String.join(", ", kernels)).append(")").append(shareText(yes));
        }
        List<OpKernel> not = ran.stream().filter(o -> !o.sme2().equals("yes")).toList();
        if (!yes.isEmpty() && !not.isEmpty()) {
            Map<String, List<OpKernel>> byType = new LinkedHashMap<>();
            not.forEach(o -> byType.computeIfAbsent(o.event() != null ? operatorType(o.event())
                    : o.path().isEmpty() || o.path().equals("Default") ? o.xnnpackOperator() : o.xnnpackOperator() + " " + o.path(),
                    k -> new ArrayList<>()).add(o));
            List<String> parts = new ArrayList<>();
            byType.forEach((type, l) -> {
                Set<String> what = new LinkedHashSet<>();
                l.forEach(o -> what.add(o.isa() != null ? o.isa() : o.sme2().equals("no") ? "no SME2 candidate" : "kernel ambiguous"));
                parts.add(l.size() + " " + type + " (" + String.join(", ", what) + ")");
            });
            sb.append("; without SME2: ").append(String.join(", ", parts)).append(shareText(not));
        }
        return sb.toString();
    }

    private static String shareText(List<OpKernel> ops) {
        double s = 0;
        for (OpKernel o : ops) { if (o.share() == null) return ""; s += o.share(); }
        return String.format(Locale.ROOT, ", %.0f%% of the XNNPACK operator time", 100 * s);
    }

    /**
     * The per-operator join of a comparison: each operator's kernel and time on both sides, and what changed. Operators
     * pair by their kind without the data type and their occurrence ("Fully Connected GEMM #3"), so an F32 operator of
     * the SME2-off build meets the PF32 one the SME2-on build made of it; operators of one side only (Pack LH) stay alone.
     */
    static ArrayNode kernelJoinJson(Attribution base, Attribution cand) {
        ArrayNode a = Kit.JSON.createArrayNode();
        if (base == null || cand == null) return a;
        Map<String, Integer> after = joinKeys(cand.operators());
        joinKeys(base.operators()).forEach((k, i) -> {
            Integer j = after.remove(k);
            a.add(joinRow(k, base.operators().get(i), j == null ? null : cand.operators().get(j),
                    base.runsMs().get(i), j == null ? null : cand.runsMs().get(j)));
        });
        after.forEach((k, j) -> a.add(joinRow(k, null, cand.operators().get(j), null, null)));
        return a;
    }

    /** Join key ("Fully Connected GEMM #3") -> index of the operator in ops. */
    private static Map<String, Integer> joinKeys(List<OpKernel> ops) {
        Map<String, Integer> r = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            OpKernel o = ops.get(i);
            String family = (o.xnnpackOperator().replaceAll("\\s*\\([^)]*\\)", "").trim() + " " + o.path()).trim();
            r.put(family + " #" + seen.merge(family, 1, Integer::sum), i);
        }
        return r;
    }

    /** One operator on both sides; its change judged by the noise rule (judge, on the means per execution) when both have times. */
    private static ObjectNode joinRow(String key, OpKernel b, OpKernel c, double[] bRuns, double[] cRuns) {
        ObjectNode o = Kit.object();
        o.put("operator", key);
        o.put("before_event", b == null ? null : b.event());
        o.put("after_event", c == null ? null : c.event());
        o.put("category", (b != null ? b : c).category());
        o.put("before_kernel", b == null ? null : kernelText(b));
        o.put("after_kernel", c == null ? null : kernelText(c));
        o.put("before_sme2", b == null ? null : b.sme2());
        o.put("after_sme2", c == null ? null : c.sme2());
        o.put("kernel_changed", b != null && c != null && !kernelText(b).equals(kernelText(c)));
        num(o, "before_ms", b == null ? null : b.msPerRun());
        num(o, "after_ms", c == null ? null : c.msPerRun());
        Double bm = b == null ? null : b.msPerRun(), cm = c == null ? null : c.msPerRun();
        num(o, "delta_ms", bm == null || cm == null ? null : cm - bm);
        num(o, "speedup", bm == null || cm == null || cm <= 0 ? null : bm / cm);
        if (bRuns != null && cRuns != null) judgementJson(o, judge(bRuns, cRuns, false));
        else { o.putNull("ci95_low"); o.putNull("ci95_high"); o.putNull("noise_floor_ms"); o.putNull("change"); }
        return o;
    }

    /** The kernel as one string: its name, "skipped", or "ambiguous: a | b". */
    static String kernelText(OpKernel o) {
        return switch (o.status()) {
            case "determined" -> o.kernel();
            case "skipped" -> "skipped";
            default -> o.candidates().isEmpty() ? "ambiguous (no candidate announced)" : "ambiguous: " + String.join(" | ", o.candidates());
        };
    }

    static ObjectNode attributionJson(Attribution at) {
        ObjectNode o = Kit.object();
        o.put("log", at.log());
        o.put("log_from", at.from());
        o.put("etdump_match", at.match());
        o.put("match_note", at.matchNote());
        o.put("verdict", at.verdict());
        o.put("operators_total", at.operators().size());
        o.put("operators_ran", at.ran());
        o.put("sme2_operators", at.operators().stream().filter(x -> x.sme2().equals("yes")).count());
        o.put("determined", at.operators().stream().filter(x -> x.status().equals("determined")).count());
        o.put("ambiguous", at.operators().stream().filter(x -> x.status().equals("ambiguous")).count());
        ObjectNode cr = o.putObject("creation");
        cr.put("packed_weight_allocations", at.opLog().packedWeightLines());
        cr.put("packed_weight_bytes", at.opLog().packedWeightBytes());
        ArrayNode pt = cr.putArray("dwconv_primary_tiles");
        at.opLog().dwconvPrimaryTiles().forEach(pt::add);
        cr.put("nr2_config_lines", at.opLog().nr2Lines());
        cr.put("note", "creation-time lines, not tied to operators: XNNPACK also creates fingerprint operators inside a real "
                + "operator's creation, which print the same lines");
        ArrayNode a = o.putArray("operators");
        for (OpKernel k : at.operators()) {
            ObjectNode r = a.addObject();
            r.put("index", k.index());
            r.put("event", k.event());
            r.put("xnnpack_operator", k.xnnpackOperator());
            r.put("path", k.path());
            r.put("category", k.category());
            num(r, "ms_per_run", k.msPerRun());
            num(r, "share", k.share());
            Tile t = k.tile();
            if (t == null) r.putNull("tile");
            else {
                ObjectNode tj = r.putObject("tile");
                tj.put("mr", t.mr()); tj.put("nr", t.nr()); tj.put("m", t.m()); tj.put("n", t.n()); tj.put("nc", t.nc());
                tj.put("tiles", t.tiles()); tj.put("groups", t.groups());
            }
            r.put("status", k.status());
            r.put("kernel", k.kernel());
            r.put("isa", k.isa());
            r.put("sme2", k.sme2());
            r.set("candidates", strings(k.candidates()));
            r.put("basis", k.basis());
        }
        return o;
    }

    static final String OPERATOR_KERNELS_HEADER = "experiment,operator_index,event,xnnpack_operator,path,category,ms_per_run,"
            + "share,mr,nr,m,n,tile_nc,tiles,status,kernel,isa,sme2,candidates,kernel_log";

    /** operator_kernels.csv: one row per XNNPACK operator instance of each experiment with a per-operator kernel log. */
    static String operatorKernelsCsv(List<Experiment> exps) {
        StringBuilder sb = new StringBuilder(OPERATOR_KERNELS_HEADER).append('\n');
        for (Experiment e : exps) {
            Attribution at = attribution(e);
            if (at == null) continue;
            for (OpKernel k : at.operators()) {
                Tile t = k.tile();
                csvLine(sb, Arrays.asList(e.in().label(), k.index(), k.event(), k.xnnpackOperator(), k.path(), k.category(),
                        pyOrNull(k.msPerRun()), pyOrNull(k.share()), t == null ? null : t.mr(), t == null ? null : t.nr(),
                        t == null ? null : t.m(), t == null ? null : t.n(), t == null ? null : t.nc(), t == null ? null : t.tiles(),
                        k.status(), k.kernel(), k.isa(), k.sme2(), String.join(" ", k.candidates()), at.log()));
            }
        }
        return sb.toString();
    }

    // =====================================================================================================================
    // Comparison: SME2 off (baseline) vs on (candidate), bootstrap confidence interval of the median speedup
    // =====================================================================================================================

    /** analysis_summary.json's shape: 2 added cold_start, warmup_skipped, change / noise_floor_ms / category_changes, operator_types. */
    static final int SCHEMA_VERSION = 2;
    static final int BOOTSTRAP_RESAMPLES = 10_000;
    static final long BOOTSTRAP_SEED = 20261125L;

    record Interval(double low, double high) {}

    /** A change between two experiments' figures (ms per run), judged by the noise rule (judgeChange). */
    record Judgement(double baselineMs, double candidateMs, Double speedup, Interval ci, double floorMs, String change) {
        double deltaMs() { return candidateMs - baselineMs; }
    }

    record OpDelta(String name, String category, double beforeMs, double afterMs, double deltaMs, Double speedup, Judgement judgement) {}

    record Comparison(String label, String baseline, String candidate, Double baselineMedian, Double candidateMedian,
                      Double speedup, Interval ci, Boolean withinNoise, String verdict, double[] before, double[] after,
                      Double[] shareBefore, Double[] shareAfter, List<OpDelta> operatorDeltas, Judgement e2e,
                      Judgement[] categoryJudgements) {}

    // ----------------------------------------------------------------------------------------------------------------
    // The noise rule: one function (judgeChange), its floor constants here. Applied to end-to-end latency (medians),
    // categories and operators (means per run) alike; another script comparing runs calls judge() or judgeChange().
    // ----------------------------------------------------------------------------------------------------------------

    /** The noise floor's absolute part: 10 µs (XNNPACK's operator events have whole-microsecond resolution). */
    static final double NOISE_FLOOR_MS = 0.010;
    /** The noise floor's relative part: 1% of the baseline figure. */
    static final double NOISE_FLOOR_FRACTION = 0.01;
    static final String FASTER = "faster", SLOWER = "slower", NO_CHANGE = "no measurable change";
    /** Rounding slack (1 ps) so that a change of exactly the floor, as sums of doubles give it, is not counted. */
    private static final double FLOOR_EPSILON_MS = 1e-9;

    /** The smallest absolute change (ms) the noise rule counts: max(NOISE_FLOOR_MS, NOISE_FLOOR_FRACTION × baselineMs). */
    static double noiseFloorMs(double baselineMs) {
        return Math.max(NOISE_FLOOR_MS, NOISE_FLOOR_FRACTION * Math.abs(baselineMs));
    }

    /**
     * The noise rule. ci: the 95% bootstrap interval of baseline / candidate (a speedup). FASTER when the whole
     * interval lies above 1 and the candidate is faster by more than noiseFloorMs(baselineMs); SLOWER when it lies below
     * 1 and the candidate is slower by more than the floor; otherwise NO_CHANGE ("no measurable change"), also when
     * there is no interval (fewer than 2 runs on a side) or a figure is not finite.
     */
    static String judgeChange(double baselineMs, double candidateMs, Interval ci) {
        if (ci == null || !Double.isFinite(baselineMs) || !Double.isFinite(candidateMs)) return NO_CHANGE;
        double delta = candidateMs - baselineMs, floor = noiseFloorMs(baselineMs) + FLOOR_EPSILON_MS;
        if (ci.low() > 1.0 && -delta > floor) return FASTER;
        if (ci.high() < 1.0 && delta > floor) return SLOWER;
        return NO_CHANGE;
    }

    /**
     * The noise rule on two samples of per-run ms: median (end-to-end latency) or mean (category and operator time) of
     * each side, the bootstrap interval of their ratio (fixed seed), and judgeChange's verdict.
     */
    static Judgement judge(double[] base, double[] cand, boolean median) {
        if (base.length == 0 || cand.length == 0) return new Judgement(Double.NaN, Double.NaN, null, null, NOISE_FLOOR_MS, NO_CHANGE);
        double b = median ? Stats.median(base) : Stats.mean(base), c = median ? Stats.median(cand) : Stats.mean(cand);
        Double speedup = c > 0 ? Double.valueOf(b / c) : b > 0 ? Double.valueOf(Double.POSITIVE_INFINITY) : null;
        Interval ci = bootstrap(base, cand, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, median);
        return new Judgement(b, c, speedup, ci, noiseFloorMs(b), judgeChange(b, c, ci));
    }

    /**
     * 95% percentile-bootstrap interval of median(base) / median(cand): each resample draws each side's latencies
     * with replacement (same sizes); numpy-linear 2.5th and 97.5th percentiles of the ratios. Null below 2 runs a side.
     */
    static Interval bootstrap(double[] base, double[] cand, int resamples, long seed) { return bootstrap(base, cand, resamples, seed, true); }

    /** A resampled ratio closer to 1 than this is 1 (rounding of sums of doubles, far below any measurable change). */
    private static final double RATIO_EPSILON = 1e-9;

    /** As above, of the medians (median true) or the means; a resample whose candidate figure is 0 has the ratio +∞ (1 when both are 0). */
    static Interval bootstrap(double[] base, double[] cand, int resamples, long seed, boolean median) {
        if (base.length < 2 || cand.length < 2) return null;
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] ratios = new double[resamples], b = new double[base.length], c = new double[cand.length];
        for (int i = 0; i < resamples; i++) {
            for (int j = 0; j < b.length; j++) b[j] = base[rnd.nextInt(base.length)];
            for (int j = 0; j < c.length; j++) c[j] = cand[rnd.nextInt(cand.length)];
            double sb, sc;
            if (median) {
                Arrays.sort(b);
                Arrays.sort(c);
                sb = Stats.percentile(b, 50);
                sc = Stats.percentile(c, 50);
            } else {
                sb = Stats.mean(b);
                sc = Stats.mean(c);
            }
            double ratio = sc != 0 ? sb / sc : sb == 0 ? 1.0 : Double.POSITIVE_INFINITY;
            // equal figures summed in another order differ in the last bits: such a ratio is 1, so that an interval
            // touching 1 is not reported (and judged) as excluding it
            ratios[i] = Math.abs(ratio - 1.0) < RATIO_EPSILON ? 1.0 : ratio;
        }
        Arrays.sort(ratios);
        double lo = Stats.percentile(ratios, 2.5), hi = Stats.percentile(ratios, 97.5);
        return new Interval(Double.isNaN(lo) ? Double.POSITIVE_INFINITY : lo, Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi);
    }

    static Comparison compare(String label, String baseLabel, Analysis base, String candLabel, Analysis cand) {
        Double bm = base.e2e() == null ? null : base.e2e().median(), cm = cand.e2e() == null ? null : cand.e2e().median();
        Double speedup = bm == null || cm == null || cm == 0 ? null : bm / cm;
        Judgement e2e = speedup == null ? null : judge(base.latencyMs(), cand.latencyMs(), true);
        Interval ci = e2e == null ? null : e2e.ci();
        Boolean noise = e2e == null ? null : e2e.change().equals(NO_CHANGE);
        Double[] sb = new Double[OP_CATEGORIES], sa = new Double[OP_CATEGORIES];
        for (int i = 0; i < OP_CATEGORIES; i++) { sb[i] = base.categoryShare(i); sa[i] = cand.categoryShare(i); }
        Judgement[] cats = new Judgement[CATEGORIES.size()];
        for (int i = 0; i < cats.length; i++) cats[i] = judge(column(base.categoryRunsMs(), i), column(cand.categoryRunsMs(), i), false);
        return new Comparison(label, baseLabel, candLabel, bm, cm, speedup, ci, noise, verdict(speedup, e2e),
                base.categoriesMs().clone(), cand.categoriesMs().clone(), sb, sa, operatorDeltas(base, cand), e2e, cats);
    }

    private static double[] column(double[][] rows, int i) {
        double[] c = new double[rows.length];
        for (int r = 0; r < rows.length; r++) c[r] = rows[r][i];
        return c;
    }

    /** The comparison's one-line verdict: the noise rule's word first, then the ratio, its interval and, for a sub-floor change, the floor. */
    static String verdict(Double speedup, Judgement j) {
        if (speedup == null || j == null) return "no comparison: an experiment has no end-to-end latency";
        Interval ci = j.ci();
        if (ci == null) return String.format(Locale.ROOT, "no measurable change: %.2fx, but fewer than 2 runs on a side: no confidence interval", speedup);
        String range = String.format(Locale.ROOT, "%.2fx (95%% CI %.2f–%.2f)", speedup, ci.low(), ci.high());
        if (j.change().equals(FASTER)) return "candidate faster: " + range;
        if (j.change().equals(SLOWER)) return "candidate slower: " + range;
        if (ci.low() <= 1.0 && ci.high() >= 1.0) return "no measurable change: " + range + " includes 1.0";
        return String.format(Locale.ROOT, "no measurable change: %s, but the change of %.3f ms is within the %.3f ms noise floor",
                range, Math.abs(j.deltaMs()), j.floorMs());
    }

    private static List<OpDelta> operatorDeltas(Analysis base, Analysis cand) {
        Map<String, double[]> ms = new LinkedHashMap<>();
        Map<String, String> cats = new HashMap<>();
        for (OpStat o : base.operators()) { ms.computeIfAbsent(o.name(), k -> new double[2])[0] = o.meanMsPerRun(); cats.put(o.name(), o.category()); }
        for (OpStat o : cand.operators()) { ms.computeIfAbsent(o.name(), k -> new double[2])[1] = o.meanMsPerRun(); cats.putIfAbsent(o.name(), o.category()); }
        List<OpDelta> r = new ArrayList<>();
        ms.forEach((n, v) -> {
            double[] zb = new double[base.runsUsed()], zc = new double[cand.runsUsed()];
            Judgement j = judge(base.operatorRunsMs().getOrDefault(n, zb), cand.operatorRunsMs().getOrDefault(n, zc), false);
            r.add(new OpDelta(n, cats.get(n), v[0], v[1], v[1] - v[0], v[1] > 0 ? v[0] / v[1] : null, j));
        });
        r.sort(Comparator.comparingDouble((OpDelta x) -> Math.abs(x.deltaMs())).reversed());
        return List.copyOf(r);
    }

    // =====================================================================================================================
    // Outputs: summary JSON
    // =====================================================================================================================

    /** What to analyse: one ETDump (or only a kernel log) with its labels. */
    record Input(String label, String experiment, Integer threads, String mode, Path etdump, Path kernelLog, String variant,
                 Integer warmupInProcess) {
        /** An input with no recorded in-process warm-up (single files, older run folders). */
        Input(String label, String experiment, Integer threads, String mode, Path etdump, Path kernelLog, String variant) {
            this(label, experiment, threads, mode, etdump, kernelLog, variant, null);
        }
    }

    /** Everything computed for one input. */
    record Experiment(Input in, Etdump dump, List<Block> blocks, Analysis an, KernelLog klog, String klogFrom,
                      Evidence evidence, ObjectNode program) {}

    static ObjectNode summaryJson(Job job, List<Experiment> exps, List<Comparison> comps, int top, int traceRuns) {
        ObjectNode s = Kit.object();
        s.put("schema_version", SCHEMA_VERSION);
        s.put("generated_at", Kit.utcNow());
        s.put("tool", "AnalyzeResults " + VERSION);
        ObjectNode src = s.putObject("source");
        src.put("run_dir", str(job.runDir()));
        src.put("model", str(job.pte()));
        src.put("etrecord", str(job.etrecord()));
        s.set("run", runJson(job.manifest()));
        ObjectNode opts = s.putObject("options");
        opts.put("skip_runs", job.skipRuns());   // null: each experiment skips its manifest's warmup_in_process (else 0)
        opts.put("top", top);
        opts.put("trace_runs", traceRuns);
        s.set("category_rules", rulesJson());
        ArrayNode ea = s.putArray("experiments");
        for (Experiment e : exps) ea.add(experimentJson(e));
        ArrayNode ca = s.putArray("comparisons");
        for (Comparison c : comps) ca.add(withKernelJoin(comparisonJson(c), c, exps));
        s.set("skipped", Kit.JSON.valueToTree(job.skipped()));
        s.set("warnings", strings(job.warnings()));
        return s;
    }

    static String str(Object o) { return o == null ? null : o.toString(); }

    /** Adds the per-operator kernel join of a comparison ("operator_kernels", empty without per-operator logs). */
    static ObjectNode withKernelJoin(ObjectNode cj, Comparison c, List<Experiment> exps) {
        Attribution b = null, a = null;
        for (Experiment e : exps) {
            if (e.in().label().equals(c.baseline())) b = attribution(e);
            if (e.in().label().equals(c.candidate())) a = attribution(e);
        }
        cj.set("operator_kernels", kernelJoinJson(b, a));
        return cj;
    }

    private static JsonNode runJson(JsonNode manifest) {
        if (manifest == null) return null;
        ObjectNode r = Kit.object();
        for (String k : List.of("tool", "status", "generated_at", "config", "model", "executorch", "host", "device", "runners"))
            r.set(k, manifest.has(k) ? manifest.get(k) : null);
        return r;
    }

    static ArrayNode rulesJson() {
        ArrayNode a = Kit.JSON.createArrayNode();
        for (Rule r : RULES) {
            ObjectNode o = a.addObject();
            o.put("category", r.category());
            o.set("matches", strings(r.xnnpack()));
            o.set("portable", strings(r.portable().stream().map(p -> "native_call_" + p).toList()));
            o.put("note", r.note());
        }
        ObjectNode dov = a.addObject();
        dov.put("category", "DELEGATE_OVERHEAD");
        dov.set("matches", strings(List.of("DELEGATE_CALL")));
        dov.set("portable", strings(List.of()));
        dov.put("note", "time inside DELEGATE_CALL not covered by the delegate's operator events");
        ObjectNode rov = a.addObject();
        rov.put("category", "RUNTIME_OVERHEAD");
        rov.set("matches", strings(List.of("Method::execute")));
        rov.set("portable", strings(List.of()));
        rov.put("note", "time inside Method::execute not covered by any operator or DELEGATE_CALL (OPERATOR_CALL framework time, "
                + "instruction dispatch); rules are tried in this order, first match wins; framework events (Method::execute, "
                + "DELEGATE_CALL, OPERATOR_CALL, Program::load_method, Method::init) are never categorised; a native_call_* is "
                + "counted once, not again through the OPERATOR_CALL around it");
        return a;
    }

    static ObjectNode experimentJson(Experiment e) {
        ObjectNode o = Kit.object();
        Input in = e.in();
        Analysis an = e.an();
        o.put("label", in.label());
        o.put("experiment", in.experiment());
        if (in.threads() == null) o.putNull("threads"); else o.put("threads", in.threads());
        o.put("mode", in.mode());
        o.put("etdump", str(in.etdump()));
        o.put("kernel_log", e.klog() == null ? null : e.klog().file());
        o.put("kernel_log_from", e.klogFrom());
        o.put("runs_total", an == null ? null : an.runsTotal());
        o.put("skip_runs", an == null ? null : an.skipRuns());
        o.put("warmup_in_process", in.warmupInProcess());
        o.put("warmup_skipped", an == null ? null : Math.min(an.skipRuns(), an.runsTotal()));
        o.set("cold_start", an == null ? null : coldStartJson(an));
        ArrayNode lat = o.putArray("latency_ms");
        if (an != null) for (double v : an.latencyMs()) lat.add(v);
        o.set("e2e_ms", an == null ? null : latencyJson(an.e2e()));
        num(o, "delegate_call_ms", an == null ? null : an.delegateCallMs());
        num(o, "operator_ms", an == null ? null : an.operatorMs());
        ObjectNode cm = o.putObject("categories_ms"), cs = o.putObject("category_share");
        for (int i = 0; i < CATEGORIES.size(); i++) {
            num(cm, CATEGORIES.get(i), an == null ? null : an.categoriesMs()[i]);
            if (i < OP_CATEGORIES) num(cs, CATEGORIES.get(i), an == null ? null : an.categoryShare(i));
        }
        ArrayNode ops = o.putArray("operators");
        if (an != null) for (OpStat s : an.operators()) ops.add(opJson(s));
        o.set("kernels", kernelsJson(e.klog()));
        o.put("sme2_evidence", e.evidence().verdict());
        o.put("sme2_evidence_detail", e.evidence().detail());
        o.set("secondary_hints", strings(e.evidence().hints()));
        Attribution at = attribution(e);
        o.set("operator_kernels", at == null ? null : attributionJson(at));
        o.set("program", e.program());
        o.set("inspector", inspectorJson(e));
        List<String> w = new ArrayList<>(an == null ? List.of() : an.warnings());
        if ("xnntrace".equals(in.mode())) w.add("xnntrace mode: timings include XNNPACK's logging; use timing runs for latency");
        o.set("warnings", strings(w));
        return o;
    }

    /** The ratio above which a first execution counted in the statistics is reported as a cold-start outlier. */
    static final double COLD_OUTLIER_RATIO = 1.5;

    /** cold_start of an experiment: first execution, load (Program::load_method + Method::init), the warm-up left out. */
    static ObjectNode coldStartJson(Analysis an) {
        ColdStart c = an.coldStart();
        ObjectNode o = Kit.object();
        num(o, "first_execution_ms", c.firstExecutionMs());
        num(o, "load_ms", c.loadMs());
        num(o, "load_method_ms", c.loadMethodMs());
        num(o, "method_init_ms", c.methodInitMs());
        o.put("method_init_inside_load_method", c.initNested());
        ArrayNode w = o.putArray("warmup_ms");
        for (double v : c.warmupMs()) if (Double.isFinite(v)) w.add(v); else w.addNull();   // NaN: no Method::execute in it
        Double ratio = firstVsSteady(an);
        num(o, "first_vs_steady_median", ratio);
        o.put("first_in_statistics", an.skipRuns() == 0 && an.runsTotal() > 0);
        return o;
    }

    /** The first execution over the steady-state median (that of the executions after it when it is itself counted). */
    static Double firstVsSteady(Analysis an) {
        Double first = an.coldStart().firstExecutionMs(), med = steadyMedian(an);
        return first == null || med == null || med <= 0 ? null : first / med;
    }

    /** The steady-state median: of the counted executions, less the first when it is itself counted; null without any. */
    static Double steadyMedian(Analysis an) {
        double[] lat = an.latencyMs();
        double[] rest = an.skipRuns() == 0 && lat.length > 0 ? Arrays.copyOfRange(lat, 1, lat.length) : lat;
        return rest.length == 0 ? null : Stats.median(rest);
    }

    /** Whether the first execution is inside the statistics and more than COLD_OUTLIER_RATIO × the median of the others. */
    static boolean coldOutlierInside(Analysis an) {
        Double r = firstVsSteady(an);
        return an.skipRuns() == 0 && an.latencyMs().length >= 3 && r != null && r > COLD_OUTLIER_RATIO;
    }

    static ObjectNode latencyJson(Latency l) {
        if (l == null) return null;
        ObjectNode o = Kit.object();
        o.put("n", l.n());
        num(o, "mean", l.mean());
        num(o, "median", l.median());
        num(o, "p10", l.p10());
        num(o, "p90", l.p90());
        num(o, "min", l.min());
        num(o, "max", l.max());
        num(o, "stdev", l.stdev());
        num(o, "cv_percent", l.cvPercent());
        return o;
    }

    static ObjectNode opJson(OpStat s) {
        ObjectNode o = Kit.object();
        o.put("name", s.name());
        o.put("kind", s.kind());
        o.put("category", s.category());
        num(o, "count_per_run", s.countPerRun());
        num(o, "mean_ms_per_run", s.meanMsPerRun());
        num(o, "share_of_delegate", s.shareOfDelegate());
        num(o, "share_of_e2e", s.shareOfE2e());
        return o;
    }

    static ObjectNode kernelsJson(KernelLog log) {
        ObjectNode o = Kit.object();
        o.put("log", log == null ? null : log.file());
        o.put("total", log == null ? 0 : log.kernels().size());
        o.put("announcements", log == null ? 0 : log.announcements());
        ArrayNode items = o.putArray("items");
        ObjectNode isas = o.putObject("isas");
        if (log == null) { o.putObject("categories"); return o; }
        for (Kernel k : log.kernels()) {
            ObjectNode i = items.addObject();
            i.put("category", k.category());
            i.put("name", k.name());
            i.put("isa", k.isa());
            i.put("count", k.count());
        }
        log.isas().forEach(isas::put);
        ObjectNode cats = o.putObject("categories");
        for (Kernel k : log.kernels()) cats.put(k.category(), cats.path(k.category()).asInt(0) + 1);
        o.set("formats", Kit.JSON.valueToTree(log.formats()));
        return o;
    }

    private static ObjectNode inspectorJson(Experiment e) {
        if (e.dump() == null) return null;
        ObjectNode o = Kit.object();
        o.put("events_profile", e.dump().profileEvents());
        o.put("events_debug", e.dump().debugEvents());
        o.put("events_allocation", e.dump().allocEvents());
        ArrayNode blocks = o.putArray("blocks");
        for (Block b : e.blocks()) {
            ObjectNode x = blocks.addObject();
            x.put("name", b.name());
            x.put("runs", b.runs().size());
            x.put("rows", b.rows().size());
            x.put("bundled_input_index", b.bundledInputIndex());
        }
        o.set("model_sources", modelSourcesJson(e.blocks()));
        return o;
    }

    static final int MODEL_SOURCES_MAX = 10;

    /**
     * The slowest events the ETRecord ties to model code (median ms, most first, at most MODEL_SOURCES_MAX): per
     * DELEGATE_CALL the ATen ops and model modules it holds, per kernel outside a delegate (native_call_*) its ATen op,
     * module and source line. From the Inspector columns op_types, module_hierarchy and stack_traces; empty without an
     * ETRecord that carries them (generate_etrecord=True).
     */
    static ArrayNode modelSourcesJson(List<Block> blocks) {
        record Src(Row row, double p50) {}
        List<Src> found = new ArrayList<>();
        for (Block b : blocks)
            for (Row r : b.rows())
                if (r.perf() != null && !r.nodes().isEmpty() && !Boolean.TRUE.equals(r.delegated()) && !r.name().equals("OPERATOR_CALL"))
                    found.add(new Src(r, r.perf().p50()));
        found.sort(Comparator.comparingDouble(Src::p50).reversed());
        ArrayNode a = Kit.JSON.createArrayNode();
        for (Src f : found.subList(0, Math.min(MODEL_SOURCES_MAX, found.size()))) {
            Row r = f.row();
            ObjectNode x = a.addObject();
            x.put("block", r.block());
            x.put("event", r.name());
            x.put("instruction_id", r.instructionId());
            num(x, "p50_ms", f.p50());
            x.put("backend", r.backend());
            x.set("op_types", strings(r.opTypes()));
            Set<String> modules = new LinkedHashSet<>(), lines = new LinkedHashSet<>();
            for (GraphNode n : r.nodes().values()) {
                if (n.modules() != null && !n.modules().isEmpty()) {
                    ModuleFrame leaf = n.modules().get(n.modules().size() - 1);
                    String type = leaf.type().substring(leaf.type().lastIndexOf('.') + 1);
                    modules.add(leaf.path().isEmpty() ? type : leaf.path() + " (" + type + ")");
                }
                String line = sourceLine(n.stackTrace());
                if (line != null) lines.add(line);
            }
            x.set("modules", strings(modules));
            x.set("source_lines", strings(lines));
        }
        return a;
    }

    static ObjectNode comparisonJson(Comparison c) {
        ObjectNode o = Kit.object();
        o.put("label", c.label());
        o.put("baseline", c.baseline());
        o.put("candidate", c.candidate());
        num(o, "baseline_median_ms", c.baselineMedian());
        num(o, "candidate_median_ms", c.candidateMedian());
        num(o, "speedup_median", c.speedup());
        num(o, "ci95_low", c.ci() == null ? null : c.ci().low());
        num(o, "ci95_high", c.ci() == null ? null : c.ci().high());
        if (c.withinNoise() == null) o.putNull("within_noise"); else o.put("within_noise", c.withinNoise());
        o.put("change", c.e2e() == null ? null : c.e2e().change());
        num(o, "noise_floor_ms", c.e2e() == null ? null : c.e2e().floorMs());
        o.put("verdict", c.verdict());
        o.put("bootstrap_resamples", BOOTSTRAP_RESAMPLES);
        o.put("bootstrap_seed", BOOTSTRAP_SEED);
        ObjectNode mb = o.putObject("category_ms_before"), ma = o.putObject("category_ms_after"), md = o.putObject("category_delta_ms");
        ObjectNode sb = o.putObject("category_share_before"), sa = o.putObject("category_share_after");
        for (int i = 0; i < CATEGORIES.size(); i++) {
            String k = CATEGORIES.get(i);
            num(mb, k, c.before()[i]);
            num(ma, k, c.after()[i]);
            num(md, k, c.after()[i] - c.before()[i]);
            if (i < OP_CATEGORIES) { num(sb, k, c.shareBefore()[i]); num(sa, k, c.shareAfter()[i]); }
        }
        ObjectNode cc = o.putObject("category_changes");
        for (int i = 0; i < CATEGORIES.size(); i++) judgementJson(cc.putObject(CATEGORIES.get(i)), c.categoryJudgements()[i]);
        ArrayNode deltas = o.putArray("operator_deltas");
        for (OpDelta d : c.operatorDeltas()) {
            ObjectNode x = deltas.addObject();
            x.put("name", d.name());
            x.put("category", d.category());
            num(x, "before_ms", d.beforeMs());
            num(x, "after_ms", d.afterMs());
            num(x, "delta_ms", d.deltaMs());
            num(x, "speedup", d.speedup());
            judgementJson(x, d.judgement());
        }
        return o;
    }

    /** A judged change: 95% CI of the ratio (null when it cannot be computed), the noise floor and the noise rule's word. */
    static void judgementJson(ObjectNode o, Judgement j) {
        num(o, "ci95_low", j.ci() == null ? null : j.ci().low());
        num(o, "ci95_high", j.ci() == null ? null : j.ci().high());
        num(o, "noise_floor_ms", j.floorMs());
        o.put("change", j.change());
    }

    /** Puts a number, or null for null, NaN and infinities (absent things are null in the summary). */
    static void num(ObjectNode o, String k, Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) o.putNull(k);
        else o.put(k, v.doubleValue());
    }

    // =====================================================================================================================
    // Outputs: CSV files
    // =====================================================================================================================

    /**
     * Inspector.to_dataframe's columns in its order. Lists are Python reprs; stack_traces and module_hierarchy (dicts
     * keyed by graph node name) are compact text: "node_: frame > frame | node_: ..." with a frame "file:line in
     * function", and "node_: (root type) > path (type) > ...", empty for {}; see compactStackTraces / compactModules.
     */
    static final String INSPECTOR_HEADER = "event_block_name,event_name,raw,p10 (ms),p50 (ms),p90 (ms),avg (ms),min (ms),max (ms),"
            + "op_types,delegate_debug_identifier,stack_traces,module_hierarchy,is_delegated_op,delegate_backend_name,debug_data,start_time";

    /** Inspector's table (to_dataframe columns, OPERATOR_CALL rows kept); a trailing experiment column with several experiments. */
    static String inspectorCsv(List<Experiment> exps) {
        java.io.StringWriter w = new java.io.StringWriter();
        try {
            inspectorCsv(exps, w);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return w.toString();
    }

    /** inspectorCsv written as it is made, a few rows at a time (30,000 runs make 34 MB that need not be in memory at once). */
    static void inspectorCsv(List<Experiment> exps, java.io.Writer out) throws IOException {
        boolean many = exps.stream().filter(e -> e.blocks() != null).count() > 1;
        StringBuilder sb = new StringBuilder(INSPECTOR_HEADER).append(many ? ",experiment\n" : "\n");
        for (Experiment e : exps) {
            if (e.blocks() == null) continue;
            for (Block b : e.blocks()) for (Row r : b.rows()) {
                Perf p = r.perf();
                List<Object> cells = new ArrayList<>(List.of(r.block(), r.name()));
                cells.add(pyFloats(r.raw()));
                if (p == null) cells.addAll(Arrays.asList(null, null, null, null, null, null));
                else cells.addAll(List.of(py(p.p10()), py(p.p50()), py(p.p90()), py(p.avg()), py(p.min()), py(p.max())));
                cells.add(pyList(r.opTypes()));
                cells.add(r.delegateId() == null ? null : String.valueOf(r.delegateId()));
                cells.add(compactStackTraces(r.nodes()));
                cells.add(compactModules(r.nodes()));
                cells.add(r.delegated() == null ? null : (r.delegated() ? "True" : "False"));
                cells.add(r.backend());
                cells.add(pyValues(r.debugData()));
                cells.add(r.startTimes() == null ? null : pyLongs(r.startTimes()));
                if (many) cells.add(e.in().label());
                csvLine(sb, cells);
                if (sb.length() >= 1 << 16) { out.append(sb); sb.setLength(0); }
            }
        }
        out.append(sb);
    }

    /** A Python list of floats (Inspector's raw), or null. */
    static String pyFloats(double[] v) {
        if (v == null) return null;
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(py(v[i]));
        return sb.append(']').toString();
    }

    /** A Python list of the unsigned 64-bit ticks (Inspector's start_time). */
    static String pyLongs(long[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(Long.toUnsignedString(v[i]));
        return sb.append(']').toString();
    }

    /** Inspector's debug_data: ints, bools and floats as Python prints them; tensors (which need the debug buffer) as tensor(sizes, scalar type). */
    static String pyValues(List<Value> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            Value v = values.get(i);
            Object d = v == null ? null : v.data();
            sb.append(i > 0 ? ", " : "").append(d == null ? "None" : d instanceof Boolean b ? (b ? "True" : "False")
                    : d instanceof Double x ? py(x) : d instanceof Float f ? py(f.doubleValue())
                    : d instanceof Tensor t ? "tensor(" + Arrays.toString(t.sizes()) + ", scalar_type=" + t.scalarType() + ")" : String.valueOf(d));
        }
        return sb.append(']').toString();
    }

    /** Inspector's stack_traces {node_: trace} as one line: "node_: file:line in function > ... | node_: ..."; null for {}. */
    static String compactStackTraces(Map<String, GraphNode> nodes) {
        if (nodes == null || nodes.isEmpty()) return null;
        List<String> r = new ArrayList<>();
        nodes.forEach((name, n) -> r.add(name + ": " + compactTrace(n.stackTrace())));
        return String.join(" | ", r);
    }

    static final Pattern TRACE_FRAME = Pattern.compile("File \"([^\"]*)\", line (\\d+), in (\\S+)");

    /** A Python stack trace's frames "file:line in function", outermost first, joined by " > " (code lines dropped); "None" when absent. */
    static String compactTrace(String trace) {
        if (trace == null) return "None";
        List<String> frames = new ArrayList<>();
        Matcher m = TRACE_FRAME.matcher(trace);
        while (m.find()) frames.add(m.group(1) + ":" + m.group(2) + " in " + m.group(3));
        return frames.isEmpty() ? trace.strip().replaceAll("\\s+", " ") : String.join(" > ", frames);
    }

    /** The source line a node comes from: the innermost frame outside torch's own modules, else the innermost. */
    static String sourceLine(String trace) {
        if (trace == null) return null;
        List<String> frames = new ArrayList<>();
        Matcher m = TRACE_FRAME.matcher(trace);
        while (m.find()) if (!m.group(1).replace('\\', '/').contains("/torch/")) frames.add(m.group(1) + ":" + m.group(2) + " in " + m.group(3));
        if (!frames.isEmpty()) return frames.get(frames.size() - 1);
        String all = compactTrace(trace);
        return all.contains(" > ") ? all.substring(all.lastIndexOf(" > ") + 3) : all;
    }

    /** Inspector's module_hierarchy {node_: nn_module_stack} as one line: "node_: (root type) > path (type) | ..."; null for {}. */
    static String compactModules(Map<String, GraphNode> nodes) {
        if (nodes == null || nodes.isEmpty()) return null;
        List<String> r = new ArrayList<>();
        nodes.forEach((name, n) -> r.add(name + ": " + (n.modules() == null ? "None" : moduleChain(n.modules()))));
        return String.join(" | ", r);
    }

    static String moduleChain(List<ModuleFrame> frames) {
        List<String> r = new ArrayList<>();
        for (ModuleFrame f : frames) r.add(f.path().isEmpty() ? "(" + f.type() + ")" : f.path() + " (" + f.type() + ")");
        return String.join(" > ", r);
    }

    static String operatorsCsv(List<Experiment> exps) {
        StringBuilder sb = new StringBuilder("experiment,name,kind,category,count_per_run,mean_ms_per_run,share_of_delegate,share_of_e2e\n");
        for (Experiment e : exps) {
            if (e.an() == null) continue;
            for (OpStat o : e.an().operators())
                csvLine(sb, Arrays.asList(e.in().label(), o.name(), o.kind(), o.category(), py(o.countPerRun()), py(o.meanMsPerRun()),
                        pyOrNull(o.shareOfDelegate()), pyOrNull(o.shareOfE2e())));
        }
        return sb.toString();
    }

    static String categoriesCsv(List<Experiment> exps) {
        StringBuilder sb = new StringBuilder("experiment,category,mean_ms_per_run,share_of_operator_ms,share_of_e2e\n");
        for (Experiment e : exps) {
            Analysis an = e.an();
            if (an == null) continue;
            double e2e = an.e2e() == null ? 0 : an.e2e().mean();
            for (int i = 0; i < CATEGORIES.size(); i++)
                csvLine(sb, Arrays.asList(e.in().label(), CATEGORIES.get(i), py(an.categoriesMs()[i]),
                        i < OP_CATEGORIES ? pyOrNull(an.categoryShare(i)) : null, e2e > 0 ? py(an.categoriesMs()[i] / e2e) : null));
        }
        return sb.toString();
    }

    static String kernelsCsv(List<Experiment> exps) {
        StringBuilder sb = new StringBuilder("experiment,category,name,isa,count,sme2,log\n");
        for (Experiment e : exps) {
            if (e.klog() == null) continue;
            for (Kernel k : e.klog().kernels())
                csvLine(sb, Arrays.asList(e.in().label(), k.category(), k.name(), k.isa(), Integer.toString(k.count()),
                        Boolean.toString(k.sme2()), e.klog().file()));
        }
        return sb.toString();
    }

    static String comparisonCsv(List<Comparison> comps) {
        StringBuilder sb = new StringBuilder("comparison,baseline,candidate,row,name,category,before_ms,after_ms,delta_ms,speedup,"
                + "ci95_low,ci95_high,within_noise,share_before,share_after,change,noise_floor_ms\n");
        for (Comparison c : comps) {
            List<Object> e2e = new ArrayList<>(Arrays.asList(c.label(), c.baseline(), c.candidate(), "e2e_median", "Method::execute", null,
                    pyOrNull(c.baselineMedian()), pyOrNull(c.candidateMedian()),
                    c.baselineMedian() == null || c.candidateMedian() == null ? null : py(c.candidateMedian() - c.baselineMedian()),
                    pyOrNull(c.speedup()), c.ci() == null ? null : py(c.ci().low()), c.ci() == null ? null : py(c.ci().high()),
                    c.withinNoise() == null ? null : c.withinNoise().toString(), null, null));
            e2e.addAll(Arrays.asList(c.e2e() == null ? null : c.e2e().change(), c.e2e() == null ? null : py(c.e2e().floorMs())));
            csvLine(sb, e2e);
            for (int i = 0; i < CATEGORIES.size(); i++) {
                Judgement j = c.categoryJudgements()[i];
                csvLine(sb, Arrays.asList(c.label(), c.baseline(), c.candidate(), "category", CATEGORIES.get(i), CATEGORIES.get(i),
                        py(c.before()[i]), py(c.after()[i]), py(c.after()[i] - c.before()[i]),
                        c.after()[i] > 0 ? py(c.before()[i] / c.after()[i]) : null, ciCell(j, true), ciCell(j, false),
                        String.valueOf(j.change().equals(NO_CHANGE)),
                        i < OP_CATEGORIES ? pyOrNull(c.shareBefore()[i]) : null, i < OP_CATEGORIES ? pyOrNull(c.shareAfter()[i]) : null,
                        j.change(), py(j.floorMs())));
            }
            for (OpDelta d : c.operatorDeltas())
                csvLine(sb, Arrays.asList(c.label(), c.baseline(), c.candidate(), "operator", d.name(), d.category(), py(d.beforeMs()),
                        py(d.afterMs()), py(d.deltaMs()), pyOrNull(d.speedup()), ciCell(d.judgement(), true), ciCell(d.judgement(), false),
                        String.valueOf(d.judgement().change().equals(NO_CHANGE)), null, null, d.judgement().change(), py(d.judgement().floorMs())));
        }
        return sb.toString();
    }

    private static String ciCell(Judgement j, boolean low) {
        if (j.ci() == null) return null;
        double v = low ? j.ci().low() : j.ci().high();
        return Double.isFinite(v) ? py(v) : null;
    }

    /** cold_start.csv: per experiment, the cold start kept apart from the steady-state statistics. */
    static String coldStartCsv(List<Experiment> exps) {
        StringBuilder sb = new StringBuilder("experiment,threads,first_execution_ms,load_ms,load_method_ms,method_init_ms,warmup_skipped,"
                + "warmup_ms,steady_median_ms,first_vs_steady_median\n");
        for (Experiment e : exps) {
            Analysis an = e.an();
            if (an == null) continue;
            ColdStart c = an.coldStart();
            List<String> warm = new ArrayList<>();
            for (double v : c.warmupMs()) warm.add(py(v));
            csvLine(sb, Arrays.asList(e.in().label(), e.in().threads() == null ? null : e.in().threads().toString(),
                    pyOrNull(c.firstExecutionMs()), pyOrNull(c.loadMs()), pyOrNull(c.loadMethodMs()), pyOrNull(c.methodInitMs()),
                    String.valueOf(c.warmupMs().length), String.join(" ", warm), pyOrNull(steadyMedian(an)),
                    pyOrNull(firstVsSteady(an))));
        }
        return sb.toString();
    }

    static void csvLine(StringBuilder sb, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) sb.append(',');
            Object c = cells.get(i);
            if (c == null) continue;
            String s = c.toString();
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0)
                sb.append('"').append(s.replace("\"", "\"\"")).append('"');
            else sb.append(s);
        }
        sb.append('\n');
    }

    static String pyOrNull(Double d) { return d == null ? null : py(d); }

    /** Python's repr of a float: the shortest digits that read back exactly; scientific below 1e-4 and from 1e16. */
    static String py(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
        long[] fast = ShortestDigits.of(d);
        if (fast != null) return pyFormat(d < 0, fast[0], (int) fast[1]);
        BigDecimal bd = pyExactDigits(d).stripTrailingZeros();
        return pyFormat(d < 0, bd.unscaledValue().abs().longValueExact(), bd.scale());
    }

    /** py's digits the slow, obviously exact way (the reference ShortestDigits is tested against): for p = 1..17, d rounded half-even to p digits, the first that reads back as d. */
    static BigDecimal pyExactDigits(double d) {
        BigDecimal bd = null;
        BigDecimal exact = new BigDecimal(d);
        for (int p = 1; p <= 17; p++) {
            bd = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (bd.doubleValue() == d) break;
        }
        return bd;
    }

    /**
     * pyExactDigits(d) in long arithmetic, for the ETDump's millions of durations: the same search over p = 1..17, with
     * d = m * 2^q rounded half-even to p digits exactly (an integer quotient and remainder) and "reads back as d" tested
     * as "lies inside d's rounding interval, its ends only when m is even" (what a correctly rounded parse does).
     * Returns null where the numbers do not fit in 64 bits (subnormals, huge or tiny values) or d's rounding interval is
     * not symmetric (a power of two); py then takes the exact path.
     */
    static final class ShortestDigits {
        private static final long[] POW5 = new long[28];
        static { POW5[0] = 1; for (int i = 1; i < POW5.length; i++) POW5[i] = POW5[i - 1] * 5; }

        /** {n, s}: |d|'s shortest digits n * 10^-s, or null (the exact path). */
        static long[] of(double d) {
            long bits = Double.doubleToRawLongBits(d) & Long.MAX_VALUE;
            int be = (int) (bits >>> 52);
            long frac = bits & ((1L << 52) - 1);
            if (be == 0 || be == 0x7ff || frac == 0) return null;
            long m = frac | (1L << 52);
            int q = be - 1075;                                         // |d| = m * 2^q
            int k = (int) Math.floor(Math.log10(Math.abs(d)));         // 10^k <= |d| < 10^(k+1), checked below
            long first = roundTo(m, q, -k, FLOOR);
            if (first < 1 || first > 9) return null;                  // off near a power of ten, or too large: the exact path
            // the first p that reads back, found by bisection: with d's rounding interval symmetric (frac != 0), once
            // p digits read back so do p + 1 (the nearest (p+1)-digit value is at least as near as the nearest p-digit one)
            long[] found = null;
            for (int lo = 1, hi = 17; lo <= hi; ) {
                int p = (lo + hi) >>> 1, s = p - 1 - k;                // the p-digit value is n * 10^-s
                long n = roundTo(m, q, s, ROUND_IF_EXACT);
                if (n == NO_FIT) return null;
                if (n >= 0) { found = new long[]{n, s}; hi = p - 1; }
                else lo = p + 1;
            }
            return found;
        }

        private static final int FLOOR = 0, ROUND_IF_EXACT = 1;
        private static final long NO_FIT = Long.MIN_VALUE;

        /**
         * m * 2^q * 10^s as an integer: FLOOR its integer part; ROUND_IF_EXACT rounded half-even to n, and n when n * 10^-s
         * reads back as m * 2^q (lies in its rounding interval, the ends only when m is even), else -1. NO_FIT when the
         * numbers do not fit in 64 bits.
         */
        private static long roundTo(long m, int q, int s, int mode) {
            long n, rem, den, p5;
            if (s >= 0) {                                              // m * 5^s / 2^sh
                if (s >= POW5.length) return NO_FIT;
                p5 = POW5[s];
                long hi = Math.multiplyHigh(m, p5), lo = m * p5;       // 128-bit product (both factors < 2^63)
                int sh = -(q + s);
                if (sh <= 0 || sh > 62 || (hi >>> sh) != 0) return NO_FIT;
                n = (hi << (64 - sh)) | (lo >>> sh);
                if (n < 0) return NO_FIT;
                rem = lo & ((1L << sh) - 1);
                den = 1L << sh;
            } else {                                                   // m / (5^u * 2^sh)
                int u = -s, sh = u - q;
                if (u >= POW5.length || q >= 0 || sh > 62 || Long.numberOfLeadingZeros(POW5[u]) <= sh + 1) return NO_FIT;
                p5 = 0;
                den = POW5[u] << sh;
                n = m / den;
                rem = m % den;
            }
            if (mode == FLOOR) return n;
            boolean up = rem > den - rem || (rem == den - rem && (n & 1) == 1);
            long r = up ? n + 1 : n, delta = up ? den - rem : rem;   // delta = |r - value| * den
            // inside the rounding interval: |r - value| <= 2^(q-1) * 10^s; times den that is 5^s / 2 (s >= 0) or 1/2 (s < 0)
            long twice = 2 * delta, limit = s >= 0 ? p5 : 1;
            boolean even = (m & 1) == 0;
            return twice < limit || (twice == limit && even) ? r : -1;
        }
    }

    /** Python's repr layout of the digits n * 10^-scale (n > 0). */
    private static String pyFormat(boolean negative, long n, int scale) {
        while (n % 10 == 0) { n /= 10; scale--; }
        String digits = Long.toString(n);
        int len = digits.length(), exp = len - 1 - scale;
        StringBuilder sb = new StringBuilder(24);
        if (negative) sb.append('-');
        if (exp >= -4 && exp < 16) {
            if (scale <= 0) { sb.append(digits); for (int i = 0; i < -scale; i++) sb.append('0'); return sb.append(".0").toString(); }
            if (scale >= len) { sb.append("0."); for (int i = 0; i < scale - len; i++) sb.append('0'); return sb.append(digits).toString(); }
            return sb.append(digits, 0, len - scale).append('.').append(digits, len - scale, len).toString();
        }
        sb.append(digits.charAt(0));
        if (len > 1) sb.append('.').append(digits, 1, len);
        return sb.append('e').append(exp < 0 ? '-' : '+').append(Math.abs(exp) < 10 ? "0" : "").append(Math.abs(exp)).toString();
    }

    /** Inspector's op_types cell: a Python list repr, or "['a', 'b' ... 'z'] (N total)" from 5 entries on. */
    static String pyList(List<String> l) {
        if (l.size() >= 5) return "['" + l.get(0) + "', '" + l.get(1) + "' ... '" + l.get(l.size() - 1) + "'] (" + l.size() + " total)";
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) sb.append(", ");
            String s = l.get(i);
            if (s.contains("'") && !s.contains("\"")) sb.append('"').append(s).append('"');
            else sb.append('\'').append(s.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        }
        return sb.append(']').toString();
    }

    // =====================================================================================================================
    // Outputs: trace.json (Chrome trace-event format; Perfetto UI opens it)
    // =====================================================================================================================

    /**
     * One process per experiment (pid = its position + 1, named by its label) and one thread per RunData block
     * (tid = the block's index: 0 = Default/load, then one per execution). Complete events ("ph":"X") with ts/dur in
     * microseconds since the ETDump's first timestamp; events that share a start are ordered longest first, so the
     * viewer nests them as they ran.
     */
    static byte[] traceJson(List<Experiment> exps, int traceRuns) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (JsonGenerator g = Kit.JSON.getFactory().createGenerator(bos)) {
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ms");
            g.writeArrayFieldStart("traceEvents");
            for (int i = 0; i < exps.size(); i++) if (exps.get(i).dump() != null) traceExperiment(g, exps.get(i), i + 1, traceRuns);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    private static void traceExperiment(JsonGenerator g, Experiment e, int pid, int traceRuns) throws IOException {
        metadata(g, "process_name", pid, 0, e.in().label());
        long t0 = firstTimestamp(e.dump());
        Map<String, OpKernel> kernels = kernelsByEvent(e);
        Set<Integer> used = e.an() == null ? Set.of() : new HashSet<>(e.an().usedRuns());
        int executions = 0;
        for (int r = 0; r < e.dump().runs().size(); r++) {
            RunData run = e.dump().runs().get(r);
            if (run.events() == null) continue;
            boolean exec = run.name().equals("Execute");
            if (exec && traceRuns > 0 && executions >= traceRuns) continue;
            if (exec) executions++;
            String name = exec ? "run " + executions + (used.contains(r) ? "" : " (skipped)") : run.name();
            metadata(g, "thread_name", pid, r, name);
            List<TraceEvent> ps = new ArrayList<>();
            for (Ev ev : run.events())
                if (ev instanceof Profile p) ps.add(new TraceEvent(p, p.start() - t0, durationMs(e.dump().file(), p, p.delegated())));
            ps.sort(Comparator.comparingLong(TraceEvent::start).thenComparing(Comparator.comparingDouble(TraceEvent::ms).reversed()));
            for (TraceEvent x : ps) traceEvent(g, x, pid, r, t0, kernels);
        }
    }

    /** A profile event with its sort keys: start relative to the first event, duration in ms (outermost first on ties). */
    private record TraceEvent(Profile p, long start, double ms) {}

    private static void metadata(JsonGenerator g, String kind, int pid, int tid, String name) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", kind);
        g.writeStringField("ph", "M");
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeStringField("name", name);
        g.writeEndObject();
        g.writeEndObject();
    }

    /** The attributed kernel of each XNNPACK event name of an experiment (empty without a per-operator kernel log). */
    static Map<String, OpKernel> kernelsByEvent(Experiment e) {
        Attribution at = attribution(e);
        Map<String, OpKernel> m = new HashMap<>();
        if (at != null) for (OpKernel k : at.operators()) if (k.event() != null) m.put(k.event(), k);
        return m;
    }

    private static void traceEvent(JsonGenerator g, TraceEvent x, int pid, int tid, long t0, Map<String, OpKernel> kernels) throws IOException {
        Profile p = x.p();
        boolean delegated = p.delegated();
        String name = p.inspectorName();
        String cat = delegated ? category(operatorType(name), "xnnpack")
                : name.startsWith("native_call_") ? category(name, "portable") : "framework";
        g.writeStartObject();
        g.writeStringField("name", name.isEmpty() ? "(unnamed)" : name);
        g.writeStringField("cat", cat);
        g.writeStringField("ph", "X");
        g.writeNumberField("ts", udouble(p.start() - t0) / 1000.0);
        g.writeNumberField("dur", Long.compareUnsigned(p.end(), p.start()) >= 0 ? udouble(p.end() - p.start()) / 1000.0
                : x.ms() * 1000.0);
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeNumberField("instruction_id", p.instructionId());
        if (delegated) g.writeStringField("delegate_debug_identifier", name);
        OpKernel k = delegated ? kernels.get(name) : null;
        if (k != null) {
            g.writeStringField("kernel", kernelText(k));
            if (k.isa() != null) g.writeStringField("kernel_isa", k.isa());
            g.writeStringField("sme2", k.sme2());
            if (k.tile() != null) g.writeStringField("tile", k.tile().mr() + "x" + k.tile().nr());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static long firstTimestamp(Etdump d) {
        long min = -1;
        for (RunData r : d.runs()) if (r.events() != null) for (Ev e : r.events())
            if (e instanceof Profile p && Long.compareUnsigned(p.start(), min) < 0) min = p.start();
        return min == -1 ? 0 : min;
    }

    // =====================================================================================================================
    // CLI: what to read (run folder or single files), then analyse, compare and write
    // =====================================================================================================================

    record Pair(String baseline, String candidate, String label) {}

    /** skipRuns: --skip-runs, null for the default (each input's warmupInProcess, else 0; see skipFor). */
    record Job(Path runDir, JsonNode manifest, List<Input> inputs, Path pte, Path etrecord, List<Pair> pairs, Path out,
               Integer skipRuns, List<Map<String, Object>> skipped, List<String> warnings) {
        int skipFor(Input in) {
            return skipRuns != null ? skipRuns : in.warmupInProcess() != null ? in.warmupInProcess() : 0;
        }

        /** Where skipFor's value comes from when it is the manifest's (for an error that names it), else null (--skip-runs). */
        String skipFrom(Input in) {
            if (skipRuns != null || in.warmupInProcess() == null) return null;
            return (runDir == null ? "the manifest" : runDir.resolve("manifest.json").toString()) + ": warmup_in_process "
                    + in.warmupInProcess() + " of " + in.label();
        }
    }

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        checkOptions();
        Job job = runDir != null ? runDirJob() : filesJob();
        if (dryRun) return printPlan(job);
        if (job.inputs().isEmpty())
            throw Kit.UserError.failed(job.runDir() + ": no result with status ok to analyse (" + job.skipped().size() + " skipped)",
                    "see each result's status and reason in manifest.json and re-run the pipeline");
        List<Experiment> exps = analyseAll(job);   // silent until everything is read: a bad file gives only the error
        List<Comparison> comps = comparisons(job, exps);
        ObjectNode summary = summaryJson(job, exps, comps, top, traceRuns);
        boolean coldInside = exps.stream().anyMatch(e -> e.an() != null && !"xnntrace".equals(e.in().mode()) && coldOutlierInside(e.an()));
        summary.put("cold_start_rerun", coldInside ? rerunCommand(1) : null);
        Report.Model report = Report.model(summary);   // read once: for the insights, then (with them) for the report files
        summary.putArray("insights").addAll(Report.insights(report));
        writeOutputs(job.out(), summary, report, exps, comps);
        if (json) io.data(summary);
        else printSummary(job, exps, comps);
        return Kit.OK;
    }

    private void checkOptions() {
        if (runDir != null && (!etdumps.isEmpty() || !kernelLogs.isEmpty() || !labels.isEmpty()))
            throw Kit.UserError.badInput("--run-dir cannot be combined with --etdump, --label or --kernel-log",
                    "analyse a run folder with --run-dir DIR, or single files with --etdump FILE [--kernel-log FILE]");
        if (runDir == null && etdumps.isEmpty() && kernelLogs.isEmpty())
            throw Kit.UserError.badInput("nothing to analyse: give --run-dir DIR, --etdump FILE or --kernel-log FILE",
                    "see the examples with --help");
        if (!labels.isEmpty() && labels.size() != etdumps.size())
            throw Kit.UserError.badInput(labels.size() + " --label for " + etdumps.size() + " --etdump", "give one --label per --etdump, in the same order, or none");
        if (!etdumps.isEmpty() && !kernelLogs.isEmpty() && kernelLogs.size() != etdumps.size())
            throw Kit.UserError.badInput(kernelLogs.size() + " --kernel-log for " + etdumps.size() + " --etdump",
                    "give one --kernel-log per --etdump, in the same order (or only --kernel-log for kernel evidence alone)");
        if (out != null && Files.exists(out) && !Files.isDirectory(out))
            throw Kit.UserError.badInput("--out " + out + ": is a file, not a folder", "pass a folder for the report (it is created if missing)");
        if (out != null && Kit.outputRootProblem(out) != null)
            throw Kit.UserError.badInput("--out: " + Kit.outputRootProblem(out).replaceFirst("^output_root ", ""), "pass a folder you can write to");
        if (skipRuns != null && skipRuns < 0) throw Kit.UserError.badInput("--skip-runs " + skipRuns + ": must be 0 or more", "use --skip-runs 0 to keep every run");
        if (top < 1) throw Kit.UserError.badInput("--top " + top + ": must be 1 or more", "use --top 10");
        if (traceRuns < 0) throw Kit.UserError.badInput("--trace-runs " + traceRuns + ": must be 0 (all) or more", "use --trace-runs 100");
    }

    private Job filesJob() {
        List<Input> inputs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int n = Math.max(etdumps.size(), kernelLogs.size());
        for (int i = 0; i < n; i++) {
            Path dump = etdumps.isEmpty() ? null : etdumps.get(i).toAbsolutePath().normalize();
            Path log = kernelLogs.isEmpty() ? null : kernelLogs.get(i).toAbsolutePath().normalize();
            String label = !labels.isEmpty() ? labels.get(i) : stem(dump != null ? dump : log);
            String unique = label;
            for (int k = 2; !seen.add(unique); k++) unique = label + "-" + k;
            inputs.add(new Input(unique, unique, null, null, dump, log, null));
        }
        List<Pair> pairs = explicitPairs(inputs);
        if (pairs.isEmpty()) pairs = autoPairs(inputs);
        Path o = out != null ? out : Path.of("analysis");
        return new Job(null, null, List.copyOf(inputs), abs(pte), abs(etrecord), pairs, o.toAbsolutePath().normalize(), skipRuns,
                List.of(), new ArrayList<>());
    }

    static Path abs(Path p) { return p == null ? null : p.toAbsolutePath().normalize(); }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private Job runDirJob() {
        Path dir = runDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw Kit.UserError.badInput(dir + ": folder not found", "pass the run folder a pipeline wrote");
        Path mf = dir.resolve("manifest.json");
        if (!Files.isRegularFile(mf))
            throw Kit.UserError.badInput(dir + ": no manifest.json: not a pipeline run folder",
                    "pass the folder a pipeline wrote (it holds manifest.json), or single files with --etdump FILE");
        JsonNode m = Kit.readJson(mf);
        if (!m.path("results").isArray()) throw Kit.UserError.badInput(mf + ": $.results: missing or not a list", "re-run the pipeline");
        List<String> warnings = new ArrayList<>();
        String status = m.path("status").asText("");
        if (!status.equals("ok")) warnings.add("the run's status is \"" + status + "\": some results may be missing");
        List<Map<String, Object>> skipped = new ArrayList<>();
        List<Input> inputs = new ArrayList<>();
        JsonNode results = m.get("results");
        for (int i = 0; i < results.size(); i++) {
            Input in = runDirInput(dir, m, results.get(i), i, skipped, mf);
            if (in != null) inputs.add(in);
        }
        Path model = pte != null ? abs(pte) : m.hasNonNull("model") && m.get("model").asText().indexOf('\0') < 0
                ? dir.resolve(m.get("model").asText()).normalize() : null;
        if (pte == null && model != null && !Files.isRegularFile(model)) {
            warnings.add("the model " + model + " named in manifest.json is absent: no program view");
            model = null;
        }
        Path rec = etrecord != null ? abs(etrecord) : model == null ? null : model.resolveSibling(stem(model) + ".etrecord");
        if (etrecord == null && rec != null && !Files.isRegularFile(rec)) rec = null;
        List<Pair> pairs = explicitPairs(inputs);
        if (pairs.isEmpty()) pairs = configPairs(dir, inputs, warnings);
        if (pairs.isEmpty()) pairs = autoPairs(inputs);
        Path o = out != null ? out.toAbsolutePath().normalize() : dir.resolve("analysis");
        return new Job(dir, m, List.copyOf(inputs), model, rec, pairs, o, skipRuns, skipped, warnings);
    }

    private static Input runDirInput(Path dir, JsonNode m, JsonNode r, int i, List<Map<String, Object>> skipped, Path mf) {
        String exp = r.path("experiment").asText("");
        Integer threads = r.path("threads").isIntegralNumber() ? r.get("threads").asInt() : null;
        String label = exp + "/t" + (threads == null ? "?" : threads);
        String status = r.path("status").asText("");
        if (!status.equals("ok")) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("label", label);
            s.put("status", status);
            s.put("reason", r.path("reason").isNull() ? null : r.path("reason").asText(null));
            skipped.add(s);
            return null;
        }
        JsonNode met = r.path("metrics");
        String rel = met.hasNonNull("etdump_rel") ? met.get("etdump_rel").asText() : met.path("etdump").asText(null);
        if (rel == null) throw Kit.UserError.badInput(mf + ": $.results[" + i + "].metrics.etdump_rel: missing for " + label, "re-run the pipeline");
        Path dump = confined(dir, mf, "$.results[" + i + "].metrics." + (met.hasNonNull("etdump_rel") ? "etdump_rel" : "etdump"), rel);
        if (!Files.isRegularFile(dump))
            throw Kit.UserError.badInput(dump + ": file not found (the ETDump of " + label + " named in " + mf + ")",
                    "restore the file, or re-run the pipeline");
        Path log = met.hasNonNull("xnntrace_log_rel")
                ? confined(dir, mf, "$.results[" + i + "].metrics.xnntrace_log_rel", met.get("xnntrace_log_rel").asText()) : null;
        if (log != null && !Files.isRegularFile(log)) log = null;
        JsonNode runner = m.path("runners").path(exp);
        String variant = runner.path("build").path("variant").asText(null);
        if (variant == null && runner.hasNonNull("path") && runner.get("path").asText().indexOf('\0') < 0) {
            Path parent = Path.of(runner.get("path").asText()).getParent();
            variant = parent == null ? null : parent.getFileName().toString();
        }
        JsonNode w = met.path("warmup_in_process");   // absent in run folders from before the in-process warm-up: skip 0
        return new Input(label, exp, threads, r.path("mode").asText(null), dump, log, variant,
                w.isIntegralNumber() && w.asInt() >= 0 ? w.asInt() : null);
    }

    /**
     * A manifest path to read, under ValidateResults' rule (Kit.inside): inside the run folder, no "..", no symbolic link
     * leading outside. An absolute path is accepted only when it names a file inside the folder (older manifests' "etdump").
     */
    static Path confined(Path dir, Path mf, String field, String rel) {
        String r = rel;
        if (rel.startsWith("/") && rel.indexOf('\0') < 0 && Path.of(rel).normalize().startsWith(dir)) r = dir.relativize(Path.of(rel).normalize()).toString();
        Kit.Inside in = Kit.inside(dir, r);
        if (in.why() != null) throw Kit.UserError.badInput(mf + ": " + field + ": " + in.why() + "; nothing outside the run folder is read",
                "restore this run folder's manifest.json (a pipeline writes paths inside it), or re-run the pipeline");
        return in.path();
    }

    private List<Pair> explicitPairs(List<Input> inputs) {
        List<Pair> pairs = new ArrayList<>();
        Set<String> labelsKnown = new HashSet<>();
        inputs.forEach(i -> labelsKnown.add(i.label()));
        for (int i = 0; i + 1 < compare.size(); i += 2) {
            for (String l : List.of(compare.get(i), compare.get(i + 1)))
                if (!labelsKnown.contains(l))
                    throw Kit.UserError.badInput("--compare " + l + ": no experiment has this label (labels: " + Kit.some(labelsKnown, Kit.MESSAGE_LIST_MAX) + ")",
                            "use the labels shown by --dry-run");
            pairs.add(new Pair(compare.get(i), compare.get(i + 1), compare.get(i + 1) + " vs " + compare.get(i)));
        }
        return pairs;
    }

    private static List<Pair> configPairs(Path dir, List<Input> inputs, List<String> warnings) {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) return List.of();
        Set<String> known = new HashSet<>();
        inputs.forEach(i -> known.add(i.label()));
        List<Pair> pairs = new ArrayList<>();
        for (JsonNode p : Kit.readJson(cfg).path("analysis").path("compare_pairs")) {
            String b = p.path("baseline").path("experiment").asText() + "/t" + p.path("baseline").path("threads").asInt(1);
            String c = p.path("candidate").path("experiment").asText() + "/t" + p.path("candidate").path("threads").asInt(1);
            if (!known.contains(b) || !known.contains(c)) {
                warnings.add("compare pair " + b + " -> " + c + " of config.json skipped: " + (!known.contains(b) ? b : c) + " was not analysed");
                continue;
            }
            pairs.add(new Pair(b, c, p.hasNonNull("label") ? p.get("label").asText() : c + " vs " + b));
        }
        return pairs;
    }

    /** Without explicit pairs: every "...sme2_off..." experiment against its "...sme2_on..." twin with the same threads. */
    static List<Pair> autoPairs(List<Input> inputs) {
        List<Pair> pairs = new ArrayList<>();
        Pattern off = Pattern.compile("(?i)sme2([_-])off");
        for (Input b : inputs) {
            Matcher mm = off.matcher(b.experiment());
            if (!mm.find()) continue;
            String twin = mm.replaceFirst("sme2$1on");
            for (Input c : inputs)
                if (c.experiment().equalsIgnoreCase(twin) && java.util.Objects.equals(b.threads(), c.threads()))
                    pairs.add(new Pair(b.label(), c.label(), "SME2 on vs off" + (b.threads() == null ? "" : " (" + b.threads()
                            + (b.threads() == 1 ? " thread)" : " threads)"))));
        }
        return pairs;
    }

    private int printPlan(Job job) {
        List<String> reads = new ArrayList<>(), writes = new ArrayList<>();
        if (job.runDir() != null) { reads.add(job.runDir().resolve("manifest.json").toString()); reads.add(job.runDir().resolve("config.json").toString()); }
        for (Input in : job.inputs()) {
            if (in.etdump() != null) reads.add(in.etdump().toString());
            if (in.kernelLog() != null) reads.add(in.kernelLog().toString());
        }
        if (job.pte() != null) reads.add(job.pte().toString());
        if (job.etrecord() != null) reads.add(job.etrecord().toString());
        for (String f : OUTPUT_FILES) writes.add(job.out().resolve(f).toString());
        for (String f : REPORT_FILES) writes.add(job.out().resolve(f).toString());
        if (json) {
            ObjectNode o = Kit.object();
            o.set("reads", strings(reads));
            o.set("writes", strings(writes));
            o.set("experiments", strings(job.inputs().stream().map(Input::label).toList()));
            ArrayNode pairs = o.putArray("comparisons");
            job.pairs().forEach(p -> pairs.addObject().put("baseline", p.baseline()).put("candidate", p.candidate()).put("label", p.label()));
            io.data(o);
        } else {
            for (Input in : job.inputs()) io.out.println("experiment " + in.label());
            for (Pair p : job.pairs()) io.out.println("compare    " + p.baseline() + " -> " + p.candidate() + " (" + p.label() + ")");
            reads.forEach(r -> io.out.println("read       " + r));
            writes.forEach(w -> io.out.println("write      " + w));
        }
        return Kit.OK;
    }

    private List<Experiment> analyseAll(Job job) {
        Program prog = job.pte() == null ? null : readProgram(job.pte());
        EtRecord rec = job.etrecord() == null ? null : readEtRecord(job.etrecord());
        if (rec != null) job.warnings().addAll(rec.warnings());
        List<Experiment> core = new ArrayList<>();
        for (Input in : job.inputs()) {
            Etdump d = in.etdump() == null ? null : readEtdump(in.etdump());
            // the Inspector table and the analysis read the same immutable dump: the table is made on a second core meanwhile
            var table = d == null ? null : new java.util.concurrent.FutureTask<>(() -> inspector(d, rec));
            if (table != null) new Thread(table, "inspector").start();
            Analysis an;
            List<Block> blocks = null;
            try {
                an = d == null ? null : analyse(d, prog, rec, job.skipFor(in), job.skipFrom(in));
            } finally {
                if (table != null) blocks = await(table, "the Inspector table of " + in.etdump());   // its failure first, as it came first
            }
            KernelLog klog = in.kernelLog() == null ? null : readKernelLog(in.kernelLog());
            core.add(new Experiment(in, d, blocks, an, klog, null, null, programView(prog, rec, an)));
        }
        List<Experiment> exps = new ArrayList<>();
        for (Experiment e : core) {
            Experiment donor = e.klog() == null ? kernelLogDonor(e, core) : null;
            KernelLog klog = donor != null ? donor.klog() : e.klog();
            String from = donor != null ? donor.in().label() : null;
            List<String> types = e.an() == null ? List.of() : e.an().operatorTypesSeen();
            exps.add(new Experiment(e.in(), e.dump(), e.blocks(), e.an(), klog, from,
                    sme2EvidenceFrom(klog, donor == null ? "" : borrowedFrom(e.in(), donor.in()), types), e.program()));
        }
        return exps;
    }

    /** A kernel-logging twin of an experiment without a log: its name or runner variant plus an xnnlog/xnntrace suffix. */
    static Experiment kernelLogDonor(Experiment e, List<Experiment> all) {
        Experiment best = null;
        for (Experiment o : all) {
            if (o == e || o.klog() == null) continue;
            boolean twin = isLoggingTwin(e.in().experiment(), o.in().experiment())
                    || (e.in().variant() != null && isLoggingTwin(e.in().variant(), o.in().variant()));
            if (!twin) continue;
            if (best == null || java.util.Objects.equals(o.in().threads(), e.in().threads())) best = o;
        }
        return best;
    }

    static boolean isLoggingTwin(String base, String other) {
        if (base == null || other == null || other.length() <= base.length() || !other.startsWith(base)) return false;
        return other.substring(base.length()).matches("[-_](xnnlog|xnntrace|trace|kernels?)");
    }

    private List<Comparison> comparisons(Job job, List<Experiment> exps) {
        Map<String, Experiment> byLabel = new HashMap<>();
        exps.forEach(e -> byLabel.put(e.in().label(), e));
        List<Comparison> r = new ArrayList<>();
        for (Pair p : job.pairs()) {
            Experiment b = byLabel.get(p.baseline()), c = byLabel.get(p.candidate());
            if (b.an() == null || c.an() == null) { job.warnings().add("comparison " + p.label() + " skipped: an experiment has no ETDump"); continue; }
            r.add(compare(p.label(), p.baseline(), b.an(), p.candidate(), c.an()));
        }
        return r;
    }

    private void writeOutputs(Path dir, ObjectNode summary, Report.Model report, List<Experiment> exps, List<Comparison> comps) {
        io.step("Writing the analysis of " + exps.size() + " experiment" + (exps.size() == 1 ? "" : "s") + " into " + dir);
        if (Files.isRegularFile(dir.resolve("analysis_summary.json"))) io.info("replacing the earlier analysis in " + dir);
        Kit.writeJson(dir.resolve("analysis_summary.json"), summary);
        // inspector.csv, by far the largest output (34 MB for 30,000 runs), is written on a second core meanwhile
        var inspector = new java.util.concurrent.FutureTask<Void>(() -> {
            Kit.writeAtomic(dir.resolve("inspector.csv"), stream -> {
                java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
                inspectorCsv(exps, w);
                w.flush();
            });
            return null;
        });
        Thread writer = new Thread(inspector, "inspector.csv");
        writer.start();
        RuntimeException later = null;
        try {
            Kit.writeAtomic(dir.resolve("operators.csv"), operatorsCsv(exps));
            Kit.writeAtomic(dir.resolve("categories.csv"), categoriesCsv(exps));
            Kit.writeAtomic(dir.resolve("kernels.csv"), kernelsCsv(exps));
            Kit.writeAtomic(dir.resolve("operator_kernels.csv"), operatorKernelsCsv(exps));
            Kit.writeAtomic(dir.resolve("comparison.csv"), comparisonCsv(comps));
            Kit.writeAtomic(dir.resolve("cold_start.csv"), coldStartCsv(exps));
            Kit.writeAtomic(dir.resolve("trace.json"), traceJson(exps, traceRuns));
            Report.write(report, dir);
        } catch (RuntimeException e) {
            later = e;
        }
        await(inspector, "writing " + dir.resolve("inspector.csv"));   // its failure first: it is the first file in the order
        if (later != null) throw later;
    }

    /**
     * The result of work done on another thread, its failure rethrown as it was (a user error stays one). An interrupt
     * waits on: the work is half-done and ends by itself (the interrupt is kept for the caller).
     */
    static <T> T await(java.util.concurrent.FutureTask<T> task, String what) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) throw r;
                    if (e.getCause() instanceof Error err) throw err;
                    throw new IllegalStateException(what + " failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void printSummary(Job job, List<Experiment> exps, List<Comparison> comps) {
        PrintStream o = io.out;
        for (Experiment e : exps) {
            Analysis an = e.an();
            o.println(e.in().label());
            if (an != null && an.e2e() != null) {
                Latency l = an.e2e();
                o.printf(Locale.ROOT, "  %d runs (of %d): median %.3f ms, p10 %.3f, p90 %.3f, CV %s%n", l.n(), an.runsTotal(), l.median(),
                        l.p10(), l.p90(), l.cvPercent() == null ? "n/a" : String.format(Locale.ROOT, "%.1f%%", l.cvPercent()));
            }
            if (an != null) o.println("  cold start: " + coldStartLine(an));
            if (an != null) o.println("  categories: " + categoryLine(an));
            if (an != null) for (OpStat s : an.operators().subList(0, Math.min(top, an.operators().size())))
                o.printf(Locale.ROOT, "    %-44s %-13s %8.4f ms/run  x%.0f%n", s.name(), s.category(), s.meanMsPerRun(), s.countPerRun());
            o.println("  " + e.evidence().detail());
            Attribution at = attribution(e);
            if (at != null) o.println("  SME2 per operator (kernel log" + (at.from() == null ? "" : " of " + at.from()) + "): " + at.verdict());
            e.evidence().hints().forEach(h -> o.println("  hint: " + h));
            if (an != null) an.warnings().forEach(w -> io.warn(e.in().label() + ": " + w));
        }
        for (Comparison c : comps) o.println("compare " + c.label() + ": " + c.verdict());
        job.warnings().forEach(io::warn);
        io.ok("wrote " + job.out().resolve("analysis_summary.json") + " (+ CSVs, trace.json, report)");
    }

    /** "first execution 7.850 ms (2.03x the steady median), load 3.2 ms; 5 warm-up execution(s) left out of the statistics". */
    static String coldStartLine(Analysis an) {
        ColdStart c = an.coldStart();
        List<String> parts = new ArrayList<>();
        Double ratio = firstVsSteady(an);
        if (c.firstExecutionMs() != null)
            parts.add(String.format(Locale.ROOT, "first execution %.3f ms", c.firstExecutionMs())
                    + (ratio == null ? "" : String.format(Locale.ROOT, " (%.2fx the steady median)", ratio)));
        if (c.loadMs() != null) parts.add(String.format(Locale.ROOT, "load %.3f ms (%s)", c.loadMs(),
                c.initNested() ? "Program::load_method, Method::init inside it" : "Program::load_method + Method::init"));
        String head = parts.isEmpty() ? "unknown (no Execute or Default block times)" : String.join(", ", parts);
        int n = c.warmupMs().length;
        return head + "; " + (n == 0 ? "no execution left out of the statistics" : n + " warm-up execution(s) left out of the statistics");
    }

    private static String categoryLine(Analysis an) {
        List<String> parts = new ArrayList<>();
        Integer[] idx = new Integer[CATEGORIES.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> an.categoriesMs()[i]).reversed());
        for (int i : idx) if (an.categoriesMs()[i] > 0) parts.add(String.format(Locale.ROOT, "%s %.4f ms", CATEGORIES.get(i), an.categoriesMs()[i]));
        return String.join(", ", parts);
    }

    // ================================================================ report (report.md, report.html, SVG charts, insights)

    static final class Report {
        private Report() {}

        // =================================================================================================================
        // Constants
        // =================================================================================================================

        /** Paul Tol's colour-blind-safe "muted" scheme for the operator categories; greys for the two overheads. */
        private static final Map<String, String> COLOURS = Map.ofEntries(
                Map.entry("CONV", "#332288"), Map.entry("GEMM", "#CC6677"), Map.entry("DATA_MOVEMENT", "#DDCC77"),
                Map.entry("ELEMENTWISE", "#117733"), Map.entry("ACTIVATION", "#88CCEE"), Map.entry("POOL_REDUCE", "#44AA99"),
                Map.entry("NORM", "#999933"), Map.entry("QUANT", "#AA4499"), Map.entry("OTHER", "#882255"),
                Map.entry("DELEGATE_OVERHEAD", "#AAAAAA"), Map.entry("RUNTIME_OVERHEAD", "#DDDDDD"));
        private static final String UNKNOWN_COLOUR = "#666666";
        static final int DEFAULT_TOP = 10;
        static final String CATEGORIES_SVG = "categories.svg";
        static final String OPERATORS_SVG = "operators.svg";
        static final String LATENCY_SVG = "latency.svg";
        static final String COMPARISON_SVG = "comparison.svg";
        private static final List<String> CHART_FILES = List.of(CATEGORIES_SVG, OPERATORS_SVG, LATENCY_SVG, COMPARISON_SVG);
        private static final String PROVE_SME2 = "run the xnntrace experiment (mode \"xnntrace\") with the "
                + "kernel-logging runner (the *-xnnlog build, XNN_LOG_LEVEL=5) at the same thread counts: XNNPACK then logs every "
                + "microkernel it selects to xnntrace.log, and names ending in __neonsme2 show that SME2 microkernels were selected. "
                + "Keep it separate from the timing runs, because the logging perturbs timing.";
        private static final int CHART_WIDTH = 960;

        // =================================================================================================================
        // The summary, read defensively into small views
        // =================================================================================================================

        private record Stats(int n, double mean, double median, double p10, double p90, double min, double max,
                             double stdev, double cv) {}

        private record Op(String name, String kind, String category, double count, double ms, double shareDelegate,
                          double shareE2e) {
            boolean outside() { return kind != null && !kind.equalsIgnoreCase("xnnpack"); }
        }

        private record Exp(String label, Integer threads, String mode, JsonNode raw, double[] latency, Stats stats,
                           double delegateMs, double operatorMs, Map<String, Double> ms, Map<String, Double> share,
                           List<Op> ops, String evidence) {
            String cite() {
                return threads == null ? label : label + " (" + threads + (threads == 1 ? " thread)" : " threads)");
            }

            boolean traceMode() { return "xnntrace".equalsIgnoreCase(mode); }

            double opSum() { return sumOperatorCategories(ms); }
        }

        private record Delta(String name, String category, double before, double after, double delta, double speedup, String change,
                             double lo, double hi) {}

        private record Cmp(String label, String baseline, String candidate, double baseMedian, double candMedian,
                           double speedup, double lo, double hi, Boolean withinNoise, String verdict,
                           Map<String, Double> msBefore, Map<String, Double> msAfter,
                           Map<String, Double> shareBefore, Map<String, Double> shareAfter, List<Delta> deltas,
                           String change, Map<String, String> catChange) {
            /** The noise rule's word for a category ("faster", "slower", "no measurable change"), null when the summary has none. */
            String catChange(String k) { return catChange.get(k); }

            /** TRUE: within noise; FALSE: a difference beyond noise; null: cannot tell. */
            Boolean noise() {
                if (withinNoise != null) return withinNoise;
                if (fin(lo) && fin(hi)) return lo <= 1.0 && 1.0 <= hi;
                return null;
            }

            boolean ciIncludesOne() { return fin(lo) && fin(hi) && lo <= 1.0 && 1.0 <= hi; }

            String ci() { return fin(lo) && fin(hi) ? "95% CI " + num2(lo) + "–" + num2(hi) : null; }
        }

        private record Model(JsonNode root, List<String> categories, List<Exp> exps, List<Cmp> cmps, int top) {
            Exp find(String label) {
                if (label != null) for (Exp e : exps) if (label.equals(e.label)) return e;
                return null;
            }

            String cite(String label) {
                Exp e = find(label);
                return e != null ? e.cite() : label == null ? "(unnamed experiment)" : label;
            }
        }

        private static Model model(JsonNode summary) {
            JsonNode root = summary == null ? MissingNode.getInstance() : summary;
            List<String> cats = new ArrayList<>(CATEGORIES);
            for (JsonNode e : list(root, "experiments")) {
                addKeys(cats, e.get("categories_ms"));
                addKeys(cats, e.get("category_share"));
            }
            for (JsonNode c : list(root, "comparisons"))
                for (String f : List.of("category_ms_before", "category_ms_after", "category_share_before", "category_share_after"))
                    addKeys(cats, c.get(f));
            List<Exp> exps = new ArrayList<>();
            for (JsonNode e : list(root, "experiments")) if (e.isObject()) exps.add(exp(e, exps.size(), cats));
            List<Cmp> cmps = new ArrayList<>();
            for (JsonNode c : list(root, "comparisons")) if (c.isObject()) cmps.add(cmp(c, cmps.size(), cats, exps));
            int top = DEFAULT_TOP;
            JsonNode t = root.path("options").path("top");
            if (t.isIntegralNumber() && t.asInt() > 0) top = Math.min(t.asInt(), 100);
            return new Model(root, List.copyOf(cats), List.copyOf(exps), List.copyOf(cmps), top);
        }

        private static void addKeys(List<String> cats, JsonNode obj) {
            if (obj == null || !obj.isObject()) return;
            obj.fieldNames().forEachRemaining(k -> { if (!cats.contains(k)) cats.add(k); });
        }

        private static Exp exp(JsonNode n, int index, List<String> cats) {
            String experiment = str(n, "experiment");
            JsonNode t = n.path("threads");
            Integer threads = t.isIntegralNumber() ? t.asInt() : null;
            String label = str(n, "label");
            if (label == null || label.isBlank())
                label = experiment == null ? "experiment " + (index + 1) : threads == null ? experiment : experiment + "/t" + threads;
            double[] lat = list(n, "latency_ms").stream().filter(JsonNode::isNumber).mapToDouble(JsonNode::asDouble)
                    .filter(Double::isFinite).toArray();
            Stats stats = stats(n.path("e2e_ms"), lat);
            Map<String, Double> ms = catMap(n.get("categories_ms"), cats, null);
            Map<String, Double> share = fillShares(catMap(n.get("category_share"), cats, null), ms);
            double operatorMs = num(n, "operator_ms");
            if (!fin(operatorMs) && sumOperatorCategories(ms) > 0) operatorMs = sumOperatorCategories(ms);
            List<Op> ops = new ArrayList<>();
            for (JsonNode o : list(n, "operators")) {
                if (!o.isObject()) continue;
                String name = str(o, "name");
                ops.add(new Op(name == null ? "(unnamed operator)" : name, str(o, "kind"), str(o, "category"),
                        num(o, "count_per_run"), num(o, "mean_ms_per_run"), num(o, "share_of_delegate"), num(o, "share_of_e2e")));
            }
            ops.sort(Comparator.comparingDouble((Op o) -> fin(o.ms) ? -o.ms : Double.POSITIVE_INFINITY));
            return new Exp(label, threads, str(n, "mode"), n, lat, stats, num(n, "delegate_call_ms"), operatorMs, ms, share,
                    List.copyOf(ops), verdictOf(str(n, "sme2_evidence")));
        }

        /** The summary's e2e_ms figures; a figure it lacks comes from the analysis' own statistics of latency_ms. */
        private static Stats stats(JsonNode e2e, double[] lat) {
            Latency l = Latency.of(lat);
            JsonNode nNode = e2e.path("n");
            int n = nNode.isIntegralNumber() ? nNode.asInt() : lat.length;
            double stdev = or(num(e2e, "stdev"), l == null || l.stdev() == null ? Double.NaN : l.stdev());
            return new Stats(n, or(num(e2e, "mean"), l == null ? Double.NaN : l.mean()),
                    or(num(e2e, "median"), l == null ? Double.NaN : l.median()), or(num(e2e, "p10"), l == null ? Double.NaN : l.p10()),
                    or(num(e2e, "p90"), l == null ? Double.NaN : l.p90()), or(num(e2e, "min"), l == null ? Double.NaN : l.min()),
                    or(num(e2e, "max"), l == null ? Double.NaN : l.max()), stdev,
                    or(num(e2e, "cv_percent"), l == null || l.cvPercent() == null ? Double.NaN : l.cvPercent()));
        }

        private static Cmp cmp(JsonNode c, int index, List<String> cats, List<Exp> exps) {
            String baseline = str(c, "baseline"), candidate = str(c, "candidate");
            String label = str(c, "label");
            if (label == null || label.isBlank())
                label = baseline != null || candidate != null ? or(candidate, "candidate") + " vs " + or(baseline, "baseline")
                        : "comparison " + (index + 1);
            Exp be = null, ce = null;
            for (Exp e : exps) {
                if (e.label.equals(baseline) && be == null) be = e;
                if (e.label.equals(candidate) && ce == null) ce = e;
            }
            double bm = or(num(c, "baseline_median_ms"), be == null ? Double.NaN : be.stats.median);
            double cm = or(num(c, "candidate_median_ms"), ce == null ? Double.NaN : ce.stats.median);
            double sp = or(num(c, "speedup_median"), fin(bm) && fin(cm) && cm > 0 ? bm / cm : Double.NaN);
            JsonNode wn = c.path("within_noise");
            Map<String, Double> msB = catMap(c.get("category_ms_before"), cats, be == null ? null : be.ms);
            Map<String, Double> msA = catMap(c.get("category_ms_after"), cats, ce == null ? null : ce.ms);
            Map<String, Double> shB = fillShares(catMap(c.get("category_share_before"), cats, be == null ? null : be.share), msB);
            Map<String, Double> shA = fillShares(catMap(c.get("category_share_after"), cats, ce == null ? null : ce.share), msA);
            List<Delta> deltas = new ArrayList<>();
            for (JsonNode d : list(c, "operator_deltas")) {
                if (!d.isObject()) continue;
                double before = num(d, "before_ms"), after = num(d, "after_ms");
                double delta = or(num(d, "delta_ms"), after - before);
                double speed = or(num(d, "speedup"), fin(before) && fin(after) && after > 0 ? before / after : Double.NaN);
                deltas.add(new Delta(or(str(d, "name"), "(unnamed operator)"), str(d, "category"), before, after, delta, speed,
                        str(d, "change"), num(d, "ci95_low"), num(d, "ci95_high")));
            }
            deltas.sort(Comparator.comparingDouble((Delta d) -> fin(d.delta) ? -Math.abs(d.delta) : Double.POSITIVE_INFINITY)
                    .thenComparing(Delta::name));
            Map<String, String> catChange = new LinkedHashMap<>();
            if (c.path("category_changes").isObject())
                c.get("category_changes").properties().forEach(f -> { String w = str(f.getValue(), "change"); if (w != null) catChange.put(f.getKey(), w); });
            return new Cmp(label, baseline, candidate, bm, cm, sp, num(c, "ci95_low"), num(c, "ci95_high"),
                    wn.isBoolean() ? wn.asBoolean() : null, str(c, "verdict"), msB, msA, shB, shA, List.copyOf(deltas), str(c, "change"),
                    catChange);
        }

        private static Map<String, Double> catMap(JsonNode obj, List<String> cats, Map<String, Double> fallback) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String k : cats) {
                double v = num(obj, k);
                if (!fin(v) && fallback != null && fallback.get(k) != null) v = fallback.get(k);
                m.put(k, v);
            }
            return m;
        }

        /** Fills missing shares of the operator categories from the ms values (share = ms / operator time). */
        private static Map<String, Double> fillShares(Map<String, Double> share, Map<String, Double> ms) {
            double total = sumOperatorCategories(ms);
            for (String k : share.keySet())
                if (!OVERHEAD.contains(k) && !fin(share.get(k)) && total > 0 && fin(ms.get(k))) share.put(k, ms.get(k) / total);
            return share;
        }

        private static double sumOperatorCategories(Map<String, Double> ms) {
            double s = 0;
            for (var e : ms.entrySet()) if (!OVERHEAD.contains(e.getKey()) && fin(e.getValue())) s += e.getValue();
            return s;
        }

        private static String verdictOf(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            return v.equals("yes") || v.equals("no") ? v : "unknown";
        }

        /** The largest operator category (overheads excluded), or null when none is above zero. Ties: contract order. */
        private static String topCategory(Map<String, Double> values, String except) {
            String best = null;
            double bestValue = 0;
            for (var e : values.entrySet()) {
                if (OVERHEAD.contains(e.getKey()) || e.getKey().equals(except) || !fin(e.getValue())) continue;
                if (e.getValue() > bestValue) { best = e.getKey(); bestValue = e.getValue(); }
            }
            return best;
        }

        // =================================================================================================================
        // Insights
        // =================================================================================================================

        /**
         * Three to six plain-language findings computed from the numbers, each {"title", "text", "figure"}.
         * An empty experiments list gives one finding saying there is nothing to show (figure null).
         */
        static List<ObjectNode> insights(JsonNode summary) { return insights(model(summary)); }

        private static List<ObjectNode> insights(Model m) {
            List<ObjectNode> out = new ArrayList<>();
            if (m.exps.isEmpty()) {
                out.add(insight("Nothing to show", "The analysis summary lists no experiments, so there are no measurements "
                        + "to interpret. Check that the run folder holds finished experiments (status \"ok\" in manifest.json) "
                        + "and analyse it again.", null));
                return out;
            }
            out.add(dominantInsight(m));
            for (int i = 0; i < Math.min(2, m.cmps.size()); i++)
                out.add(comparisonInsight(m, m.cmps.get(i), i == 1 ? m.cmps.size() - 2 : 0));
            ObjectNode outside = outsideInsight(m);
            if (outside != null) out.add(outside);
            out.add(sme2Insight(m));
            ObjectNode perOperator = operatorKernelInsight(m);
            if (perOperator != null) out.add(perOperator);
            out.add(noiseInsight(m));
            return out;
        }

        private static ObjectNode insight(String title, String text, String figure) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("title", title);
            o.put("text", text.trim());
            if (figure == null) o.putNull("figure"); else o.put("figure", figure);
            return o;
        }

        /** The experiment the dominant-category finding describes: the first comparison's baseline, else the first timing run. */
        private static Exp reference(Model m) {
            Exp e = m.cmps.isEmpty() ? null : m.find(m.cmps.get(0).baseline);
            if (e != null && (e.opSum() > 0 || topOp(e) != null)) return e;
            for (Exp x : m.exps) if (!x.traceMode() && x.opSum() > 0) return x;
            for (Exp x : m.exps) if (x.opSum() > 0 || topOp(x) != null) return x;
            return null;
        }

        private static Op topOp(Exp e) {
            Op best = null;
            for (Op o : e.ops) if (fin(o.ms) && o.ms > 0 && (best == null || o.ms > best.ms)) best = o;
            return best;
        }

        private static ObjectNode dominantInsight(Model m) {
            Exp ref = reference(m);
            if (ref == null)
                return insight("No operator-level breakdown", "None of the " + count(m.exps.size(), "experiment", "experiments")
                        + " recorded per-operator time (empty operator lists, no category times), so no category can be named "
                        + "as the bottleneck. Build the runner with the ETDump event tracer so that XNNPACK reports its "
                        + "per-operator events.", CATEGORIES_SVG);
            StringBuilder t = new StringBuilder();
            String cat = topCategory(ref.ms, null);
            if (cat != null) {
                t.append("In ").append(ref.cite()).append(", ").append(cat).append(" takes ").append(ms(ref.ms.get(cat)))
                        .append(" ms per run, ").append(pct(ref.share.get(cat))).append(" of the ").append(ms(ref.operatorMs))
                        .append(" ms of operator time");
                String second = topCategory(ref.ms, cat);
                if (second != null)
                    t.append("; next is ").append(second).append(" (").append(ms(ref.ms.get(second))).append(" ms, ")
                            .append(pct(ref.share.get(second))).append(")");
                t.append(". ");
            }
            Op op = topOp(ref);
            if (op != null) {
                t.append("The most expensive single operator is \"").append(op.name).append("\" (")
                        .append(or(op.category, "uncategorised")).append(op.kind == null ? "" : ", " + op.kind).append(") at ")
                        .append(ms(op.ms)).append(" ms per run");
                if (fin(op.shareDelegate)) t.append(", ").append(pct(op.shareDelegate)).append(" of delegate time");
                else if (fin(op.shareE2e)) t.append(", ").append(pct(op.shareE2e)).append(" of end-to-end time");
                t.append(" in ").append(ref.label).append(". ");
            }
            if (cat != null) {
                List<String> differ = new ArrayList<>();
                int same = 0;
                for (Exp e : m.exps) {
                    if (e == ref) continue;
                    String c = topCategory(e.ms, null);
                    if (c == null) continue;
                    if (c.equals(cat)) same++;
                    else if (differ.size() < 3)
                        differ.add("in " + e.cite() + ", " + c + " is the largest instead (" + ms(e.ms.get(c)) + " ms, "
                                + pct(e.share.get(c)) + ")");
                }
                if (!differ.isEmpty()) t.append(capitalise(String.join("; ", differ))).append(". ");
                if (same > 0)
                    t.append(cat).append(" is also the largest category in ")
                            .append(same == 1 ? "1 other experiment" : same + " other experiments").append(". ");
            }
            String title = cat != null ? cat + " dominates operator time in " + ref.label
                    : "\"" + op.name + "\" is the most expensive operator in " + ref.label;
            return insight(title, t.toString(), CATEGORIES_SVG);
        }

        private static ObjectNode comparisonInsight(Model m, Cmp c, int more) {
            String base = m.cite(c.baseline), cand = m.cite(c.candidate);
            Boolean noise = c.noise();
            boolean medians = fin(c.baseMedian) && fin(c.candMedian);
            StringBuilder t = new StringBuilder();
            String title;
            if (Boolean.TRUE.equals(noise)) {
                title = c.label + ": no measurable change";
                if (medians)
                    t.append("Median ").append(ms(c.baseMedian)).append(" ms in ").append(base).append(" vs ")
                            .append(ms(c.candMedian)).append(" ms in ").append(cand).append(". ");
                t.append(fin(c.speedup) ? "The ratio " + times(c.speedup) : "The ratio");
                if (c.ci() != null && c.ciIncludesOne()) t.append(" has a ").append(c.ci()).append(", which includes 1.00");
                else if (c.ci() != null && medians)
                    t.append(" (").append(c.ci()).append(") excludes 1.00, but the change of ").append(ms(Math.abs(c.candMedian - c.baseMedian)))
                            .append(" ms is within the noise floor (").append(ms(noiseFloorMs(c.baseMedian))).append(" ms)");
                else t.append(" is judged within noise by the analysis");
                t.append(", so this pair shows no measurable change: do not report it as a gain or a loss. Repeat with "
                        + "more runs, a pinned thread count and an idle machine if a difference is expected. ");
            } else if (noise == null || !fin(c.speedup)) {
                title = c.label + (fin(c.speedup) ? ": " + times(c.speedup) + " ratio, confidence unknown" : ": no result");
                if (medians)
                    t.append("Median ").append(ms(c.baseMedian)).append(" ms in ").append(base).append(" vs ")
                            .append(ms(c.candMedian)).append(" ms in ").append(cand).append(". ");
                t.append("There is no confidence interval, so this ratio may be noise; treat it as indicative only and rerun "
                        + "with at least ").append(MIN_RUNS).append(" runs per side. ");
            } else {
                boolean faster = c.speedup >= 1.0;
                title = c.label + ": " + (faster ? times(c.speedup) + " faster" : times(1 / c.speedup) + " slower");
                if (medians) {
                    t.append("Median latency ").append(faster ? "drops" : "rises").append(" from ").append(ms(c.baseMedian))
                            .append(" ms in ").append(base).append(" to ").append(ms(c.candMedian)).append(" ms in ").append(cand)
                            .append(": ").append(times(c.speedup));
                    if (c.ci() != null) t.append(" (").append(c.ci()).append(")");
                    double change = Math.abs(1 - c.candMedian / c.baseMedian);
                    t.append(", ").append(pct(change)).append(faster ? " less" : " more").append(" time per inference. ");
                } else {
                    t.append(cand).append(" vs ").append(base).append(": ").append(times(c.speedup));
                    if (c.ci() != null) t.append(" (").append(c.ci()).append(")");
                    t.append(". ");
                }
                t.append(attribution(m, c, faster));
                t.append(shift(c));
            }
            if (more > 0) t.append(count(more, "further comparison is", "further comparisons are")).append(" in the Comparisons section.");
            return insight(title, t.toString(), COMPARISON_SVG);
        }

        /** What the kernel evidence says about SME2 for this pair; empty for pairs that are not about SME2. */
        private static String attribution(Model m, Cmp c, boolean faster) {
            Exp ce = m.find(c.candidate), be = m.find(c.baseline);
            String names = (c.label + " " + c.baseline + " " + c.candidate).toLowerCase(Locale.ROOT);
            boolean aboutSme = names.contains("sme") || (ce != null && !ce.evidence.equals("unknown"))
                    || (be != null && !be.evidence.equals("unknown"));
            if (ce == null || !aboutSme) return "";
            String detail = str(ce.raw, "sme2_evidence_detail");
            switch (ce.evidence) {
                case "yes": {
                    String s = "The kernel log of " + ce.label + " names SME2 microkernels" + (detail == null ? "" : ": " + detail) + ". ";
                    if (be != null && be.evidence.equals("no"))
                        return s + "That of " + be.label + " shows none, so the " + (faster ? "speedup" : "difference")
                                + " coincides with SME2 microkernels being selected. ";
                    if (be != null && be.evidence.equals("yes"))
                        return s + be.label + " selected SME2 microkernels too, so this is not an SME2-on versus SME2-off difference. ";
                    return s;
                }
                case "no":
                    return "The kernel log of " + ce.label + " shows no SME2 microkernels selected, so this difference is not an SME2 effect. ";
                default:
                    return "Whether SME2 microkernels were selected in " + ce.label + " is unknown (no kernel log), so this result alone does "
                            + "not show an SME2 effect; see the SME2 kernel evidence. ";
            }
        }

        /** Where the time went between baseline and candidate: share changes, the bottleneck, the biggest saving. */
        private static String shift(Cmp c) {
            StringBuilder t = new StringBuilder();
            String grew = null, shrank = null;
            double grewBy = 0, shrankBy = 0;
            for (String k : c.shareBefore.keySet()) {
                if (OVERHEAD.contains(k)) continue;
                double b = c.shareBefore.get(k), a = val(c.shareAfter.get(k));
                if (!fin(b) || !fin(a)) continue;
                if (a - b > grewBy) { grew = k; grewBy = a - b; }
                if (a - b < shrankBy) { shrank = k; shrankBy = a - b; }
            }
            List<String> parts = new ArrayList<>();
            if (grew != null && grewBy >= 0.01)
                parts.add(grew + " grew from " + pct(c.shareBefore.get(grew)) + " to " + pct(c.shareAfter.get(grew))
                        + " of operator time (" + pp(grewBy) + ")");
            if (shrank != null && shrankBy <= -0.01)
                parts.add(shrank + " shrank from " + pct(c.shareBefore.get(shrank)) + " to " + pct(c.shareAfter.get(shrank))
                        + " (" + pp(shrankBy) + ")");
            String topBefore = topCategory(c.shareBefore, null), topAfter = topCategory(c.shareAfter, null);
            if (!parts.isEmpty()) t.append("Bottleneck shift: ").append(String.join("; ", parts));
            if (topBefore != null && topAfter != null) {
                if (!topBefore.equals(topAfter))
                    t.append(parts.isEmpty() ? "The" : ", so the").append(" bottleneck moved from ").append(topBefore).append(" to ")
                            .append(topAfter).append(" (now ").append(pct(c.shareAfter.get(topAfter))).append(")");
                else
                    t.append(parts.isEmpty() ? "" : "; ").append(topAfter).append(parts.isEmpty() ? " is" : " is still")
                            .append(" the largest category (").append(pct(c.shareAfter.get(topAfter))).append(")");
            }
            if (t.length() > 0) t.append(". ");
            String saved = null, gained = null;
            double most = 0, worst = 0, before = 0;
            for (String k : c.msBefore.keySet()) {
                double b = c.msBefore.get(k), a = val(c.msAfter.get(k));
                if (!fin(b) || !fin(a)) continue;
                before += b;
                if (NO_CHANGE.equals(c.catChange(k))) continue;   // inside the noise: neither a saving nor a loss
                if (b - a > most) { saved = k; most = b - a; }
                if (a - b > worst) { gained = k; worst = a - b; }
            }
            if (saved != null) {
                double b = c.msBefore.get(saved), a = c.msAfter.get(saved);
                t.append(saved).append(" saved the most time (").append(ms(b)).append(" → ").append(ms(a)).append(" ms");
                if (a > 0) t.append(", ").append(times(b / a));
                t.append(")");
                String fastest = null;
                double ratio = 1;
                for (String k : c.msBefore.keySet()) {
                    double kb = c.msBefore.get(k), ka = val(c.msAfter.get(k));
                    if (NO_CHANGE.equals(c.catChange(k))) continue;
                    if (fin(kb) && fin(ka) && ka > 0 && kb >= 0.02 * before && kb / ka > ratio) { fastest = k; ratio = kb / ka; }
                }
                if (fastest != null && !fastest.equals(saved) && ratio > b / Math.max(a, 1e-12))
                    t.append("; the largest per-category speedup is ").append(fastest).append(" (").append(times(ratio))
                            .append(", ").append(ms(c.msBefore.get(fastest))).append(" → ").append(ms(c.msAfter.get(fastest)))
                            .append(" ms)");
                t.append(". ");
            }
            if (gained != null && worst >= 0.01 * Math.max(before, 1e-12))
                t.append(gained).append(" got slower (").append(ms(c.msBefore.get(gained))).append(" → ")
                        .append(ms(c.msAfter.get(gained))).append(" ms). ");
            return t.toString();
        }

        private static ObjectNode outsideInsight(Model m) {
            Map<String, String> names = new LinkedHashMap<>(), keys = new LinkedHashMap<>();
            for (Exp e : m.exps)
                for (Op o : e.ops)
                    if (o.outside() && keys.putIfAbsent(baseName(o.name), o.name) == null)
                        names.put(o.name, ms(o.ms) + " ms per run in " + e.cite()
                                + (fin(o.shareE2e) ? ", " + pct(o.shareE2e) + " of end-to-end" : ""));
            Exp withProgram = null;
            for (Exp e : m.exps) {
                JsonNode p = e.raw.path("program");
                if (!p.isObject()) continue;
                if (withProgram == null) withProgram = e;
                for (String s : strings(p, "outside_delegate"))
                    if (keys.putIfAbsent(baseName(s), s) == null) names.put(s, "outside the delegate in the program of " + e.label);
            }
            if (names.isEmpty()) {
                if (withProgram == null) return null;
                JsonNode p = withProgram.raw.path("program");
                StringBuilder t = new StringBuilder("The program of ").append(withProgram.label).append(" has ");
                double total = or(num(p, "operator_types"), num(p, "operators_total")), calls = num(p, "delegated_calls");
                double instances = num(p, "operator_instances");
                t.append(fin(total) ? count((int) total, "operator type", "operator types") : "its operators")
                        .append(fin(instances) ? " (" + count(instances) + " operator instances per execution)" : "").append(" in ")
                        .append(fin(calls) ? count(calls) + " XNNPACK delegate call" + (calls == 1 ? "" : "s") : "XNNPACK delegate calls");
                List<String> backends = strings(p, "backends");
                if (!backends.isEmpty()) t.append(" (").append(String.join(", ", backends)).append(")");
                t.append(" and nothing outside the delegate; no experiment measured a portable (non-XNNPACK) operator.");
                return insight("All operators run inside XNNPACK", t.toString(), OPERATORS_SVG);
            }
            List<String> shown = new ArrayList<>();
            for (var e : names.entrySet()) {
                if (shown.size() == 5) break;
                shown.add("\"" + e.getKey() + "\" (" + e.getValue() + ")");
            }
            String list = String.join(", ", shown) + (names.size() > 5 ? " and " + (names.size() - 5) + " more" : "");
            boolean one = names.size() == 1;
            String text = (one ? "It runs" : "They run") + " on ExecuTorch's portable CPU kernels instead of XNNPACK, so "
                    + (one ? "it cannot" : "they cannot") + " use XNNPACK's SME2 microkernels: " + list + ". If "
                    + (one ? "it costs" : "they cost") + " noticeable time, change the export so that " + (one ? "it is" : "they are")
                    + " lowered to XNNPACK (or replaced by an operator XNNPACK supports).";
            return insight(count(names.size(), "operator runs", "operators run") + " outside XNNPACK", text, OPERATORS_SVG);
        }

        /** "native_call_mean.out" and "aten::mean.out" name the same operator. */
        private static String baseName(String name) {
            String n = name.startsWith("native_call_") ? name.substring("native_call_".length()) : name;
            return n.startsWith("aten::") ? n.substring("aten::".length()) : n;
        }

        private static ObjectNode sme2Insight(Model m) {
            List<Exp> yes = new ArrayList<>(), no = new ArrayList<>(), unknown = new ArrayList<>();
            for (Exp e : m.exps) (e.evidence.equals("yes") ? yes : e.evidence.equals("no") ? no : unknown).add(e);
            StringBuilder t = new StringBuilder();
            for (Exp e : yes.subList(0, Math.min(3, yes.size()))) {
                String detail = str(e.raw, "sme2_evidence_detail");
                t.append("The kernel log of ").append(e.cite()).append(" shows that XNNPACK selected SME2 microkernels")
                        .append(detail == null ? "" : ": " + detail).append(". ");
            }
            if (yes.size() > 3) t.append("So do ").append(count(yes.size() - 3, "more experiment", "more experiments")).append(". ");
            if (!no.isEmpty())
                t.append("The kernel log").append(no.size() == 1 ? " of " : "s of ").append(labels(no))
                        .append(no.size() == 1 ? " shows" : " show").append(" no SME2 microkernels selected. ");
            if (!unknown.isEmpty()) {
                t.append("Whether SME2 microkernels were selected is unknown for ").append(labels(unknown)).append(" (no kernel log)");
                String hint = null;
                for (Exp e : unknown) if (hint == null && !strings(e.raw, "secondary_hints").isEmpty()) hint = strings(e.raw, "secondary_hints").get(0);
                if (hint != null) t.append("; operator types give secondary evidence only (").append(hint).append(")");
                t.append(". To find out, ").append(PROVE_SME2);
            }
            List<String> borrowed = new ArrayList<>();
            for (Exp e : m.exps) {
                String from = str(e.raw, "kernel_log_from");
                if (donorThreads(m, e, from) != null) borrowed.add(e.cite() + " borrows the log of " + from);
            }
            if (!borrowed.isEmpty())
                t.append(capitalise(String.join("; ", borrowed))).append(", which ran at another thread count: XNNPACK may select other "
                        + "microkernels there, so run the kernel-logging runner at every thread count you time. ");
            t.append("A kernel log shows the microkernels XNNPACK selected when it set up each kernel configuration (once per "
                    + "process), not which one every operator ran. ");
            String title = yes.size() == m.exps.size() ? "SME2 microkernels selected (kernel log): yes"
                    : !yes.isEmpty() ? "SME2 microkernels selected (kernel log) in " + yes.size() + " of " + count(m.exps.size(), "experiment", "experiments")
                    : unknown.isEmpty() ? "SME2 microkernels selected (kernel log): no" : "SME2 microkernels selected (kernel log): unknown";
            return insight(title, t.toString(), OPERATORS_SVG);
        }

        private static ObjectNode noiseInsight(Model m) {
            List<String> issues = new ArrayList<>(), advice = new ArrayList<>();
            List<Exp> traces = new ArrayList<>();
            Exp noisiest = null;
            boolean cold = false, few = false, spread = false;
            int warmSkipped = 0;
            for (Exp e : m.exps) {
                if (e.traceMode()) { traces.add(e); continue; }
                Stats s = e.stats;
                JsonNode cs = e.raw.path("cold_start");
                double first = num(cs, "first_execution_ms"), ratio = num(cs, "first_vs_steady_median");
                warmSkipped = Math.max(warmSkipped, (int) Math.max(0, val(num(e.raw, "warmup_skipped"))));
                if (cs.path("first_in_statistics").asBoolean(false) && fin(ratio) && ratio > COLD_OUTLIER_RATIO && s.n >= 3) {
                    issues.add("the first execution of " + e.cite() + " (" + ms(first) + " ms, " + times(ratio)
                            + " the median of the others) is a cold start counted in its statistics");
                    cold = true;
                }
                if (s.n <= 0) issues.add(e.cite() + " has no timed runs");
                else if (s.n < MIN_RUNS) { issues.add(e.cite() + " has only " + count(s.n, "run", "runs") + " (fewer than " + MIN_RUNS + ")"); few = true; }
                if (fin(s.cv) && s.cv > CV_LIMIT_PERCENT) {
                    issues.add(e.cite() + " has a coefficient of variation of " + fmt("%.1f", s.cv) + "% (above "
                            + fmt("%.0f", CV_LIMIT_PERCENT) + "%)");
                    spread = true;
                }
                if (fin(s.cv) && (noisiest == null || s.cv > noisiest.stats.cv)) noisiest = e;
            }
            String rerun = str(m.root, "cold_start_rerun");
            if (cold) advice.add("leave the cold start out of the statistics" + (rerun == null ? " with --skip-runs 1" : ": " + rerun)
                    + " (the pipelines warm up inside the timed process, \"warmup\" in the config, and record it so the analysis skips it)");
            if (spread && !cold) advice.add("pin the thread count and CPU affinity and keep the machine idle");
            if (few) advice.add("use at least " + MIN_RUNS + " timed runs");
            for (Cmp c : m.cmps) if (Boolean.TRUE.equals(c.noise())) issues.add("the comparison \"" + c.label + "\" is within noise");
            String traceNote = traces.isEmpty() ? "" : (traces.size() == 1 ? "The xnntrace run " : "The xnntrace runs ") + labels(traces)
                    + (traces.size() == 1 ? " is" : " are") + " for kernel evidence only; logging perturbs timing, so "
                    + (traces.size() == 1 ? "its latency is" : "their latencies are") + " not used here.";
            if (issues.isEmpty()) {
                if (noisiest == null)
                    return insight("No timing statistics", ("No timing experiment has latency statistics to judge the noise. " + traceNote).trim(), LATENCY_SVG);
                String text = "Every timing experiment has at least " + MIN_RUNS + " runs and a coefficient of variation of at most "
                        + fmt("%.0f", CV_LIMIT_PERCENT) + "% (highest: " + fmt("%.1f", noisiest.stats.cv) + "% in " + noisiest.cite() + ")"
                        + (m.cmps.isEmpty() ? "" : ", and no comparison is within noise") + ". "
                        + (warmSkipped > 0 ? "These are steady-state figures: the first " + count(warmSkipped, "execution", "executions")
                        + " of each timed process (in-process warm-up) are left out and reported as the cold start" + coldFigures(m) + ". " : "")
                        + traceNote;
                return insight("Measurements are stable", text, LATENCY_SVG);
            }
            String text = "Noise checks: " + String.join("; ", issues) + ". "
                    + (advice.isEmpty() ? "" : capitalise(String.join("; ", advice)) + ". ")
                    + "A difference counts only when its 95% confidence interval excludes 1.00 and it is larger than the noise floor "
                    + "(the larger of " + ms(NOISE_FLOOR_MS) + " ms and " + fmt("%.0f", NOISE_FLOOR_FRACTION * 100) + "% of the baseline). " + traceNote;
            return insight("Noise warnings: " + count(issues.size(), "issue", "issues"), text, LATENCY_SVG);
        }

        /** ": first execution 7.85 ms in host_fp32/t1 (1 thread), 2.03x its steady median; …" for the timing experiments. */
        private static String coldFigures(Model m) {
            List<String> parts = new ArrayList<>();
            for (Exp e : m.exps) {
                JsonNode c = e.raw.path("cold_start");
                double first = num(c, "first_execution_ms"), ratio = num(c, "first_vs_steady_median");
                if (e.traceMode() || !fin(first) || parts.size() == 3) continue;
                parts.add("first execution " + ms(first) + " ms in " + e.cite() + (fin(ratio) ? ", " + times(ratio) + " its steady median" : ""));
            }
            return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
        }

        private static String labels(List<Exp> exps) {
            List<String> l = new ArrayList<>();
            for (Exp e : exps.subList(0, Math.min(4, exps.size()))) l.add(e.cite());
            String s = l.size() <= 1 ? String.join("", l)
                    : String.join(", ", l.subList(0, l.size() - 1)) + " and " + l.get(l.size() - 1);
            return exps.size() > 4 ? String.join(", ", l) + " and " + (exps.size() - 4) + " more" : s;
        }

        // =================================================================================================================
        // Writing the report
        // =================================================================================================================

        /** Writes report.md, report.html and the charts into outDir (atomically, deterministically). */
        static void write(JsonNode summary, Path outDir) { write(model(summary), outDir); }

        /** As write(summary, outDir), for a model already read (the summary's insights are read now, not when it was built). */
        private static void write(Model m, Path outDir) {
            List<ObjectNode> ins = givenInsights(m.root);
            if (ins.isEmpty()) ins = insights(m);
            Map<String, String> charts = charts(m);
            List<Block> doc = document(m, ins, charts);
            for (var e : charts.entrySet()) Kit.writeAtomic(outDir.resolve(e.getKey()), e.getValue());
            try {
                for (String f : CHART_FILES) if (!charts.containsKey(f)) Files.deleteIfExists(outDir.resolve(f));
            } catch (IOException e) {
                throw Kit.UserError.failed("cannot remove an old chart in " + outDir + ": " + e.getMessage(), "check the folder's permissions");
            }
            Kit.writeAtomic(outDir.resolve("report.md"), markdown(doc));
            Kit.writeAtomic(outDir.resolve("report.html"), html(reportTitle(m), doc, charts));
        }

        /** The summary's own insights (when the analysis stored them), so that the report shows exactly those. */
        private static List<ObjectNode> givenInsights(JsonNode root) {
            List<ObjectNode> out = new ArrayList<>();
            for (JsonNode i : list(root, "insights"))
                if (i.isObject() && str(i, "title") != null && str(i, "text") != null) out.add(((ObjectNode) i).deepCopy());
            return out;
        }

        private static Map<String, String> charts(Model m) {
            Map<String, String> c = new LinkedHashMap<>();
            if (m.exps.isEmpty()) return c;
            c.put(CATEGORIES_SVG, categoriesSvg(m));
            c.put(OPERATORS_SVG, operatorsSvg(m));
            c.put(LATENCY_SVG, latencySvg(m));
            if (!m.cmps.isEmpty()) c.put(COMPARISON_SVG, comparisonSvg(m));
            return c;
        }

        private static String caption(String file, Model m) {
            return switch (file) {
                case CATEGORIES_SVG -> "Mean time per run by operator category, per experiment (stacked, with delegate and runtime overhead)";
                case OPERATORS_SVG -> "Top " + m.top + " operators per experiment (mean ms per run, coloured by category)";
                case LATENCY_SVG -> anyHistogram(m)
                        ? "End-to-end latency of every run, per experiment (dots = runs, a histogram above " + DOT_LIMIT + " runs; box = p10 to p90, line = median)"
                        : "End-to-end latency of every run, per experiment (dots = runs, box = p10 to p90, line = median)";
                case COMPARISON_SVG -> "Category time before and after, per comparison (speedup and 95% CI in each panel title)";
                default -> file;
            };
        }

        private static String reportTitle(Model m) {
            String model = or(str(m.root.path("source"), "model"), str(m.root.path("run"), "model"));
            return "ExecuTorch profiling report" + (model == null ? "" : ": " + fileName(model));
        }

        // =================================================================================================================
        // The document (one block list, rendered to Markdown and to HTML)
        // =================================================================================================================

        private sealed interface Block permits Heading, Para, Items, Table, Figure, Finding {}

        private record Heading(int level, String text) implements Block {}

        /** A paragraph; lead (may be null) is rendered bold before the text. */
        private record Para(String lead, String text) implements Block {}

        private record Items(boolean ordered, List<String> items) implements Block {}

        /** align: one char per column, 'l' or 'r'. */
        private record Table(List<String> head, String align, List<List<String>> rows) implements Block {}

        private record Figure(String file, String caption) implements Block {}

        private record Finding(int number, String title, String text, String figure) implements Block {}

        /** Builds the block list; each chart appears once, under the first finding that refers to it, else in its section. */
        private static List<Block> document(Model m, List<ObjectNode> insights, Map<String, String> charts) {
            List<Block> d = new ArrayList<>();
            Set<String> shown = new HashSet<>();
            d.add(new Heading(1, reportTitle(m)));
            d.add(new Para(null, "Generated " + or(str(m.root, "generated_at"), "at an unknown time") + " by "
                    + or(str(m.root, "tool"), "AnalyzeResults") + " from analysis_summary.json. Every number names the experiment "
                    + "it comes from (label = experiment/tN, N = threads); times are milliseconds per run."));
            if (m.exps.isEmpty()) {
                d.add(new Para("Nothing to show:", "the summary has no experiments. Check that the run folder holds finished "
                        + "experiments (status \"ok\" in manifest.json) and analyse it again."));
                provenance(d, m);
                warnings(d, m);
                return d;
            }
            d.add(new Heading(2, "Findings"));
            int n = 0;
            for (ObjectNode i : insights) {
                String fig = str(i, "figure");
                d.add(new Finding(++n, or(str(i, "title"), ""), or(str(i, "text"), ""), fig));
                figure(d, shown, charts, fig, m);
            }
            provenance(d, m);
            endToEnd(d, m);
            coldStart(d, m);
            figure(d, shown, charts, LATENCY_SVG, m);
            categories(d, m);
            figure(d, shown, charts, CATEGORIES_SVG, m);
            operators(d, m);
            figure(d, shown, charts, OPERATORS_SVG, m);
            modelSources(d, m);
            kernels(d, m);
            operatorKernels(d, m);
            program(d, m);
            comparisons(d, m);
            figure(d, shown, charts, COMPARISON_SVG, m);
            warnings(d, m);
            perfetto(d, m);
            return d;
        }

        private static void figure(List<Block> d, Set<String> shown, Map<String, String> charts, String file, Model m) {
            if (file != null && charts.containsKey(file) && shown.add(file)) d.add(new Figure(file, caption(file, m)));
        }

        private static void provenance(List<Block> d, Model m) {
            d.add(new Heading(2, "Provenance"));
            JsonNode run = m.root.path("run"), src = m.root.path("source"), et = run.path("executorch");
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("Model (.pte)", or(or(str(src, "model"), str(run, "model")), "unknown")));
            rows.add(List.of("ETRecord", or(str(src, "etrecord"), "none")));
            rows.add(List.of("Run folder", or(str(src, "run_dir"), "none")));
            rows.add(List.of("ExecuTorch SHA", or(str(et, "sha"), "unknown (no run manifest)")));
            JsonNode dirty = et.path("dirty");
            rows.add(List.of("ExecuTorch working tree", !dirty.isBoolean() ? "unknown" : dirty.asBoolean()
                    ? "dirty: uncommitted changes, so the SHA alone does not reproduce these numbers" : "clean"));
            rows.add(List.of("Config", or(str(run, "config"), "unknown")));
            rows.add(List.of("Generated at", or(str(m.root, "generated_at"), "unknown")));
            rows.add(List.of("Tool", or(str(m.root, "tool"), "unknown")));
            JsonNode skip = m.root.path("options").path("skip_runs");
            if (skip.isNumber()) rows.add(List.of("Skipped first runs (option)", skip.asText()));
            for (String part : List.of("host", "device")) {
                JsonNode p = run.path(part);
                if (p.isObject() && p.size() > 0) flatten(part, p, 0, rows);
                else rows.add(List.of(part, part.equals("device") ? "none (host run)" : "unknown"));
            }
            if (run.isObject())
                run.properties().forEach(f -> {
                    if (!List.of("executorch", "host", "device", "config", "model").contains(f.getKey()))
                        flatten("manifest." + f.getKey(), f.getValue(), 0, rows);
                });
            d.add(new Table(List.of("Item", "Value"), "ll", rows));
            if (m.exps.isEmpty()) return;
            List<List<String>> er = new ArrayList<>();
            String runDir = str(src, "run_dir");
            for (Exp e : m.exps)
                er.add(List.of(e.label, e.threads == null ? "–" : String.valueOf(e.threads), or(e.mode, "–"),
                        count(num(e.raw, "runs_total")), count(num(e.raw, "skip_runs")), e.stats.n < 0 ? "–" : String.valueOf(e.stats.n),
                        or(relative(str(e.raw, "etdump"), runDir), "–"), or(relative(str(e.raw, "kernel_log"), runDir), "–")));
            d.add(new Para(null, "Experiments (runs used = timed runs after skipping the first skip_runs; paths relative to the run "
                    + "folder when inside it):"));
            d.add(new Table(List.of("Experiment", "Threads", "Mode", "Runs total", "Skip runs", "Runs used", "ETDump", "Kernel log"),
                    "lrlrrrll", er));
        }

        /** Adds "prefix.key: value" rows for a JSON subtree (3 levels deep at most; arrays of scalars joined). */
        private static void flatten(String prefix, JsonNode n, int depth, List<List<String>> rows) {
            if (n == null || n.isMissingNode()) return;
            if (n.isNull()) { rows.add(List.of(prefix, "null")); return; }
            if (n.isValueNode()) { rows.add(List.of(prefix, n.asText())); return; }
            if (n.isArray()) {
                List<String> parts = new ArrayList<>();
                boolean scalars = true;
                for (JsonNode x : n) { scalars &= x.isValueNode(); parts.add(x.isValueNode() ? x.asText() : x.toString()); }
                rows.add(List.of(prefix, n.size() == 0 ? "(none)" : scalars ? String.join(", ", parts) : n.toString()));
                return;
            }
            if (n.size() == 0) { rows.add(List.of(prefix, "(none)")); return; }
            if (depth >= 3) { rows.add(List.of(prefix, n.toString())); return; }
            n.properties().forEach(f -> flatten(prefix + "." + f.getKey(), f.getValue(), depth + 1, rows));
        }

        private static void endToEnd(List<Block> d, Model m) {
            d.add(new Heading(2, "End-to-end latency"));
            d.add(new Para(null, "Method::execute per timed run (after skipping the first skip_runs). CV = standard deviation / "
                    + "mean; above " + fmt("%.0f", CV_LIMIT_PERCENT) + "% the experiment is noisy. Delegate call = mean time "
                    + "inside XNNPACK delegate calls; operator time = sum of all categorised operator time."));
            List<List<String>> rows = new ArrayList<>();
            for (Exp e : m.exps) {
                Stats s = e.stats;
                rows.add(List.of(e.label, e.threads == null ? "–" : String.valueOf(e.threads), s.n < 0 ? "–" : String.valueOf(s.n),
                        ms3(s.mean), ms3(s.median), ms3(s.p10), ms3(s.p90), ms3(s.min), ms3(s.max), ms3(s.stdev),
                        fin(s.cv) ? fmt("%.1f", s.cv) : "–", ms3(e.delegateMs), ms3(e.operatorMs)));
            }
            d.add(new Table(List.of("Experiment", "Threads", "n", "Mean", "Median", "p10", "p90", "Min", "Max", "Stdev", "CV %",
                    "Delegate call", "Operator time"), "lrrrrrrrrrrrr", rows));
        }

        /** The cold start per experiment, apart from the steady-state statistics above. */
        private static void coldStart(List<Block> d, Model m) {
            List<List<String>> rows = new ArrayList<>();
            for (Exp e : m.exps) {
                JsonNode c = e.raw.path("cold_start");
                if (!c.isObject()) continue;
                List<String> warm = new ArrayList<>();
                for (JsonNode w : list(c, "warmup_ms")) warm.add(ms3(w.asDouble()));
                rows.add(List.of(e.label, ms3(num(c, "first_execution_ms")), ms3(num(c, "load_ms")), ms3(num(c, "load_method_ms")),
                        ms3(num(c, "method_init_ms")), warm.isEmpty() ? "none" : String.join(", ", warm),
                        fin(num(c, "first_vs_steady_median")) ? times(num(c, "first_vs_steady_median")) : "–"));
            }
            if (rows.isEmpty()) return;
            d.add(new Heading(2, "Cold start"));
            d.add(new Para(null, "Time to first inference, kept apart from the steady state: the first execution's Method::execute, "
                    + "the load from the ETDump's Default block (Program::load_method, with Method::init recorded inside it; the "
                    + "sum of the two only when they do not nest), and the warm-up executions "
                    + "left out of the statistics (warmup_in_process of the manifest, or --skip-runs). First / steady = the first "
                    + "execution over the median of the counted ones."));
            d.add(new Table(List.of("Experiment", "First execution", "Load", "load_method", "Method::init", "Warm-up left out (ms)", "First / steady"),
                    "lrrrrlr", rows));
        }

        private static void categories(List<Block> d, Model m) {
            d.add(new Heading(2, "Operator categories"));
            d.add(new Para(null, "Mean ms per run per category; the share is the fraction of operator time (the nine operator "
                    + "categories). DELEGATE_OVERHEAD and RUNTIME_OVERHEAD are time that no operator event accounts for, so they have "
                    + "no share."));
            List<String> head = new ArrayList<>(List.of("Category"));
            StringBuilder align = new StringBuilder("l");
            for (Exp e : m.exps) { head.add(e.label + " ms"); head.add(e.label + " share"); align.append("rr"); }
            List<List<String>> rows = new ArrayList<>();
            for (String c : m.categories) {
                List<String> r = new ArrayList<>(List.of(c));
                for (Exp e : m.exps) { r.add(ms3(val(e.ms.get(c)))); r.add(OVERHEAD.contains(c) ? "–" : pctCell(val(e.share.get(c)))); }
                rows.add(r);
            }
            List<String> op = new ArrayList<>(List.of("Operator time")), dc = new ArrayList<>(List.of("Delegate call")),
                    e2e = new ArrayList<>(List.of("End-to-end mean"));
            for (Exp e : m.exps) {
                op.add(ms3(e.operatorMs)); op.add(e.operatorMs > 0 ? "100.0%" : "–");
                dc.add(ms3(e.delegateMs)); dc.add("–");
                e2e.add(ms3(e.stats.mean)); e2e.add("–");
            }
            rows.add(op);
            rows.add(dc);
            rows.add(e2e);
            d.add(new Table(head, align.toString(), rows));
            d.add(new Heading(3, "Category rules"));
            List<JsonNode> rules = list(m.root, "category_rules");
            if (rules.isEmpty()) {
                d.add(new Para(null, "The summary carries no category rules."));
                return;
            }
            d.add(new Para(null, "Each operator event gets the category of the first rule whose patterns match its name "
                    + "(XNNPACK operator names such as \"Convolution (NHWC, F32) IGEMM\"; portable kernels by their native_call_ "
                    + "name); a name that matches nothing counts as OTHER. The notes say what each rule covers."));
            boolean portable = rules.stream().anyMatch(r -> r.has("portable"));
            List<List<String>> rr = new ArrayList<>();
            for (JsonNode r : rules) {
                List<String> row = new ArrayList<>(List.of(or(str(r, "category"), "–"), joined(r.get("matches"))));
                if (portable) row.add(joined(r.get("portable")));
                row.add(or(str(r, "note"), ""));
                rr.add(row);
            }
            d.add(portable ? new Table(List.of("Category", "XNNPACK name patterns", "Portable kernels", "Note"), "llll", rr)
                    : new Table(List.of("Category", "Name patterns", "Note"), "lll", rr));
        }

        private static String joined(JsonNode n) {
            if (n == null || n.isNull() || n.isMissingNode()) return "–";
            if (!n.isArray()) return n.asText();
            List<String> s = new ArrayList<>();
            n.forEach(x -> s.add(x.asText()));
            return s.isEmpty() ? "–" : String.join(", ", s);
        }

        private static void operators(List<Block> d, Model m) {
            d.add(new Heading(2, "Top operators"));
            d.add(new Para(null, "The " + m.top + " most expensive operators of each experiment, by mean ms per run. Kind "
                    + "\"portable\" = ran outside XNNPACK on ExecuTorch's portable kernels."));
            for (Exp e : m.exps) {
                d.add(new Heading(3, e.cite()));
                if (e.ops.isEmpty()) { d.add(new Para(null, "No operator data.")); continue; }
                List<List<String>> rows = new ArrayList<>();
                for (int i = 0; i < Math.min(m.top, e.ops.size()); i++) {
                    Op o = e.ops.get(i);
                    rows.add(List.of(String.valueOf(i + 1), o.name, or(o.kind, "–"), or(o.category, "–"), count(o.count), ms3(o.ms),
                            pctCell(o.shareDelegate), pctCell(o.shareE2e)));
                }
                d.add(new Table(List.of("Rank", "Operator", "Kind", "Category", "Count/run", "ms/run", "% of delegate", "% of e2e"),
                        "rlllrrrr", rows));
                if (e.ops.size() > m.top) d.add(new Para(null, (e.ops.size() - m.top) + " more operators are in operators.csv."));
            }
        }

        /** The slow events the ETRecord ties to model code (analysis_summary.json experiments[].inspector.model_sources). */
        private static void modelSources(List<Block> d, Model m) {
            boolean any = false;
            for (Exp e : m.exps) any |= e.raw.path("inspector").path("model_sources").size() > 0;
            if (!any) return;
            d.add(new Heading(2, "Model code behind the slow calls"));
            d.add(new Para(null, "From the ETRecord (Inspector's op_types, module_hierarchy and stack_traces): for each slow "
                    + "DELEGATE_CALL the ATen operators and model modules it holds, for each kernel outside a delegate its module "
                    + "and source line. Median ms per run; inspector.csv has every event."));
            for (Exp e : m.exps) {
                JsonNode src = e.raw.path("inspector").path("model_sources");
                if (src.size() == 0) continue;
                d.add(new Heading(3, e.cite()));
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode x : src)
                    rows.add(List.of(or(str(x, "event"), "?"), ms3(x.path("p50_ms").asDouble(Double.NaN)), or(str(x, "backend"), "portable kernels"),
                            joined(x.path("op_types")), joined(x.path("modules")), joined(x.path("source_lines"))));
                d.add(new Table(List.of("Event", "p50 ms", "Runs on", "ATen ops", "Modules", "Source line"), "lrllll", rows));
            }
        }

        private static void kernels(List<Block> d, Model m) {
            d.add(new Heading(2, "SME2 kernel evidence"));
            d.add(new Para(null, "The evidence is the XNNPACK kernel log of the kernel-logging runner (xnntrace mode), per thread "
                    + "count: microkernel names ending in __neonsme2. XNNPACK logs a microkernel when it selects it for a kernel "
                    + "configuration (once per process), so the log shows which microkernels were selected, not that every operator "
                    + "ran them. The ETDump alone cannot show it; operator types such as PF32, QP8 or Pack LH are secondary evidence only."));
            Map<String, String> logsShown = new LinkedHashMap<>();
            for (Exp e : m.exps) {
                d.add(new Heading(3, e.cite()));
                String detail = str(e.raw, "sme2_evidence_detail");
                d.add(new Para("SME2 microkernels selected (kernel log):", switch (e.evidence) {
                    case "yes" -> "yes";
                    case "no" -> "no (no SME2 microkernel in the kernel log)";
                    default -> "unknown (no kernel log; see \"How to find out\" below)";
                }));
                if (detail != null) d.add(new Para("Evidence:", detail));
                JsonNode k = e.raw.path("kernels");
                String log = or(str(k, "log"), str(e.raw, "kernel_log"));
                String from = str(e.raw, "kernel_log_from");
                d.add(new Para("Kernel log:", log == null ? "none" : log + (from == null ? "" : " (borrowed from " + from + ")")));
                if (log != null && logsShown.containsKey(log)) {
                    d.add(new Para(null, "Its microkernels are listed under " + logsShown.get(log) + " above."));
                    secondaryHints(d, e);
                    continue;
                }
                if (log != null) logsShown.put(log, e.label);
                List<String> isas = new ArrayList<>();
                if (k.path("isas").isObject()) k.path("isas").properties().forEach(f -> isas.add(f.getKey() + ": " + f.getValue().asText()));
                if (!isas.isEmpty()) d.add(new Para("Microkernels per ISA:", String.join(", ", isas)));
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode it : list(k, "items"))
                    rows.add(List.of(or(str(it, "category"), "–"), or(str(it, "name"), "–"), or(str(it, "isa"), "–"), count(num(it, "count"))));
                if (!rows.isEmpty()) d.add(new Table(List.of("Kind", "Microkernel", "ISA", "Count"), "lllr", rows));
                secondaryHints(d, e);
            }
            if (m.exps.stream().anyMatch(e -> e.evidence.equals("unknown"))) d.add(new Para("How to find out:", capitalise(PROVE_SME2)));
        }

        // =================================================================================================================
        // Report: kernel per operator (the per-operator attribution of the kernel log, and its on/off join)
        // =================================================================================================================

        /** The thread count of the experiment whose kernel log e borrows (from), when it differs from e's; else null. */
        private static Integer donorThreads(Model m, Exp e, String from) {
            Exp donor = from == null ? null : m.find(from);
            Integer t = donor == null ? null : donor.threads;
            return t != null && e.threads != null && !t.equals(e.threads) ? t : null;
        }

        private static List<Exp> withOperatorKernels(Model m) {
            return m.exps.stream().filter(e -> e.raw.path("operator_kernels").isObject()).toList();
        }

        /** The finding: per experiment, how many operators ran SME2 microkernels and which did not. */
        private static ObjectNode operatorKernelInsight(Model m) {
            List<Exp> with = withOperatorKernels(m);
            if (with.isEmpty()) return null;
            StringBuilder t = new StringBuilder();
            long sme2 = 0;
            Map<String, List<Exp>> byVerdict = new LinkedHashMap<>();
            for (Exp e : with) {
                sme2 += e.raw.get("operator_kernels").path("sme2_operators").asLong();
                byVerdict.computeIfAbsent(or(str(e.raw.get("operator_kernels"), "verdict"), "no verdict"), k -> new ArrayList<>()).add(e);
            }
            int shown = 0;
            for (Map.Entry<String, List<Exp>> v : byVerdict.entrySet()) {
                if (shown++ == 3) { t.append(count(byVerdict.size() - 3, "more verdict is", "more verdicts are")).append(" in the table \"Kernel per operator\". "); break; }
                t.append(labels(v.getValue())).append(": ").append(v.getKey()).append(". ");
            }
            for (JsonNode c : list(m.root, "comparisons")) {
                List<JsonNode> join = list(c, "operator_kernels");
                if (join.isEmpty()) continue;
                long changed = join.stream().filter(x -> x.path("kernel_changed").asBoolean()).count();
                t.append("From ").append(or(str(c, "baseline"), "?")).append(" to ").append(or(str(c, "candidate"), "?")).append(", ")
                        .append(count((int) changed, "operator changed", "operators changed")).append(" kernel. ");
            }
            t.append("The kernel log shows which microkernels XNNPACK selected for each operator; the GEMM tile logged at reshape "
                    + "names a GEMM's kernel, other operators are listed with their candidate kernels.");
            return insight(sme2 > 0 ? "Which operators got SME2 kernels" : "Kernel per operator: no SME2 microkernel", t.toString(), null);
        }

        private static void operatorKernels(List<Block> d, Model m) {
            List<Exp> with = withOperatorKernels(m);
            if (with.isEmpty()) return;
            d.add(new Heading(2, "Kernel per operator"));
            d.add(new Para(null, "Which microkernel each XNNPACK operator instance ran, from the per-operator lines of the kernel "
                    + "log (XNN_LOG_LEVEL 5): a GEMM or IGEMM operator runs the microkernel of the tile chosen at reshape (mr × nr); "
                    + "other operators print no kernel choice, so they are \"ambiguous\" with the microkernels the log announced "
                    + "for their kind. A kernel log shows what XNNPACK selected. Every operator is in operator_kernels.csv."));
            for (Exp e : with) {
                JsonNode ok = e.raw.get("operator_kernels");
                d.add(new Heading(3, e.cite()));
                d.add(new Para("SME2 per operator:", or(str(ok, "verdict"), "–") + "."));
                String from = str(ok, "log_from");
                Integer other = donorThreads(m, e, from);
                d.add(new Para("Kernel log:", or(str(ok, "log"), "–") + (from == null ? "" : " (from " + from + (other == null ? ""
                        : ", which ran at " + count(other, "thread", "threads") + ", not " + e.threads + ": XNNPACK may select other "
                        + "microkernels and tiles at other thread counts") + ")") + "; " + or(str(ok, "match_note"), "")));
                List<JsonNode> ops = new ArrayList<>(list(ok, "operators"));
                ops.sort(Comparator.comparingDouble((JsonNode x) -> fin(num(x, "ms_per_run")) ? -num(x, "ms_per_run") : 0));
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode o : ops.subList(0, Math.min(m.top, ops.size()))) {
                    JsonNode t = o.path("tile");
                    rows.add(List.of(or(str(o, "event"), or(str(o, "xnnpack_operator"), "?")), or(str(o, "category"), "–"),
                            ms3(num(o, "ms_per_run")), pctCell(num(o, "share")), or(str(o, "path"), "–"),
                            t.isObject() ? t.path("mr").asInt() + " × " + t.path("nr").asInt() : "–", kernelCell(o),
                            or(str(o, "isa"), "–"), or(str(o, "sme2"), "–")));
                }
                d.add(new Table(List.of("Operator", "Category", "ms/run", "% of XNNPACK", "Path", "mr × nr", "Microkernel", "ISA", "SME2"),
                        "llrrlllll", rows));
                if (ops.size() > m.top) d.add(new Para(null, (ops.size() - m.top) + " more operators are in operator_kernels.csv."));
                Map<String, double[]> byKernel = new LinkedHashMap<>();
                for (JsonNode o : ops) {
                    double[] v = byKernel.computeIfAbsent(kernelCell(o), k -> new double[2]);
                    v[0]++;
                    if (fin(num(o, "ms_per_run"))) v[1] += num(o, "ms_per_run");
                }
                double total = byKernel.values().stream().mapToDouble(v -> v[1]).sum();
                List<List<String>> kr = new ArrayList<>();
                byKernel.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1])).forEach(x ->
                        kr.add(List.of(x.getKey(), count(x.getValue()[0]), total > 0 ? ms3(x.getValue()[1]) : "–",
                                total > 0 ? pct(x.getValue()[1] / total) : "–")));
                d.add(new Heading(4, "Time per microkernel"));
                d.add(new Table(List.of("Microkernel", "Operators", "ms/run", "% of XNNPACK"), "lrrr", kr));
            }
            for (JsonNode c : list(m.root, "comparisons")) {
                List<JsonNode> join = new ArrayList<>(list(c, "operator_kernels"));
                if (join.isEmpty()) continue;
                d.add(new Heading(3, "Kernel changes: " + or(str(c, "label"), "?")));
                join.sort(Comparator.comparing((JsonNode x) -> !x.path("kernel_changed").asBoolean())
                        .thenComparingDouble(x -> fin(num(x, "delta_ms")) ? num(x, "delta_ms") : 0));
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode x : join.subList(0, Math.min(m.top, join.size())))
                    rows.add(List.of(or(str(x, "operator"), "?"), or(str(x, "before_kernel"), "–"), or(str(x, "after_kernel"), "–"),
                            ms3(num(x, "before_ms")), ms3(num(x, "after_ms")), fin(num(x, "speedup")) ? times(num(x, "speedup")) : "–",
                            or(str(x, "change"), "–")));
                d.add(new Para(null, join.stream().filter(x -> x.path("kernel_changed").asBoolean()).count() + " of " + join.size()
                        + " operators changed kernel from " + or(str(c, "baseline"), "?") + " to " + or(str(c, "candidate"), "?")
                        + " (operators pair by kind and occurrence, whatever their data type). All are in analysis_summary.json."));
                d.add(new Table(List.of("Operator", "Before kernel", "After kernel", "Before ms", "After ms", "Speedup", "Change"), "lllrrrl", rows));
            }
        }

        /** A kernel for a table cell: the name, "skipped", or "ambiguous: a, b, c (+N)". */
        private static String kernelCell(JsonNode o) {
            if (str(o, "kernel") != null) return str(o, "kernel");
            if ("skipped".equals(str(o, "status"))) return "skipped";
            List<String> c = strings(o, "candidates");
            if (c.isEmpty()) return "ambiguous (no candidate in the log)";
            return "ambiguous: " + String.join(", ", c.subList(0, Math.min(3, c.size()))) + (c.size() > 3 ? " (+" + (c.size() - 3) + ")" : "");
        }

        private static void secondaryHints(List<Block> d, Exp e) {
            List<String> hints = strings(e.raw, "secondary_hints");
            if (hints.isEmpty()) return;
            d.add(new Para("Secondary evidence (not proof):", "from the ETDump's operator types."));
            d.add(new Items(false, hints));
        }

        private static void program(List<Block> d, Model m) {
            d.add(new Heading(2, "Program view: delegated vs outside XNNPACK"));
            List<List<String>> rows = new ArrayList<>();
            for (Exp e : m.exps) {
                JsonNode p = e.raw.path("program");
                if (!p.isObject()) continue;
                List<String> outside = strings(p, "outside_delegate");
                rows.add(List.of(e.label, count(or(num(p, "operator_types"), num(p, "operators_total"))), count(num(p, "operator_instances")),
                        count(num(p, "delegated_calls")),
                        strings(p, "backends").isEmpty() ? "–" : String.join(", ", strings(p, "backends")),
                        outside.isEmpty() ? "none" : String.join(", ", outside)));
            }
            if (rows.isEmpty()) d.add(new Para(null, "No program view: the analysis had no .pte file."));
            else {
                d.add(new Para(null, "From the .pte and the ETDump: operator types (distinct operators), operator instances (nodes "
                        + "run per execution), XNNPACK delegate calls per execution, and the operators that stay outside the delegate "
                        + "(they run on portable CPU kernels and cannot use XNNPACK's SME2 microkernels)."));
                d.add(new Table(List.of("Experiment", "Operator types", "Operator instances", "Delegate calls", "Backends", "Outside the delegate"),
                        "lrrrll", rows));
            }
            List<List<String>> measured = new ArrayList<>();
            for (Exp e : m.exps)
                for (Op o : e.ops) if (o.outside()) measured.add(List.of(e.label, o.name, or(o.category, "–"), ms3(o.ms), pctCell(o.shareE2e)));
            if (!measured.isEmpty()) {
                d.add(new Para(null, "Measured operators outside XNNPACK:"));
                d.add(new Table(List.of("Experiment", "Operator", "Category", "ms/run", "% of e2e"), "lllrr", measured));
            }
        }

        private static void comparisons(List<Block> d, Model m) {
            d.add(new Heading(2, "Comparisons"));
            if (m.cmps.isEmpty()) { d.add(new Para(null, "No comparisons in this analysis.")); return; }
            d.add(new Para(null, "Speedup = baseline median / candidate median; the 95% confidence interval comes from the "
                    + "analysis (bootstrap over runs). The noise rule, for end-to-end, categories and operators alike: a change is "
                    + "\"faster\" or \"slower\" only when its 95% CI excludes 1.00 and the absolute change is larger than the noise "
                    + "floor (the larger of " + ms(NOISE_FLOOR_MS) + " ms and " + fmt("%.0f", NOISE_FLOOR_FRACTION * 100)
                    + "% of the baseline); otherwise \"no measurable change\". Categories and operators use the mean ms per run."));
            for (Cmp c : m.cmps) {
                d.add(new Heading(3, c.label));
                Boolean noise = c.noise();
                d.add(new Table(List.of("Item", "Value"), "ll", List.of(
                        List.of("Baseline", m.cite(c.baseline)), List.of("Candidate", m.cite(c.candidate)),
                        List.of("Baseline median", ms3(c.baseMedian) + " ms"), List.of("Candidate median", ms3(c.candMedian) + " ms"),
                        List.of("Speedup (median)", times(c.speedup)),
                        List.of("95% CI", fin(c.lo) && fin(c.hi) ? num2(c.lo) + "–" + num2(c.hi) : "n/a"),
                        List.of("Change (noise rule)", c.change != null ? c.change : noise == null ? "unknown" : noise ? NO_CHANGE : "beyond noise"),
                        List.of("Verdict", or(c.verdict, "–")))));
                d.add(new Heading(4, "Bottleneck shift"));
                List<List<String>> rows = new ArrayList<>();
                for (String k : m.categories) {
                    double b = val(c.msBefore.get(k)), a = val(c.msAfter.get(k));
                    if ((!fin(b) || b == 0) && (!fin(a) || a == 0)) continue;
                    boolean over = OVERHEAD.contains(k);
                    double sb = val(c.shareBefore.get(k)), sa = val(c.shareAfter.get(k));
                    rows.add(List.of(k, ms3(b), ms3(a), fin(a) && fin(b) ? signed3(a - b) : "–", ratio(b, a), or(c.catChange(k), "–"),
                            over ? "–" : pctCell(sb), over ? "–" : pctCell(sa), over || !fin(sa) || !fin(sb) ? "–" : pp(sa - sb)));
                }
                if (rows.isEmpty()) d.add(new Para(null, "No category times for this pair."));
                else d.add(new Table(List.of("Category", "Before ms", "After ms", "Δ ms", "Speedup", "Change", "Share before", "Share after", "Δ share"),
                        "lrrrrlrrr", rows));
                if (!c.deltas.isEmpty()) {
                    d.add(new Heading(4, "Operator deltas"));
                    List<List<String>> od = new ArrayList<>();
                    for (Delta x : c.deltas.subList(0, Math.min(m.top, c.deltas.size())))
                        od.add(List.of(x.name, or(x.category, "–"), ms3(x.before), ms3(x.after), fin(x.delta) ? signed3(x.delta) : "–",
                                fin(x.speedup) ? times(x.speedup) : "–", fin(x.lo) && fin(x.hi) ? num2(x.lo) + "–" + num2(x.hi) : "–",
                                or(x.change, "–")));
                    d.add(new Table(List.of("Operator", "Category", "Before ms", "After ms", "Δ ms", "Speedup", "95% CI", "Change"),
                            "llrrrrrl", od));
                }
            }
        }

        private static void warnings(List<Block> d, Model m) {
            d.add(new Heading(2, "Warnings"));
            List<String> w = new ArrayList<>();
            for (String s : strings(m.root, "warnings")) w.add("analysis: " + s);
            for (JsonNode s : list(m.root, "skipped"))
                w.add("skipped " + or(str(s, "label"), "an experiment") + (str(s, "status") == null ? "" : " (status " + str(s, "status") + ")")
                        + (str(s, "reason") == null ? "" : ": " + str(s, "reason")));
            for (Exp e : m.exps) for (String s : strings(e.raw, "warnings")) w.add(e.label + ": " + s);
            for (Cmp c : m.cmps)
                if (Boolean.TRUE.equals(c.noise())) w.add(c.label + ": no measurable change between "
                        + or(c.baseline, "baseline") + " and " + or(c.candidate, "candidate"));
            if (w.isEmpty()) d.add(new Para(null, "No warnings."));
            else d.add(new Items(false, w));
        }

        private static void perfetto(List<Block> d, Model m) {
            String trace = "trace.json";
            d.add(new Heading(2, "Open the timeline in Perfetto UI"));
            JsonNode runs = m.root.path("options").path("trace_runs");
            d.add(new Para(null, trace + " (Chrome trace-event format, beside this report) holds the ETDump events on a "
                    + "timeline" + (runs.isIntegralNumber() && runs.asInt() > 0 ? ", for the first " + runs.asInt() + " executions of each experiment" : "")
                    + "."));
            d.add(new Items(true, List.of(
                    "Open ui.perfetto.dev in a browser (Chrome, Edge or Firefox).",
                    "Choose \"Open trace file\" in the left menu and select " + trace + " from this folder.",
                    "Each experiment is a process named by its label, and each execution a track (\"run 1\", \"run 2\", …; runs the "
                            + "analysis skipped say \"(skipped)\"), with Method::execute, DELEGATE_CALL and the operator slices nested "
                            + "in time; a slice's category is its operator category.",
                    "Press W / S to zoom and A / D to pan; click a slice to see its duration, or select an area to sum the slices.",
                    "The trace is processed locally in the browser; nothing is uploaded.")));
        }

        // =================================================================================================================
        // Markdown
        // =================================================================================================================

        private static String markdown(List<Block> doc) {
            StringBuilder s = new StringBuilder();
            for (Block b : doc) {
                if (b instanceof Heading h) s.append("#".repeat(h.level)).append(' ').append(md(h.text)).append("\n\n");
                else if (b instanceof Para p)
                    s.append(p.lead == null ? "" : "**" + md(p.lead) + "** ").append(md(p.text)).append("\n\n");
                else if (b instanceof Items it) {
                    int i = 0;
                    for (String x : it.items) s.append(it.ordered ? (++i) + ". " : "- ").append(md(x)).append('\n');
                    s.append('\n');
                } else if (b instanceof Table t) {
                    s.append('|');
                    for (String h : t.head) s.append(' ').append(md(h)).append(" |");
                    s.append("\n|");
                    for (int i = 0; i < t.head.size(); i++) s.append(align(t, i) == 'r' ? "---:|" : "---|");
                    s.append('\n');
                    for (List<String> r : t.rows) {
                        s.append('|');
                        for (int i = 0; i < t.head.size(); i++) s.append(' ').append(i < r.size() ? md(r.get(i)) : "").append(" |");
                        s.append('\n');
                    }
                    s.append('\n');
                } else if (b instanceof Figure f) s.append("![").append(md(f.caption)).append("](").append(f.file).append(")\n\n");
                else if (b instanceof Finding f) {
                    s.append("**Finding ").append(f.number).append(": ").append(md(f.title)).append(".** ").append(md(f.text));
                    if (f.figure != null) s.append(" *Chart: ").append(md(f.figure)).append(".*");
                    s.append("\n\n");
                }
            }
            return s.toString().stripTrailing() + "\n";
        }

        private static char align(Table t, int i) { return i < t.align.length() ? t.align.charAt(i) : 'l'; }

        /** Markdown-escapes plain text (CommonMark backslash escapes; a run of underscores inside a word stays as it is). */
        static String md(String text) {
            String s = clean(text);
            StringBuilder b = new StringBuilder(s.length() + 8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '_') {
                    int end = i;
                    while (end < s.length() && s.charAt(end) == '_') end++;
                    boolean inWord = i > 0 && end < s.length() && Character.isLetterOrDigit(s.charAt(i - 1))
                            && Character.isLetterOrDigit(s.charAt(end));
                    for (; i < end; i++) b.append(inWord ? "_" : "\\_");
                    i--;
                } else {
                    if ("\\`*[]<>|&#".indexOf(c) >= 0) b.append('\\');
                    b.append(c);
                }
            }
            return b.toString();
        }

        // =================================================================================================================
        // HTML (one self-contained page; well-formed XML; no scripts, no external resources)
        // =================================================================================================================

        private static final String CSS = String.join("\n",
                "body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;",
                "       margin: 0; color: #1a1a1a; background: #ffffff; line-height: 1.45; }",
                "main { max-width: 1000px; margin: 0 auto; padding: 24px; }",
                "h1 { font-size: 1.6em; margin-bottom: 0.3em; }",
                "h2 { border-bottom: 1px solid #dddddd; padding-bottom: 4px; margin-top: 2em; }",
                "h3 { margin-top: 1.4em; }",
                ".wide { overflow-x: auto; }",
                "table { border-collapse: collapse; margin: 10px 0 16px 0; font-size: 0.88em; }",
                "th, td { border: 1px solid #d0d0d0; padding: 3px 8px; text-align: left; vertical-align: top; }",
                "th { background: #f2f2f2; }",
                "td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }",
                ".finding { border-left: 4px solid #332288; background: #f6f6fb; padding: 6px 14px; margin: 14px 0; }",
                ".finding h3 { margin: 6px 0 4px 0; font-size: 1.05em; }",
                ".finding p { margin: 4px 0; }",
                ".chart { color: #555555; font-size: 0.9em; }",
                "figure { margin: 16px 0; }",
                "figure svg { max-width: 100%; height: auto; border: 1px solid #eeeeee; }",
                "figcaption { color: #555555; font-size: 0.9em; }",
                "");

        private static String html(String title, List<Block> doc, Map<String, String> charts) {
            StringBuilder s = new StringBuilder();
            s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                    .append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
            for (Block b : doc) {
                if (b instanceof Heading h)
                    s.append("<h").append(h.level).append('>').append(esc(h.text)).append("</h").append(h.level).append(">\n");
                else if (b instanceof Para p)
                    s.append("<p>").append(p.lead == null ? "" : "<strong>" + esc(p.lead) + "</strong> ").append(esc(p.text)).append("</p>\n");
                else if (b instanceof Items it) {
                    String tag = it.ordered ? "ol" : "ul";
                    s.append('<').append(tag).append(">\n");
                    for (String x : it.items) s.append("<li>").append(esc(x)).append("</li>\n");
                    s.append("</").append(tag).append(">\n");
                } else if (b instanceof Table t) {
                    s.append("<div class=\"wide\"><table>\n<thead><tr>");
                    for (int i = 0; i < t.head.size(); i++) s.append(cell("th", t, i, t.head.get(i)));
                    s.append("</tr></thead>\n<tbody>\n");
                    for (List<String> r : t.rows) {
                        s.append("<tr>");
                        for (int i = 0; i < t.head.size(); i++) s.append(cell("td", t, i, i < r.size() ? r.get(i) : ""));
                        s.append("</tr>\n");
                    }
                    s.append("</tbody>\n</table></div>\n");
                } else if (b instanceof Figure f) {
                    String svg = charts.get(f.file);
                    s.append("<figure>\n").append(svg.substring(svg.indexOf("<svg")))
                            .append("<figcaption>").append(esc(f.caption + " (" + f.file + ")")).append("</figcaption>\n</figure>\n");
                } else if (b instanceof Finding f) {
                    s.append("<div class=\"finding\">\n<h3>Finding ").append(f.number).append(": ").append(esc(f.title)).append("</h3>\n<p>")
                            .append(esc(f.text)).append("</p>\n");
                    if (f.figure != null) s.append("<p class=\"chart\">Chart: ").append(esc(f.figure)).append("</p>\n");
                    s.append("</div>\n");
                }
            }
            s.append("</main>\n</body>\n</html>\n");
            return s.toString();
        }

        private static String cell(String tag, Table t, int i, String text) {
            return "<" + tag + (align(t, i) == 'r' ? " class=\"r\">" : ">") + esc(text) + "</" + tag + ">";
        }

        /** HTML/XML escaping of text and attribute values; characters XML forbids become U+FFFD. */
        static String esc(String text) {
            String s = text == null ? "" : text;
            StringBuilder b = new StringBuilder(s.length() + 16);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> b.append("&amp;");
                    case '<' -> b.append("&lt;");
                    case '>' -> b.append("&gt;");
                    case '"' -> b.append("&quot;");
                    case '\'' -> b.append("&#39;");
                    default -> b.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xFFFE || c == 0xFFFF ? '\uFFFD' : c);
                }
            }
            return b.toString();
        }

        // =================================================================================================================
        // SVG charts
        // =================================================================================================================

        /** A tiny SVG writer: body first, header last (the height is known only at the end). */
        private static final class Svg {
            private final StringBuilder body = new StringBuilder();

            Svg rect(double x, double y, double w, double h, String fill, String extra, String tip) {
                body.append("<rect x=\"").append(c(x)).append("\" y=\"").append(c(y)).append("\" width=\"").append(c(Math.max(0, w)))
                        .append("\" height=\"").append(c(Math.max(0, h))).append("\" fill=\"").append(fill).append('"');
                if (extra != null) body.append(' ').append(extra);
                if (tip == null) body.append("/>\n");
                else body.append("><title>").append(esc(tip)).append("</title></rect>\n");
                return this;
            }

            /** attrs: extra attributes, e.g. text-anchor="end" font-size="11". */
            Svg text(double x, double y, String s, String attrs, String tip) {
                body.append("<text x=\"").append(c(x)).append("\" y=\"").append(c(y)).append('"');
                if (attrs != null && !attrs.isEmpty()) body.append(' ').append(attrs);
                body.append('>');
                if (tip != null) body.append("<title>").append(esc(tip)).append("</title>");
                body.append(esc(s)).append("</text>\n");
                return this;
            }

            Svg line(double x1, double y1, double x2, double y2, String stroke, double width) {
                body.append("<line x1=\"").append(c(x1)).append("\" y1=\"").append(c(y1)).append("\" x2=\"").append(c(x2))
                        .append("\" y2=\"").append(c(y2)).append("\" stroke=\"").append(stroke).append("\" stroke-width=\"")
                        .append(c(width)).append("\"/>\n");
                return this;
            }

            Svg path(String d, String fill, String extra, String tip) {
                body.append("<path d=\"").append(d).append("\" fill=\"").append(fill).append('"').append(extra == null ? "" : " " + extra);
                if (tip == null) body.append("/>\n");
                else body.append("><title>").append(esc(tip)).append("</title></path>\n");
                return this;
            }

            Svg circle(double x, double y, double r, String fill, String extra) {
                body.append("<circle cx=\"").append(c(x)).append("\" cy=\"").append(c(y)).append("\" r=\"").append(c(r))
                        .append("\" fill=\"").append(fill).append('"').append(extra == null ? "" : " " + extra).append("/>\n");
                return this;
            }

            String finish(double height, String title, String desc) {
                int h = (int) Math.ceil(height);
                return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + CHART_WIDTH + "\" height=\"" + h
                        + "\" viewBox=\"0 0 " + CHART_WIDTH + " " + h + "\" role=\"img\" aria-label=\"" + esc(title)
                        + "\" font-family=\"sans-serif\" font-size=\"12\">\n"
                        + "<title>" + esc(title) + "</title>\n<desc>" + esc(desc) + "</desc>\n"
                        + "<rect x=\"0\" y=\"0\" width=\"" + CHART_WIDTH + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n"
                        + body + "</svg>\n";
            }
        }

        private static final String GREY = "fill=\"#555555\"";

        private static double header(Svg s, String title, String subtitle) {
            s.text(16, 26, title, "font-size=\"16\" font-weight=\"bold\" fill=\"#1a1a1a\"", null);
            double y = 46;
            for (String line : wrap(subtitle, CHART_WIDTH - 32, 12)) { s.text(16, y, line, "font-size=\"12\" " + GREY, null); y += 16; }
            return y;
        }

        /** Draws a legend of category swatches, wrapping lines; returns the y below it. */
        private static double legend(Svg s, List<String> cats, double y) {
            double x = 16;
            for (String cat : cats) {
                double w = 16 + textWidth(cat, 11) + 18;
                if (x + w > CHART_WIDTH - 16 && x > 16) { x = 16; y += 18; }
                s.rect(x, y, 12, 12, colour(cat), "stroke=\"#555555\" stroke-width=\"0.5\"", null);
                s.text(x + 16, y + 10, cat, "font-size=\"11\" fill=\"#222222\"", null);
                x += w;
            }
            return y + 18;
        }

        private static String categoriesSvg(Model m) {
            Svg s = new Svg();
            double y = header(s, "Where the time goes: operator categories per experiment",
                    "Mean ms per run, stacked in category order: nine operator categories plus delegate and runtime overhead. "
                            + "Source: categories_ms of each experiment.");
            List<String> cats = new ArrayList<>();
            double max = 0;
            for (Exp e : m.exps) {
                double total = 0;
                for (String c : m.categories) {
                    double v = val(e.ms.get(c));
                    if (fin(v) && v > 0) { total += v; if (!cats.contains(c)) cats.add(c); }
                }
                max = Math.max(max, total);
            }
            cats.sort(Comparator.comparingInt(m.categories::indexOf));
            y = legend(s, cats, y + 4) + 8;
            if (max <= 0) {
                s.text(16, y + 20, "No category times recorded in any experiment.", "font-size=\"13\" " + GREY, null);
                return s.finish(y + 40, "Operator categories per experiment: no data", "No category times recorded.");
            }
            double labelW = labelWidth(m.exps.stream().map(Exp::label).toList(), 12, 110, 300);
            double x0 = 16 + labelW, plotW = CHART_WIDTH - x0 - 100;
            double[] ticks = ticks(0, max);
            double scale = plotW / ticks[ticks.length - 1];
            double rowH = 34, top = y, bottom = top + rowH * m.exps.size();
            axis(s, ticks, x0, scale, 0, top, bottom, "ms per run (mean)");
            List<String> desc = new ArrayList<>();
            for (int i = 0; i < m.exps.size(); i++) {
                Exp e = m.exps.get(i);
                double ry = top + i * rowH;
                label(s, e.label, x0 - 8, ry + 21, labelW - 8, 12);
                double x = x0, total = 0;
                for (String c : m.categories) {
                    double v = val(e.ms.get(c));
                    if (!fin(v) || v <= 0) continue;
                    double w = v * scale;
                    String share = OVERHEAD.contains(c) ? "" : ", " + pct(val(e.share.get(c))) + " of operator time";
                    s.rect(x, ry + 6, w, 22, colour(c), "stroke=\"#ffffff\" stroke-width=\"0.5\"", e.label + ": " + c + " " + ms(v) + " ms" + share);
                    String t = ms(v);
                    if (w >= textWidth(t, 11) + 6)
                        s.text(x + w / 2, ry + 21, t, "font-size=\"11\" text-anchor=\"middle\" fill=\"" + ink(colour(c)) + "\"", null);
                    x += w;
                    total += v;
                }
                if (total > 0) {
                    s.text(x + 6, ry + 21, ms(total) + " ms", "font-size=\"11\" font-weight=\"bold\" fill=\"#222222\"", null);
                    desc.add(e.label + " " + ms(total) + " ms");
                } else s.text(x0 + 4, ry + 21, "no category data", "font-size=\"11\" font-style=\"italic\" " + GREY, null);
            }
            return s.finish(bottom + 46, "Operator time by category per experiment (mean ms per run)",
                    "Stacked bars per experiment: " + String.join("; ", desc) + ".");
        }

        private static String operatorsSvg(Model m) {
            Svg s = new Svg();
            double y = header(s, "Top " + m.top + " operators per experiment",
                    "Bar = mean ms per run (one scale for all experiments); label = ms and share of end-to-end latency; colour = "
                            + "category; [portable] = ran outside XNNPACK. Source: operators of each experiment.");
            List<String> cats = new ArrayList<>(), names = new ArrayList<>();
            double max = 0;
            for (Exp e : m.exps)
                for (Op o : e.ops.subList(0, Math.min(m.top, e.ops.size()))) {
                    String c = o.category == null ? "OTHER" : o.category;
                    if (!cats.contains(c)) cats.add(c);
                    names.add(o.name);
                    if (fin(o.ms)) max = Math.max(max, o.ms);
                }
            cats.sort(Comparator.comparingInt((String c) -> m.categories.contains(c) ? m.categories.indexOf(c) : 999).thenComparing(c -> c));
            y = legend(s, cats, y + 4) + 6;
            double nameW = labelWidth(names, 11, 120, 380);
            double x0 = 16 + nameW, plotW = CHART_WIDTH - x0 - 200;
            double scale = max > 0 ? plotW / max : 0;
            for (Exp e : m.exps) {
                int shown = Math.min(m.top, e.ops.size());
                s.text(16, y + 16, e.cite() + ": " + (shown == 0 ? "no operator data" : "top " + shown + " of " + e.ops.size() + " operators"),
                        "font-size=\"13\" font-weight=\"bold\" fill=\"#1a1a1a\"", null);
                y += 24;
                for (Op o : e.ops.subList(0, shown)) {
                    String c = o.category == null ? "OTHER" : o.category;
                    double w = fin(o.ms) ? o.ms * scale : 0;
                    label(s, o.name, x0 - 6, y + 13, nameW - 6, 11);
                    s.rect(x0, y + 3, w, 13, colour(c), null, e.label + ": " + o.name + " (" + c + ") " + ms(o.ms) + " ms per run");
                    String v = ms(o.ms) + " ms" + (fin(o.shareE2e) ? " · " + pct(o.shareE2e) : "") + (o.outside() ? " [portable]" : "");
                    s.text(x0 + w + 6, y + 13, v, "font-size=\"11\" fill=\"#222222\"", null);
                    y += 19;
                }
                y += 10;
            }
            return s.finish(y + 6, "Top " + m.top + " operators per experiment (mean ms per run)",
                    "Horizontal bars of the most expensive operators of each of " + count(m.exps.size(), "experiment", "experiments") + ".");
        }

        private static String latencySvg(Model m) {
            Svg s = new Svg();
            double y = header(s, "End-to-end latency per run", "Method::execute of every timed run. " + (anyHistogram(m)
                    ? "Dots = runs; above " + DOT_LIMIT + " runs a histogram instead (bar height = runs in that interval), "
                    : "Dots = runs, ") + "box = p10 to p90, thick line = median, whiskers = min to max. "
                    + "Source: latency_ms and e2e_ms of each experiment.");
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Exp e : m.exps) {
                for (double v : e.latency) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
                for (double v : new double[] {e.stats.min, e.stats.max, e.stats.p10, e.stats.p90, e.stats.median})
                    if (fin(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            }
            if (!(lo <= hi)) {
                s.text(16, y + 24, "No latency data in any experiment.", "font-size=\"13\" " + GREY, null);
                return s.finish(y + 44, "End-to-end latency per run: no data", "No latency values recorded.");
            }
            double span = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi) * 0.1, 0.001);
            double[] ticks = ticks(lo >= 0 ? Math.max(0, lo - span * 0.05) : lo - span * 0.05, hi + span * 0.05);
            double labelW = labelWidth(m.exps.stream().map(Exp::label).toList(), 12, 110, 260);
            double x0 = 16 + labelW, statsW = 250, plotW = CHART_WIDTH - x0 - statsW - 16;
            double scale = plotW / (ticks[ticks.length - 1] - ticks[0]);
            double rowH = 44, top = y + 8, bottom = top + rowH * m.exps.size();
            axis(s, ticks, x0, scale, ticks[0], top, bottom, "ms per run");
            List<String> desc = new ArrayList<>();
            for (int i = 0; i < m.exps.size(); i++) {
                Exp e = m.exps.get(i);
                Stats st = e.stats;
                double yc = top + i * rowH + rowH / 2;
                label(s, e.label, x0 - 8, yc + 4, labelW - 8, 12);
                double base = ticks[0];
                if (e.latency.length == 0 && !fin(st.median)) {
                    s.text(x0 + 4, yc + 4, "no runs", "font-size=\"11\" font-style=\"italic\" " + GREY, null);
                    continue;
                }
                if (fin(st.min) && fin(st.max)) {
                    double a = x0 + (st.min - base) * scale, b = x0 + (st.max - base) * scale;
                    s.line(a, yc, b, yc, "#666666", 1).line(a, yc - 5, a, yc + 5, "#666666", 1).line(b, yc - 5, b, yc + 5, "#666666", 1);
                }
                if (fin(st.p10) && fin(st.p90))
                    s.rect(x0 + (st.p10 - base) * scale, yc - 9, (st.p90 - st.p10) * scale, 18, "#56B4E9",
                            "fill-opacity=\"0.35\" stroke=\"#0072B2\" stroke-width=\"1\"", e.label + ": p10 " + ms(st.p10) + " ms, p90 " + ms(st.p90) + " ms");
                if (e.latency.length > DOT_LIMIT) histogram(s, e.latency, x0, base, scale, plotW, yc);
                else for (int j = 0; j < e.latency.length; j++)
                    s.circle(x0 + (e.latency[j] - base) * scale, yc + ((j * 7) % 9 - 4) * 1.6, 2.2, "#0072B2", "fill-opacity=\"0.7\"");
                if (fin(st.median)) {
                    double xm = x0 + (st.median - base) * scale;
                    s.line(xm, yc - 12, xm, yc + 12, "#000000", 2.5);
                }
                double sx = CHART_WIDTH - statsW;
                s.text(sx, yc - 2, "median " + ms(st.median) + " ms · p10 " + ms(st.p10) + " · p90 " + ms(st.p90), "font-size=\"11\" fill=\"#222222\"", null);
                s.text(sx, yc + 13, "n = " + (st.n < 0 ? "?" : st.n) + " · CV " + (fin(st.cv) ? fmt("%.1f", st.cv) + "%" : "n/a")
                        + (e.traceMode() ? " · xnntrace (logging on)" : ""), "font-size=\"11\" " + GREY, null);
                desc.add(e.label + " median " + ms(st.median) + " ms");
            }
            return s.finish(bottom + 46, "End-to-end latency per run per experiment",
                    (anyHistogram(m) ? "Strip or histogram" : "Strip") + " and box plot per experiment: " + String.join("; ", desc) + ".");
        }

        /**
         * Above this many runs an experiment's latency row is a histogram instead of one dot per run: dots stay readable
         * (and the files small) up to a few hundred; 30,000 dots made latency.svg and report.html 2.2 MB each. The
         * statistics drawn with it (median, p10/p90 box, min/max, n, CV) are those of the summary, from every run.
         */
        static final int DOT_LIMIT = 500;

        private static boolean anyHistogram(Model m) { return m.exps.stream().anyMatch(e -> e.latency.length > DOT_LIMIT); }

        /** One path of bars, one per HISTOGRAM_PX pixels of the axis, heights relative to the fullest bin (at least 1 px when not empty). */
        private static void histogram(Svg s, double[] lat, double x0, double base, double scale, double plotW, double yc) {
            int bins = Math.max(1, (int) (plotW / HISTOGRAM_PX));
            double binMs = plotW / scale / bins;
            int[] count = new int[bins];
            for (double v : lat) {
                if (!Double.isFinite(v)) continue;
                count[Math.min(bins - 1, Math.max(0, (int) ((v - base) / binMs)))]++;
            }
            int max = Arrays.stream(count).max().orElse(0);
            if (max == 0) return;
            double full = 18, floor = yc + 9;
            StringBuilder d = new StringBuilder();
            for (int b = 0; b < bins; b++) {
                if (count[b] == 0) continue;
                double h = Math.max(1, full * count[b] / max);
                d.append('M').append(c(x0 + b * HISTOGRAM_PX)).append(' ').append(c(floor)).append('v').append(c(-h))
                        .append('h').append(c(HISTOGRAM_PX)).append('v').append(c(h)).append('z');
            }
            s.path(d.toString(), "#0072B2", "fill-opacity=\"0.75\"", lat.length + " runs in " + bins + " bins of " + ms3(binMs) + " ms");
        }

        private static final double HISTOGRAM_PX = 3;

        private static String comparisonSvg(Model m) {
            Svg s = new Svg();
            double y = header(s, "Category time before and after, per comparison",
                    "Pale bar = baseline, solid bar = candidate (mean ms per run). Right: share of operator time before → after, "
                            + "and the category's speedup, or \"within noise\" when the noise rule finds no measurable change. "
                            + "Source: category_ms_before / _after and category_changes of each comparison.");
            double catW = 150, x0 = 16 + catW, rightX = CHART_WIDTH - 230, plotW = rightX - x0 - 70;
            List<String> titles = new ArrayList<>();
            for (Cmp c : m.cmps) {
                String verdict = verdictLine(c);
                titles.add(c.label + ": " + verdict);
                y += 12;
                double lineW = CHART_WIDTH - 32;
                s.text(16, y + 14, fit(c.label, lineW, 14), "font-size=\"14\" font-weight=\"bold\" fill=\"#1a1a1a\"", null);
                s.text(16, y + 32, fit(or(c.candidate, "candidate") + " vs " + or(c.baseline, "baseline") + ": " + verdict, lineW, 12),
                        "font-size=\"12\" fill=\"#222222\"", null);
                y += 44;
                String base = fit("baseline: " + m.cite(c.baseline), rightX - 80, 11);
                String cand = fit("candidate: " + m.cite(c.candidate), rightX - 80, 11);
                s.rect(16, y, 12, 12, "#888888", "fill-opacity=\"0.35\" stroke=\"#888888\"", null);
                s.text(32, y + 10, base, "font-size=\"11\" fill=\"#222222\"", null);
                double lx = 32 + textWidth(base, 11) + 24;
                if (lx + 16 + textWidth(cand, 11) > rightX - 10) { lx = 16; y += 18; }
                s.rect(lx, y, 12, 12, "#888888", null, null);
                s.text(lx + 16, y + 10, cand, "font-size=\"11\" fill=\"#222222\"", null);
                s.text(rightX, y + 10, "share before → after · speedup", "font-size=\"11\" " + GREY, null);
                y += 20;
                double max = 0;
                List<String> cats = new ArrayList<>();
                for (String k : m.categories) {
                    double b = val(c.msBefore.get(k)), a = val(c.msAfter.get(k));
                    if ((fin(b) && b > 0) || (fin(a) && a > 0)) {
                        cats.add(k);
                        max = Math.max(max, Math.max(fin(b) ? b : 0, fin(a) ? a : 0));
                    }
                }
                if (cats.isEmpty()) {
                    s.text(x0, y + 14, "no category times for this pair", "font-size=\"11\" font-style=\"italic\" " + GREY, null);
                    y += 28;
                    continue;
                }
                double scale = plotW / max;
                for (String k : cats) {
                    double b = val(c.msBefore.get(k)), a = val(c.msAfter.get(k));
                    String col = colour(k);
                    s.text(x0 - 8, y + 17, k, "font-size=\"11\" text-anchor=\"end\" fill=\"#222222\"", null);
                    double wb = fin(b) ? b * scale : 0, wa = fin(a) ? a * scale : 0;
                    s.rect(x0, y + 4, wb, 10, col, "fill-opacity=\"0.35\" stroke=\"" + col + "\" stroke-width=\"1\"",
                            k + " before (" + or(c.baseline, "baseline") + "): " + ms(b) + " ms");
                    s.text(x0 + wb + 5, y + 13, ms(b), "font-size=\"10\" " + GREY, null);
                    s.rect(x0, y + 16, wa, 10, col, null, k + " after (" + or(c.candidate, "candidate") + "): " + ms(a) + " ms");
                    s.text(x0 + wa + 5, y + 25, ms(a) + " ms", "font-size=\"10\" fill=\"#222222\"", null);
                    String judged = c.catChange(k);
                    String right = (OVERHEAD.contains(k) ? "overhead" : pct(val(c.shareBefore.get(k))) + " → " + pct(val(c.shareAfter.get(k))))
                            + " · " + (NO_CHANGE.equals(judged) ? "within noise" : change(b, a));
                    s.text(rightX, y + 19, right, "font-size=\"11\" fill=\"#222222\"", null);
                    y += 30;
                }
                y += 6;
            }
            return s.finish(y + 12, "Category time before and after: " + String.join("; ", titles),
                    "Paired bars per category for each comparison.");
        }

        /** "2.00x faster (95% CI 1.90–2.10)", "no measurable change: 1.01x (95% CI 0.97–1.05)". */
        private static String verdictLine(Cmp c) {
            String ci = c.ci() == null ? "no CI" : c.ci();
            Boolean noise = c.noise();
            if (!fin(c.speedup)) return "no result";
            if (Boolean.TRUE.equals(noise)) return "no measurable change: " + times(c.speedup) + " (" + ci + ")";
            if (noise == null) return times(c.speedup) + " (" + ci + ", confidence unknown)";
            return c.speedup >= 1 ? times(c.speedup) + " faster (" + ci + ")" : times(1 / c.speedup) + " slower (speedup " + times(c.speedup) + ", " + ci + ")";
        }

        /** Vertical grid lines with tick labels below the rows, and an axis title. */
        private static void axis(Svg s, double[] ticks, double x0, double scale, double origin, double top, double bottom, String title) {
            int decimals = decimals(ticks.length > 1 ? ticks[1] - ticks[0] : 1);
            for (double t : ticks) {
                double x = x0 + (t - origin) * scale;
                s.line(x, top, x, bottom, "#e3e3e3", 1);
                s.text(x, bottom + 15, fmt("%." + decimals + "f", t), "font-size=\"11\" text-anchor=\"middle\" " + GREY, null);
            }
            s.line(x0, bottom, x0 + (ticks[ticks.length - 1] - origin) * scale, bottom, "#999999", 1);
            s.text(x0 + (ticks[ticks.length - 1] - origin) * scale / 2, bottom + 33, title, "font-size=\"11\" text-anchor=\"middle\" " + GREY, null);
        }

        /** A right-aligned label, shortened with an ellipsis (full text as a tooltip) when wider than maxW. */
        private static void label(Svg s, String text, double x, double y, double maxW, double size) {
            String shown = fit(text, maxW, size);
            s.text(x, y, shown, "font-size=\"" + c(size) + "\" text-anchor=\"end\" fill=\"#222222\"", shown.equals(text) ? null : text);
        }

        /** Nice axis ticks from lo to hi (1, 2, 2.5, 5 × 10^k steps), covering both ends. */
        private static double[] ticks(double lo, double hi) {
            double span = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi), 1e-6);
            double raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), norm = raw / mag;
            double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
            long first = (long) Math.floor(lo / step + 1e-9), last = (long) Math.ceil(hi / step - 1e-9);
            if (last <= first) last = first + 1;
            double[] t = new double[(int) (last - first + 1)];
            for (int i = 0; i < t.length; i++) t[i] = (first + i) * step;
            return t;
        }

        private static int decimals(double step) {
            for (int d = 0; d < 7; d++) if (Math.abs(step * Math.pow(10, d) - Math.rint(step * Math.pow(10, d))) < 1e-6) return d;
            return 6;
        }

        private static String colour(String category) { return COLOURS.getOrDefault(category, UNKNOWN_COLOUR); }

        /** Black or white text, whichever reads better on the fill. */
        private static String ink(String hex) {
            int r = Integer.parseInt(hex.substring(1, 3), 16), g = Integer.parseInt(hex.substring(3, 5), 16), b = Integer.parseInt(hex.substring(5, 7), 16);
            return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#000000" : "#ffffff";
        }

        /** Estimated rendered width of text in a sans-serif font (DejaVu-like metrics, slightly generous). */
        static double textWidth(String s, double size) {
            double w = 0;
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if ("il.,:;'|!()[] /".indexOf(ch) >= 0) w += 0.34;
                else if (ch == 'm' || ch == 'w' || ch == 'M' || ch == 'W') w += 0.9;
                else if (Character.isUpperCase(ch) || Character.isDigit(ch) || ch == '_') w += 0.68;
                else w += 0.58;
            }
            return w * size;
        }

        private static double labelWidth(List<String> labels, double size, double min, double max) {
            double w = min - 16;
            for (String l : labels) w = Math.max(w, textWidth(l, size));
            return Math.min(max, w + 16);
        }

        private static String fit(String s, double maxW, double size) {
            if (textWidth(s, size) <= maxW) return s;
            int n = s.length();
            while (n > 1 && textWidth(s.substring(0, n) + "…", size) > maxW) n--;
            return s.substring(0, n) + "…";
        }

        private static List<String> wrap(String text, double maxW, double size) {
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (String word : text.split(" ")) {
                if (line.length() > 0 && textWidth(line + " " + word, size) > maxW) { lines.add(line.toString()); line.setLength(0); }
                if (line.length() > 0) line.append(' ');
                line.append(word);
            }
            if (line.length() > 0) lines.add(line.toString());
            return lines;
        }

        // =================================================================================================================
        // Formatting and small helpers
        // =================================================================================================================

        static boolean fin(Double v) { return v != null && Double.isFinite(v); }

        private static double val(Double v) { return v == null ? Double.NaN : v; }

        private static double or(double v, double fallback) { return Double.isFinite(v) ? v : fallback; }

        private static String or(String v, String fallback) { return v == null || v.isBlank() ? fallback : v; }

        /** String.format with Locale.ROOT and no negative zero. */
        static String fmt(String pattern, double v) {
            String s = String.format(Locale.ROOT, pattern, v);
            if (s.startsWith("-") && s.chars().skip(1).allMatch(ch -> ch == '0' || ch == '.')) s = s.substring(1);
            return s;
        }

        /** Milliseconds for prose and chart labels. */
        static String ms(double v) {
            if (!Double.isFinite(v)) return "n/a";
            double a = Math.abs(v);
            return fmt(a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : a >= 0.01 || a == 0 ? "%.3f" : "%.4f", v);
        }

        /** Milliseconds for tables: microsecond resolution (XNNPACK reports whole microseconds). */
        static String ms3(double v) { return Double.isFinite(v) ? fmt("%.3f", v) : "–"; }

        private static String signed3(double v) {
            String s = fmt("%.3f", v);
            return v > 0 && !s.equals("0.000") ? "+" + s : s;
        }

        static String pct(double fraction) { return Double.isFinite(fraction) ? fmt("%.1f", fraction * 100) + "%" : "n/a"; }

        private static String pctCell(double fraction) { return Double.isFinite(fraction) ? pct(fraction) : "–"; }

        static String times(double v) { return Double.isFinite(v) ? fmt("%.2f", v) + "x" : "n/a"; }

        private static String num2(double v) { return fmt("%.2f", v); }

        /** A share difference in percentage points: "+21.7 pp", "-35.0 pp". */
        static String pp(double deltaFraction) {
            String s = fmt("%.1f", Math.abs(deltaFraction * 100));
            return s.equals("0.0") ? "0.0 pp" : (deltaFraction > 0 ? "+" : "-") + s + " pp";
        }

        /** before/after as "3.10x", or "new" / "gone" / "–" (also when both are below 1 µs, XNNPACK's resolution). */
        private static String ratio(double before, double after) {
            if (!fin(before) || !fin(after) || Math.max(before, after) < 0.001) return "–";
            if (before > 0 && after > 0) return times(before / after);
            if (before > 0) return "gone";
            if (after > 0) return "new";
            return "–";
        }

        /** before → after in words: "4.00x faster", "3.20x slower", "unchanged", "new", "gone", "below 1 µs". */
        private static String change(double before, double after) {
            if (fin(before) && fin(after) && Math.max(before, after) < 0.001) return "below 1 µs";
            if (!fin(before) || !fin(after) || before <= 0 || after <= 0) return ratio(before, after);
            double r = before / after;
            return r >= 1.005 ? times(r) + " faster" : r <= 1 / 1.005 ? times(1 / r) + " slower" : "unchanged";
        }

        /** A count: whole numbers without decimals, others with two; "–" when absent. */
        private static String count(double v) {
            if (!Double.isFinite(v)) return "–";
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : fmt("%.2f", v);
        }

        private static String count(int n, String one, String many) { return n + " " + (n == 1 ? one : many); }

        private static String capitalise(String s) {
            return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }

        private static String c(double v) { return fmt("%.1f", v); }

        /** path relative to dir when it lies inside dir, else path as it is (null stays null). */
        private static String relative(String path, String dir) {
            if (path == null || dir == null || dir.isEmpty()) return path;
            String d = dir.endsWith("/") ? dir : dir + "/";
            return path.startsWith(d) && path.length() > d.length() ? path.substring(d.length()) : path;
        }

        private static String fileName(String path) {
            int i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
            return i >= 0 && i + 1 < path.length() ? path.substring(i + 1) : path;
        }

        /** Control characters (other than tab) become spaces; line breaks too (one line per cell or paragraph). */
        private static String clean(String s) {
            if (s == null) return "";
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                b.append(c < 0x20 || c == 0x7F ? ' ' : c);
            }
            return b.toString();
        }

        private static String str(JsonNode n, String field) {
            JsonNode v = n == null ? null : n.get(field);
            if (v == null || v.isNull() || v.isMissingNode()) return null;
            return v.isValueNode() ? v.asText() : v.toString();
        }

        private static double num(JsonNode n, String field) {
            JsonNode v = n == null ? null : n.get(field);
            return v != null && v.isNumber() && Double.isFinite(v.asDouble()) ? v.asDouble() : Double.NaN;
        }

        private static List<JsonNode> list(JsonNode n, String field) {
            JsonNode v = n == null ? null : n.get(field);
            List<JsonNode> out = new ArrayList<>();
            if (v != null && v.isArray()) v.forEach(out::add);
            return out;
        }

        private static List<String> strings(JsonNode n, String field) {
            List<String> out = new ArrayList<>();
            for (JsonNode x : list(n, field)) if (x.isValueNode() && !x.isNull()) out.add(x.asText());
            return out;
        }
    }
}
