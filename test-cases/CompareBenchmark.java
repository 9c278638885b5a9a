///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES ../scripts/Kit.java ../scripts/AnalyzeResults.java ../scripts/CompareRuns.java
//JAVA_OPTIONS -Xmx512m
//MAIN CompareBenchmark

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark of CompareRuns (not a JUnit test; run it with `./jbang test-cases/CompareBenchmark.java [folders]` from the
 * repository). Builds a simulated fleet from the real runner output of test-cases/fixtures/demo-run: one run folder of
 * 20 experiments (10 experiments x 1 and 2 threads, each with a real ETDump of 20 executions) is analysed once by
 * AnalyzeResults; it is then copied to 1,000 run folders (ETDumps hard-linked) that vary the device (Macs and phones),
 * the ExecuTorch SHA, the date and the model, each with its current summary. Measures, in a JVM limited to -Xmx512m, the
 * whole merge (CompareRuns.run: discovery, manifests, summaries, fleet.csv, fleet.jsonl, fleet-report.html) cold
 * (first run in the JVM) and warm (best of 3), and the peak heap. Targets: < 10 s, < 512 MB, no folder analysed again.
 * Exits 1 when a target is missed.
 */
public class CompareBenchmark {
    static final String[][] DEVICES = {{"host", "Apple M4 Pro", "Darwin", "arm64"}, {"host", "Apple M4", "Darwin", "arm64"},
            {"host", "Apple M3 Max", "Darwin", "arm64"}, {"android", "Pixel 10 Pro", "Tensor G5", "arm64-v8a"},
            {"android", "Galaxy S26", "Exynos 2600", "arm64-v8a"}, {"android", "Vivo X300", "Dimensity 9500", "arm64-v8a"}};
    static final String[] MODELS = {"mv2_xnnpack_fp16.pte", "mv2_xnnpack_fp32.pte", "toy_cnn_xnnpack_fp32.pte", "resnet18_xnnpack_int8.pte"};

    public static void main(String[] args) throws Exception {
        int folders = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path repo = Path.of("").toAbsolutePath();
        while (repo != null && !Files.isRegularFile(repo.resolve("jbang-catalog.json"))) repo = repo.getParent();
        if (repo == null) throw new IllegalStateException("run the benchmark from inside the repository");
        Path demo = repo.resolve("test-cases/fixtures/demo-run");
        Path dir = Files.createTempDirectory("compare-benchmark");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        Path template = template(demo, dir.resolve("template"));
        if (AnalyzeResults.run(sink, sink, "--run-dir", template.toString()) != 0) throw new IllegalStateException("the template did not analyse");
        String manifest = Files.readString(template.resolve("manifest.json"));
        String summary = Files.readString(template.resolve("analysis/analysis_summary.json"));
        String stamp = Kit.readJson(template.resolve("manifest.json")).get("generated_at").asText();
        long t0 = System.nanoTime();
        Path fleet = dir.resolve("fleet");
        for (int i = 0; i < folders; i++) fleetFolder(template, fleet, i, manifest, summary, stamp);
        double genS = (System.nanoTime() - t0) / 1e9;
        long summaryBytes = Files.size(template.resolve("analysis/analysis_summary.json"));

        Path out = dir.resolve("out");
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        t0 = System.nanoTime();
        int code = CompareRuns.run(sink, new PrintStream(err, true, StandardCharsets.UTF_8), fleet.toString(), "--out", out.toString());
        double coldS = (System.nanoTime() - t0) / 1e9, coldCpuS = (os.getProcessCpuTime() - cpu0) / 1e9;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        double warmS = Double.MAX_VALUE, warmCpuS = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            long w0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            code |= CompareRuns.run(sink, sink, fleet.toString(), "--out", out.toString());
            warmS = Math.min(warmS, (System.nanoTime() - w0) / 1e9);
            warmCpuS = Math.min(warmCpuS, (os.getProcessCpuTime() - c0) / 1e9);
        }
        long rows = Files.lines(out.resolve("fleet.csv")).count() - 1;
        boolean noneAnalysed = err.toString(StandardCharsets.UTF_8).contains("(0 analysed first)");

