///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION Checks that this machine and workspace are ready for a stage (setup, build, export, run, android); one fix per problem.

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "ValidateSetup", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Checks the tools, ExecuTorch checkout, Python environment, runners and Android",
                "device that a stage needs. Each check prints ok, warn or fail; every warn and",
                "fail has a one-line fix. The ExecuTorch commit and dirty flag are always shown.",
                "",
                "Stages (--stage, comma-separated or repeated):",
                "  setup    java 17+, git, python3 in the range ExecuTorch supports, free disk,",
                "           jbang; the executorch/ checkout and .venv (warn until SetupRepo",
                "           has made them)",
                "  build    cmake, ninja (.venv/bin first, then PATH), the C compiler BuildRunners",
                "           uses ($CC, else cc): clang 18+ (macOS: Xcode command line tools,",
                "           Apple clang 16+), the executorch/ checkout and the submodules the",
                "           runner needs (eigen, pocketfft, json… filled), the workspace",
                "           Python's torch at the pinned version (its headers build the",
                "           optimized kernels), free disk",
                "  export   .venv and `import executorch` in its python",
                "  run      host runners executorch/cmake-out/host-sme2-{on,off}/, host SME2",
                "  android  adb, one online device and its SME2, ANDROID_NDK r27+, the Android",
                "           runners",
                "  all      every stage above",
                "No --stage means setup,build,export,run: anything a later stage needs is then",
                "a failure, so on a fresh checkout ask for your stage (--stage setup passes",
                "before anything is built). --model and --config add their checks to any",
                "stage; the runners a config names replace the host-runner check.",
                "",
                "Versions: configs/versions.json (in the workspace, else the current folder),",
                "else built-in defaults: python 3.10-3.13, cmake 3.24 (3.29 recommended),",
                "clang 18, Apple clang 16, NDK r27. Disk: 15 GB free is ok, 5-15 GB warns,",
                "under 5 GB fails. Host SME2: `sysctl -n hw.optional.arm.FEAT_SME2` on macOS,",
                "/proc/cpuinfo (or the file in $SME2_CPUINFO) on Linux; no SME2 on the host or",
                "device is a warning (the SME2-on runner then uses NEON kernels; on an x86-64",
                "host no Arm kernel exists at all)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/ValidateSetup.java --stage setup",
                "  jbang scripts/ValidateSetup.java --stage build,export",
                "  jbang scripts/ValidateSetup.java --model models/mv2_xnnpack_fp16.pte",
                "  jbang scripts/ValidateSetup.java --stage run --config configs/examples/mac_mobilenet_fp16.json",
                "  jbang scripts/ValidateSetup.java --stage android --json",
                "  jbang scripts/ValidateSetup.java --stage all --dry-run   # probes only"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed (ok or warn)", "1:at least one check failed",
                "2:bad input: unknown stage, invalid config (every problem listed)"})
public class ValidateSetup implements Callable<Integer> {
    private final Kit.Io io;

    ValidateSetup(Kit.Io io) {
        this.io = io;
        checks = new Kit.Checks(io);
    }

    @Option(names = "--stage", split = ",", paramLabel = "STAGE",
            description = "setup, build, export, run, android or all (comma-separated or repeated; default: setup,build,export,run)")
    List<String> stages = new ArrayList<>();

    @Option(names = "--workspace", paramLabel = "DIR",
            description = "the folder holding executorch/ and .venv/ (default: --workspace, $SME2_WORKSPACE, the nearest such folder upwards, or the current folder)")
    Path workspace;

