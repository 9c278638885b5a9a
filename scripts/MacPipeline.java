///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//DESCRIPTION Runs the experiments of a profiling config with executor_runner on this computer (macOS or Linux) into a new run folder, then analyses it.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

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
    static final String TOOL = "MacPipeline";
    private final Kit.Io io;

    MacPipeline(Kit.Io io) { this.io = io; }

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "the profiling config (JSON; keys: configs/config.schema.json)")
    Path configArg;
    @Option(names = "--config", paramLabel = "CONFIG", description = "the config, as an option (instead of the positional CONFIG)")
    Path configOpt;
    @Option(names = "--only", arity = "1..*", split = ",", paramLabel = "EXP", description = "run only these experiments (names from the config)")
    List<String> only;
    @Option(names = "--analysis-only", paramLabel = "RUN_DIR", description = "only run AnalyzeResults on this run folder")
    Path analysisOnly;
    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "run the experiments of this run folder that are not ok yet, into the same folder (config: CONFIG or RUN_DIR/config.json)")
    Path resume;
    @Option(names = "--no-analysis", description = "do not run AnalyzeResults at the end")
    boolean noAnalysis;
    @Option(names = "--workspace", paramLabel = "DIR", description = "the workspace holding executorch/ (for its git SHA); default: $SME2_WORKSPACE or the nearest parent folder with executorch/")
    Path workspace;
    @Option(names = "--dry-run", description = "print every warm-up and timed command it would run; create nothing")
    boolean dryRun;
    @Option(names = "--json", description = "print one JSON object on stdout (run folder, status, results); progress stays on stderr")
    boolean json;
    @Option(names = "--verbose", description = "show each command and the runner's output as it runs")
    boolean verbose;

    /** One process pair to run: an experiment at one thread count. */
    record Step(Kit.Experiment exp, int threads, int runs, int warmup) {
        boolean xnntrace() { return exp.mode().equals("xnntrace"); }

        String label() { return exp.name() + " t" + threads; }
    }

    private volatile boolean stopping;
    private volatile Map<String, Object> inFlight;
    private final List<String> warnings = new ArrayList<>();
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
        if (analysisOnly != null) return analysisOnly();
        Path configPath = configPath();
        Kit.Config cfg = Kit.loadConfig(configPath);
        List<Kit.Experiment> exps = selected(cfg);
        List<Step> steps = new ArrayList<>();
        for (Kit.Experiment e : exps) for (int t : e.threads()) steps.add(new Step(e, t, runsOf(cfg, e), e.warmup()));
        Map<String, Object> host = Kit.hostFacts("git", "cmake", Kit.isMac() ? "clang" : "cc");
        List<String> problems = preflight(cfg, exps);
        Map<String, Object> runners = runnerFacts(cfg, exps, host);
        Map<String, Object> executorch = Kit.GitState.of(Kit.Workspace.locate(workspace).executorch()).toMap();
        checkRevisions(runners, executorch);

        Kit.RunFolder folder = null;
        Path runDir;
        if (resume != null) {
            folder = Kit.RunFolder.open(resume);
            runDir = folder.dir;
            if (!Objects.equals(folder.manifest.get("model"), cfg.model().toString()))
                warn("the run folder was made for model " + folder.manifest.get("model") + ", the config names " + cfg.model());
        } else if (dryRun) {
            runDir = Kit.RunFolder.newDir(cfg.outputRoot(), stem(cfg.model()), java.time.Instant.now(), false);
        } else {
            folder = Kit.RunFolder.create(cfg.outputRoot(), stem(cfg.model()), TOOL);
            runDir = folder.dir;
        }
        if (dryRun) return dryRun(cfg, steps, runDir, folder, problems);

        Map<String, Object> m = folder.manifest;
        if (resume == null) {
            m.put("config", configPath.toAbsolutePath().normalize().toString());
            Kit.writeJson(runDir.resolve("config.json"), resolvedConfig(cfg));
        } else {
            @SuppressWarnings("unchecked") List<Object> resumed = m.get("resumed_at") instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
            resumed.add(Kit.utcNow());
            m.put("resumed_at", resumed);
        }
        m.put("model", cfg.model().toString());
        m.put("executorch", executorch);
        if (m.get("host") == null || resume == null) m.put("host", host);
        @SuppressWarnings("unchecked") Map<String, Object> known = m.get("runners") instanceof Map<?, ?> r ? (Map<String, Object>) r : Kit.ordered();
        known.putAll(runners);
        m.put("runners", known);
        m.put("status", "running");
        List<Step> todo = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> entry = folder.result(s.exp().name(), s.threads(), s.exp().mode());
            if (!"ok".equals(entry.get("status"))) todo.add(s);
        }
        m.put("warnings", warnings);
        folder.save();
        io.step((resume != null ? "resuming " : "running ") + todo.size() + " of " + steps.size() + " experiment run(s) into " + runDir);
        if (resume != null && todo.isEmpty()) io.ok("every selected experiment is already ok; nothing to run");

        Kit.RunFolder f = folder;
        Thread hook = new Thread(() -> {
            stopping = true;
            f.interrupt(inFlight, "interrupted (SIGINT/SIGTERM) while it ran; re-run it with --resume");
        }, "MacPipeline-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < todo.size() && !stopping; i++) {
                Step s = todo.get(i);
                try {
                    runStep(cfg, f, s, i + 1, todo.size(), t0);
                } catch (RuntimeException ex) { // e.g. a full disk: this experiment fails, the others still run
                    if (stopping) break;
                    f.record(f.result(s.exp().name(), s.threads(), s.exp().mode()), "failed", "pipeline error: " + ex.getMessage(), null);
                    io.fail(s.label() + ": pipeline error: " + ex.getMessage());
                }
                inFlight = null;
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) { // the hook is running: it keeps the manifest
            }
        }
        String status = f.finish();
        io.info(String.format(Locale.ROOT, "finished in %.1f s: %s", (System.nanoTime() - t0) / 1e9, status));
        int analysis = 0;
        String analysisState = "skipped (--no-analysis)";
        if (!noAnalysis && f.results().stream().noneMatch(r -> "ok".equals(r.get("status")))) analysisState = "skipped (no experiment ok)";
        else if (!noAnalysis) {
            analysis = analysis(runDir);
            analysisState = analysis == 0 ? (analysisCommand(runDir) == null ? "not run (AnalyzeResults.java not found)" : "ok") : "failed";
        }
        int code = "ok".equals(status) && analysis == 0 ? Kit.OK : Kit.FAILED;
        report(f, status, analysisState, code);
        return code;
    }

    // ---------------------------------------------------------------- inputs

    private Path configPath() {
        if (configArg == null && configOpt == null && only != null && !only.isEmpty() && only.get(only.size() - 1).endsWith(".json"))
            configArg = Path.of(only.remove(only.size() - 1)); // `--only A B config.json`: the config was swallowed by --only
        if (configArg != null && configOpt != null && !configArg.equals(configOpt))
            throw Kit.UserError.badInput("two configs given: " + configArg + " and --config " + configOpt, "pass the config once");
        Path p = configArg != null ? configArg : configOpt;
        if (p == null && resume != null) p = resume.resolve("config.json");
        if (p == null) throw Kit.UserError.badInput("no config given", "pass one: jbang scripts/MacPipeline.java CONFIG (templates: configs/templates/)");
        return p;
    }

    private List<Kit.Experiment> selected(Kit.Config cfg) {
        if (only == null || only.isEmpty()) return cfg.experiments();
        List<String> names = cfg.experiments().stream().map(Kit.Experiment::name).toList();
        List<String> unknown = only.stream().filter(n -> !names.contains(n)).toList();
        if (!unknown.isEmpty()) throw Kit.UserError.badInput("--only: no experiment named " + String.join(", ", unknown) + " in " + cfg.file(),
                "use names from the config: " + String.join(", ", names));
        return cfg.experiments().stream().filter(e -> only.contains(e.name())).toList();
    }

    /** xnntrace runs once unless the config says otherwise (a kernel log, not a timing). */
    private static int runsOf(Kit.Config cfg, Kit.Experiment e) {
        if (!e.mode().equals("xnntrace")) return e.runs();
        for (JsonNode n : cfg.raw().path("experiments")) if (n.path("name").asText().equals(e.name())) return n.has("runs") ? e.runs() : 1;
        return 1;
    }

    private static String stem(Path model) {
        String n = model.getFileName().toString();
        return n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
    }

    /** The config as it ran: absolute paths and every default written out (only keys the loader accepts). */
    private static ObjectNode resolvedConfig(Kit.Config cfg) {
        ObjectNode root = cfg.raw().deepCopy();
        String schema = root.path("$schema").asText("");
        if (!schema.isEmpty() && !schema.contains(":")) root.put("$schema", cfg.file().getParent().resolve(schema).normalize().toString());
        root.put("model", cfg.model().toString());
        root.put("output_root", cfg.outputRoot().toString());
        ArrayNode exps = (ArrayNode) root.get("experiments");
        for (int i = 0; i < exps.size(); i++) {
            ObjectNode e = (ObjectNode) exps.get(i);
            Kit.Experiment x = cfg.experiments().get(i);
            e.put("runner_path", x.runnerPath().toString());
            e.put("mode", x.mode());
            e.put("runs", runsOf(cfg, x));
            e.put("warmup", x.warmup());
            ArrayNode t = e.putArray("threads");
            x.threads().forEach(t::add);
            e.put("timeout_s", x.timeoutS());
        }
        return root;
    }

    // ---------------------------------------------------------------- checks before running

    /** Model, runners, event tracer: every problem at once (exit 2), each with the command that fixes it. */
    private List<String> preflight(Kit.Config cfg, List<Kit.Experiment> exps) {
        List<String> problems = new ArrayList<>();
        Set<String> fixes = new LinkedHashSet<>();
        if (!Files.isRegularFile(cfg.model())) {
            problems.add(cfg.model() + ": model not found (\"model\" in " + cfg.file() + ")");
            fixes.add("export it: " + exportCommand(cfg.model()) + " (or point \"model\" at an existing .pte)");
        }
        Set<Path> checked = new LinkedHashSet<>();
        Set<String> missing = new LinkedHashSet<>();
        for (Kit.Experiment e : exps) {
            Path r = e.runnerPath();
            if (!checked.add(r)) continue;
            String build = "jbang scripts/BuildRunners.java --variants " + variant(e);
            if (!Files.exists(r)) {
                problems.add("experiment " + e.name() + ": runner " + r + " not found");
                missing.add(variant(e));
            } else if (!Files.isRegularFile(r) || !Files.isExecutable(r)) {
                problems.add("experiment " + e.name() + ": runner " + r + " is not an executable file");
                fixes.add("make it executable (chmod +x " + Kit.shq(r.toString()) + ") or rebuild it: " + build);
            } else if (!etdumpFlag.computeIfAbsent(r, MacPipeline::hasEtdumpFlag)) {
                problems.add("experiment " + e.name() + ": runner " + r + " has no --etdump_path flag: it was built without the event tracer, so it writes no ETDump");
                fixes.add("rebuild it with -DEXECUTORCH_BUILD_DEVTOOLS=ON -DEXECUTORCH_ENABLE_EVENT_TRACER=ON: " + build);
            }
            if (e.cpuAffinity() != null && affinityTool == null) {
                if (!Kit.isMac() && Kit.probe("taskset", "--version") != null) affinityTool = "taskset";
                else warn("experiment " + e.name() + ": cpu_affinity " + e.cpuAffinity() + " is ignored here (" + (Kit.isMac() ? "macOS has no CPU affinity for processes" : "taskset not found") + ")");
            }
        }
        if (!missing.isEmpty()) fixes.add("build " + (missing.size() == 1 ? "it" : "them") + ": jbang scripts/BuildRunners.java --variants " + String.join(",", missing)
                + " (or point \"runner_path\" at existing runners)");
        if (!problems.isEmpty() && !dryRun) {
            throw Kit.UserError.badInput((problems.size() == 1 ? "" : problems.size() + " problems before running:\n  ") + String.join("\n  ", problems),
                    String.join("\n     ", fixes));
        }
        problems.forEach(p -> io.warn("would fail: " + p));
        fixes.forEach(io::fix);
        return problems;
    }

    /**
     * Whether a runner was built with the event tracer (has --etdump_path). Its gflags --help lists every flag; when the
     * output is not a gflags list (a wrapper, a crash), the flag name is looked for inside the binary instead.
     */
    static boolean hasEtdumpFlag(Path runner) {
        var quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        String help = Kit.exec(new Kit.Io(quiet, quiet, false), Kit.Cmd.of(runner.toString(), "--help").timeout(Duration.ofSeconds(30))).output();
        if (help.contains("etdump_path")) return true;
        if (help.contains("model_path")) return false;
        try {
            return new String(Files.readAllBytes(runner), java.nio.charset.StandardCharsets.ISO_8859_1).contains("etdump_path");
        } catch (IOException | OutOfMemoryError e) {
            return false;
        }
    }

    /** The ExportModel command for a model path named like models/<model>_<backend>_<dtype>.pte. */
    static String exportCommand(Path model) {
        var m = java.util.regex.Pattern.compile("(.+)_(xnnpack|portable)_(fp32|fp16|q8|int8)").matcher(stem(model));
        return m.matches() ? "jbang scripts/ExportModel.java --model " + m.group(1) + (m.group(2).equals("xnnpack") ? "" : " --backend " + m.group(2))
                + (m.group(3).startsWith("q") || m.group(3).startsWith("int") ? " --quantize" : " --dtype " + m.group(3))
                : "jbang scripts/ExportModel.java --model mv2 --dtype fp16";
    }

    /** The BuildRunners variant of a runner: its cmake-out folder name, else guessed from the experiment. */
    static String variant(Kit.Experiment e) {
        Path parent = e.runnerPath().getParent();
        String dir = parent == null ? "" : parent.getFileName().toString();
        if (dir.matches("(host|android-arm64)-sme2-(on|off)(-xnnlog)?")) return dir;
        String n = e.name().toLowerCase(Locale.ROOT);
        return "host-sme2-" + (n.contains("off") ? "off" : "on") + (e.mode().equals("xnntrace") || n.contains("xnnlog") ? "-xnnlog" : "");
    }

    private void warn(String w) {
        warnings.add(w);
        io.warn(w);
    }

    /** manifest "runners": per experiment its path and build.json (null when absent, with a note), plus SME2 sanity checks. */
    private Map<String, Object> runnerFacts(Kit.Config cfg, List<Kit.Experiment> exps, Map<String, Object> host) {
        Map<String, Object> out = Kit.ordered();
        Map<String, Map<String, Object>> builds = new LinkedHashMap<>();
        for (Kit.Experiment e : exps) {
            Path bj = e.runnerPath().resolveSibling("build.json");
            Map<String, Object> build = null;
            if (Files.isRegularFile(bj)) {
                try {
                    @SuppressWarnings("unchecked") Map<String, Object> b = Kit.JSON.convertValue(Kit.readJson(bj), LinkedHashMap.class);
                    build = b;
                } catch (Kit.UserError | IllegalArgumentException ex) {
                    warn("experiment " + e.name() + ": cannot read " + bj + ": " + ex.getMessage());
                }
            }
            builds.put(e.name(), build);
            String sme2 = flag(build, "XNNPACK_ENABLE_ARM_SME2");
            out.put(e.name(), Kit.ordered("path", e.runnerPath().toString(), "build", build, "build_json", build == null ? null : bj.toString(),
                    "variant", build == null ? null : build.get("variant"), "sme2_flag", sme2, "sme_flag", flag(build, "XNNPACK_ENABLE_ARM_SME"),
                    "executorch_sha", build == null ? null : build.get("executorch_sha"), "etdump_flag", etdumpFlag.get(e.runnerPath()),
                    "note", build == null ? "no build.json beside the runner: its build flags, SME2 setting and ExecuTorch revision are unknown"
                            + " (runners built with jbang scripts/BuildRunners.java record them)" : null));
            String n = e.name().toLowerCase(Locale.ROOT).replace('-', '_');
            if (sme2 != null && (n.contains("sme2_off") && sme2.equals("ON") || n.contains("sme2_on") && sme2.equals("OFF")))
                warn("experiment " + e.name() + ": its name says " + (n.contains("sme2_off") ? "SME2 off" : "SME2 on") + " but its runner was built with XNNPACK_ENABLE_ARM_SME2=" + sme2);
            if ("ON".equals(sme2) && build.get("sme2_symbol_count") instanceof Number c && c.intValue() == 0)
                warn("experiment " + e.name() + ": the runner was built with SME2 ON but contains no SME2 kernels (sme2_symbol_count 0; XNNPACK drops them with Clang < 18)");
            if ("ON".equals(sme2) && Boolean.FALSE.equals(host.get("sme2")) && warnings.stream().noneMatch(w -> w.startsWith("this CPU has no SME2")))
                warn("this CPU has no SME2 (" + host.get("cpu") + "): SME2-on runners fall back to NEON kernels here, so SME2 on and off run the same code");
        }
        for (Kit.ComparePair p : cfg.comparePairs()) {
            String a = p.baseline().experiment(), b = p.candidate().experiment();
            if (!builds.containsKey(a) || !builds.containsKey(b)) continue;
            if (builds.get(a) == null || builds.get(b) == null) {
                warn("compare pair \"" + p.label() + "\": no build.json beside the runner of " + Stream.of(a, b).filter(x -> builds.get(x) == null)
                        .reduce((x, y) -> x + " and " + y).orElse("") + ", so it is unknown whether the two runners differ only in SME2 flags");
                continue;
            }
            Kit.Experiment ea = cfg.experiment(a), eb = cfg.experiment(b);
            boolean logging = Stream.of(ea, eb).anyMatch(x -> x.mode().equals("xnntrace") || variant(x).endsWith("-xnnlog"));
            List<String> diff = buildDiff(builds.get(a), builds.get(b), logging);
            if (!diff.isEmpty()) warn("compare pair \"" + p.label() + "\": the runners of " + a + " and " + b + " differ in more than the SME2 flags: "
                    + String.join("; ", diff) + "; rebuild both with jbang scripts/BuildRunners.java so that only XNNPACK_ENABLE_ARM_SME2/SME differ");
        }
        return out;
    }

    private static final Set<String> SME_FLAGS = Set.of("XNNPACK_ENABLE_ARM_SME2", "XNNPACK_ENABLE_ARM_SME");

    @SuppressWarnings("unchecked")
    private static Map<String, String> cmakeFlags(Map<String, Object> build) {
        Map<String, String> out = new LinkedHashMap<>();
        if (build != null && build.get("cmake_flags") instanceof Map<?, ?> m)
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k.startsWith("-D") ? k.substring(2) : k, v == null ? null : String.valueOf(v)));
        return out;
    }

    private static String flag(Map<String, Object> build, String name) {
        String v = cmakeFlags(build).get(name);
        return v == null ? null : v.toUpperCase(Locale.ROOT);
    }

    /**
     * How two build records differ apart from XNNPACK_ENABLE_ARM_SME2/SME: cmake flags, compiler, ExecuTorch SHA. With
     * logging=true (an xnnlog variant is involved) the kernel-logging flags (XNN_LOG_LEVEL, XNN_NO_LOGGING) are ignored.
     */
    static List<String> buildDiff(Map<String, Object> a, Map<String, Object> b, boolean logging) {
        Map<String, String> fa = cmakeFlags(a), fb = cmakeFlags(b);
        List<String> out = new ArrayList<>();
        for (String k : new TreeSet<>(Stream.concat(fa.keySet().stream(), fb.keySet().stream()).toList())) {
            String va = fa.get(k), vb = fb.get(k);
            if (SME_FLAGS.contains(k) || Objects.equals(va, vb)) continue;
            if (logging && (k.contains("XNN_LOG") || Objects.equals(noLogging(va), noLogging(vb)))) continue;
            out.add("-D" + k + ": " + (va == null ? "(unset)" : va) + " vs " + (vb == null ? "(unset)" : vb));
        }
        for (String k : List.of("compiler", "executorch_sha"))
            if (a.get(k) != null && b.get(k) != null && !a.get(k).equals(b.get(k))) out.add(k + ": " + a.get(k) + " vs " + b.get(k));
        return out;
    }

    private static String noLogging(String v) {
        return v == null ? "" : v.replaceAll("-[DU]XNN_LOG_LEVEL(=\\S*)?|-[DU]XNN_NO_LOGGING", "").trim().replaceAll("\\s+", " ");
    }

    private void checkRevisions(Map<String, Object> runners, Map<String, Object> executorch) {
        Object sha = executorch.get("sha");
        if (sha == null) return;
        runners.forEach((name, r) -> {
            Object built = ((Map<?, ?>) r).get("executorch_sha");
            if (built != null && !sha.toString().startsWith(built.toString()) && !built.toString().startsWith(sha.toString()))
                warn("experiment " + name + ": its runner was built from ExecuTorch " + built + " but the workspace checkout is at " + sha
                        + "; export the model and build the runners from the same revision");
        });
    }

    // ---------------------------------------------------------------- running

    private List<String> prefix(Kit.Experiment e) {
        return affinityTool != null && e.cpuAffinity() != null ? List.of(affinityTool, e.cpuAffinity()) : List.of();
    }

    /** `RUNNER --model_path M --num_executions N --cpu_threads T` (+ --etdump_path) + extra_args. */
    List<String> command(Kit.Config cfg, Step s, int executions, Path etdump) {
        List<String> c = new ArrayList<>(prefix(s.exp()));
        c.addAll(List.of(s.exp().runnerPath().toString(), "--model_path", cfg.model().toString(), "--num_executions", String.valueOf(executions),
                "--cpu_threads", String.valueOf(s.threads())));
        if (etdump != null) c.addAll(List.of("--etdump_path", etdump.toString()));
        c.addAll(s.exp().extraArgs());
        return c;
    }

    private int dryRun(Kit.Config cfg, List<Step> steps, Path runDir, Kit.RunFolder folder, List<String> problems) {
        if (!io.json) io.out.println("# run folder: " + runDir + (folder == null ? " (not created: --dry-run)" : ""));
        for (Step s : steps) {
            if (folder != null && folder.results().stream().anyMatch(r -> s.exp().name().equals(r.get("experiment"))
                    && r.get("threads") instanceof Number n && n.intValue() == s.threads() && "ok".equals(r.get("status")))) continue;
            Path dir = runDir.resolve(s.exp().name()).resolve("t" + s.threads());
            if (s.warmup() > 0) Kit.exec(io, Kit.Cmd.of(command(cfg, s, s.warmup(), null)).in(dir));
            Kit.exec(io, Kit.Cmd.of(command(cfg, s, s.runs(), dir.resolve("run.etdump"))).in(dir));
        }
        List<String> analysis = noAnalysis ? null : analysisCommand(runDir);
        if (analysis != null) Kit.exec(io, Kit.Cmd.of(analysis));
        if (io.json) io.data(Kit.ordered("dry_run", true, "run_dir", runDir.toString(), "problems", problems, "warnings", warnings,
                "commands", io.plannedCommands));
        return problems.isEmpty() ? Kit.OK : Kit.USAGE;
    }

    private void runStep(Kit.Config cfg, Kit.RunFolder f, Step s, int i, int n, long t0) {
        Kit.Experiment e = s.exp();
        Path dir = f.dir.resolve(e.name()).resolve("t" + s.threads());
        Path etdump = dir.resolve("run.etdump"), log = dir.resolve("runner.log"), xlog = s.xnntrace() ? dir.resolve("xnntrace.log") : null;
        Map<String, Object> entry = f.result(e.name(), s.threads(), e.mode());
        inFlight = entry;
        io.step(String.format(Locale.ROOT, "[%d/%d] %s: %s%d %s run(s)%s (%.0f s elapsed)", i, n, s.label(),
                s.warmup() > 0 ? s.warmup() + " warm-up + " : "", s.runs(), e.mode(), s.xnntrace() ? " with the kernel log" : "", (System.nanoTime() - t0) / 1e9));
        long started = System.nanoTime();
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
        } catch (IOException ex) {
            f.record(entry, "failed", "cannot prepare " + dir + ": " + ex.getMessage(), null);
            return;
        }
        Duration timeout = Duration.ofSeconds(e.timeoutS());
        if (s.warmup() > 0) {
            Kit.Result w = Kit.exec(io, Kit.Cmd.of(command(cfg, s, s.warmup(), null)).in(dir).env(e.env()).timeout(timeout)
                    .log(dir.resolve("warmup.log")).echo(io.verbose));
            try {
                Files.deleteIfExists(dir.resolve("model.etdump")); // the runner's default --etdump_path, written by the warm-up
            } catch (IOException ignored) {
            }
            if (interruptedToo(w)) return;
            String why = failure(w, Kit.RunnerOutput.parse(w.output()), e.timeoutS());
            if (why != null) {
                finish(f, entry, s, "warm-up " + why, List.of(), null, dir, null, List.of(), started);
                return;
            }
        }
        List<String> timed = command(cfg, s, s.runs(), etdump);
        Kit.writeAtomic(dir.resolve("command.txt"), String.join("\n", timed) + "\n");
        Kit.Cmd cmd = Kit.Cmd.of(timed).in(dir).env(e.env()).timeout(timeout).log(log).echo(io.verbose);
        Kit.Result r = Kit.exec(io, xlog == null ? cmd : cmd.stderrLog(xlog));
        if (interruptedToo(r)) return;
        Kit.RunnerOutput out = Kit.RunnerOutput.parse(r.output());
        String why = failure(r, out, e.timeoutS());
        List<Double> latency = List.of();
        List<String> notes = new ArrayList<>();
        if (why == null) {
            try {
                if (!Files.isRegularFile(etdump)) why = "the runner exited 0 but wrote no ETDump at " + etdump;
                else if (Files.size(etdump) == 0) why = "the ETDump " + etdump + " is empty";
                else {
                    List<Double> ms = Kit.etdumpRuns(etdump).executeMs();
                    int nan = 0;
                    for (int k = ms.size() - 1; k >= 0; k--) if (ms.get(k).isNaN()) nan = k + 1;
                    if (ms.size() < s.runs()) why = "the ETDump has " + ms.size() + " Execute block(s) but " + s.runs() + " execution(s) ran";
                    else if (nan > 0) why = "Execute block " + nan + " of the ETDump has no Method::execute event";
                    else latency = ms;
                    if (ms.size() > s.runs()) notes.add("the ETDump has " + ms.size() + " Execute blocks for " + s.runs() + " executions");
                }
            } catch (IOException | Kit.UserError ex) {
                why = "the ETDump cannot be read: " + ex.getMessage();
            }
        }
        if (why == null) notes.addAll(crossChecks(s, out, latency, xlog));
        finish(f, entry, s, why, latency, out.reportedMs(), dir, xlog, notes, started);
    }

    /** True when the pipeline is being stopped; a runner killed by the same Ctrl-C (SIGINT/SIGTERM) waits a moment for the hook. */
    private boolean interruptedToo(Kit.Result r) {
        for (int i = 0; i < 10 && !stopping && (r.exitCode() == 130 || r.exitCode() == 143 || "interrupted".equals(r.startError())); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return stopping;
    }

    /** Why a runner process failed, in its own words; null when it exited 0 with sane output. */
    static String failure(Kit.Result r, Kit.RunnerOutput out, int timeoutS) {
        String said = out.why().isEmpty() ? "" : ": " + out.why();
        if (r.startError() != null) return "the runner could not start: " + r.startError();
        if (r.timedOut()) return "timed out after " + timeoutS + " s (timeout_s)" + (said.isEmpty() ? "" : "; last output" + said);
        if (r.exitCode() != 0) return "runner exited with code " + r.exitCode() + signal(r.exitCode()) + said;
        if (out.nan()) return "the printed output tensor contains NaN (nan)";
        return null;
    }

    static String signal(int code) {
        Map<Integer, String> names = Map.of(2, "SIGINT", 4, "SIGILL: an instruction this CPU lacks (an SME2 build on a CPU without SME2?)",
                6, "SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");
        return code > 128 && names.containsKey(code - 128) ? " (killed by " + names.get(code - 128) + ")" : "";
    }

    static List<String> crossChecks(Step s, Kit.RunnerOutput out, List<Double> latency, Path xlog) {
        List<String> notes = new ArrayList<>();
        double sum = latency.stream().mapToDouble(Double::doubleValue).sum();
        Double rep = out.reportedMs();
        if (rep == null) notes.add("the runner printed no \"Model executed successfully\" line to cross-check the ETDump with");
        else if (Math.abs(sum - rep) > Math.max(0.5, 0.25 * rep))
            notes.add(String.format(Locale.ROOT, "the ETDump's Method::execute total %.3f ms disagrees with the runner's own %.3f ms", sum, rep));
        if (out.executions() != null && out.executions() != s.runs())
            notes.add("the runner says it executed " + out.executions() + " time(s), the pipeline asked for " + s.runs());
        if (s.xnntrace() && !out.kernelLog())
            notes.add("no XNNPACK kernel lines in " + xlog + ": is the runner a kernel-logging build (jbang scripts/BuildRunners.java --variants "
                    + variant(s.exp()).replaceFirst("(-xnnlog)?$", "-xnnlog") + ")?");
        if (!s.xnntrace() && out.kernelLog())
            notes.add("the timing runner logs XNNPACK kernels (a kernel-logging build): its logging adds time; time with a non-xnnlog runner");
        return notes;
    }

    private void finish(Kit.RunFolder f, Map<String, Object> entry, Step s, String why, List<Double> latency, Double reported, Path dir, Path xlog,
                        List<String> notes, long started) {
        Path etdump = dir.resolve("run.etdump"), log = dir.resolve("runner.log");
        Map<String, Object> metrics = f.metrics(s.runs(), s.warmup(), s.threads(), latency, reported, Files.isRegularFile(etdump) ? etdump : null,
                Files.isRegularFile(log) ? log : null, xlog != null && Files.isRegularFile(xlog) ? xlog : null);
        metrics.put("warnings", notes);
        metrics.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
        if (stopping) return;
        f.record(entry, why == null ? "ok" : "failed", why, metrics);
        notes.forEach(nt -> io.warn(s.label() + ": " + nt));
        if (why == null) io.ok(s.label() + ": " + summary(metrics) + String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - started) / 1e9));
        else io.fail(s.label() + ": " + why);
    }

    private static String summary(Map<String, Object> m) {
        return String.format(Locale.ROOT, "median %.3f ms (min %.3f, max %.3f, CV %s) over %d run(s)", m.get("median_ms"), m.get("min_ms"), m.get("max_ms"),
                m.get("cv_percent") == null ? "-" : String.format(Locale.ROOT, "%.1f%%", (Double) m.get("cv_percent")), ((List<?>) m.get("latency_ms")).size());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    // ---------------------------------------------------------------- analysis and report

    private Integer analysisOnly() {
        Kit.RunFolder f = Kit.RunFolder.open(analysisOnly);
        List<String> cmd = analysisCommand(f.dir);
        if (cmd == null) throw Kit.UserError.failed("AnalyzeResults.java was not found beside MacPipeline.java",
                "run it yourself: jbang scripts/AnalyzeResults.java --run-dir " + Kit.shq(f.dir.toString()));
        int code = analysis(f.dir);
        if (!dryRun) report(f, String.valueOf(f.manifest.get("status")), code == 0 ? "ok" : "failed", code);
        return code;
    }

    /** Runs AnalyzeResults on the run folder as a process; prints the command instead when it cannot be found. */
    private int analysis(Path runDir) {
        List<String> cmd = analysisCommand(runDir);
        if (cmd == null) {
            io.warn("AnalyzeResults.java was not found beside MacPipeline.java; run the analysis with: jbang scripts/AnalyzeResults.java --run-dir "
                    + Kit.shq(runDir.toString()));
            return 0;
        }
        io.step("analysis: " + Kit.Cmd.of(cmd).display());
        Kit.Result r = Kit.exec(io, Kit.Cmd.of(cmd).echo(true));
        if (r.ok() || io.dryRun) return 0;
        io.fail("AnalyzeResults failed (exit " + r.exitCode() + (r.startError() != null ? ", " + r.startError() : "") + "); the measurements are kept in " + runDir);
        return Kit.FAILED;
    }

    /** `<jbang> <scripts dir>/AnalyzeResults.java --run-dir RUN`, or null when AnalyzeResults.java or a jbang launcher is missing. */
    static List<String> analysisCommand(Path runDir) {
        Path scripts = scriptsDir();
        if (scripts == null || !Files.isRegularFile(scripts.resolve("AnalyzeResults.java"))) return null;
        String jbang = jbang(scripts);
        return jbang == null ? null : List.of(jbang, scripts.resolve("AnalyzeResults.java").toString(), "--run-dir", runDir.toString());
    }

    /**
     * This script's folder. JBang runs a compiled copy from its cache, so the class file says nothing; newer JBang
     * versions pass -Djbang.source / -Djbang.dir, the repository's ./jbang launcher exports JBANG_LAUNCH_CMD, and
     * otherwise the nearest scripts/ folder upwards from the working folder is used.
     */
    static Path scriptsDir() {
        List<Path> candidates = new ArrayList<>();
        String src = System.getProperty("jbang.source"), dir = System.getProperty("jbang.dir"), launcher = System.getenv("JBANG_LAUNCH_CMD");
        if (src != null) candidates.add(Path.of(src).toAbsolutePath().getParent());
        if (dir != null) candidates.add(Path.of(dir));
        if (launcher != null) candidates.add(Path.of(launcher).toAbsolutePath().getParent().resolve("scripts"));
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) candidates.add(p.resolve("scripts"));
        return candidates.stream().filter(Objects::nonNull).filter(p -> Files.isRegularFile(p.resolve("MacPipeline.java"))).findFirst()
                .map(p -> p.toAbsolutePath().normalize()).orElse(null);
    }

    /** `jbang` on PATH, else the repository's ./jbang launcher beside scripts/. */
    static String jbang(Path scripts) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "jbang")) && Files.isRegularFile(Path.of(d, "jbang"))) return Path.of(d, "jbang").toString();
        }
        Path local = scripts.getParent() == null ? null : scripts.getParent().resolve("jbang");
        return local != null && Files.isExecutable(local) ? local.toString() : null;
    }

    private static String scriptRef(String name) {
        Path scripts = scriptsDir();
        if (scripts == null) return "scripts/" + name;
        Path cwd = Path.of("").toAbsolutePath();
        return scripts.startsWith(cwd) ? cwd.relativize(scripts.resolve(name)).toString() : scripts.resolve(name).toString();
    }

    /** The summary table (stdout) and the next commands, or one JSON object under --json. */
    private void report(Kit.RunFolder f, String status, String analysisState, int code) {
        String run = Kit.shq(f.dir.toString());
        List<String> next = new ArrayList<>();
        if (!"ok".equals(status)) next.add("jbang " + scriptRef("MacPipeline.java") + " --resume " + run);
        next.add("jbang " + scriptRef("ValidateResults.java") + " --results " + run);
        Path html = f.dir.resolve("analysis").resolve("report.html");
        if (Files.isRegularFile(html)) next.add((Kit.isMac() ? "open " : "xdg-open ") + Kit.shq(html.toString()));
        else next.add("jbang " + scriptRef("AnalyzeResults.java") + " --run-dir " + run);
        if (io.json) {
            io.data(Kit.ordered("run_dir", f.dir.toString(), "status", status, "exit_code", code, "analysis", analysisState,
                    "results", f.results(), "warnings", f.manifest.getOrDefault("warnings", List.of()), "next", next));
            return;
        }
        PrintStream o = io.out;
        o.println();
        o.println("Run folder: " + f.dir + "  (status: " + status + ", analysis: " + analysisState + ")");
        o.println(String.format(Locale.ROOT, "%-28s %7s  %-11s %10s %9s %9s %7s", "experiment", "threads", "status", "median ms", "min", "max", "CV %"));
        for (Map<String, Object> r : f.results()) {
            @SuppressWarnings("unchecked") Map<String, Object> m = r.get("metrics") instanceof Map<?, ?> x ? (Map<String, Object>) x : Map.of();
            o.println(String.format(Locale.ROOT, "%-28s %7s  %-11s %10s %9s %9s %7s", r.get("experiment"), r.get("threads"), r.get("status"),
                    num(m.get("median_ms"), 3), num(m.get("min_ms"), 3), num(m.get("max_ms"), 3), num(m.get("cv_percent"), 1)));
        }
        for (Map<String, Object> r : f.results())
            if (r.get("reason") != null) o.println("  " + r.get("experiment") + " t" + r.get("threads") + " " + r.get("status") + ": " + r.get("reason"));
        o.println("Next:");
        next.forEach(x -> o.println("  " + x));
    }

    private static String num(Object v, int digits) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%." + digits + "f", n.doubleValue()) : "-";
    }
}
