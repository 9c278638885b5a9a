///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//SOURCES AnalyzeResults.java
//DESCRIPTION Merges many run folders (machines, phones, ExecuTorch versions) into one table (CSV, JSON Lines) and an HTML report; with --baseline/--candidate, a CI regression gate.

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

@Command(name = "CompareRuns", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Merges any number of pipeline run folders (from many machines, phones and ExecuTorch versions) into one comparison, "
                        + "and gates a CI job on regressions.",
                "",
                "RUN is a run folder, a glob (quote it: 'artifacts/*/run-*'), or a folder holding run folders at any depth (such as "
                        + "the downloaded artifacts of a CI matrix). Each run folder's manifest.json and analysis/analysis_summary.json "
                        + "are read; a folder whose summary is missing or stale (another run, status or result set than its manifest) "
                        + "is analysed first with AnalyzeResults, in-process. A current summary is read as is: no ETDump is parsed again.",
                "",
                "Writes into --out: fleet.csv and fleet.jsonl (one row per run folder, experiment and thread count; schema "
                        + "'fleet_row' version 1, described in README.md), fleet-report.html (per model: a device x variant matrix of "
                        + "medians with 95%% CIs, the SME2 speedup per device, trends across ExecuTorch SHAs and dates, category shifts; "
                        + "rows of different model files or dtypes are never compared, and the report says why).",
                "",
                "With --baseline and --candidate it is a regression gate: rows are matched by model, device, variant and threads; "
                        + "a row regressed when the candidate is slower with the 95%% bootstrap CI of the median speedup below 1 (the "
                        + "noise rule of AnalyzeResults' comparisons) AND by more than --threshold. Writes gate.md (a markdown summary "
                        + "for a CI job summary) and gate.json.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/CompareRuns.java runs/mac runs/android --out out/fleet",
                "  jbang scripts/CompareRuns.java 'artifacts/*/' --out out/fleet --json",
                "  jbang scripts/CompareRuns.java --baseline baseline-runs --candidate artifacts --threshold 5 --summary-md out/gate-summary.md",
                "  jbang scripts/CompareRuns.java runs --dry-run        (which folders, which would be analysed first)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:table and report written; with a gate: nothing regressed",
                "1:the gate found a regression (or a candidate experiment failed where its baseline ran)",
                "2:bad input or usage (no run folder found, an unreadable manifest or summary; the message names the file)"})
public class CompareRuns implements Callable<Integer> {
    static final String VERSION = "0.1.0";
    static final int ROW_SCHEMA_VERSION = 1;
    static final int MAX_DEPTH = 8;
    private final Kit.Io io;

    CompareRuns(Kit.Io io) { this.io = io; }

    @Parameters(paramLabel = "RUN", arity = "0..*", description = "run folders, globs, or folders that hold run folders (the fleet to merge)")
    List<String> runs = new ArrayList<>();

    @Option(names = "--baseline", arity = "1..*", paramLabel = "RUN", description = "gate: the baseline's run folders, globs or folders (e.g. the last nightly)")
    List<String> baseline = new ArrayList<>();

