///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
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
                "and -DXNNPACK_ENABLE_ARM_SME. All variants: Release (-O3, as ExecuTorch's",
                "Android preset; the binary keeps its symbols), XNNPACK with KleidiAI,",
                "devtools + event tracer (ETDump), logging, optimized and quantized kernels,",
                "-DPYTHON_EXECUTABLE=<workspace>/.venv/bin/python. The kernel log is",
                "compiled in (-UXNN_NO_LOGGING -DXNN_LOG_LEVEL=5); XNNPACK reads no",
                "environment variable for it. ccache is used when it is installed.",
                "",
                "Checks first: cmake 3.24+ and ninja; the compiler (on Arm clang 18+, or",
                "XNNPACK silently leaves the SME2 kernels out; on x86-64 no Arm kernel is",
                "built at all); NDK r27+ (its source.properties); free disk.",
                "After each build, build.json beside the runner records the variant, every",
                "cmake flag, the compiler, the ExecuTorch SHA and dirty flag, durations, the",
                "host and the evidence: sme2_symbol_count, the number of XNNPACK __neonsme2",
                "microkernels in the binary (nm, else a scan of its bytes): more than 0",
                "expected for -sme2-on on Arm, 0 for -sme2-off."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/BuildRunners.java",
                "  jbang scripts/BuildRunners.java --variants host-sme2-on,host-sme2-off",
                "  ANDROID_NDK=~/Library/Android/sdk/ndk/27.2.12479018 jbang scripts/BuildRunners.java --variants android-arm64-sme2-on",
                "  jbang scripts/BuildRunners.java --clean --variants host-sme2-on",
                "  jbang scripts/BuildRunners.java --dry-run"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every variant was built", "1:a check or a build failed (the log and the fix are printed)", "2:bad input or usage"})
public class BuildRunners implements Callable<Integer> {
    static final List<String> HOST_VARIANTS = List.of("host-sme2-on", "host-sme2-off", "host-sme2-on-xnnlog", "host-sme2-off-xnnlog");
    static final List<String> ANDROID_VARIANTS = List.of("android-arm64-sme2-on", "android-arm64-sme2-off", "android-arm64-sme2-on-xnnlog",
            "android-arm64-sme2-off-xnnlog");
    static final String XNNLOG_FLAGS = "-UXNN_NO_LOGGING -DXNN_LOG_LEVEL=5", SME2_MARK = "__neonsme2";
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

