///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//DESCRIPTION Checks a pipeline run folder against the README layout (manifest, metrics, ETDumps, logs, analysis) and lists every problem.

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

@Command(name = "ValidateResults", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Checks one run folder (written by MacPipeline or AndroidPipeline) against",
                "README.md \"The run folder\" and reports every problem, not just the first:",
                "  manifest.json  generated_at, config, model, executorch{present, sha, dirty},",
                "                 run_root (paths: absolute, or relative to the run folder),",
                "                 results[]; each result's status (failed,",
                "                 interrupted and pending are failures, with their reason)",
                "                 and metrics{runs, threads, latency_ms[], median_ms, min_ms,",
                "                 max_ms, etdump, log, etdump_rel, log_rel}; with",
                "                 warmup_in_process W: latency_all_ms[] holds W + runs values",
                "                 and latency_ms is latency_all_ms after the first W",
                "  metrics.json   {\"results\": [...]}, the same entries as the manifest",
                "  each result    the ETDump and log named by etdump_rel / log_rel (relative",
                "                 to the run folder, never outside it); a valid ETDump (size",
                "                 prefix, ED00) with one Execute block per execution whose",
                "                 Method::execute times equal latency_all_ms (else",
                "                 latency_ms); `runs` steady-state latencies;",
                "                 median/min/max agreeing with them (within 0.0005 ms)",
                "  analysis/      if present: analysis_summary.json with an experiments array",
                "Nothing is changed or run, so --dry-run validates exactly the same way."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/ValidateResults.java --results runs/mac/20261125-140312-mv2_xnnpack_fp16",
                "  jbang scripts/ValidateResults.java --json --results runs/mac/20261125-140312-mv2_xnnpack_fp16",
                "  jbang scripts/ValidateResults.java --results runs/mac",
                "      (an output root: the error names its newest run folder)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run folder is valid (warnings allowed)", "1:at least one check failed",
                "2:no such folder, or not a run folder (an output root: names the newest)"})
public class ValidateResults implements Callable<Integer> {
    private final Kit.Io io;

    ValidateResults(Kit.Io io) {
        this.io = io;
        checks = new Kit.Checks(io);
    }

    @Option(names = "--results", required = true, paramLabel = "DIR", description = "the run folder: <output_root>/<yyyyMMdd-HHmmss>-<model>/")
    Path results;

    @Option(names = "--json", description = "print machine-readable JSON on stdout: {ok, results_dir, checks[{id, status, message, fix}]}")
    boolean json;

