///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//DEPS com.google.flatbuffers:flatbuffers-java:25.2.10
//SOURCES ../scripts/Kit.java ../scripts/AnalyzeResults.java support/EtdumpWriter.java
//JAVA_OPTIONS -Xmx512m
//MAIN AnalyzeBenchmark

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;

/**
 * Benchmark of AnalyzeResults (not a JUnit test; run it with `./jbang test-cases/AnalyzeBenchmark.java [runs]`).
 * Generates an ETDump of the MobileNet-sized graph (EtdumpWriter.mobilenetLikeOps(): 32 XNNPACK operators +
 * DELEGATE_CALL + Method::execute = 34 profile events per run), by default 30,000 runs = 1,020,002 profile events,
 * then measures, in a JVM limited to -Xmx512m: the reader's parse rate (best of 7), the whole analysis
 * (AnalyzeResults.run with --etdump --out: reader, Inspector table, categories, statistics, every output file) and the
 * peak heap during that analysis. Targets: parse >= 2,000,000 events/s, whole analysis < 3 s, peak heap < 512 MB.
 * Exits 1 when a target is missed.
 */
public class AnalyzeBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        Path dir = Files.createTempDirectory("analyze-benchmark");
        Path dump = dir.resolve("benchmark.etdump");
        double[] scales = new double[runs];
        for (int i = 0; i < runs; i++) scales[i] = 1.0 + ((i * 7919L) % 97) / 400.0;
        Files.write(dump, EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), runs, scales).finish());
        System.gc();
        long size = Files.size(dump);

        long best = Long.MAX_VALUE;
        int events = 0;
        for (int i = 0; i < 7; i++) {
            System.gc();
            long t0 = System.nanoTime();
            AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(dump);
            best = Math.min(best, System.nanoTime() - t0);
            events = d.count(AnalyzeResults.Profile.class);
        }
        double parseRate = events / (best / 1e9);

        Path out = dir.resolve("analysis");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        AnalyzeResults.run(sink, sink, "--etdump", dump.toString(), "--out", out.toString());   // warm-up (JIT)
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime(), c0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        int code = AnalyzeResults.run(sink, sink, "--etdump", dump.toString(), "--out", out.toString());
        double wholeS = (System.nanoTime() - t0) / 1e9;
        double cpuS = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0) / 1e9;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long maxHeap = Runtime.getRuntime().maxMemory();

        double commandS = wholeCommandSeconds(dump, dir.resolve("analysis-cli"));

        System.out.printf(Locale.ROOT, "ETDump: %d runs, %,d profile events, %.1f MB%n", runs, events, size / 1e6);
        System.out.printf(Locale.ROOT, "parse (best of 7):    %.3f s = %,.0f events/s   (target >= 2,000,000)%n", best / 1e9, parseRate);
        System.out.printf(Locale.ROOT, "whole analysis:       %.3f s (CPU of the analysing thread %.3f s), exit %d   (target < 3 s)%n", wholeS, cpuS, code);
        System.out.printf(Locale.ROOT, "peak heap (analysis): %.0f MB of max %.0f MB   (target < 512 MB)%n", peak / 1048576.0, maxHeap / 1048576.0);
        System.out.printf(Locale.ROOT, "whole command:        %.3f s  ./jbang -R-Xmx512m scripts/AnalyzeResults.java --etdump … --out … (warm JBang cache, best of 3; target < 3 s)%n", commandS);
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        boolean ok = code == 0 && parseRate >= 2_000_000 && wholeS < 3 && commandS < 3 && peak < 512L * 1048576;
        System.out.println(ok ? "all targets met" : "TARGET MISSED");
        System.exit(ok ? 0 : 1);
    }

    /** The whole command as a user runs it: a new JVM through the repository's ./jbang (cache warmed by a first run). */
    static double wholeCommandSeconds(Path dump, Path out) throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        while (repo != null && !Files.isRegularFile(repo.resolve("jbang-catalog.json"))) repo = repo.getParent();
        if (repo == null) throw new IllegalStateException("run the benchmark from inside the repository");
        java.util.List<String> cmd = java.util.List.of(repo.resolve("jbang").toString(), "--quiet", "-R-Xmx512m",
                repo.resolve("scripts/AnalyzeResults.java").toString(), "--etdump", dump.toString(), "--out", out.toString());
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) throw new IllegalStateException("the command failed: " + String.join(" ", cmd));
            if (i > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }
}
