///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION From a workspace to a first report: validates each stage, builds the SME2 on/off runners if missing, exports toy_cnn, runs the pipeline, validates the run.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "RunQuickTest", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Runs the whole flow once, stage by stage, each with a banner and its time;",
                "it stops at the first failure with its fix:",
                "  setup     (--setup only) SetupRepo",
                "  check     ValidateSetup --stage setup: java, git, python, disk",
                "  build     only when a runner is missing: ValidateSetup --stage build,",
                "            then BuildRunners for the SME2 on/off pair",
                "  export    ValidateSetup --stage export, then ExportModel --model toy_cnn",
                "            --dtype fp16",
                "  config    <workspace>/runs/quick_<platform>.json from",
                "            configs/templates/<platform>_template.json (model, output_root",
                "            and runner paths filled in; a built-in copy of the template",
                "            when configs/ is not there)",
                "  validate  ValidateSetup --stage run (android: --stage android) --config",
                "  profile   MacPipeline (android: AndroidPipeline) CONFIG --json",
                "  results   ValidateResults --results RUN_DIR",
                "then prints where the report is and what to run next.",
                "The other scripts run as processes through jbang (the launcher that started",
                "this one, else jbang on PATH, else the repository's ./jbang). They are",
                "found in --scripts-dir, else ./scripts or the current folder."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/RunQuickTest.java --platform mac",
                "  jbang scripts/RunQuickTest.java --setup --workspace ~/sme2-ws",
                "      (creates the workspace first)",
                "  jbang scripts/RunQuickTest.java --platform android --skip-build",
                "      (Android runners built already; one device on adb)",
                "  jbang scripts/RunQuickTest.java --dry-run",
                "      (prints every command in order)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every stage passed; the report is printed", "1:a stage failed (its output, the command and the fix are printed)",
                "2:bad input or usage"})
public class RunQuickTest implements Callable<Integer> {
    static final String MODEL = "toy_cnn", DTYPE = "fp16", STEM = "toy_cnn_xnnpack_fp16";
    static final List<String> NEEDED = List.of("ValidateSetup.java", "BuildRunners.java", "ExportModel.java", "ValidateResults.java");
    /** The config templates as shipped in configs/templates/, for a lone download of this script. */
    static final Map<String, String> FALLBACK_TEMPLATES = Map.of("mac", """
            {
              "model": "REPLACE_WITH_PATH_TO_MODEL_PTE",
              "output_root": "../../runs/mac",
              "experiments": [
                {"name": "mac_sme2_on", "runner_path": "../../executorch/cmake-out/host-sme2-on/executor_runner", "mode": "timing", "runs": 10, "warmup": 1, "threads": [1]},
                {"name": "mac_sme2_off", "runner_path": "../../executorch/cmake-out/host-sme2-off/executor_runner", "mode": "timing", "runs": 10, "warmup": 1, "threads": [1]}
              ],
              "analysis": {"compare_pairs": [{"baseline": {"experiment": "mac_sme2_off", "threads": 1}, "candidate": {"experiment": "mac_sme2_on", "threads": 1},
                "label": "SME2 off -> on, 1 thread"}]}
            }
            """, "android", """
            {
              "model": "REPLACE_WITH_PATH_TO_MODEL_PTE",
              "output_root": "../../runs/android",
              "device": {"workdir": "/data/local/tmp/sme2-profiling"},
              "experiments": [
                {"name": "android_sme2_on", "runner_path": "../../executorch/cmake-out/android-arm64-sme2-on/executor_runner", "mode": "timing", "runs": 10, "warmup": 1, "threads": [1], "cpu_affinity": "0x80"},
                {"name": "android_sme2_off", "runner_path": "../../executorch/cmake-out/android-arm64-sme2-off/executor_runner", "mode": "timing", "runs": 10, "warmup": 1, "threads": [1], "cpu_affinity": "0x80"}
              ],
              "analysis": {"compare_pairs": [{"baseline": {"experiment": "android_sme2_off", "threads": 1}, "candidate": {"experiment": "android_sme2_on", "threads": 1},
                "label": "SME2 off -> on, 1 thread"}]}
            }
            """);
    static final Pattern RUNNER_VARIANT = Pattern.compile("cmake-out/([A-Za-z0-9_.-]+)/executor_runner$");

