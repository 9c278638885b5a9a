///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//MAIN StartupBenchmark

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Start-up benchmark (not a JUnit test; run it with `./jbang test-cases/StartupBenchmark.java [--rounds N] [--compare]`):
 * the wall time of a warm `./jbang scripts/<Script>.java --help` and `./jbang <alias> --help`, for every script with a
 * main and every alias of jbang-catalog.json, started as a user starts them (a new process through the repository's
 * launcher, output discarded). Warm means: each command ran twice before (JBang's build cache, the launcher's cache and
 * its class-data archive are made), and no archive is still being made. The rounds go through all commands in turn,
 * so a busy machine slows them alike. Prints, per command, the median and the spread (min-max), then all of them
 * together, with the date, the CPUs and the load average before and after.
 * Goal: every command's median at most 0.6 s. Exits 1 when the goal is missed, 2 on bad usage.
 * --compare also times each command with SME2_LAUNCH_CACHE=0 (the launcher going through JBang every time, as it did
 * before its cache), interleaved with the cached runs, and prints both.
 * --repo DIR: the checkout to measure (default: the one holding the current folder).
 */
public class StartupBenchmark {
    static final double GOAL_S = 0.6;

    record Command(String label, List<String> args) {}

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        boolean compare = false;
        Path repo = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--compare" -> compare = true;
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath();
                default -> {
                    System.err.println("usage: ./jbang test-cases/StartupBenchmark.java [--rounds N] [--compare] [--repo DIR]");
                    System.exit(2);
                }
            }
        }
        if (rounds < 1) { System.err.println("error: --rounds must be at least 1"); System.exit(2); }
        if (repo == null) repo = findRepo();
        List<Command> commands = commands(repo);
        String loadBefore = loadAverage();

        System.err.println("warming up " + commands.size() + " commands (twice each)...");
        for (Command c : commands) for (int i = 0; i < 2; i++) time(repo, c, true);
        waitForArchives(repo);

        Map<Command, List<Double>> on = new LinkedHashMap<>(), off = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            System.err.printf(Locale.ROOT, "round %d of %d%n", r + 1, rounds);
            for (Command c : commands) {
                if (compare) off.computeIfAbsent(c, k -> new ArrayList<>()).add(time(repo, c, false));
                on.computeIfAbsent(c, k -> new ArrayList<>()).add(time(repo, c, true));
            }
        }
        System.out.print(report(on, compare ? off : Map.of(), rounds, loadBefore, loadAverage()));
        System.exit(goalMet(on) ? 0 : 1);
    }

    /** Every script of scripts/ with a main (not the helper), then every catalog alias, each with --help. */
    static List<Command> commands(Path repo) throws IOException {
        List<Command> list = new ArrayList<>();
        try (Stream<Path> s = Files.list(repo.resolve("scripts"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).sorted().toList())
                if (Files.readString(p).contains("static void main("))
                    list.add(new Command("scripts/" + p.getFileName(), List.of("scripts/" + p.getFileName(), "--help")));
        }
        Path catalog = repo.resolve("jbang-catalog.json");
        if (Files.isRegularFile(catalog)) {
            Matcher m = Pattern.compile("\"([a-z0-9][a-z0-9-]*)\"\\s*:\\s*\\{\\s*\"script-ref\"").matcher(Files.readString(catalog));
            while (m.find()) list.add(new Command(m.group(1), List.of(m.group(1), "--help")));
        }
        if (list.isEmpty()) throw new IllegalStateException("no script with a main in " + repo.resolve("scripts"));
        return list;
    }

    /** Seconds from start to exit of `./jbang ARGS` in repo; the cache on (the default) or off. */
    static double time(Path repo, Command c, boolean cache) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(repo.resolve("jbang").toString()));
        argv.addAll(c.args());
        ProcessBuilder pb = new ProcessBuilder(argv).directory(repo.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("SME2_LAUNCH_CACHE", cache ? "1" : "0");
        pb.environment().put("NO_COLOR", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        int code = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (code != 0) throw new IllegalStateException("exit " + code + ": ./jbang " + String.join(" ", c.args()));
        return s;
    }

    /** Waits (at most two minutes) until no class-data archive is being made in the background. */
    static void waitForArchives(Path repo) throws IOException, InterruptedException {
        Path dir = repo.resolve(".jbang/launch");
        for (int i = 0; i < 1200 && Files.isDirectory(dir); i++) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.noneMatch(p -> p.toString().endsWith(".cds") && Files.exists(p.resolve("archive.jsa")))) return;
            }
            Thread.sleep(100);
        }
    }

    static boolean goalMet(Map<Command, List<Double>> on) {
        return on.values().stream().allMatch(v -> median(v) <= GOAL_S);
    }

    static String report(Map<Command, List<Double>> on, Map<Command, List<Double>> off, int rounds, String loadBefore, String loadAfter) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Warm start-up, ./jbang <script or alias> --help: %d rounds, %s, %d CPUs (%s), load average %s before, %s after%n",
                rounds, Instant.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(), cpuModel(), loadBefore, loadAfter));
        boolean compare = !off.isEmpty();
        b.append(String.format(Locale.ROOT, "%-32s %9s %15s%s%n", "command", "median", "min-max", compare ? String.format(Locale.ROOT, " %18s %15s %7s", "without cache: median", "min-max", "ratio") : ""));
        List<Double> all = new ArrayList<>(), allOff = new ArrayList<>();
        Command slowest = null;
        for (Map.Entry<Command, List<Double>> e : on.entrySet()) {
            List<Double> v = e.getValue();
            all.addAll(v);
            if (slowest == null || median(v) > median(on.get(slowest))) slowest = e.getKey();
            b.append(String.format(Locale.ROOT, "%-32s %7.3f s %15s", e.getKey().label(), median(v), spread(v)));
            if (compare) {
                List<Double> w = off.get(e.getKey());
                allOff.addAll(w);
                b.append(String.format(Locale.ROOT, " %19.3f s %15s %6.2fx", median(w), spread(w), median(w) / median(v)));
            }
            b.append('\n');
        }
        b.append(String.format(Locale.ROOT, "%-32s %7.3f s %15s", "all (" + all.size() + " runs)", median(all), spread(all)));
        if (compare) b.append(String.format(Locale.ROOT, " %19.3f s %15s %6.2fx", median(allOff), spread(allOff), median(allOff) / median(all)));
        b.append('\n');
        boolean met = goalMet(on);
        b.append(String.format(Locale.ROOT, "goal: every command's median <= %.1f s: %s (slowest: %s, %.3f s)%n",
                GOAL_S, met ? "met" : "MISSED", slowest.label(), median(on.get(slowest))));
        return b.toString();
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String spread(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "%.3f-%.3f s", a[0], a[a.length - 1]);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.copyOf(f, 3));
        } catch (IOException | RuntimeException ex) {
            double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f (1 min)", l);
        }
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()
                    .orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException ex) {
            return System.getProperty("os.arch");
        }
    }

    static Path findRepo() {
        Path repo = Path.of("").toAbsolutePath();
        while (repo != null && !Files.isRegularFile(repo.resolve("jbang-catalog.json"))) repo = repo.getParent();
        if (repo == null) throw new IllegalStateException("run the benchmark from inside the repository (or pass --repo DIR)");
        return repo;
    }
}