    @Option(names = "--dry-run", description = "validation only reads files, so this validates exactly as without it")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new ValidateResults(io), args);
    }

    /** Values within this many milliseconds are equal (a pipeline may round to microseconds). */
    static final double TOLERANCE_MS = 0.0005;
    static final Set<String> RESULT_STATUSES = Set.of("ok", "failed", "interrupted", "pending");
    static final Pattern RUN_FOLDER_NAME = Pattern.compile("\\d{8}-\\d{6}-.+");

    private final Kit.Checks checks;
    private Path dir;
    private String rerun = "re-run the pipeline that wrote this folder";

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        dir = results.toAbsolutePath().normalize();
        if (!Files.exists(dir)) throw Kit.UserError.badInput(dir + ": does not exist", "pass a run folder: --results <output_root>/<yyyyMMdd-HHmmss>-<model>");
        if (!Files.isDirectory(dir)) throw Kit.UserError.badInput(dir + ": is a file, not a run folder", "pass the folder that holds manifest.json");
        if (!looksLikeRunFolder(dir)) {
            List<Path> runs = childRunFolders(dir);
            if (!runs.isEmpty()) {
                Path newest = runs.get(runs.size() - 1);
                throw Kit.UserError.badInput(dir + ": is an output root holding " + runs.size() + " run folder" + (runs.size() == 1 ? "" : "s")
                                + ", not a run folder; the newest is " + newest.getFileName(),
                        "jbang scripts/ValidateResults.java --results " + Kit.shq(newest.toString()));
            }
            throw Kit.UserError.badInput(dir + ": is not a run folder (no manifest.json, metrics.json or <experiment>/t<threads>/ folders)",
                    "pass the folder a pipeline run wrote: <output_root>/<yyyyMMdd-HHmmss>-<model>/");
        }
        io.step("ValidateResults: " + dir);
        validate();
        long fails = checks.count("fail"), warns = checks.count("warn");
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("ok", fails == 0);
            doc.put("results_dir", dir.toString());
            doc.put("checks", checks.list);
            io.data(doc);
        }
        if (fails == 0) io.err.println("run folder is valid" + (warns == 0 ? "" : " (" + warns + " warning" + (warns == 1 ? "" : "s") + ")"));
        else io.err.println(fails + " problem" + (fails == 1 ? "" : "s") + (warns == 0 ? "" : " and " + warns + " warning" + (warns == 1 ? "" : "s"))
                + " in " + dir);
        return fails == 0 ? Kit.OK : Kit.FAILED;
    }

    /** Error text from Kit with this folder's absolute prefix removed, so messages name files as the layout does. */
    private String rel(String message) { return message.replace(dir + java.io.File.separator, ""); }

    // ---------------------------------------------------------------- folder detection

    static boolean looksLikeRunFolder(Path d) {
        if (Files.exists(d.resolve("manifest.json")) || Files.exists(d.resolve("metrics.json"))) return true;
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isDirectory).anyMatch(ValidateResults::hasThreadFolder);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasThreadFolder(Path experiment) {
        try (Stream<Path> s = Files.list(experiment)) {
            return s.anyMatch(p -> Files.isDirectory(p) && p.getFileName().toString().matches("t\\d+")
                    && (Files.exists(p.resolve("run.etdump")) || Files.exists(p.resolve("runner.log"))));
        } catch (IOException e) {
            return false;
        }
    }

    /** Run folders directly inside an output root, oldest first (by their UTC timestamp name, then by modification time). */
    static List<Path> childRunFolders(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> Files.exists(p.resolve("manifest.json")) || Files.exists(p.resolve("metrics.json")))
                    .sorted(Comparator.comparing((Path p) -> RUN_FOLDER_NAME.matcher(p.getFileName().toString()).matches()
                                    ? p.getFileName().toString().substring(0, 15) : "")
                            .thenComparing(ValidateResults::modified)
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- validation

    /** Reads a JSON file into a check: null (and a failure recorded) when missing or invalid. */
    private JsonNode readJson(String id, String name, boolean required) {
        Path f = dir.resolve(name);
        if (!Files.exists(f)) {
            if (required) checks.fail(id, name + ": missing", "every run folder has one; " + rerun);
            return null;
        }
        try {
            return Kit.readJson(f);
        } catch (Kit.UserError e) {
            checks.fail(id, rel(e.getMessage()), e.fix);
            return null;
        }
    }

    private void validate() {
        JsonNode manifest = readJson("manifest", "manifest.json", true);
        if (manifest != null && !manifest.isObject()) {
            checks.fail("manifest", "manifest.json: $: expected a JSON object", rerun);
            manifest = null;
        }
        if (manifest != null) {
            String tool = manifest.path("tool").asText("");
            String config = manifest.path("config").asText("");
            if (tool.matches("[A-Za-z]+Pipeline") && !config.isEmpty())
                rerun = "re-run what is not ok into this folder: jbang scripts/" + tool + ".java --resume " + Kit.shq(dir.toString());
            checkManifest(manifest);
        }
        JsonNode metrics = readJson("metrics", "metrics.json", true);
        JsonNode metricResults = null;
        if (metrics != null) {
            if (!metrics.isObject() || !metrics.path("results").isArray())
                checks.fail("metrics", "metrics.json: $.results: missing or not an array", rerun);
            else metricResults = metrics.get("results");
        }
        JsonNode manifestResults = manifest != null && manifest.path("results").isArray() ? manifest.get("results") : null;
        if (manifestResults != null && metricResults != null) compareResults(manifestResults, metricResults);
        else if (metricResults != null && manifest != null) checks.ok("metrics", "metrics.json: " + metricResults.size() + " results");

        JsonNode entries = manifestResults != null ? manifestResults : metricResults;
        String source = manifestResults != null ? "manifest.json" : "metrics.json";
        Set<String> referenced = new HashSet<>();
        if (entries != null) {
            if (entries.isEmpty()) checks.fail("results", source + ": $.results: empty (no experiment ran)", rerun);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) checkResult(source, i, entries.get(i), manifest, seen, referenced);
        }
        checkOrphans(referenced);
        if (!Files.exists(dir.resolve("config.json")))
            checks.warn("config", "config.json: missing (the resolved config of this run)", "nothing to fix for the results; " + rerun + " to get it");
        checkAnalysis();
    }

    private void checkManifest(JsonNode m) {
        int before = failures();
        String generated = text(m, "generated_at", "manifest.json: $.generated_at");
        if (generated != null) {
            try {
                Instant.parse(generated);
            } catch (DateTimeParseException e) {
                checks.fail("manifest", "manifest.json: $.generated_at: \"" + generated + "\" is not an ISO-8601 UTC time (like 2026-11-25T14:03:12Z)", rerun);
            }
        }
        text(m, "config", "manifest.json: $.config");
        String model = text(m, "model", "manifest.json: $.model");
        String runRoot = text(m, "run_root", "manifest.json: $.run_root");
        JsonNode et = m.get("executorch");
        if (et == null) missing("manifest.json: $.executorch");
        else if (!et.isObject()) wrongType("manifest.json: $.executorch", "an object {present, sha, dirty}", et);
        else {
            JsonNode present = et.get("present"), sha = et.get("sha"), dirty = et.get("dirty");
            if (present == null) missing("manifest.json: $.executorch.present");
            else if (!present.isBoolean()) wrongType("manifest.json: $.executorch.present", "true or false", present);
            if (sha == null) missing("manifest.json: $.executorch.sha");
            else if (!sha.isTextual() && !sha.isNull()) wrongType("manifest.json: $.executorch.sha", "a commit string or null", sha);
            else if (sha.isNull() && present != null && present.asBoolean())
                checks.fail("manifest", "manifest.json: $.executorch.sha: null although present is true", rerun);
            if (dirty == null) missing("manifest.json: $.executorch.dirty");
            else if (!dirty.isBoolean()) wrongType("manifest.json: $.executorch.dirty", "true or false", dirty);
            else if (dirty.asBoolean())
                checks.warn("executorch", "manifest.json: ExecuTorch " + (sha == null ? "?" : sha.asText()) + " was dirty (uncommitted changes) when this ran",
                        "for reproducible numbers build the runners from a clean checkout and re-run");
        }
        JsonNode res = m.get("results");
        if (res == null) missing("manifest.json: $.results");
        else if (!res.isArray()) wrongType("manifest.json: $.results", "an array", res);

        if (failures() == before)
            checks.ok("manifest", "manifest.json: valid" + (et != null && et.path("sha").isTextual()
                    ? " (ExecuTorch " + shortSha(et.get("sha").asText()) + (et.path("dirty").asBoolean() ? ", dirty" : ", clean") + ")" : ""));
        JsonNode status = m.get("status");
        if (status == null) checks.warn("status", "manifest.json: $.status: missing (ok, failed, interrupted or running)", "written by the pipeline; " + rerun);
        else if (status.asText().equals("running"))
            checks.fail("status", "manifest.json: $.status is running: the pipeline is still running or was killed", "wait for it to finish, or " + rerun);
        else if (status.asText().equals("failed") || status.asText().equals("interrupted"))
            checks.fail("status", "manifest.json: $.status is " + status.asText() + ": the run did not finish cleanly (failed results are listed below)", rerun);
        else if (!status.asText().equals("ok"))
            checks.fail("status", "manifest.json: $.status: \"" + status.asText() + "\" is not ok, failed, interrupted or running", rerun);

        if (runRoot != null && inRun(runRoot) != null && !inRun(runRoot).equals(dir))
            checks.warn("run_root", "manifest.json: $.run_root is " + runRoot + " but the folder is " + dir
                    + " (moved or copied; files are found by their *_rel paths)", "nothing to do if you moved it on purpose");
        if (model != null && (inRun(model) == null || !Files.isRegularFile(inRun(model))))
            checks.warn("model", "manifest.json: $.model " + model + " is not on this machine (the analysis needs it for operator names)",
                    "copy the .pte (and its .etrecord) to that path, or pass --model to AnalyzeResults");
    }

    private int failures() { return (int) checks.count("fail"); }

    private static String shortSha(String s) { return s.substring(0, Math.min(12, s.length())); }

    private void missing(String where) { checks.fail("manifest", where + ": missing", "the pipeline writes this key; " + rerun); }

    private void wrongType(String where, String expected, JsonNode got) {
        checks.fail("manifest", where + ": expected " + expected + ", got " + got, "the pipeline writes this key; " + rerun);
    }

    /** A required string key of the manifest; records a failure and returns null when missing or not a string. */
    private String text(JsonNode obj, String key, String where) {
        JsonNode n = obj.get(key);
        if (n == null) {
            missing(where);
            return null;
        }
        if (!n.isTextual()) {
            wrongType(where, "a string", n);
            return null;
        }
        return n.asText();
    }

    private void compareResults(JsonNode manifestResults, JsonNode metricResults) {
        if (manifestResults.equals(metricResults)) {
            checks.ok("metrics", "metrics.json: the same " + metricResults.size() + " result" + (metricResults.size() == 1 ? "" : "s") + " as manifest.json");
            return;
        }
        if (manifestResults.size() != metricResults.size()) {
            checks.fail("metrics", "metrics.json: $.results has " + metricResults.size() + " entries but manifest.json has " + manifestResults.size(), rerun);
            return;
        }
        for (int i = 0; i < manifestResults.size(); i++) {
            if (!manifestResults.get(i).equals(metricResults.get(i))) {
                checks.fail("metrics", "metrics.json: $.results[" + i + "] differs from manifest.json $.results[" + i + "]", rerun);
                return;
            }
        }
    }

    private void checkResult(String source, int i, JsonNode r, JsonNode manifest, Set<String> seen, Set<String> referenced) {
        String at = source + ": $.results[" + i + "]";
        if (!r.isObject()) {
            checks.fail("results", at + ": expected an object", rerun);
            return;
        }
        JsonNode mx = r.path("metrics");
        String exp = r.path("experiment").isTextual() ? r.get("experiment").asText() : null;
        int threads = r.path("threads").isInt() ? r.get("threads").asInt() : mx.path("threads").isInt() ? mx.get("threads").asInt() : -1;
        String label = (exp == null ? "results[" + i + "]" : exp) + (threads > 0 ? "/t" + threads : "");
        String id = "result:" + label;
        if (exp == null) checks.fail(id, at + ".experiment: missing", rerun);
        else if (!seen.add(label)) checks.fail(id, at + ": " + label + " appears twice", rerun);

        JsonNode st = r.get("status");
        String status = st == null ? null : st.asText();
        String reason = r.path("reason").isTextual() ? r.get("reason").asText() : null;
        if (st == null) checks.fail(id, at + ".status: missing (ok, failed, interrupted or pending)", rerun);
        else if (!RESULT_STATUSES.contains(status)) checks.fail(id, at + ".status: \"" + status + "\" is not ok, failed, interrupted or pending", rerun);
        else if (!status.equals("ok")) {
            String logRel = mx.path("log_rel").isTextual() ? mx.get("log_rel").asText() : null;
            String what = switch (status) {
                case "pending" -> "never ran (the pipeline stopped before it)";
                case "interrupted" -> "was interrupted";
                default -> "failed";
            };
            checks.fail(id, label + ": " + what + (reason != null ? ": " + reason : status.equals("pending") ? "" : " (no reason given)"),
                    (logRel != null ? "see " + logRel + ", fix the cause and " : "fix the cause and ") + rerun);
            if (logRel != null) referenced.add(normal(logRel));
            if (mx.path("etdump_rel").isTextual()) referenced.add(normal(mx.get("etdump_rel").asText()));
            return;
        }
        if (!mx.isObject()) {
            checks.fail(id, at + ".metrics: missing", rerun);
            return;
        }
        int before = failures();
        String m = at + ".metrics";
        Integer runs = positiveInt(id, mx, m, "runs");
        Integer mThreads = positiveInt(id, mx, m, "threads");
        if (mThreads != null && r.path("threads").isInt() && r.get("threads").asInt() != mThreads)
            checks.fail(id, at + ".threads is " + r.get("threads").asInt() + " but .metrics.threads is " + mThreads, rerun);
        List<Double> lat = latencies(id, mx, m, "latency_ms");
        Integer warm = warmupInProcess(id, mx, m);
        List<Double> all = warm == null ? lat : latencies(id, mx, m, "latency_all_ms");
        if (warm != null && all != null && lat != null && (all.size() < warm || !all.subList(Math.min(warm, all.size()), all.size()).equals(lat)))
            checks.fail(id, label + ": latency_ms is not latency_all_ms without its first " + warm + " (warmup_in_process) value(s)", rerun);
        Double median = number(id, mx, m, "median_ms"), min = number(id, mx, m, "min_ms"), max = number(id, mx, m, "max_ms");
        for (String k : List.of("etdump", "log", "etdump_rel", "log_rel")) {
            if (!mx.has(k)) checks.fail(id, m + "." + k + ": missing", rerun);
            else if (!mx.get(k).isTextual()) checks.fail(id, m + "." + k + ": expected a path string, got " + mx.get(k), rerun);
        }
        if (lat != null && runs != null && lat.size() != runs)
            checks.fail(id, label + ": latency_ms has " + lat.size() + " value" + (lat.size() == 1 ? "" : "s") + " but runs is " + runs, rerun);
        if (lat != null && !lat.isEmpty()) {
            List<Double> sorted = lat.stream().sorted().toList();
            double wantMedian = median(sorted), wantMin = sorted.get(0), wantMax = sorted.get(sorted.size() - 1);
            agree(id, label, "median_ms", median, wantMedian);
            agree(id, label, "min_ms", min, wantMin);
            agree(id, label, "max_ms", max, wantMax);
        }
        Path runRoot = manifest != null && manifest.path("run_root").isTextual() ? inRun(manifest.get("run_root").asText()) : null;
        Path etdump = inside(id, m + ".etdump_rel", mx.path("etdump_rel"), referenced);
        Path log = inside(id, m + ".log_rel", mx.path("log_rel"), referenced);
        if (etdump != null) absoluteAgrees(id, m + ".etdump", mx.path("etdump"), mx.path("etdump_rel"), runRoot);
        if (log != null) absoluteAgrees(id, m + ".log", mx.path("log"), mx.path("log_rel"), runRoot);
        String expectedRel = exp != null && mThreads != null ? exp + "/t" + mThreads + "/run.etdump" : null;
        if (etdump != null && expectedRel != null && !normal(mx.get("etdump_rel").asText()).equals(expectedRel))
            checks.warn(id, label + ": etdump_rel " + mx.get("etdump_rel").asText() + " is not the standard " + expectedRel, "nothing breaks; " + rerun + " for the standard layout");
        if (etdump != null) checkEtdump(id, label, etdump, runs == null ? null : runs + (warm == null ? 0 : warm), all,
                warm == null ? "latency_ms" : "latency_all_ms");
        if (log != null && !Files.isRegularFile(log))
            checks.fail("log:" + label, label + ": log " + mx.get("log_rel").asText() + " is missing", rerun);
        JsonNode xnn = mx.path("xnntrace_log_rel");
        if (xnn.isTextual()) {
            Path x = inside(id, m + ".xnntrace_log_rel", xnn, referenced);
            if (x != null && !Files.isRegularFile(x)) checks.fail("log:" + label, label + ": kernel log " + xnn.asText() + " is missing", rerun);
        } else if ("xnntrace".equals(r.path("mode").asText()))
            checks.warn(id, label + ": mode xnntrace but no xnntrace_log_rel (no kernel log)", rerun);
        if (etdump != null) {
            Path folder = etdump.getParent();
            if (!Files.isRegularFile(folder.resolve("command.txt")))
                checks.warn(id, label + ": " + dir.relativize(folder) + "/command.txt is missing (the exact timed command)", rerun);
            if (warm == null && mx.path("warmup").asInt(0) > 0 && !Files.isRegularFile(folder.resolve("warmup.log")))
                checks.warn(id, label + ": " + dir.relativize(folder) + "/warmup.log is missing", rerun);
        }
        if (failures() == before)
            checks.ok(id, label + ": " + runs + " runs" + (warm == null || warm == 0 ? "" : " after " + warm + " in-process warm-up") + ", median " + fmt(median) + " ms (min " + fmt(min) + ", max " + fmt(max) + "); ETDump and log present");
    }

    private Integer positiveInt(String id, JsonNode mx, String m, String key) {
        JsonNode n = mx.get(key);
        if (n == null) {
            checks.fail(id, m + "." + key + ": missing", rerun);
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
            checks.fail(id, m + "." + key + ": expected a whole number of at least 1, got " + n, rerun);
            return null;
        }
        return n.asInt();
    }

    private Double number(String id, JsonNode mx, String m, String key) {
        JsonNode n = mx.get(key);
        if (n == null) {
            checks.fail(id, m + "." + key + ": missing", rerun);
            return null;
        }
        if (!n.isNumber()) {
            checks.fail(id, m + "." + key + ": expected a number, got " + n, rerun);
            return null;
        }
        return n.asDouble();
    }

    /** metrics.warmup_in_process: null when absent (a run folder from before the in-process warm-up); a whole number ≥ 0. */
    private Integer warmupInProcess(String id, JsonNode mx, String m) {
        JsonNode n = mx.get("warmup_in_process");
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
            checks.fail(id, m + ".warmup_in_process: expected a whole number of at least 0, got " + n, rerun);
            return null;
        }
        return n.asInt();
    }

    private List<Double> latencies(String id, JsonNode mx, String m, String key) {
        JsonNode n = mx.get(key);
        if (n == null) {
            checks.fail(id, m + "." + key + ": missing", rerun);
            return null;
        }
        if (!n.isArray()) {
            checks.fail(id, m + "." + key + ": expected an array of numbers, got " + n, rerun);
            return null;
        }
        List<Double> out = new ArrayList<>();
        for (int j = 0; j < n.size(); j++) {
            if (!n.get(j).isNumber()) {
                checks.fail(id, m + "." + key + "[" + j + "]: expected a number, got " + n.get(j), rerun);
                return null;
            }
            out.add(n.get(j).asDouble());
        }
        return out;
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static boolean same(double a, double b) { return Math.abs(a - b) <= TOLERANCE_MS; }

    static String fmt(Double ms) { return ms == null ? "?" : String.format(Locale.ROOT, "%.3f", ms); }

    private void agree(String id, String label, String key, Double stated, double computed) {
        if (stated != null && !same(stated, computed))
            checks.fail(id, label + ": " + key + " is " + stated + " but latency_ms gives " + computed, rerun);
    }

    private static String normal(String rel) {
        Path p = safePath(rel);
        return p == null ? rel : p.normalize().toString().replace('\\', '/');
    }

    /** The path, or null when the text cannot be a path on this system (e.g. it holds a NUL). */
    static Path safePath(String text) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /** A manifest path: absolute as it is, relative against the run folder (run_root "." marks a relocatable folder). */
    private Path inRun(String text) {
        Path p = safePath(text);
        return p == null ? null : (p.isAbsolute() ? p : dir.resolve(p)).normalize();
    }

    static String quote(String s) { return "\"" + s + "\""; }

    /** A *_rel path resolved inside the run folder; null (and a failure) when absolute, escaping, or not a string. */
    private Path inside(String id, String where, JsonNode relNode, Set<String> referenced) {
        if (!relNode.isTextual()) return null;
        Kit.Inside in = Kit.inside(dir, relNode.asText()); // the rule AnalyzeResults reads by
        if (in.why() != null) {
            checks.fail(id, where + ": " + in.why(), rerun);
            return null;
        }
        referenced.add(dir.relativize(in.path()).toString().replace('\\', '/'));
        return in.path();
    }

    /**
     * The path beside a *_rel path (absolute, or relative to the run folder in a relocatable one) must be run_root/rel,
     * so it never names a file outside the run.
     */
    private void absoluteAgrees(String id, String where, JsonNode abs, JsonNode rel, Path runRoot) {
        if (!abs.isTextual() || !rel.isTextual() || runRoot == null) return;
        Path a = inRun(abs.asText());
        if (a == null) checks.fail(id, where + ": " + quote(abs.asText()) + " is not a valid path", rerun);
        else if (!a.normalize().startsWith(runRoot))
            checks.fail(id, where + ": " + abs.asText() + " is outside the run folder (run_root " + runRoot + ")", rerun);
        else if (!a.normalize().equals(runRoot.resolve(rel.asText()).normalize()))
            checks.fail(id, where + ": " + abs.asText() + " is not run_root/" + rel.asText(), rerun);
    }

    private void checkEtdump(String id, String label, Path etdump, Integer runs, List<Double> lat, String latKey) {
        String rel = dir.relativize(etdump).toString();
        String eid = "etdump:" + label;
        if (!Files.isRegularFile(etdump)) {
            checks.fail(eid, label + ": ETDump " + rel + " is missing", rerun);
            return;
        }
        Kit.EtdumpRuns er;
        try {
            er = Kit.etdumpRuns(etdump);
        } catch (Kit.UserError e) {
            checks.fail(eid, label + ": " + rel(e.getMessage()), rerun);
            return;
        }
        List<Double> exec = er.executeMs();
        if (runs != null && exec.size() != runs) {
            checks.fail(eid, label + ": " + rel + " has " + exec.size() + " Execute block" + (exec.size() == 1 ? "" : "s") + " but " + runs
                    + " execution(s) ran (runs + warmup_in_process)", rerun);
            return;
        }
        long noEvent = exec.stream().filter(d -> d.isNaN()).count();
        if (noEvent > 0)
            checks.warn(eid, label + ": " + noEvent + " Execute block" + (noEvent == 1 ? " has" : "s have") + " no Method::execute event in " + rel
                    + " (latency not measurable there)", "use a runner built with the event tracer (EXECUTORCH_ENABLE_EVENT_TRACER=ON)");
        if (lat != null && lat.size() == exec.size()) {
            int mismatches = 0, first = -1;
            for (int j = 0; j < exec.size(); j++) {
                if (!exec.get(j).isNaN() && !same(exec.get(j), lat.get(j))) {
                    mismatches++;
                    if (first < 0) first = j;
                }
            }
            if (mismatches > 0)
                checks.fail(eid, label + ": " + latKey + "[" + first + "] is " + lat.get(first) + " but " + rel + " says " + exec.get(first)
                        + " ms (" + mismatches + " of " + exec.size() + " values differ)", rerun);
        }
    }

    /** ETDumps in <experiment>/t<threads>/ that no result names: leftovers of another run, or a result lost from the manifest. */
    private void checkOrphans(Set<String> referenced) {
        try (Stream<Path> s = Files.walk(dir, 3)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".etdump")).sorted().toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!referenced.contains(rel))
                    checks.warn("orphan:" + rel, rel + " is not referenced by any result", "delete it, or " + rerun + " so the manifest lists it");
            }
        } catch (IOException e) {
            checks.warn("orphan", "cannot list " + dir + ": " + e.getMessage(), "check the folder permissions");
        }
    }

    private void checkAnalysis() {
        Path a = dir.resolve("analysis");
        if (!Files.isDirectory(a)) return;
        String fix = "re-run the analysis: jbang scripts/AnalyzeResults.java --run-dir " + Kit.shq(dir.toString());
        if (!Files.exists(a.resolve("analysis_summary.json"))) {
            checks.warn("analysis", "analysis/analysis_summary.json: missing (analysis/ exists)", fix);
            return;
        }
        JsonNode s;
        try {
            s = Kit.readJson(a.resolve("analysis_summary.json"));
        } catch (Kit.UserError e) {
            checks.fail("analysis", rel(e.getMessage()), fix);
            return;
        }
        if (!s.isObject() || !s.path("experiments").isArray())
            checks.fail("analysis", "analysis/analysis_summary.json: $.experiments: missing or not an array", fix);
        else checks.ok("analysis", "analysis/analysis_summary.json: " + s.get("experiments").size() + " experiment" + (s.get("experiments").size() == 1 ? "" : "s"));
    }
}
