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
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark of AnalyzeResults (not a JUnit test; run it from the repository with
 * `./jbang test-cases/AnalyzeBenchmark.java [--runs N] [--repeat R] [--executorch DIR] [--runtime-options "OPTS"]`).
 *
 * <p>Generates an ETDump of the MobileNet-sized graph (EtdumpWriter.mobilenetLikeOps(): 32 XNNPACK operators +
 * DELEGATE_CALL + Method::execute = 34 profile events per run), by default 30,000 runs = 1,020,002 profile events, 91 MB.
 *
 * <p>Side by side (issue 15): the whole command as a user types it, {@code ./jbang scripts/AnalyzeResults.java --etdump
 * big.etdp --out <fresh folder>} (JBang's cache warmed by one untimed run), against {@code flatc --json --raw-binary
 * --strict-json --size-prefixed -o <fresh folder> etdump_schema_flatcc.fbs -- big.etdp}, flatc merely decoding the same
 * file to JSON (Debian's flatbuffers-compiler). R runs each (default 5), alternating, so that the load of a shared
 * machine falls on both alike. Each process runs under GNU time (/usr/bin/time): wall, CPU = user + sys of the whole
 * process tree (every JVM the launcher starts), and peak RSS = the larger of the biggest process's maximum RSS (GNU
 * time) and the sum over the process tree sampled every 10 ms from /proc. Goals: wall median <= 0.8x flatc's, CPU median
 * <= 1.5x flatc's, peak RSS (largest of the runs) <= 400 MiB. The etdump schema is ExecuTorch's
 * devtools/etdump/etdump_schema_flatcc.fbs (with scalar_type.fbs beside it), read from an ExecuTorch checkout: --executorch
 * DIR, else the workspace's executorch/ (SME2_WORKSPACE or a parent folder holding executorch/, as the scripts find it);
 * it is never copied into this repository. Without flatc or the schema the ratios are skipped with the reason (the RSS
 * goal is still checked); without GNU time the side-by-side part is skipped. --runtime-options "-XX:+UseSerialGC ..." is a
 * what-if for JVM flags in the script's header: the command then starts with ./jbang -R-XX:+UseSerialGC ... (said so in the output).
 *
 * <p>In-process, in this JVM limited to -Xmx512m: the reader's parse rate (best of 5), the whole analysis
 * (AnalyzeResults.run with --etdump --out) and the peak heap during it. Targets: parse >= 2,000,000 events/s, analysis
 * < 3 s, peak heap < 512 MB.
 *
 * <p>Then the start-up goal, a warm {@code ./jbang <script> --help} at most 0.6 s median, through StartupBenchmark.
 * Exits 1 when a goal or target is missed, 2 on bad arguments.
 */
public class AnalyzeBenchmark {
    static final double WALL_GOAL = 0.8, CPU_GOAL = 1.5, RSS_GOAL_MIB = 400;
    static final Path GNU_TIME = Path.of("/usr/bin/time");

    /** One timed process: wall and CPU seconds, peak RSS in KiB, exit code. */
    record Sample(double wall, double cpu, long rssKib, int code) {}