    @Option(names = "--model", paramLabel = "PTE", description = "also check this .pte and the .etrecord beside it")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "also validate this profiling config and check that its model and runners exist")
    Path config;

    @Option(names = "--json", description = "print machine-readable JSON on stdout: {ok, executorch, checks[{id, status, message, fix}]}")
    boolean json;

    @Option(names = "--dry-run", description = "print the probe commands it would run and run none of them")
    boolean dryRun;

    /** For tests: NAME=VALUE overrides an environment variable as the checks see it (PATH for finding tools, ANDROID_NDK, SME2_CPUINFO…); an empty VALUE unsets it. */
    @Option(names = "--env", hidden = true, paramLabel = "NAME=VALUE")
    List<String> envOverrides = new ArrayList<>();

    /** For tests: check as if on this host OS (mac or linux). */
    @Option(names = "--host-os", hidden = true)
    String hostOs;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new ValidateSetup(io), args);
    }

    // ---------------------------------------------------------------- data

    static final List<String> STAGES = List.of("setup", "build", "export", "run", "android");
    static final List<String> HOST_VARIANTS = List.of("host-sme2-on", "host-sme2-off", "host-sme2-on-xnnlog", "host-sme2-off-xnnlog");
    static final List<String> ANDROID_VARIANTS = List.of("android-arm64-sme2-on", "android-arm64-sme2-off",
            "android-arm64-sme2-on-xnnlog", "android-arm64-sme2-off-xnnlog");
    static final long GB = 1024L * 1024 * 1024;
    static final long DISK_OK_GB = 15, DISK_FAIL_GB = 5;
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20), IMPORT_TIMEOUT = Duration.ofSeconds(180);

    private final Kit.Checks checks;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private Kit.Workspace ws;
    private Kit.Versions limits;
    private Kit.GitState git = new Kit.GitState(null, false);
    private String pinnedSha;
    /** The build stage is checked: an empty submodule is then a failure, not a warning. */
    private boolean stageBuild;

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        checks.quiet = dryRun;
        for (String kv : envOverrides) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw Kit.UserError.badInput("--env " + kv + ": expected NAME=VALUE", "write it as NAME=VALUE");
            overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Set<String> selected = stages();
        stageBuild = selected.contains("build");
        ws = Kit.Workspace.locate(workspace);
        Kit.Config cfg = config == null ? null : Kit.loadConfig(config);
        limits = loadLimits();
        if (!dryRun) io.step("ValidateSetup: " + String.join(", ", selected) + " (workspace " + ws.root() + ")");

        executorchState();
        if (selected.contains("setup")) {
            checkJava(Runtime.version().feature(), Runtime.version().toString());
            checkJbang();
            checkGit();
            checkPython();
        }
        if (selected.contains("setup") || selected.contains("build")) checkDisk();
        if (selected.contains("setup") && !selected.contains("build")) {
            if (Files.isDirectory(ws.executorch())) checkCheckout();
            else checks.warn("executorch", "no ExecuTorch checkout yet at " + ws.executorch() + " (SetupRepo clones it)", setupRepo());
        }
        if (selected.contains("setup") && !selected.contains("export")) {
            if (Files.isDirectory(ws.venv())) checkVenv();
            else checks.warn("venv", "no Python virtual environment yet at " + ws.venv() + " (SetupRepo creates it)", setupRepo());
        }
        if (selected.contains("build")) {
            checkTool("cmake", "cmake", true);
            checkTool("ninja", "ninja", true);
            if (mac()) checkXcode();
            checkCompiler();
            checkCheckout();
            checkTorch();
        }
        if (selected.contains("export")) {
            checkVenv();
            checkImport();
        }
        if (selected.contains("run")) {
            if (cfg == null) checkRunners("runners", HOST_VARIANTS, "host");
            checkHostSme2();
        }
        if (selected.contains("android")) {
            checkAdb(cfg);
            checkNdk();
            if (cfg == null) checkRunners("android-runners", ANDROID_VARIANTS, "Android");
        }
        if (model != null) checkModel("model", model.toAbsolutePath().normalize());
        if (cfg != null) checkConfig(cfg);
        return finish(selected);
    }

    private Set<String> stages() {
        Set<String> out = new LinkedHashSet<>();
        for (String s : stages) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("all")) out.addAll(STAGES);
            else if (STAGES.contains(t)) out.add(t);
            else throw Kit.UserError.badInput("--stage " + s + ": unknown stage",
                    "use one of setup, build, export, run, android, all (comma-separated)");
        }
        if (out.isEmpty()) out.addAll(List.of("setup", "build", "export", "run"));
        List<String> ordered = new ArrayList<>(STAGES);
        ordered.retainAll(out);
        return new LinkedHashSet<>(ordered);
    }

    private int finish(Set<String> selected) {
        if (dryRun) {
            if (json) io.data(Map.of("dry_run", true, "commands", io.plannedCommands));
            return Kit.OK;
        }
        long fails = checks.count("fail"), warns = checks.count("warn"), oks = checks.count("ok");
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("ok", fails == 0);
            doc.put("workspace", ws.root().toString());
            doc.put("stages", List.copyOf(selected));
            doc.put("versions", limits.source());
            doc.put("executorch", executorchMap());
            doc.put("checks", checks.list);
            io.data(doc);
        }
        String tally = oks + " ok, " + warns + " warn, " + fails + " fail";
        if (fails == 0) io.err.println("ready for " + String.join(", ", selected) + " (" + tally + ")");
        else io.err.println("not ready for " + String.join(", ", selected) + ": " + tally + "; apply the fixes above and run this again");
        return fails == 0 ? Kit.OK : Kit.FAILED;
    }

    // ---------------------------------------------------------------- environment and tools

    /** An environment variable as the checks see it: --env overrides first (empty = unset), then the real one. */
    String env(String name) {
        String v = overrides.containsKey(name) ? overrides.get(name) : System.getenv(name);
        return v == null || v.isEmpty() ? null : v;
    }

    boolean mac() {
        if (hostOs != null) return hostOs.toLowerCase(Locale.ROOT).startsWith("mac") || hostOs.equalsIgnoreCase("darwin");
        return Kit.isMac();
    }

    /** Finds an executable on PATH as the checks see it (so tests can put fake tools first). */
    Path which(String tool) {
        Path p = Kit.which(Map.of("PATH", Objects.requireNonNullElse(env("PATH"), "")), tool);
        return p == null ? null : p.toAbsolutePath();
    }

    /** cmake and ninja: .venv/bin first (ExecuTorch's requirements install both there; an active venv comes first), then PATH. */
    Path whichBuildTool(String tool) {
        Path inVenv = ws.venv().resolve("bin").resolve(tool);
        return Files.isRegularFile(inVenv) && Files.isExecutable(inVenv) ? inVenv : which(tool);
    }

    /** Runs a probe through Kit.exec (argument list; printed, not run, under --dry-run). */
    Kit.Result probe(Duration timeout, List<String> argv) {
        Map<String, String> childEnv = new LinkedHashMap<>(overrides);
        childEnv.remove("PATH");   // tools are resolved to absolute paths; children keep the real PATH (their #! needs it)
        return Kit.exec(io, Kit.Cmd.of(argv).timeout(timeout).env(childEnv));
    }

    Kit.Result probe(Path exe, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(exe.toString());
        argv.addAll(List.of(args));
        return probe(PROBE_TIMEOUT, argv);
    }

    /** A tool for a probe: its path, or (dry-run only) its bare name so the planned command still shows. */
    private Path tool(Path found, String name) { return found != null ? found : dryRun ? Path.of(name) : null; }

    static String shortSha(String sha) { return sha.substring(0, Math.min(12, sha.length())); }

    static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    static String lastLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1).strip();
    }

    static String why(Kit.Result r) {
        if (r.startError() != null) return "could not start: " + r.startError();
        if (r.timedOut()) return "timed out";
        String last = lastLine(r.output());
        return "exit " + r.exitCode() + (last.isEmpty() ? "" : ": " + last);
    }

    // ---------------------------------------------------------------- versions

    /** The first version number in the text (Kit.version), always three parts: "3.12" → {3, 12, 0}. Null when none. */
    static int[] v(String text) {
        int[] k = Kit.version(text);
        return k == null ? null : Arrays.copyOf(k, 3);
    }

    static String minor(int[] v) { return v[0] + "." + v[1]; }

    static String full(int[] v) { return v[0] + "." + v[1] + "." + v[2]; }

    /** The version following a marker ("Python 3.12.1", "cmake version 3.28.3"), or null. */
    static int[] after(String text, String regex) {
        Matcher m = Pattern.compile(regex + "\\s*(\\d+(?:\\.\\d+){0,2})").matcher(text == null ? "" : text);
        return m.find() ? v(m.group(1)) : null;
    }

    /** Pins and version limits (Kit.Versions); a versions.json that does not parse is a failed check, and the defaults apply. */
    private Kit.Versions loadLimits() {
        try {
            return Kit.Versions.load(ws.root());
        } catch (Kit.UserError e) {
            checks.fail("versions", e.getMessage() + " (using built-in defaults)", e.fix);
            return Kit.Versions.DEFAULTS;
        }
    }

    // ---------------------------------------------------------------- setup stage

    void checkJava(int feature, String version) {
        if (feature >= 17) checks.ok("java", "java " + version + " (17 or newer needed)");
        else checks.fail("java", "java " + version + " is too old: the scripts need Java 17 or newer",
                "install a JDK 17+ (e.g. `sdk install java 17.0.15-tem` or `brew install openjdk@17`), or let jbang fetch one");
    }

    private void checkJbang() {
        Path onPath = which("jbang");
        if (onPath != null) {
            checks.ok("jbang", "jbang on PATH (" + onPath + ")");
            return;
        }
        String launchedBy = env("JBANG_LAUNCH_CMD");  // set by the JBang launcher that started this script
        if (launchedBy != null && !launchedBy.isBlank() && Files.isExecutable(Path.of(launchedBy))) {
            checks.ok("jbang", "jbang: the launcher " + launchedBy + " (not on PATH)");
            return;
        }
        for (Path dir : List.of(Path.of("").toAbsolutePath(), ws.root())) {
            Path launcher = dir.resolve("jbang");
            if (Files.isRegularFile(launcher) && Files.isExecutable(launcher)) {
                checks.ok("jbang", "jbang: the repository launcher " + launcher + " (not on PATH)");
                return;
            }
        }
        checks.warn("jbang", "jbang not found on PATH and no ./jbang launcher here",
                "run the scripts from the repository root with ./jbang, or install JBang (`brew install jbangdev/tap/jbang` or `sdk install jbang`)");
    }

    private void checkGit() {
        Path git = tool(which("git"), "git");
        if (git == null) {
            checks.fail("git", "git not found on PATH", "install git (macOS: `xcode-select --install`; Debian/Ubuntu: `sudo apt install git`)");
            return;
        }
        Kit.Result r = probe(git, "--version");
        if (!r.ok()) checks.fail("git", "git at " + git + " does not run (" + why(r) + ")", "reinstall git");
        else checks.ok("git", firstLine(r.output()) + " (" + git + ")");
    }

    private void checkPython() {
        Path py = tool(which("python3"), "python3");
        String range = limits.pythonRange();
        String fix = "install Python " + minor(limits.pythonMax()) + " (macOS: `brew install python@" + minor(limits.pythonMax())
                + "`; or `pyenv install " + minor(limits.pythonMax()) + "`) and put it first on PATH as python3";
        if (py == null) {
            checks.fail("python", "python3 not found on PATH (ExecuTorch needs Python " + range + ")", fix);
            return;
        }
        Kit.Result r = probe(py, "--version");
        if (dryRun) return;
        int[] ver = after(r.output(), "Python");
        if (!r.ok() || ver == null) {
            checks.fail("python", "python3 at " + py + " did not report a version (" + why(r) + ")", fix);
            return;
        }
        pythonStatus("python", "python3 " + full(ver) + " (" + py + ")", ver, fix);
    }

    /** ok when the version is inside [min, max] by major.minor; fail otherwise, saying which end. */
    private void pythonStatus(String id, String what, int[] ver, String fix) {
        int[] mm = {ver[0], ver[1], 0};
        String range = limits.pythonRange();
        if (Kit.compare(mm, limits.pythonMin()) < 0) checks.fail(id, what + " is too old: ExecuTorch needs Python " + range, fix);
        else if (Kit.compare(mm, limits.pythonMax()) > 0)
            checks.fail(id, what + " is too new: ExecuTorch supports Python " + range + " (no wheels for newer ones yet)", fix);
        else checks.ok(id, what + " (ExecuTorch needs " + range + ")");
    }

    private void checkDisk() {
        Path p = ws.root();
        while (p != null && !Files.exists(p)) p = p.getParent();
        try {
            long free = Files.getFileStore(p == null ? Path.of("").toAbsolutePath() : p).getUsableSpace();
            Kit.Check c = diskCheck(free, ws.root());
            checks.add(c);
        } catch (IOException e) {
            checks.warn("disk", "cannot read the free space at " + ws.root() + ": " + e.getMessage(), "check it with `df -h " + ws.root() + "`");
        }
    }

    /** The free-disk verdict: at least 15 GB ok (ExecuTorch + submodules + venv + runner builds), 5-15 GB warn, below fail. */
    static Kit.Check diskCheck(long freeBytes, Path where) {
        String gb = String.format(Locale.ROOT, "disk: %.1f GB free at %s", freeBytes / (double) GB, where);
        String fix = "free space or use a workspace on a bigger disk (--workspace DIR); a full setup and build needs about "
                + DISK_OK_GB + " GB";
        if (freeBytes >= DISK_OK_GB * GB) return new Kit.Check("disk", "ok", gb, null);
        if (freeBytes >= DISK_FAIL_GB * GB) return new Kit.Check("disk", "warn", gb + " (less than " + DISK_OK_GB + " GB)", fix);
        return new Kit.Check("disk", "fail", gb + " (less than " + DISK_FAIL_GB + " GB: the build will run out of space)", fix);
    }

    // ---------------------------------------------------------------- build stage

    private void checkTool(String id, String name, boolean buildTool) {
        Path exe = tool(buildTool ? whichBuildTool(name) : which(name), name);
        String install = name.equals("cmake")
                ? "install CMake " + minor(limits.cmakeRecommended()) + " or newer, below " + minor(limits.cmakeBelow()) + ": `pip install 'cmake>="
                + minor(limits.cmakeRecommended()) + ",<" + minor(limits.cmakeBelow()) + "'` in the .venv (found there too), or your package manager"
                : "install Ninja (`brew install ninja`, `sudo apt install ninja-build`, or `pip install ninja` in the .venv)";
        if (exe == null) {
            checks.fail(id, name + " not found in .venv/bin or on PATH", install);
            return;
        }
        Kit.Result r = probe(exe, "--version");
        if (dryRun) return;
        int[] ver = v(r.output());
        if (!r.ok() || ver == null) {
            checks.fail(id, name + " at " + exe + " did not report a version (" + why(r) + ")", install);
            return;
        }
        String what = name + " " + full(ver) + " (" + exe + ")";
        if (!name.equals("cmake")) {
            checks.ok(id, what);
            return;
        }
        if (Kit.compare(ver, limits.cmakeMin()) < 0)
            checks.fail(id, what + " is too old: ExecuTorch needs CMake " + minor(limits.cmakeMin()) + " or newer", install);
        else if (Kit.compare(ver, limits.cmakeRecommended()) < 0)
            checks.warn(id, what + " is older than the recommended " + minor(limits.cmakeRecommended()) + " (ExecuTorch's presets may not load)", install);
        else if (Kit.compare(ver, limits.cmakeBelow()) >= 0)
            checks.warn(id, what + " is newer than ExecuTorch supports (below " + minor(limits.cmakeBelow()) + "; its requirements install cmake<"
                    + minor(limits.cmakeBelow()) + " into the venv)", install + "; put it first on PATH");
        else checks.ok(id, what);
    }

    private void checkXcode() {
        Path xs = tool(which("xcode-select"), "xcode-select");
        String fix = "install the Xcode command line tools: `xcode-select --install`";
        if (xs == null) {
            checks.fail("xcode-clt", "xcode-select not found: the Xcode command line tools are missing", fix);
            return;
        }
        Kit.Result r = probe(xs, "-p");
        if (dryRun) return;
        if (!r.ok() || r.output().isBlank()) checks.fail("xcode-clt", "no Xcode command line tools selected (`xcode-select -p`: " + why(r) + ")", fix);
        else checks.ok("xcode-clt", "Xcode command line tools at " + firstLine(r.output()));
    }

    /** The compiler BuildRunners builds the host runners with: $CC when set, else cc (the same choice, so the two agree). */
    private void checkCompiler() {
        boolean fromCc = env("CC") != null && !env("CC").isBlank();
        String cc = fromCc ? env("CC").strip() : "cc";
        String fix = mac() ? "update the Xcode command line tools (`softwareupdate --list`, or reinstall with `xcode-select --install`); SME2 needs Xcode 16+"
                : "install clang " + limits.clangMin() + " or newer (e.g. `sudo apt install clang-" + limits.clangMin()
                + "`) and export CC=clang-" + limits.clangMin() + " CXX=clang++-" + limits.clangMin();
        Path exe = tool(which(cc), cc);
        if (exe == null) {
            checks.fail("compiler", "no C compiler: " + (fromCc ? "CC=" + cc + " is not" : "cc is not") + " on PATH (BuildRunners builds with $CC, else cc)", fix);
            return;
        }
        Kit.Result r = probe(exe, "--version");
        if (dryRun) return;
        String line = firstLine(r.output());
        String where = " (" + exe + (fromCc ? ", from CC" : "") + ")";
        boolean apple = line.matches(".*Apple (LLVM|clang) version.*");
        int[] ver = after(line, apple ? "version" : "clang version");
        if (r.ok() && ver == null && (line.contains("gcc") || line.contains("GCC") || r.output().contains("Free Software Foundation")
                || line.matches("^(cc|c\\+\\+|g\\+\\+)(-\\d+)? \\(.*\\) \\d.*"))) {
            int[] gcc = v(line.replaceFirst("^.*\\)", ""));
            checks.warn("compiler", "gcc" + (gcc == null ? "" : " " + full(gcc)) + where + " would build the runners, but the SME2 kernels are built and tested with clang "
                    + limits.clangMin() + "+", fix);
            return;
        }
        if (!r.ok() || ver == null) {
            checks.fail("compiler", cc + " at " + exe + " did not report a clang or gcc version (" + why(r) + ")", fix);
            return;
        }
        int min = apple ? limits.appleClangMin() : limits.clangMin();
        String what = (apple ? "Apple clang " : "clang ") + full(ver) + where;
        if (ver[0] < min)
            checks.fail("compiler", what + " is too old for the SME2 kernels (" + (apple ? "Apple clang " : "clang ") + min
                    + " or newer needed; XNNPACK drops SME2 with older compilers)", fix);
        else checks.ok("compiler", what);
    }

    /** Reads the checkout's commit and dirty flag (always shown) and, when configs/versions.json pins a ref, its commit. */
    private void executorchState() {
        Path ex = ws.executorch();
        if (!Files.isDirectory(ex) && !dryRun) {
            io.info("ExecuTorch: no checkout at " + ex);
            return;
        }
        Path gitExe = tool(which("git"), "git");
        if (gitExe == null) {
            io.info("ExecuTorch: checkout at " + ex + " (commit unknown: git not found)");
            return;
        }
        Kit.Result head = probe(gitExe, "-C", ex.toString(), "rev-parse", "HEAD");
        Kit.Result status = probe(gitExe, "-C", ex.toString(), "status", "--porcelain", "--untracked-files=no");
        if (limits.sha() != null) pinnedSha = limits.sha();
        else if (limits.ref() != null) {
            Kit.Result pin = probe(gitExe, "-C", ex.toString(), "rev-parse", "--verify", "--quiet", limits.ref() + "^{commit}");
            pinnedSha = pin.ok() && !pin.output().isBlank() ? firstLine(pin.output()) : null;
        }
        if (dryRun) return;
        String sha = head.ok() && !head.output().isBlank() ? firstLine(head.output()) : null;
        git = new Kit.GitState(sha, sha != null && status.ok() && !status.output().isBlank());
        io.info("ExecuTorch: " + (sha == null ? "checkout at " + ex + " is not a git checkout"
                : sha + (git.dirty() ? " (dirty: uncommitted changes)" : " (clean)") + " at " + ex));
    }

    private Map<String, Object> executorchMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("present", Files.isDirectory(ws.executorch()));
        m.put("path", ws.executorch().toString());
        m.put("sha", git.sha());
        m.put("dirty", git.dirty());
        m.put("pinned_ref", limits.ref());
        m.put("pinned_sha", limits.sha());
        return m;
    }

    private void checkCheckout() {
        Path ex = ws.executorch();
        String ref = limits.ref();
        String clone = "git clone " + (ref != null ? "--branch " + ref + " " : "") + limits.url() + " " + Kit.shq(ex.toString());
        if (!Files.isDirectory(ex)) {
            checks.fail("executorch", "no ExecuTorch checkout at " + ex, setupRepo() + " (or by hand: " + clone
                    + " && git -C " + Kit.shq(ex.toString()) + " submodule update --init --recursive)");
            return;
        }
        if (dryRun) return;
        if (git.sha() == null) {
            checks.fail("executorch", ex + " is not a git checkout (no commit to record with the results)",
                    "move it away and clone ExecuTorch there: " + clone);
            return;
        }
        String shortSha = shortSha(git.sha());
        List<String> empty = Kit.Prereqs.emptySubmodules(ex);
        if (!empty.isEmpty()) {
            String what = "ExecuTorch submodule" + (empty.size() == 1 ? " " : "s ") + String.join(", ", empty) + (empty.size() == 1 ? " is" : " are")
                    + " empty: BuildRunners' configure or build would fail";
            if (stageBuild) checks.fail("executorch-submodules", what, Kit.Prereqs.submoduleFix(ex, empty));
            else checks.warn("executorch-submodules", what, Kit.Prereqs.submoduleFix(ex, empty));
        } else if (stageBuild) checks.ok("executorch-submodules", "the " + Kit.Prereqs.SUBMODULES.size() + " submodules the runner needs are filled");
        String pinned = (ref != null ? ref : "the pinned commit") + " (" + limits.source() + ")";
        if (ref != null && pinnedSha == null)
            checks.warn("executorch-ref", "the pinned ref " + pinned + " is not in the checkout",
                    "git -C " + Kit.shq(ex.toString()) + " fetch --tags origin, then check it out");
        else if (pinnedSha != null && !pinnedSha.equals(git.sha()))
            checks.warn("executorch-ref", "the checkout is at " + shortSha + ", not at the pinned " + (ref != null ? ref : "commit") + " ("
                            + shortSha(pinnedSha) + ")",
                    "git -C " + Kit.shq(ex.toString()) + " checkout " + (ref != null ? ref : pinnedSha) + " && git -C " + Kit.shq(ex.toString())
                            + " submodule update --init --recursive");
        if (git.dirty())
            checks.warn("executorch", "ExecuTorch checkout " + shortSha + " is dirty (uncommitted changes); results will record dirty=true",
                    "see the changes with `git -C " + Kit.shq(ex.toString()) + " status` and commit or revert them for a reproducible build");
        else checks.ok("executorch", "ExecuTorch checkout " + shortSha + " (clean) at " + ex);
    }

    /** The workspace Python's torch, whose headers ExecuTorch's CMake gives the optimized kernels (BuildRunners passes that Python to cmake). */
    private void checkTorch() {
        Path py = ws.python();
        String pinned = limits.torch();
        if (!Files.isExecutable(py) && !dryRun) {
            checks.fail("torch", "no workspace Python at " + py + ": BuildRunners gives it to cmake, which takes torch's headers from it", setupRepo());
            return;
        }
        Kit.Result r = probe(PROBE_TIMEOUT, List.of(py.toString(), "-c", Kit.Prereqs.TORCH_PROBE));
        if (dryRun) return;
        Kit.Prereqs.Torch t = Kit.Prereqs.torch(r);
        String fix = Kit.Prereqs.torchFix(py, pinned);
        if (t.error() != null) checks.fail("torch", py + " could not report its torch (" + t.error() + ")", fix);
        else if (t.path() == null)
            checks.fail("torch", "the workspace Python (" + py + ") has no torch: ExecuTorch's CMake takes the optimized kernels' headers from it", fix);
        else if (!t.matches(pinned))
            checks.fail("torch", "torch " + t.version() + " at " + t.path() + " is not the pinned " + pinned + ": the optimized kernels compile against its headers", fix);
        else checks.ok("torch", "torch " + t.version() + " (" + t.path() + "), the pinned one");
    }

    // ---------------------------------------------------------------- export stage

    private String setupRepo() { return "jbang scripts/SetupRepo.java --workspace " + Kit.shq(ws.root().toString()); }

    private String venvFix() {
        return setupRepo() + " (or by hand: python3 -m venv " + Kit.shq(ws.venv().toString()) + " && source "
                + Kit.shq(ws.venv().resolve("bin/activate").toString()) + " && (cd " + Kit.shq(ws.executorch().toString()) + " && ./install_executorch.sh))";
    }

    private void checkVenv() {
        Path py = ws.python();
        if (!Files.isDirectory(ws.venv())) checks.fail("venv", "no Python virtual environment at " + ws.venv(), venvFix());
        else if (!Files.isExecutable(py)) checks.fail("venv", ws.venv() + " has no python (" + py + ")", "delete it, then: " + venvFix());
        else checks.ok("venv", "virtual environment " + ws.venv());
    }

    /** The probe run in the venv's python: prints its version and the installed ExecuTorch version. */
    static final String IMPORT_PROBE = String.join("\n",
            "import sys",
            "import executorch",
            "try:",
            "    from executorch.version import __version__ as v",
            "except Exception:",
            "    from importlib.metadata import version",
            "    v = version('executorch')",
            "print('python', sys.version.split()[0])",
            "print('executorch', v)");

    private void checkImport() {
        Path py = ws.python();
        if (!Files.isExecutable(py) && !dryRun) {
            checks.skip("executorch-python", "import executorch: no venv python at " + py);
            return;
        }
        Kit.Result r = probe(IMPORT_TIMEOUT, List.of(py.toString(), "-c", IMPORT_PROBE));
        if (dryRun) return;
        if (!r.ok()) {
            checks.fail("executorch-python", "`import executorch` fails in " + py + " (" + why(r) + ")", "install ExecuTorch into the venv: " + venvFix());
            return;
        }
        Matcher pm = Pattern.compile("(?m)^python (\\d+\\.\\d+(?:\\.\\d+)?)").matcher(r.output());
        int[] pyVer = pm.find() ? v(pm.group(1)) : null;
        Matcher m = Pattern.compile("(?m)^executorch (\\S+)").matcher(r.output());
        String etVer = m.find() ? m.group(1) : "unknown";
        String what = "executorch " + etVer + " imports in " + py + (pyVer == null ? "" : " (python " + full(pyVer) + ")");
        if (pyVer != null) {
            if (!limits.pythonOk(pyVer)) {
                checks.fail("executorch-python", what + ", but that python is outside " + limits.pythonRange(),
                        "delete the venv and recreate it with a supported python: " + setupRepo() + " --python python" + minor(limits.pythonMax()));
                return;
            }
        }
        String ref = limits.ref();
        if (ref != null && ref.matches("v\\d+(\\.\\d+)*") && !etVer.startsWith(ref.substring(1)))
            checks.warn("executorch-python", what + ", but the pinned ref is " + ref, "reinstall it from the pinned checkout: " + venvFix());
        else checks.ok("executorch-python", what);
    }

    // ---------------------------------------------------------------- run stage: runners, models, host SME2

    static String buildCommand(List<String> variants) {
        return "jbang scripts/BuildRunners.java --variants " + String.join(",", variants);
    }

    /** Checks that both runners of an A/B pair exist; reports every built variant with its build.json facts. */
    private void checkRunners(String id, List<String> variants, String label) {
        List<String> missing = new ArrayList<>();
        List<String> optionalMissing = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            String variant = variants.get(i);
            Path runner = ws.runner(variant);
            if (Files.exists(runner)) reportRunner("runner:" + variant, variant, runner);
            else (i < 2 ? missing : optionalMissing).add(variant);
        }
        if (missing.isEmpty()) {
            checks.ok(id, label + " runners built: " + variants.get(0) + ", " + variants.get(1)
                    + (optionalMissing.isEmpty() ? "" : " (kernel-logging runners not built, optional: " + String.join(", ", optionalMissing) + ")"));
        } else {
            checks.fail(id, label + " runner" + (missing.size() > 1 ? "s" : "") + " not built: " + String.join(", ", missing)
                    + " (looked for " + ws.cmakeOut() + "/<variant>/executor_runner; the SME2 comparison needs both)", buildCommand(missing));
        }
    }

    /** One existing runner: executable, and what its build.json says (ExecuTorch commit, compiler, SME2 symbols). */
    private void reportRunner(String id, String variant, Path runner) {
        if (!Files.isRegularFile(runner) || !Files.isExecutable(runner)) {
            checks.fail(id, runner + " exists but is not an executable file", "rebuild it: " + buildCommand(List.of(variant)));
            return;
        }
        Path buildJson = runner.resolveSibling("build.json");
        if (!Files.isRegularFile(buildJson)) {
            checks.warn(id, variant + ": " + runner + " (no build.json beside it: commit and flags unknown)", "rebuild it: " + buildCommand(List.of(variant)));
            return;
        }
        JsonNode b;
        try {
            b = Kit.readJson(buildJson);
        } catch (Kit.UserError e) {
            checks.warn(id, variant + ": " + e.getMessage(), "rebuild it: " + buildCommand(List.of(variant)));
            return;
        }
        String sha = text(b, "executorch_sha", "executorch/sha", "sha");
        String compiler = text(b, "compiler");
        if (compiler == null && text(b, "compiler/version") != null)
            compiler = (text(b, "compiler/id") != null ? text(b, "compiler/id") + " " : "") + text(b, "compiler/version");
        String symbols = text(b, "sme2_symbol_count", "sme2_symbols", "sme2/symbols");
        List<String> facts = new ArrayList<>();
        if (sha != null) facts.add("ExecuTorch " + shortSha(sha) + ("true".equals(text(b, "executorch/dirty")) ? " dirty" : ""));
        if (compiler != null) facts.add(compiler);
        String evidence = text(b, "sme2_evidence");
        if (symbols != null) facts.add("SME2 symbols " + symbols);
        else if (evidence != null && evidence.startsWith("unknown")) facts.add("SME2 symbols " + evidence);
        if (evidence != null && evidence.startsWith("not applicable")) facts.add("x86-64 build: no Arm kernels, SME2 or NEON");
        String what = variant + ": " + runner + (facts.isEmpty() ? "" : " (" + String.join(", ", facts) + ")");
        if (sha != null && git.sha() != null && !git.sha().startsWith(sha) && !sha.startsWith(git.sha()))
            checks.warn(id, what + ": built from another ExecuTorch commit than the checkout (" + shortSha(git.sha()) + ")",
                    "rebuild it: " + buildCommand(List.of(variant)));
        else if (symbols == null && evidence != null && evidence.startsWith("unknown") && expectsSme2(b, variant))
            checks.warn(id, what + ": the binary is stripped, so its SME2 kernels cannot be counted (not 0: unknown)",
                    "take the -xnnlog runner's kernel log as the evidence, or rebuild with clang to keep the symbols: CC=clang CXX=clang++ "
                            + buildCommand(List.of(variant)) + " --clean");
        else if (symbols != null && symbols.matches("\\d+") && expectsSme2(b, variant) && Long.parseLong(symbols) == 0)
            checks.warn(id, what + ": the SME2-on runner contains no SME2 kernels", "check the compiler (clang 18+) and rebuild: " + buildCommand(List.of(variant)));
        else if (symbols != null && symbols.matches("\\d+") && variant.contains("sme2-off") && Long.parseLong(symbols) > 0)
            checks.warn(id, what + ": the SME2-off runner contains SME2 kernels", "rebuild it: " + buildCommand(List.of(variant)));
        else checks.ok(id, what);
    }

    /** Whether SME2 kernels belong in this runner: build.json's sme2_expected when present (an x86 build has none), else the variant name. */
    static boolean expectsSme2(JsonNode build, String variant) {
        String expected = text(build, "sme2_expected");
        return expected != null ? !expected.equals("0") : variant.contains("sme2-on");
    }

    /** The first of these slash-separated paths that holds a scalar in the JSON, as text. */
    static String text(JsonNode root, String... paths) {
        for (String p : paths) {
            JsonNode n = root;
            for (String part : p.split("/")) n = n.path(part);
            if (n.isValueNode() && !n.isNull()) return n.asText();
        }
        return null;
    }

    /**
     * `models/mv2_xnnpack_fp16.pte` → the ExportModel command that makes it (a q8 name, as other tools spell int8, asks
     * for --dtype int8); for any other name, the command with placeholders.
     */
    static String exportCommand(Path pte) {
        String command = Kit.Pipeline.exportCommandFor(pte);
        return command != null ? command : "jbang scripts/ExportModel.java --model <name> --dtype <fp32|fp16|int8> (it writes models/<name>_xnnpack_<dtype>.pte)";
    }

    private void checkModel(String id, Path pte) {
        if (!Files.isRegularFile(pte)) {
            checks.fail(id, "model " + pte + " not found", exportCommand(pte));
            return;
        }
        byte[] head = new byte[8];
        int n = 0;
        try (InputStream in = Files.newInputStream(pte)) {
            n = in.readNBytes(head, 0, 8);
        } catch (IOException e) {
            checks.fail(id, "model " + pte + " cannot be read: " + e.getMessage(), "check the file permissions");
            return;
        }
        if (n < 8 || !"ET12".equals(new String(head, 4, 4, StandardCharsets.ISO_8859_1))) {
            checks.fail(id, "model " + pte + " is not an ExecuTorch program (no ET12 identifier at byte 4)", exportCommand(pte));
            return;
        }
        long size = pte.toFile().length();
        checks.ok(id, "model " + pte + String.format(Locale.ROOT, " (%.1f MB, ExecuTorch program)", size / 1048576.0));
        Path etrecord = pte.resolveSibling(pte.getFileName().toString().replaceFirst("\\.pte$", "") + ".etrecord");
        if (Files.isRegularFile(etrecord)) checks.ok(id + "-etrecord", "ETRecord " + etrecord);
        else checks.warn(id + "-etrecord", "no ETRecord beside the model (" + etrecord + "): the analysis cannot name operators from the graph",
                "re-export to write it: " + exportCommand(pte));
    }

    private void checkConfig(Kit.Config cfg) {
        checks.ok("config", cfg.file() + ": valid (" + cfg.experiments().size() + " experiment" + (cfg.experiments().size() == 1 ? "" : "s") + ")");
        checkModel("config-model", cfg.model());
        Pattern layout = Pattern.compile(".*/cmake-out/([^/]+)/executor_runner$");
        for (Kit.Experiment e : cfg.experiments()) {
            String id = "config-runner:" + e.name();
            Path r = e.runnerPath();
            if (r == null) {
                checks.fail(id, "experiment " + e.name() + ": no runner_path", "set experiments[].runner_path, e.g. executorch/cmake-out/host-sme2-on/executor_runner");
                continue;
            }
            Matcher m = layout.matcher(r.toString().replace('\\', '/'));
            String variant = m.matches() ? m.group(1) : null;
            if (Files.exists(r)) { // a fix names a BuildRunners variant, never the experiment's name
                reportRunner(id, variant != null ? variant : Kit.Pipeline.variant(e, cfg.raw().has("device") ? "android-arm64" : "host"), r);
            } else {
                String fix = variant != null && (HOST_VARIANTS.contains(variant) || ANDROID_VARIANTS.contains(variant))
                        ? buildCommand(List.of(variant))
                        : "build it, or correct experiments[].runner_path in " + cfg.file();
                checks.fail(id, "experiment " + e.name() + ": runner " + r + " not found", fix);
            }
        }
    }

    private void checkHostSme2() {
        if (mac()) {
            Path sysctl = tool(which("sysctl"), "sysctl");
            if (sysctl == null) sysctl = Files.isExecutable(Path.of("/usr/sbin/sysctl")) ? Path.of("/usr/sbin/sysctl") : null;
            if (sysctl == null) {
                checks.warn("host-sme2", "cannot tell whether this Mac has SME2 (sysctl not found)", "check `sysctl hw.optional.arm.FEAT_SME2`");
                return;
            }
            Kit.Result r = probe(sysctl, "-n", "hw.optional.arm.FEAT_SME2");
            if (dryRun) return;
            if (r.ok() && firstLine(r.output()).equals("1")) checks.ok("host-sme2", "host CPU supports SME2 (hw.optional.arm.FEAT_SME2 = 1)");
            else checks.warn("host-sme2", "host CPU has no SME2 (hw.optional.arm.FEAT_SME2 " + (r.ok() ? "= " + firstLine(r.output()) : "absent")
                    + "): the SME2-on runner will use NEON kernels, so on/off will not differ", noSme2Fix());
            return;
        }
        String file = env("SME2_CPUINFO") != null ? env("SME2_CPUINFO") : "/proc/cpuinfo";
        String cpuinfo;
        try {
            cpuinfo = Files.readString(Path.of(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            checks.warn("host-sme2", "cannot read " + file + " to look for SME2: " + e.getMessage(), "check that " + file + " exists");
            return;
        }
        Boolean sme2 = cpuinfoHasSme2(cpuinfo);
        if (Boolean.TRUE.equals(sme2)) {
            checks.ok("host-sme2", "host CPU supports SME2 (sme2 in the Features of " + file + ")");
            return;
        }
        String arch = "";
        Path uname = which("uname");
        if (uname != null) {
            Kit.Result r = probe(uname, "-m");
            if (r.ok()) arch = firstLine(r.output());
        }
        if (sme2 == null && (arch.equals("x86_64") || arch.equals("amd64") || arch.startsWith("i686"))) {
            checks.warn("host-sme2", "this host is x86-64 (" + arch + "): no Arm kernel exists here, SME2 or NEON; XNNPACK runs x86 kernels (AVX-512, AVX2…), "
                    + "so the SME2-on and SME2-off runners run the same code", noSme2Fix());
            return;
        }
        checks.warn("host-sme2", (sme2 == null ? "host CPU has no Arm Features line in " + file : "host CPU has no SME2 (no sme2 in the Features of " + file + ")")
                + (arch.isEmpty() ? "" : "; host arch " + arch) + ": the SME2-on runner will use NEON kernels, so on/off will not differ", noSme2Fix());
    }

    private static String noSme2Fix() {
        return "profile on SME2 hardware: an Apple M4 (or newer) Mac, or an SME2 Android device (--stage android)";
    }

    /** True when a Features line lists sme2, false when Features lines exist without it, null when there are none (not Arm). */
    static Boolean cpuinfoHasSme2(String cpuinfo) {
        boolean anyFeatures = false;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("Features")) continue;
            anyFeatures = true;
            for (String f : line.substring(colon + 1).trim().split("\\s+")) if (f.equals("sme2")) return true;
        }
        return anyFeatures ? false : null;
    }

    // ---------------------------------------------------------------- android stage

    record AdbDevice(String serial, String state) {}

    static List<AdbDevice> parseAdbDevices(String out) {
        List<AdbDevice> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("*") || t.startsWith("List of devices")) continue;
            String[] parts = t.split("\\s+");
            if (parts.length >= 2) list.add(new AdbDevice(parts[0], parts[1]));
        }
        return list;
    }

    private void checkAdb(Kit.Config cfg) {
        Path adb = tool(which("adb"), "adb");
        if (adb == null) {
            checks.fail("adb", "adb not found on PATH",
                    "install the Android platform-tools (macOS: `brew install --cask android-platform-tools`; or the SDK's platform-tools) and add them to PATH");
            checks.skip("android-device", "no adb to list devices");
            return;
        }
        Kit.Result v = probe(adb, "version");
        if (!dryRun) {
            if (v.ok()) checks.ok("adb", firstLine(v.output()) + " (" + adb + ")");
            else checks.fail("adb", "adb at " + adb + " does not run (" + why(v) + ")", "reinstall the Android platform-tools");
        }
        Kit.Result r = probe(adb, "devices");
        if (dryRun || !r.ok()) {
            if (!dryRun) checks.fail("android-device", "`adb devices` failed (" + why(r) + ")", "restart the adb server: adb kill-server && adb start-server");
            return;
        }
        String wanted = cfg != null && cfg.device() != null && cfg.device().serial() != null ? cfg.device().serial() : env("ANDROID_SERIAL");
        List<AdbDevice> devices = parseAdbDevices(r.output());
        String connectFix = "connect a device with USB debugging on (Settings > Developer options), or `adb connect HOST:PORT`; then check `adb devices`";
        if (devices.isEmpty()) {
            checks.fail("android-device", "no Android device connected (`adb devices` lists none)", connectFix);
            return;
        }
        AdbDevice chosen;
        if (wanted != null) {
            chosen = devices.stream().filter(d -> d.serial().equals(wanted)).findFirst().orElse(null);
            if (chosen == null) {
                checks.fail("android-device", "device " + wanted + " is not connected (connected: "
                        + String.join(", ", devices.stream().map(d -> d.serial() + " " + d.state()).toList()) + ")", connectFix);
                return;
            }
        } else {
            List<AdbDevice> online = devices.stream().filter(d -> d.state().equals("device")).toList();
            if (online.size() > 1) {
                checks.warn("android-device", "several devices online (" + String.join(", ", online.stream().map(AdbDevice::serial).toList())
                        + "): the pipeline needs to know which one", "set device.serial in the config or export ANDROID_SERIAL=<serial>");
                return;
            }
            chosen = online.isEmpty() ? devices.get(0) : online.get(0);
        }
        switch (chosen.state()) {
            case "device" -> checks.ok("android-device", "device " + chosen.serial() + " online");
            case "unauthorized" -> {
                checks.fail("android-device", "device " + chosen.serial() + " is unauthorized",
                        "unlock the device and accept the 'Allow USB debugging' prompt, then run this again");
                return;
            }
            default -> {
                checks.fail("android-device", "device " + chosen.serial() + " is " + chosen.state(), "reconnect it: `adb reconnect` or replug the cable");
                return;
            }
        }
        Kit.Result cpu = probe(adb, "-s", chosen.serial(), "shell", "cat /proc/cpuinfo");
        if (!cpu.ok()) {
            checks.warn("device-sme2", "cannot read /proc/cpuinfo on " + chosen.serial() + " (" + why(cpu) + ")", "check `adb -s " + chosen.serial() + " shell cat /proc/cpuinfo`");
            return;
        }
        Boolean sme2 = cpuinfoHasSme2(cpu.output());
        if (Boolean.TRUE.equals(sme2)) checks.ok("device-sme2", "device " + chosen.serial() + " supports SME2 (sme2 in its /proc/cpuinfo Features)");
        else checks.warn("device-sme2", "device " + chosen.serial() + " has no SME2 (" + (sme2 == null ? "no Features line" : "no sme2 in the Features")
                + " of its /proc/cpuinfo): the SME2-on runner will use NEON kernels there", "use a device whose CPU has SME2 (Armv9.2 with FEAT_SME2)");
    }

    private void checkNdk() {
        String var = null, value = null;
        for (String name : List.of("ANDROID_NDK", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")) {
            if (env(name) != null) {
                var = name;
                value = env(name);
                break;
            }
        }
        String fix = "install NDK r" + limits.ndkMin() + " or newer (Android Studio SDK Manager, or `sdkmanager \"ndk;27.2.12479018\"`) and export ANDROID_NDK=<its folder>";
        if (value == null) {
            checks.fail("android-ndk", "ANDROID_NDK is not set (nor ANDROID_NDK_HOME or ANDROID_NDK_ROOT)", fix);
            return;
        }
        Path ndk = Path.of(value);
        Path props = ndk.resolve("source.properties");
        if (!Files.isRegularFile(props)) {
            checks.fail("android-ndk", var + "=" + value + " is not an NDK (no source.properties there)", fix);
            return;
        }
        String text;
        try {
            text = Files.readString(props, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            checks.fail("android-ndk", "cannot read " + props + ": " + e.getMessage(), fix);
            return;
        }
        Matcher m = Pattern.compile("(?m)^\\s*Pkg\\.Revision\\s*=\\s*(\\d+)\\.(\\d+)\\.(\\d+)").matcher(text);
        if (!m.find()) {
            checks.fail("android-ndk", props + " has no Pkg.Revision line", fix);
            return;
        }
        int major = Integer.parseInt(m.group(1));
        String rev = m.group(1) + "." + m.group(2) + "." + m.group(3);
        String what = "Android NDK r" + major + " (" + rev + ") at " + ndk;
        if (major < limits.ndkMin()) {
            checks.fail("android-ndk", what + " is too old: SME2 kernels need NDK r" + limits.ndkMin() + " or newer (clang 18+)", fix);
            return;
        }
        if (!Files.isRegularFile(ndk.resolve("build/cmake/android.toolchain.cmake")))
            checks.fail("android-ndk", what + " has no build/cmake/android.toolchain.cmake", "reinstall the NDK; " + fix);
        else checks.ok("android-ndk", what);
    }
}