    private final Kit.Io io;
    private final Map<String, String> env;

    RunQuickTest(Kit.Io io) { this(io, System.getenv()); }

    RunQuickTest(Kit.Io io, Map<String, String> env) {
        this.io = io;
        this.env = env;
    }

    enum Platform { mac, android }

    @Option(names = "--platform", paramLabel = "PLATFORM", description = "mac (this computer: macOS, and Linux works too; default) or android (a device on adb)")
    Platform platform = Platform.mac;

    @Option(names = "--workspace", paramLabel = "DIR", description = "the workspace (default: $SME2_WORKSPACE, the nearest folder upwards with executorch/ or .venv/, or the current folder)")
    Path workspace;

    @Option(names = "--skip-build", description = "never build: use the runners that are there (fails if one is missing)")
    boolean skipBuild;

    @Option(names = "--setup", description = "run SetupRepo first (creates the workspace; takes seconds when it is already set up)")
    boolean setup;

    @Option(names = "--scripts-dir", paramLabel = "DIR", description = "where ValidateSetup.java and the other scripts are (default: found beside this one)")
    Path scriptsDir;

    @Option(names = "--json", description = "print the outcome (stages, config, run folder, report) as JSON on stdout")
    boolean json;

    @Option(names = "--dry-run", description = "print every command in order; run none of them and write nothing")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) { return run(System.getenv(), out, err, args); }

    /** Entry point for tests with their own environment (PATH with a fake jbang first). */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new RunQuickTest(io, env), args);
    }

    /** One stage: ok, skipped, planned (dry run) or failed, with its time and the commands it ran. */
    record Stage(String name, String status, double seconds, String detail) {}

    private Kit.Workspace ws;
    private Path scripts, cwd;
    private String launcher;
    private final List<Stage> stages = new ArrayList<>();
    private int stageNo, stageCount;

    @Override
    public Integer call() throws IOException {
        io.json = json;
        io.dryRun = dryRun;
        long t0 = System.nanoTime();
        cwd = Path.of("").toAbsolutePath();
        ws = Kit.Workspace.locate(workspace);
        scripts = findScripts();
        launcher = findLauncher();
        boolean android = platform == Platform.android;
        String pipeline = android ? "AndroidPipeline.java" : "MacPipeline.java";
        List<String> missing = new ArrayList<>();
        for (String s : concat(NEEDED, List.of(pipeline), setup ? List.of("SetupRepo.java") : List.of()))
            if (!Files.isRegularFile(scripts.resolve(s))) missing.add(s);
        if (!missing.isEmpty())
            throw Kit.UserError.failed("missing beside RunQuickTest in " + scripts + ": " + String.join(", ", missing),
                    "get the whole scripts/ folder (git sparse-checkout set scripts configs), or download those files with Kit.java into " + scripts);
        List<String> variants = android ? List.of("android-arm64-sme2-on", "android-arm64-sme2-off") : List.of("host-sme2-on", "host-sme2-off");
        boolean runnersThere = variants.stream().allMatch(v -> Files.isExecutable(ws.runner(v)));
        stageCount = (setup ? 1 : 0) + 7;
        io.step("RunQuickTest (" + platform + "): workspace " + ws.root() + ", scripts " + scripts + ", launcher " + launcher);
        String wsArg = ws.root().toString();

        if (setup) stage("setup", "Set up the workspace (SetupRepo)", () -> {
            script("SetupRepo.java", List.of("--workspace", wsArg), true);
            return "workspace ready";
        });
        stage("check", "Check this machine (ValidateSetup --stage setup)", () -> validate("setup", List.of()));
        stage("build", "Runners " + String.join(", ", variants), () -> {
            if (runnersThere) return "present; not rebuilt (rebuild with: jbang " + rel(scripts.resolve("BuildRunners.java")) + " --variants " + String.join(",", variants) + ")";
            if (skipBuild) throw Kit.UserError.failed("--skip-build, but runners are missing: " + String.join(", ", variants.stream()
                            .filter(v -> !Files.isExecutable(ws.runner(v))).map(v -> ws.runner(v).toString()).toList()),
                    "build them: jbang " + rel(scripts.resolve("BuildRunners.java")) + " --variants " + String.join(",", variants) + " (or drop --skip-build)");
            validate("build", List.of());
            script("BuildRunners.java", List.of("--workspace", wsArg, "--variants", String.join(",", variants)), true);
            return "built";
        });
        Path pte = ws.models().resolve(STEM + ".pte");
        stage("export", "Export " + MODEL + " (" + DTYPE + ", XNNPACK)", () -> {
            validate("export", List.of());
            script("ExportModel.java", List.of("--workspace", wsArg, "--model", MODEL, "--dtype", DTYPE), true);
            return pte.toString();
        });
        Path config = ws.runs().resolve("quick_" + platform + ".json");
        stage("config", "Write the config " + config, () -> writeConfig(config, pte));
        stage("validate", "Check the config, model and runners (ValidateSetup --stage " + (android ? "android" : "run") + ")",
                () -> validate(android ? "android" : "run", List.of("--config", config.toString())));
        String[] runDir = {null};
        stage("profile", "Profile SME2 on vs off (" + pipeline.replace(".java", "") + ")", () -> {
            List<String> args = List.of(config.toString(), "--workspace", wsArg, "--json");
            Kit.Result r = script(pipeline, args, true);
            if (dryRun) {
                runDir[0] = "<run folder printed by " + pipeline.replace(".java", "") + ">";
                return runDir[0];
            }
            JsonNode doc = stdoutJson(r);
            runDir[0] = doc == null ? null : doc.path("run_dir").asText(null);
            if (runDir[0] == null) throw Kit.UserError.failed(pipeline + " printed no run_dir", "run it yourself to see why: jbang " + rel(scripts.resolve(pipeline)) + " " + config);
            return runDir[0];
        });
        stage("results", "Validate the run folder (ValidateResults)", () -> {
            script("ValidateResults.java", List.of("--results", runDir[0]), true);
            return "valid";
        });

        double total = (System.nanoTime() - t0) / 1e9;
        Path report = dryRun ? null : Path.of(runDir[0]).resolve("analysis/report.html");
        boolean reportThere = report != null && Files.isRegularFile(report);
        if (json) io.data(Kit.ordered("ok", true, "dry_run", dryRun, "platform", platform.name(), "workspace", ws.root().toString(), "stages", stages,
                "config", config.toString(), "model", pte.toString(), "run_dir", runDir[0], "report", reportThere ? report.toString() : null,
                "commands", dryRun ? io.plannedCommands : null, "seconds", Math.round(total * 10) / 10.0));
        if (dryRun) {
            io.err.println("dry run: nothing was run or written");
            return Kit.OK;
        }
        io.step("Quick test passed in " + Kit.duration(total));
        if (reportThere) io.ok("report: " + report);
        else io.warn("no report at " + report + "; make it with: jbang " + rel(scripts.resolve("AnalyzeResults.java")) + " --run-dir " + Kit.shq(runDir[0]));
        io.info("run folder: " + runDir[0]);
        io.info("next: profile a real model:");
        io.info("  jbang " + rel(scripts.resolve("ExportModel.java")) + " --model mv2 --dtype fp16");
        io.info("  then set \"model\" in a copy of " + config + " and run: jbang " + rel(scripts.resolve(pipeline)) + " <that config>");
        return Kit.OK;
    }

    // ---------------------------------------------------------------- stages

    interface Body { String run() throws IOException; }

    private void stage(String name, String title, Body body) throws IOException {
        stageNo++;
        io.step("[" + stageNo + "/" + stageCount + "] " + title);
        long t0 = System.nanoTime();
        String detail;
        try {
            detail = body.run();
        } catch (Kit.UserError e) {
            stages.add(new Stage(name, "failed", Math.round(secs(t0) * 10) / 10.0, e.getMessage()));
            if (json) io.data(Kit.ordered("ok", false, "platform", platform.name(), "workspace", ws.root().toString(), "stages", stages));
            throw new Kit.UserError(e.exitCode == Kit.USAGE ? Kit.FAILED : e.exitCode, "stage " + name + " failed: " + e.getMessage(), e.fix);
        }
        double s = secs(t0);
        stages.add(new Stage(name, dryRun ? "planned" : "ok", Math.round(s * 10) / 10.0, detail));
        if (!dryRun) io.ok(name + ": " + detail + " (" + Kit.duration(s) + ")");
    }

    /** ValidateSetup for one stage, its checks summarised; a failed check stops the quick test with its fix. */
    private String validate(String stage, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("--stage", stage, "--workspace", ws.root().toString()));
        args.addAll(extra);
        args.add("--json");
        Kit.Result r = script("ValidateSetup.java", args, false);
        if (dryRun) return "planned";
        JsonNode doc = stdoutJson(r);
        List<String> fails = new ArrayList<>(), fixes = new ArrayList<>();
        int ok = 0, warn = 0;
        for (JsonNode c : doc == null ? List.<JsonNode>of() : iterable(doc.path("checks"))) {
            String status = c.path("status").asText(), line = c.path("id").asText() + ": " + c.path("message").asText();
            switch (status) {
                case "ok" -> ok++;
                case "warn" -> {
                    warn++;
                    io.warn(line);
                }
                case "fail" -> {
                    fails.add(line);
                    io.fail(line);
                    if (!c.path("fix").asText("").isEmpty()) {
                        io.fix(c.path("fix").asText());
                        fixes.add(c.path("fix").asText());
                    }
                }
                default -> { }
            }
        }
        if (r.exitCode() != 0 || doc == null || !fails.isEmpty()) {
            String cause = fails.isEmpty() ? "ValidateSetup --stage " + stage + " exited " + r.exitCode() + ": " + lastLine(r) : fails.get(0)
                    + (fails.size() > 1 ? " (and " + (fails.size() - 1) + " more above)" : "");
            String fix = fixes.isEmpty() ? "run it yourself for details: jbang " + rel(scripts.resolve("ValidateSetup.java")) + " --stage " + stage : fixes.get(0);
            if (stage.equals("setup") || stage.equals("build") || stage.equals("export")) fix += "; a fresh workspace needs SetupRepo first (or add --setup)";
            throw Kit.UserError.failed(cause, fix);
        }
        return ok + " ok, " + warn + " warn";
    }

    /** Runs one of the other scripts through jbang, from the current folder; a failure stops the quick test with its own error and fix. */
    private Kit.Result script(String file, List<String> args, boolean live) {
        List<String> argv = new ArrayList<>(List.of(launcher, rel(scripts.resolve(file))));
        argv.addAll(args);
        if (!dryRun && !launcher.contains("/")) argv.set(0, Kit.which(env, launcher).toString());
        Kit.Result r = Kit.exec(io, Kit.Cmd.of(argv).in(cwd).env(Map.of("PATH", env.getOrDefault("PATH", ""), "NO_COLOR", "1")).echo(live && !dryRun));
        if (dryRun || r.ok()) return r;
        if (file.equals("ValidateSetup.java") && r.exitCode() == 1) return r; // its checks are summarised by validate()
        String shown = Kit.Cmd.of(argv.subList(0, argv.size())).display();
        String error = findLine(r.stderr(), "error: "), failed = findLine(r.stderr(), "[fail] "), fix = findLine(r.stderr(), "fix: ");
        String why = error != null ? error.substring("error: ".length()) : failed != null ? failed.substring("[fail] ".length()).trim() : null;
        throw Kit.UserError.failed(file.replace(".java", "") + " failed (" + r.why() + ")"
                        + (why != null ? ": " + why : "") + "\n  command: " + shown,
                fix != null ? fix.substring("fix: ".length()) : "run the command above yourself and read its output");
    }

    /** Fills the platform's template: model and output_root, runner paths made absolute; written to runs/quick_<platform>.json. */
    private String writeConfig(Path config, Path pte) throws IOException {
        Path template = null;
        for (Path p : List.of(scripts.resolveSibling("configs"), ws.root().resolve("configs"))) {
            Path t = p.resolve("templates").resolve(platform + "_template.json");
            if (Files.isRegularFile(t)) {
                template = t;
                break;
            }
        }
        String from = template != null ? template.toString() : "the built-in copy of " + platform + "_template.json";
        if (dryRun) {
            io.plannedCommands.add(List.of("#write", config.toString(), "from", from));
            if (!json) io.out.println("# write " + config + " from " + from);
            return config.toString();
        }
        JsonNode root = template != null ? Kit.readJson(template) : Kit.JSON.readTree(FALLBACK_TEMPLATES.get(platform.name()));
        if (!(root instanceof ObjectNode cfg)) throw Kit.UserError.badInput(from + ": not a JSON object", "restore the template from the repository");
        cfg.remove("$schema");
        cfg.put("model", pte.toString());
        cfg.put("output_root", ws.runs().resolve("quick_" + platform).toString());
        for (JsonNode e : iterable(cfg.path("experiments"))) {
            Matcher m = RUNNER_VARIANT.matcher(e.path("runner_path").asText(""));
            if (e instanceof ObjectNode o && m.find()) o.put("runner_path", ws.runner(m.group(1)).toString());
        }
        Kit.writeJson(config, cfg);
        return "from " + from;
    }

    // ---------------------------------------------------------------- finding things

    /** The folder with the other scripts: --scripts-dir, else ./scripts, else the current folder, else beside the jbang launcher. */
    private Path findScripts() {
        List<Path> candidates = new ArrayList<>();
        if (scriptsDir != null) candidates.add(scriptsDir.toAbsolutePath().normalize());
        else {
            candidates.add(cwd.resolve("scripts"));
            candidates.add(cwd);
            String l = env.get("JBANG_LAUNCH_CMD");
            if (l != null && !l.isBlank()) candidates.add(Path.of(l).toAbsolutePath().getParent().resolve("scripts"));
            for (Path p = cwd.getParent(); p != null; p = p.getParent()) candidates.add(p.resolve("scripts"));
        }
        for (Path c : candidates) if (Files.isRegularFile(c.resolve("ValidateSetup.java"))) return c.normalize();
        throw Kit.UserError.badInput("cannot find the other scripts (ValidateSetup.java, BuildRunners.java, …)"
                        + (scriptsDir != null ? " in " + scriptsDir : " in ./scripts, the current folder or beside the jbang launcher"),
                "run this from the repository root (or the folder holding the scripts), or pass --scripts-dir DIR");
    }

    /** How to run another script: the launcher that started this one, else jbang on PATH, else the repository's ./jbang. */
    private String findLauncher() {
        String l = env.get("JBANG_LAUNCH_CMD");
        if (l != null && !l.isBlank() && Files.isExecutable(Path.of(l))) return l;
        if (Kit.which(env, "jbang") != null) return "jbang";
        Path repo = scripts.getParent() == null ? null : scripts.getParent().resolve("jbang");
        if (repo != null && Files.isExecutable(repo)) return repo.toString();
        throw Kit.UserError.failed("no jbang to run the other scripts with (not on PATH, no ./jbang launcher beside scripts/)",
                "install JBang (brew install jbangdev/tap/jbang, or sdk install jbang), or run this from the repository root with ./jbang");
    }

    /** A path as the user would type it from the current folder: relative when inside it. */
    private String rel(Path p) {
        Path a = p.toAbsolutePath().normalize();
        return a.startsWith(cwd) && !a.equals(cwd) ? cwd.relativize(a).toString() : a.toString();
    }

    // ---------------------------------------------------------------- output parsing

    /** The JSON object a child printed on stdout; null when there is none. */
    static JsonNode stdoutJson(Kit.Result r) {
        String out = r.stdout();
        int start = out.indexOf('{');
        if (start < 0) return null;
        try {
            return Kit.JSON.readTree(out.substring(start));
        } catch (IOException e) {
            return null;
        }
    }

    private static Iterable<JsonNode> iterable(JsonNode n) { return n instanceof ArrayNode a ? a : List.of(); }

    private static String findLine(String text, String prefix) {
        String found = null;
        for (String l : text.lines().toList()) if (l.startsWith(prefix)) found = l;
        return found;
    }

    private static String lastLine(Kit.Result r) {
        return r.output().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(r.startError() != null ? r.startError() : "no output");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) all.addAll(l);
        return all;
    }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
