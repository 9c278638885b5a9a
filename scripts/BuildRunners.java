///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION Builds executor_runner variants (SME2 on/off, kernel-logging, Android) with cmake + ninja; records build.json with the SME2 kernel evidence.

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

@Command(name = "BuildRunners", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Builds ExecuTorch's executor_runner with cmake + ninja, one build folder",
                "per variant, executorch/cmake-out/<variant>/:",
                "  host-sme2-on, host-sme2-off      the SME2 on/off pair for this computer",
                "  host-sme2-on-xnnlog, host-sme2-off-xnnlog",
                "                                   the same pair with XNNPACK's kernel log",
                "  android-arm64-sme2-on, android-arm64-sme2-off (and -xnnlog)",
                "                                   the same four for Android (ANDROID_NDK)",
                "Default: the four host variants, and the Android four when ANDROID_NDK",
                "(else ANDROID_NDK_HOME, else ANDROID_NDK_ROOT) is set.",
                "",
                "Every flag is on the cmake command line; nothing in the ExecuTorch checkout",
                "is changed. The runners of a pair differ only in -DXNNPACK_ENABLE_ARM_SME2",
                "and -DXNNPACK_ENABLE_ARM_SME. All variants: Release (CMake's -O3; with GCC",
                "ExecuTorch also strips the binary with -s), XNNPACK with KleidiAI (on arm64",
                "XNNPACK downloads KleidiAI while configuring: offline, pass",
                "--cmake-arg -DKLEIDIAI_SOURCE_DIR=DIR), devtools + event tracer (ETDump),",
                "logging, optimized and quantized kernels,",
                "-DPYTHON_EXECUTABLE=<workspace>/.venv/bin/python. The kernel log is",
                "compiled in (-DXNN_LOG_LEVEL=5 in CMAKE_C/CXX_FLAGS, which come after",
                "XNNPACK's own XNN_LOG_LEVEL=0; build.json records the level each XNNPACK",
                "file really gets, from build.ninja); XNNPACK reads no environment variable",
                "for it. ccache is used when it is installed.",
                "",
                "Checks first, before anything is configured: the submodules these options",
                "read are filled (XNNPACK, cpuinfo, pthreadpool, FXdiv, flatbuffers, flatcc,",
                "gflags, json, eigen, pocketfft); the workspace Python's torch is the pinned",
                "one (the optimized kernels compile against its headers); cmake 3.24+ and",
                "ninja; the compiler (on Arm clang 18+, or XNNPACK silently leaves the SME2",
                "kernels out; on x86-64 no Arm kernel exists at all); NDK r27+; free disk.",
                "A failure names the first error of the log (file and line), a fix for that",
                "cause, and keeps every attempt's log (logs/build-<variant>-<time>-*.log).",
                "After each build, build.json beside the runner records the variant, every",
                "cmake flag (--cmake-arg ones also under extra_cmake_args), the compiler,",
                "the ExecuTorch SHA and dirty flag, durations, the host and the evidence:",
                "sme2_symbol_count, the number of XNNPACK __neonsme2 microkernels in the",
                "binary (nm, else a scan of its bytes): more than 0 expected for -sme2-on on",
                "Arm, 0 for -sme2-off; null with sme2_evidence \"unknown: binary stripped\"",
                "when the symbols are gone (GCC Release); on x86-64 none can exist."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/BuildRunners.java",
                "  jbang scripts/BuildRunners.java --variants host-sme2-on,host-sme2-off",
                "  ANDROID_NDK=~/Library/Android/sdk/ndk/27.2.12479018 jbang scripts/BuildRunners.java --variants android-arm64-sme2-on",
                "  jbang scripts/BuildRunners.java --clean --variants host-sme2-on",
                "  jbang scripts/BuildRunners.java --variants host-sme2-on,host-sme2-off --cmake-arg -DKLEIDIAI_SOURCE_DIR=$HOME/kleidiai",
                "  jbang scripts/BuildRunners.java --cmake-arg host-sme2-on-xnnlog:-DCMAKE_VERBOSE_MAKEFILE=ON",
                "  jbang scripts/BuildRunners.java --dry-run"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every variant was built", "1:a check or a build failed (the log and the fix are printed)", "2:bad input or usage"})
public class BuildRunners implements Callable<Integer> {
    static final List<String> HOST_VARIANTS = List.of("host-sme2-on", "host-sme2-off", "host-sme2-on-xnnlog", "host-sme2-off-xnnlog");
    static final List<String> ANDROID_VARIANTS = List.of("android-arm64-sme2-on", "android-arm64-sme2-off", "android-arm64-sme2-on-xnnlog",
            "android-arm64-sme2-off-xnnlog");
    /** XNNPACK's log level as a compiler flag: CMake puts CMAKE_C/CXX_FLAGS after XNNPACK's own XNN_LOG_LEVEL=0 define, so 5 wins (checked in build.ninja). */
    static final String XNNLOG_FLAGS = "-DXNN_LOG_LEVEL=5", SME2_MARK = "__neonsme2";
    /** What build.json says when the symbols that would show the SME2 kernels are gone. */
    static final String STRIPPED = "unknown: binary stripped";
    /** Not in configs/versions.json: XNNPACK's own guard for GCC. The other minimums come from Kit.Versions. */
    static final int GCC_MIN = 10;
    static final String ANDROID_PLATFORM = "android-28";
    /** Where the NDK is looked for, in this order (as ValidateSetup and AndroidPipeline do). */
    static final List<String> NDK_VARS = List.of("ANDROID_NDK", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT");
    static final long GB = 1024L * 1024 * 1024;

    private final Kit.Io io;
    private final Map<String, String> env;

    BuildRunners(Kit.Io io) { this(io, System.getenv()); }

    BuildRunners(Kit.Io io, Map<String, String> env) {
        this.io = io;
        this.env = env;
    }

    @Option(names = "--variants", split = ",", paramLabel = "VARIANT", description = "variants to build (comma-separated or repeated; default: see above)")
    List<String> variants = new ArrayList<>();

    @Option(names = "--jobs", paramLabel = "N", description = "parallel compile jobs (default: the number of CPUs)")
    Integer jobs;

    @Option(names = "--clean", description = "delete each variant's build folder before configuring it")
    boolean clean;

    @Option(names = "--build-type", paramLabel = "TYPE", description = "CMAKE_BUILD_TYPE: Release (default) or RelWithDebInfo")
    String buildType = "Release";

    @Option(names = "--workspace", paramLabel = "DIR", description = "the workspace holding executorch/ and .venv/ (default: $SME2_WORKSPACE or the nearest such folder upwards)")
    Path workspace;

    @Option(names = "--cmake-arg", paramLabel = "[VARIANT:]-DNAME=VALUE", description = "an extra cmake definition for every variant, or for one "
            + "with VARIANT: before it (repeatable); recorded in build.json; the two runners of a pair must still differ only in the SME flags")
    List<String> cmakeArgs = new ArrayList<>();

    @Option(names = "--json", description = "print the result (variants, runners, SME2 symbol counts) as JSON on stdout")
    boolean json;

    @Option(names = "--dry-run", description = "print the cmake commands it would run (the checks still run, and only warn); build nothing")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) { return run(System.getenv(), out, err, args); }

    /** Entry point for tests with their own environment (PATH with fake tools first, ANDROID_NDK, CC). */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new BuildRunners(io, env), args);
    }

    // ---------------------------------------------------------------- data

    /** A variant name taken apart: target (host or android-arm64), SME2 on or off, kernel logging or not. */
    record Variant(String name, boolean android, boolean sme2, boolean xnnlog) {
        static Variant of(String name) {
            return new Variant(name, name.startsWith("android-"), name.contains("-sme2-on"), name.endsWith("-xnnlog"));
        }
    }

    /** A compiler as it reports itself: id Clang, AppleClang or GNU, and its version. */
    record Compiler(String id, int[] version, String path, String firstLine) {
        String describe() { return (id.equals("AppleClang") ? "Apple clang " : id.equals("GNU") ? "gcc " : "clang ") + dotted(version); }
    }

    /** The SME2 evidence in a binary: distinct XNNPACK __neonsme2 microkernel symbols (null: cannot be known), and how they were counted. */
    record Sme2Evidence(Integer count, String method, List<String> sample) {
        boolean stripped() { return method.contains("stripped"); }
    }

    /** One extra cmake definition: for every variant (variant null) or for one. */
    record ExtraArg(String variant, String name, String value) {
        String arg() { return name + "=" + value; }
    }

    /** One built (or planned) variant. */
    record Built(String variant, String status, String runner, String buildJson, Integer sme2SymbolCount, double seconds) {}

    // ---------------------------------------------------------------- state

    private Kit.Workspace ws;
    /** The version minimums: configs/versions.json (workspace, then current folder), else the built-in defaults. */
    private Kit.Versions versions = Kit.Versions.DEFAULTS;
    private Path ndk, cmake, ninja, ccache, logs;
    private String ndkVar = "ANDROID_NDK";
    /** Facts shared by every variant's build.json, read once: the host, and the ref workspace.json records. */
    private Map<String, Object> hostFacts;
    private String ref;
    private boolean armHost, macHost;
    /** uname -m of this host (x86_64, aarch64…), for build.json's target_arch. */
    private String hostMachine = System.getProperty("os.arch");
    /** The kernel-log variant's XNN_LOG_LEVEL as build.ninja gives it to XNNPACK's files, for build.json (null for other variants). */
    private Map<String, Object> logLevel;
    private String sha;
    private boolean dirty;
    private final Map<String, String> toolVersions = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private List<ExtraArg> extras = List.of();
    /** The failed checks of a real run: message, fix. */
    private final List<List<String>> problems = new ArrayList<>();
    /** The current variant's attempt (log names), and its logs. */
    private String attemptStem;
    private Path configureLog, buildLog;
    /** The torch the workspace Python finds (its headers build the optimized kernels), for build.json. */
    private Kit.Prereqs.Torch torch;

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        ws = Kit.Workspace.locate(workspace);
        versions = Kit.Versions.load(ws.root());
        logs = ws.root().resolve("logs");
        for (String name : NDK_VARS) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                ndkVar = name;
                ndk = Path.of(value).toAbsolutePath();
                break;
            }
        }
        List<Variant> todo = selected();
        if (jobs != null && jobs < 1) throw Kit.UserError.badInput("--jobs " + jobs + ": must be 1 or more", "e.g. --jobs 4");
        if (!List.of("Release", "RelWithDebInfo").contains(buildType))
            throw Kit.UserError.badInput("--build-type " + buildType + ": use Release or RelWithDebInfo", "leave it out for Release");
        List<ExtraArg> extras = extraArgs(todo);
        checkPairs(todo);
        io.step("BuildRunners: " + String.join(", ", todo.stream().map(Variant::name).toList()) + " (workspace " + ws.root() + ")");

        checks(todo);
        if (!dryRun) {
            hostFacts = Kit.hostFacts();
            ref = workspaceRef();
        }
        List<Built> built = new ArrayList<>();
        for (Variant v : todo) built.add(build(v));
        if (json) io.data(Kit.ordered("dry_run", dryRun, "workspace", ws.root().toString(), "variants", built, "warnings", warnings,
                "commands", dryRun ? io.plannedCommands : null));
        if (dryRun) io.err.println("dry run: nothing was built");
        else {
            io.ok("built " + built.size() + " runner(s): " + String.join(", ", built.stream().map(b -> b.variant() + " (SME2 kernels: "
                    + (b.sme2SymbolCount() == null ? "unknown, stripped" : !armHost && !b.variant().startsWith("android-") ? "none, x86-64" : b.sme2SymbolCount()) + ")").toList()));
            io.info("next: jbang scripts/ExportModel.java --model toy_cnn --dtype fp16");
        }
        return Kit.OK;
    }

    /** --cmake-arg values: [VARIANT:]-DNAME=VALUE, for variants being built, never the SME flags (the one variable of a pair). */
    private List<ExtraArg> extraArgs(List<Variant> todo) {
        List<ExtraArg> out = new ArrayList<>();
        Pattern p = Pattern.compile("(?:([a-z0-9-]+):)?(-D[A-Za-z_][A-Za-z0-9_]*(?::[A-Z]+)?)=(.*)", Pattern.DOTALL);
        for (String a : cmakeArgs) {
            Matcher m = p.matcher(a);
            if (!m.matches() || m.group(3).contains("\n"))
                throw Kit.UserError.badInput("--cmake-arg " + a + ": expected -DNAME=VALUE, or VARIANT:-DNAME=VALUE for one variant",
                        "e.g. --cmake-arg -DKLEIDIAI_SOURCE_DIR=/path/to/kleidiai or --cmake-arg host-sme2-on:-DCMAKE_VERBOSE_MAKEFILE=ON");
            String variant = m.group(1), name = m.group(2).replaceFirst(":[A-Z]+$", "");
            if (variant != null && todo.stream().noneMatch(v -> v.name().equals(variant)))
                throw Kit.UserError.badInput("--cmake-arg " + a + ": " + variant + " is not among the variants being built", "use one of: "
                        + String.join(", ", todo.stream().map(Variant::name).toList()));
            if (name.equals("-DXNNPACK_ENABLE_ARM_SME2") || name.equals("-DXNNPACK_ENABLE_ARM_SME"))
                throw Kit.UserError.badInput("--cmake-arg " + a + ": the SME flags are what the -sme2-on and -sme2-off variants set",
                        "choose the variant instead (e.g. --variants host-sme2-off)");
            if (name.equals("-DCMAKE_BUILD_TYPE")) // else build.json's build_type would say Release for another build
                throw Kit.UserError.badInput("--cmake-arg " + a + ": the build type is set with --build-type (build.json records it)",
                        "use --build-type Release or --build-type RelWithDebInfo");
            out.add(new ExtraArg(variant, m.group(2), m.group(3)));
        }
        extras = out;
        return out;
    }

    /** The one-variable rule: the two runners of a pair (both being built) differ in the SME flags only, extra arguments included. */
    private void checkPairs(List<Variant> todo) {
        for (Variant on : todo) {
            if (!on.sme2()) continue;
            Variant off = todo.stream().filter(v -> v.name().equals(on.name().replace("-sme2-on", "-sme2-off"))).findFirst().orElse(null);
            if (off == null) continue;
            List<String> differ = pairDifference(extraFlags(on), extraFlags(off));
            if (!differ.isEmpty())
                throw Kit.UserError.badInput("--cmake-arg: " + on.name() + " and " + off.name() + " would differ in " + String.join(", ", differ)
                        + " as well as the SME flags, so a difference in their timings could not be put down to SME2",
                        "give the pair the same extra arguments (leave out the VARIANT: prefix), or build the two in separate runs on purpose");
        }
    }

    /** The extra arguments of one variant, as NAME -> VALUE (a later one wins, as on a cmake command line). */
    private Map<String, String> extraFlags(Variant v) {
        Map<String, String> m = new LinkedHashMap<>();
        for (ExtraArg e : extras) if (e.variant() == null || e.variant().equals(v.name())) m.put(e.name(), e.value());
        return m;
    }

    /** The flag names whose values differ between two flag maps, "NAME (a vs b)". */
    static List<String> pairDifference(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys)
            if (!java.util.Objects.equals(a.get(k), b.get(k))) out.add(k + " (" + (a.get(k) == null ? "unset" : a.get(k)) + " vs " + (b.get(k) == null ? "unset" : b.get(k)) + ")");
        return out;
    }

    private List<Variant> selected() {
        List<String> names = new ArrayList<>();
        for (String v : variants) if (!v.isBlank() && !names.contains(v.trim())) names.add(v.trim());
        if (names.isEmpty()) {
            names.addAll(HOST_VARIANTS);
            if (ndk != null) names.addAll(ANDROID_VARIANTS);
        }
        List<String> known = new ArrayList<>(HOST_VARIANTS);
        known.addAll(ANDROID_VARIANTS);
        for (String n : names) {
            if (!known.contains(n)) throw Kit.UserError.badInput("--variants " + n + ": unknown variant; " + closest(n, known),
                    "use one of: " + String.join(", ", known));
            if (n.startsWith("android-") && ndk == null)
                throw Kit.UserError.failed(n + " needs the Android NDK, but ANDROID_NDK is not set (nor ANDROID_NDK_HOME or ANDROID_NDK_ROOT)",
                        "install NDK r" + versions.ndkMin() + "+ (Android Studio > SDK Manager, or sdkmanager \"ndk;27.2.12479018\") and export ANDROID_NDK=<its folder>");
        }
        return names.stream().map(Variant::of).toList();
    }

    // ---------------------------------------------------------------- checks

    private void checks(List<Variant> todo) {
        io.step("[check] checkout, tools, compiler" + (todo.stream().anyMatch(Variant::android) ? ", NDK" : "") + ", disk");
        if (!Files.isRegularFile(ws.executorch().resolve("CMakeLists.txt")))
            problem("no ExecuTorch checkout at " + ws.executorch(), "create the workspace first: jbang scripts/SetupRepo.java --workspace " + Kit.shq(ws.root().toString()));
        if (!Files.isExecutable(ws.python()))
            problem("no Python environment at " + ws.venv() + " (ExecuTorch's build runs its code generators with it)",
                    "create the workspace first: jbang scripts/SetupRepo.java --workspace " + Kit.shq(ws.root().toString()));
        macHost = Kit.isMac();
        armHost = hostIsArm();
        Path venvBin = ws.venv().resolve("bin");
        cmake = firstExecutable(venvBin.resolve("cmake"), Kit.which(env, "cmake"));
        ninja = firstExecutable(venvBin.resolve("ninja"), Kit.which(env, "ninja"));
        ccache = Kit.which(env, "ccache");
        checkSubmodules();
        checkCmake();
        checkNinja();
        if (todo.stream().anyMatch(v -> !v.android())) checkHostCompiler();
        checkTorch();
        if (todo.stream().anyMatch(Variant::android)) checkNdk();
        checkDisk(todo.size());
        stopOnProblems();
        if (ccache != null) io.ok("ccache found: " + ccache + " (rebuilds reuse compiled objects)");
        Kit.Result head = probe(ws.executorch(), "git", "rev-parse", "HEAD");
        sha = head.ok() ? head.output().trim() : null;
        Kit.Result st = probe(ws.executorch(), "git", "status", "--porcelain", "--untracked-files=no");
        dirty = st.ok() && !st.output().isBlank();
        if (dirty) warn("the ExecuTorch checkout has local changes; build.json records dirty=true");
    }

    /** The submodules ExecuTorch's configure and build read for these options; ExecuTorch's installer does not check eigen, pocketfft or json. */
    private void checkSubmodules() {
        if (!Files.isRegularFile(ws.executorch().resolve("CMakeLists.txt"))) return;
        List<String> empty = Kit.Prereqs.emptySubmodules(ws.executorch());
        if (empty.isEmpty()) {
            io.ok("submodules: the " + Kit.Prereqs.SUBMODULES.size() + " the runner needs are filled");
            return;
        }
        problem("ExecuTorch submodule" + (empty.size() == 1 ? " " : "s ") + String.join(", ", empty) + (empty.size() == 1 ? " is" : " are")
                        + " empty (no " + String.join(", ", empty.stream().map(d -> d + "/" + Kit.Prereqs.SUBMODULES.get(d)).limit(2).toList())
                        + (empty.size() > 2 ? ", …" : "") + "): configuring or building would fail",
                Kit.Prereqs.submoduleFix(ws.executorch(), empty));
    }

    /** The workspace Python's torch: ExecuTorch's CMake takes the optimized kernels' torch headers from it (find_spec('torch')). */
    private void checkTorch() {
        if (!Files.isExecutable(ws.python())) return;
        torch = Kit.Prereqs.torch(probe(ws.root(), ws.python().toString(), "-c", Kit.Prereqs.TORCH_PROBE));
        String pinned = versions.torch();
        toolVersions.put("torch", torch.version());
        if (torch.error() != null)
            problem(ws.python() + " could not report its torch (" + torch.error() + ")", Kit.Prereqs.torchFix(ws.python(), pinned));
        else if (torch.path() == null)
            problem("the workspace Python (" + ws.python() + ") has no torch: ExecuTorch's CMake takes the optimized kernels' headers from it"
                    + " (find_spec('torch')) and stops", Kit.Prereqs.torchFix(ws.python(), pinned));
        else if (!torch.matches(pinned))
            problem("torch " + torch.version() + " at " + torch.path() + " is not the pinned " + pinned + " (" + versions.source()
                    + "): the optimized kernels compile against its headers, and other headers break the build (e.g. 'C10_DIAGNOSTIC_POP' was not declared)",
                    Kit.Prereqs.torchFix(ws.python(), pinned));
        else io.ok("torch " + torch.version() + " (" + torch.path() + "): the pinned one, whose headers the optimized kernels use");
    }

    private boolean hostIsArm() {
        if (macHost) {
            Kit.Result r = probe(ws.root(), "sysctl", "-n", "hw.optional.arm64");
            if (r.ok()) return r.output().trim().equals("1");
        }
        Kit.Result r = probe(ws.root(), "uname", "-m");
        String m = r.ok() ? r.output().trim() : System.getProperty("os.arch");
        hostMachine = m.equals("amd64") ? "x86_64" : m;
        return m.equals("aarch64") || m.equals("arm64");
    }

    private void checkCmake() {
        if (cmake == null) {
            problem("cmake not found (neither in .venv/bin nor on PATH)", "run SetupRepo (its installer puts cmake into .venv), or install cmake " + Kit.Versions.minor(versions.cmakeMin()) + "+ (brew install cmake / apt install cmake)");
            return;
        }
        Kit.Result r = probe(ws.root(), cmake.toString(), "--version");
        int[] v = Kit.version(r.output().lines().findFirst().orElse(""));
        toolVersions.put("cmake", v == null ? null : dotted(v));
        if (v == null) problem(cmake + " --version did not answer (" + r.why() + ")", "reinstall cmake " + Kit.Versions.minor(versions.cmakeMin()) + "+");
        else if (Kit.compare(v, versions.cmakeMin()) < 0) {
            String min = Kit.Versions.minor(versions.cmakeMin());
            problem("cmake " + dotted(v) + " (" + cmake + ") is older than " + min + ", which ExecuTorch needs", "install cmake " + min + "+ (brew install cmake / pip install 'cmake<4')");
        }
        else if (v[0] >= 4) warn("cmake " + dotted(v) + " (" + cmake + "): ExecuTorch pins cmake < 4; if configuring fails with \"Compatibility with CMake < 3.5 has been removed\", use the venv's cmake (run SetupRepo)");
        else io.ok("cmake " + dotted(v) + " (" + cmake + ")");
    }

    private void checkNinja() {
        if (ninja == null) {
            problem("ninja not found on PATH", "install ninja (brew install ninja / apt install ninja-build / pip install ninja in .venv)");
            return;
        }
        Kit.Result r = probe(ws.root(), ninja.toString(), "--version");
        toolVersions.put("ninja", r.ok() ? r.output().trim() : null);
        if (!r.ok()) problem(ninja + " --version failed (" + r.why() + ")", "reinstall ninja");
        else io.ok("ninja " + r.output().trim() + " (" + ninja + ")");
    }

    private void checkHostCompiler() {
        String cc = env.getOrDefault("CC", "").isBlank() ? "cc" : env.get("CC");
        Path exe = Kit.which(env, cc);
        String fix = macHost ? "install the Xcode command line tools (xcode-select --install)" : "install clang " + versions.clangMin() + "+ (Ubuntu: sudo apt install clang-" + versions.clangMin()
                + ") and export CC=clang-" + versions.clangMin() + " CXX=clang++-" + versions.clangMin();
        if (exe == null) {
            problem("no C compiler: " + cc + " is not on PATH", fix);
            return;
        }
        Compiler c = parseCompiler(probe(ws.root(), exe.toString(), "--version").output(), exe.toString());
        if (c == null) {
            problem(cc + " --version did not say which compiler it is", fix);
            return;
        }
        toolVersions.put("compiler", c.describe());
        if (!armHost) {
            warn("this host is not Arm (x86-64): XNNPACK builds no Arm kernels here, so host-sme2-on and host-sme2-off differ in their flags only"
                    + " and both hold 0 SME2 kernels; SME2 needs an Arm host (Apple M4 or newer) or the android-arm64 variants");
            io.ok(c.describe() + " (" + exe + ")");
            return;
        }
        String tooOld = sme2CompilerProblem(c, versions.clangMin());
        if (tooOld != null) problem(c.describe() + " (" + exe + ") is " + tooOld, fix + "; then build again with --clean");
        else if (c.id().equals("GNU")) warn(c.describe() + " (" + exe + "): the SME2 kernels are built and tested with clang " + versions.clangMin() + "+; prefer CC=clang CXX=clang++");
        else if (c.id().equals("AppleClang") && c.version()[0] < versions.appleClangMin()) warn(c.describe() + " (" + exe + ") is older than Apple clang " + versions.appleClangMin() + "; update Xcode if the SME2 kernels fail to compile");
        else io.ok(c.describe() + " (" + exe + "): builds the SME2 kernels");
    }

    /** Why this compiler builds no SME2 kernels for an Arm target (XNNPACK's guard: Clang < clangMin, i.e. 18; GCC < 10), or null. */
    static String sme2CompilerProblem(Compiler c, int clangMin) {
        if (c.id().equals("Clang") && c.version()[0] < clangMin)
            return "older than clang " + clangMin + ": XNNPACK silently leaves the SME2 kernels out (its CMakeLists turns XNNPACK_ENABLE_ARM_SME2 off for Clang < "
                    + clangMin + ")";
        if (c.id().equals("GNU") && c.version()[0] < GCC_MIN)
            return "older than gcc " + GCC_MIN + ": XNNPACK silently leaves the SME2 kernels out (its CMakeLists turns them off for GCC < " + GCC_MIN + ")";
        return null;
    }

    private void checkNdk() {
        String fix = "install NDK r" + versions.ndkMin() + " or newer (Android Studio > SDK Manager, or sdkmanager \"ndk;27.2.12479018\") and export ANDROID_NDK=<its folder>";
        Path props = ndk.resolve("source.properties");
        String text;
        try {
            text = Files.readString(props);
        } catch (IOException e) {
            problem(ndkVar + "=" + ndk + " is not an NDK (no readable source.properties)", fix);
            return;
        }
        Matcher m = Pattern.compile("(?m)^\\s*Pkg\\.Revision\\s*=[ \\t]*(\\S*)").matcher(text);
        if (!m.find()) {
            problem(props + " has no Pkg.Revision line", fix);
            return;
        }
        String rev = m.group(1);
        Matcher num = Pattern.compile("^(\\d{1,6})(?:\\.\\d+)*(?:[-_.+]\\S*)?$").matcher(rev);
        if (!num.matches()) {
            problem(props + ": Pkg.Revision \"" + rev + "\" is not a version number (expected e.g. 27.2.12479018)", "point " + ndkVar
                    + " at an NDK's root folder; " + fix);
            return;
        }
        int major = Integer.parseInt(num.group(1));
        toolVersions.put("ndk", rev);
        if (major < versions.ndkMin())
            problem("Android NDK r" + major + " (" + rev + ") at " + ndk + " ships clang " + (major == 26 ? "17" : "older than 18")
                    + ": XNNPACK silently leaves the SME2 kernels out; NDK r" + versions.ndkMin() + "+ (clang 18) is needed", fix);
        else if (!Files.isRegularFile(toolchainFile()))
            problem("no CMake toolchain file at " + toolchainFile(), "point " + ndkVar + " at the NDK's root folder");
        else io.ok("Android NDK r" + major + " (" + rev + ") at " + ndk);
    }

    private void checkDisk(int n) {
        try {
            long free = Files.getFileStore(Files.exists(ws.root()) ? ws.root() : Path.of("").toAbsolutePath()).getUsableSpace();
            double need = 1.5 * n;
            String what = String.format(Locale.ROOT, "%.1f GB free; about %.1f GB needed for %d build folder(s)", free / (double) GB, need, n);
            if (free < 2 * GB) problem(what, "free disk space, or build fewer variants (--variants host-sme2-on,host-sme2-off)");
            else if (free < need * GB) warn(what);
            else io.ok(what);
        } catch (IOException e) {
            warn("cannot read free disk space: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- build

    private Built build(Variant v) {
        long t0 = System.nanoTime();
        Path dir = ws.cmakeOut().resolve(v.name());
        io.step("[" + v.name() + "] " + (v.android() ? "Android arm64" : "host") + ", SME2 " + (v.sme2() ? "on" : "off") + (v.xnnlog() ? ", XNNPACK kernel log" : ""));
        if (clean && (Files.exists(dir) || dryRun)) {
            if (dryRun) {
                io.plannedCommands.add(List.of("rm", "-rf", dir.toString()));
                if (!json) io.out.println("rm -rf " + Kit.shq(dir.toString()));
            } else {
                try {
                    Kit.deleteTree(dir);
                } catch (IOException e) {
                    throw Kit.UserError.failed("cannot delete " + dir + ": " + e.getMessage(), "delete it yourself: rm -rf " + Kit.shq(dir.toString()));
                }
                io.ok("removed " + dir);
            }
        }
        Map<String, String> flags = flags(v);
        List<String> configure = new ArrayList<>(List.of("cmake", "-S", "executorch", "-B", "executorch/cmake-out/" + v.name(), "-G", "Ninja"));
        flags.forEach((k, val) -> configure.add(k + "=" + val));
        List<String> buildCmd = List.of("cmake", "--build", "executorch/cmake-out/" + v.name(), "--target", "executor_runner", "-j",
                String.valueOf(jobs != null ? jobs : Runtime.getRuntime().availableProcessors()));
        double tConf = run(v, "configure", configure);
        logLevel = null;
        if (v.xnnlog() && !dryRun) checkLogLevel(v, dir);
        Compiler detected = dryRun ? null : detectedCompiler(dir);
        if (!dryRun && (armHost || v.android()) && detected != null && sme2CompilerProblem(detected, versions.clangMin()) != null)
            throw Kit.UserError.failed(v.name() + ": CMake chose " + detected.describe() + " (" + detected.path() + "), " + sme2CompilerProblem(detected, versions.clangMin()),
                    v.android() ? "point " + ndkVar + " at NDK r" + versions.ndkMin() + "+ and build again with --clean"
                            : "export CC=clang-" + versions.clangMin() + " CXX=clang++-" + versions.clangMin() + " (or newer), then build again with --clean");
        double tBuild = run(v, "build", buildCmd);
        if (dryRun) return new Built(v.name(), "planned", dir.resolve("executor_runner").toString(), null, null, 0);

        Path runner = dir.resolve("executor_runner");
        if (!Files.isRegularFile(runner))
            throw Kit.UserError.failed(v.name() + ": the build finished but " + runner + " does not exist",
                    "read " + buildLog + "; then build again with --clean");
        String libcxx = v.android() ? copyLibcxx(dir) : null;
        Sme2Evidence ev = sme2Symbols(runner, nmFor(v), env);
        boolean arm = v.android() || armHost;
        boolean expectKernels = v.sme2() && arm;
        String verdict = sme2Verdict(arm, expectKernels, ev);
        if (ev.count() == null)
            warn(v.name() + ": " + runner + " is stripped (" + ev.method() + "), so its SME2 kernels cannot be counted: build.json says \"" + STRIPPED
                    + "\", not 0. " + (detected != null && detected.id().equals("GNU") ? "ExecuTorch strips GCC Release builds (-s); " : "")
                    + "build with clang (CC=clang CXX=clang++, --clean) to keep the symbols, or take the -xnnlog runner's kernel log as the evidence");
        else if (expectKernels && ev.count() == 0)
            warn(v.name() + ": no SME2 kernels in " + runner + " (" + ev.method() + "): the compiler left them out (clang < 18?) or the build folder"
                    + " kept old settings; build again with --clean");
        else if (!v.sme2() && ev.count() > 0)
            warn(v.name() + ": " + ev.count() + " SME2 kernels in an SME2-off build: the build folder kept old settings; build again with --clean");
        double total = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> flagMap = new LinkedHashMap<>(flags);
        Map<String, Object> doc = Kit.ordered("schema_version", 1, "tool", "BuildRunners", "variant", v.name(),
                "target", v.android() ? "android-arm64" : "host", "sme2", v.sme2(), "xnnlog", v.xnnlog(), "runner", runner.toString(),
                "build_type", buildType, "cmake_flags", flagMap, "configure_command", configure, "build_command", buildCmd,
                "compiler", detected == null ? null : Kit.ordered("id", detected.id(), "version", dotted(detected.version()), "path", detected.path()),
                "tools", toolVersions, "ccache", ccache != null,
                "executorch_sha", sha, "executorch", Kit.ordered("sha", sha, "dirty", dirty, "ref", ref),
                "duration_s", Kit.ordered("configure", Kit.round(tConf), "build", Kit.round(tBuild), "total", Kit.round(total)),
                "host", hostFacts, "built_at", Kit.utcNow(),
                "sme2_symbol_count", ev.count(), "sme2_symbol_method", ev.method(), "sme2_symbols_sample", ev.sample(),
                "sme2_expected", expectKernels ? "more than 0" : "0", "sme2_evidence", verdict, "target_arch", arm ? "arm64" : hostMachine,
                "extra_cmake_args", extraFlags(v).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(),
                "xnn_log_level", logLevel, "logs", Kit.ordered("configure", configureLog.toString(), "build", buildLog.toString()),
                "torch", torch == null ? null : Kit.ordered("version", torch.version(), "path", torch.path()), "libcxx_shared", libcxx);
        Path buildJson = dir.resolve("build.json");
        Kit.writeJson(buildJson, doc);
        io.ok(v.name() + ": " + runner + " in " + Kit.duration(total) + "; SME2 kernels: " + (ev.count() == null ? "unknown" : ev.count()) + " (" + ev.method() + ", " + verdict + ")");
        return new Built(v.name(), "built", runner.toString(), buildJson.toString(), ev.count(), Kit.round(total));
    }

    /** Every -D flag of a variant, in order. A pair (on/off) differs only in XNNPACK_ENABLE_ARM_SME2 and XNNPACK_ENABLE_ARM_SME. */
    Map<String, String> flags(Variant v) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("-DCMAKE_BUILD_TYPE", buildType);
        f.put("-DPYTHON_EXECUTABLE", ws.python().toString());
        for (String on : List.of("EXECUTORCH_BUILD_EXECUTOR_RUNNER", "EXECUTORCH_BUILD_EXTENSION_EVALUE_UTIL", "EXECUTORCH_BUILD_EXTENSION_RUNNER_UTIL",
                "EXECUTORCH_BUILD_DEVTOOLS", "EXECUTORCH_ENABLE_EVENT_TRACER", "EXECUTORCH_ENABLE_LOGGING", "EXECUTORCH_BUILD_XNNPACK",
                "EXECUTORCH_XNNPACK_ENABLE_KLEIDI", "EXECUTORCH_BUILD_KERNELS_OPTIMIZED", "EXECUTORCH_BUILD_KERNELS_QUANTIZED"))
            f.put("-D" + on, "ON");
        f.put("-DXNNPACK_ENABLE_ARM_SME2", v.sme2() ? "ON" : "OFF");
        f.put("-DXNNPACK_ENABLE_ARM_SME", v.sme2() ? "ON" : "OFF");
        if (v.xnnlog()) {
            f.put("-DCMAKE_C_FLAGS", XNNLOG_FLAGS);
            f.put("-DCMAKE_CXX_FLAGS", XNNLOG_FLAGS);
        }
        if (v.android()) {
            f.put("-DCMAKE_TOOLCHAIN_FILE", toolchainFile().toString());
            f.put("-DANDROID_ABI", "arm64-v8a");
            f.put("-DANDROID_PLATFORM", ANDROID_PLATFORM);
            f.put("-DANDROID_STL", "c++_shared");
        } else if (macHost && armHost) f.put("-DCMAKE_OSX_ARCHITECTURES", "arm64");
        if (ccache != null) {
            f.put("-DCMAKE_C_COMPILER_LAUNCHER", "ccache");
            f.put("-DCMAKE_CXX_COMPILER_LAUNCHER", "ccache");
        }
        // --cmake-arg last, as cmake reads them: they replace a built-in value; the kernel-log level stays at the end of the C/C++ flags
        // (also when typed, -DCMAKE_C_FLAGS:STRING=..., which cmake reads as the same variable)
        extraFlags(v).forEach((name, value) -> f.put(name, v.xnnlog() && List.of("-DCMAKE_C_FLAGS", "-DCMAKE_CXX_FLAGS").contains(name.replaceFirst(":[A-Z]+$", ""))
                ? (value + " " + XNNLOG_FLAGS).trim() : value));
        return f;
    }

    /** What the SME2 count means: as expected or not on Arm, unknown when stripped, and on x86-64 that no Arm kernel can exist. */
    static String sme2Verdict(boolean arm, boolean expectKernels, Sme2Evidence ev) {
        if (!arm) return "not applicable: an x86-64 build has no Arm kernels, SME2 or NEON";
        if (ev.count() == null) return STRIPPED;
        return expectKernels == (ev.count() > 0) ? "as expected" : "NOT as expected";
    }

    private static final Pattern LOG_LEVEL = Pattern.compile("-(?:DXNN_LOG_LEVEL=(\\d+)|UXNN_LOG_LEVEL)");

    /**
     * The XNN_LOG_LEVEL each XNNPACK object really gets, read from a configured build folder's build.ninja: its DEFINES (where
     * XNNPACK puts XNN_LOG_LEVEL=0 for non-Debug builds) and then its FLAGS (CMAKE_C/CXX_FLAGS), in the order CMake's Ninja rules
     * pass them ($DEFINES $INCLUDES $FLAGS), the last one winning as in the compiler. {source, objects, levels, effective}.
     */
    static Map<String, Object> xnnLogLevel(Path buildNinja) {
        TreeSet<Integer> levels = new TreeSet<>();
        int objects = 0;
        try (Stream<String> lines = Files.lines(buildNinja, StandardCharsets.UTF_8)) {
            String defines = null, flags = null;
            boolean inXnn = false;
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith(" ")) {
                    if (inXnn && (defines != null || flags != null)) {
                        Integer level = lastLogLevel((defines == null ? "" : defines) + " " + (flags == null ? "" : flags));
                        if (level != null) {
                            objects++;
                            levels.add(level);
                        }
                    }
                    inXnn = line.startsWith("build ") && line.contains("/XNNPACK/CMakeFiles/") && line.contains(".o: ");
                    defines = flags = null;
                } else if (inXnn && line.startsWith("  DEFINES = ")) defines = line.substring(12);
                else if (inXnn && line.startsWith("  FLAGS = ")) flags = line.substring(10);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return Kit.ordered("source", buildNinja.toString(), "objects", 0, "levels", List.of(), "effective", null, "error", String.valueOf(e.getMessage()));
        }
        return Kit.ordered("source", buildNinja.toString(), "objects", objects, "levels", List.copyOf(levels), "effective", levels.size() == 1 ? levels.first() : null);
    }

    /** The XNN_LOG_LEVEL the last -DXNN_LOG_LEVEL=N / -UXNN_LOG_LEVEL of a command line leaves (-1 for undefined), or null when it names none. */
    static Integer lastLogLevel(String commandLine) {
        Integer level = null;
        Matcher m = LOG_LEVEL.matcher(commandLine);
        while (m.find()) level = m.group(1) != null ? Integer.parseInt(m.group(1)) : -1;
        return level;
    }

    /** After configuring a kernel-log variant: every XNNPACK object must get XNN_LOG_LEVEL 5, or its runner would log no kernels. */
    private void checkLogLevel(Variant v, Path dir) {
        logLevel = xnnLogLevel(dir.resolve("build.ninja"));
        Object effective = logLevel.get("effective");
        if (((Number) logLevel.get("objects")).intValue() == 0)
            warn(v.name() + ": cannot confirm XNNPACK's log level (no XNNPACK object with XNN_LOG_LEVEL in " + dir.resolve("build.ninja")
                    + "); the kernel log may stay empty");
        else if (!Integer.valueOf(5).equals(effective))
            throw Kit.UserError.failed(v.name() + ": XNNPACK's files get XNN_LOG_LEVEL " + logLevel.get("levels") + " (from " + dir.resolve("build.ninja")
                            + "), not 5: this runner would log no kernel names",
                    "pass the level last in the C and C++ flags (BuildRunners does; a --cmake-arg -DCMAKE_C_FLAGS=... ending in another level overrides it)"
                            + ", then build again with --clean");
        else io.ok(v.name() + ": XNNPACK's " + logLevel.get("objects") + " objects get XNN_LOG_LEVEL 5 (build.ninja: CMAKE_C_FLAGS after XNNPACK's own 0)");
    }

    private Path toolchainFile() { return ndk.resolve("build/cmake/android.toolchain.cmake"); }

    /** This attempt's log of a step: logs/build-<variant>-<UTC time>[.N]-<what>.log, never a file an earlier attempt wrote. */
    private Path attemptLog(Variant v, String what) {
        if (what.equals("configure") || attemptStem == null) {
            String time = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
            String stem = "build-" + v.name() + "-" + time;
            for (int n = 2; Files.exists(logs.resolve(stem + "-configure.log")) || Files.exists(logs.resolve(stem + "-build.log")); n++)
                stem = "build-" + v.name() + "-" + time + "." + n;
            attemptStem = stem;
        }
        return logs.resolve(attemptStem + "-" + what + ".log");
    }

    /** Runs cmake (configure or build) from the workspace root, output to this attempt's log; returns seconds. */
    private double run(Variant v, String what, List<String> argv) {
        Path log = dryRun ? logs.resolve("build-" + v.name() + "-" + what + ".log") : attemptLog(v, what);
        if (what.equals("configure")) configureLog = log;
        List<String> a = new ArrayList<>(argv);
        if (!dryRun || cmake != null && cmake.startsWith(ws.venv())) a.set(0, cmake.toString());
        String path = Kit.pathFirst(ws.venv().resolve("bin"), env);
        if (!dryRun) io.info(what + ": follow it with tail -f " + Kit.shq(log.toString()));
        Kit.Result r = Kit.exec(io, Kit.Cmd.of(a).in(ws.root()).env(Map.of("PATH", path)).log(dryRun ? null : log));
        if (!r.ok()) {
            String shown = "(cd " + Kit.shq(ws.root().toString()) + ") " + Kit.Cmd.of(argv).display();
            throw Kit.UserError.failed(v.name() + ": " + what + " failed (" + r.why() + "): "
                    + firstError(r.output()) + "\n  command: " + shown + "\n  log: " + log + " (earlier attempts' logs are kept beside it)",
                    likelyFix(v, what, r.output()));
        }
        if (what.equals("build")) buildLog = log;
        double s = r.millis() / 1000.0;
        if (!dryRun) io.ok(what + (what.equals("build") ? " done" : "d") + " in " + Kit.duration(s));
        return s;
    }

    /** The compiler CMake chose, from <build>/CMakeFiles/<version>/CMakeCCompiler.cmake; null when absent. */
    static Compiler detectedCompiler(Path buildDir) {
        try (Stream<Path> s = Files.exists(buildDir.resolve("CMakeFiles")) ? Files.list(buildDir.resolve("CMakeFiles")) : Stream.empty()) {
            for (Path d : s.sorted(Comparator.reverseOrder()).toList()) {
                Path f = d.resolve("CMakeCCompiler.cmake");
                if (!Files.isRegularFile(f)) continue;
                String text = Files.readString(f);
                String id = cmakeSet(text, "CMAKE_C_COMPILER_ID"), ver = cmakeSet(text, "CMAKE_C_COMPILER_VERSION"), path = cmakeSet(text, "CMAKE_C_COMPILER");
                int[] v = Kit.version(ver);
                if (id != null && v != null) return new Compiler(id, v, path, id + " " + ver);
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static String cmakeSet(String text, String name) {
        Matcher m = Pattern.compile("set\\(" + name + " \"([^\"]*)\"\\)").matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** Copies the NDK's libc++_shared.so beside an Android runner (it is linked with c++_shared); returns the copy or null. */
    private String copyLibcxx(Path dir) {
        try (Stream<Path> hosts = Files.list(ndk.resolve("toolchains/llvm/prebuilt"))) {
            for (Path h : hosts.sorted().toList()) {
                Path lib = h.resolve("sysroot/usr/lib/aarch64-linux-android/libc++_shared.so");
                if (Files.isRegularFile(lib)) {
                    Path to = dir.resolve("libc++_shared.so");
                    Files.copy(lib, to, StandardCopyOption.REPLACE_EXISTING);
                    return to.toString();
                }
            }
        } catch (IOException e) {
            warn("cannot copy libc++_shared.so from the NDK: " + e.getMessage());
            return null;
        }
        warn("no libc++_shared.so for aarch64 in the NDK; the Android runner needs it beside it on the device");
        return null;
    }

    private Path nmFor(Variant v) {
        if (v.android() && ndk != null) {
            try (Stream<Path> hosts = Files.exists(ndk.resolve("toolchains/llvm/prebuilt")) ? Files.list(ndk.resolve("toolchains/llvm/prebuilt")) : Stream.empty()) {
                for (Path h : hosts.sorted().toList()) if (Files.isExecutable(h.resolve("bin/llvm-nm"))) return h.resolve("bin/llvm-nm");
            } catch (IOException ignored) {
            }
            Path llvm = Kit.which(env, "llvm-nm");
            if (llvm != null) return llvm;
        }
        Path nm = Kit.which(env, "nm");
        return nm != null ? nm : Kit.which(env, "llvm-nm");
    }

    // ---------------------------------------------------------------- SME2 evidence

    /**
     * Counts the distinct XNNPACK SME2 microkernels (names containing __neonsme2) in a binary: with nm when it lists symbols, else
     * by scanning its bytes. A stripped binary (nm: "no symbols"; or, without nm, `file` says "stripped") has no names left to
     * count: then a count of 0 would be a lie, so the count is null ("unknown: binary stripped") unless kernel names survive as
     * strings (the kernel-log runners print them).
     */
    static Sme2Evidence sme2Symbols(Path binary, Path nm, Map<String, String> env) {
        boolean stripped = false;
        if (nm != null) {
            Kit.Result r = Kit.exec(Kit.Io.quiet(), Kit.Cmd.of(nm.toString(), binary.toString()).timeout(Duration.ofMinutes(2)));
            stripped = r.output().toLowerCase(Locale.ROOT).contains("no symbols");
            if (r.ok() && !stripped && !r.stdout().isBlank()) {
                TreeSet<String> names = new TreeSet<>();
                for (String line : r.stdout().lines().toList()) {
                    String[] parts = line.trim().split("\\s+");
                    String name = parts[parts.length - 1];
                    if (name.contains(SME2_MARK)) names.add(name.startsWith("_xnn") ? name.substring(1) : name);
                }
                return new Sme2Evidence(names.size(), "nm", names.stream().limit(5).toList());
            }
        }
        if (!stripped && nm == null && env != null && Kit.which(env, "file") != null) {
            Kit.Result f = Kit.query(env, null, Duration.ofSeconds(30), "file", "-b", binary.toString());
            stripped = f.ok() && f.stdout().contains("stripped") && !f.stdout().contains("not stripped");
        }
        TreeSet<String> names = scanBytes(binary);
        if (stripped && names.isEmpty()) return new Sme2Evidence(null, nm != null ? "nm: no symbols (stripped)" : "file: stripped", List.of());
        return new Sme2Evidence(names.size(), stripped ? "byte-scan (stripped; kernel names as strings)" : "byte-scan", names.stream().limit(5).toList());
    }

    static Sme2Evidence sme2Symbols(Path binary, Path nm) { return sme2Symbols(binary, nm, null); }

    /** The distinct symbol-like strings around each occurrence of __neonsme2 in the file's bytes. */
    static TreeSet<String> scanBytes(Path binary) {
        TreeSet<String> names = new TreeSet<>();
        byte[] b;
        try {
            b = Files.readAllBytes(binary);
        } catch (IOException | OutOfMemoryError e) {
            return names;
        }
        byte[] mark = SME2_MARK.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + mark.length <= b.length; i++) {
            for (int j = 0; j < mark.length; j++) if (b[i + j] != mark[j]) continue outer;
            int s = i, e = i + mark.length;
            while (s > 0 && symbolChar(b[s - 1])) s--;
            while (e < b.length && symbolChar(b[e])) e++;
            String name = new String(b, s, e - s, StandardCharsets.US_ASCII);
            names.add(name.startsWith("_xnn") ? name.substring(1) : name);
            i = e - 1;
        }
        return names;
    }

    private static boolean symbolChar(byte c) { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '$'; }

    // ---------------------------------------------------------------- compilers and versions

    /** What `cc --version` says: Apple clang, clang (LLVM, any vendor prefix) or gcc; null when it is none of these. */
    static Compiler parseCompiler(String text, String path) {
        String first = text == null ? "" : text.lines().findFirst().orElse("").trim();
        Matcher apple = Pattern.compile("Apple (?:LLVM|clang) version (\\d+(?:\\.\\d+)*)").matcher(first);
        if (apple.find()) return new Compiler("AppleClang", Kit.version(apple.group(1)), path, first);
        Matcher clang = Pattern.compile("clang version (\\d+(?:\\.\\d+)*)").matcher(first);
        if (clang.find()) return new Compiler("Clang", Kit.version(clang.group(1)), path, first);
        if (first.contains("gcc") || first.contains("GCC") || text.contains("Free Software Foundation") || first.matches("^(cc|c\\+\\+|g\\+\\+)(-\\d+)? \\(.*\\) \\d.*")) {
            Matcher m = Pattern.compile("(\\d+\\.\\d+(?:\\.\\d+)?)(?!.*\\d+\\.\\d+)").matcher(first);
            if (m.find()) return new Compiler("GNU", Kit.version(m.group(1)), path, first);
        }
        return null;
    }

    static String dotted(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ".").append(v[i]);
        return sb.toString();
    }

    // ---------------------------------------------------------------- failure hints

    private static final Pattern COMPILER_ERROR = Pattern.compile("^(\\S.*?):(\\d+)(?::\\d+)?: (?:fatal )?error: .*");

    /**
     * The first error of a cmake or ninja log, with its file and line: a "CMake Error at FILE:LINE (…):" block (its first message
     * lines joined), a compiler's "FILE:LINE:COL: error: …", else the first "error:"/"fatal" line; else the last line. Later
     * errors are often consequences of the first, so the first is the one to show.
     */
    static String firstError(String output) {
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip(), low = l.toLowerCase(Locale.ROOT);
            if (l.startsWith("CMake Error")) {
                StringBuilder sb = new StringBuilder(l);
                int taken = 0;
                for (int k = i + 1; k < lines.size() && taken < 3; k++) {
                    String next = lines.get(k);
                    if (next.isBlank()) continue;
                    if (!Character.isWhitespace(next.charAt(0)) || next.strip().startsWith("Tried extensions")) break;
                    sb.append(' ').append(next.strip());
                    taken++;
                }
                return Kit.cut(sb.toString());
            }
            if (COMPILER_ERROR.matcher(l).matches() || low.startsWith("error:") || low.startsWith("fatal") || low.contains(" error: ")) return Kit.cut(l);
        }
        List<String> nonBlank = lines.stream().map(String::strip).filter(x -> !x.isEmpty()).toList();
        return nonBlank.isEmpty() ? "(no output)" : Kit.cut(nonBlank.get(nonBlank.size() - 1));
    }

    /** Header files a build reads from a submodule, by name (a compiler's "No such file" names the header, not the submodule). */
    static final Map<String, String> SUBMODULE_HEADERS = Map.of("pocketfft_hdronly.h", "third-party/pocketfft", "gflags/gflags.h", "third-party/gflags",
            "nlohmann/json.hpp", "third-party/json", "cpuinfo.h", "backends/xnnpack/third-party/cpuinfo", "pthreadpool.h", "backends/xnnpack/third-party/pthreadpool",
            "xnnpack.h", "backends/xnnpack/third-party/XNNPACK", "fxdiv.h", "backends/xnnpack/third-party/FXdiv");

    /** The submodules a failure text blames: those whose folder it names next to a missing-file message, or whose header it cannot find. */
    static List<String> blamedSubmodules(String output) {
        String o = output.replace('\\', '/');
        String low = o.toLowerCase(Locale.ROOT);
        boolean missing = low.contains("cannot find source file") || low.contains("does not contain a cmakelists.txt") || low.contains("not an existing non-empty directory")
                || low.contains("no such file or directory");
        List<String> out = new ArrayList<>();
        if (!missing) return out;
        for (String dir : Kit.Prereqs.SUBMODULES.keySet())
            if (o.contains("/" + dir + "/") || o.contains("/" + dir + "\n") || o.contains("/" + dir + " ") || o.endsWith("/" + dir)) out.add(dir);
        SUBMODULE_HEADERS.forEach((header, dir) -> {
            if (low.contains(header + ": no such file") && !out.contains(dir)) out.add(dir);
        });
        return out;
    }

    /** The fix for a failed configure or build, from the cause its log shows (rules tested on real ExecuTorch failure texts). */
    String likelyFix(Variant v, String what, String output) {
        String o = output.toLowerCase(Locale.ROOT);
        if (o.contains("no space left on device")) return "free disk space (each build folder takes about 1.5 GB), then build again";
        if (o.contains("killed signal") || o.contains("out of memory") || o.contains("cannot allocate memory"))
            return "the compiler ran out of memory: build again with fewer jobs, e.g. --jobs 2";
        if (o.contains("compatibility with cmake < 3.5"))
            return "cmake 4 refuses some third-party code: use cmake 3.x (the one SetupRepo installs into .venv), then build again with --clean";
        if (v.android() && (o.contains("could not find toolchain file") || o.contains("android.toolchain.cmake") && o.contains("error")))
            return "check " + ndkVar + " (it must point at the NDK's root folder, r" + versions.ndkMin() + "+), then build again with --clean";
        List<String> blamed = blamedSubmodules(output);
        for (String dir : Kit.Prereqs.emptySubmodules(ws.executorch())) if (!blamed.contains(dir)) blamed.add(dir);
        if (!blamed.isEmpty()) return "fill the empty submodule" + (blamed.size() == 1 ? "" : "s") + ": " + Kit.Prereqs.submoduleFix(ws.executorch(), blamed)
                + ", then build again with --clean";
        if (o.contains("does not contain a cmakelists.txt") || o.contains("cannot find source file") && o.contains("third-party"))
            return "the ExecuTorch submodules are missing: git -C " + Kit.shq(ws.executorch().toString()) + " submodule update --init --recursive, then build again";
        if (o.contains("find_spec('torch')") || o.contains("submodule_search_locations"))
            return "ExecuTorch's CMake found no torch in the workspace Python: " + Kit.Prereqs.torchFix(ws.python(), versions.torch());
        if (Pattern.compile("[‘'`]c10_\\w+[’'`] was not declared|c10/[\\w/]+\\.h.*error|torch/include/.*error").matcher(o).find())
            return "the torch headers do not match this ExecuTorch (the optimized kernels compile against the workspace Python's torch): "
                    + Kit.Prereqs.torchFix(ws.python(), versions.torch());
        if (o.contains("kleidiai") && (o.contains("could not resolve") || o.contains("couldn't resolve") || o.contains("download") && o.contains("fail")))
            return "XNNPACK downloads KleidiAI while configuring for arm64 and could not: on an offline machine unpack the KleidiAI archive named in XNNPACK's "
                    + "cmake/DownloadKleidiAI.cmake and pass --cmake-arg -DKLEIDIAI_SOURCE_DIR=<its folder>, then build again with --clean";
        if (o.contains("no cmake_c_compiler") || o.contains("no cmake_cxx_compiler"))
            return "install a C/C++ compiler (macOS: xcode-select --install; Linux: sudo apt install clang-" + versions.clangMin() + ") and build again with --clean";
        if (what.equals("configure")) return "read the log; a build folder configured with other settings can cause this: build again with --clean";
        return "read the log for the first error; then build again (add --clean to start the variant from scratch)";
    }

    // ---------------------------------------------------------------- helpers

    private String workspaceRef() {
        Path f = ws.root().resolve("workspace.json");
        if (!Files.isRegularFile(f)) return null;
        try {
            JsonNode n = Kit.JSON.readTree(f.toFile());
            return n.path("executorch").path("ref").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** A failed check: a real run stops after the checks (exit 1, every problem with its fix); under --dry-run it only warns so the plan still prints. */
    private void problem(String message, String fix) {
        if (!dryRun) {
            problems.add(List.of(message, fix));
            return;
        }
        io.fail(message + " (a real run stops here)");
        io.fix(fix);
        warnings.add(message);
    }

    /** After the checks, before anything is configured: one problem is the error with its fix; several are each printed with their fix first. */
    private void stopOnProblems() {
        if (problems.isEmpty()) return;
        if (problems.size() == 1) throw Kit.UserError.failed(problems.get(0).get(0), problems.get(0).get(1));
        for (List<String> p : problems) {
            io.fail(p.get(0));
            io.fix(p.get(1));
        }
        throw Kit.UserError.failed(problems.size() + " checks failed (each above, with its fix), so nothing was configured", "apply each fix above, then build again");
    }

    private void warn(String message) {
        io.warn(message);
        warnings.add(message);
    }

    private Kit.Result probe(Path dir, String... argv) { return Kit.query(env, dir, Duration.ofMinutes(1), argv); }

    private static Path firstExecutable(Path... candidates) {
        for (Path p : candidates) if (p != null && Files.isExecutable(p) && !Files.isDirectory(p)) return p;
        return null;
    }

    /** The closest known name as "did you mean X?", or an empty string. */
    static String closest(String name, List<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
            int d = Kit.editDistance(name, k);
            if (d < bestD) { best = k; bestD = d; }
        }
        return best != null && bestD <= Math.max(3, name.length() / 3) ? "did you mean " + best + "?" : "";
    }
}