    /** The SME2 evidence in a binary: distinct XNNPACK __neonsme2 microkernel symbols, and how they were counted. */
    record Sme2Evidence(int count, String method, List<String> sample) {}

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
    private String sha;
    private boolean dirty;
    private final Map<String, String> toolVersions = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

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
            io.ok("built " + built.size() + " runner(s): " + String.join(", ", built.stream().map(b -> b.variant() + " (SME2 kernels: " + b.sme2SymbolCount() + ")").toList()));
            io.info("next: jbang scripts/ExportModel.java --model toy_cnn --dtype fp16");
        }
        return Kit.OK;
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
        checkCmake();
        checkNinja();
        if (todo.stream().anyMatch(v -> !v.android())) checkHostCompiler();
        if (todo.stream().anyMatch(Variant::android)) checkNdk();
        checkDisk(todo.size());
        if (ccache != null) io.ok("ccache found: " + ccache + " (rebuilds reuse compiled objects)");
        Kit.Result head = probe(ws.executorch(), "git", "rev-parse", "HEAD");
        sha = head.ok() ? head.output().trim() : null;
        Kit.Result st = probe(ws.executorch(), "git", "status", "--porcelain", "--untracked-files=no");
        dirty = st.ok() && !st.output().isBlank();
        if (dirty) warn("the ExecuTorch checkout has local changes; build.json records dirty=true");
    }

    private boolean hostIsArm() {
        if (macHost) {
            Kit.Result r = probe(ws.root(), "sysctl", "-n", "hw.optional.arm64");
            if (r.ok()) return r.output().trim().equals("1");
        }
        Kit.Result r = probe(ws.root(), "uname", "-m");
        String m = r.ok() ? r.output().trim() : System.getProperty("os.arch");
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
                    "read " + logs.resolve("build-" + v.name() + "-build.log") + "; then build again with --clean");
        String libcxx = v.android() ? copyLibcxx(dir) : null;
        Sme2Evidence ev = sme2Symbols(runner, nmFor(v));
        boolean expectKernels = v.sme2() && (v.android() || armHost);
        String verdict = expectKernels == (ev.count() > 0) ? "as expected" : "NOT as expected";
        if (expectKernels && ev.count() == 0)
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
                "sme2_expected", expectKernels ? "more than 0" : "0", "sme2_evidence", verdict, "libcxx_shared", libcxx);
        Path buildJson = dir.resolve("build.json");
        Kit.writeJson(buildJson, doc);
        io.ok(v.name() + ": " + runner + " in " + Kit.duration(total) + "; SME2 kernels: " + ev.count() + " (" + ev.method() + ", " + verdict + ")");
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
        return f;
    }

    private Path toolchainFile() { return ndk.resolve("build/cmake/android.toolchain.cmake"); }

    /** Runs cmake (configure or build) from the workspace root, output to logs/build-<variant>-<what>.log; returns seconds. */
    private double run(Variant v, String what, List<String> argv) {
        Path log = logs.resolve("build-" + v.name() + "-" + what + ".log");
        List<String> a = new ArrayList<>(argv);
        if (!dryRun || cmake != null && cmake.startsWith(ws.venv())) a.set(0, cmake.toString());
        String path = Kit.pathFirst(ws.venv().resolve("bin"), env);
        if (!dryRun) io.info(what + ": follow it with tail -f " + Kit.shq(log.toString()));
        Kit.Result r = Kit.exec(io, Kit.Cmd.of(a).in(ws.root()).env(Map.of("PATH", path)).log(dryRun ? null : log));
        if (!r.ok()) {
            String shown = "(cd " + Kit.shq(ws.root().toString()) + ") " + Kit.Cmd.of(argv).display();
            throw Kit.UserError.failed(v.name() + ": " + what + " failed (" + r.why() + "): "
                    + lastError(r) + "\n  command: " + shown + "\n  log: " + log, likelyFix(what, r.output()));
        }
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

    /** Counts the distinct XNNPACK SME2 microkernels (names containing __neonsme2) in a binary: with nm when it works, else by scanning its bytes. */
    static Sme2Evidence sme2Symbols(Path binary, Path nm) {
        if (nm != null) {
            Kit.Result r = Kit.exec(Kit.Io.quiet(), Kit.Cmd.of(nm.toString(), binary.toString()).timeout(Duration.ofMinutes(2)));
            if (r.ok() && !r.output().isBlank()) {
                TreeSet<String> names = new TreeSet<>();
                for (String line : r.output().lines().toList()) {
                    String[] parts = line.trim().split("\\s+");
                    String name = parts[parts.length - 1];
                    if (name.contains(SME2_MARK)) names.add(name.startsWith("_xnn") ? name.substring(1) : name);
                }
                return new Sme2Evidence(names.size(), "nm", names.stream().limit(5).toList());
            }
        }
        TreeSet<String> names = scanBytes(binary);
        return new Sme2Evidence(names.size(), "byte-scan", names.stream().limit(5).toList());
    }

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

    static String lastError(Kit.Result r) {
        List<String> lines = r.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String low = lines.get(i).toLowerCase(Locale.ROOT);
            if (low.startsWith("cmake error") || low.contains("error:") || low.startsWith("fatal")) return Kit.cut(lines.get(i));
        }
        return lines.isEmpty() ? "(no output)" : Kit.cut(lines.get(lines.size() - 1));
    }

    String likelyFix(String what, String output) {
        String o = output.toLowerCase(Locale.ROOT);
        if (o.contains("no space left on device")) return "free disk space (each build folder takes about 1.5 GB), then build again";
        if (o.contains("killed signal") || o.contains("out of memory") || o.contains("cannot allocate memory"))
            return "the compiler ran out of memory: build again with fewer jobs, e.g. --jobs 2";
        if (o.contains("compatibility with cmake < 3.5"))
            return "cmake 4 refuses some third-party code: use cmake 3.x (the one SetupRepo installs into .venv), then build again with --clean";
        if (o.contains("no cmake_c_compiler") || o.contains("no cmake_cxx_compiler"))
            return "install a C/C++ compiler (macOS: xcode-select --install; Linux: sudo apt install clang-" + versions.clangMin() + ") and build again with --clean";
        if (o.contains("does not contain a cmakelists.txt") || o.contains("does not exist") && o.contains("third-party"))
            return "the ExecuTorch submodules are missing: run jbang scripts/SetupRepo.java (it initialises them), then build again";
        if (o.contains("toolchain")) return "check ANDROID_NDK (it must point at the NDK's root folder, r" + versions.ndkMin() + "+), then build again with --clean";
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

    /** A failed check: stops a real run (exit 1 with the fix); under --dry-run it only warns so the plan still prints. */
    private void problem(String message, String fix) {
        if (!dryRun) throw Kit.UserError.failed(message, fix);
        io.fail(message + " (a real run stops here)");
        io.fix(fix);
        warnings.add(message);
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