        System.out.printf(Locale.ROOT, "fleet: %d run folders x 20 experiments (summary %.0f kB each; generated in %.1f s)%n", folders, summaryBytes / 1e3, genS);
        System.out.printf(Locale.ROOT, "merge, cold JVM:      %.2f s (process CPU %.2f s on %d cores), %d rows, exit %d, folders analysed again: %s   (target < 10 s, none)%n",
                coldS, coldCpuS, Runtime.getRuntime().availableProcessors(), rows, code, noneAnalysed ? "none" : "SOME");
        System.out.printf(Locale.ROOT, "merge, warm (best 3): %.2f s (process CPU %.2f s)%n", warmS, warmCpuS);
        System.out.printf(Locale.ROOT, "load average (1 min) at the end: %.1f%n", os.getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "peak heap (cold run): %.0f MB of max %.0f MB   (target < 512 MB)%n", peak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        System.out.printf(Locale.ROOT, "outputs: fleet.csv %.1f MB, fleet.jsonl %.1f MB, fleet-report.html %.1f MB%n", Files.size(out.resolve("fleet.csv")) / 1e6,
                Files.size(out.resolve("fleet.jsonl")) / 1e6, Files.size(out.resolve("fleet-report.html")) / 1e6);
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        boolean ok = code == 0 && rows == folders * 20L && noneAnalysed && coldS < 10 && peak < 512L * 1048576;
        System.out.println(ok ? "all targets met" : "TARGET MISSED");
        System.exit(ok ? 0 : 1);
    }

    /** A run folder of 20 experiments (exp_00 … exp_09 at 1 and 2 threads) over the demo run's real ETDumps. */
    static Path template(Path demo, Path run) throws Exception {
        ObjectNode m = (ObjectNode) Kit.readJson(demo.resolve("manifest.json"));
        m.put("model", demo.resolve(m.get("model").asText()).normalize().toString());
        m.put("config", demo.resolve("config.json").toString());
        ObjectNode runners = m.putObject("runners");
        ArrayNode results = m.putArray("results");
        ObjectNode proto = (ObjectNode) Kit.readJson(demo.resolve("manifest.json")).get("results").get(0);
        for (int e = 0; e < 10; e++) {
            String exp = String.format(Locale.ROOT, "exp_%02d_sme2_%s", e, e % 2 == 0 ? "on" : "off");
            runners.putObject(exp).put("path", "executor_runner").putObject("build").put("variant", "host-" + exp).put("sme2", e % 2 == 0);
            for (int t : List.of(1, 2)) {
                Path d = Files.createDirectories(run.resolve(exp).resolve("t" + t));
                Files.copy(demo.resolve("host_fp32/t" + t + "/run.etdump"), d.resolve("run.etdump"));
                ObjectNode r = proto.deepCopy();
                r.put("experiment", exp).put("threads", t);
                ObjectNode met = (ObjectNode) r.get("metrics");
                met.put("threads", t).put("etdump_rel", exp + "/t" + t + "/run.etdump").put("etdump", exp + "/t" + t + "/run.etdump")
                        .put("log_rel", exp + "/t" + t + "/runner.log").put("log", exp + "/t" + t + "/runner.log").putNull("xnntrace_log_rel");
                results.add(r);
            }
        }
        m.remove("config");
        Kit.writeJson(run.resolve("manifest.json"), m);
        return run;
    }

    /** Folder i of the fleet: another device, SHA, date and model; ETDumps hard-linked; the summary current for its manifest. */
    static void fleetFolder(Path template, Path fleet, int i, String manifest, String summary, String stamp) throws Exception {
        String[] dev = DEVICES[i % DEVICES.length];
        String sha = String.format(Locale.ROOT, "%08x", 0x1a2b3c4d + (i / 50) * 7919);
        String when = java.time.Instant.parse("2026-01-01T02:00:00Z").plusSeconds(3600L * i).toString();
        String model = MODELS[i % MODELS.length];
        Path run = Files.createDirectories(fleet.resolve("run-" + dev[1].replace(' ', '-') + "-" + i).resolve(String.format(Locale.ROOT, "%05d", i)));
        ObjectNode m = (ObjectNode) Kit.JSON.readTree(manifest);
        m.put("generated_at", when);
        m.put("tool", dev[0].equals("host") ? "MacPipeline" : "AndroidPipeline");
        m.put("model", "/models/" + model);
        m.put("model_sha256", Integer.toHexString(model.hashCode()).repeat(8));
        ((ObjectNode) m.get("executorch")).put("sha", sha);
        if (dev[0].equals("host")) ((ObjectNode) m.get("host")).put("cpu", dev[1]).put("os", dev[2]).put("arch", dev[3]);
        else m.putObject("device").put("serial", "SERIAL" + i % DEVICES.length).put("model", dev[1]).put("soc", dev[2]).put("abi", dev[3]).put("sme2", true);
        Kit.writeJson(run.resolve("manifest.json"), m);
        Files.createDirectories(run.resolve("analysis"));
        Files.writeString(run.resolve("analysis/analysis_summary.json"), summary.replace("\"generated_at\" : \"" + stamp + "\"", "\"generated_at\" : \"" + when + "\""));
        try (var s = Files.walk(template)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("run.etdump")).toList()) {
                Path to = run.resolve(template.relativize(p).toString());
                Files.createDirectories(to.getParent());
                Files.createLink(to, p);
            }
        }
    }
}
