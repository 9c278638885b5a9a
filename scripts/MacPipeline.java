///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//DESCRIPTION Runs the experiments of a profiling config with executor_runner on this computer (macOS or Linux) into a new run folder, then analyses it.

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "MacPipeline", mixinStandardHelpOptions = true, version = "0.1.0",
        description = "Runs the experiments of a profiling config on this computer (macOS; Linux works too) into a new run folder"
                + " (README \"The run folder\"): per experiment and thread count a warm-up process, then one timed executor_runner process"
                + " that writes an ETDump (one Execute block per execution), its log and its exact command; manifest.json and metrics.json"
                + " are rewritten after every experiment. A failing experiment is recorded and the others still run. Ctrl-C keeps what"
                + " finished (status interrupted) and --resume runs what is not ok yet. At the end it runs AnalyzeResults on the folder.",
        footerHeading = "%nExamples:%n",
        footer = {"  jbang scripts/MacPipeline.java configs/examples/mac_mobilenet_fp16.json --dry-run",
                "  jbang scripts/MacPipeline.java configs/examples/mac_mobilenet_fp16.json",
                "  jbang scripts/MacPipeline.java configs/examples/mac_mobilenet_fp16.json --only mac_sme2_on mac_sme2_off --no-analysis",
                "  jbang scripts/MacPipeline.java --resume runs/mac/20261125-140312-mv2_xnnpack_fp16",
                "  jbang scripts/MacPipeline.java --analysis-only runs/mac/20261125-140312-mv2_xnnpack_fp16",
                "Put CONFIG before --only (or use --config CONFIG): --only takes the names that follow it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every experiment ran ok (and the analysis, when it ran)", "1:an experiment or the analysis failed",
                "2:bad input: config, model or runner problems (nothing ran)", "130:interrupted (Ctrl-C); the run folder keeps what finished"})
public class MacPipeline implements Callable<Integer> {
    static final String TOOL = "MacPipeline", PLATFORM = "host";
    private final Kit.Io io;

    MacPipeline(Kit.Io io) {
        this.io = io;
        pipe = new Kit.Pipeline(io, TOOL, false);
    }

    @Mixin
    final Kit.Pipeline pipe; // CONFIG, --config, --only, --analysis-only, --resume, --no-analysis, --workspace
    @Option(names = "--dry-run", description = "print every warm-up and timed command it would run; create nothing")
    boolean dryRun;
    @Option(names = "--json", description = "print one JSON object on stdout (run folder, status, results); progress stays on stderr")
    boolean json;
    @Option(names = "--verbose", description = "show each command and the runner's output as it runs")
    boolean verbose;