    @Option(names = "--candidate", arity = "1..*", paramLabel = "RUN", description = "gate: the candidate's run folders, globs or folders (e.g. this job's artifacts)")
    List<String> candidate = new ArrayList<>();

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "5", description = "gate: a slowdown counts as a regression only above this many percent (and outside the CI); default: ${DEFAULT-VALUE}")
    double threshold;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/fleet", description = "output folder (files in it are replaced atomically); default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--summary-md", paramLabel = "FILE", description = "also append the markdown summary to FILE (e.g. \"$GITHUB_STEP_SUMMARY\")")
    Path summaryMd;

    @Option(names = "--no-analysis", description = "never run AnalyzeResults: a folder without a current summary is reported and left out")
    boolean noAnalysis;

    @Option(names = "--json", description = "print the result (rows count, gate verdicts, files) as JSON on stdout; progress goes to stderr")
    boolean json;

    @Option(names = "--dry-run", description = "print the run folders found and the AnalyzeResults commands it would run; analyse and write nothing")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new CompareRuns(io), args);
    }

    // =====================================================================================================================
    // The flat table: one row per (run folder, experiment, thread count)
    // =====================================================================================================================

    static final List<String> SHARE_CATEGORIES = AnalyzeResults.CATEGORIES.subList(0, AnalyzeResults.OP_CATEGORIES);

    /** The columns of fleet.csv and the keys of fleet.jsonl, in order (schema 'fleet_row' version 1). */
    static final List<String> COLUMNS;

    static {
        List<String> c = new ArrayList<>(List.of("schema_version", "run_id", "run_dir", "role", "tool", "run_status", "timestamp",
                "model", "model_file", "model_sha256", "dtype", "platform", "device", "device_model", "device_soc", "device_sme2",
                "os", "arch", "cpu", "executorch_sha", "executorch_dirty", "experiment", "variant", "sme2_flag", "threads", "mode",
                "status", "reason", "runs", "skip_runs", "median_ms", "median_ci95_low", "median_ci95_high", "p10_ms", "p90_ms",
                "mean_ms", "min_ms", "max_ms", "cv_percent", "cold_start_first_ms", "cold_start_load_ms", "warmup_in_process",
                "warmup_skipped"));
        for (String k : SHARE_CATEGORIES) c.add("share_" + k.toLowerCase(Locale.ROOT));
        c.addAll(List.of("sme2_evidence", "summary_generated_at"));
        COLUMNS = List.copyOf(c);
    }

    static final Map<String, Integer> COLUMN_INDEX = new HashMap<>();

    static {
        for (int i = 0; i < COLUMNS.size(); i++) COLUMN_INDEX.put(COLUMNS.get(i), i);
    }

    static int col(String k) {
        Integer i = COLUMN_INDEX.get(k);
        if (i == null) throw new IllegalArgumentException("no column " + k);
        return i;
    }

    /** One row: values in COLUMNS order; latency holds the used per-execution latencies (kept for CIs and the gate, not written). */
    record Row(Object[] values, double[] latency) {
        Object get(String k) { return values[col(k)]; }
        void put(String k, Object v) { values[col(k)] = v; }
        String str(String k) { Object v = get(k); return v == null ? null : v.toString(); }
        Double num(String k) { return get(k) instanceof Number n ? n.doubleValue() : null; }
        Integer threads() { return get("threads") instanceof Number n ? n.intValue() : null; }
        boolean ok() { return "ok".equals(get("status")); }
        /** What the gate matches on: model name, device, variant, threads, mode (dtype and model file are checked, never matched over). */
        String matchKey() { return String.join("|", str("model"), str("device"), str("variant"), str("threads"), str("mode")); }
        String cellLabel() { return str("variant") + " t" + str("threads"); }
    }

    // =====================================================================================================================
    // Discovery: paths, globs and folders of artifacts
    // =====================================================================================================================

    /** Every run folder (a folder holding manifest.json) named by the arguments, in a stable order, each once. */
    static List<Path> discover(List<String> args, String option) {
        Set<Path> found = new java.util.LinkedHashSet<>();
        for (String a : args) {
            List<Path> hits = new ArrayList<>();
            for (Path p : expand(a)) collect(p, hits);
            if (hits.isEmpty())
                throw Kit.UserError.badInput(option + " " + a + ": no run folder (a folder holding manifest.json) found there",
                        "pass run folders written by MacPipeline or AndroidPipeline, a quoted glob such as 'artifacts/*/', or the folder that holds them");
            hits.sort(Comparator.comparing(Path::toString));
            found.addAll(hits);
        }
        return List.copyOf(found);
    }

    private static boolean isGlob(String s) { return s.chars().anyMatch(ch -> "*?[{".indexOf(ch) >= 0); }

    private static List<Path> expand(String arg) {
        if (!isGlob(arg)) {   // a folder the user names through a symbolic link (runs/latest, a mounted folder) is meant: read its target
            Path p = Path.of(arg).toAbsolutePath().normalize();
            try {
                return List.of(Files.isSymbolicLink(p) && Files.isDirectory(p) ? p.toRealPath() : p);
            } catch (IOException e) {
                throw Kit.UserError.badInput(p + ": cannot follow the link (" + e.getMessage() + ")", "name the folder it points to");
            }
        }
        String norm = arg.replace('\\', '/');
        int cut = 0;
        String[] parts = norm.split("/");
        StringBuilder base = new StringBuilder(norm.startsWith("/") ? "/" : "");
        for (String part : parts) {
            if (part.isEmpty()) continue;
            if (isGlob(part)) break;
            base.append(part).append('/');
            cut++;
        }
        Path root = Path.of(base.length() == 0 ? "." : base.toString()).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) return List.of();
        String pattern = root.toString().replace('\\', '/') + "/" + String.join("/", Arrays.copyOfRange(Arrays.stream(parts)
                .filter(x -> !x.isEmpty()).toArray(String[]::new), cut, (int) Arrays.stream(parts).filter(x -> !x.isEmpty()).count()));
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern.replaceAll("/+$", ""));
        int depth = pattern.contains("**") ? MAX_DEPTH : (int) Arrays.stream(parts).filter(x -> !x.isEmpty()).count() - cut;
        try (Stream<Path> s = Files.walk(root, depth)) {
            return s.filter(p -> m.matches(p)).sorted().toList();
        } catch (IOException e) {
            throw Kit.UserError.badInput(root + ": cannot list (" + e.getMessage() + ")", "check the glob and the folder's permissions");
        }
    }

    /** p itself when it is a run folder, else the run folders below it (not below a run folder; symbolic links are not followed). */
    private static void collect(Path p, List<Path> hits) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(p) && p.getFileName().toString().equals("manifest.json")) collect(p.getParent(), hits);
            return;
        }
        if (Files.isRegularFile(p.resolve("manifest.json"), LinkOption.NOFOLLOW_LINKS)) { hits.add(p); return; }
        try {
            Files.walkFileTree(p, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                    if (Files.isRegularFile(d.resolve("manifest.json"), LinkOption.NOFOLLOW_LINKS)) {
                        hits.add(d);
                        return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw Kit.UserError.badInput(p + ": cannot list (" + e.getMessage() + ")", "check the folder's permissions");
        }
    }

    // =====================================================================================================================
    // Reading a run folder: manifest, summary (analysed first when missing or stale), all paths confined to the folder
    // =====================================================================================================================

    /** Why a summary cannot be used as is (missing, stale, unreadable), or null when it is current. */
    static String staleness(JsonNode manifest, Summary s) {
        if (s == null) return "no analysis/analysis_summary.json";
        if (s.schemaVersion() != AnalyzeResults.SCHEMA_VERSION)
            return "summary schema_version " + s.schemaVersion() + " (this tool reads " + AnalyzeResults.SCHEMA_VERSION + ")";
        if (!Objects.equals(s.runGeneratedAt(), manifest.path("generated_at").asText(null)))
            return "summary made for the manifest of " + s.runGeneratedAt() + ", the manifest is of " + manifest.path("generated_at").asText(null);
        if (!Objects.equals(s.runStatus(), manifest.path("status").asText(null)))
            return "summary made for status " + s.runStatus() + ", the run is now " + manifest.path("status").asText(null);
        for (JsonNode r : manifest.path("results"))
            if ("ok".equals(r.path("status").asText()) && !s.experiments().containsKey(label(r)))
                return "result " + label(r) + " is ok in the manifest but not in the summary";
        return null;
    }

    static String label(JsonNode r) {
        return r.path("experiment").asText("") + "/t" + (r.path("threads").isIntegralNumber() ? r.get("threads").asInt() : "?");
    }

    /** The parts of analysis_summary.json a fleet row needs (operators, kernels, Inspector rows are skipped unread). */
    record Summary(int schemaVersion, String generatedAt, String runGeneratedAt, String runStatus, Map<String, JsonNode> experiments) {}

    static final JsonFactory FACTORY = Kit.JSON.getFactory();
    static final Set<String> EXPERIMENT_KEEP = Set.of("label", "experiment", "threads", "mode", "runs_total", "skip_runs", "latency_ms",
            "e2e_ms", "category_share", "sme2_evidence", "cold_start", "warmup_skipped");

    /** Streams the summary: big members (operators, kernels, inspector, program, comparisons …) are skipped without building them. */
    static Summary readSummary(Path file) {
        int version = -1;
        String gen = null, runGen = null, runStatus = null;
        Map<String, JsonNode> exps = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            p.setCodec(Kit.JSON);
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "schema_version" -> version = p.getValueAsInt(-1);
                    case "generated_at" -> gen = p.getValueAsString();
                    case "run" -> {
                        if (t != JsonToken.START_OBJECT) { p.skipChildren(); break; }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            if (k.equals("generated_at")) runGen = p.getValueAsString();
                            else if (k.equals("status")) runStatus = p.getValueAsString();
                            else p.skipChildren();
                        }
                    }
                    case "experiments" -> {
                        if (t != JsonToken.START_ARRAY) { p.skipChildren(); break; }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            ObjectNode e = Kit.object();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String k = p.currentName();
                                p.nextToken();
                                if (EXPERIMENT_KEEP.contains(k)) e.set(k, p.readValueAsTree());
                                else p.skipChildren();
                            }
                            exps.put(e.path("label").asText(""), e);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw Kit.UserError.badInput(file + ": unreadable summary (" + Kit.cut(String.valueOf(e.getMessage()).lines().findFirst().orElse("")) + ")",
                    "delete it and run again: the run folder is analysed anew");
        }
        return new Summary(version, gen, runGen, runStatus, exps);
    }

    /** A run folder as read: its manifest, its summary (null when it could not be made), and why it was (re)analysed. */
    record Folder(Path dir, String runId, String role, String analysed, String problem) {}

    /** A folder as first read: its manifest, its summary when current, why not otherwise (trees are dropped once rows are made). */
    record Loaded(Path dir, String runId, String role, JsonNode manifest, Summary summary, String stale, String problem) {}

    /** Run ids: each folder's path below the folders' common ancestor (unique across machines, e.g. run-mac-1/runs/20261101-…). */
    static Map<Path, String> runIds(java.util.Collection<Path> dirs) {
        Path common = null;
        for (Path d : dirs) {
            Path parent = d.getParent() == null ? d : d.getParent();
            if (common == null) common = parent;
            while (common != null && !d.startsWith(common)) common = common.getParent();
        }
        Map<Path, String> ids = new LinkedHashMap<>();
        for (Path d : dirs) ids.put(d, common == null ? d.toString() : common.relativize(d).toString().replace('\\', '/'));
        return ids;
    }

    /** Reads a folder's manifest and, when it exists and is current, its summary; never analyses (safe to run in parallel). */
    private static Loaded load(Path dir, String runId, String role) {
        Path mf = dir.resolve("manifest.json");
        JsonNode m = Kit.readJson(mf);
        if (!m.isObject() || !m.path("results").isArray())
            throw Kit.UserError.badInput(mf + ": $.results: missing or not a list", "pass a run folder written by MacPipeline or AndroidPipeline");
        Kit.Inside in = Kit.inside(dir, "analysis/analysis_summary.json");
        Path sf = in.path();
        if (sf == null) return new Loaded(dir, runId, role, m, null, null, in.why().contains("symbolic link")
                ? "analysis/ leads outside the run folder (a symbolic link): not read (" + in.why() + ")" : in.why() + ": not read");
        Summary s = Files.isRegularFile(sf) ? readSummaryOrNull(sf) : null;
        String why = staleness(m, s);
        if (why == null) return new Loaded(dir, runId, role, m, s, null, null);
        boolean anyOk = false;
        for (JsonNode r : m.path("results")) anyOk |= "ok".equals(r.path("status").asText());
        if (!anyOk) return new Loaded(dir, runId, role, m, null, null, "no result with status ok (" + m.path("status").asText("?") + ")");
        return new Loaded(dir, runId, role, m, null, why, null);
    }

    /** A stale or missing summary: AnalyzeResults in-process (unless --no-analysis), then the new summary. */
    private Loaded analyse(Loaded l) {
        if (noAnalysis) return new Loaded(l.dir(), l.runId(), l.role(), l.manifest(), null, l.stale(), l.stale() + "; not analysed (--no-analysis)");
        io.info("analysing " + l.dir() + " (" + l.stale() + ")");
        ByteArrayOutputStream sink = new ByteArrayOutputStream(), errs = new ByteArrayOutputStream();
        int code = AnalyzeResults.run(new PrintStream(sink), new PrintStream(errs, true), "--run-dir", l.dir().toString());
        if (code != 0) {
            String last = errs.toString().lines().filter(x -> x.startsWith("error:")).findFirst().orElse("exit " + code);
            return new Loaded(l.dir(), l.runId(), l.role(), l.manifest(), null, l.stale(), "AnalyzeResults failed: " + Kit.cut(last));
        }
        return new Loaded(l.dir(), l.runId(), l.role(), l.manifest(), readSummary(l.dir().resolve("analysis/analysis_summary.json")), l.stale(), null);
    }

    private static Summary readSummaryOrNull(Path sf) {
        try { return readSummary(sf); } catch (Kit.UserError e) { return null; }
    }

    // =====================================================================================================================
    // Rows from a folder
    // =====================================================================================================================

    static final Pattern DTYPE = Pattern.compile("(?i)(?:^|[_.-])(fp32|f32|fp16|f16|bf16|int8|q8|qs8|int4|q4)(?:$|[_.-])");

    static String dtypeOf(String stem) {
        Matcher x = DTYPE.matcher(stem);
        String d = null;
        while (x.find()) d = x.group(1).toLowerCase(Locale.ROOT);
        if (d == null) return null;
        return switch (d) { case "f32" -> "fp32"; case "f16" -> "fp16"; case "q8", "qs8" -> "int8"; case "q4" -> "int4"; default -> d; };
    }

    /** The model's name without its dtype token: mv2_xnnpack_fp16.pte → mv2_xnnpack. */
    static String modelName(String stem, String dtype) {
        if (dtype == null) return stem;
        String s = DTYPE.matcher(stem).replaceAll("_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        return s.isEmpty() ? stem : s;
    }

    static String fileName(String path) {
        if (path == null) return null;
        String n = path.replace('\\', '/');
        return n.substring(n.lastIndexOf('/') + 1);
    }

    /** The folder-level columns, made once and shared by the folder's rows. */
    static Object[] folderValues(Loaded f) {
        JsonNode m = f.manifest();
        Row v = new Row(new Object[COLUMNS.size()], null);
        String file = fileName(m.path("model").asText(null));
        String stem = file == null ? "unknown" : file.replaceFirst("\\.b?pte$", "");
        String dtype = dtypeOf(stem);
        JsonNode host = m.path("host"), dev = m.path("device");
        boolean android = dev.isObject() && dev.hasNonNull("serial") || "AndroidPipeline".equals(m.path("tool").asText());
        v.put("schema_version", ROW_SCHEMA_VERSION);
        v.put("run_id", f.runId());
        v.put("run_dir", f.dir().toString());
        v.put("role", f.role());
        v.put("tool", m.path("tool").asText(null));
        v.put("run_status", m.path("status").asText(null));
        v.put("timestamp", m.path("generated_at").asText(null));
        v.put("model", modelName(stem, dtype));
        v.put("model_file", file);
        v.put("model_sha256", m.path("model_sha256").asText(null));
        v.put("dtype", dtype);
        v.put("platform", android ? "android" : "host");
        v.put("device_model", android ? text(dev, "model") : null);
        v.put("device_soc", android ? text(dev, "soc") : null);
        v.put("device_sme2", android ? bool(dev.get("sme2")) : bool(host.get("sme2")));
        v.put("os", android ? (dev.hasNonNull("android_version") ? "Android " + dev.get("android_version").asText() : "Android") : text(host, "os"));
        v.put("arch", android ? text(dev, "abi") : text(host, "arch"));
        v.put("cpu", android ? text(dev, "soc") : text(host, "cpu"));
        v.put("device", android ? "android:" + Objects.requireNonNullElse(text(dev, "model"), "?") + "/" + Objects.requireNonNullElse(text(dev, "soc"), "?")
                : "host:" + Objects.requireNonNullElse(text(host, "os"), "?") + "/" + Objects.requireNonNullElse(text(host, "arch"), "?") + "/"
                + Objects.requireNonNullElse(text(host, "cpu"), "?"));
        v.put("executorch_sha", text(m.path("executorch"), "sha"));
        v.put("executorch_dirty", bool(m.path("executorch").get("dirty")));
        v.put("summary_generated_at", f.summary() == null ? null : f.summary().generatedAt());
        return v.values();
    }

    static List<Row> rows(Loaded f) {
        JsonNode m = f.manifest();
        Object[] common = folderValues(f);
        List<Row> out = new ArrayList<>();
        for (JsonNode r : m.path("results")) {
            Row v = new Row(common.clone(), null);
            String exp = r.path("experiment").asText(null);
            JsonNode build = m.path("runners").path(exp == null ? "" : exp).path("build");
            v.put("experiment", exp);
            v.put("variant", build.hasNonNull("variant") && build.get("variant").asText().length() <= 64 ? build.get("variant").asText() : exp);
            v.put("sme2_flag", sme2Flag(exp, m.path("runners").path(exp == null ? "" : exp)));
            v.put("threads", r.path("threads").isIntegralNumber() ? r.get("threads").asInt() : null);
            v.put("mode", r.path("mode").asText(null));
            v.put("status", r.path("status").asText(null));
            v.put("reason", r.path("reason").asText(null));
            JsonNode met = r.path("metrics");
            if (met.has("warmup_in_process")) v.put("warmup_in_process", count(met.get("warmup_in_process")));
            double[] lat = null;
            JsonNode e = f.summary() == null ? null : f.summary().experiments().get(label(r));
            if (e != null && "ok".equals(v.get("status"))) {
                lat = doubles(e.path("latency_ms"));
                JsonNode e2e = e.path("e2e_ms");
                v.put("runs", e.path("runs_total").isNumber() ? e.get("runs_total").asInt() : null);
                v.put("skip_runs", e.path("skip_runs").isNumber() ? e.get("skip_runs").asInt() : null);
                v.put("median_ms", dbl(e2e.get("median")));
                v.put("p10_ms", dbl(e2e.get("p10")));
                v.put("p90_ms", dbl(e2e.get("p90")));
                v.put("mean_ms", dbl(e2e.get("mean")));
                v.put("min_ms", dbl(e2e.get("min")));
                v.put("max_ms", dbl(e2e.get("max")));
                v.put("cv_percent", dbl(e2e.get("cv_percent")));
                double[] ci = medianCi(lat);
                if (ci != null) { v.put("median_ci95_low", ci[0]); v.put("median_ci95_high", ci[1]); }
                JsonNode cold = e.path("cold_start");
                v.put("cold_start_first_ms", dbl(cold.get("first_execution_ms")));
                v.put("cold_start_load_ms", dbl(cold.get("load_ms")));
                if (e.has("warmup_skipped")) v.put("warmup_skipped", count(e.get("warmup_skipped")));
                for (String c : SHARE_CATEGORIES) v.put("share_" + c.toLowerCase(Locale.ROOT), dbl(e.path("category_share").get(c)));
                v.put("sme2_evidence", e.path("sme2_evidence").asText(null));
            } else if ("ok".equals(v.get("status"))) {
                v.put("status", "unanalysed");
                v.put("reason", f.problem());
            }
            out.add(new Row(v.values(), lat == null ? new double[0] : lat));
        }
        return out;
    }

    /**
     * The SME2 build switch of the experiment's runner (manifest.runners.EXP): its sme2_flag, else build.json's sme2, else the
     * build's cmake flag XNNPACK_ENABLE_ARM_SME2, else the experiment's name (sme2_on / sme2_off); null when unknown.
     */
    static Boolean sme2Flag(String exp, JsonNode runner) {
        JsonNode build = runner.path("build");
        String flag = runner.path("sme2_flag").asText("");
        if (flag.isEmpty() && build.path("sme2").isBoolean()) return build.get("sme2").asBoolean();
        if (flag.isEmpty()) flag = build.path("cmake_flags").path("-DXNNPACK_ENABLE_ARM_SME2").asText(build.path("cmake_flags").path("XNNPACK_ENABLE_ARM_SME2").asText(""));
        if (!flag.isEmpty()) return flag.equalsIgnoreCase("ON") || flag.equals("1") || flag.equalsIgnoreCase("TRUE");
        if (exp != null) {
            String e = exp.toLowerCase(Locale.ROOT);
            if (e.contains("sme2_on") || e.contains("sme2-on")) return true;
            if (e.contains("sme2_off") || e.contains("sme2-off") || e.contains("nosme2")) return false;
        }
        return null;
    }

    static String text(JsonNode n, String k) { JsonNode x = n == null ? null : n.get(k); return x == null || x.isNull() ? null : x.asText(); }
    static Boolean bool(JsonNode n) { return n == null || !n.isBoolean() ? null : n.asBoolean(); }
    /** A count (warm-up executions): an integer, or null when absent. */
    static Integer count(JsonNode n) { return n == null || !n.isIntegralNumber() ? null : n.asInt(); }

    static Double dbl(JsonNode n) { return n == null || !n.isNumber() ? null : n.asDouble(); }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }

    /**
     * Distribution-free 95% interval of the median: order statistics x(j) and x(k) with j, k from Binomial(n, 1/2), so that
     * P(x(j) ≤ median ≤ x(k)) ≥ 95%. Null below 6 values (no such interval exists).
     */
    static double[] medianCi(double[] x) {
        int n = x.length;
        if (n < 6) return null;
        double[] s = x.clone();
        Arrays.sort(s);
        double[] cdf = new double[n + 1];
        double logHalfN = n * Math.log(0.5), acc = 0, logC = 0;
        for (int i = 0; i <= n; i++) {
            if (i > 0) logC += Math.log((double) (n - i + 1) / i);
            acc += Math.exp(logC + logHalfN);
            cdf[i] = acc;
        }
        int j = 0;
        while (j + 1 <= n && cdf[j] <= 0.025) j++;   // largest lower rank (1-based j) with P(B < j) <= 0.025
        int lo = Math.max(1, j), hi = n + 1 - lo;
        return new double[]{s[lo - 1], s[hi - 1]};
    }

    // =====================================================================================================================
    // The gate: one noise rule, the same bootstrap CI as AnalyzeResults' comparisons
    // =====================================================================================================================

    record Verdict(String key, String model, String dtype, String device, String variant, Integer threads, String outcome,
                   Double baselineMedian, Double candidateMedian, Double changePercent, Double speedup, Double ciLow, Double ciHigh,
                   String line) {
        boolean fails() { return outcome.equals("regression") || outcome.equals("failed"); }
    }

    /**
     * The gate's rule for a change baseline → candidate: AnalyzeResults' noise rule first (judgeChange: the 95% bootstrap
     * CI of the median speedup, same resamples and seed as its comparisons, must exclude 1 AND the change must exceed its
     * noise floor), then the gate's threshold (the change of the median must exceed thresholdPercent).
     * Returns "regression", "improvement", "within noise" or "below threshold".
     */
    static String noiseRule(double baseMedian, double candMedian, AnalyzeResults.Interval ci, double thresholdPercent) {
        if (AnalyzeResults.judgeChange(baseMedian, candMedian, ci).equals(AnalyzeResults.NO_CHANGE)) return "within noise";
        double change = (candMedian - baseMedian) / baseMedian * 100;
        if (Math.abs(change) <= thresholdPercent) return "below threshold";
        return ci.high() < 1.0 ? "regression" : "improvement";
    }

    static List<Verdict> gate(List<Row> base, List<Row> cand, double threshold) {
        Map<String, List<Row>> b = byKey(base), c = byKey(cand);
        Set<String> keys = new TreeSet<>(b.keySet());
        keys.addAll(c.keySet());
        List<Verdict> out = new ArrayList<>();
        for (String k : keys) {
            List<Row> bk = b.getOrDefault(k, List.of()), ck = c.getOrDefault(k, List.of());
            Map<String, List<Row>> bf = byModelFile(bk), cf = byModelFile(ck);
            if (bf.size() <= 1 && cf.size() <= 1) { out.add(judge(k, bk, ck, threshold)); continue; }
            // a side holds several dtypes or model files under one model name: each is judged on its own, never pooled
            Set<String> files = new TreeSet<>(bf.keySet());
            files.addAll(cf.keySet());
            for (String f : files) out.add(judge(k + "|" + f, bf.getOrDefault(f, List.of()), cf.getOrDefault(f, List.of()), threshold));
        }
        return out;
    }

    private static Map<String, List<Row>> byModelFile(List<Row> rows) {
        Map<String, List<Row>> m = new TreeMap<>();
        for (Row r : rows) m.computeIfAbsent(r.str("dtype") + "|" + r.str("model_sha256"), k -> new ArrayList<>()).add(r);
        return m;
    }

    private static Map<String, List<Row>> byKey(List<Row> rows) {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        for (Row r : rows) if (!"xnntrace".equals(r.str("mode"))) m.computeIfAbsent(r.matchKey(), k -> new ArrayList<>()).add(r);
        return m;
    }

    private static Verdict judge(String key, List<Row> base, List<Row> cand, double threshold) {
        Row any = !cand.isEmpty() ? cand.get(0) : base.get(0);
        String what = any.str("model") + " " + Objects.requireNonNullElse(any.str("dtype"), "") + " on " + any.str("device") + ", " + any.cellLabel();
        List<Row> bOk = base.stream().filter(Row::ok).toList(), cOk = cand.stream().filter(Row::ok).toList();
        if (cand.isEmpty()) return verdict(key, any, "missing", null, null, null, what + ": no candidate row (the baseline has one): not judged");
        if (base.isEmpty()) return verdict(key, any, "new", null, pooledMedian(cOk), null, what + ": new in the candidate (no baseline row): not judged");
        List<Row> cBad = cand.stream().filter(r -> !r.ok()).toList();
        if (!cBad.isEmpty() && !bOk.isEmpty()) {   // also when another candidate folder of the device ran it: a failure is never hidden
            Row r = cBad.get(0);
            return verdict(key, any, "failed", pooledMedian(bOk), pooledMedian(cOk), null, what + ": the candidate " + r.str("status")
                    + (r.str("reason") != null ? " (" + r.str("reason") + ")" : "")
                    + (cOk.isEmpty() ? "" : " in " + cBad.size() + " of " + cand.size() + " run folders") + " where the baseline ran: FAILED");
        }
        if (bOk.isEmpty()) return verdict(key, any, "missing", null, pooledMedian(cOk), null, what + ": the baseline has no ok row: not judged");
        String why = incompatibility(bOk, cOk);
        if (why != null) return verdict(key, any, "incompatible", null, null, null, what + ": not compared: " + why);
        double[] bl = pooled(bOk), cl = pooled(cOk);
        double bm = AnalyzeResults.Stats.median(bl), cm = AnalyzeResults.Stats.median(cl);
        AnalyzeResults.Interval ci = AnalyzeResults.bootstrap(bl, cl, AnalyzeResults.BOOTSTRAP_RESAMPLES, AnalyzeResults.BOOTSTRAP_SEED);
        String outcome = noiseRule(bm, cm, ci, threshold);
        double change = (cm - bm) / bm * 100;
        String ciText = ci == null ? "no CI (fewer than 2 runs a side)" : String.format(Locale.ROOT, "speedup %.3fx, 95%% CI %.3f–%.3f", bm / cm, ci.low(), ci.high());
        String because = switch (outcome) {
            case "regression" -> "REGRESSION: slower by more than " + fmt(threshold) + "% and the CI excludes 1";
            case "improvement" -> "improvement: faster by more than " + fmt(threshold) + "% and the CI excludes 1";
            case "below threshold" -> "ok: the CI excludes 1 but the change is within ±" + fmt(threshold) + "%";
            default -> ci != null && (ci.low() > 1.0 || ci.high() < 1.0)
                    ? String.format(Locale.ROOT, "ok: within noise (the change is below the noise floor of %.3f ms)", AnalyzeResults.noiseFloorMs(bm))
                    : "ok: within noise (the CI includes 1)";
        };
        String line = String.format(Locale.ROOT, "%s: %.3f → %.3f ms (%+.1f%%, %s): %s", what, bm, cm, change, ciText, because);
        return new Verdict(key, any.str("model"), any.str("dtype"), any.str("device"), any.str("variant"), any.threads(), outcome, bm, cm,
                change, bm / cm, ci == null ? null : ci.low(), ci == null ? null : ci.high(), line);
    }

    private static Verdict verdict(String key, Row any, String outcome, Double bm, Double cm, Double change, String line) {
        return new Verdict(key, any.str("model"), any.str("dtype"), any.str("device"), any.str("variant"), any.threads(), outcome, bm, cm,
                change, null, null, null, line);
    }

    /** Why two sets of rows of the same model name and dtype must not be compared (different model files), or null. */
    static String incompatibility(List<Row> a, List<Row> b) {
        Set<String> ha = hashes(a), hb = hashes(b);
        if (!ha.isEmpty() && !hb.isEmpty() && !ha.equals(hb))
            return "different model files (sha256 " + short12(ha) + " vs " + short12(hb) + ")";
        Set<String> da = new TreeSet<>(), db = new TreeSet<>();
        a.forEach(r -> da.add(String.valueOf(r.str("dtype"))));
        b.forEach(r -> db.add(String.valueOf(r.str("dtype"))));
        if (!da.equals(db)) return "different dtypes (" + da + " vs " + db + ")";
        return null;
    }

    private static Set<String> hashes(List<Row> rows) {
        Set<String> s = new TreeSet<>();
        for (Row r : rows) if (r.str("model_sha256") != null) s.add(r.str("model_sha256"));
        return s;
    }

    private static String short12(Set<String> s) { return String.join("+", s.stream().map(h -> h.substring(0, Math.min(12, h.length()))).toList()); }

    static double[] pooled(List<Row> rows) {
        return rows.stream().flatMapToDouble(r -> Arrays.stream(r.latency())).toArray();
    }

    private static Double pooledMedian(List<Row> rows) {
        double[] p = pooled(rows);
        return p.length == 0 ? null : AnalyzeResults.Stats.median(p);
    }

    static String fmt(double d) { return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d); }

    // =====================================================================================================================
    // The command
    // =====================================================================================================================

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        boolean gateMode = !baseline.isEmpty() || !candidate.isEmpty();
        if (gateMode && (baseline.isEmpty() || candidate.isEmpty()))
            throw Kit.UserError.badInput("the gate needs both --baseline and --candidate", "give --baseline RUN... --candidate RUN...");
        if (!gateMode && runs.isEmpty())
            throw Kit.UserError.badInput("nothing to compare: give run folders (RUN...), or --baseline RUN... --candidate RUN...", "see the examples with --help");
        if (!(threshold >= 0) || threshold > 1000)
            throw Kit.UserError.badInput("--threshold " + threshold + ": must be a percentage from 0 to 1000", "use --threshold 5");
        Map<Path, String> roles = new LinkedHashMap<>();
        for (Path p : discover(runs, "RUN")) roles.put(p, "fleet");
        if (gateMode) {
            for (Path p : discover(baseline, "--baseline")) roles.put(p, "baseline");
            for (Path p : discover(candidate, "--candidate")) {
                if ("baseline".equals(roles.get(p)))
                    throw Kit.UserError.badInput(p + " is named by both --baseline and --candidate", "give each run folder to one side only");
                roles.put(p, "candidate");
            }
        }
        Path o = out.toAbsolutePath().normalize();
        if (dryRun) return plan(roles, o);
        io.step("reading " + roles.size() + " run folder(s)");
        long t0 = System.nanoTime();
        List<Folder> folders = new ArrayList<>();
        List<Row> rows = readAll(roles, t0, folders);
        List<Verdict> verdicts = gateMode ? gate(rows.stream().filter(r -> "baseline".equals(r.str("role"))).toList(),
                rows.stream().filter(r -> "candidate".equals(r.str("role"))).toList(), threshold) : List.of();
        String md = markdown(rows, folders, verdicts, gateMode);
        try {
            Files.createDirectories(o);
        } catch (IOException e) {
            throw Kit.UserError.badInput(o + ": cannot create the output folder (" + e.getMessage() + ")", "choose another --out");
        }
        Kit.writeAtomic(o.resolve("fleet.csv"), csv(rows));
        Kit.writeAtomic(o.resolve("fleet.jsonl"), jsonl(rows));
        Kit.writeAtomic(o.resolve("fleet-report.html"), FleetReport.html(rows, folders, verdicts, threshold));
        if (gateMode) {
            Kit.writeAtomic(o.resolve("gate.md"), md);
            Kit.writeJson(o.resolve("gate.json"), gateJson(verdicts));
        }
        if (summaryMd != null) appendSummary(md);
        boolean failed = verdicts.stream().anyMatch(Verdict::fails);
        if (json) {
            ObjectNode r = Kit.object();
            r.put("row_schema", "fleet_row");
            r.put("row_schema_version", ROW_SCHEMA_VERSION);
            r.put("folders", folders.size());
            r.put("analysed", folders.stream().filter(f -> f.analysed() != null).count());
            r.put("rows", rows.size());
            r.put("out", o.toString());
            r.set("files", AnalyzeResults.strings(gateMode ? List.of("fleet.csv", "fleet.jsonl", "fleet-report.html", "gate.md", "gate.json")
                    : List.of("fleet.csv", "fleet.jsonl", "fleet-report.html")));
            r.set("problems", Kit.JSON.valueToTree(folders.stream().filter(f -> f.problem() != null)
                    .map(f -> Kit.ordered("run_dir", f.dir().toString(), "problem", f.problem())).toList()));
            if (gateMode) {
                r.put("gate", failed ? "fail" : "pass");
                r.set("verdicts", gateJson(verdicts).get("verdicts"));
            }
            io.data(r);
        }
        io.ok(rows.size() + " row(s) from " + folders.size() + " run folder(s) ("
                + folders.stream().filter(f -> f.analysed() != null).count() + " analysed first) in " + Kit.duration((System.nanoTime() - t0) / 1e9)
                + ": " + o.resolve("fleet.csv") + ", fleet.jsonl, fleet-report.html");
        if (!gateMode) return Kit.OK;
        for (Verdict v : verdicts) {
            if (v.fails()) io.fail(v.line()); else if (v.outcome().equals("missing") || v.outcome().equals("incompatible")) io.warn(v.line()); else io.ok(v.line());
        }
        long bad = verdicts.stream().filter(Verdict::fails).count();
        if (failed) {
            io.fail("gate: " + bad + " of " + verdicts.size() + " row(s) regressed or failed (threshold " + fmt(threshold) + "%); summary: " + o.resolve("gate.md"));
            io.fix("look at the rows marked REGRESSION/FAILED in " + o.resolve("fleet-report.html") + "; if the change is intended, make the candidate the new baseline");
            return Kit.FAILED;
        }
        io.ok("gate: no regression in " + verdicts.size() + " row(s) (threshold " + fmt(threshold) + "%, 95% CI); summary: " + o.resolve("gate.md"));
        return Kit.OK;
    }

    /**
     * Every folder's rows, in the order given. Folders with a current summary are read in parallel (manifest and summary are
     * dropped once their rows are made); the others are analysed one at a time, in-process, then read.
     */
    private List<Row> readAll(Map<Path, String> roles, long t0, List<Folder> folders) {
        List<Path> dirs = new ArrayList<>(roles.keySet());
        Map<Path, String> ids = runIds(dirs);
        int n = dirs.size();
        Loaded[] stale = new Loaded[n];
        Folder[] fs = new Folder[n];
        @SuppressWarnings("unchecked") List<Row>[] rs = new List[n];
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            Loaded l = load(dirs.get(i), ids.get(dirs.get(i)), roles.get(dirs.get(i)));
            if (l.stale() != null) stale[i] = l;
            else finish(l, null, fs, rs, i);
            int k = done.incrementAndGet();
            if (k % 250 == 0) io.info(k + " of " + n + " folders read (" + Kit.duration((System.nanoTime() - t0) / 1e9) + ")");
        });
        for (int i = 0; i < n; i++) if (stale[i] != null) finish(analyse(stale[i]), stale[i].stale(), fs, rs, i);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            folders.add(fs[i]);
            if (fs[i].problem() != null) io.warn(fs[i].dir() + ": " + fs[i].problem());
            rows.addAll(rs[i]);
        }
        return rows;
    }

    private static void finish(Loaded l, String analysed, Folder[] fs, List<Row>[] rs, int i) {
        rs[i] = rows(l);
        fs[i] = new Folder(l.dir(), l.runId(), l.role(), analysed, l.problem());
    }

    private int plan(Map<Path, String> roles, Path o) {
        List<Map<String, Object>> items = new ArrayList<>();
        Map<Path, String> ids = runIds(roles.keySet());
        for (Map.Entry<Path, String> e : roles.entrySet()) {
            Path dir = e.getKey();
            Loaded l = load(dir, ids.get(dir), e.getValue());
            String state = l.problem() != null ? l.problem() : l.stale() != null ? l.stale() : "summary current";
            List<String> cmd = l.stale() == null || noAnalysis ? null : List.of("jbang", "scripts/AnalyzeResults.java", "--run-dir", dir.toString());
            items.add(Kit.ordered("run_dir", dir.toString(), "role", e.getValue(), "summary", state, "analyse", cmd));
            if (cmd != null) io.plannedCommands.add(cmd);
            if (!json) io.out.println("# " + e.getValue() + " " + dir + ": " + state + (cmd == null ? "" : "\n" + Kit.Cmd.of(cmd).display()));
        }
        List<String> files = new ArrayList<>(List.of("fleet.csv", "fleet.jsonl", "fleet-report.html"));
        if (!baseline.isEmpty()) files.addAll(List.of("gate.md", "gate.json"));
        if (json) io.data(Kit.ordered("dry_run", true, "folders", items, "out", o.toString(), "files", files));
        else io.out.println("# would write " + String.join(", ", files) + " into " + o);
        return Kit.OK;
    }

    private void appendSummary(String md) {
        Path p = summaryMd.toAbsolutePath().normalize();
        try {
            if (p.getParent() != null) Files.createDirectories(p.getParent());
            Files.writeString(p, md + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw Kit.UserError.badInput(p + ": cannot append the summary (" + e.getMessage() + ")", "give a writable --summary-md FILE");
        }
    }

    // =====================================================================================================================
    // Outputs: CSV, JSON Lines, markdown, gate JSON
    // =====================================================================================================================

    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(64 + rows.size() * 400);
        AnalyzeResults.csvLine(sb, COLUMNS);
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(COLUMNS.size());
            for (String c : COLUMNS) {
                Object v = r.get(c);
                cells.add(v == null ? "" : v instanceof Double d ? Double.toString(d) : v);   // reads back exactly, as in fleet.jsonl
            }
            AnalyzeResults.csvLine(sb, cells);
        }
        return sb.toString();
    }

    static String jsonl(List<Row> rows) {
        java.io.StringWriter sw = new java.io.StringWriter(rows.size() * 900);
        try (com.fasterxml.jackson.core.JsonGenerator g = FACTORY.createGenerator(sw)) {
            g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            for (Row r : rows) {
                g.writeStartObject();
                Object[] v = r.values();
                for (int i = 0; i < v.length; i++) {
                    g.writeFieldName(COLUMNS.get(i));
                    Object x = v[i];
                    if (x == null) g.writeNull();
                    else if (x instanceof Integer n) g.writeNumber(n);
                    else if (x instanceof Double d) g.writeNumber(d);
                    else if (x instanceof Boolean b) g.writeBoolean(b);
                    else g.writeString(x.toString());
                }
                g.writeEndObject();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return rows.isEmpty() ? "" : sw + "\n";
    }

    static ObjectNode gateJson(List<Verdict> verdicts) {
        ObjectNode o = Kit.object();
        o.put("schema_version", 1);
        o.put("gate", verdicts.stream().anyMatch(Verdict::fails) ? "fail" : "pass");
        o.set("verdicts", Kit.JSON.valueToTree(verdicts.stream().map(v -> Kit.ordered("model", v.model(), "dtype", v.dtype(), "device", v.device(),
                "variant", v.variant(), "threads", v.threads(), "outcome", v.outcome(), "baseline_median_ms", v.baselineMedian(),
                "candidate_median_ms", v.candidateMedian(), "change_percent", v.changePercent(), "speedup", v.speedup(),
                "ci95_low", v.ciLow(), "ci95_high", v.ciHigh(), "verdict", v.line())).toList()));
        return o;
    }

    static String markdown(List<Row> rows, List<Folder> folders, List<Verdict> verdicts, boolean gateMode) {
        StringBuilder sb = new StringBuilder();
        long bad = verdicts.stream().filter(Verdict::fails).count();
        sb.append("## ").append(gateMode ? (bad > 0 ? "Performance gate: FAIL (" + bad + " regressed or failed)" : "Performance gate: pass")
                : "Fleet comparison").append("\n\n");
        sb.append(folders.size()).append(" run folder(s), ").append(rows.size()).append(" row(s).\n\n");
        if (gateMode) {
            sb.append("| outcome | model | device | variant | threads | baseline ms | candidate ms | change | 95% CI of speedup |\n");
            sb.append("|---|---|---|---|---:|---:|---:|---:|---|\n");
            List<Verdict> sorted = new ArrayList<>(verdicts);
            sorted.sort(Comparator.comparing((Verdict v) -> !v.fails()).thenComparing(Verdict::key));
            for (Verdict v : sorted)
                sb.append("| ").append(v.fails() ? "**" + v.outcome().toUpperCase(Locale.ROOT) + "**" : v.outcome()).append(" | ")
                        .append(mdCell(v.model() + (v.dtype() == null ? "" : " " + v.dtype()))).append(" | ").append(mdCell(v.device())).append(" | ")
                        .append(mdCell(v.variant())).append(" | ").append(v.threads()).append(" | ").append(n3(v.baselineMedian())).append(" | ")
                        .append(n3(v.candidateMedian())).append(" | ").append(v.changePercent() == null ? "" : String.format(Locale.ROOT, "%+.1f%%", v.changePercent()))
                        .append(" | ").append(v.ciLow() == null ? "" : String.format(Locale.ROOT, "%.3f–%.3f", v.ciLow(), v.ciHigh())).append(" |\n");
            sb.append("\nVerdicts:\n\n");
            for (Verdict v : sorted) sb.append("- ").append(mdCell(v.line())).append('\n');
        }
        List<Folder> problems = folders.stream().filter(f -> f.problem() != null).toList();
        if (!problems.isEmpty()) {
            sb.append("\nRun folders left out:\n\n");
            for (Folder f : problems) sb.append("- `").append(f.runId()).append("`: ").append(mdCell(f.problem())).append('\n');
        }
        return sb.toString();
    }

    static String mdCell(String s) { return s == null ? "" : s.replace("|", "\\|").replace("\n", " "); }

    static String n3(Double d) { return d == null ? "" : String.format(Locale.ROOT, "%.3f", d); }

    // =====================================================================================================================
    // The HTML report
    // =====================================================================================================================

    /** fleet-report.html: per model a device × variant matrix, SME2 speedups, trends, category shifts; one self-contained page. */
    static final class FleetReport {
        static final int TREND_POINTS = 20;

        private FleetReport() {}

        static String html(List<Row> rows, List<Folder> folders, List<Verdict> verdicts, double threshold) {
            StringBuilder h = new StringBuilder();
            h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fleet comparison</title><style>")
                    .append("body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0 1.5em}")
                    .append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}")
                    .append(".bad{background:#fdd}.good{background:#dfd}.muted{color:#777}code{background:#f4f4f4}</style></head><body>\n");
            h.append("<h1>Fleet comparison</h1>\n<p>").append(folders.size()).append(" run folder(s), ").append(rows.size())
                    .append(" row(s). Medians in ms with the distribution-free 95% CI of the median (order statistics); the table behind "
                            + "this page is <code>fleet.csv</code> / <code>fleet.jsonl</code> (schema fleet_row v").append(ROW_SCHEMA_VERSION).append(").</p>\n");
            if (!verdicts.isEmpty()) gateSection(h, verdicts, threshold);
            Map<String, List<Row>> byModel = new TreeMap<>();
            for (Row r : rows) if (r.ok() && !"xnntrace".equals(r.str("mode"))) byModel.computeIfAbsent(modelGroup(r), k -> new ArrayList<>()).add(r);
            notCompared(h, byModel);
            for (Map.Entry<String, List<Row>> e : byModel.entrySet()) modelSection(h, e.getKey(), e.getValue());
            List<Row> other = rows.stream().filter(r -> !r.ok()).toList();
            if (!other.isEmpty()) {
                h.append("<h2>Rows without a measurement</h2><table><tr><th>run</th><th>experiment</th><th>threads</th><th>status</th><th>reason</th></tr>\n");
                for (Row r : other)
                    h.append("<tr><td>").append(esc(r.str("run_id"))).append("</td><td>").append(esc(r.str("experiment"))).append("</td><td>")
                            .append(r.threads()).append("</td><td>").append(esc(r.str("status"))).append("</td><td>").append(esc(r.str("reason"))).append("</td></tr>\n");
                h.append("</table>\n");
            }
            return h.append("</body></html>\n").toString();
        }

        /** A group whose rows may be compared: model name, dtype and model file hash (unknown hash: its own group). */
        static String modelGroup(Row r) {
            String sha = r.str("model_sha256");
            return r.str("model") + " · " + Objects.requireNonNullElse(r.str("dtype"), "dtype?") + " · "
                    + (sha == null ? "sha256 unknown" : "sha256 " + sha.substring(0, Math.min(12, sha.length())));
        }

        private static void gateSection(StringBuilder h, List<Verdict> verdicts, double threshold) {
            long bad = verdicts.stream().filter(Verdict::fails).count();
            h.append("<h2>Gate: ").append(bad > 0 ? "FAIL" : "pass").append("</h2><p>Threshold ").append(fmt(threshold))
                    .append("%, and the 95% bootstrap CI of the median speedup must exclude 1.</p><table><tr><th>verdict</th></tr>\n");
            for (Verdict v : verdicts)
                h.append("<tr><td class=\"").append(v.fails() ? "bad" : v.outcome().equals("improvement") ? "good" : "").append("\">")
                        .append(esc(v.line())).append("</td></tr>\n");
            h.append("</table>\n");
        }

        private static void notCompared(StringBuilder h, Map<String, List<Row>> byModel) {
            Map<String, List<String>> byName = new TreeMap<>();
            for (String g : byModel.keySet()) byName.computeIfAbsent(g.substring(0, g.indexOf(" · ")), k -> new ArrayList<>()).add(g);
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : byName.entrySet()) {
                if (e.getValue().size() < 2) continue;
                Set<String> dtypes = new TreeSet<>(), shas = new TreeSet<>();
                for (String g : e.getValue()) { String[] p = g.split(" · "); dtypes.add(p[1]); shas.add(p[2]); }
                String why = dtypes.size() > 1 ? "different dtypes (" + String.join(", ", dtypes) + ")" : "";
                if (shas.size() > 1) why += (why.isEmpty() ? "" : " and ") + "different model files (" + String.join(", ", shas) + ")";
                lines.add("<li><b>" + esc(e.getKey()) + "</b>: " + e.getValue().size() + " groups are shown apart and never compared: " + esc(why) + "</li>");
            }
            if (lines.isEmpty()) return;
            h.append("<h2>Not compared</h2><ul>\n");
            lines.forEach(l -> h.append(l).append('\n'));
            h.append("</ul>\n");
        }

        private static void modelSection(StringBuilder h, String group, List<Row> rows) {
            h.append("<h2>").append(esc(group)).append("</h2>\n");
            TreeSet<String> devices = new TreeSet<>();
            Map<String, Row> latest = new HashMap<>(), cellRows = new HashMap<>();
            for (Row r : rows) {
                if (r.threads() == null) continue;
                devices.add(r.str("device"));
                cellRows.putIfAbsent(r.cellLabel(), r);
                latest.merge(r.str("device") + "|" + r.cellLabel(), r, (a, b) -> later(a, b));
            }
            List<String> cells = new ArrayList<>(cellRows.keySet());   // by variant, then threads
            cells.sort(Comparator.comparing((String c) -> cellRows.get(c).str("variant")).thenComparingInt(c -> cellRows.get(c).threads()));
            h.append("<h3>Latest median per device and variant (ms, 95% CI)</h3><table><tr><th>device</th>");
            for (String c : cells) h.append("<th>").append(esc(c)).append("</th>");
            h.append("</tr>\n");
            for (String d : devices) {
                h.append("<tr><td>").append(esc(d)).append("</td>");
                for (String c : cells) {
                    Row r = latest.get(d + "|" + c);
                    h.append("<td>").append(r == null ? "" : cell(r)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
            sme2Speedups(h, rows);
            trends(h, rows);
            categoryShifts(h, rows);
        }

        static Row later(Row a, Row b) {
            int c = String.valueOf(a.str("timestamp")).compareTo(String.valueOf(b.str("timestamp")));
            return c != 0 ? (c > 0 ? a : b) : a.str("run_id").compareTo(b.str("run_id")) >= 0 ? a : b;
        }

        static String cell(Row r) {
            String m = n3(r.num("median_ms"));
            String ci = r.num("median_ci95_low") == null ? "" : " <span class=\"muted\">[" + n3(r.num("median_ci95_low")) + "–" + n3(r.num("median_ci95_high")) + "]</span>";
            return m + ci;
        }

        /** SME2 off → on in the same run folder (same device, SHA, threads): speedup of the median with AnalyzeResults' bootstrap CI. */
        private static void sme2Speedups(StringBuilder h, List<Row> rows) {
            Map<String, Row[]> pairs = new TreeMap<>();
            for (Row r : rows) {
                Boolean s = (Boolean) r.get("sme2_flag");
                if (s == null || r.threads() == null) continue;
                pairs.computeIfAbsent(r.str("device") + "|" + r.str("threads") + "|" + r.str("timestamp") + "|" + r.str("run_id"), k -> new Row[2])[s ? 1 : 0] = r;
            }
            Map<String, Row[]> latestPerDevice = new TreeMap<>();
            for (Row[] p : pairs.values()) {
                if (p[0] == null || p[1] == null) continue;
                latestPerDevice.merge(p[0].str("device") + " · t" + p[0].threads(), p, (a, b) -> later(a[0], b[0]) == a[0] ? a : b);
            }
            if (latestPerDevice.isEmpty()) {
                h.append("<p class=\"muted\">SME2 speedup: no run folder holds an SME2-off and an SME2-on runner at the same thread count.</p>\n");
                return;
            }
            h.append("<h3>SME2 speedup per device (off → on, latest run folder)</h3><table><tr><th>device · threads</th><th>off ms</th><th>on ms</th>"
                    + "<th>speedup</th><th>95% CI</th><th>ExecuTorch</th><th>run</th></tr>\n");
            for (Map.Entry<String, Row[]> e : latestPerDevice.entrySet()) {
                Row off = e.getValue()[0], on = e.getValue()[1];
                double s = off.num("median_ms") / on.num("median_ms");
                AnalyzeResults.Interval ci = AnalyzeResults.bootstrap(off.latency(), on.latency(), AnalyzeResults.BOOTSTRAP_RESAMPLES, AnalyzeResults.BOOTSTRAP_SEED);
                String cls = ci == null ? "" : ci.low() > 1 ? "good" : ci.high() < 1 ? "bad" : "";
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(n3(off.num("median_ms"))).append("</td><td>")
                        .append(n3(on.num("median_ms"))).append("</td><td class=\"").append(cls).append("\">").append(String.format(Locale.ROOT, "%.2fx", s))
                        .append("</td><td>").append(ci == null ? "" : String.format(Locale.ROOT, "%.2f–%.2f", ci.low(), ci.high())).append("</td><td>")
                        .append(esc(off.str("executorch_sha"))).append("</td><td>").append(esc(off.str("run_id"))).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        /** Per device and variant: the median at each ExecuTorch SHA / date, oldest first, with the change to the previous one. */
        private static void trends(StringBuilder h, List<Row> rows) {
            Map<String, List<Row>> series = new TreeMap<>();
            for (Row r : rows) series.computeIfAbsent(r.str("device") + " · " + r.cellLabel(), k -> new ArrayList<>()).add(r);
            series.values().removeIf(l -> l.size() < 2);
            if (series.isEmpty()) return;
            h.append("<h3>Trends across ExecuTorch SHAs and dates</h3><table><tr><th>device · variant</th><th>date</th><th>ExecuTorch</th>"
                    + "<th>median ms</th><th>vs previous</th></tr>\n");
            for (Map.Entry<String, List<Row>> e : series.entrySet()) {
                List<Row> l = new ArrayList<>(e.getValue());
                l.sort(Comparator.comparing((Row r) -> String.valueOf(r.str("timestamp"))).thenComparing(r -> r.str("run_id")));
                int from = Math.max(0, l.size() - TREND_POINTS - 1);
                if (from > 0) h.append("<tr><td>").append(esc(e.getKey())).append("</td><td colspan=\"4\" class=\"muted\">").append(from)
                        .append(" earlier run(s): see fleet.csv</td></tr>\n");
                Double prev = null;
                for (Row r : l.subList(from, l.size())) {
                    Double m = r.num("median_ms");
                    String d = prev == null || m == null ? "" : String.format(Locale.ROOT, "%+.1f%%", (m - prev) / prev * 100);
                    h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(r.str("timestamp"))).append("</td><td>")
                            .append(esc(r.str("executorch_sha"))).append("</td><td>").append(n3(m)).append("</td><td>").append(d).append("</td></tr>\n");
                    prev = m;
                }
            }
            h.append("</table>\n");
        }

        /** Where the time moves: per device and variant, category shares of the oldest and the latest row, largest shift first. */
        private static void categoryShifts(StringBuilder h, List<Row> rows) {
            Map<String, Row[]> ends = new TreeMap<>();
            for (Row r : rows) {
                ends.merge(r.str("device") + " · " + r.cellLabel(), new Row[]{r, r}, (a, b) -> new Row[]{later(a[0], b[0]) == a[0] ? b[0] : a[0], later(a[1], b[1])});
            }
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, Row[]> e : ends.entrySet()) {
                Row first = e.getValue()[0], last = e.getValue()[1];
                if (first == last) continue;
                String best = null;
                double shift = 0;
                for (String c : SHARE_CATEGORIES) {
                    Double a = first.num("share_" + c.toLowerCase(Locale.ROOT)), b = last.num("share_" + c.toLowerCase(Locale.ROOT));
                    if (a == null || b == null) continue;
                    if (Math.abs(b - a) > Math.abs(shift)) { shift = b - a; best = c + String.format(Locale.ROOT, " %.1f%% → %.1f%%", a * 100, b * 100); }
                }
                if (best != null && Math.abs(shift) >= 0.02)
                    lines.add("<tr><td>" + esc(e.getKey()) + "</td><td>" + esc(first.str("executorch_sha")) + " → " + esc(last.str("executorch_sha"))
                            + "</td><td>" + esc(best) + "</td></tr>");
            }
            if (lines.isEmpty()) return;
            h.append("<h3>Category shifts (oldest → latest, largest share change of at least 2 points)</h3><table><tr><th>device · variant</th>"
                    + "<th>ExecuTorch</th><th>category share</th></tr>\n");
            lines.forEach(l -> h.append(l).append('\n'));
            h.append("</table>\n");
        }

        static String esc(String s) {
            if (s == null) return "";
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }
}
