import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assembles test-cases/fixtures/demo-run-samlike/ from the real runs in ../shared/fixtures/runner-samlike/ the way
 * demo-run/ was assembled from runner-mnv1/ (test-cases/fixtures/PROVENANCE.md): the run-folder layout the pipelines
 * write, manifest schema 2, metrics as Kit.RunFolder.metrics writes them (latency_all_ms = the ETDumps'
 * Method::execute durations, the first `warmup` left out of latency_ms), paths relative to the folder. Deterministic:
 * building twice gives the same bytes (GenerateSamlikeDemo writes it, SamlikeDemoRunTest compares).
 */
public final class SamlikeDemoRun {
    private SamlikeDemoRun() {}

    public static final String MODEL = "sam-like-encoder-xnnpack-fp32.pte";
    public static final String GENERATED_AT = "2026-12-04T21:00:00Z";
    public static final String LABEL = "2 threads vs 1 thread (real x86-64 runs of the SAM-like encoder; not an SME2 comparison)";

    /** experiment, threads, source run, runs, warm-up executions inside the timed process. */
    record Entry(String experiment, int threads, String source, int runs, int warmup) {
        boolean xnnlog() { return experiment.endsWith("_xnnlog"); }
    }

    static final List<Entry> ENTRIES = List.of(new Entry("host_fp32", 1, "samlike-t1", 20, 5), new Entry("host_fp32", 2, "samlike-t2", 20, 5),
            new Entry("host_fp32_xnnlog", 1, "samlike-xnnlog-t1", 3, 0), new Entry("host_fp32_xnnlog", 2, "samlike-xnnlog-t2", 3, 0));

    /** Writes the run folder `out` (created; files replaced) from the runner-samlike folder `src`. */
    public static void build(Path src, Path out) throws IOException {
        Files.createDirectories(out);
        Kit.writeJson(out.resolve("config.json"), config());
        Kit.writeJson(out.resolve("manifest.json"), Kit.ordered("schema_version", 2, "generated_at", GENERATED_AT, "tool",
                "demo (assembled from real executor_runner runs; see ../PROVENANCE.md)", "status", "running", "results", List.of()));
        List<Map<String, Object>> results = new ArrayList<>();
        try (Kit.RunFolder f = Kit.RunFolder.open(out)) {
            for (Entry e : ENTRIES) {
                Path dir = Files.createDirectories(out.resolve(e.experiment()).resolve("t" + e.threads()));
                Path etdump = dir.resolve("run.etdump"), log = dir.resolve("runner.log"), xlog = e.xnnlog() ? dir.resolve("xnntrace.log") : null;
                Files.copy(src.resolve(e.source() + ".etdump"), etdump, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(src.resolve(e.source() + ".log"), log, StandardCopyOption.REPLACE_EXISTING);
                if (xlog != null) Files.copy(log, xlog, StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(dir.resolve("command.txt"), String.join("\n", "executor_runner", "--model_path", MODEL, "--num_executions",
                        "" + (e.warmup() + e.runs()), "--cpu_threads", "" + e.threads(), "--etdump_path", f.rel(etdump)) + "\n");
                List<Double> all = Kit.etdumpRuns(etdump).executeMs();
                Double reported = Kit.RunnerOutput.parse(Files.readString(log)).reportedMs();
                Map<String, Object> m = f.metrics(e.runs(), e.warmup(), e.threads(), all, reported, etdump, log, xlog);
                m.put("etdump", f.rel(etdump));
                m.put("log", f.rel(log));
                results.add(Kit.ordered("experiment", e.experiment(), "threads", e.threads(), "mode", e.xnnlog() ? "xnntrace" : "timing", "status", "ok",
                        "reason", null, "metrics", m));
            }
        }
        Kit.writeJson(out.resolve("manifest.json"), manifest(results));
        Kit.writeJson(out.resolve("metrics.json"), Map.of("results", results));
        Files.deleteIfExists(out.resolve(Kit.RunFolder.LOCK_FILE));
    }

    static Map<String, Object> config() {
        return Kit.ordered("$schema", "../../../configs/config.schema.json", "model", "../pte/" + MODEL, "output_root", "..",
                "experiments", List.of(
                        Kit.ordered("name", "host_fp32", "runner_path", "executor_runner", "mode", "timing", "runs", 20, "warmup", 5, "threads", List.of(1, 2)),
                        Kit.ordered("name", "host_fp32_xnnlog", "runner_path", "executor_runner", "mode", "xnntrace", "runs", 3, "warmup", 0, "threads", List.of(1, 2))),
                "analysis", Kit.ordered("compare_pairs", List.of(Kit.ordered("baseline", Kit.ordered("experiment", "host_fp32", "threads", 1),
                        "candidate", Kit.ordered("experiment", "host_fp32", "threads", 2), "label", LABEL))));
    }

    static Map<String, Object> manifest(List<Map<String, Object>> results) {
        Map<String, Object> build = Kit.ordered("variant", "x86-64 timing runner (Release, XNNPACK without KleidiAI, devtools + event tracer)", "executorch_sha", "e2f18eb2");
        Map<String, Object> xbuild = Kit.ordered("variant", "x86-64 kernel-logging runner (-UXNN_NO_LOGGING -DXNN_LOG_LEVEL=5)", "executorch_sha", "e2f18eb2");
        return Kit.ordered("schema_version", 2, "generated_at", GENERATED_AT, "tool", "demo (assembled from real executor_runner runs; see ../PROVENANCE.md)",
                "status", "ok", "config", "config.json", "model", "../pte/" + MODEL, "executorch", Kit.ordered("present", true, "sha", "e2f18eb2", "dirty", false),
                "run_root", ".", "host", Kit.ordered("os", "Linux", "arch", "x86_64", "cpu", "AMD EPYC x86-64 with AVX-512 (2 cores)", "cores", 2, "sme2", false,
                        "java", null, "tools", Map.of()), "device", null,
                "runners", Kit.ordered("host_fp32", Kit.ordered("path", "executor_runner", "build", build),
                        "host_fp32_xnnlog", Kit.ordered("path", "executor_runner", "build", xbuild)),
                "results", results);
    }
}