    public static void main(String[] args) throws Exception {
        int runs = 30_000, repeat = 5;
        Path executorch = null;
        List<String> runtime = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(value(args, ++i));
                case "--repeat" -> repeat = Integer.parseInt(value(args, ++i));
                case "--executorch" -> executorch = Path.of(value(args, ++i));
                case "--runtime-options" -> runtime = List.of(value(args, ++i).trim().split("\\s+"));
                default -> {
                    if (args[i].matches("\\d+")) runs = Integer.parseInt(args[i]);
                    else usage("unknown argument " + args[i]);
                }
            }
        }
        if (runs < 1 || repeat < 1) usage("--runs and --repeat must be at least 1");
        Path repo = repo();
        Path dir = Files.createTempDirectory("analyze-benchmark");
        boolean ok;
        try {
            ok = benchmark(repo, dir, runs, repeat, executorch, runtime);
        } finally {
            delete(dir);   // before System.exit, which would skip a finally around it (154 MB left per run)
        }
        System.exit(ok ? 0 : 1);
    }

    static boolean benchmark(Path repo, Path dir, int runs, int repeat, Path executorch, List<String> runtime) throws Exception {
        Path dump = dir.resolve("big.etdp");
        double[] scales = new double[runs];
        for (int i = 0; i < runs; i++) scales[i] = 1.0 + ((i * 7919L) % 97) / 400.0;
        Files.write(dump, EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), runs, scales).finish());
        System.gc();
        boolean ok = inProcess(dump, dir);
        System.out.println();
        ok = sideBySide(repo, dir, dump, repeat, executorch, runtime) && ok;
        System.out.println();
        return startUp(repo) && ok;
    }

    /**
     * Issue 15's other goal, a warm `./jbang <script> --help` at most 0.6 s median, measured by StartupBenchmark (its own
     * process: it times every script and alias through the launcher); its table is printed here and its verdict counts.
     */
    static boolean startUp(Path repo) throws Exception {
        System.out.println("Start-up (./jbang test-cases/StartupBenchmark.java --rounds 5):");
        System.out.flush();
        Process p = new ProcessBuilder(repo.resolve("jbang").toString(), "test-cases/StartupBenchmark.java", "--rounds", "5")
                .directory(repo.toFile()).redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int code = p.waitFor();
        if (code != 0) System.out.println("start-up goal: MISSED (StartupBenchmark exit " + code + ")");
        return code == 0;
    }

    // ------------------------------------------------------------------------------------------------ in this JVM

    static boolean inProcess(Path dump, Path dir) {
        long best = Long.MAX_VALUE;
        int events = 0;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long t0 = System.nanoTime();
            AnalyzeResults.Etdump d = AnalyzeResults.readEtdump(dump);
            best = Math.min(best, System.nanoTime() - t0);
            events = d.count(AnalyzeResults.Profile.class);
        }
        double parseRate = events / (best / 1e9);
        Path out = dir.resolve("in-process");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        AnalyzeResults.run(sink, sink, "--etdump", dump.toString(), "--out", out.toString());   // warm-up (JIT)
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime();
        int code = AnalyzeResults.run(sink, sink, "--etdump", dump.toString(), "--out", out.toString());
        double wholeS = (System.nanoTime() - t0) / 1e9;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long size = dump.toFile().length();
        System.out.printf(Locale.ROOT, "ETDump: %,d profile events, %.1f MB%n", events, size / 1e6);
        System.out.println("In this JVM (-Xmx512m, after a warm-up):");
        System.out.printf(Locale.ROOT, "  parse (best of 5):    %.3f s = %,.0f events/s   (target >= 2,000,000)%n", best / 1e9, parseRate);
        System.out.printf(Locale.ROOT, "  whole analysis:       %.3f s, exit %d   (target < 3 s)%n", wholeS, code);
        System.out.printf(Locale.ROOT, "  peak heap (analysis): %.0f MB   (target < 512 MB)%n", peak / 1048576.0);
        return code == 0 && parseRate >= 2_000_000 && wholeS < 3 && peak < 512L * 1048576;
    }

    // ------------------------------------------------------------------------------------------------ side by side

    static boolean sideBySide(Path repo, Path dir, Path dump, int repeat, Path executorch, List<String> runtime) throws Exception {
        System.out.println("Side by side, " + repeat + " runs each, alternating:");
        if (!gnuTime()) {
            System.out.println("  SKIPPED: no GNU time at " + GNU_TIME + " (it measures the CPU and the peak RSS of a process tree;"
                    + " Debian/Ubuntu: sudo apt-get install time)");
            return true;
        }
        Path flatc = Kit.which(System.getenv(), "flatc");
        Path schema = schema(executorch);
        String skip = flatc == null ? "flatc is not installed (Debian/Ubuntu: sudo apt-get install flatbuffers-compiler)"
                : schema == null ? "no ExecuTorch checkout with devtools/etdump/etdump_schema_flatcc.fbs ("
                + (executorch != null ? executorch + " has none" : "pass --executorch DIR, or set SME2_WORKSPACE to a workspace holding executorch/") + ")"
                : null;
        List<String> command = new ArrayList<>(List.of(repo.resolve("jbang").toString()));
        for (String o : runtime) command.add("-R" + o);
        command.addAll(List.of("scripts/AnalyzeResults.java", "--etdump", dump.toString(), "--out"));
        if (!runtime.isEmpty()) System.out.println("  WHAT-IF, not the shipped command: the script's JVM started with " + String.join(" ", runtime)
                + " (as a //JAVA_OPTIONS line in its header would): ./jbang " + String.join(" ", command.subList(1, command.size() - 4)) + " scripts/AnalyzeResults.java ...");
        Sample warm = time(repo, append(command, dir.resolve("warm-up").toString()), dir.resolve("warm-up.log"));
        if (warm.code() != 0) throw new IllegalStateException("the command failed (exit " + warm.code() + "): " + Files.readString(dir.resolve("warm-up.log")));
        List<Sample> cmd = new ArrayList<>(), fc = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            Path out = dir.resolve("analysis-" + i);
            Sample a = time(repo, append(command, out.toString()), dir.resolve("analysis-" + i + ".log"));
            if (a.code() != 0) throw new IllegalStateException("the command failed (exit " + a.code() + "): " + Files.readString(dir.resolve("analysis-" + i + ".log")));
            cmd.add(a);
            delete(out);
            System.out.printf(Locale.ROOT, "  run %d  AnalyzeResults  wall %6.2f s  CPU %6.2f s  peak RSS %5.0f MiB%n", i + 1, a.wall(), a.cpu(), a.rssKib() / 1024.0);
            if (skip != null) continue;
            Path json = dir.resolve("flatc-" + i);
            List<String> decode = List.of(flatc.toString(), "--json", "--raw-binary", "--strict-json", "--size-prefixed",
                    "-o", json.toString(), schema.toString(), "--", dump.toString());
            Sample f = time(repo, decode, dir.resolve("flatc-" + i + ".log"));
            if (f.code() != 0) throw new IllegalStateException("flatc failed (exit " + f.code() + "): " + Files.readString(dir.resolve("flatc-" + i + ".log")));
            fc.add(f);
            delete(json);
            System.out.printf(Locale.ROOT, "  run %d  flatc --json    wall %6.2f s  CPU %6.2f s  peak RSS %5.0f MiB%n", i + 1, f.wall(), f.cpu(), f.rssKib() / 1024.0);
        }
        double wall = median(cmd, Sample::wall), cpu = median(cmd, Sample::cpu);
        double rss = cmd.stream().mapToLong(Sample::rssKib).max().orElse(0) / 1024.0;
        System.out.println();
        System.out.println("| command | wall (median) | CPU user+sys (median) | peak RSS (largest) |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| `./jbang %sscripts/AnalyzeResults.java --etdump big.etdp --out o` (warm JBang cache) | %.2f s | %.2f s | %.0f MiB |%n",
                runtime.isEmpty() ? "" : String.join(" ", command.subList(1, command.size() - 4)) + " ", wall, cpu, rss);
        boolean rssOk = rss <= RSS_GOAL_MIB;
        if (skip != null) {
            System.out.println("  ratios to flatc SKIPPED: " + skip);
            System.out.printf(Locale.ROOT, "  peak RSS %.0f MiB (goal <= %.0f MiB): %s%n", rss, RSS_GOAL_MIB, rssOk ? "met" : "MISSED");
            return rssOk;
        }
        double fWall = median(fc, Sample::wall), fCpu = median(fc, Sample::cpu);
        double fRss = fc.stream().mapToLong(Sample::rssKib).max().orElse(0) / 1024.0;
        System.out.printf(Locale.ROOT, "| `flatc --json --raw-binary --strict-json --size-prefixed -o j etdump_schema_flatcc.fbs -- big.etdp` (decode only) | %.2f s | %.2f s | %.0f MiB |%n", fWall, fCpu, fRss);
        double wr = wall / fWall, cr = cpu / fCpu;
        boolean wallOk = wr <= WALL_GOAL, cpuOk = cr <= CPU_GOAL;
        System.out.println();
        System.out.printf(Locale.ROOT, "  wall     %.2fx flatc   (goal <= %.1fx): %s%n", wr, WALL_GOAL, wallOk ? "met" : "MISSED");
        System.out.printf(Locale.ROOT, "  CPU      %.2fx flatc   (goal <= %.1fx): %s%n", cr, CPU_GOAL, cpuOk ? "met" : "MISSED");
        System.out.printf(Locale.ROOT, "  peak RSS %.0f MiB      (goal <= %.0f MiB): %s%n", rss, RSS_GOAL_MIB, rssOk ? "met" : "MISSED");
        System.out.println("  machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + cpuModel() + ", Java "
                + System.getProperty("java.version") + ", load average " + loadAverage());
        System.out.println(wallOk && cpuOk && rssOk ? "all goals met" : "GOAL MISSED");
        return wallOk && cpuOk && rssOk;
    }

    /** Runs argv under GNU time in dir; output to log; samples the process tree's RSS meanwhile. */
    static Sample time(Path dir, List<String> argv, Path log) throws Exception {
        Path report = log.resolveSibling(log.getFileName() + ".time");
        List<String> full = new ArrayList<>(List.of(GNU_TIME.toString(), "-o", report.toString(), "-f", "%e %U %S %M"));
        full.addAll(argv);
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AtomicLong treePeak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (p.isAlive()) {
                long sum = 0;                                          // the command's processes, not GNU time itself
                for (ProcessHandle h : p.descendants().toList()) sum += rssKib(h.pid());
                treePeak.accumulateAndGet(sum, Math::max);
                try { Thread.sleep(10); } catch (InterruptedException e) { return; }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        int code = p.waitFor();
        sampler.join();
        String[] f = Files.readString(report).trim().lines().reduce((a, b) -> b).orElse("").trim().split("\\s+");
        if (f.length < 4) throw new IllegalStateException("unexpected GNU time output in " + report + ": " + Files.readString(report));
        return new Sample(Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
                Math.max(Long.parseLong(f[3]), treePeak.get()), code);
    }

    /** VmRSS of a process in KiB from /proc, 0 when it is gone or unreadable. */
    static long rssKib(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D+", ""));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    static boolean gnuTime() {
        if (!Files.isExecutable(GNU_TIME)) return false;
        try {
            Process p = new ProcessBuilder(GNU_TIME.toString(), "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 && v.contains("GNU");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** etdump_schema_flatcc.fbs of an ExecuTorch checkout (scalar_type.fbs, which it includes, beside it), or null. */
    static Path schema(Path executorch) {
        Path et = executorch != null ? executorch : Kit.Workspace.locate(null).executorch();
        Path s = et.resolve("devtools/etdump/etdump_schema_flatcc.fbs");
        return Files.isRegularFile(s) && Files.isRegularFile(s.resolveSibling("scalar_type.fbs")) ? s.toAbsolutePath() : null;
    }

    static double median(List<Sample> s, java.util.function.ToDoubleFunction<Sample> f) {
        double[] v = s.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    static List<String> append(List<String> l, String s) {
        List<String> r = new ArrayList<>(l);
        r.add(s);
        return r;
    }

    static Path repo() {
        Path repo = Path.of("").toAbsolutePath();
        while (repo != null && !Files.isRegularFile(repo.resolve("jbang-catalog.json"))) repo = repo.getParent();
        if (repo == null) usage("run the benchmark from inside the repository");
        return repo;
    }

    static String value(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        return args[i];
    }

    static void usage(String why) {
        System.err.println("AnalyzeBenchmark: " + why + "\nusage: ./jbang test-cases/AnalyzeBenchmark.java [--runs N] [--repeat R] [--executorch DIR] [--runtime-options \"JVM OPTIONS\"]");
        System.exit(2);
    }

    static void delete(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