    private String affinityTool;
    private final Map<Path, Boolean> etdumpFlag = new LinkedHashMap<>();

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new MacPipeline(io), args);
    }

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        io.verbose = verbose;
        if (pipe.analysisOnly != null) return pipe.analysisOnly();
        Path configPath = pipe.configPath();
        Kit.Config cfg = Kit.loadConfig(configPath);
        List<Kit.Experiment> exps = pipe.selected(cfg);
        List<Kit.Step> steps = Kit.Pipeline.steps(exps);
        Map<String, Object> host = Kit.hostFacts(); // tool versions below, after a dry run returned
        List<String> problems = preflight(cfg, exps);
        Map<String, Object> runners = runnerFacts(cfg, exps, host);
        Map<String, Object> executorch = Kit.GitState.of(Kit.Workspace.locate(pipe.workspace).executorch()).toMap();
        checkRevisions(runners, executorch);

        Kit.RunFolder f = pipe.folder(cfg);
        if (dryRun) return dryRun(cfg, steps, Kit.Pipeline.runDir(f, cfg), f, problems);
        try (f) { // holds the run folder's lock until the end
            return run(cfg, configPath, f, steps, host, runners, executorch);
        }
    }

    private int run(Kit.Config cfg, Path configPath, Kit.RunFolder f, List<Kit.Step> steps, Map<String, Object> host,
                    Map<String, Object> runners, Map<String, Object> executorch) {

        Object hostBefore = pipe.resume == null ? null : f.manifest.get("host"); // a resumed run keeps the host it started on
        @SuppressWarnings("unchecked") Map<String, Object> tools = (Map<String, Object>) host.get("tools");
        if (hostBefore == null) tools.putAll(Kit.toolVersions("git", "cmake", Kit.isMac() ? "clang" : "cc"));
        List<Kit.Step> todo = pipe.start(f, cfg, configPath, () -> Kit.Pipeline.resolvedConfig(cfg), steps,
                Kit.ordered("executorch", executorch, "host", hostBefore == null ? host : hostBefore), runners);
        long t0 = System.nanoTime();
        pipe.guarded(f, () -> pipe.runSteps(f, todo, (s, i) -> runStep(cfg, f, s, i, todo.size(), t0)));
        return pipe.end(f, t0);
    }

    // ---------------------------------------------------------------- checks before running

    /** Model, runners, event tracer: every problem at once (exit 2), each with the command that fixes it. */
    private List<String> preflight(Kit.Config cfg, List<Kit.Experiment> exps) {
        List<String> problems = new ArrayList<>();
        Set<String> fixes = new LinkedHashSet<>();
        Kit.Pipeline.checkModel(cfg, problems, fixes);
        pipe.placeModel(cfg, problems);
        Set<Path> checked = new LinkedHashSet<>();
        Set<String> missing = new LinkedHashSet<>();
        for (Kit.Experiment e : exps) {
            Path r = e.runnerPath();
            if (!checked.add(r)) continue;
            String variant = Kit.Pipeline.variant(e, PLATFORM), build = "jbang scripts/BuildRunners.java --variants " + variant;
            if (!Files.exists(r)) {
                problems.add("experiment " + e.name() + ": runner " + r + " not found");
                pipe.place(problems.get(problems.size() - 1), Kit.Pipeline.stepOf(exps, e), "build it: " + build);
                missing.add(variant);
            } else if (!Files.isRegularFile(r) || !Files.isExecutable(r)) {
                problems.add("experiment " + e.name() + ": runner " + r + " is not an executable file");
                fixes.add("make it executable (chmod +x " + Kit.shq(r.toString()) + ") or rebuild it: " + build);
            } else if (!etdumpFlag.computeIfAbsent(r, MacPipeline::hasEtdumpFlag)) {
                problems.add("experiment " + e.name() + ": runner " + r + " has no --etdump_path flag: it was built without the event tracer, so it writes no ETDump");
                fixes.add("rebuild it with -DEXECUTORCH_BUILD_DEVTOOLS=ON -DEXECUTORCH_ENABLE_EVENT_TRACER=ON: " + build);
            }
            if (e.cpuAffinity() != null && affinityTool == null) {
                if (!Kit.isMac() && Kit.probe("taskset", "--version") != null) affinityTool = "taskset";
                else pipe.warn("experiment " + e.name() + ": cpu_affinity " + e.cpuAffinity() + " is ignored here (" + (Kit.isMac() ? "macOS has no CPU affinity for processes" : "taskset not found") + ")");
            }
        }
        if (!missing.isEmpty()) fixes.add("build " + (missing.size() == 1 ? "it" : "them") + ": jbang scripts/BuildRunners.java --variants " + String.join(",", missing)
                + " (or point \"runner_path\" at existing runners)");
        return pipe.problems(problems, fixes);
    }

    /**
     * Whether a runner was built with the event tracer (has --etdump_path). Its gflags --help lists every flag; when the
     * output is not a gflags list (a wrapper, a crash), the flag name is looked for inside the binary instead.
     */
    static boolean hasEtdumpFlag(Path runner) {
        String help = Kit.exec(Kit.Io.quiet(), Kit.Cmd.of(runner.toString(), "--help").timeout(Duration.ofSeconds(30))).output();
        if (help.contains("etdump_path")) return true;
        if (help.contains("model_path")) return false;
        try {
            return new String(Files.readAllBytes(runner), java.nio.charset.StandardCharsets.ISO_8859_1).contains("etdump_path");
        } catch (IOException | OutOfMemoryError e) {
            return false;
        }
    }

    /** manifest "runners" (Kit.Pipeline.runnerFacts plus etdump_flag), and the SME2 checks: kernels in the runner, SME2 in this CPU. */
    private Map<String, Object> runnerFacts(Kit.Config cfg, List<Kit.Experiment> exps, Map<String, Object> host) {
        Map<String, Object> out = pipe.runnerFacts(cfg, exps, PLATFORM, e -> Kit.ordered("etdump_flag", etdumpFlag.get(e.runnerPath())));
        boolean anySme2On = false, x86Runner = false;
        for (Kit.Experiment e : exps) {
            Map<?, ?> r = (Map<?, ?>) out.get(e.name());
            if (!"ON".equals(r.get("sme2_flag"))) continue;
            anySme2On = true;
            if (!(r.get("build") instanceof Map<?, ?> build)) continue;
            String evidence = String.valueOf(build.get("sme2_evidence"));
            if (evidence.startsWith("not applicable") || isX86(build.get("target_arch"))) x86Runner = true;
            else if (build.get("sme2_symbol_count") == null && evidence.startsWith("unknown"))
                pipe.warn("experiment " + e.name() + ": the runner is stripped, so whether it holds SME2 kernels is unknown (not 0); the kernel log of its"
                        + " xnntrace run shows which kernels XNNPACK selects");
            else if (build.get("sme2_symbol_count") instanceof Number c && c.intValue() == 0)
                pipe.warn("experiment " + e.name() + ": the runner was built with SME2 ON but contains no SME2 kernels (sme2_symbol_count 0; XNNPACK drops them with Clang < 18)");
        }
        if (anySme2On && (x86Runner || isX86(host.get("arch"))))
            pipe.warn("this is an x86-64 " + (x86Runner ? "runner" : "host") + ": no Arm kernel exists here, SME2 or NEON; XNNPACK runs x86 kernels (AVX-512, AVX2…),"
                    + " so SME2 on and off run the same code. Measure SME2 on an Arm host with SME2 (Apple M4 or newer) or an SME2 Android device");
        else if (anySme2On && Boolean.FALSE.equals(host.get("sme2")))
            pipe.warn("this CPU has no SME2 (" + host.get("cpu") + "): SME2-on runners fall back to NEON kernels here, so SME2 on and off run the same code");
        return out;
    }

    /** x86_64, amd64, i686…: a machine (os.arch, uname -m, build.json target_arch) without Arm kernels. */
    static boolean isX86(Object arch) {
        String a = String.valueOf(arch).toLowerCase(java.util.Locale.ROOT);
        return a.equals("x86_64") || a.equals("amd64") || a.equals("x86") || a.matches("i[3-6]86");
    }

    private void checkRevisions(Map<String, Object> runners, Map<String, Object> executorch) {
        Object sha = executorch.get("sha");
        if (sha == null) return;
        runners.forEach((name, r) -> {
            Object built = ((Map<?, ?>) r).get("executorch_sha");
            if (built != null && !sha.toString().startsWith(built.toString()) && !built.toString().startsWith(sha.toString()))
                pipe.warn("experiment " + name + ": its runner was built from ExecuTorch " + built + " but the workspace checkout is at " + sha
                        + "; export the model and build the runners from the same revision");
        });
    }

    // ---------------------------------------------------------------- running

    private List<String> prefix(Kit.Experiment e) {
        return affinityTool != null && e.cpuAffinity() != null ? List.of(affinityTool, e.cpuAffinity()) : List.of();
    }

    /** `RUNNER --model_path M --num_executions N --cpu_threads T` (+ --etdump_path) + extra_args. */
    List<String> command(Kit.Config cfg, Kit.Step s, int executions, Path etdump) {
        List<String> c = new ArrayList<>(prefix(s.exp()));
        c.addAll(List.of(s.exp().runnerPath().toString(), "--model_path", cfg.model().toString(), "--num_executions", String.valueOf(executions),
                "--cpu_threads", String.valueOf(s.threads())));
        if (etdump != null) c.addAll(List.of("--etdump_path", etdump.toString()));
        c.addAll(s.exp().extraArgs());
        return c;
    }

    private int dryRun(Kit.Config cfg, List<Kit.Step> steps, Path runDir, Kit.RunFolder folder, List<String> problems) {
        if (!io.json) io.out.println("# run folder: " + runDir + (folder == null ? " (not created: --dry-run)" : ""));
        for (Kit.Step s : steps) {
            if (folder != null && folder.ok(s)) continue;
            Path dir = s.dir(runDir);
            if (pipe.warmupProcess && s.warmup() > 0) Kit.exec(io, Kit.Cmd.of(command(cfg, s, s.warmup(), null)).in(dir));
            Kit.exec(io, Kit.Cmd.of(command(cfg, s, s.executions(), dir.resolve("run.etdump"))).in(dir));
        }
        return pipe.dryRunEnd(runDir, problems);
    }

    /**
     * XNNPACK prints its debug lines (`Debug (XNNPACK): …`, among them a level-5 build's per-operator reshape, tile and
     * run lines) on stdout and its notes on stderr: the debug lines join the notes in xnntrace.log.
     */
    static void addXnnpackDebugLines(Path xlog, String stdout) {
        if (stdout == null || !Files.isRegularFile(xlog)) return;
        String debug = stdout.lines().filter(l -> l.startsWith("Debug (XNNPACK): ")).map(l -> l + "\n").collect(Collectors.joining());
        if (debug.isEmpty()) return;
        try {
            Kit.writeAtomic(xlog, Files.readString(xlog, StandardCharsets.UTF_8) + debug);
        } catch (IOException e) {
            throw Kit.UserError.failed("cannot write " + xlog + ": " + e.getMessage(), "check free disk space");
        }
    }

    private void runStep(Kit.Config cfg, Kit.RunFolder f, Kit.Step s, int i, int n, long t0) {
        Kit.Experiment e = s.exp();
        Path dir = s.dir(f.dir);
        Path etdump = dir.resolve("run.etdump"), log = dir.resolve("runner.log"), xlog = s.xnntrace() ? dir.resolve("xnntrace.log") : null;
        long started = System.nanoTime();
        Map<String, Object> entry = pipe.begin(f, s, i, n, t0);
        if (entry == null) return;
        Duration timeout = Duration.ofSeconds(e.timeoutS());
        if (pipe.warmupProcess && s.warmup() > 0) {
            Kit.Result w = Kit.exec(io, Kit.Cmd.of(command(cfg, s, s.warmup(), null)).in(dir).env(e.env()).timeout(timeout)
                    .log(dir.resolve("warmup.log")).echo(io.verbose));
            try {
                Files.deleteIfExists(dir.resolve("model.etdump")); // the runner's default --etdump_path, written by the warm-up
            } catch (IOException ignored) {
            }
            if (pipe.interruptedToo(w)) return;
            String why = Kit.Pipeline.failure(w, Kit.RunnerOutput.parse(w.output()), e.timeoutS(), "the runner");
            if (why != null) {
                pipe.done(f, entry, s, "warm-up " + why, List.of(), null, null, List.of(), started);
                return;
            }
        }
        List<String> timed = command(cfg, s, s.executions(), etdump);
        Kit.writeAtomic(dir.resolve("command.txt"), String.join("\n", timed) + "\n");
        Kit.Cmd cmd = Kit.Cmd.of(timed).in(dir).env(e.env()).timeout(timeout).log(log).echo(io.verbose);
        Kit.Result r = Kit.exec(io, xlog == null ? cmd : cmd.stderrLog(xlog));
        if (pipe.interruptedToo(r)) return;
        if (xlog != null) addXnnpackDebugLines(xlog, r.stdout());
        Kit.RunnerOutput out = Kit.RunnerOutput.parse(r.output());
        String why = Kit.Pipeline.failure(r, out, e.timeoutS(), "the runner");
        List<Double> latency = List.of();
        List<String> notes = new ArrayList<>();
        if (why == null) {
            Kit.Pipeline.EtdumpCheck et = Kit.Pipeline.etdumpCheck(etdump, s.executions(), notes, "the runner exited 0 but wrote no ETDump at " + etdump);
            why = et.why();
            latency = et.executeMs();
        }
        if (why == null) notes.addAll(crossChecks(s, out, latency, xlog));
        pipe.done(f, entry, s, why, latency, out.reportedMs(), xlog, notes, started);
    }

    static List<String> crossChecks(Kit.Step s, Kit.RunnerOutput out, List<Double> latency, Path xlog) {
        List<String> notes = Kit.Pipeline.crossChecks(s, out, latency, "");
        if (s.xnntrace() && !out.kernelLog())
            notes.add("no XNNPACK kernel lines in " + xlog + ": is the runner a kernel-logging build (jbang scripts/BuildRunners.java --variants "
                    + Kit.Pipeline.variant(s.exp(), PLATFORM).replaceFirst("(-xnnlog)?$", "-xnnlog") + ")?");
        if (!s.xnntrace() && out.kernelLog())
            notes.add("the timing runner logs XNNPACK kernels (a kernel-logging build): its logging adds time; time with a non-xnnlog runner");
        return notes;
    }
}
